package engine

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"net"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/engine/alert"
	"github.com/tlskit/tlskit/internal/engine/kx"
	"github.com/tlskit/tlskit/internal/engine/suites"
	"github.com/tlskit/tlskit/internal/testpeer"
)

// testIdentity makes a self-signed certificate for localhost with the
// given key.
func testIdentity(t testing.TB, key crypto.Signer) (Identity, tls.Certificate) {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		DNSNames: []string{"localhost"}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	return Identity{Chain: [][]byte{der}, Key: key}, tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

func keysForTest(t testing.TB) map[string]crypto.Signer {
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	return map[string]crypto.Signer{"ecdsa-p256": p256, "ecdsa-p384": p384, "rsa2048": rk, "ed25519": ed}
}

// goServer runs one crypto/tls server connection: it echoes one line,
// then reports its state.
type goResult struct {
	st   tls.ConnectionState
	ekm  []byte
	err  error
	echo []byte
}

func goServer(t *testing.T, cfg *tls.Config) (string, <-chan goResult) {
	t.Helper()
	res := make(chan goResult, 1)
	addr := testpeer.ServeOne(t, 20*time.Second, func(c net.Conn) {
		defer c.Close()
		s := tls.Server(c, cfg)
		var r goResult
		if r.err = s.Handshake(); r.err != nil {
			res <- r
			return
		}
		buf := make([]byte, 64)
		n, err := s.Read(buf)
		if err != nil {
			r.err = err
			res <- r
			return
		}
		r.echo = buf[:n]
		if _, r.err = s.Write(buf[:n]); r.err != nil {
			res <- r
			return
		}
		r.st = s.ConnectionState()
		r.ekm, r.err = r.st.ExportKeyingMaterial("EXPERIMENTAL tlskit", []byte("ctx"), 32)
		// Wait for the client's close_notify.
		io.Copy(io.Discard, s)
		res <- r
	})
	return addr, res
}

func dialOwn(t *testing.T, addr string, cfg *Config) *TLSConn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(20 * time.Second))
	tc := Client(c, cfg)
	t.Cleanup(func() { tc.Close() })
	return tc
}

// TestClientAgainstCryptoTLS is the differential test: the own client and
// a crypto/tls server must agree on every negotiated parameter and on the
// exporter's output.
func TestClientAgainstCryptoTLS(t *testing.T) {
	ks := keysForTest(t)
	type tc struct {
		name      string
		key       string
		suite     uint16
		shares    []uint16
		groups    []uint16
		goCurves  []tls.CurveID
		wantGroup uint16
		wantHRR   bool
		alpn      []string
	}
	cases := []tc{
		{name: "aes128 x25519 ecdsa", key: "ecdsa-p256", suite: suites.AES128GCMSHA256, wantGroup: kx.X25519},
		{name: "aes256 ecdsa p384", key: "ecdsa-p384", suite: suites.AES256GCMSHA384, wantGroup: kx.X25519},
		{name: "chacha rsa-pss", key: "rsa2048", suite: suites.ChaCha20Poly1305SHA256, wantGroup: kx.X25519},
		{name: "ed25519 alpn", key: "ed25519", suite: suites.AES128GCMSHA256, wantGroup: kx.X25519, alpn: []string{"h2", "http/1.1"}},
		{name: "HRR to P-256", key: "ecdsa-p256", suite: suites.AES128GCMSHA256, goCurves: []tls.CurveID{tls.CurveP256}, wantGroup: kx.Secp256r1, wantHRR: true},
	}
	for _, g := range []uint16{kx.Secp256r1, kx.Secp384r1, kx.Secp521r1, kx.X25519MLKEM768, kx.SecP256r1MLKEM768, kx.SecP384r1MLKEM1024} {
		cases = append(cases, tc{name: kx.Name(g), key: "ecdsa-p256", suite: suites.AES128GCMSHA256,
			shares: []uint16{g}, groups: []uint16{g, kx.X25519}, goCurves: []tls.CurveID{tls.CurveID(g)}, wantGroup: g})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			id, goCert := testIdentity(t, ks[c.key])
			_ = id
			scfg := &tls.Config{Certificates: []tls.Certificate{goCert}, MinVersion: tls.VersionTLS13,
				CurvePreferences: c.goCurves, NextProtos: []string{"http/1.1", "h2"}}
			addr, res := goServer(t, scfg)
			var chain [][]byte
			cfg := &Config{Suites13: []uint16{c.suite}, KeyShares: c.shares, Groups: c.groups, ALPN: c.alpn,
				ServerName: "localhost",
				VerifyPeer: func(ch [][]byte, _ *State) error { chain = ch; return nil }}
			conn := dialOwn(t, addr, cfg)
			if err := conn.Handshake(); err != nil {
				t.Fatal(err)
			}
			if _, err := conn.Write([]byte("ping\n")); err != nil {
				t.Fatal(err)
			}
			buf := make([]byte, 16)
			n, err := conn.Read(buf)
			if err != nil || string(buf[:n]) != "ping\n" {
				t.Fatalf("echo: %q %v", buf[:n], err)
			}
			ekm, err := conn.ExportKeyingMaterial("EXPERIMENTAL tlskit", []byte("ctx"), 32)
			if err != nil {
				t.Fatal(err)
			}
			conn.CloseWrite()
			r := <-res
			if r.err != nil {
				t.Fatal("server:", r.err)
			}
			st := conn.State()
			if st.Version != r.st.Version || st.Suite != r.st.CipherSuite || st.Suite != c.suite {
				t.Errorf("version/suite: own %x/%x, crypto/tls %x/%x", st.Version, st.Suite, r.st.Version, r.st.CipherSuite)
			}
			if st.Group != uint16(r.st.CurveID) || st.Group != c.wantGroup {
				t.Errorf("group: own %s, crypto/tls %v, want %s", kx.Name(st.Group), r.st.CurveID, kx.Name(c.wantGroup))
			}
			if st.HelloRetry != c.wantHRR || r.st.HelloRetryRequest != c.wantHRR {
				t.Errorf("HRR: own %v, crypto/tls %v, want %v", st.HelloRetry, r.st.HelloRetryRequest, c.wantHRR)
			}
			if st.ALPN != r.st.NegotiatedProtocol {
				t.Errorf("ALPN: own %q, crypto/tls %q", st.ALPN, r.st.NegotiatedProtocol)
			}
			if !bytes.Equal(ekm, r.ekm) {
				t.Errorf("exporter differs:\n own %x\n  go %x", ekm, r.ekm)
			}
			if len(chain) != 1 || !bytes.Equal(chain[0], goCert.Certificate[0]) {
				t.Error("VerifyPeer did not see the server's chain")
			}
		})
	}
}

// TestClientPostHandshake: tickets arrive, KeyUpdate works both ways
// (ours with update_requested makes crypto/tls update too), and many
// updates in a row carry on.
func TestClientPostHandshake(t *testing.T) {
	_, goCert := testIdentity(t, keysForTest(t)["ecdsa-p256"])
	addr, done := goEchoServer(t, &tls.Config{Certificates: []tls.Certificate{goCert}})
	conn := dialOwn(t, addr, &Config{})
	buf := make([]byte, 64)
	for i := 0; i < 40; i++ {
		if err := conn.KeyUpdate(i%2 == 0); err != nil {
			t.Fatalf("KeyUpdate %d: %v", i, err)
		}
		if _, err := conn.Write([]byte("x")); err != nil {
			t.Fatal(err)
		}
		if n, err := conn.Read(buf); err != nil || string(buf[:n]) != "x" {
			t.Fatalf("after KeyUpdate %d: %q %v", i, buf[:n], err)
		}
	}
	if st := conn.State(); len(st.Tickets) == 0 || len(st.Tickets[0].PSK) != 32 || st.Tickets[0].Lifetime <= 0 {
		t.Errorf("tickets: %+v", st.Tickets)
	}
	conn.CloseWrite()
	if err := <-done; err != nil {
		t.Fatal("server:", err)
	}
}

// TestClientCertToCryptoTLS: a server asking for a certificate gets ours
// and checks its CertificateVerify.
func TestClientCertToCryptoTLS(t *testing.T) {
	k := keysForTest(t)
	_, srv := testIdentity(t, k["ecdsa-p256"])
	cli, _ := testIdentity(t, k["rsa2048"])
	addr, res := goServer(t, &tls.Config{Certificates: []tls.Certificate{srv}, ClientAuth: tls.RequireAnyClientCert})
	conn := dialOwn(t, addr, &Config{Identities: []Identity{cli}})
	conn.Write([]byte("hi"))
	conn.Read(make([]byte, 8))
	conn.CloseWrite()
	r := <-res
	if r.err != nil {
		t.Fatal(r.err)
	}
	if len(r.st.PeerCertificates) != 1 || !bytes.Equal(r.st.PeerCertificates[0].Raw, cli.Chain[0]) {
		t.Error("crypto/tls did not get the client certificate")
	}
	if !conn.State().ClientCertRequested {
		t.Error("State.ClientCertRequested not set")
	}
}

// TestClientRefusedByTLS12: a TLS 1.2-only server refuses a TLS 1.3-only
// client with protocol_version, which the error reports as received.
func TestClientRefusedByTLS12(t *testing.T) {
	_, goCert := testIdentity(t, keysForTest(t)["ecdsa-p256"])
	addr, res := goServer(t, &tls.Config{Certificates: []tls.Certificate{goCert}, MaxVersion: tls.VersionTLS12})
	conn := dialOwn(t, addr, &Config{})
	err := conn.Handshake()
	var ae *AlertError
	if !errors.As(err, &ae) || ae.Sent || ae.Description != alert.ProtocolVersion || ae.Reason != "ssl/tls alert protocol version" {
		t.Fatalf("got %v", err)
	}
	if r := <-res; r.err == nil {
		t.Error("crypto/tls server finished a handshake")
	}
}
