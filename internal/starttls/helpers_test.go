package starttls

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"io"
	"math/big"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// testDeadline bounds every scripted exchange so a wrong client cannot hang
// the test binary.
const testDeadline = 5 * time.Second

// step is one move of a scripted server: send bytes, expect exactly the
// given client bytes, or close the connection.
type step struct {
	server string // bytes the server sends
	client string // bytes the server expects to read, exactly
	close  bool
}

func srv(s string) step { return step{server: s} }
func cli(s string) step { return step{client: s} }

var hangUp = step{close: true}

// transcript is one scripted dialogue and its expected outcome.
type transcript struct {
	name    string
	proto   string
	opts    Options
	steps   []step
	wantErr string // substring of the error; "" means success, then TLS
}

var (
	certOnce sync.Once
	testCert tls.Certificate
	testPool *x509.CertPool
)

// serverCert makes (once) a self-signed ECDSA certificate for "localhost".
func serverCert(t testing.TB) (tls.Certificate, *x509.CertPool) {
	certOnce.Do(func() {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			panic(err)
		}
		tmpl := &x509.Certificate{
			SerialNumber:          big.NewInt(1),
			Subject:               pkix.Name{CommonName: "localhost"},
			DNSNames:              []string{"localhost"},
			NotBefore:             time.Now().Add(-time.Hour),
			NotAfter:              time.Now().Add(time.Hour),
			KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
			ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
			BasicConstraintsValid: true,
			IsCA:                  true,
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		if err != nil {
			panic(err)
		}
		leaf, _ := x509.ParseCertificate(der)
		testCert = tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}
		testPool = x509.NewCertPool()
		testPool.AddCert(leaf)
	})
	return testCert, testPool
}

// runTranscript plays tr's server side over net.Pipe against Upgrade and
// checks the outcome; on success both sides complete a TLS handshake and
// exchange a line, proving no byte was lost or added at the upgrade point.
func runTranscript(t *testing.T, tr transcript) {
	t.Helper()
	cconn, sconn := net.Pipe()
	t.Cleanup(func() { cconn.Close(); sconn.Close() })
	deadline := time.Now().Add(testDeadline)
	cconn.SetDeadline(deadline)
	sconn.SetDeadline(deadline)

	opts := tr.opts
	if opts.Timeout == 0 {
		opts.Timeout = testDeadline / 2
	}
	clientDone := make(chan struct{})
	serverErr := make(chan error, 1)
	go func() { serverErr <- playServer(sconn, tr, clientDone, deadline) }()

	conn, err := Upgrade(cconn, tr.proto, opts)
	if tr.wantErr != "" {
		close(clientDone)
		if err == nil {
			t.Fatalf("Upgrade succeeded, want error containing %q", tr.wantErr)
		}
		if !strings.Contains(err.Error(), tr.wantErr) {
			t.Fatalf("Upgrade error:\n  %v\nwant it to contain:\n  %s", err, tr.wantErr)
		}
		if !strings.HasPrefix(err.Error(), "starttls: "+tr.proto+": ") {
			t.Errorf("error %q lacks the prefix %q", err, "starttls: "+tr.proto+": ")
		}
		if serr := <-serverErr; serr != nil {
			t.Fatalf("server side: %v", serr)
		}
		return
	}
	if err != nil {
		close(clientDone)
		if serr := <-serverErr; serr != nil {
			t.Errorf("server side: %v", serr)
		}
		t.Fatalf("Upgrade: %v", err)
	}
	// Upgrade clears deadlines; keep the test bounded.
	conn.SetDeadline(deadline)
	_, pool := serverCert(t)
	tc := tls.Client(conn, &tls.Config{RootCAs: pool, ServerName: "localhost"})
	line, rerr := readTLSLine(tc)
	close(clientDone)
	if serr := <-serverErr; serr != nil {
		t.Fatalf("server side: %v", serr)
	}
	if rerr != nil {
		t.Fatalf("TLS after upgrade: %v", rerr)
	}
	if line != "hello over tls\n" {
		t.Fatalf("read %q over TLS, want %q", line, "hello over tls\n")
	}
}

// readTLSLine handshakes and reads one line from the server.
func readTLSLine(tc *tls.Conn) (string, error) {
	if err := tc.Handshake(); err != nil {
		return "", err
	}
	b := make([]byte, 64)
	n, err := io.ReadAtLeast(tc, b, len("hello over tls\n"))
	return string(b[:n]), err
}

// playServer runs the scripted steps; after a successful script it serves
// TLS and writes one line, otherwise it waits for the client to give up.
func playServer(c net.Conn, tr transcript, clientDone <-chan struct{}, deadline time.Time) error {
	for i, st := range tr.steps {
		switch {
		case st.close:
			c.Close()
			return nil
		case st.server != "":
			if _, err := c.Write([]byte(st.server)); err != nil {
				return fmt.Errorf("step %d: writing %q: %v", i, st.server, err)
			}
		case st.client != "":
			got := make([]byte, len(st.client))
			if n, err := io.ReadFull(c, got); err != nil {
				return fmt.Errorf("step %d: client sent %q, then %v; want %q", i, got[:n], err, st.client)
			}
			if !bytes.Equal(got, []byte(st.client)) {
				return fmt.Errorf("step %d: client sent %q, want %q", i, got, st.client)
			}
		}
	}
	if tr.wantErr != "" {
		<-clientDone
		return nil
	}
	cert, _ := serverCert(nil)
	ts := tls.Server(c, &tls.Config{Certificates: []tls.Certificate{cert}})
	ts.SetDeadline(deadline)
	if err := ts.Handshake(); err != nil {
		return fmt.Errorf("TLS handshake: %v", err)
	}
	if _, err := ts.Write([]byte("hello over tls\n")); err != nil {
		return err
	}
	<-clientDone
	return nil
}
