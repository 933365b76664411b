package engine

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/testpeer"
)

// TestOwnEngineBehindTheSeam uses the own engine through the Engine
// interface the commands use, with the tls.Config they build, against
// openssl s_server; a config that allows TLS 1.2 still gets crypto/tls.
func TestOwnEngineBehindTheSeam(t *testing.T) {
	pki := testpeer.NewPKI(t)
	caPEM, _ := os.ReadFile(pki.CA)
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)

	if _, ok := Own.Client(nil, &tls.Config{MinVersion: tls.VersionTLS12}).(*tls.Conn); !ok {
		t.Error("a TLS 1.2-capable config did not go to crypto/tls")
	}

	srv := testpeer.OpenSSLServer(t, "-tls1_3", "-rev", "-naccept", "1", "-cert", pki.Server, "-key", pki.ServerKey, "-alpn", "h2")
	var seen tls.ConnectionState
	var keylog bytes.Buffer
	cfg := &tls.Config{MinVersion: tls.VersionTLS13, RootCAs: pool, ServerName: "localhost",
		NextProtos: []string{"h2"}, CurvePreferences: []tls.CurveID{tls.CurveP256, tls.X25519},
		KeyLogWriter:     &keylog,
		VerifyConnection: func(cs tls.ConnectionState) error { seen = cs; return nil }}
	nc, err := net.DialTimeout("tcp", srv.Addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	nc.SetDeadline(time.Now().Add(20 * time.Second))
	c := Own.Client(nc, cfg)
	defer c.Close()
	if _, ok := c.(*OwnConn); !ok {
		t.Fatalf("a TLS 1.3-only config got %T", c)
	}
	if err := c.HandshakeContext(context.Background()); err != nil {
		t.Fatal(err)
	}
	cs := c.ConnectionState()
	if cs.Version != tls.VersionTLS13 || !cs.HandshakeComplete || cs.CurveID != tls.CurveP256 ||
		cs.NegotiatedProtocol != "h2" || len(cs.PeerCertificates) != 1 || len(cs.VerifiedChains) != 1 {
		t.Errorf("state %+v", cs)
	}
	if len(seen.PeerCertificates) != 1 || seen.CipherSuite != cs.CipherSuite {
		t.Error("VerifyConnection did not see the server")
	}
	if n := strings.Count(keylog.String(), "\n"); n != 5 || !strings.HasPrefix(keylog.String(), "CLIENT_HANDSHAKE_TRAFFIC_SECRET ") {
		t.Errorf("key log:\n%s", keylog.String())
	}
	c.Write([]byte("seam\n"))
	buf := make([]byte, 5)
	if n, err := c.Read(buf); err != nil || string(buf[:n]) != "maes\n" {
		t.Errorf("echo %q %v", buf[:n], err)
	}

	// A server that does not chain to RootCAs is refused.
	srv2 := testpeer.OpenSSLServer(t, "-tls1_3", "-naccept", "1", "-cert", pki.SelfSigned, "-key", pki.SelfSignedKey)
	nc2, err := net.DialTimeout("tcp", srv2.Addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	nc2.SetDeadline(time.Now().Add(20 * time.Second))
	c2 := Own.Client(nc2, &tls.Config{MinVersion: tls.VersionTLS13, RootCAs: pool, ServerName: "localhost"})
	defer c2.Close()
	if err := c2.Handshake(); err == nil || !strings.Contains(err.Error(), "bad_certificate") {
		t.Errorf("untrusted server: %v", err)
	}
}
