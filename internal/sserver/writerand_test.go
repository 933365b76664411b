package sserver

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/testpeer"
)

// TestWriteRandLikeOpenSSL: openssl s_server 3.0 -writerand writes 1024
// random bytes as it ends, after serving (-naccept 1) and after a
// start-up error alike (measured); tlskit's server wrote nothing.
func TestWriteRandLikeOpenSSL(t *testing.T) {
	needTool(t, "openssl")
	dir := t.TempDir()
	ec, eck := writeCert(t, dir, "ec", "localhost", false)
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"served", []string{"-cert", ec, "-key", eck, "-naccept", "1"}},
		{"start-up-error", []string{"-cert", filepath.Join(dir, "missing.pem"), "-key", eck}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			size := func(path string) int64 {
				st, err := os.Stat(path)
				if err != nil {
					return -1
				}
				return st.Size()
			}
			theirs, ours := filepath.Join(dir, tc.name+"-openssl.rnd"), filepath.Join(dir, tc.name+"-tlskit.rnd")
			if tc.name == "served" {
				srv := testpeer.OpenSSLServerIn(t, dir, append(tc.args, "-writerand", theirs)...)
				opensslClientUntil(t, srv.Addr, "", func(string) bool { return true })
				srv.Wait(t, 20*time.Second)
				ts := startServer(t, dir, append(tc.args, "-writerand", ours)...)
				opensslClientUntil(t, ts.addr, "", func(string) bool { return true })
				ts.wait(10 * time.Second)
			} else {
				if _, _, code := testpeer.Run(t, 20*time.Second, "", "openssl", append([]string{"s_server", "-accept", "127.0.0.1:0"}, append(tc.args, "-writerand", theirs)...)...); code != 1 {
					t.Fatalf("openssl exit %d", code)
				}
				var errb strings.Builder
				if code := Main(append(tc.args, "-writerand", ours), stdioFor(&errb)); code != 1 {
					t.Fatalf("tlskit exit %d\n%s", code, errb.String())
				}
			}
			if want, got := size(theirs), size(ours); want != 1024 || got != want {
				t.Errorf("-writerand file: %d bytes, openssl's %d", got, want)
			}
		})
	}
}
