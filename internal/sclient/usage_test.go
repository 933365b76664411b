package sclient

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/testpeer"
)

// errLine matches the parts of an OpenSSL error line that differ between
// openssl and tlskit by design: the thread id, the source file and line.
var errLine = regexp.MustCompile(`(?m)^[0-9A-F]+:error:([0-9A-F]{8}:[^:]*:[^:]*:[^:]*):[^:]*:\d+:`)

func normalizeErrLines(s string) string { return errLine.ReplaceAllString(s, "T:error:$1:F:L:") }

// TestUsageErrorsAsOpenSSL runs command lines whose options do not go
// together through openssl s_client and tlskit's, and compares stderr
// (error lines normalised), stdout and the exit code. None of them may
// connect: the address is a closed port.
func TestUsageErrorsAsOpenSSL(t *testing.T) {
	real := testpeer.Need(t, "openssl")
	closed := "127.0.0.1:" + testpeer.ClosedPort(t)
	for _, args := range [][]string{
		{"-proxy", "127.0.0.1:3128"},
		{"-proxy", "127.0.0.1:3128", "-port", "443"},
		{"-servername", "foo", "-noservername", "-connect", closed},
		{"-dane_tlsa_domain", "foo", "-noservername", "-connect", closed},
		{"-noservername", "-dane_tlsa_domain", "foo", "-connect", closed},
		{"-tls1_2", "-tls1_3", "-connect", closed},
		{"-servername", "", "-connect", closed},
		{"-connect", "::1:443"},
		{"-connect", "::1"},
		{"-connect", "[::1"},
		{"fe80::1:2"},
		{"-proxy", "a:b:c", "-connect", closed},
		{"-4", "-6", "-connect", closed},
		// A proxy that cannot be reached fails like a direct connect.
		{"-proxy", closed, "-connect", "example.com:443"},
	} {
		name := strings.Join(args, " ")
		t.Run(name, func(t *testing.T) {
			wo, we, wc := testpeer.Run(t, 20*time.Second, "", real, append([]string{"s_client"}, args...)...)
			o, e, c := runClient(t, "", args...)
			if c != wc || o != wo || normalizeErrLines(e) != normalizeErrLines(we) {
				t.Errorf("tlskit: exit %d\nstdout: %q\nstderr:\n%s\nopenssl: exit %d\nstdout: %q\nstderr:\n%s", c, o, e, wc, wo, we)
			}
		})
	}
}
