package engine

import (
	"net"
	"slices"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/engine/msg"
	"github.com/tlskit/tlskit/internal/testpeer"
)

// TestClientHello12LikeOpenSSL compares the ClientHello of a client
// offering TLS 1.2–1.3 with openssl s_client's default one (and 1.0–1.3
// with -min_protocol TLSv1), and of a TLS 1.2-only client with -tls1_2's:
// same suites, same extensions in the same order, same supported_versions.
func TestClientHello12LikeOpenSSL(t *testing.T) {
	openssl := testpeer.Need(t, "openssl")
	for _, c := range []struct {
		name string
		args []string
		cfg  Config
	}{
		{"1.2-1.3", []string{"-min_protocol", "TLSv1.2"}, Config{MinVersion: VersionTLS12, MaxVersion: VersionTLS13}},
		{"1.0-1.3", []string{"-min_protocol", "TLSv1"}, Config{MinVersion: VersionTLS10, MaxVersion: VersionTLS13}},
		{"1.2 only", []string{"-tls1_2"}, Config{MinVersion: VersionTLS12, MaxVersion: VersionTLS12}},
		{"1.2 no_ticket no_etm", []string{"-tls1_2", "-no_ticket", "-no_etm"}, Config{MinVersion: VersionTLS12, MaxVersion: VersionTLS12, NoTicket: true, NoEncryptThenMAC: true}},
	} {
		t.Run(c.name, func(t *testing.T) {
			want := captureClientHello(t, func(addr string) {
				testpeer.Run(t, 20*time.Second, "", openssl, append([]string{"s_client", "-connect", addr, "-noservername"}, c.args...)...)
			})
			cfg := c.cfg
			got := captureClientHello(t, func(addr string) {
				conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
				if err != nil {
					t.Fatal(err)
				}
				conn.SetDeadline(time.Now().Add(10 * time.Second))
				Client(conn, &cfg).Handshake()
				conn.Close()
			})
			if got.Version != want.Version {
				t.Errorf("legacy_version: own %x, openssl %x", got.Version, want.Version)
			}
			if !slices.Equal(extOrder(got), extOrder(want)) {
				t.Errorf("extensions:\n own %v\nopenssl %v", extOrder(got), extOrder(want))
			}
			if !slices.Equal(got.CipherSuites, want.CipherSuites) {
				t.Errorf("suites: own %x, openssl %x", got.CipherSuites, want.CipherSuites)
			}
			if (len(got.SessionID) == 0) != (len(want.SessionID) == 0) {
				t.Errorf("session id lengths %d, %d", len(got.SessionID), len(want.SessionID))
			}
			for _, e := range []msg.ExtType{msg.ExtSupportedVersions, msg.ExtECPointFormats, msg.ExtSessionTicket, msg.ExtEncryptThenMAC, msg.ExtExtendedMasterSecret} {
				gd, _ := got.Extensions.Find(e)
				wd, _ := want.Extensions.Find(e)
				if string(gd) != string(wd) {
					t.Errorf("%v: own %x, openssl %x", e, gd, wd)
				}
			}
		})
	}
}
