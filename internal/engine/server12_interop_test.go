package engine

import (
	"bufio"
	"encoding/hex"
	"errors"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/engine/suites"
	"github.com/tlskit/tlskit/internal/testpeer"
)

// ownServerMany serves every connection with the own engine: each line
// read is echoed back; the states of the handshakes (and their errors)
// are collected in order of completion.
type manyServer struct {
	mu      sync.Mutex
	sts     []State
	errs    []error
	changed chan struct{} // closed and replaced on every result
}

// results waits until n handshakes have ended (a client can exit before
// the server has read its last Finished), at most 10 s, and returns what
// was collected by then.
func (m *manyServer) results(n int) ([]State, []error) {
	timeout := time.After(10 * time.Second)
	for {
		m.mu.Lock()
		if len(m.sts) >= n {
			defer m.mu.Unlock()
			return append([]State(nil), m.sts...), append([]error(nil), m.errs...)
		}
		changed := m.changed
		m.mu.Unlock()
		select {
		case <-changed:
		case <-timeout:
			m.mu.Lock()
			defer m.mu.Unlock()
			return append([]State(nil), m.sts...), append([]error(nil), m.errs...)
		}
	}
}

func ownServerMany(t *testing.T, cfg *Config) (string, *manyServer) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	m := &manyServer{changed: make(chan struct{})}
	var wg sync.WaitGroup
	t.Cleanup(func() { l.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				c.SetDeadline(time.Now().Add(20 * time.Second))
				s := Server(c, cfg)
				defer s.Close()
				err := s.Handshake()
				m.mu.Lock()
				m.sts, m.errs = append(m.sts, s.State()), append(m.errs, err)
				close(m.changed)
				m.changed = make(chan struct{})
				m.mu.Unlock()
				if err != nil {
					return
				}
				r := bufio.NewReader(s)
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					s.Write([]byte(line))
				}
			}()
		}
	}()
	return l.Addr().String(), m
}

// TestServer12AgainstOpenSSLClient runs `openssl s_client` against the
// own TLS 1.0–1.2 server: each suite of OpenSSL's default list (DHE and
// RSA key exchange included) by -cipher, encrypt-then-MAC on and off,
// TLS 1.0 and 1.1 at SECLEVEL=0, and the master secret the client logged
// (which checks PRF, EMS and key exchange end to end).
func TestServer12AgainstOpenSSLClient(t *testing.T) {
	pki := testpeer.NewPKI(t)
	openssl := testpeer.Need(t, "openssl")
	rsaID := loadIdentity(t, pki.Server, pki.ServerKey)
	ecID := loadIdentity(t, pki.ECServer, pki.ECServerKey)
	type tc struct {
		name    string
		args    []string
		version uint16
		suite   uint16
		etm     bool
		want    []string
	}
	var cases []tc
	for _, id := range suites.Default12 {
		su, _ := suites.Lookup12(id)
		c := tc{name: su.Name, args: []string{"-tls1_2", "-cipher", su.Name}, version: VersionTLS12, suite: id,
			etm: su.Cipher == suites.AESCBC, want: []string{"Cipher is " + su.Name, "Protocol  : TLSv1.2"}}
		if su.Kx == 2 {
			c.want = append(c.want, "Server Temp Key: DH, 2048 bits")
		}
		cases = append(cases, c)
	}
	cases = append(cases,
		tc{name: "no_etm", args: []string{"-tls1_2", "-cipher", "ECDHE-RSA-AES128-SHA", "-no_etm"}, version: VersionTLS12,
			suite: suites.ECDHERSAAES128SHA, want: []string{"Cipher is ECDHE-RSA-AES128-SHA"}},
		tc{name: "TLS 1.1", args: []string{"-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"}, version: VersionTLS11,
			suite: suites.ECDHEECDSAAES256SHA, etm: true, want: []string{"Protocol  : TLSv1.1"}},
		tc{name: "TLS 1.0 RSA key exchange", args: []string{"-tls1", "-cipher", "AES128-SHA@SECLEVEL=0"}, version: VersionTLS10,
			suite: suites.RSAAES128SHA, etm: true, want: []string{"Protocol  : TLSv1\n"}},
		// The ECDSA certificate's P-256 is not among the client's
		// groups: the RSA one serves.
		tc{name: "x448", args: []string{"-tls1_2", "-groups", "x448"}, version: VersionTLS12,
			suite: suites.ECDHERSAAES256GCMSHA384, want: []string{"Server Temp Key: X448, 448 bits"}},
		tc{name: "P-521", args: []string{"-tls1_2", "-groups", "P-521:P-256"}, version: VersionTLS12,
			suite: suites.ECDHEECDSAAES256GCMSHA384, want: []string{"Server Temp Key: ECDH, secp521r1, 521 bits"}},
		tc{name: "ALPN", args: []string{"-tls1_2", "-alpn", "h2,http/1.1"}, version: VersionTLS12,
			suite: suites.ECDHEECDSAAES256GCMSHA384, want: []string{"ALPN protocol: http/1.1"}},
	)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := &Config{MinVersion: VersionTLS10, MaxVersion: VersionTLS13, Identities: []Identity{ecID, rsaID},
				ALPN: []string{"http/1.1"}}
			addr, res := ownServer(t, cfg)
			keylog := filepath.Join(t.TempDir(), "keylog")
			args := append([]string{"s_client", "-connect", addr, "-CAfile", pki.CA, "-servername", "localhost", "-keylogfile", keylog}, c.args...)
			out, errOut, code := testpeer.Run(t, 20*time.Second, "hello\n", openssl, args...)
			r := <-res
			if r.err != nil || r.line != "hello\n" || code != 0 {
				t.Fatalf("server: %v %q; openssl exit %d:\n%s\n%s", r.err, r.line, code, out, errOut)
			}
			for _, w := range append(c.want, "Verify return code: 0 (ok)", "Extended master secret: yes") {
				if !strings.Contains(out, w) {
					t.Errorf("openssl s_client did not print %q:\n%s", w, out)
				}
			}
			if r.st.Version != c.version || r.st.Suite != c.suite || r.st.EncryptThenMAC != c.etm {
				t.Errorf("own server: version %x suite %x etm %v", r.st.Version, r.st.Suite, r.st.EncryptThenMAC)
			}
			if got := keylogMaster(t, keylog, r.st.ClientRandom); got != hex.EncodeToString(r.st.MasterSecret) {
				t.Errorf("master secret: openssl logged %q, own %x", got, r.st.MasterSecret)
			}
		})
	}
}

// TestServer12OpenSSLSessions: openssl s_client -reconnect resumes by
// ticket, and with -no_ticket by session ID from the server's cache;
// -sess_out then -sess_in resumes in a second process; -fallback_scsv
// below the server's best is inappropriate_fallback; TLS 1.0 at security
// level 2 is refused with internal_error as openssl s_server refuses it.
func TestServer12OpenSSLSessions(t *testing.T) {
	pki := testpeer.NewPKI(t)
	openssl := testpeer.Need(t, "openssl")
	ecID := loadIdentity(t, pki.ECServer, pki.ECServerKey)
	base := []string{"s_client", "-CAfile", pki.CA, "-servername", "localhost"}
	for _, c := range []struct {
		name string
		args []string
	}{
		{"ticket", []string{"-tls1_2", "-reconnect"}},
		{"session ID", []string{"-tls1_2", "-reconnect", "-no_ticket"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			addr, m := ownServerMany(t, &Config{MinVersion: VersionTLS10, MaxVersion: VersionTLS13, Identities: []Identity{ecID}})
			out, errOut, code := testpeer.Run(t, 30*time.Second, "", openssl, append(append(base, "-connect", addr), c.args...)...)
			if code != 0 || strings.Count(out, "Reused, TLSv1.2, Cipher is ECDHE-ECDSA-AES256-GCM-SHA384") != 5 {
				t.Fatalf("openssl exit %d:\n%s\n%s", code, out, errOut)
			}
			sts, errs := m.results(6)
			resumed := 0
			for i, st := range sts {
				if errs[i] == nil && st.Resumed {
					resumed++
				}
			}
			if resumed != 5 || len(sts) != 6 {
				t.Errorf("own server resumed %d of %d", resumed, len(sts))
			}
		})
	}
	t.Run("sess_out sess_in", func(t *testing.T) {
		addr, m := ownServerMany(t, &Config{MinVersion: VersionTLS10, MaxVersion: VersionTLS12, Identities: []Identity{ecID}})
		sess := filepath.Join(t.TempDir(), "sess.pem")
		out, errOut, code := testpeer.Run(t, 20*time.Second, "", openssl, append(base, "-connect", addr, "-sess_out", sess)...)
		if code != 0 || !strings.Contains(out, "New, TLSv1.2") {
			t.Fatalf("first: exit %d\n%s\n%s", code, out, errOut)
		}
		out, errOut, code = testpeer.Run(t, 20*time.Second, "", openssl, append(base, "-connect", addr, "-sess_in", sess)...)
		if code != 0 || !strings.Contains(out, "Reused, TLSv1.2") {
			t.Fatalf("second: exit %d\n%s\n%s", code, out, errOut)
		}
		if sts, _ := m.results(2); len(sts) != 2 || !sts[1].Resumed {
			t.Errorf("own server states %+v", sts)
		}
	})
	for _, c := range []struct {
		name, want string
		cfg        Config
		args       []string
	}{
		{"fallback_scsv", "tlsv1 alert inappropriate fallback", Config{MaxVersion: VersionTLS12},
			[]string{"-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0", "-fallback_scsv"}},
		{"TLS 1.0 at level 2", "tlsv1 alert internal error", Config{MaxVersion: VersionTLS13, SecurityLevel: 2},
			[]string{"-tls1", "-cipher", "DEFAULT@SECLEVEL=0"}},
		{"TLS 1.1 at level 2", "tlsv1 alert internal error", Config{MaxVersion: VersionTLS13, SecurityLevel: 2},
			[]string{"-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := c.cfg
			cfg.MinVersion, cfg.Identities = VersionTLS10, []Identity{ecID}
			addr, res := ownServer(t, &cfg)
			_, errOut, code := testpeer.Run(t, 20*time.Second, "", openssl, append(append(base, "-connect", addr), c.args...)...)
			r := <-res
			var ae *AlertError
			if code != 1 || !strings.Contains(errOut, c.want) || !errors.As(r.err, &ae) || !ae.Sent {
				t.Errorf("openssl exit %d:\n%s\nown server: %v", code, errOut, r.err)
			}
		})
	}
}

// TestServer12AgainstGnuTLSClient runs gnutls-cli at TLS 1.2 and 1.1
// against the own server.
func TestServer12AgainstGnuTLSClient(t *testing.T) {
	pki := testpeer.NewPKI(t)
	gnutls := testpeer.Need(t, "gnutls-cli")
	for _, c := range []struct{ prio, want string }{
		{"NORMAL:-VERS-ALL:+VERS-TLS1.2", "TLS1.2"},
		{"NORMAL:-VERS-ALL:+VERS-TLS1.2:-AEAD:-ECDHE-ECDSA:-ECDHE-RSA:+RSA", "TLS1.2"},
		{"NORMAL:-VERS-ALL:+VERS-TLS1.1", "TLS1.1"},
	} {
		t.Run(c.prio, func(t *testing.T) {
			cfg := &Config{MinVersion: VersionTLS10, MaxVersion: VersionTLS13,
				Identities: []Identity{loadIdentity(t, pki.Server, pki.ServerKey)}}
			addr, res := ownServer(t, cfg)
			host, port, _ := net.SplitHostPort(addr)
			out, errOut, code := testpeer.Run(t, 20*time.Second, "hello\n", gnutls,
				"--x509cafile", pki.CA, "--port", port, "--sni-hostname", "localhost", "--verify-hostname", "localhost",
				"--priority", c.prio, host)
			r := <-res
			if r.err != nil || r.line != "hello\n" {
				t.Fatalf("server: %v %q\ngnutls-cli exit %d:\n%s\n%s", r.err, r.line, code, out, errOut)
			}
			if !strings.Contains(out+errOut, c.want) {
				t.Errorf("gnutls-cli did not report %s:\n%s\n%s", c.want, out, errOut)
			}
		})
	}
}
