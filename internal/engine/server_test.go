package engine

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/engine/alert"
	"github.com/tlskit/tlskit/internal/engine/kx"
	"github.com/tlskit/tlskit/internal/engine/suites"
	"github.com/tlskit/tlskit/internal/testpeer"
)

type ownResult struct {
	st   State
	ekm  []byte
	line string
	err  error
}

// ownServer serves one connection with the own engine: it answers one
// line with the same line and reports its state.
func ownServer(t *testing.T, cfg *Config) (string, <-chan ownResult) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	res := make(chan ownResult, 1)
	go func() {
		c, err := l.Accept()
		if err != nil {
			res <- ownResult{err: err}
			return
		}
		c.SetDeadline(time.Now().Add(20 * time.Second))
		s := Server(c, cfg)
		defer s.Close()
		var r ownResult
		if r.err = s.Handshake(); r.err != nil {
			res <- r
			return
		}
		line, err := bufio.NewReader(s).ReadString('\n')
		if err != nil {
			r.err = err
			res <- r
			return
		}
		r.line = line
		if _, r.err = s.Write([]byte(line)); r.err != nil {
			res <- r
			return
		}
		r.st = s.State()
		r.ekm, r.err = s.ExportKeyingMaterial("EXPERIMENTAL tlskit", []byte("ctx"), 32)
		res <- r
	}()
	return l.Addr().String(), res
}

// TestServerAgainstCryptoTLS is the differential test for the server side.
func TestServerAgainstCryptoTLS(t *testing.T) {
	ks := keysForTest(t)
	for _, c := range []struct {
		name      string
		key       string
		cfg       Config
		goCfg     *tls.Config
		wantSuite uint16
		wantGroup uint16
		wantHRR   bool
		wantALPN  string
	}{
		// crypto/tls shares X25519MLKEM768 and x25519; the server's default
		// groups are openssl 3.0's, without the hybrid, so x25519 wins.
		{name: "defaults ecdsa", key: "ecdsa-p256", wantSuite: suites.AES128GCMSHA256, wantGroup: kx.X25519},
		{name: "hybrid when the server has it", key: "ecdsa-p256", cfg: Config{Groups: []uint16{kx.X25519MLKEM768, kx.X25519}},
			wantSuite: suites.AES128GCMSHA256, wantGroup: kx.X25519MLKEM768},
		{name: "rsa, server has chacha only", key: "rsa2048", cfg: Config{Suites13: []uint16{suites.ChaCha20Poly1305SHA256}}, wantSuite: suites.ChaCha20Poly1305SHA256, wantGroup: kx.X25519},
		{name: "ed25519, x25519 only", key: "ed25519", goCfg: &tls.Config{CurvePreferences: []tls.CurveID{tls.X25519}},
			wantSuite: suites.AES128GCMSHA256, wantGroup: kx.X25519},
		{name: "HRR to P-384", key: "ecdsa-p384", cfg: Config{Groups: []uint16{kx.Secp384r1}},
			wantSuite: suites.AES128GCMSHA256, wantGroup: kx.Secp384r1, wantHRR: true},
		{name: "ALPN server order", key: "ecdsa-p256", cfg: Config{ALPN: []string{"http/1.1", "h2"}},
			goCfg: &tls.Config{NextProtos: []string{"h2", "http/1.1"}}, wantSuite: suites.AES128GCMSHA256,
			wantGroup: kx.X25519, wantALPN: "http/1.1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			id, goCert := testIdentity(t, ks[c.key])
			cfg := c.cfg
			cfg.Identities = []Identity{id}
			addr, res := ownServer(t, &cfg)
			pool := x509.NewCertPool()
			leaf, _ := x509.ParseCertificate(goCert.Certificate[0])
			pool.AddCert(leaf)
			gc := &tls.Config{}
			if c.goCfg != nil {
				gc = c.goCfg.Clone()
			}
			gc.RootCAs, gc.ServerName, gc.MinVersion = pool, "localhost", tls.VersionTLS13
			cs, ekm, err := goClientEcho(t, addr, gc)
			if err != nil {
				t.Fatal(err)
			}
			r := <-res
			if r.err != nil {
				t.Fatal("server:", r.err)
			}
			if r.st.Suite != cs.CipherSuite || r.st.Suite != c.wantSuite {
				t.Errorf("suite: own %x, crypto/tls %x, want %x", r.st.Suite, cs.CipherSuite, c.wantSuite)
			}
			if r.st.Group != uint16(cs.CurveID) || r.st.Group != c.wantGroup {
				t.Errorf("group: own %s, crypto/tls %v, want %s", kx.Name(r.st.Group), cs.CurveID, kx.Name(c.wantGroup))
			}
			if r.st.HelloRetry != c.wantHRR || cs.HelloRetryRequest != c.wantHRR {
				t.Errorf("HRR: own %v, crypto/tls %v", r.st.HelloRetry, cs.HelloRetryRequest)
			}
			if r.st.ALPN != cs.NegotiatedProtocol || r.st.ALPN != c.wantALPN {
				t.Errorf("ALPN: own %q, crypto/tls %q, want %q", r.st.ALPN, cs.NegotiatedProtocol, c.wantALPN)
			}
			if r.st.ServerName != "localhost" {
				t.Errorf("SNI %q", r.st.ServerName)
			}
			if !bytes.Equal(ekm, r.ekm) {
				t.Errorf("exporter differs:\n own %x\n  go %x", r.ekm, ekm)
			}
		})
	}
}

// TestServerClientCert: a required client certificate from crypto/tls
// reaches VerifyPeer; a client without one gets certificate_required.
func TestServerClientCert(t *testing.T) {
	ks := keysForTest(t)
	id, goSrv := testIdentity(t, ks["ecdsa-p256"])
	_, goCli := testIdentity(t, ks["ed25519"])
	var seen [][]byte
	cfg := &Config{Identities: []Identity{id}, RequireClientCert: true,
		VerifyPeer: func(ch [][]byte, _ *State) error { seen = ch; return nil }}
	addr, res := ownServer(t, cfg)
	leaf, _ := x509.ParseCertificate(goSrv.Certificate[0])
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	conn, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: pool, ServerName: "localhost", Certificates: []tls.Certificate{goCli}})
	if err != nil {
		t.Fatal(err)
	}
	conn.SetDeadline(time.Now().Add(20 * time.Second))
	conn.Write([]byte("x\n"))
	bufio.NewReader(conn).ReadString('\n')
	conn.Close()
	if r := <-res; r.err != nil || len(seen) != 1 || !bytes.Equal(seen[0], goCli.Certificate[0]) {
		t.Fatalf("client certificate not seen: %v", r.err)
	}

	addr, res = ownServer(t, cfg)
	conn, err = tls.Dial("tcp", addr, &tls.Config{RootCAs: pool, ServerName: "localhost"})
	if err == nil {
		conn.SetDeadline(time.Now().Add(20 * time.Second))
		conn.Write([]byte("x\n"))
		_, err = conn.Read(make([]byte, 1))
		conn.Close()
	}
	if err == nil || !strings.Contains(err.Error(), "certificate required") {
		t.Errorf("crypto/tls client saw %v", err)
	}
	r := <-res
	var ae *AlertError
	if !errors.As(r.err, &ae) || !ae.Sent || ae.Description != alert.CertificateRequired {
		t.Errorf("server: %v", r.err)
	}
}

// TestOwnClientOwnServer: both sides of the own engine, with KeyUpdates.
func TestOwnClientOwnServer(t *testing.T) {
	id, _ := testIdentity(t, keysForTest(t)["rsa2048"])
	addr, res := ownServer(t, &Config{Identities: []Identity{id}, Groups: []uint16{kx.SecP256r1MLKEM768, kx.X25519}})
	conn := dialOwn(t, addr, &Config{KeyShares: []uint16{kx.X25519}, Groups: []uint16{kx.X25519, kx.SecP256r1MLKEM768}, RecordPadding: 64})
	if err := conn.KeyUpdate(true); err != nil {
		t.Fatal(err)
	}
	conn.Write([]byte("own\n"))
	got, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil || got != "own\n" {
		t.Fatalf("%q %v", got, err)
	}
	r := <-res
	if r.err != nil {
		t.Fatal(r.err)
	}
	// The client's share (x25519) is in the server's list, so no retry.
	if r.st.Group != kx.X25519 || r.st.HelloRetry {
		t.Errorf("group %s HRR %v", kx.Name(r.st.Group), r.st.HelloRetry)
	}
	ekm, _ := conn.ExportKeyingMaterial("EXPERIMENTAL tlskit", []byte("ctx"), 32)
	if !bytes.Equal(ekm, r.ekm) {
		t.Error("exporters differ")
	}
}

// TestServerAgainstOpenSSLClient runs `openssl s_client` against the own
// server and checks what openssl printed.
func TestServerAgainstOpenSSLClient(t *testing.T) {
	pki := testpeer.NewPKI(t)
	for _, c := range []struct {
		name    string
		args    []string
		cfg     Config
		cert    [2]string
		want    []string
		wantErr string
	}{
		{name: "defaults RSA", cert: [2]string{pki.Server, pki.ServerKey},
			want: []string{"New, TLSv1.3, Cipher is TLS_AES_256_GCM_SHA384", "Verify return code: 0 (ok)", "Server Temp Key: X25519, 253 bits"}},
		{name: "server preference", cert: [2]string{pki.ECServer, pki.ECServerKey},
			cfg:  Config{ServerPreference: true, Suites13: []uint16{suites.ChaCha20Poly1305SHA256, suites.AES128GCMSHA256}},
			want: []string{"New, TLSv1.3, Cipher is TLS_CHACHA20_POLY1305_SHA256", "Peer signature type: ECDSA"}},
		{name: "HRR to P-521", args: []string{"-groups", "x25519:P-521"}, cert: [2]string{pki.ECServer, pki.ECServerKey},
			cfg:  Config{Groups: []uint16{kx.Secp521r1}},
			want: []string{"Server Temp Key: ECDH, secp521r1, 521 bits", "New, TLSv1.3"}},
		{name: "AES-128-CCM-8 by client preference", args: []string{"-ciphersuites", "TLS_AES_128_CCM_8_SHA256:TLS_AES_128_CCM_SHA256"},
			cert: [2]string{pki.ECServer, pki.ECServerKey},
			cfg:  Config{Suites13: []uint16{suites.AES128CCMSHA256, suites.AES128CCM8SHA256}},
			want: []string{"New, TLSv1.3, Cipher is TLS_AES_128_CCM_8_SHA256"}},
		{name: "x448", args: []string{"-groups", "x448"}, cert: [2]string{pki.ECServer, pki.ECServerKey},
			want: []string{"Server Temp Key: X448, 448 bits"}},
		{name: "ALPN", args: []string{"-alpn", "h2,http/1.1"}, cert: [2]string{pki.Server, pki.ServerKey},
			cfg: Config{ALPN: []string{"http/1.1"}}, want: []string{"ALPN protocol: http/1.1"}},
		{name: "ALPN mismatch", args: []string{"-alpn", "h2"}, cert: [2]string{pki.Server, pki.ServerKey},
			cfg: Config{ALPN: []string{"http/1.1"}}, wantErr: "no application protocol"},
		{name: "client cert", args: []string{"-cert", pki.Client, "-key", pki.ClientKey}, cert: [2]string{pki.Server, pki.ServerKey},
			cfg: Config{RequireClientCert: true}, want: []string{"New, TLSv1.3"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := c.cfg
			cfg.Identities = []Identity{loadIdentity(t, c.cert[0], c.cert[1])}
			addr, res := ownServer(t, &cfg)
			args := append([]string{"s_client", "-connect", addr, "-CAfile", pki.CA, "-servername", "localhost", "-tls1_3"}, c.args...)
			out, errOut, code := testpeer.Run(t, 20*time.Second, "hello\n", testpeer.Need(t, "openssl"), args...)
			r := <-res
			if c.wantErr != "" {
				if code != 1 || !strings.Contains(errOut, c.wantErr) {
					t.Fatalf("exit %d, stderr:\n%s", code, errOut)
				}
				var ae *AlertError
				if !errors.As(r.err, &ae) || !ae.Sent {
					t.Errorf("server: %v", r.err)
				}
				return
			}
			if r.err != nil || r.line != "hello\n" {
				t.Fatalf("server: %v %q\nopenssl:\n%s\n%s", r.err, r.line, out, errOut)
			}
			for _, w := range c.want {
				if !strings.Contains(out, w) {
					t.Errorf("openssl s_client did not print %q:\n%s", w, out)
				}
			}
		})
	}
}

// TestServerAgainstGnuTLSClient runs gnutls-cli against the own server.
func TestServerAgainstGnuTLSClient(t *testing.T) {
	pki := testpeer.NewPKI(t)
	cfg := &Config{Identities: []Identity{loadIdentity(t, pki.ECServer, pki.ECServerKey)}}
	addr, res := ownServer(t, cfg)
	host, port, _ := net.SplitHostPort(addr)
	out, errOut, code := testpeer.Run(t, 20*time.Second, "hello\n", testpeer.Need(t, "gnutls-cli"),
		"--x509cafile", pki.CA, "--port", port, "--sni-hostname", "localhost", "--verify-hostname", "localhost", host)
	r := <-res
	if r.err != nil || r.line != "hello\n" {
		t.Fatalf("server: %v %q\ngnutls-cli exit %d:\n%s\n%s", r.err, r.line, code, out, errOut)
	}
	if !strings.Contains(out+errOut, "TLS1.3") {
		t.Errorf("gnutls-cli did not report TLS1.3:\n%s\n%s", out, errOut)
	}
}
