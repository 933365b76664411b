package testpeer

import (
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// recorder is a testing.TB that records how Need ended the test.
type recorder struct {
	testing.TB
	fatal, skip string
}

func (r *recorder) Helper()                        {}
func (r *recorder) Fatalf(format string, a ...any) { r.fatal = fmt.Sprintf(format, a...) }
func (r *recorder) Skipf(format string, a ...any)  { r.skip = fmt.Sprintf(format, a...) }

// fakeOpenSSL puts an "openssl" printing version on an otherwise empty PATH.
func fakeOpenSSL(t *testing.T, version string) {
	dir := t.TempDir()
	script := "#!/bin/sh\necho '" + version + "'\n"
	if err := os.WriteFile(filepath.Join(dir, "openssl"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
}

func TestNeedFailsInCI(t *testing.T) {
	fakeOpenSSL(t, "OpenSSL 1.1.1w  11 Sep 2023")
	for _, tc := range []struct {
		ci, prog  string
		fatal     bool
		skip      bool
		wantInMsg string
	}{
		{ci: "true", prog: "curl", fatal: true, wantInMsg: "curl is not installed"},
		{ci: "true", prog: "gnutls-serv", fatal: true, wantInMsg: "gnutls-serv is not installed"},
		{ci: "true", prog: "openssl", fatal: true, wantInMsg: "not OpenSSL 3.0.x"},
		{ci: "true", prog: "tinyproxy", skip: true, wantInMsg: "tinyproxy is not installed"},
		{ci: "", prog: "curl", skip: true, wantInMsg: "curl is not installed"},
		{ci: "", prog: "openssl", skip: true, wantInMsg: "not OpenSSL 3.0.x"},
	} {
		t.Setenv("CI", tc.ci)
		r := &recorder{TB: t}
		Need(r, tc.prog)
		msg := r.fatal + r.skip
		if (r.fatal != "") != tc.fatal || (r.skip != "") != tc.skip || !strings.Contains(msg, tc.wantInMsg) {
			t.Errorf("CI=%q Need(%s): fatal %q, skip %q; want fatal=%v skip=%v mentioning %q",
				tc.ci, tc.prog, r.fatal, r.skip, tc.fatal, tc.skip, tc.wantInMsg)
		}
	}
}

func TestFindOpenSSL30(t *testing.T) {
	fakeOpenSSL(t, "OpenSSL 3.0.19 27 Jan 2026 (Library: OpenSSL 3.0.19 27 Jan 2026)")
	if p, err := Find("openssl"); err != nil || filepath.Base(p) != "openssl" {
		t.Errorf("Find(openssl) = %q, %v; want the 3.0 openssl", p, err)
	}
}

func TestServeOne(t *testing.T) {
	addr := ServeOne(t, 5*time.Second, func(c net.Conn) {
		defer c.Close()
		c.Write([]byte("hi"))
	})
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if b, err := io.ReadAll(c); err != nil || string(b) != "hi" {
		t.Errorf("read %q, %v", b, err)
	}
}

// TestOpenSSLServerInWait: the server runs in the directory given (its
// relative paths resolve there) and Wait gives its streams apart once
// -naccept ends it.
func TestOpenSSLServerInWait(t *testing.T) {
	p := NewPKI(t)
	s := OpenSSLServerIn(t, p.Dir, "-cert", filepath.Base(p.ECServer), "-key", filepath.Base(p.ECServerKey), "-naccept", "1")
	c, err := tls.Dial("tcp", s.Addr, &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	out, errOut := s.Wait(t, 20*time.Second)
	if !strings.Contains(out, "ACCEPT 127.0.0.1:") || strings.Contains(errOut, "ACCEPT") {
		t.Errorf("stdout %q, stderr %q", out, errOut)
	}
}

// TestOpenSSLServerOrExit: a server that takes its arguments is returned
// running; one that refuses them comes back as its exit code and stderr.
func TestOpenSSLServerOrExit(t *testing.T) {
	p := NewPKI(t)
	s, code, stderr := OpenSSLServerOrExit(t, "-cert", p.ECServer, "-key", p.ECServerKey)
	if s == nil || !strings.HasPrefix(s.Addr, "127.0.0.1:") {
		t.Fatalf("good arguments: server %v, exit %d, stderr %q", s, code, stderr)
	}
	missing := filepath.Join(p.Dir, "missing.pem")
	s, code, stderr = OpenSSLServerOrExit(t, "-cert", missing, "-key", p.ECServerKey)
	if s != nil || code != 1 || !strings.Contains(stderr, missing) {
		t.Errorf("missing -cert: server %v, exit %d, stderr %q", s, code, stderr)
	}
}

// TestOpenSSLUnixServer: the server is ready once it said it accepts on
// the socket, and answers a TLS client there.
func TestOpenSSLUnixServer(t *testing.T) {
	p := NewPKI(t)
	dir, err := os.MkdirTemp("", "tp")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	sock := filepath.Join(dir, "s")
	s := OpenSSLUnixServer(t, sock, "-cert", p.ECServer, "-key", p.ECServerKey, "-naccept", "1")
	if s.Addr != sock {
		t.Errorf("Addr %q, want %q", s.Addr, sock)
	}
	raw, err := net.DialTimeout("unix", sock, 5*time.Second)
	if err != nil {
		t.Fatalf("dial at once after ACCEPT: %v", err)
	}
	c := tls.Client(raw, &tls.Config{InsecureSkipVerify: true})
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if err := c.Handshake(); err != nil {
		t.Errorf("handshake: %v", err)
	}
	c.Close()
	s.Wait(t, 20*time.Second)
}

// TestLineSet: only whole lines that begin with a prefix are kept,
// sorted and once each.
func TestLineSet(t *testing.T) {
	out := "b: 2\nx a: 1\na: 1\nb: 2\nc: 3\na: 0\n"
	got := fmt.Sprint(LineSet(out, "a:", "b:"))
	if want := "[a: 0 a: 1 b: 2]"; got != want {
		t.Errorf("LineSet = %s, want %s", got, want)
	}
}

// TestSendRead: SendRead returns once the process read its input (cat
// echoes it), and fails when the process reads nothing (sleep).
func TestSendRead(t *testing.T) {
	for _, p := range []string{"cat", "sleep"} {
		if _, err := exec.LookPath(p); err != nil {
			t.Skipf("no %s", p)
		}
	}
	cat, _ := start(t, "cat", nil, nil, "", false, nil)
	cat.SendRead(t, "hello\n", 10*time.Second)
	WaitOutput(t, cat.Output, "hello", 10*time.Second)
	sleeper, _ := start(t, "sleep", []string{"30"}, nil, "", false, nil)
	r := &recorder{TB: t}
	sleeper.SendRead(r, "never read\n", 100*time.Millisecond)
	if r.fatal == "" {
		t.Error("SendRead returned although the input was not read")
	}
}

// TestWaitOutputCount: it returns once output holds want n times, and
// fails the test, naming the count, when it holds fewer by the deadline.
func TestWaitOutputCount(t *testing.T) {
	out := func() string { return "x ok y ok z" }
	WaitOutputCount(t, out, "ok", 2, time.Second)
	r := &recorder{TB: t}
	WaitOutputCount(r, out, "ok", 3, 20*time.Millisecond)
	if !strings.Contains(r.fatal, "fewer than 3× \"ok\"") {
		t.Errorf("3 of 2: fatal %q", r.fatal)
	}
	r = &recorder{TB: t}
	WaitOutput(r, out, "missing", 20*time.Millisecond)
	if !strings.HasPrefix(r.fatal, "no \"missing\" within") {
		t.Errorf("missing: fatal %q", r.fatal)
	}
}

// TestWaitOutputFunc: it returns once ok accepts the output, and fails
// the test saying it timed out, and waiting for what, when ok never does.
func TestWaitOutputFunc(t *testing.T) {
	out := func() string { return "x ok y" }
	WaitOutputFunc(t, out, "ok", func(s string) bool { return strings.Contains(s, "ok") }, time.Second)
	r := &recorder{TB: t}
	WaitOutputFunc(r, out, "a number", func(s string) bool { return strings.ContainsAny(s, "0123456789") }, 20*time.Millisecond)
	if !strings.HasPrefix(r.fatal, "timed out after 20ms waiting for a number; printed:\nx ok y") {
		t.Errorf("fatal %q", r.fatal)
	}
}
