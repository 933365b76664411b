package sclient

import (
	"regexp"
	"strings"
	"testing"

	"github.com/tlskit/tlskit/internal/testpeer"
)

// TestNBIOLineLikeOpenSSL: openssl s_client 3.0 -nbio prints "Turned on
// non blocking io" on stdout after each CONNECTED line (six with
// -reconnect); tlskit's I/O is unchanged, the lines are openssl's. Both
// clients' lines are compared.
func TestNBIOLineLikeOpenSSL(t *testing.T) {
	p := testpeer.NewPKI(t)
	srv := testpeer.OpenSSLServer(t, "-cert", p.Server, "-key", p.ServerKey)
	keep := regexp.MustCompile(`^Turned on non blocking io`)
	after := regexp.MustCompile(`(?m)^CONNECTED\([0-9A-F]{8}\)\nTurned on non blocking io\n`)
	for _, args := range [][]string{{"-nbio"}, {"-nbio", "-reconnect"}} {
		t.Run(strings.Join(args, ""), func(t *testing.T) {
			out := compareWithOpenSSL(t, srv.Addr, keep, append([]string{"-CAfile", p.CA}, args...)...)
			want := 1
			if len(args) > 1 {
				want = 6
			}
			if n := len(after.FindAllString(out, -1)); n != want || strings.Count(out, "Turned on") != want {
				t.Errorf("%d lines after CONNECTED, want %d:\n%s", n, want, out)
			}
		})
	}
}
