package sserver

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/tlskit/tlskit/internal/stdio"
	"github.com/tlskit/tlskit/internal/testpeer"
)

func TestMain(m *testing.M) {
	if spec := os.Getenv(memBenchClientEnv); spec != "" {
		// The client side of BenchmarkWWWMemory, in a process of its own.
		os.Exit(memBenchClients(spec))
	}
	testscript.Main(m, map[string]func(){
		"s_server": func() {
			os.Exit(Main(os.Args[1:], stdio.Stdio{In: os.Stdin, Out: os.Stdout, Err: os.Stderr}))
		},
	})
}

// syncBuffer is testpeer.Buffer: a buffer safe for concurrent writes and reads.
type syncBuffer = testpeer.Buffer

// testServer is an s_server running in-process on 127.0.0.1 with an
// OS-chosen port.
type testServer struct {
	t      *testing.T
	addr   string
	out    *syncBuffer
	err    *syncBuffer
	stdin  *io.PipeWriter
	cancel context.CancelFunc
	done   chan int
}

// startServer runs s_server with args (plus -accept 127.0.0.1:0) in dir and
// waits until it listens. The server is stopped when the test ends.
func startServer(t *testing.T, dir string, args ...string) *testServer {
	t.Helper()
	return startServerTo(t, dir, &syncBuffer{}, &syncBuffer{}, args...)
}

// startServerTo is startServer writing stdout to out and stderr to errw
// (one buffer for both keeps their interleaving).
func startServerTo(t *testing.T, dir string, out, errw *syncBuffer, args ...string) *testServer {
	t.Helper()
	if dir != "" {
		t.Chdir(dir)
	}
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	ts := &testServer{t: t, out: out, err: errw, stdin: pw, cancel: cancel, done: make(chan int, 1)}
	ready := make(chan net.Addr, 1)
	full := append([]string{"-accept", "127.0.0.1:0"}, args...)
	go func() {
		ts.done <- run(ctx, full, stdio.Stdio{In: pr, Out: ts.out, Err: ts.err}, func(a net.Addr) { ready <- a })
		close(ready)
	}()
	select {
	case a, ok := <-ready:
		if !ok {
			t.Fatalf("s_server %v did not start:\nstdout: %s\nstderr: %s", args, ts.out, ts.err)
		}
		ts.addr = a.String()
	case <-time.After(10 * time.Second):
		t.Fatalf("s_server %v did not listen within 10s", args)
	}
	t.Cleanup(func() {
		cancel()
		pw.Close()
		select {
		case <-ts.done:
		case <-time.After(10 * time.Second):
			t.Errorf("s_server did not stop")
		}
	})
	return ts
}

// wait waits for the server to exit by itself and returns its exit code.
func (ts *testServer) wait(d time.Duration) int {
	ts.t.Helper()
	select {
	case code := <-ts.done:
		ts.done <- code
		return code
	case <-time.After(d):
		ts.t.Fatalf("s_server did not exit within %v\nstdout: %s\nstderr: %s", d, ts.out, ts.err)
	}
	return -1
}

func (ts *testServer) port() string {
	_, p, _ := net.SplitHostPort(ts.addr)
	return p
}

// needTool skips the test when a peer program is not installed.
func needTool(t *testing.T, name string) string {
	t.Helper()
	return testpeer.Need(t, name)
}

// runPeer runs a peer program (openssl, curl, gnutls-cli) with stdin and a
// time bound, and returns its combined output.
func runPeer(t *testing.T, stdin string, d time.Duration, name string, args ...string) (string, error) {
	t.Helper()
	needTool(t, name)
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdin = strings.NewReader(stdin)
	cmd.WaitDelay = time.Second
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// opensslClient connects openssl s_client and sends stdin, keeping its
// input open for hold so the server's reply can arrive.
func opensslClient(t *testing.T, addr string, stdin string, hold time.Duration, args ...string) string {
	t.Helper()
	var end time.Time
	return opensslClientUntil(t, addr, stdin, func(string) bool {
		if end.IsZero() {
			end = time.Now().Add(hold)
		}
		return !time.Now().Before(end)
	}, args...)
}

// opensslClientUntil connects openssl s_client and sends stdin, keeping
// its input open until done accepts what it printed so far (polled), or,
// with done nil, until it leaves by itself; at most 20 s either way.
func opensslClientUntil(t *testing.T, addr string, stdin string, done func(out string) bool, args ...string) string {
	t.Helper()
	needTool(t, "openssl")
	out, err := runOpensslClient(addr, stdin, done, args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// goOpensslClient is opensslClientUntil in a goroutine of its own, for a
// test that drives the server meanwhile: the goroutine may not end the
// test, so the result comes back on the channel and the test goroutine
// fails with its error when it receives it (see clientResult.get).
func goOpensslClient(t *testing.T, addr string, stdin string, done func(out string) bool, args ...string) <-chan clientResult {
	t.Helper()
	needTool(t, "openssl")
	ch := make(chan clientResult, 1)
	go func() {
		out, err := runOpensslClient(addr, stdin, done, args...)
		ch <- clientResult{out, err}
	}()
	return ch
}

// clientResult is what goOpensslClient's client printed, or why it could
// not run.
type clientResult struct {
	out string
	err error
}

// get waits for the client (bounded by its own 20 s) and returns what it
// printed, failing the test if it could not run; call it on the test's
// goroutine.
func (r clientResult) get(t *testing.T) string {
	t.Helper()
	if r.err != nil {
		t.Fatal(r.err)
	}
	return r.out
}

// runOpensslClient is opensslClientUntil's work, with no testing.T: it
// may run on any goroutine.
func runOpensslClient(addr string, stdin string, done func(out string) bool, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	full := append([]string{"s_client", "-connect", addr}, args...)
	cmd := exec.CommandContext(ctx, "openssl", full...)
	pw, err := cmd.StdinPipe()
	if err != nil {
		return "", err
	}
	var out syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.WaitDelay = time.Second
	if err := cmd.Start(); err != nil {
		return "", err
	}
	exited := make(chan struct{})
	go func() {
		defer pw.Close()
		io.WriteString(pw, stdin)
		for done == nil || !done(out.String()) {
			select {
			case <-exited:
				return
			case <-ctx.Done():
				return
			case <-time.After(10 * time.Millisecond): // poll interval
			}
		}
	}()
	cmd.Wait()
	close(exited)
	return out.String(), nil
}

// printed is a done function for opensslClientUntil: the client's input
// stays open until out (a server's output) holds every one of want.
func printed(out func() string, want ...string) func(string) bool {
	return func(string) bool { return containsAll(out(), want...) }
}

// clientPrinted is a done function for opensslClientUntil: the client's
// input stays open until it printed every one of want.
func clientPrinted(want ...string) func(string) bool {
	return func(out string) bool { return containsAll(out, want...) }
}

// sayAfterHandshake types line on the server's input once its output
// shows its nth handshake done ("CIPHER is"), and returns a done function
// for opensslClientUntil waiting for the line: a TLS 1.3 server's tickets
// come before it on the wire, and s_client prints the data as it comes
// (its ticket and session lines only when it ends).
func (ts *testServer) sayAfterHandshake(n int, line string) func(string) bool {
	go func() { // no t.Fatal here: the client's bound ends the test
		for end := time.Now().Add(20 * time.Second); strings.Count(ts.out.String(), "CIPHER is ") < n && time.Now().Before(end); {
			time.Sleep(10 * time.Millisecond) // polling the output
		}
		io.WriteString(ts.stdin, line)
	}()
	return clientPrinted(line)
}

func containsAll(s string, want ...string) bool {
	for _, w := range want {
		if !strings.Contains(s, w) {
			return false
		}
	}
	return true
}

// opensslSessionOut runs openssl s_client -sess_out path with args,
// keeping its input open until the session (a TLS 1.3 one comes with the
// ticket, after the handshake) is in the file; it fails the test when no
// session was saved. It returns what s_client printed.
func opensslSessionOut(t *testing.T, addr, path string, args ...string) string {
	t.Helper()
	saved := func(string) bool {
		b, _ := os.ReadFile(path)
		return strings.Contains(string(b), "-----END SSL SESSION PARAMETERS-----")
	}
	out := opensslClientUntil(t, addr, "", saved, append([]string{"-sess_out", path}, args...)...)
	if !saved("") {
		t.Fatalf("openssl s_client -sess_out saved no session:\n%s", out)
	}
	return out
}

// writeCert creates a self-signed certificate and key (ECDSA or RSA) for
// cn in dir and returns the paths of the certificate and key files.
func writeCert(t *testing.T, dir, name, cn string, rsaKey bool) (certPath, keyPath string) {
	t.Helper()
	var priv any
	var pub any
	if rsaKey {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		priv, pub = k, &k.PublicKey
	} else {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		priv, pub = k, &k.PublicKey
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: cn},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		DNSNames:              []string{cn},
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, priv)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	certPath = filepath.Join(dir, name+".crt")
	keyPath = filepath.Join(dir, name+".key")
	os.WriteFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
	os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), 0o600)
	return certPath, keyPath
}

// goClient dials the server with crypto/tls, trusting nothing in particular.
func goClient(addr string, cfg *tls.Config) (*tls.Conn, error) {
	if cfg == nil {
		cfg = &tls.Config{}
	}
	cfg.InsecureSkipVerify = true
	// A bound, not a timing: 200 handshakes at once under -race on two
	// cores take seconds each.
	d := &net.Dialer{Timeout: 60 * time.Second}
	c, err := tls.DialWithDialer(d, "tcp", addr, cfg)
	if err != nil {
		return nil, err
	}
	// And a bound on every read and write after it, so a test reading
	// to the end of a session the server never ends cannot hang.
	c.SetDeadline(time.Now().Add(60 * time.Second))
	return c, nil
}

type stdioT = stdio.Stdio
