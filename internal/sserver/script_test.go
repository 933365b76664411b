package sserver

import (
	"bufio"
	"bytes"
	"encoding/pem"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestScripts runs testdata/*.txtar: s_server's command line, errors and,
// with the serve command, real clients against a running server.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata",
		Setup: func(e *testscript.Env) error {
			e.Values[serverKey] = &serverSlot{}
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"serve":     cmdServe,
			"stopserve": cmdStopServe,
			"nosession": cmdNoSession,
		},
	})
}

// cmdNoSession replaces in FILE each PEM "SSL SESSION PARAMETERS" block,
// which differs on every run, by the line "<SSL SESSION PARAMETERS>",
// after checking that it is one.
func cmdNoSession(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: nosession file")
	}
	path := ts.MkAbs(args[0])
	b, err := os.ReadFile(path)
	ts.Check(err)
	var out []byte
	for {
		i := bytes.Index(b, []byte("-----BEGIN SSL SESSION PARAMETERS-----\n"))
		if i < 0 {
			break
		}
		blk, rest := pem.Decode(b[i:])
		if blk == nil || blk.Type != "SSL SESSION PARAMETERS" {
			ts.Fatalf("%s: a session block that is not PEM", args[0])
		}
		out = append(append(out, b[:i]...), "<SSL SESSION PARAMETERS>\n"...)
		b = rest
	}
	ts.Check(os.WriteFile(path, append(out, b...), 0o644))
}

// scriptServer is the s_server a script started with serve.
type scriptServer struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	done  chan error
}

type serverSlot struct{ s *scriptServer }

const serverKey = "sserver.server"

// cmdServe starts "s_server -accept 127.0.0.1:0 ARGS…" in the script's
// directory, waits for its ACCEPT line and sets $ADDR and $PORT. Its stdout
// and stderr go to the files server.stdout and server.stderr; it is killed
// when the script ends.
func cmdServe(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! serve")
	}
	slot := ts.Value(serverKey).(*serverSlot)
	if slot.s != nil {
		ts.Fatalf("a server is already running")
	}
	path, err := exec.LookPath("s_server")
	if p := ts.Getenv("PATH"); p != "" {
		for _, d := range filepath.SplitList(p) {
			if _, e := os.Stat(filepath.Join(d, "s_server")); e == nil {
				path, err = filepath.Join(d, "s_server"), nil
				break
			}
		}
	}
	ts.Check(err)
	cmd := exec.Command(path, append([]string{"-accept", "127.0.0.1:0"}, args...)...)
	cmd.Dir = ts.MkAbs(".")
	// The script's temporary directory, so a generated certificate lands
	// in $WORK and goes with it.
	cmd.Env = append(os.Environ(), "TMPDIR="+ts.Getenv("TMPDIR"))
	stdin, err := cmd.StdinPipe()
	ts.Check(err)
	stdout, err := cmd.StdoutPipe()
	ts.Check(err)
	errf, err := os.Create(ts.MkAbs("server.stderr"))
	ts.Check(err)
	cmd.Stderr = errf
	outf, err := os.Create(ts.MkAbs("server.stdout"))
	ts.Check(err)
	ts.Check(cmd.Start())
	accept := make(chan string, 1)
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			outf.WriteString(line + "\n")
			if strings.HasPrefix(line, "ACCEPT") {
				select {
				case accept <- line:
				default:
				}
			}
		}
		outf.Close()
	}()
	s := &scriptServer{cmd: cmd, stdin: stdin, done: make(chan error, 1)}
	go func() {
		<-copied
		s.done <- cmd.Wait()
		errf.Close()
	}()
	ts.Defer(s.terminate)
	select {
	case line := <-accept:
		addr := strings.TrimSpace(strings.TrimPrefix(line, "ACCEPT"))
		_, port, err := net.SplitHostPort(addr)
		ts.Check(err)
		ts.Setenv("ADDR", addr)
		ts.Setenv("PORT", port)
	case <-time.After(10 * time.Second):
		ts.Fatalf("s_server printed no ACCEPT line within 10s")
	}
	slot.s = s
}

// terminate stops the server with SIGTERM, which lets it clean up, and
// kills it if it has not exited within 5s.
func (s *scriptServer) terminate() {
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-s.done:
		s.done <- err
	case <-time.After(5 * time.Second):
		s.cmd.Process.Kill()
		err := <-s.done
		s.done <- err
	}
}

// cmdStopServe closes the server's stdin and waits (at most 10s) for it to
// exit; "! stopserve" expects a non-zero exit code. "stopserve -kill" kills
// it instead, for the modes that do not read stdin (-www, -WWW, -HTTP, -rev
// without -naccept).
func cmdStopServe(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) == 1 && args[0] == "-kill" {
		s := ts.Value(serverKey).(*serverSlot).s
		if s == nil {
			ts.Fatalf("no server running")
		}
		s.terminate()
		return
	}
	s := ts.Value(serverKey).(*serverSlot).s
	if s == nil {
		ts.Fatalf("no server running")
	}
	s.stdin.Close()
	select {
	case err := <-s.done:
		s.done <- err
		if neg && err == nil {
			ts.Fatalf("s_server exited 0, want failure")
		}
		if !neg && err != nil {
			ts.Fatalf("s_server: %v", err)
		}
	case <-time.After(10 * time.Second):
		ts.Fatalf("s_server did not exit within 10s of stdin closing")
	}
}
