package engine

import (
	"bufio"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/engine/kx"
	"github.com/tlskit/tlskit/internal/engine/suites"
	"github.com/tlskit/tlskit/internal/testpeer"
)

// all12 is a configuration offering TLS 1.0–1.3 in one ClientHello.
func all12(cfg Config) Config {
	cfg.MinVersion, cfg.MaxVersion = VersionTLS10, VersionTLS13
	return cfg
}

// keylogMaster reads the master secret openssl logged for a client
// random (NSS key log format, CLIENT_RANDOM lines).
func keylogMaster(t *testing.T, file string, clientRandom []byte) string {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) == 3 && fs[0] == "CLIENT_RANDOM" && strings.EqualFold(fs[1], hex.EncodeToString(clientRandom)) {
			return strings.ToLower(fs[2])
		}
	}
	return ""
}

// TestClient12AgainstOpenSSL runs the own client, offering TLS 1.0–1.3,
// against `openssl s_server -rev` held to TLS 1.2, 1.1 or 1.0: suites of
// every kind, encrypt-then-MAC on and off, DHE with -dhparam, RSA key
// exchange, client certificates. Each case checks the echo, what both
// sides say was negotiated, and the master secret against the one
// openssl wrote to its -keylogfile (which checks the PRF and EMS end to
// end).
func TestClient12AgainstOpenSSL(t *testing.T) {
	pki := testpeer.NewPKI(t)
	openssl := testpeer.Need(t, "openssl")
	dir := t.TempDir()
	ffdhe := filepath.Join(dir, "ffdhe2048.pem")
	if _, e, code := testpeer.Run(t, 30*time.Second, "", openssl, "genpkey", "-genparam", "-algorithm", "DH", "-pkeyopt", "group:ffdhe2048", "-out", ffdhe); code != 0 {
		t.Fatal(e)
	}
	rsa := []string{"-cert", pki.Server, "-key", pki.ServerKey}
	ec := []string{"-cert", pki.ECServer, "-key", pki.ECServerKey}
	type tc struct {
		name       string
		server     []string
		cfg        Config
		version    uint16
		suite      uint16
		etm        bool
		dhBits     int
		group      uint16
		serverSays []string
	}
	cases := []tc{
		{name: "defaults RSA", server: append([]string{"-tls1_2"}, rsa...), version: VersionTLS12,
			suite: suites.ECDHERSAAES256GCMSHA384, group: kx.X25519,
			serverSays: []string{"Ciphersuite: ECDHE-RSA-AES256-GCM-SHA384",
				// The list openssl s_client 3.0 sends by default.
				"Client cipher list: TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:DHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-SHA384:ECDHE-RSA-AES256-SHA384:DHE-RSA-AES256-SHA256:ECDHE-ECDSA-AES128-SHA256:ECDHE-RSA-AES128-SHA256:DHE-RSA-AES128-SHA256:ECDHE-ECDSA-AES256-SHA:ECDHE-RSA-AES256-SHA:DHE-RSA-AES256-SHA:ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA:DHE-RSA-AES128-SHA:AES256-GCM-SHA384:AES128-GCM-SHA256:AES256-SHA256:AES128-SHA256:AES256-SHA:AES128-SHA:TLS_EMPTY_RENEGOTIATION_INFO_SCSV"}},
		{name: "defaults ECDSA", server: append([]string{"-tls1_2"}, ec...), version: VersionTLS12,
			suite: suites.ECDHEECDSAAES256GCMSHA384, group: kx.X25519},
		{name: "ECDSA chacha P-384", server: append([]string{"-tls1_2", "-cipher", "ECDHE-ECDSA-CHACHA20-POLY1305", "-groups", "secp384r1"}, ec...),
			version: VersionTLS12, suite: suites.ECDHEECDSAChaCha20, group: kx.Secp384r1},
		{name: "x448", server: append([]string{"-tls1_2", "-groups", "x448"}, rsa...),
			version: VersionTLS12, suite: suites.ECDHERSAAES256GCMSHA384, group: kx.X448},
		{name: "DHE ffdhe2048", server: append([]string{"-tls1_2", "-cipher", "DHE-RSA-AES128-GCM-SHA256", "-dhparam", ffdhe}, rsa...),
			version: VersionTLS12, suite: suites.DHERSAAES128GCMSHA256, dhBits: 2048},
		{name: "DHE auto chacha", server: append([]string{"-tls1_2", "-cipher", "DHE-RSA-CHACHA20-POLY1305"}, rsa...),
			version: VersionTLS12, suite: suites.DHERSAChaCha20, dhBits: 2048},
		{name: "DHE CBC etm", server: append([]string{"-tls1_2", "-cipher", "DHE-RSA-AES256-SHA256"}, rsa...),
			version: VersionTLS12, suite: suites.DHERSAAES256SHA256, dhBits: 2048, etm: true},
		{name: "RSA kx GCM", server: append([]string{"-tls1_2", "-cipher", "AES256-GCM-SHA384"}, rsa...),
			version: VersionTLS12, suite: suites.RSAAES256GCMSHA384},
		{name: "RSA kx CBC no_etm", server: append([]string{"-tls1_2", "-cipher", "AES128-SHA", "-no_etm"}, rsa...),
			version: VersionTLS12, suite: suites.RSAAES128SHA},
		{name: "client certificate", server: append([]string{"-tls1_2", "-Verify", "1", "-CAfile", pki.CA}, rsa...),
			cfg:     Config{Identities: []Identity{loadIdentity(t, pki.Client, pki.ClientKey)}},
			version: VersionTLS12, suite: suites.ECDHERSAAES256GCMSHA384, group: kx.X25519,
			serverSays: []string{"CN = tlskit client", "verify return:1"}},
		{name: "RSA client certificate", server: append([]string{"-tls1_2", "-Verify", "1", "-CAfile", pki.CA}, ec...),
			cfg:     Config{Identities: []Identity{loadIdentity(t, pki.Server, pki.ServerKey)}},
			version: VersionTLS12, suite: suites.ECDHEECDSAAES256GCMSHA384, group: kx.X25519,
			serverSays: []string{"depth=0 CN = localhost"}},
		{name: "TLS 1.0 RSA client certificate", server: append([]string{"-tls1", "-cipher", "ECDHE-ECDSA-AES128-SHA:@SECLEVEL=0", "-Verify", "1", "-CAfile", pki.CA}, ec...),
			cfg:     Config{Identities: []Identity{loadIdentity(t, pki.Server, pki.ServerKey)}},
			version: VersionTLS10, suite: suites.ECDHEECDSAAES128SHA, etm: true, group: kx.X25519,
			serverSays: []string{"depth=0 CN = localhost"}},
	}
	for _, s := range []struct {
		suite uint16
		cert  []string
	}{
		{suites.ECDHERSAAES256SHA384, rsa}, {suites.ECDHERSAAES128SHA256, rsa}, {suites.ECDHERSAAES256SHA, rsa},
		{suites.ECDHEECDSAAES256SHA384, ec}, {suites.ECDHEECDSAAES128SHA, ec}, {suites.DHERSAAES128SHA, rsa},
	} {
		st, _ := suites.Lookup12(s.suite)
		for _, etm := range []bool{true, false} {
			args := append([]string{"-tls1_2", "-cipher", st.Name}, s.cert...)
			if !etm {
				args = append(args, "-no_etm")
			}
			c := tc{name: st.Name + map[bool]string{true: " etm", false: " no_etm"}[etm], server: args,
				version: VersionTLS12, suite: s.suite, etm: etm, group: kx.X25519}
			if st.Kx == 2 {
				c.group, c.dhBits = 0, 2048
			}
			cases = append(cases, c)
		}
	}
	for _, v := range []struct {
		flag    string
		version uint16
	}{{"-tls1_1", VersionTLS11}, {"-tls1", VersionTLS10}} {
		cases = append(cases,
			tc{name: v.flag + " ECDHE-RSA", server: append([]string{v.flag, "-cipher", "ECDHE-RSA-AES128-SHA:@SECLEVEL=0"}, rsa...),
				version: v.version, suite: suites.ECDHERSAAES128SHA, etm: true, group: kx.X25519},
			tc{name: v.flag + " ECDHE-ECDSA no_etm", server: append([]string{v.flag, "-no_etm", "-cipher", "ECDHE-ECDSA-AES256-SHA:@SECLEVEL=0"}, ec...),
				version: v.version, suite: suites.ECDHEECDSAAES256SHA, group: kx.X25519},
			tc{name: v.flag + " DHE", server: append([]string{v.flag, "-cipher", "DHE-RSA-AES256-SHA:@SECLEVEL=0", "-dhparam", ffdhe}, rsa...),
				version: v.version, suite: suites.DHERSAAES256SHA, etm: true, dhBits: 2048},
			tc{name: v.flag + " RSA kx", server: append([]string{v.flag, "-cipher", "AES128-SHA:@SECLEVEL=0"}, rsa...),
				version: v.version, suite: suites.RSAAES128SHA, etm: true},
			tc{name: v.flag + " client certificate", server: append([]string{v.flag, "-cipher", "ECDHE-RSA-AES256-SHA:@SECLEVEL=0", "-Verify", "1", "-CAfile", pki.CA}, rsa...),
				cfg:     Config{Identities: []Identity{loadIdentity(t, pki.Client, pki.ClientKey)}},
				version: v.version, suite: suites.ECDHERSAAES256SHA, etm: true, group: kx.X25519,
				serverSays: []string{"CN = tlskit client", "verify return:1"}},
		)
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			keylog := filepath.Join(dir, "keys"+strings.Repeat("x", i)+".txt")
			srv := testpeer.OpenSSLServer(t, append([]string{"-rev", "-naccept", "1", "-keylogfile", keylog}, c.server...)...)
			cfg := all12(c.cfg)
			cfg.ServerName = "localhost"
			cfg.VerifyPeer = verifyWith(t, pki.CA)
			conn := dialEcho(t, srv, &cfg, "tlskit engine", "enigne tikslt")
			st := conn.State()
			if st.Version != c.version || st.Suite != c.suite || st.Group != c.group || st.DHBits != c.dhBits {
				t.Errorf("state: version %x suite %x group %s DH %d", st.Version, st.Suite, kx.Name(st.Group), st.DHBits)
			}
			if st.EncryptThenMAC != c.etm || !st.ExtendedMasterSecret || !st.SecureRenegotiation {
				t.Errorf("etm %v (want %v), ems %v, secure renegotiation %v", st.EncryptThenMAC, c.etm, st.ExtendedMasterSecret, st.SecureRenegotiation)
			}
			conn.CloseWrite()
			vname := map[uint16]string{VersionTLS10: "TLSv1", VersionTLS11: "TLSv1.1", VersionTLS12: "TLSv1.2"}[c.version]
			for _, s := range append([]string{"Protocol version: " + vname}, c.serverSays...) {
				waitOutput(t, srv, s)
			}
			if got := keylogMaster(t, keylog, st.ClientRandom); got != hex.EncodeToString(st.MasterSecret) {
				t.Errorf("master secret: own %x, openssl's key log %s", st.MasterSecret, got)
			}
		})
	}
}
