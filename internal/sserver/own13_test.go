package sserver

import (
	"net"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/testpeer"
)

// TestServerFFDHE13 offers the RFC 7919 groups as TLS 1.3 key
// shares to tlskit's server (RFC 8446 §4.2.8.1): from openssl s_client
// with a share at once and through a HelloRetryRequest, and from
// gnutls-cli.
func TestServerFFDHE13(t *testing.T) {
	pki := testpeer.NewPKI(t)
	id := []string{"-cert", pki.Server, "-key", pki.ServerKey, "-naccept", "1"}
	for _, tc := range []struct {
		name           string
		server, client []string
		want           []string
	}{
		{"ffdhe2048", []string{"-tls1_3"}, []string{"-groups", "ffdhe2048"}, []string{`(?m)^Server Temp Key: DH, 2048 bits$`}},
		{"ffdhe8192", nil, []string{"-tls1_3", "-groups", "ffdhe8192"}, []string{`(?m)^Server Temp Key: DH, 8192 bits$`}},
		// openssl sends an x25519 share; the server wants ffdhe6144
		// and asks for it (the retry's key_share names the group only).
		{"hrr", []string{"-tls1_3", "-groups", "ffdhe6144"}, []string{"-groups", "x25519:ffdhe6144", "-trace"},
			[]string{`(?m)^Server Temp Key: DH, 6144 bits$`, `extension_type=key_share\(51\), length=2\n`, `extension_type=key_share\(51\), length=772\n`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := startServer(t, "", append(append([]string(nil), id...), tc.server...)...)
			out := opensslClient(t, ts.addr, "", 0, tc.client...)
			for _, re := range append(tc.want, `(?m)^New, TLSv1\.3, `) {
				if !regexp.MustCompile(re).MatchString(out) {
					t.Errorf("openssl s_client output lacks %s:\n%s", re, out)
				}
			}
			testpeer.WaitOutput(t, ts.out.String, "CIPHER is TLS_AES_256_GCM_SHA384", 5*time.Second)
		})
	}
	t.Run("gnutls", func(t *testing.T) {
		ts := startServer(t, "", append(append([]string(nil), id...), "-tls1_3")...)
		host, port, _ := net.SplitHostPort(ts.addr)
		out, _ := runPeer(t, "", 20*time.Second, "gnutls-cli", "--insecure", "-p", port,
			"--priority", "NORMAL:-GROUP-ALL:+GROUP-FFDHE3072", host)
		if !strings.Contains(out, "(TLS1.3-X.509)-(DHE-FFDHE3072)-") {
			t.Errorf("gnutls-cli did not negotiate ffdhe3072:\n%s", out)
		}
	})
}
