package sserver

import (
	"strings"
	"testing"
)

// TestNBIOLineLikeOpenSSL: openssl s_server 3.0 -nbio prints "Turned on
// non blocking io" on stderr for each connection it accepts (-www too);
// tlskit's I/O is unchanged, the line is openssl's. Both servers' stderr
// is compared after two connections.
func TestNBIOLineLikeOpenSSL(t *testing.T) {
	needTool(t, "openssl")
	dir := t.TempDir()
	ec, eck := writeCert(t, dir, "ec", "localhost", false)
	for _, mode := range []string{"interactive", "-www"} {
		t.Run(mode, func(t *testing.T) {
			args := []string{"-cert", ec, "-key", eck, "-naccept", "2", "-nbio"}
			drive := func(addr string, out func() string) {
				for range 2 {
					if mode == "-www" {
						pageGet(t, addr, "/")
					} else {
						opensslClientUntil(t, addr, "hello\n", printed(out, "hello\n"))
					}
				}
			}
			if mode == "-www" {
				args = append(args, mode)
			}
			_, gotErr, _, wantErr := bothServers(t, dir, args, drive)
			if strings.Count(wantErr, "Turned on non blocking io\n") != 2 {
				t.Fatalf("openssl's stderr:\n%s", wantErr)
			}
			if got, want := normalizeErrLines(gotErr), normalizeErrLines(wantErr); got != want {
				t.Errorf("stderr:\n%s\nopenssl's:\n%s", got, want)
			}
		})
	}
}
