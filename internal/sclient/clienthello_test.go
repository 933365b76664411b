package sclient

import (
	"encoding/binary"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/engine/msg"
	"github.com/tlskit/tlskit/internal/testpeer"
)

var updateHello = flag.Bool("update", false, "re-record openssl's output into testdata: ClientHellos (testdata/clienthello), session file errors (testdata/recorded)")

// helloCases are the command lines whose ClientHello must be openssl's.
var helloCases = []struct {
	name string
	args []string
}{
	{"default", nil},
	{"tls1_2", []string{"-tls1_2"}},
	{"tls1_3", []string{"-tls1_3"}},
	{"tls1_3-no_ticket", []string{"-tls1_3", "-no_ticket"}},
	{"tls1", []string{"-tls1", "-cipher", "DEFAULT@SECLEVEL=0"}},
	{"seclevel0", []string{"-cipher", "DEFAULT@SECLEVEL=0"}},
	{"no_etm-no_ticket", []string{"-no_etm", "-no_ticket", "-fallback_scsv", "-tls1_2"}},
	// -sigalgs rules out the suites whose authentication it cannot sign.
	{"sigalgs-ecdsa", []string{"-sigalgs", "ECDSA+SHA384"}},
	{"sigalgs-rsa", []string{"-sigalgs", "RSA+SHA256:RSA-PSS+SHA256"}},
	{"sigalgs-ed25519", []string{"-sigalgs", "ed25519", "-tls1_2"}},
	// ec_point_formats only beside an elliptic-curve group; the RFC 7919
	// groups only with TLS 1.3.
	{"groups-ffdhe", []string{"-groups", "ffdhe3072"}},
	{"groups-ffdhe-tls1_2", []string{"-groups", "ffdhe3072", "-tls1_2"}},
	{"groups-ffdhe-x25519-tls1_2", []string{"-groups", "ffdhe2048:x25519", "-tls1_2"}},
	{"groups-ffdhe-tls1_3", []string{"-groups", "ffdhe2048:ffdhe4096", "-tls1_3"}},
}

// captureHello listens on 127.0.0.1, runs client with the address, and
// returns the first ClientHello it sends, without answering it.
func captureHello(t *testing.T, client func(addr string)) *msg.ClientHello {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	got := make(chan []byte, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			got <- nil
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		hdr := make([]byte, 5)
		if _, err := io.ReadFull(c, hdr); err != nil {
			got <- nil
			return
		}
		body := make([]byte, binary.BigEndian.Uint16(hdr[3:]))
		if _, err := io.ReadFull(c, body); err != nil {
			got <- nil
			return
		}
		got <- body
	}()
	client(ln.Addr().String())
	var rec []byte
	select {
	case rec = <-got:
	case <-time.After(15 * time.Second):
		t.Fatal("no ClientHello arrived")
	}
	if len(rec) < 4 || rec[0] != byte(msg.TypeClientHello) {
		t.Fatalf("not a ClientHello record: %x", rec)
	}
	ch, err := msg.ParseClientHello(rec[4:])
	if err != nil {
		t.Fatal(err)
	}
	return ch
}

// describeHello lists what must match openssl's ClientHello: the
// version, the suites, the extensions in order and, for the lists
// openssl fills in by default, their contents (a key share by its group
// only).
func describeHello(ch *msg.ClientHello) string {
	var b strings.Builder
	hex := func(v []uint16) string {
		var s []string
		for _, x := range v {
			s = append(s, fmt.Sprintf("%04x", x))
		}
		return strings.Join(s, " ")
	}
	fmt.Fprintf(&b, "legacy_version %04x\n", ch.Version)
	fmt.Fprintf(&b, "session_id %d bytes\n", len(ch.SessionID))
	fmt.Fprintf(&b, "cipher_suites %s\n", hex(ch.CipherSuites))
	fmt.Fprintf(&b, "compression %x\n", ch.CompressionMethods)
	for _, e := range ch.Extensions {
		fmt.Fprintf(&b, "extension %d", e.Type)
		switch e.Type {
		case msg.ExtSupportedGroups, msg.ExtSignatureAlgorithms:
			v, _ := msg.ParseUint16List(e.Data)
			fmt.Fprintf(&b, ": %s", hex(v))
		case msg.ExtSupportedVersions:
			v, _ := msg.ParseSupportedVersionsClient(e.Data)
			fmt.Fprintf(&b, ": %s", hex(v))
		case msg.ExtKeyShare:
			ks, _ := msg.ParseKeyShareClient(e.Data)
			var g []uint16
			for _, k := range ks {
				g = append(g, k.Group)
			}
			fmt.Fprintf(&b, ": %s", hex(g))
		case msg.ExtECPointFormats, msg.ExtPSKKeyExchangeModes, msg.ExtSessionTicket,
			msg.ExtEncryptThenMAC, msg.ExtExtendedMasterSecret:
			fmt.Fprintf(&b, ": %x", e.Data)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// TestClientHelloIsOpenSSLs compares tlskit's ClientHello with the one
// openssl s_client sends for the same command line (recorded in
// testdata/clienthello with -update): suites, groups, signature
// algorithms, versions, the key share's group and the extensions, in
// order.
func TestClientHelloIsOpenSSLs(t *testing.T) {
	for _, tc := range helloCases {
		t.Run(tc.name, func(t *testing.T) {
			golden := filepath.Join("testdata", "clienthello", tc.name+".txt")
			if *updateHello {
				if _, err := exec.LookPath("openssl"); err != nil {
					t.Skip("openssl not found")
				}
				ch := captureHello(t, func(addr string) {
					testpeer.Run(t, 15*time.Second, "", "openssl", append([]string{"s_client", "-connect", addr}, tc.args...)...)
				})
				os.MkdirAll(filepath.Dir(golden), 0o755)
				if err := os.WriteFile(golden, []byte(describeHello(ch)), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			ch := captureHello(t, func(addr string) {
				runClient(t, "", append([]string{"-connect", addr}, tc.args...)...)
			})
			if got := describeHello(ch); got != string(want) {
				t.Errorf("ClientHello differs from openssl's\nopenssl:\n%s\ntlskit:\n%s", want, got)
			}
		})
	}
}
