package sclient

import (
	"context"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"slices"
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
	openssl := testpeer.Need(t, "openssl")
	pki := testpeer.NewPKI(t)
	srv := testpeer.OpenSSLServer(t, "-cert", pki.Server, "-key", pki.ServerKey)
	www := testpeer.OpenSSLServer(t, "-cert", pki.Server, "-key", pki.ServerKey, "-www")
	missing := filepath.Join(t.TempDir(), "nodir", "sess.pem")
	dir := t.TempDir()
	const get = "GET / HTTP/1.0\r\n\r\n"
	for _, tc := range []struct {
		name  string
		addr  string
		stdin string // "": stdin ends once the failed write is reported
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
			var oOut, oErr, tOut, tErr string
			var oCode, tCode int
			if tc.stdin == "" {
				// stdin stays open until the failed write is reported
				// and every connection's handshake is printed (six with
				// -reconnect), then ends.
				want := 1
				if slices.Contains(tc.args, "-reconnect") {
					want = 6
				}
				ready := func(out, errs string) bool {
					return strings.Contains(errs, "Error writing session file") && strings.Count(out, "Cipher is ") >= want
				}
				var err error
				if oOut, oErr, oCode, err = opensslUntil(openssl, ready, 20*time.Second, args...); err != nil {
					t.Fatal(err)
				}
				if tOut, tErr, tCode, err = clientUntil(ready, 20*time.Second, args...); err != nil {
					t.Fatal(err)
				}
			} else {
				oOut, oErr, oCode = testpeer.Run(t, 20*time.Second, tc.stdin, "openssl", append([]string{"s_client"}, args...)...)
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

// opensslUntil runs openssl s_client with a stdin that ends once
// ready accepts what it printed so far (stdout, stderr), or stays open
// until it ends by itself if ready never does. It fails when the client
// has not ended within d (and kills it), and calls no testing.T method:
// tests call it from other goroutines.
func opensslUntil(openssl string, ready func(stdout, stderr string) bool, d time.Duration, args ...string) (string, string, int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	cmd := exec.CommandContext(ctx, openssl, append([]string{"s_client"}, args...)...)
	var o, e testpeer.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	in, err := cmd.StdinPipe()
	if err != nil {
		return "", "", 0, err
	}
	if err := cmd.Start(); err != nil {
		return "", "", 0, err
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	holdUntil(done, in, &o, &e, ready, nil) // the context kills it in time
	if ctx.Err() != nil {
		return o.String(), e.String(), 0, fmt.Errorf("openssl s_client %s: did not finish within %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), d, o.String(), e.String())
	}
	return o.String(), e.String(), cmd.ProcessState.ExitCode(), nil
}

// clientUntil is opensslUntil for tlskit's s_client, in-process.
func clientUntil(ready func(stdout, stderr string) bool, d time.Duration, args ...string) (string, string, int, error) {
	r, w := io.Pipe()
	defer w.Close()
	var o, e testpeer.Buffer
	code := make(chan int, 1)
	done := make(chan struct{})
	go func() { code <- Main(args, stdio.Stdio{In: r, Out: &o, Err: &e}); close(done) }()
	if holdUntil(done, w, &o, &e, ready, time.After(d)) {
		return o.String(), e.String(), <-code, nil
	}
	return o.String(), e.String(), 0, fmt.Errorf("s_client %s: did not finish within %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), d, o.String(), e.String())
}

// holdUntil polls a running client's output and closes its stdin once
// ready accepts it; it returns when the client has ended (done), true,
// or at timeout, false.
func holdUntil(done <-chan struct{}, stdin io.Closer, o, e *testpeer.Buffer, ready func(stdout, stderr string) bool, timeout <-chan time.Time) bool {
	held := true
	for {
		select {
		case <-done:
			return true
		case <-timeout:
			return false
		case <-time.After(5 * time.Millisecond): // polling the output, not a readiness guess
		}
		if held && ready(o.String(), e.String()) {
			stdin.Close()
			held = false
		}
	}
}

// TestSessOutUnwritableThenDropped: after a failed -sess_out write at TLS
// 1.2, a server that drops the connection without close_notify (s_server's
// q) ends openssl 3.0 s_client with "read:errno=0" and exit 0, not the
// unexpected EOF's error line and exit 1: the write's system error is
// still first in its error queue. tlskit's does the same.
func TestSessOutUnwritableThenDropped(t *testing.T) {
	openssl := testpeer.Need(t, "openssl")
	pki := testpeer.NewPKI(t)
	srv := testpeer.OpenSSLServer(t, "-cert", pki.Server, "-key", pki.ServerKey)
	args := []string{"-connect", srv.Addr, "-tls1_2", "-sess_out", filepath.Join(t.TempDir(), "nodir", "s.pem")}
	type result struct {
		out, errs string
		code      int
		err       error
	}
	never := func(string, string) bool { return false } // stdin open until the client ends
	// dropped runs a client, waits for the server to have taken its
	// handshake (the n-th), then has the server drop the connection.
	dropped := func(n int, client func() result) result {
		done := make(chan result, 1)
		go func() { done <- client() }()
		testpeer.WaitOutputCount(t, srv.Output, "CIPHER is", n, 20*time.Second)
		srv.SendRead(t, "q\n", 10*time.Second)
		r := <-done // the client's own bound ends it
		if r.err != nil {
			t.Fatal(r.err)
		}
		return r
	}
	o := dropped(1, func() result {
		out, errs, code, err := opensslUntil(openssl, never, 40*time.Second, args...)
		return result{out, errs, code, err}
	})
	tl := dropped(2, func() result {
		out, errs, code, err := clientUntil(never, 40*time.Second, args...)
		return result{out, errs, code, err}
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
