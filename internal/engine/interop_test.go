package engine

import (
	"bufio"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/engine/kx"
	"github.com/tlskit/tlskit/internal/engine/sig"
	"github.com/tlskit/tlskit/internal/engine/suites"
	"github.com/tlskit/tlskit/internal/testpeer"
)

// verifyWith returns a VerifyPeer hook that checks the chain against one
// CA file for localhost, so these tests also prove the chain arrived
// intact.
func verifyWith(t *testing.T, caFile string) func([][]byte, *State) error {
	pemBytes, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pemBytes)
	return func(chain [][]byte, _ *State) error {
		leaf, err := x509.ParseCertificate(chain[0])
		if err != nil {
			return err
		}
		inter := x509.NewCertPool()
		for _, d := range chain[1:] {
			if c, err := x509.ParseCertificate(d); err == nil {
				inter.AddCert(c)
			}
		}
		_, err = leaf.Verify(x509.VerifyOptions{Roots: pool, Intermediates: inter, DNSName: "localhost"})
		return err
	}
}

func loadIdentity(t *testing.T, certFile, keyFile string) Identity {
	t.Helper()
	cb, _ := os.ReadFile(certFile)
	kb, _ := os.ReadFile(keyFile)
	var id Identity
	for {
		var b *pem.Block
		if b, cb = pem.Decode(cb); b == nil {
			break
		}
		id.Chain = append(id.Chain, b.Bytes)
	}
	b, _ := pem.Decode(kb)
	if b == nil {
		t.Fatal("no key in", keyFile)
	}
	k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	signer, ok := k.(crypto.Signer)
	if !ok {
		t.Fatalf("%T is no signer", k)
	}
	id.Key = signer
	return id
}

// echoLine writes a line and reads the server's answer line.
func echoLine(t *testing.T, c *TLSConn, line string) string {
	t.Helper()
	if _, err := c.Write([]byte(line + "\n")); err != nil {
		t.Fatal(err)
	}
	got, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the answer to %q: %v", line, err)
	}
	return strings.TrimSuffix(got, "\n")
}

// dialEcho connects the own client to srv, completes the handshake and
// sends line, which must come back as want (srv echoes or, with -rev,
// reverses it). A failed handshake shows srv's output.
func dialEcho(t *testing.T, srv *testpeer.Server, cfg *Config, line, want string) *TLSConn {
	t.Helper()
	conn := dialOwn(t, srv.Addr, cfg)
	if err := conn.Handshake(); err != nil {
		t.Fatalf("handshake: %v\nserver:\n%s", err, srv.Output())
	}
	if got := echoLine(t, conn, line); got != want {
		t.Fatalf("echo %q", got)
	}
	return conn
}

// waitOutput waits (bounded) for the peer to print want.
func waitOutput(t *testing.T, s *testpeer.Server, want string) {
	t.Helper()
	testpeer.WaitOutput(t, s.Output, want, 10*time.Second)
}

// TestClientAgainstOpenSSL runs the own client against the real `openssl
// s_server -rev` (which answers each line reversed) and checks what both
// sides saw.
func TestClientAgainstOpenSSL(t *testing.T) {
	pki := testpeer.NewPKI(t)
	for _, c := range []struct {
		name       string
		server     []string
		cfg        Config
		wantSuite  uint16
		wantGroup  uint16
		wantHRR    bool
		serverSays []string
		keyUpdates bool
	}{
		{name: "defaults, RSA", server: []string{"-cert", pki.Server, "-key", pki.ServerKey},
			wantSuite: suites.AES256GCMSHA384, wantGroup: kx.X25519, keyUpdates: true,
			serverSays: []string{"Ciphersuite: TLS_AES_256_GCM_SHA384",
				// The same list openssl s_client 3.0 sends by default.
				"Client cipher list: TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256:TLS_EMPTY_RENEGOTIATION_INFO_SCSV"}},
		{name: "ECDSA, chacha", server: []string{"-cert", pki.ECServer, "-key", pki.ECServerKey},
			cfg:       Config{Suites13: []uint16{suites.ChaCha20Poly1305SHA256}},
			wantSuite: suites.ChaCha20Poly1305SHA256, wantGroup: kx.X25519,
			serverSays: []string{"Ciphersuite: TLS_CHACHA20_POLY1305_SHA256"}},
		{name: "HRR to secp384r1", server: []string{"-cert", pki.Server, "-key", pki.ServerKey, "-groups", "secp384r1"},
			cfg:       Config{Suites13: []uint16{suites.AES128GCMSHA256}},
			wantSuite: suites.AES128GCMSHA256, wantGroup: kx.Secp384r1, wantHRR: true,
			serverSays: []string{"Ciphersuite: TLS_AES_128_GCM_SHA256"}},
		{name: "secp521r1 share, padding", server: []string{"-cert", pki.ECServer, "-key", pki.ECServerKey},
			cfg:       Config{KeyShares: []uint16{kx.Secp521r1}, RecordPadding: 512},
			wantSuite: suites.AES256GCMSHA384, wantGroup: kx.Secp521r1},
		{name: "AES-128-CCM", server: []string{"-cert", pki.ECServer, "-key", pki.ECServerKey, "-ciphersuites", "TLS_AES_128_CCM_SHA256"},
			cfg:       Config{Suites13: []uint16{suites.AES128CCMSHA256}},
			wantSuite: suites.AES128CCMSHA256, wantGroup: kx.X25519,
			serverSays: []string{"Ciphersuite: TLS_AES_128_CCM_SHA256"}},
		{name: "AES-128-CCM-8", server: []string{"-cert", pki.ECServer, "-key", pki.ECServerKey, "-ciphersuites", "TLS_AES_128_CCM_8_SHA256:TLS_AES_128_GCM_SHA256"},
			cfg:       Config{Suites13: []uint16{suites.AES128CCM8SHA256, suites.AES128GCMSHA256}},
			wantSuite: suites.AES128CCM8SHA256, wantGroup: kx.X25519,
			serverSays: []string{"Ciphersuite: TLS_AES_128_CCM_8_SHA256"}},
		{name: "x448 by HRR", server: []string{"-cert", pki.ECServer, "-key", pki.ECServerKey, "-groups", "x448"},
			wantSuite: suites.AES256GCMSHA384, wantGroup: kx.X448, wantHRR: true,
			serverSays: []string{"Ciphersuite: TLS_AES_256_GCM_SHA384"}},
		{name: "client certificate", server: []string{"-cert", pki.Server, "-key", pki.ServerKey, "-Verify", "1", "-CAfile", pki.CA},
			cfg:       Config{Identities: []Identity{loadIdentity(t, pki.Client, pki.ClientKey)}},
			wantSuite: suites.AES256GCMSHA384, wantGroup: kx.X25519,
			serverSays: []string{"CN = tlskit client", "verify return:1"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := testpeer.OpenSSLServer(t, append([]string{"-tls1_3", "-rev", "-naccept", "1", "-num_tickets", "2"}, c.server...)...)
			cfg := c.cfg
			cfg.ServerName = "localhost"
			cfg.VerifyPeer = verifyWith(t, pki.CA)
			conn := dialEcho(t, srv, &cfg, "tlskit engine", "enigne tikslt")
			// KeyUpdate with and without a request, then more data. (Each
			// costs a second: openssl's -rev loop sleeps when SSL_read
			// returns after a KeyUpdate without data.)
			updates := []bool{true}
			if c.keyUpdates {
				updates = []bool{true, false, true}
			}
			for _, req := range updates {
				if err := conn.KeyUpdate(req); err != nil {
					t.Fatal(err)
				}
				if got := echoLine(t, conn, "abc"); got != "cba" {
					t.Fatalf("echo after KeyUpdate %q", got)
				}
			}
			st := conn.State()
			if st.Suite != c.wantSuite || st.Group != c.wantGroup || st.HelloRetry != c.wantHRR || st.Version != VersionTLS13 {
				t.Errorf("state: suite %x group %s HRR %v", st.Suite, kx.Name(st.Group), st.HelloRetry)
			}
			if len(st.Tickets) != 2 {
				t.Errorf("%d tickets, want the 2 -num_tickets 2 sends", len(st.Tickets))
			}
			for _, s := range append([]string{"Protocol version: TLSv1.3"}, c.serverSays...) {
				waitOutput(t, srv, s)
			}
		})
	}
}

// TestClientAgainstGnuTLS runs the own client against gnutls-serv --echo.
func TestClientAgainstGnuTLS(t *testing.T) {
	pki := testpeer.NewPKI(t)
	for _, c := range []struct {
		name     string
		priority string
		cfg      Config
		group    uint16
	}{
		{"defaults", "NORMAL", Config{}, kx.X25519},
		{"secp256r1 only: HRR", "NORMAL:-GROUP-ALL:+GROUP-SECP256R1", Config{}, kx.Secp256r1},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := testpeer.GnuTLSServer(t, "--echo", "--x509certfile", pki.ECServer, "--x509keyfile", pki.ECServerKey, "--priority", c.priority)
			cfg := c.cfg
			cfg.ServerName = "localhost"
			cfg.VerifyPeer = verifyWith(t, pki.CA)
			conn := dialEcho(t, srv, &cfg, "hello gnutls", "hello gnutls")
			if err := conn.KeyUpdate(true); err != nil {
				t.Fatal(err)
			}
			if got := echoLine(t, conn, "after update"); got != "after update" {
				t.Fatalf("echo %q", got)
			}
			if st := conn.State(); st.Group != c.group {
				t.Errorf("group %s, want %s", kx.Name(st.Group), kx.Name(c.group))
			}
		})
	}
}

// TestClientEd448AndRSAPSSServers: openssl s_server with an Ed448 and with
// an RSASSA-PSS certificate; the own client verifies their
// CertificateVerify with ed448 and rsa_pss_pss_sha256.
func TestClientEd448AndRSAPSSServers(t *testing.T) {
	openssl := testpeer.Need(t, "openssl")
	dir := t.TempDir()
	for _, c := range []struct {
		name   string
		newkey []string
		scheme uint16
	}{
		{"ed448", []string{"-newkey", "ed448"}, sig.Ed448},
		{"rsa-pss", []string{"-newkey", "rsa-pss", "-pkeyopt", "rsa_keygen_bits:2048"}, sig.RSAPSSPSSSHA256},
	} {
		t.Run(c.name, func(t *testing.T) {
			cert, key := filepath.Join(dir, c.name+".pem"), filepath.Join(dir, c.name+".key")
			_, errOut, code := testpeer.Run(t, 30*time.Second, "", openssl, append([]string{"req", "-x509", "-nodes",
				"-keyout", key, "-out", cert, "-subj", "/CN=localhost", "-days", "2"}, c.newkey...)...)
			if code != 0 {
				t.Fatal(errOut)
			}
			srv := testpeer.OpenSSLServer(t, "-tls1_3", "-rev", "-naccept", "1", "-cert", cert, "-key", key)
			conn := dialOwn(t, srv.Addr, &Config{})
			if err := conn.Handshake(); err != nil {
				t.Fatalf("%v\n%s", err, srv.Output())
			}
			if st := conn.State(); st.PeerSignatureScheme != c.scheme {
				t.Errorf("peer scheme %s, want %s", sig.Name(st.PeerSignatureScheme), sig.Name(c.scheme))
			}
			if got := echoLine(t, conn, "ab"); got != "ba" {
				t.Errorf("echo %q", got)
			}
		})
	}
}
