package sserver

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/testpeer"
)

// TestSessionContextScopes: -context scopes sessions as openssl's
// session ID context does. The servers here share one process, so one
// ticket key and one session-ID cache: a session openssl s_client saved
// from a server under one context is not resumed by a server under
// another, and is by a server under the same; TLS 1.3 tickets and TLS
// 1.2 session IDs (-no_ticket). The -www page shows the context in hex,
// openssl's default 01000000 without -context.
func TestSessionContextScopes(t *testing.T) {
	pki := testpeer.NewPKI(t)
	id := []string{"-cert", pki.ECServer, "-key", pki.ECServerKey}
	for _, c := range []struct {
		name   string
		server []string
	}{{"TLS 1.3 ticket", nil}, {"TLS 1.2 session ID", []string{"-tls1_2", "-no_ticket"}}} {
		t.Run(c.name, func(t *testing.T) {
			srv := func(ctx string) *testServer {
				return startServer(t, "", append(append(append([]string(nil), id...), c.server...), "-context", ctx)...)
			}
			sess, _ := opensslSession(t, srv("one").addr)
			for _, tc := range []struct{ ctx, want string }{{"two", "New"}, {"one", "Reused"}} {
				out, _ := runPeer(t, "", 20*time.Second, "openssl", "s_client", "-connect", srv(tc.ctx).addr, "-sess_in", sess)
				if !regexp.MustCompile(`(?m)^` + tc.want + `, TLSv1\.[23], `).MatchString(out) {
					t.Errorf("-context %s: openssl s_client did not print %s:\n%s", tc.ctx, tc.want, out)
				}
			}
		})
	}
	t.Run("www", func(t *testing.T) {
		for _, tc := range []struct {
			args []string
			want string
		}{{nil, "    Session-ID-ctx: 01000000\n"}, {[]string{"-context", "abc"}, "    Session-ID-ctx: 616263\n"}} {
			ts := startServer(t, "", append(append(append([]string(nil), id...), "-www"), tc.args...)...)
			out, _ := runPeer(t, "GET / HTTP/1.0\r\n\r\n", 20*time.Second, "openssl", "s_client", "-connect", ts.addr, "-quiet")
			if !strings.Contains(out, tc.want) {
				t.Errorf("%v: the page lacks %q:\n%s", tc.args, tc.want, out)
			}
		}
	})
}
