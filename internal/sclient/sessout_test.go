package sclient

import (
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/stdio"
	"github.com/tlskit/tlskit/internal/testpeer"
)

// TestSessOutUnwritableLikeOpenSSL gives -sess_out a path that cannot be
// written (in a missing directory, or a directory) and compares tlskit's
// s_client with openssl's against openssl s_server: stderr, the exit
// code, and stdout's ticket and end lines. openssl 3.0 says "Error
// writing session file" once; at TLS 1.3 the read that took the ticket
// then fails with the write's errno ("read:errno=2", exit 2; 21 for a
// directory) and the session ends there; at TLS 1.2 it carries on, but
// the server's close_notify is then "read:errno=0" instead of "closed".
func TestSessOutUnwritableLikeOpenSSL(t *testing.T) {
	testpeer.Need(t, "openssl")
	pki := testpeer.NewPKI(t)
	srv := testpeer.OpenSSLServer(t, "-cert", pki.Server, "-key", pki.ServerKey)
	www := testpeer.OpenSSLServer(t, "-cert", pki.Server, "-key", pki.ServerKey, "-www")
	missing := filepath.Join(t.TempDir(), "nodir", "sess.pem")
	dir := t.TempDir()
	const get = "GET / HTTP/1.0\r\n\r\n"
	for _, tc := range []struct {
		name  string
		addr  string
		stdin string // "": stdin ends once the tickets are in
		args  []string
	}{
		{"tls1_3", srv.Addr, "", []string{"-tls1_3", "-sess_out", missing}},
		{"tls1_3-reconnect", srv.Addr, "", []string{"-tls1_3", "-reconnect", "-sess_out", missing}},
		{"tls1_3-directory", srv.Addr, "", []string{"-tls1_3", "-sess_out", dir}},
		{"tls1_2", srv.Addr, "", []string{"-tls1_2", "-sess_out", missing}},
		{"tls1_2-reconnect", srv.Addr, "", []string{"-tls1_2", "-reconnect", "-sess_out", missing}},
		{"tls1_2-www", www.Addr, get, []string{"-tls1_2", "-ign_eof", "-sess_out", missing}},
		{"tls1_3-www", www.Addr, get, []string{"-tls1_3", "-ign_eof", "-sess_out", missing}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"-connect", tc.addr}, tc.args...)
			var oOut, oErr string
			var oCode int
			if tc.stdin == "" {
				// Held open a second, so that the tickets arrive first.
				oOut, oErr, oCode = opensslHeld(t, time.Second, args...)
			} else {
				oOut, oErr, oCode = testpeer.Run(t, 20*time.Second, tc.stdin, "openssl", append([]string{"s_client"}, args...)...)
			}
			var tOut, tErr string
			var tCode int
			if tc.stdin == "" {
				tOut, tErr, tCode = runClientHeld(t, time.Second, args...)
			} else {
				tOut, tErr, tCode = runClient(t, tc.stdin, args...)
			}
			if !strings.Contains(oErr, "Error writing session file") {
				t.Fatalf("openssl wrote the session:\n%s", oErr)
			}
			if tCode != oCode {
				t.Errorf("exit code %d, openssl's %d", tCode, oCode)
			}
			if tErr != oErr {
				t.Errorf("stderr:\n%s\nopenssl's:\n%s", tErr, oErr)
			}
			count := func(out string) [3]int {
				return [3]int{
					strings.Count(out, "Post-Handshake New Session Ticket arrived:"),
					strings.Count(out, "\nread R BLOCK\n"),
					strings.Count(out, "\nclosed\n"),
				}
			}
			if a, b := count(tOut), count(oOut); a != b {
				t.Errorf("stdout's tickets, read R BLOCK and closed lines: %v, openssl's %v\n%s", a, b, tOut)
			}
		})
	}
}

// runClientHeld runs s_client in-process with a stdin that ends after
// hold, as opensslHeld does for openssl: the server's tickets arrive
// before it ends, however slow the machine, as long as hold allows.
func runClientHeld(t *testing.T, hold time.Duration, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	r, w := io.Pipe()
	timer := time.AfterFunc(hold, func() { w.Close() })
	defer timer.Stop()
	defer w.Close()
	var o, e testpeer.Buffer
	done := make(chan int, 1)
	go func() { done <- Main(args, stdio.Stdio{In: r, Out: &o, Err: &e}) }()
	select {
	case code = <-done:
	case <-time.After(hold + 30*time.Second):
		t.Fatalf("s_client %s: did not finish\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), o.String(), e.String())
	}
	return o.String(), e.String(), code
}

// TestSessOutUnwritableThenDropped: after a failed -sess_out write at TLS
// 1.2, a server that drops the connection without close_notify (s_server's
// q) ends openssl 3.0 s_client with "read:errno=0" and exit 0, not the
// unexpected EOF's error line and exit 1: the write's system error is
// still first in its error queue. tlskit's does the same.
func TestSessOutUnwritableThenDropped(t *testing.T) {
	testpeer.Need(t, "openssl")
	pki := testpeer.NewPKI(t)
	srv := testpeer.OpenSSLServer(t, "-cert", pki.Server, "-key", pki.ServerKey)
	args := []string{"-connect", srv.Addr, "-tls1_2", "-sess_out", filepath.Join(t.TempDir(), "nodir", "s.pem")}
	type result struct {
		out, errs string
		code      int
	}
	// dropped runs a client, waits for the server to have taken its
	// handshake (the n-th), then has the server drop the connection.
	dropped := func(n int, client func() result) result {
		done := make(chan result, 1)
		go func() { done <- client() }()
		testpeer.WaitOutputCount(t, srv.Output, "CIPHER is", n, 20*time.Second)
		srv.SendRead(t, "q\n", 10*time.Second)
		select {
		case r := <-done:
			return r
		case <-time.After(40 * time.Second):
			t.Fatal("the client did not end")
			return result{}
		}
	}
	o := dropped(1, func() result {
		out, errs, code := opensslHeld(t, 20*time.Second, args...)
		return result{out, errs, code}
	})
	tl := dropped(2, func() result {
		out, errs, code := runClientHeld(t, 20*time.Second, args...)
		return result{out, errs, code}
	})
	if !strings.Contains(o.errs, "read:errno=0") {
		t.Fatalf("openssl did not report the dropped connection as read:errno=0:\n%s", o.errs)
	}
	if tl.code != o.code {
		t.Errorf("exit code %d, openssl's %d", tl.code, o.code)
	}
	if tl.errs != o.errs {
		t.Errorf("stderr:\n%s\nopenssl's:\n%s", tl.errs, o.errs)
	}
}
