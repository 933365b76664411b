package sserver

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/testpeer"
)

// quitTail is what a server wrote to its one output (stdout and stderr
// together) from the last "DONE" on, the statistics' counts left out.
func quitTail(out string) string {
	i := strings.LastIndex(out, "DONE\n")
	if i < 0 {
		return ""
	}
	var b strings.Builder
	for _, l := range strings.SplitAfter(out[i:], "\n") {
		if !strings.HasPrefix(l, "   ") {
			b.WriteString(l)
		}
	}
	return b.String()
}

// TestQuitOrderLikeOpenSSL: when Q or the end of its input stops the
// server, openssl 3.0's s_server writing to a pipe or a file prints
// "shutdown accept socket" on stderr before "shutting down SSL",
// "CONNECTION CLOSED" and the statistics, which wait in its stdout
// buffer until it exits (measured with strace). Each server writes
// stdout and stderr to one file (openssl) or one buffer (tlskit); one Go
// client connects, and Q is typed or the input closed.
func TestQuitOrderLikeOpenSSL(t *testing.T) {
	openssl := testpeer.Need(t, "openssl")
	pki := testpeer.NewPKI(t)
	args := []string{"-accept", "127.0.0.1:0", "-cert", pki.Server, "-key", pki.ServerKey}
	for _, quit := range []string{"Q", "eof"} {
		// openssl's, with one file for both streams.
		outFile := filepath.Join(t.TempDir(), "out")
		f, err := os.Create(outFile)
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(openssl, append([]string{"s_server"}, args...)...)
		cmd.Stdout, cmd.Stderr = f, f
		in, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan struct{})
		go func() { cmd.Wait(); close(exited) }()
		t.Cleanup(func() {
			select {
			case <-exited:
			default:
				cmd.Process.Kill()
				<-exited
			}
			f.Close()
		})
		theirOut := func() string { b, _ := os.ReadFile(outFile); return string(b) }
		testpeer.WaitOutput(t, theirOut, "ACCEPT", 10*time.Second)
		addr := acceptAddr(t, theirOut())
		quitRun(t, addr, theirOut, func() {
			if quit == "Q" {
				io.WriteString(in, "Q\n")
			} else {
				in.Close()
			}
		})
		select {
		case <-exited:
		case <-time.After(20 * time.Second):
			t.Fatalf("%s: openssl s_server did not stop", quit)
		}
		theirs := quitTail(theirOut())

		// tlskit's, in process, with one buffer for both streams.
		var both syncBuffer
		ts := startServerTo(t, "", &both, &both, args[2:]...) // startServerTo adds -accept
		quitRun(t, ts.addr, both.String, func() {
			if quit == "Q" {
				io.WriteString(ts.stdin, "Q\n")
			} else {
				ts.stdin.Close()
			}
		})
		ts.wait(20 * time.Second)
		ours := quitTail(both.String())
		if !strings.HasPrefix(theirs, "DONE\nshutdown accept socket\nshutting down SSL\n") {
			t.Errorf("%s: openssl s_server (the measurement changed?):\n%s", quit, theirs)
		}
		if ours != theirs {
			t.Errorf("%s: output differs from openssl s_server's:\n%s", quit, testpeer.LineDiff(ours, theirs))
		}
	}
}

// quitRun connects a client to addr, waits for the server's report of the
// handshake, stops the server with stop and returns once the client saw
// the connection end.
func quitRun(t *testing.T, addr string, out func() string, stop func()) {
	t.Helper()
	c, err := goClient(addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	testpeer.WaitOutput(t, out, "CIPHER is", 10*time.Second)
	stop()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	io.Copy(io.Discard, c)
}

// acceptAddr is the 127.0.0.1 address of an "ACCEPT 127.0.0.1:PORT"
// line.
func acceptAddr(t *testing.T, out string) string {
	t.Helper()
	for _, l := range strings.Split(out, "\n") {
		if a, ok := strings.CutPrefix(l, "ACCEPT "); ok {
			return a
		}
	}
	t.Fatalf("no ACCEPT line:\n%s", out)
	return ""
}
