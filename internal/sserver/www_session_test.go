package sserver

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/testpeer"
)

// TestWWWSessionBlock: the -www page's session block has what openssl
// s_server's has: in TLS 1.2 the master secret, and on resumption the
// session ID and the same master secret; in TLS 1.3 a session ID and the
// last ticket's resumption PSK. A resumed page, as openssl's, lists no
// shared ciphers, signature algorithms or groups in TLS 1.2, and no
// signature algorithms in TLS 1.3. The client is openssl s_client, saving
// the session with -sess_out and resuming it with -sess_in.
func TestWWWSessionBlock(t *testing.T) {
	pki := testpeer.NewPKI(t)
	for _, tc := range []struct {
		name string
		args []string
	}{{"TLS 1.2 ticket", []string{"-tls1_2"}}, {"TLS 1.2 session ID", []string{"-tls1_2", "-no_ticket"}}, {"TLS 1.3", nil}} {
		t.Run(tc.name, func(t *testing.T) {
			ts := startServer(t, "", append([]string{"-cert", pki.ECServer, "-key", pki.ECServerKey, "-www"}, tc.args...)...)
			sess := filepath.Join(t.TempDir(), "sess.pem")
			get := func(sessArg string) string {
				out, _ := runPeer(t, "GET / HTTP/1.0\r\n\r\n", 20*time.Second, "openssl", "s_client", "-connect", ts.addr,
					"-quiet", "-ign_eof", sessArg, sess)
				return out
			}
			first, second := get("-sess_out"), get("-sess_in")
			if !strings.Contains(first, "\nNew, ") || !strings.Contains(second, "\nReused, ") {
				t.Fatalf("not a new then a resumed session:\n%s\n%s", first, second)
			}
			field := func(page, name string) string {
				m := regexp.MustCompile(`(?m)^    ` + name + `: ?(.*)$`).FindStringSubmatch(page)
				if m == nil {
					t.Fatalf("no %s line:\n%s", name, page)
				}
				return m[1]
			}
			hex := regexp.MustCompile(`^[0-9A-F]+$`)
			if tc.args != nil {
				mk := field(first, "Master-Key")
				if len(mk) != 96 || !hex.MatchString(mk) || field(second, "Master-Key") != mk {
					t.Errorf("master keys %q, %q", mk, field(second, "Master-Key"))
				}
				if id := field(second, "Session-ID"); len(id) != 64 || !hex.MatchString(id) {
					t.Errorf("resumed Session-ID %q", id)
				}
				if strings.Contains(second, "Ciphers common") || strings.Contains(second, "Signature Algorithms") || strings.Contains(second, "groups:") {
					t.Errorf("resumed TLS 1.2 page lists shared parameters:\n%s", second)
				}
				// The list ends as openssl's does, with the PSK suites of the
				// default cipher string.
				if !regexp.MustCompile(`:PSK-AES128-CBC-SHA +\n---\nReused, TLSv1\.2, `).MatchString(second) {
					t.Errorf("resumed TLS 1.2 page: the cipher list is not followed by one --- and Reused:\n%s", second)
				}
				return
			}
			for _, page := range []string{first, second} {
				if id, psk := field(page, "Session-ID"), field(page, "Resumption PSK"); len(id) != 64 || !hex.MatchString(id) || len(psk) != 96 || !hex.MatchString(psk) {
					t.Errorf("Session-ID %q, Resumption PSK %q", id, psk)
				}
			}
			if !strings.Contains(second, "Ciphers common") || !strings.Contains(second, "\nShared groups: ") || strings.Contains(second, "Signature Algorithms") {
				t.Errorf("resumed TLS 1.3 page: want shared ciphers and groups, no signature algorithms:\n%s", second)
			}
		})
	}
}
