package sserver

import (
	"bufio"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestSignalLikeOpenSSL stops openssl s_server and tlskit's with SIGTERM
// and SIGINT while a client is connected, and compares what follows: the
// exit code, nothing more on stdout or stderr after the client's data,
// and a client that gets no close_notify (the TCP connection just ends).
func TestSignalLikeOpenSSL(t *testing.T) {
	needTool(t, "openssl")
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "s_server") // TestMain runs Main under this name
	if err := os.Symlink(self, bin); err != nil {
		t.Fatal(err)
	}
	ec, eck := writeCert(t, dir, "ec", "localhost", false)
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			type result struct {
				code           int
				stdout, stderr string
				clientErr      string
			}
			run := func(prog []string) result {
				args := append(prog[1:], "-accept", "127.0.0.1:0", "-cert", ec, "-key", eck)
				cmd := exec.Command(prog[0], args...)
				cmd.Dir = dir
				stdin, err := cmd.StdinPipe() // held open: the server reads it
				if err != nil {
					t.Fatal(err)
				}
				defer stdin.Close()
				stdout, err := cmd.StdoutPipe()
				if err != nil {
					t.Fatal(err)
				}
				var stderr syncBuffer
				cmd.Stderr = &stderr
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				kill := time.AfterFunc(20*time.Second, func() { cmd.Process.Kill() })
				defer kill.Stop()
				lines := make(chan string, 100)
				go func() {
					defer close(lines)
					sc := bufio.NewScanner(stdout)
					sc.Buffer(make([]byte, 64*1024), 1024*1024)
					for sc.Scan() {
						lines <- sc.Text()
					}
				}()
				next := func() string {
					select {
					case l, ok := <-lines:
						if !ok {
							t.Fatalf("%s: stdout ended early; stderr:\n%s", prog[0], stderr.String())
						}
						return l
					case <-time.After(10 * time.Second):
						t.Fatalf("%s: no output line within 10s", prog[0])
					}
					return ""
				}
				var addr string
				for addr == "" {
					if l := next(); strings.HasPrefix(l, "ACCEPT ") {
						addr = "127.0.0.1:" + l[strings.LastIndex(l, ":")+1:]
					}
				}
				raw, err := net.DialTimeout("tcp", addr, 5*time.Second)
				if err != nil {
					t.Fatal(err)
				}
				rec := &recordingConn{Conn: raw}
				// TLS 1.2: the alert records' type shows in their headers.
				c := tls.Client(rec, &tls.Config{InsecureSkipVerify: true, MaxVersion: tls.VersionTLS12})
				defer c.Close()
				if err := c.Handshake(); err != nil {
					t.Fatal(err)
				}
				handshake := rec.n()
				c.SetDeadline(time.Now().Add(15 * time.Second))
				if _, err := io.WriteString(c, "hello\n"); err != nil {
					t.Fatal(err)
				}
				for next() != "hello" {
				}
				cmd.Process.Signal(sig)
				var rest []string
				for l := range lines {
					rest = append(rest, l)
				}
				werr := cmd.Wait()
				r := result{stdout: strings.Join(rest, "\n"), stderr: stderr.String()}
				var ee *exec.ExitError
				if errors.As(werr, &ee) {
					r.code = ee.ExitCode()
					if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
						r.code = 128 + int(ws.Signal())
					}
				}
				c.Read(make([]byte, 1))
				// After the handshake the server sends nothing but, on
				// closing, an alert record (type 21).
				r.clientErr = "no close_notify"
				if after := rec.bytes()[handshake:]; len(after) > 0 && after[0] == 21 {
					r.clientErr = "close_notify"
				}
				return r
			}
			want := run([]string{"openssl", "s_server"})
			got := run([]string{bin})
			if want.code != 128+int(sig) {
				t.Errorf("openssl exit code %d, want %d", want.code, 128+int(sig))
			}
			if got != want {
				t.Errorf("differs from openssl s_server\n--- tlskit\n%+v\n--- openssl\n%+v", got, want)
			}
		})
	}
}

// recordingConn keeps every byte read from the connection.
type recordingConn struct {
	net.Conn
	mu  sync.Mutex
	got []byte
}

func (r *recordingConn) Read(p []byte) (int, error) {
	n, err := r.Conn.Read(p)
	r.mu.Lock()
	r.got = append(r.got, p[:n]...)
	r.mu.Unlock()
	return n, err
}

func (r *recordingConn) n() int { r.mu.Lock(); defer r.mu.Unlock(); return len(r.got) }

func (r *recordingConn) bytes() []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]byte(nil), r.got...)
}
