package engine

import (
	"testing"

	"github.com/tlskit/tlskit/internal/engine/kx"
	"github.com/tlskit/tlskit/internal/engine/suites"
	"github.com/tlskit/tlskit/internal/testpeer"
)

// TestClient12AgainstGnuTLS runs the own client, offering TLS 1.0–1.3,
// against gnutls-serv --echo held to TLS 1.2 (and 1.1, 1.0) by its
// priority string: AEAD, CBC with and without encrypt-then-MAC, DHE and
// RSA key exchange, and a resumption by ticket.
func TestClient12AgainstGnuTLS(t *testing.T) {
	pki := testpeer.NewPKI(t)
	const base = "NORMAL:-VERS-ALL:"
	for _, c := range []struct {
		name     string
		priority string
		cert     []string
		version  uint16
		suite    uint16
		etm      bool
		group    uint16
	}{
		{"ECDHE-ECDSA GCM", base + "+VERS-TLS1.2", []string{pki.ECServer, pki.ECServerKey}, VersionTLS12, suites.ECDHEECDSAAES256GCMSHA384, false, kx.X25519},
		{"ECDHE-RSA chacha", base + "+VERS-TLS1.2:-CIPHER-ALL:+CHACHA20-POLY1305", []string{pki.Server, pki.ServerKey}, VersionTLS12, suites.ECDHERSAChaCha20, false, kx.X25519},
		{"ECDHE-RSA CBC etm", base + "+VERS-TLS1.2:-CIPHER-ALL:+AES-128-CBC:-MAC-ALL:+SHA1", []string{pki.Server, pki.ServerKey}, VersionTLS12, suites.ECDHERSAAES128SHA, true, kx.X25519},
		{"ECDHE-RSA CBC no etm", base + "+VERS-TLS1.2:-CIPHER-ALL:+AES-256-CBC:-MAC-ALL:+SHA1:%NO_ETM", []string{pki.Server, pki.ServerKey}, VersionTLS12, suites.ECDHERSAAES256SHA, false, kx.X25519},
		{"DHE-RSA", base + "+VERS-TLS1.2:-KX-ALL:+DHE-RSA", []string{pki.Server, pki.ServerKey}, VersionTLS12, suites.DHERSAAES256GCMSHA384, false, 0},
		{"RSA kx", base + "+VERS-TLS1.2:-KX-ALL:+RSA", []string{pki.Server, pki.ServerKey}, VersionTLS12, suites.RSAAES256GCMSHA384, false, 0},
		{"TLS 1.1", base + "+VERS-TLS1.1", []string{pki.Server, pki.ServerKey}, VersionTLS11, suites.ECDHERSAAES256SHA, true, kx.X25519},
		{"TLS 1.0 ECDSA", base + "+VERS-TLS1.0", []string{pki.ECServer, pki.ECServerKey}, VersionTLS10, suites.ECDHEECDSAAES256SHA, true, kx.X25519},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := testpeer.GnuTLSServer(t, "--echo", "--x509certfile", c.cert[0], "--x509keyfile", c.cert[1], "--priority", c.priority)
			cfg := all12(Config{ServerName: "localhost", VerifyPeer: verifyWith(t, pki.CA)})
			conn := dialEcho(t, srv, &cfg, "hello gnutls", "hello gnutls")
			st := conn.State()
			conn.Close()
			if st.Version != c.version || st.Suite != c.suite || st.EncryptThenMAC != c.etm || st.Group != c.group {
				t.Errorf("state: version %x suite %x etm %v group %s", st.Version, st.Suite, st.EncryptThenMAC, kx.Name(st.Group))
			}
			if st.Session12 == nil {
				t.Fatal("no session")
			}
			cfg.Session12 = st.Session12
			conn2 := dialOwn(t, srv.Addr, &cfg)
			if got := echoLine(t, conn2, "again"); got != "again" {
				t.Fatalf("echo %q", got)
			}
			if !conn2.State().Resumed {
				t.Error("not resumed")
			}
		})
	}
}
