package sserver

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/testpeer"
)

// pageGet has openssl s_client send one GET for path to addr and returns
// what came back, from its "HTTP/" on (s_client's own lines before it
// left out).
func pageGet(t *testing.T, addr, path string, args ...string) string {
	t.Helper()
	out := opensslClientUntil(t, addr, "GET "+path+" HTTP/1.0\r\n\r\n", nil, append([]string{"-quiet", "-ign_eof"}, args...)...)
	if i := strings.Index(out, "HTTP/"); i >= 0 {
		return out[i:]
	}
	t.Fatalf("no HTTP answer:\n%s", out)
	return ""
}

// TestStatsOnlyWithWWW: "GET /stats" is the status page under -WWW, and
// under -HTTP a file named stats like any other, as openssl s_server
// 3.0 answers (tlskit sent the status page under -HTTP too). Each answer's
// head is compared with openssl's, and -HTTP's whole answer.
func TestStatsOnlyWithWWW(t *testing.T) {
	needTool(t, "openssl")
	dir := t.TempDir()
	ec, eck := writeCert(t, dir, "ec", "localhost", false)
	const file = "HTTP/1.0 200 ok\r\nContent-type: text/plain\r\n\r\nthe stats file\n"
	if err := os.WriteFile(filepath.Join(dir, "stats"), []byte(file), 0o644); err != nil {
		t.Fatal(err)
	}
	head := func(page string) string {
		l := strings.SplitN(page, "\n", 3)
		return strings.Join(l[:min(2, len(l))], "\n")
	}
	for _, mode := range []string{"-WWW", "-HTTP"} {
		t.Run(mode, func(t *testing.T) {
			args := []string{"-cert", ec, "-key", eck, "-naccept", "1", mode}
			srv := testpeer.OpenSSLServerIn(t, dir, args...)
			want := pageGet(t, srv.Addr, "/stats")
			srv.Wait(t, 20*time.Second)
			ts := startServer(t, dir, args...)
			got := pageGet(t, ts.addr, "/stats")
			ts.wait(10 * time.Second)
			if head(got) != head(want) {
				t.Errorf("answer begins\n%q\nopenssl's\n%q", head(got), head(want))
			}
			if mode == "-HTTP" && (got != want || got != file) {
				t.Errorf("-HTTP answer %q, openssl's %q, want the file", got, want)
			}
			if mode == "-WWW" && !strings.Contains(got, "</pre></BODY></HTML>") {
				t.Errorf("-WWW: no status page:\n%s", got)
			}
		})
	}
}
