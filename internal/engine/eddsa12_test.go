package engine

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/engine/sig"
	"github.com/tlskit/tlskit/internal/engine/suites"
	"github.com/tlskit/tlskit/internal/testpeer"
)

// opensslSelfSigned makes a self-signed certificate and key with openssl
// req -newkey alg (ed25519, ed448, rsa-pss) and returns their files.
func opensslSelfSigned(t *testing.T, openssl, dir, alg string) (cert, key string) {
	t.Helper()
	cert, key = filepath.Join(dir, alg+".pem"), filepath.Join(dir, alg+".key")
	if _, e, code := testpeer.Run(t, 30*time.Second, "", openssl, "req", "-x509", "-newkey", alg, "-nodes",
		"-keyout", key, "-out", cert, "-subj", "/CN=localhost", "-days", "2"); code != 0 {
		t.Fatal(e)
	}
	return cert, key
}

// TestClient12EdDSAAndPSSAgainstOpenSSL: openssl s_server 3.0 -tls1_2
// serves Ed25519 and Ed448 certificates under ECDHE-ECDSA suites (RFC 8422
// §5.1.3) and RSASSA-PSS-keyed ones under ECDHE-RSA with rsa_pss_pss_*;
// the own client took them for the wrong certificate type.
func TestClient12EdDSAAndPSSAgainstOpenSSL(t *testing.T) {
	openssl := testpeer.Need(t, "openssl")
	dir := t.TempDir()
	for _, c := range []struct {
		alg    string
		suite  uint16
		scheme uint16
	}{
		{"ed25519", suites.ECDHEECDSAAES256GCMSHA384, sig.Ed25519},
		{"ed448", suites.ECDHEECDSAAES256GCMSHA384, sig.Ed448},
		{"rsa-pss", suites.ECDHERSAAES256GCMSHA384, sig.RSAPSSPSSSHA256},
	} {
		t.Run(c.alg, func(t *testing.T) {
			cert, key := opensslSelfSigned(t, openssl, dir, c.alg)
			srv := testpeer.OpenSSLServer(t, "-rev", "-naccept", "1", "-tls1_2", "-cert", cert, "-key", key)
			cfg := all12(Config{})
			conn := dialOwn(t, srv.Addr, &cfg)
			if err := conn.Handshake(); err != nil {
				t.Fatalf("handshake: %v\nserver:\n%s", err, srv.Output())
			}
			if got := echoLine(t, conn, "tlskit engine"); got != "enigne tikslt" {
				t.Fatalf("echo %q", got)
			}
			st := conn.State()
			if st.Version != VersionTLS12 || st.Suite != c.suite || st.PeerSignatureScheme != c.scheme {
				t.Errorf("version %x suite %x scheme %s, want 1.2 %x %s", st.Version, st.Suite, sig.Name(st.PeerSignatureScheme), c.suite, sig.Name(c.scheme))
			}
		})
	}
}

// TestEd25519TLS12AgainstCryptoTLS: Ed25519 at TLS 1.2 both ways against
// crypto/tls, server certificate and client certificate
// (ServerKeyExchange and CertificateVerify signed with ed25519).
func TestEd25519TLS12AgainstCryptoTLS(t *testing.T) {
	_, edKey, _ := ed25519.GenerateKey(rand.Reader)
	id, goCert := testIdentity(t, edKey)
	pool := x509.NewCertPool()
	leaf, _ := x509.ParseCertificate(id.Chain[0])
	pool.AddCert(leaf)
	t.Run("own client", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		errc := make(chan error, 1)
		go func() {
			c, err := l.Accept()
			if err != nil {
				errc <- err
				return
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(10 * time.Second))
			s := tls.Server(c, &tls.Config{Certificates: []tls.Certificate{goCert}, MaxVersion: tls.VersionTLS12,
				ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pool})
			err = s.Handshake()
			if err == nil && s.ConnectionState().PeerCertificates[0].PublicKeyAlgorithm != x509.Ed25519 {
				err = errNotEd25519
			}
			errc <- err
		}()
		cfg := all12(Config{Identities: []Identity{id}})
		conn := dialOwn(t, l.Addr().String(), &cfg)
		if err := conn.Handshake(); err != nil {
			t.Fatalf("handshake: %v", err)
		}
		if err := <-errc; err != nil {
			t.Fatalf("crypto/tls server: %v", err)
		}
		st := conn.State()
		if s, _ := suites.Lookup12(st.Suite); st.Version != VersionTLS12 || st.PeerSignatureScheme != sig.Ed25519 || s.Auth != suites.AuthECDSA {
			t.Errorf("version %x scheme %s suite %x", st.Version, sig.Name(st.PeerSignatureScheme), st.Suite)
		}
	})
	t.Run("own server", func(t *testing.T) {
		a, b := net.Pipe()
		defer a.Close()
		defer b.Close()
		a.SetDeadline(time.Now().Add(10 * time.Second))
		b.SetDeadline(time.Now().Add(10 * time.Second))
		srv := Server(a, &Config{MinVersion: VersionTLS12, Identities: []Identity{id}, RequireClientCert: true, RequestClientCert: true})
		errc := make(chan error, 1)
		go func() { errc <- srv.Handshake() }()
		cli := tls.Client(b, &tls.Config{RootCAs: pool, ServerName: "localhost", MaxVersion: tls.VersionTLS12,
			Certificates: []tls.Certificate{goCert}})
		if err := cli.Handshake(); err != nil {
			t.Fatalf("crypto/tls client: %v", err)
		}
		if err := <-errc; err != nil {
			t.Fatalf("own server: %v", err)
		}
		st := srv.State()
		if st.Version != VersionTLS12 || st.PeerSignatureScheme != sig.Ed25519 || len(st.PeerChain) != 1 {
			t.Errorf("version %x client's scheme %s chain %d", st.Version, sig.Name(st.PeerSignatureScheme), len(st.PeerChain))
		}
	})
}

var errNotEd25519 = errors.New("client certificate is not Ed25519")
