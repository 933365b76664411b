package wire

import (
	"bufio"
	"crypto"
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
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/engine"
	"github.com/tlskit/tlskit/internal/testpeer"
)

// testCert writes a self-signed certificate and key ("rsa" or "ecdsa")
// into dir and returns the file names and the tls.Certificate.
func testCert(t testing.TB, dir, kind string) (certFile, keyFile string, cert tls.Certificate) {
	t.Helper()
	var key any
	var err error
	switch kind {
	case "rsa":
		key, err = rsa.GenerateKey(rand.Reader, 2048)
	default:
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	}
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(0x1234),
		Subject:      pkix.Name{CommonName: "localhost", Organization: []string{"tlskit test"}},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		DNSNames:     []string{"localhost"},
	}
	pub := key.(crypto.Signer).Public()
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile = filepath.Join(dir, kind+".crt")
	keyFile = filepath.Join(dir, kind+".key")
	cp := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	kp := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder})
	if err := os.WriteFile(certFile, cp, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, kp, 0o600); err != nil {
		t.Fatal(err)
	}
	cert, err = tls.X509KeyPair(cp, kp)
	if err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile, cert
}

var certCache sync.Map // kind -> [3]any

type certFiles struct {
	cert, key string
	tc        tls.Certificate
}

// sharedCert makes one certificate per kind per test binary run; RSA
// key generation is slow on a shared machine.
func sharedCert(t testing.TB, kind string) certFiles {
	if v, ok := certCache.Load(kind); ok {
		return v.(certFiles)
	}
	dir, err := os.MkdirTemp("", "wiretest")
	if err != nil {
		t.Fatal(err)
	}
	c, k, tc := testCert(t, dir, kind)
	v, _ := certCache.LoadOrStore(kind, certFiles{c, k, tc})
	return v.(certFiles)
}

func needOpenSSL(t *testing.T) string {
	t.Helper()
	return testpeer.Need(t, "openssl")
}

// syncBuffer is testpeer.Buffer: a buffer safe for concurrent writes and reads.
type syncBuffer = testpeer.Buffer

// peer is a running openssl process.
type peer struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	out   *syncBuffer // stdout only: -msg output must not mix with stderr
	err   *syncBuffer
	done  chan struct{}
}

// startOpenSSL runs openssl with args, collecting stdout and stderr.
// If waitAccept is set it returns once the ACCEPT line names the port.
func startOpenSSL(t *testing.T, waitAccept bool, args ...string) (*peer, string) {
	t.Helper()
	bin := needOpenSSL(t)
	cmd := exec.Command(bin, args...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &peer{cmd: cmd, stdin: stdin, out: &syncBuffer{}, err: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stderr = p.err
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-p.done
	})
	addrc := make(chan string, 1)
	go func() {
		defer close(p.done)
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			p.out.Write([]byte(line + "\n"))
			if strings.HasPrefix(line, "ACCEPT ") {
				select {
				case addrc <- strings.TrimPrefix(line, "ACCEPT "):
				default:
				}
			}
		}
		cmd.Wait()
	}()
	if !waitAccept {
		return p, ""
	}
	select {
	case a := <-addrc:
		return p, a
	case <-p.done:
		t.Fatalf("openssl exited before ACCEPT:\n%s%s", p.out, p.err)
	case <-time.After(10 * time.Second):
		t.Fatalf("no ACCEPT line from openssl:\n%s", p.out)
	}
	return nil, ""
}

// wait waits for the process to end, killing it after d.
func (p *peer) wait(t *testing.T, d time.Duration) {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(d):
		p.cmd.Process.Kill()
		<-p.done
	}
}

// waitFor polls the output for s until the deadline.
func (p *peer) waitFor(t *testing.T, s string, d time.Duration) bool {
	t.Helper()
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		if p.has(s) {
			return true
		}
		select {
		case <-p.done:
			return p.has(s)
		case <-time.After(10 * time.Millisecond):
		}
	}
	return false
}

func (p *peer) has(s string) bool {
	return strings.Contains(p.out.String(), s) || strings.Contains(p.err.String(), s)
}

// ownConfig is the own engine's config for one end of a test connection
// at version (0: TLS 1.2 and 1.3) presenting cf's certificate, its events
// going to ob.
func ownConfig(cf certFiles, ob *Observer, version uint16) *engine.Config {
	cfg := &engine.Config{MinVersion: version, MaxVersion: version, OnEvent: ob.Event,
		Identities: []engine.Identity{{Chain: cf.tc.Certificate, Key: cf.tc.PrivateKey.(crypto.Signer)}}}
	if version == 0 {
		cfg.MinVersion, cfg.MaxVersion = tls.VersionTLS12, tls.VersionTLS13
	}
	return cfg
}
