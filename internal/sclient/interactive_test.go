package sclient

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/stdio"
	"github.com/tlskit/tlskit/internal/testpeer"
)

// reads is a stdin whose every Read returns the next chunk whole, then
// EOF: the read boundaries a pipe gives when its writer pauses, without
// the timing. openssl's connected commands depend on them.
type reads struct{ chunks []string }

func (r *reads) Read(p []byte) (int, error) {
	if len(r.chunks) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.chunks[0])
	if n < len(r.chunks[0]) {
		r.chunks[0] = r.chunks[0][n:]
	} else {
		r.chunks = r.chunks[1:]
	}
	return n, nil
}

// runClientReads runs s_client in-process with stdin read as chunks.
func runClientReads(t *testing.T, chunks []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var o, e testpeer.Buffer
	done := make(chan int, 1)
	go func() { done <- Main(args, stdio.Stdio{In: &reads{chunks}, Out: &o, Err: &e}) }()
	select {
	case code = <-done:
	case <-time.After(30 * time.Second):
		t.Fatalf("s_client %s: did not finish in 30s\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), o.String(), e.String())
	}
	return o.String(), e.String(), code
}

// TestRawStdin: stdin goes to the server a read at a time, byte for
// byte, and the connected commands are the first byte of a read, as
// openssl 3.0's s_client does (each case was run with openssl, its stdin
// a pipe written with pauses between the chunks).
func TestRawStdin(t *testing.T) {
	pki := testpeer.NewPKI(t)
	for _, tc := range []struct {
		name    string
		chunks  []string
		args    []string
		stderr  []string // regexps
		sees    []string // what the server prints, in full
		notSees []string
	}{
		{name: "no newline, binary", chunks: []string{"abc", "\x00\x01bin\xfe\n\x00"}, sees: []string{"abc\x00\x01bin\xfe\n\x00"}},
		{name: "Q first", chunks: []string{"Q\nnot sent\n"}, stderr: []string{`(?m)^DONE$`}, notSees: []string{"not sent"}},
		{name: "Q later in the read is data", chunks: []string{"abc\nQ\nsent too\n"}, sees: []string{"abc\nQ\nsent too\n"}},
		{name: "Q in a later read", chunks: []string{"first\n", "Qdropped"}, sees: []string{"first\n"}, notSees: []string{"dropped"}},
		{name: "R drops its read", chunks: []string{"R\nfoo-R\n", "after R\n"}, args: []string{"-tls1_2"},
			stderr: []string{`(?m)^RENEGOTIATING$`}, sees: []string{"after R\n"}, notSees: []string{"foo-R"}},
		{name: "K without newline", chunks: []string{"Kfoo-K", "after K\n"},
			stderr: []string{`(?m)^KEYUPDATE$`}, sees: []string{"after K\n"}, notSees: []string{"foo-K"}},
		{name: "k", chunks: []string{"k\n", "after k\n"}, stderr: []string{`(?m)^KEYUPDATE$`}, sees: []string{"after k\n"}},
		{name: "nocommands", chunks: []string{"Q from nocommands\n", "R too\n"}, args: []string{"-nocommands"},
			sees: []string{"Q from nocommands\nR too\n"}},
		// -crlf turns every LF into CR LF, even one after a CR.
		{name: "crlf", chunks: []string{"a\nb\r\nc"}, args: []string{"-crlf"}, sees: []string{"a\r\nb\r\r\nc"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := testpeer.OpenSSLServer(t, "-cert", pki.Server, "-key", pki.ServerKey)
			out, errs, code := runClientReads(t, tc.chunks, append([]string{"-connect", srv.Addr}, tc.args...)...)
			if code != 0 {
				t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errs)
			}
			mustMatch(t, "stderr", errs, tc.stderr...)
			for _, w := range tc.sees {
				waitOutput(t, srv, w)
			}
			// The server prints DONE when the session ends: all sent by then.
			waitOutput(t, srv, "DONE")
			for _, w := range tc.notSees {
				if strings.Contains(srv.Output(), w) {
					t.Errorf("the server got %q:\n%s", w, srv.Output())
				}
			}
		})
	}
}

// TestStdinNotLineBuffered: bytes without a newline reach the server
// while stdin stays open, with nothing more to come.
func TestStdinNotLineBuffered(t *testing.T) {
	pki := testpeer.NewPKI(t)
	srv := testpeer.OpenSSLServer(t, "-cert", pki.Server, "-key", pki.ServerKey)
	pr, pw := io.Pipe()
	var o, e testpeer.Buffer
	done := make(chan int, 1)
	go func() { done <- Main([]string{"-connect", srv.Addr}, stdio.Stdio{In: pr, Out: &o, Err: &e}) }()
	go pw.Write([]byte("no newline\x00here"))
	waitOutput(t, srv, "no newline\x00here")
	pw.Close()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit %d\n%s\n%s", code, o.String(), e.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("s_client did not end at the end of its input")
	}
}
