package sserver

import (
	"io"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/testpeer"
)

// TestStdinRawReads: s_server sends stdin to the client a read at a time,
// byte for byte, and finds its connected commands where openssl 3.0's
// s_server does (each case was run against openssl s_server with its
// stdin a pipe): q, Q, P and S as the read's first byte (P and S still
// send the read), r, R, k, K and c only when a CR or LF follows at once.
// Each write to the pipe is one read.
func TestStdinRawReads(t *testing.T) {
	ts := startServer(t, t.TempDir())
	c, err := goClient(ts.addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(20 * time.Second))
	expect := func(want string) {
		t.Helper()
		got := make([]byte, len(want))
		if _, err := io.ReadFull(c, got); err != nil || string(got) != want {
			t.Fatalf("client read %q, %v; want %q\nserver stdout:\n%s", got, err, want, ts.out)
		}
	}
	send := func(s string) { io.WriteString(ts.stdin, s) }

	send("no newline")
	expect("no newline")
	send("\x00bin\xff\n\x00")
	expect("\x00bin\xff\n\x00")
	send("rfoo\n") // r not followed by a newline: data
	expect("rfoo\n")
	send("r\n") // TLS 1.3: SSL_renegotiate fails quietly
	testpeer.WaitOutput(t, ts.out.String, "SSL_do_handshake -> 1\n", 5*time.Second)
	send("Sent with stats")
	expect("Sent with stats")
	testpeer.WaitOutput(t, ts.out.String, "server accepts that finished", 5*time.Second)
	send("x then Q\n") // Q past the first byte: data
	expect("x then Q\n")
	send("qfoo")
	testpeer.WaitOutput(t, ts.out.String, "DONE\n", 5*time.Second)
	if b, err := io.ReadAll(c); len(b) != 0 {
		t.Errorf("after q the client read %q, %v", b, err)
	}
	// The closing lines follow DONE (openssl prints them once its stdout
	// is flushed).
	testpeer.WaitOutput(t, ts.out.String, "DONE\nshutting down SSL\nCONNECTION CLOSED\n", 5*time.Second)
}
