package sclient

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/testpeer"
)

// TestStdinReadSizeLikeOpenSSL: s_client reads piped input 8 KiB at a
// time, one 8192-byte record per read, as openssl s_client 3.0 does
// (its -debug shows 8214-byte TLS 1.3 writes, where s_server's are
// 16406): 40000 bytes go out as four full records and a short one.
func TestStdinReadSizeLikeOpenSSL(t *testing.T) {
	pki := testpeer.NewPKI(t)
	openssl := testpeer.Need(t, "openssl")
	input := strings.Repeat("a", 40000)
	writes := regexp.MustCompile(`(?m)^write to 0x[0-9a-f]+ \[0x[0-9a-f]+\] \((\d+) bytes => `)
	sizes := func(out string) []string {
		var s []string
		for _, m := range writes.FindAllStringSubmatch(out, -1) {
			s = append(s, m[1])
		}
		return s
	}
	// The last two writes are the short record and the close_notify.
	want := "8214 8214 8214 8214 7254 24"
	srv := testpeer.OpenSSLServer(t, "-cert", pki.ECServer, "-key", pki.ECServerKey, "-tls1_3")
	out, errOut, code := testpeer.Run(t, 20*time.Second, input, openssl, "s_client", "-connect", srv.Addr, "-debug", "-no_ign_eof")
	s := sizes(out)
	if code != 0 || len(s) < 6 || strings.Join(s[len(s)-6:], " ") != want {
		t.Fatalf("openssl s_client: exit %d, writes %v, want the last six %s\n%s", code, s, want, errOut)
	}
	srv2 := testpeer.OpenSSLServer(t, "-cert", pki.ECServer, "-key", pki.ECServerKey, "-tls1_3")
	out, errOut, code = runClient(t, input, "-connect", srv2.Addr, "-debug", "-no_ign_eof")
	s = sizes(out)
	if code != 0 || len(s) < 6 || strings.Join(s[len(s)-6:], " ") != want {
		t.Fatalf("tlskit s_client: exit %d, writes %v, want the last six %s\n%s", code, s, want, errOut)
	}
}
