package sserver

import (
	"os"
	"path/filepath"
	"testing"
)

// TestSendfileWarningLikeOpenSSL: openssl s_server 3.0 -sendfile, with no
// kernel TLS, says "Warning: sendfile requested but KTLS is not
// available" on stderr for each file it serves under -WWW or -HTTP (after
// its FILE line; under -quiet alone, measured by hand), and nothing for a
// missing file;
// tlskit, which never uses kernel TLS, now says the same. Both servers'
// stderr is compared.
func TestSendfileWarningLikeOpenSSL(t *testing.T) {
	needTool(t, "openssl")
	dir := t.TempDir()
	ec, eck := writeCert(t, dir, "ec", "localhost", false)
	if err := os.WriteFile(filepath.Join(dir, "f.txt"), []byte("hello\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, mode := range []string{"-WWW", "-HTTP"} {
		t.Run(mode, func(t *testing.T) {
			args := []string{"-cert", ec, "-key", eck, "-naccept", "2", "-sendfile", mode}
			drive := func(addr string, _ func() string) {
				for _, path := range []string{"/f.txt", "/missing.txt"} {
					opensslClientUntil(t, addr, "GET "+path+" HTTP/1.0\r\n\r\n", nil, "-quiet", "-ign_eof")
				}
			}
			_, gotErr, _, wantErr := bothServers(t, dir, args, drive)
			if got, want := normalizeErrLines(gotErr), normalizeErrLines(wantErr); got != want || want != "FILE:f.txt\nWarning: sendfile requested but KTLS is not available\n" {
				t.Errorf("stderr:\n%s\nopenssl's:\n%s", got, want)
			}
		})
	}
}
