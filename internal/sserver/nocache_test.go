package sserver

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/testpeer"
)

// TestNoCacheLikeOpenSSL: -no_cache, as openssl s_server 3.0 keeps no
// session cache: a TLS 1.2 client without tickets gets an empty session
// ID and is never resumed (nor counted a miss), one with tickets
// still is; TLS 1.3 stateless tickets resume, -no_ticket's stateful ones
// do not, nor those under anti-replay (a miss each); no
// item is ever in the cache, and the cache size line shows OpenSSL's
// default, 20480. A session is saved, then offered twice to a -www
// server; the second page's New/Reused line and counters are compared
// with openssl s_server's.
func TestNoCacheLikeOpenSSL(t *testing.T) {
	needTool(t, "openssl")
	dir := t.TempDir()
	ec, eck := writeCert(t, dir, "ec", "localhost", false)
	lines := regexp.MustCompile(`(?m)^(New|Reused), .*\n|^ +\d+ (items in the session cache|session cache (hits|misses)|cache full overflows .*)\n`)
	for _, tc := range []struct {
		name           string
		server, client []string
		want           string // in openssl's lines
		// reconnect: openssl s_client -reconnect instead of a saved
		// session (which an empty session ID and no ticket do not give).
		reconnect bool
	}{
		{"tls12-session-id", nil, []string{"-tls1_2", "-no_ticket"}, "   0 session cache hits", true},
		{"tls12-ticket", nil, []string{"-tls1_2"}, "Reused, TLSv1.2", false},
		{"tls13", nil, nil, "Reused, TLSv1.3", false},
		{"tls13-stateful", []string{"-no_ticket"}, nil, "   2 session cache misses", false},
		{"tls13-anti-replay", []string{"-max_early_data", "100"}, nil, "   2 session cache misses", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"-cert", ec, "-key", eck, "-naccept", "3", "-www", "-no_cache"}, tc.server...)
			if tc.reconnect {
				args[5] = "7"
			}
			page := func(addr string) string {
				if tc.reconnect {
					out := opensslClientUntil(t, addr, "", func(string) bool { return true }, append([]string{"-reconnect"}, tc.client...)...)
					if n := strings.Count(out, "New, TLSv1.2,"); n != 6 || strings.Count(out, "    Session-ID: \n") != 6 {
						t.Fatalf("want six New with an empty Session-ID, got %d New:\n%s", n, out)
					}
					return strings.Join(lines.FindAllString(pageGet(t, addr, "/", tc.client...), -1), "")
				}
				sess := filepath.Join(t.TempDir(), "sess.pem")
				opensslSessionOut(t, addr, sess, tc.client...)
				pageGet(t, addr, "/", append([]string{"-sess_in", sess}, tc.client...)...)
				return strings.Join(lines.FindAllString(pageGet(t, addr, "/", append([]string{"-sess_in", sess}, tc.client...)...), -1), "")
			}
			srv := testpeer.OpenSSLServerIn(t, dir, args...)
			want := page(srv.Addr)
			srv.Wait(t, 20*time.Second)
			ts := startServer(t, dir, args...)
			got := page(ts.addr)
			ts.wait(10 * time.Second)
			if !strings.Contains(want, tc.want) || !strings.Contains(want, "(20480 allowed)") || !strings.Contains(want, "   0 items in the session cache") {
				t.Fatalf("openssl's lines (want %q):\n%s", tc.want, want)
			}
			if got != want {
				t.Errorf("lines\n%s, openssl's\n%s", got, want)
			}
		})
	}
}
