// Package testpeer starts real TLS peers (openssl, gnutls) for interop
// tests: on 127.0.0.1 with OS-picked ports, ready when they say so, killed
// by PID when the test ends.
package testpeer

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// Required are the peers CI must have: in CI (CI=true) a test that
// needs one of them fails when it is missing, instead of skipping, so a
// run cannot go green without testing.
var Required = []string{"openssl", "gnutls-cli", "gnutls-serv", "curl"}

// InCI reports whether the tests run in CI (the environment sets CI=true).
func InCI() bool { return os.Getenv("CI") == "true" }

// Need returns the path of a peer program. When it is missing the test
// skips, or, in CI and for a Required peer, fails. In CI, openssl must
// also be the 3.0 release series the tests compare against.
func Need(t testing.TB, prog string) string {
	t.Helper()
	p, err := Find(prog)
	if err != nil {
		if InCI() && slices.Contains(Required, prog) {
			t.Fatalf("CI=true and %v; CI must install it (see .ci/run)", err)
			return ""
		}
		t.Skipf("%v; this test needs it", err)
	}
	return p
}

// Find returns the path of a peer program, or why it cannot be used:
// not installed, or (openssl) not OpenSSL 3.0.x.
func Find(prog string) (string, error) {
	p, err := exec.LookPath(prog)
	if err != nil {
		return "", fmt.Errorf("%s is not installed", prog)
	}
	if prog == "openssl" {
		if v := opensslVersion(p); !strings.HasPrefix(v, "OpenSSL 3.0.") {
			return "", fmt.Errorf("%s is %q, not OpenSSL 3.0.x", p, v)
		}
	}
	return p, nil
}

// opensslVersion is `openssl version`'s first line, asked once per path.
func opensslVersion(path string) string {
	versionMu.Lock()
	defer versionMu.Unlock()
	if v, ok := versions[path]; ok {
		return v
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, _ := exec.CommandContext(ctx, path, "version").Output()
	v, _, _ := strings.Cut(string(out), "\n")
	v = strings.TrimSpace(v)
	versions[path] = v
	return v
}

var (
	versionMu sync.Mutex
	versions  = map[string]string{}
)

// Server is a running peer server.
type Server struct {
	Addr           string // 127.0.0.1:port
	cmd            *exec.Cmd
	out            *Buffer // stdout and stderr as they came
	stdout, stderr *Buffer
	stdin          *os.File      // the write end of the server's stdin pipe
	exited         chan struct{} // closed when the process has ended
}

// Send writes to the server's standard input (s_server's interactive
// commands and data).
func (s *Server) Send(text string) error {
	_, err := io.WriteString(s.stdin, text)
	return err
}

// SendRead writes text to the server's standard input and waits, at most
// d, until the server has read all of it (the pipe holds nothing), so
// that what is sent next reaches it in a read of its own: s_server takes
// a connected command only at the start of a read.
func (s *Server) SendRead(t testing.TB, text string, d time.Duration) {
	t.Helper()
	if err := s.Send(text); err != nil {
		t.Fatalf("writing to the server's input: %v", err)
	}
	for end := time.Now().Add(d); ; {
		n, err := pipeHolds(s.stdin)
		if err != nil {
			t.Skipf("cannot tell what the server read: %v", err)
			return
		}
		if n == 0 {
			return
		}
		if time.Now().After(end) {
			t.Fatalf("the server did not read its input within %v; output:\n%s", d, s.out.String())
			return
		}
		time.Sleep(5 * time.Millisecond) // polling the pipe
	}
}

// Output returns what the server printed so far (stdout and stderr).
func (s *Server) Output() string { return s.out.String() }

// WaitOutput waits, at most d, until output() holds want (a peer's
// output, or an in-process command's), polling it; it fails the test with
// what was printed otherwise.
func WaitOutput(t testing.TB, output func() string, want string, d time.Duration) {
	t.Helper()
	WaitOutputCount(t, output, want, 1, d)
}

// WaitOutputCount is WaitOutput for n occurrences of want.
func WaitOutputCount(t testing.TB, output func() string, want string, n int, d time.Duration) {
	t.Helper()
	if waitUntil(output, func(s string) bool { return strings.Count(s, want) >= n }, d) {
		return
	}
	if n == 1 {
		t.Fatalf("no %q within %v; printed:\n%s", want, d, output())
	} else {
		t.Fatalf("fewer than %d× %q within %v; printed:\n%s", n, want, d, output())
	}
}

// WaitOutputFunc is WaitOutput for output that ok accepts; what names
// it in the failure, e.g. "an SSL error line".
func WaitOutputFunc(t testing.TB, output func() string, what string, ok func(string) bool, d time.Duration) {
	t.Helper()
	if !waitUntil(output, ok, d) {
		t.Fatalf("timed out after %v waiting for %s; printed:\n%s", d, what, output())
	}
}

// waitUntil polls output until ok accepts it, and reports whether it did
// within d.
func waitUntil(output func() string, ok func(string) bool, d time.Duration) bool {
	for end := time.Now().Add(d); !ok(output()); {
		if time.Now().After(end) {
			return false
		}
		time.Sleep(5 * time.Millisecond) // polling the output, not a readiness guess
	}
	return true
}

// Wait waits, at most d, for the server to end by itself (-naccept) and
// returns its stdout and stderr apart; it fails the test if the server is
// still running.
func (s *Server) Wait(t testing.TB, d time.Duration) (stdout, stderr string) {
	t.Helper()
	select {
	case <-s.exited:
	case <-time.After(d):
		t.Fatalf("%s did not end within %v; output:\n%s", s.cmd.Path, d, s.out.String())
	}
	return s.stdout.String(), s.stderr.String()
}

// ExitCode is the program's exit code once it has ended (after Wait),
// -1 while it runs.
func (s *Server) ExitCode() int {
	select {
	case <-s.exited:
		return s.cmd.ProcessState.ExitCode()
	default:
		return -1
	}
}

var acceptRE = regexp.MustCompile(`ACCEPT (\S+:\d+)`)

// OpenSSLServer starts `openssl s_server -accept 127.0.0.1:0 args...` and
// returns once it printed its ACCEPT line with the port it bound.
func OpenSSLServer(t testing.TB, args ...string) *Server {
	t.Helper()
	return OpenSSLServerIn(t, "", args...)
}

// OpenSSLServerIn is OpenSSLServer run in directory dir (its relative
// paths, -WWW's files).
func OpenSSLServerIn(t testing.TB, dir string, args ...string) *Server {
	t.Helper()
	prog := Need(t, "openssl")
	all := append([]string{"s_server", "-accept", "127.0.0.1:0"}, args...)
	return startStreams(t, prog, all, nil, dir, false, acceptLine)
}

// OpenSSLServerOrExit is OpenSSLServer for arguments openssl may refuse
// (a bad file): it returns the server once it printed its ACCEPT line,
// with what it printed on stderr until then, or, when openssl ended
// before that, a nil server with its exit code and stderr.
func OpenSSLServerOrExit(t testing.TB, args ...string) (s *Server, code int, stderr string) {
	t.Helper()
	prog := Need(t, "openssl")
	all := append([]string{"s_server", "-accept", "127.0.0.1:0"}, args...)
	s, ok := start(t, prog, all, nil, "", false, acceptLine)
	if !ok {
		return nil, s.cmd.ProcessState.ExitCode(), s.stderr.String()
	}
	return s, 0, s.stderr.String()
}

// OpenSSLUnixServer starts `openssl s_server -unix sock args...` and
// returns once it printed its ACCEPT line for sock; Addr is sock. (openssl
// 3.0 prints no ACCEPT line, and exits, for a path of 40 characters or
// more: keep sock short.)
func OpenSSLUnixServer(t testing.TB, sock string, args ...string) *Server {
	t.Helper()
	prog := Need(t, "openssl")
	all := append([]string{"s_server", "-unix", sock}, args...)
	return startStreams(t, prog, all, nil, "", false, func(line string) (string, bool) {
		return sock, strings.HasPrefix(line, "ACCEPT ") && strings.HasSuffix(line, ":"+sock)
	})
}

// OpenSSLClient starts `openssl s_client -connect addr args...` and
// returns once it printed its CONNECTED line; Addr is addr. Its input
// stays open, for SendRead (s_client too takes a connected command only
// at the start of a read), until CloseInput.
func OpenSSLClient(t testing.TB, addr string, args ...string) *Server {
	t.Helper()
	return SClient(t, Need(t, "openssl"), addr, args...)
}

// SClient is OpenSSLClient for any program speaking s_client's command
// line (openssl, tlskit).
func SClient(t testing.TB, prog, addr string, args ...string) *Server {
	t.Helper()
	all := append([]string{"s_client", "-connect", addr}, args...)
	return startStreams(t, prog, all, nil, "", false, func(line string) (string, bool) {
		return addr, strings.HasPrefix(line, "CONNECTED(")
	})
}

// CloseInput closes the program's standard input (s_client then ends
// its session).
func (s *Server) CloseInput() { s.stdin.Close() }

func acceptLine(line string) (string, bool) {
	if m := acceptRE.FindStringSubmatch(line); m != nil {
		return m[1], true
	}
	return "", false
}

// SServer starts `prog s_server -accept 127.0.0.1:0 args...` for any
// program speaking s_server's command line (openssl, tlskit), with env
// added to the environment, and returns once it printed its ACCEPT line.
func SServer(t testing.TB, prog string, env []string, args ...string) *Server {
	t.Helper()
	all := append([]string{"s_server", "-accept", "127.0.0.1:0"}, args...)
	return startStreams(t, prog, all, env, "", false, acceptLine)
}

// GnuTLSServer starts gnutls-serv on a free port and returns once it
// said so on stderr ("Echo Server listening on IPv4 0.0.0.0 port N...done",
// or "HTTP Server ..."). gnutls-serv cannot be given port 0, so the port
// is one the OS just handed out; waiting for the line instead of dialling
// keeps a probe connection out of the server's output.
func GnuTLSServer(t testing.TB, args ...string) *Server {
	t.Helper()
	prog := Need(t, "gnutls-serv")
	port := FreePort(t)
	all := append([]string{"--port", port}, args...)
	re := regexp.MustCompile(`Server listening on IPv4 \S+ port ` + port + `\.\.\.done`)
	s := startStreams(t, prog, all, nil, "", true, func(line string) (string, bool) {
		return "127.0.0.1:" + port, re.MatchString(line)
	})
	return s
}

// FreePort asks the OS for a free TCP port on 127.0.0.1.
func FreePort(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, p, _ := net.SplitHostPort(l.Addr().String())
	return p
}

// ServeOne listens on 127.0.0.1 with an OS-picked port and hands the
// first connection, its deadline d away, to serve in a goroutine (serve
// closes it); it returns the address to dial. The listener closes when
// the test ends.
func ServeOne(t testing.TB, d time.Duration, serve func(c net.Conn)) string {
	t.Helper()
	l := listenLoopback(t)
	go func() {
		c, err := l.Accept()
		if err != nil {
			return // the listener closed: the test is over
		}
		c.SetDeadline(time.Now().Add(d))
		serve(c)
	}()
	return l.Addr().String()
}

// ServeAll is ServeOne for every connection until the test ends: each in
// its own goroutine, closed when serve returns.
func ServeAll(t testing.TB, d time.Duration, serve func(c net.Conn)) string {
	t.Helper()
	l := listenLoopback(t)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return // the listener closed: the test is over
			}
			go func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(d))
				serve(c)
			}()
		}
	}()
	return l.Addr().String()
}

// listenLoopback listens on 127.0.0.1 with an OS-picked port until the
// test ends.
func listenLoopback(t testing.TB) net.Listener {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// WaitDial retries connecting to addr until it answers or 10s pass.
func WaitDial(t testing.TB, addr string) { t.Helper(); WaitDialFor(t, addr, 10*time.Second) }

// WaitDialFor retries connecting to addr until it answers or d passes.
func WaitDialFor(t testing.TB, addr string, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("nothing accepted connections on %s within %v: %v", addr, d, err)
		}
		time.Sleep(20 * time.Millisecond) // retry interval, not a readiness guess
	}
}

// startStreams starts prog in dir (the current directory when empty)
// and waits for ready to accept a line of its stdout, or of its stderr
// when readyOnStderr is set.
func startStreams(t testing.TB, prog string, args, env []string, dir string, readyOnStderr bool, ready func(string) (string, bool)) *Server {
	t.Helper()
	s, ok := start(t, prog, args, env, dir, readyOnStderr, ready)
	if !ok {
		t.Fatalf("%s %s ended before it was ready; output:\n%s", prog, strings.Join(args, " "), s.out.String())
	}
	return s
}

// start is startStreams reporting, instead of failing the test, a
// program that ended before it was ready: then ok is false and the
// program has exited.
func start(t testing.TB, prog string, args, env []string, dir string, readyOnStderr bool, ready func(string) (string, bool)) (s *Server, ok bool) {
	t.Helper()
	cmd := exec.Command(prog, args...)
	cmd.Dir = dir
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	out, stdout, stderr := &Buffer{}, &Buffer{}, &Buffer{}
	pr, pw := io.Pipe()
	cmd.Stdout = io.MultiWriter(out, stdout, pw)
	cmd.Stderr = io.MultiWriter(out, stderr)
	if readyOnStderr {
		cmd.Stdout, cmd.Stderr = io.MultiWriter(out, stdout), io.MultiWriter(out, stderr, pw)
	}
	// The server must not see EOF on stdin (s_server exits on it). The
	// pipe is our own, so that SendRead can see it emptied.
	stdinR, stdin, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdin = stdinR
	if err := cmd.Start(); err != nil {
		stdinR.Close()
		stdin.Close()
		t.Fatalf("start %s: %v", prog, err)
	}
	stdinR.Close()
	s = &Server{cmd: cmd, out: out, stdout: stdout, stderr: stderr, stdin: stdin, exited: make(chan struct{})}
	go func() {
		cmd.Wait()
		pw.Close()
		close(s.exited)
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-s.exited
		stdin.Close()
	})
	if ready == nil {
		go io.Copy(io.Discard, pr)
		return s, true
	}
	found := make(chan string, 1)
	scanned := make(chan struct{}) // closed when all the output is read
	go func() {
		defer close(scanned)
		sc := bufio.NewScanner(pr)
		sent := false
		for sc.Scan() {
			if a, ok := ready(sc.Text()); ok && !sent {
				found <- a
				sent = true
			}
		}
		io.Copy(io.Discard, pr)
	}()
	select {
	case a := <-found:
		s.Addr = a
	case <-s.exited:
		// Its last line may have been the readiness line.
		<-scanned
		select {
		case a := <-found:
			s.Addr = a
		default:
			return s, false
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("%s %s: no readiness line within 15s; output:\n%s", prog, strings.Join(args, " "), out.String())
	}
	return s, true
}

// LineSet is the set of the lines of out that begin with one of
// prefixes, sorted, each once: for comparing two programs' outputs
// whose order or repeats may differ.
func LineSet(out string, prefixes ...string) []string {
	var set []string
	for _, l := range strings.Split(out, "\n") {
		for _, p := range prefixes {
			if strings.HasPrefix(l, p) {
				set = append(set, l)
				break
			}
		}
	}
	slices.Sort(set)
	return slices.Compact(set)
}

// Run runs a program with stdin, bounded by a timeout, returning stdout,
// stderr and the exit code.
func Run(t testing.TB, timeout time.Duration, stdin string, prog string, args ...string) (string, string, int) {
	t.Helper()
	return RunEnv(t, timeout, nil, stdin, prog, args...)
}

// RunEnv is Run with env added to the environment.
func RunEnv(t testing.TB, timeout time.Duration, env []string, stdin string, prog string, args ...string) (string, string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, prog, args...)
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	cmd.Stdin = strings.NewReader(stdin)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("%s %s: timed out after %v\nstdout:\n%s\nstderr:\n%s", prog, strings.Join(args, " "), timeout, o.String(), e.String())
	}
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("%s: %v", prog, err)
	}
	return o.String(), e.String(), code
}

// PKI is a small certificate hierarchy made with the real openssl.
type PKI struct {
	Dir                       string
	CA, CAKey                 string // root CA (ECDSA P-256)
	Server, ServerKey         string // RSA 2048 leaf for localhost/127.0.0.1, signed by CA
	ECServer, ECServerKey     string // ECDSA P-256 leaf, signed by CA
	Client, ClientKey         string // client certificate, signed by CA
	SelfSigned, SelfSignedKey string
}

// NewPKI generates the hierarchy in a temporary directory.
func NewPKI(t testing.TB) *PKI {
	t.Helper()
	Need(t, "openssl")
	d := t.TempDir()
	p := &PKI{Dir: d}
	f := func(n string) string { return filepath.Join(d, n) }
	p.CA, p.CAKey = f("ca.pem"), f("ca.key")
	p.Server, p.ServerKey = f("server.pem"), f("server.key")
	p.ECServer, p.ECServerKey = f("ecserver.pem"), f("ecserver.key")
	p.Client, p.ClientKey = f("client.pem"), f("client.key")
	p.SelfSigned, p.SelfSignedKey = f("self.pem"), f("self.key")
	os.WriteFile(f("srv.ext"), []byte("subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n"), 0o644)
	os.WriteFile(f("cli.ext"), []byte("basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n"), 0o644)
	cmds := [][]string{
		{"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", p.CAKey, "-out", p.CA, "-subj", "/C=US/O=tlskit tests/CN=tlskit Test Root", "-days", "30"},
		{"req", "-newkey", "rsa:2048", "-nodes", "-keyout", p.ServerKey, "-out", f("srv.csr"), "-subj", "/CN=localhost"},
		{"x509", "-req", "-in", f("srv.csr"), "-CA", p.CA, "-CAkey", p.CAKey, "-CAcreateserial", "-out", p.Server, "-days", "30", "-extfile", f("srv.ext")},
		{"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", p.ECServerKey, "-out", f("ec.csr"), "-subj", "/CN=localhost"},
		{"x509", "-req", "-in", f("ec.csr"), "-CA", p.CA, "-CAkey", p.CAKey, "-CAcreateserial", "-out", p.ECServer, "-days", "30", "-extfile", f("srv.ext")},
		{"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", p.ClientKey, "-out", f("cli.csr"), "-subj", "/CN=tlskit client"},
		{"x509", "-req", "-in", f("cli.csr"), "-CA", p.CA, "-CAkey", p.CAKey, "-CAcreateserial", "-out", p.Client, "-days", "30", "-extfile", f("cli.ext")},
		{"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", p.SelfSignedKey, "-out", p.SelfSigned, "-subj", "/CN=localhost", "-days", "30"},
	}
	for _, c := range cmds {
		out, err := exec.Command("openssl", c...).CombinedOutput()
		if err != nil {
			t.Fatalf("openssl %s: %v\n%s", strings.Join(c, " "), err, out)
		}
	}
	return p
}

// Buffer is a bytes.Buffer safe for a process writing while a test reads.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *Buffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns what was written so far.
func (s *Buffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// LineDiff shows where tlskit's output (got) parts from openssl's (want):
// the first differing line's number, both line counts, and up to eight
// lines of each from there, for a test's failure message.
func LineDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	i := 0
	for i < len(g) && i < len(w) && g[i] == w[i] {
		i++
	}
	return fmt.Sprintf("first difference at line %d (tlskit %d lines, openssl %d)\nopenssl:\n%s\ntlskit:\n%s",
		i+1, len(g), len(w), strings.Join(w[i:min(len(w), i+8)], "\n"), strings.Join(g[i:min(len(g), i+8)], "\n"))
}
