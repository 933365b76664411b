package sserver

import (
	"bytes"
	"crypto/tls"
	"io"
	"net"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/engine"
	"github.com/tlskit/tlskit/internal/testpeer"
)

// TestWWWSessionBlock: the -www page's session block has what openssl
// s_server's has: in TLS 1.2 the master secret, and on resumption the
// session ID and the same master secret; in TLS 1.3 a session ID and the
// last ticket's resumption PSK. A resumed page, as openssl's, lists no
// shared ciphers, signature algorithms or groups in TLS 1.2, and no
// signature algorithms in TLS 1.3. The client is openssl s_client, saving
// the session with -sess_out and resuming it with -sess_in.
func TestWWWSessionBlock(t *testing.T) {
	pki := testpeer.NewPKI(t)
	for _, tc := range []struct {
		name string
		args []string
	}{{"TLS 1.2 ticket", []string{"-tls1_2"}}, {"TLS 1.2 session ID", []string{"-tls1_2", "-no_ticket"}}, {"TLS 1.3", nil}} {
		t.Run(tc.name, func(t *testing.T) {
			ts := startServer(t, "", append([]string{"-cert", pki.ECServer, "-key", pki.ECServerKey, "-www"}, tc.args...)...)
			sess := filepath.Join(t.TempDir(), "sess.pem")
			get := func(sessArg string) string {
				out, _ := runPeer(t, "GET / HTTP/1.0\r\n\r\n", 20*time.Second, "openssl", "s_client", "-connect", ts.addr,
					"-quiet", "-ign_eof", sessArg, sess)
				return out
			}
			first, second := get("-sess_out"), get("-sess_in")
			if !strings.Contains(first, "\nNew, ") || !strings.Contains(second, "\nReused, ") {
				t.Fatalf("not a new then a resumed session:\n%s\n%s", first, second)
			}
			field := func(page, name string) string {
				m := regexp.MustCompile(`(?m)^    ` + name + `: ?(.*)$`).FindStringSubmatch(page)
				if m == nil {
					t.Fatalf("no %s line:\n%s", name, page)
				}
				return m[1]
			}
			hex := regexp.MustCompile(`^[0-9A-F]+$`)
			if tc.args != nil {
				mk := field(first, "Master-Key")
				if len(mk) != 96 || !hex.MatchString(mk) || field(second, "Master-Key") != mk {
					t.Errorf("master keys %q, %q", mk, field(second, "Master-Key"))
				}
				if id := field(second, "Session-ID"); len(id) != 64 || !hex.MatchString(id) {
					t.Errorf("resumed Session-ID %q", id)
				}
				if strings.Contains(second, "Ciphers common") || strings.Contains(second, "Signature Algorithms") || strings.Contains(second, "groups:") {
					t.Errorf("resumed TLS 1.2 page lists shared parameters:\n%s", second)
				}
				// The list ends as openssl's does, with the PSK suites of the
				// default cipher string.
				if !regexp.MustCompile(`:PSK-AES128-CBC-SHA +\n---\nReused, TLSv1\.2, `).MatchString(second) {
					t.Errorf("resumed TLS 1.2 page: the cipher list is not followed by one --- and Reused:\n%s", second)
				}
				return
			}
			for _, page := range []string{first, second} {
				if id, psk := field(page, "Session-ID"), field(page, "Resumption PSK"); len(id) != 64 || !hex.MatchString(id) || len(psk) != 96 || !hex.MatchString(psk) {
					t.Errorf("Session-ID %q, Resumption PSK %q", id, psk)
				}
			}
			if !strings.Contains(second, "Ciphers common") || !strings.Contains(second, "\nShared groups: ") || strings.Contains(second, "Signature Algorithms") {
				t.Errorf("resumed TLS 1.3 page: want shared ciphers and groups, no signature algorithms:\n%s", second)
			}
		})
	}
}

// TestWWWSessionBlockPSK: the -www page's PSK lines are openssl
// s_server's: a TLS 1.2 PSK suite's client identity, on the new and on
// the resumed connection (by ticket and by session ID), and never the
// hint, which openssl's server session does not keep; a TLS 1.3 -psk
// connection has None for both. Each page is compared with openssl
// s_server -www's for the same openssl s_client -psk exchange.
func TestWWWSessionBlockPSK(t *testing.T) {
	testpeer.Need(t, "openssl")
	pskLines := regexp.MustCompile(`(?m)^    PSK identity.*$`)
	for _, tc := range []struct {
		name   string
		server []string
		client []string
		want   string
	}{
		{"TLS 1.2 ticket", []string{"-tls1_2"}, []string{"-psk_identity", "www id"}, "www id"},
		{"TLS 1.2 session ID", []string{"-tls1_2", "-no_ticket"}, []string{"-psk_identity", "www id", "-cipher", "PSK-AES128-GCM-SHA256"}, "www id"},
		{"TLS 1.3", nil, nil, "None"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"-nocert", "-psk", "1a2b3c4d", "-psk_hint", "www hint", "-www"}, tc.server...)
			pages := func(addr string) [2]string {
				sess := filepath.Join(t.TempDir(), "sess.pem")
				var p [2]string
				for i, sessArg := range []string{"-sess_out", "-sess_in"} {
					cli := append([]string{"s_client", "-connect", addr, "-quiet", "-ign_eof", "-psk", "1a2b3c4d", sessArg, sess}, tc.client...)
					p[i], _ = runPeer(t, "GET / HTTP/1.0\r\n\r\n", 20*time.Second, "openssl", cli...)
				}
				// A TLS 1.3 external PSK handshake is always "Reused".
				first := "\nNew, TLSv1.2, "
				if tc.server == nil {
					first = "\nReused, TLSv1.3, "
				}
				if !strings.Contains(p[0], first) || !strings.Contains(p[1], "\nReused, ") {
					t.Fatalf("want %q then a resumed session:\n%s\n%s", first[1:], p[0], p[1])
				}
				return p
			}
			ours := pages(startServer(t, "", args...).addr)
			theirs := pages(testpeer.OpenSSLServer(t, args...).Addr)
			for i := range ours {
				got, want := pskLines.FindAllString(ours[i], -1), pskLines.FindAllString(theirs[i], -1)
				if strings.Join(got, "\n") != strings.Join(want, "\n") || len(want) != 2 || want[0] != "    PSK identity: "+tc.want {
					t.Errorf("page %d: PSK lines %q, openssl's %q (want identity %s)", i, got, want, tc.want)
				}
			}
		})
	}
}

// TestPSK12IdentityTooLong: a client's PSK identity longer than openssl's
// PSK_MAX_IDENTITY_LEN (256) fails the connection with openssl
// s_server's ERROR and queue line (tls_process_cke_psk_preamble: data
// length too long); the client, the engine's (openssl s_client sends
// no identity that long), gets decode_error from openssl.
func TestPSK12IdentityTooLong(t *testing.T) {
	testpeer.Need(t, "openssl")
	args := []string{"-nocert", "-psk", "1a2b3c4d", "-tls1_2"}
	dial := func(addr string) error {
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		return engine.Client(c, &engine.Config{MinVersion: engine.VersionTLS12, MaxVersion: engine.VersionTLS12,
			PSK12: &engine.PSK12{Identity: bytes.Repeat([]byte("x"), engine.MaxPSKIdentityLen+1), Key: []byte{0x1a, 0x2b, 0x3c, 0x4d}}}).Handshake()
	}
	const line = ":error:0A000092:SSL routines:tls_process_cke_psk_preamble:data length too long:"
	ts := startServer(t, "", args...)
	dial(ts.addr)
	testpeer.WaitOutput(t, ts.err.String, line, 10*time.Second)
	ref := testpeer.OpenSSLServer(t, args...)
	if err := dial(ref.Addr); err == nil || !strings.Contains(err.Error(), "decode_error") {
		t.Errorf("openssl s_server: handshake %v, want its decode_error", err)
	}
	testpeer.WaitOutput(t, ref.Output, line, 10*time.Second)
	// The same two lines on stderr: ERROR, then the queue entry.
	m := regexp.MustCompile(`(?m)^ERROR\n[0-9A-F]{16}` + regexp.QuoteMeta(line))
	if !m.MatchString(ts.err.String()) || !m.MatchString(ref.Output()) {
		t.Errorf("ours:\n%s\nopenssl's:\n%s", ts.err, ref.Output())
	}
}

// TestWWWListsBlockPerClient: the page's block about the client's lists
// (common ciphers, signature algorithms, groups) is each client's own,
// also when it is the block kept from the client before: clients with
// other groups and suites one after another, then the first again, and
// a resumption (no signature algorithms in TLS 1.3).
func TestWWWListsBlockPerClient(t *testing.T) {
	ts := startServer(t, t.TempDir(), "-www")
	page := func(cfg *tls.Config) string {
		t.Helper()
		c, err := goClient(ts.addr, cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(20 * time.Second))
		io.WriteString(c, "GET / HTTP/1.0\r\n\r\n")
		body, _ := io.ReadAll(c)
		return string(body)
	}
	lines := func(p string) string {
		var keep []string
		for _, l := range strings.Split(p, "\n") {
			if strings.HasPrefix(l, "Supported groups:") || strings.HasPrefix(l, "Shared groups:") ||
				strings.HasPrefix(l, "Signature Algorithms:") || strings.HasPrefix(l, "TLS_") {
				keep = append(keep, strings.TrimSpace(l))
			}
		}
		return strings.Join(keep, "|")
	}
	a := &tls.Config{CurvePreferences: []tls.CurveID{tls.X25519, tls.CurveP256}}
	b := &tls.Config{CurvePreferences: []tls.CurveID{tls.CurveP384, tls.CurveP256}}
	tls12 := func(suite uint16) *tls.Config {
		return &tls.Config{MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{suite}}
	}
	first := lines(page(a))
	second := lines(page(b))
	again := lines(page(a))
	if !strings.Contains(first, "Supported groups: x25519:secp256r1|Shared groups: x25519:secp256r1") || first != again {
		t.Errorf("client A's lists: %q, then %q", first, again)
	}
	if !strings.Contains(second, "Supported groups: secp256r1:secp384r1|Shared groups: secp256r1:secp384r1") || strings.Contains(second, "x25519") {
		t.Errorf("client B's lists: %q", second)
	}
	for _, c := range []struct {
		suite uint16
		name  string
	}{{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, "ECDHE-ECDSA-AES128-GCM-SHA256"}, {tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, "ECDHE-ECDSA-CHACHA20-POLY1305"}} {
		if p := page(tls12(c.suite)); !strings.Contains(p, "Ciphers common between both SSL end points:\n"+c.name+"\n") {
			t.Errorf("TLS 1.2 client offering %s alone: %.1500q", c.name, p)
		}
	}
	cache := tls.NewLRUClientSessionCache(1)
	r := func() *tls.Config {
		return &tls.Config{CurvePreferences: []tls.CurveID{tls.X25519, tls.CurveP256}, ClientSessionCache: cache}
	}
	if p := page(r()); !strings.Contains(p, "Signature Algorithms:") {
		t.Fatalf("full handshake's page has no signature algorithms: %.300q", p)
	}
	if p := page(r()); !strings.Contains(p, "Reused, TLSv1.3") || strings.Contains(p, "Signature Algorithms:") {
		t.Errorf("resumption's page: %.2000q", p)
	}
}
