package optgroups_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/testpeer"
)

// The drifts issue 10 found between the commands, each checked through
// both commands against real peers, with openssl's verdict beside
// tlskit's: whichever program plays s_client or s_server, the result
// must be openssl's.

const peerTimeout = 20 * time.Second

// clientRun runs `prog s_client -connect addr args` with an empty stdin.
func clientRun(t *testing.T, prog string, env []string, addr string, args ...string) (string, string, int) {
	t.Helper()
	all := append([]string{"s_client", "-connect", addr}, args...)
	return testpeer.RunEnv(t, peerTimeout, env, "", prog, all...)
}

// wwwGet asks an s_server -www for its page and returns what the client printed.
func wwwGet(t *testing.T, addr string, args ...string) (string, int) {
	t.Helper()
	openssl := testpeer.Need(t, "openssl")
	all := append([]string{"s_client", "-connect", addr, "-ign_eof"}, args...)
	out, errs, code := testpeer.Run(t, peerTimeout, "GET / HTTP/1.0\r\n\r\n", openssl, all...)
	return out + errs, code
}

var tempKey = regexp.MustCompile(`(?m)^Server Temp Key: .*$`)

func TestGroupsLastOneWins(t *testing.T) {
	openssl := testpeer.Need(t, "openssl")
	pki := testpeer.NewPKI(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-groups", "P-256", "-curves", "X25519"}, "Server Temp Key: X25519, 253 bits"},
		{[]string{"-curves", "X25519", "-groups", "P-256"}, "Server Temp Key: ECDH, prime256v1, 256 bits"},
	} {
		// tlskit or openssl as the client, openssl as the server.
		srv := testpeer.OpenSSLServer(t, "-cert", pki.ECServer, "-key", pki.ECServerKey, "-www")
		for _, prog := range []string{openssl, tlskit} {
			out, _, _ := clientRun(t, prog, nil, srv.Addr, tc.args...)
			if got := tempKey.FindString(out); got != tc.want {
				t.Errorf("%s s_client %v: %q, want %q", filepath.Base(prog), tc.args, got, tc.want)
			}
		}
		// tlskit or openssl as the server, openssl's default client.
		for _, prog := range []string{openssl, tlskit} {
			args := append([]string{"-cert", pki.ECServer, "-key", pki.ECServerKey, "-www"}, tc.args...)
			srv := testpeer.SServer(t, prog, nil, args...)
			out, _ := wwwGet(t, srv.Addr)
			if got := tempKey.FindString(out); got != tc.want {
				t.Errorf("%s s_server %v: %q, want %q", filepath.Base(prog), tc.args, got, tc.want)
			}
		}
	}
}

var verifyCode = regexp.MustCompile(`(?m)^Verify return code: \d+`)

func TestCAOptionsLastOneWins(t *testing.T) {
	openssl := testpeer.Need(t, "openssl")
	pki := testpeer.NewPKI(t)
	srv := testpeer.OpenSSLServer(t, "-cert", pki.Server, "-key", pki.ServerKey, "-www")
	for _, tc := range []struct {
		first, last string
		want        string
	}{
		{pki.SelfSigned, pki.CA, "Verify return code: 0"},
		{pki.CA, pki.SelfSigned, "Verify return code: 21"},
	} {
		for _, opts := range [][]string{{"-CAfile", "-CAfile"}, {"-verifyCAfile", "-verifyCAfile"}, {"-CAfile", "-verifyCAfile"}} {
			// With -CAfile then -verifyCAfile, the verify store replaces
			// the trust store for verification: the last one wins again.
			args := []string{opts[0], tc.first, opts[1], tc.last, "-no-CApath"}
			for _, prog := range []string{openssl, tlskit} {
				out, _, _ := clientRun(t, prog, nil, srv.Addr, args...)
				if got := verifyCode.FindString(out); got != tc.want {
					t.Errorf("%s s_client %v: %q, want %q", filepath.Base(prog), args, got, tc.want)
				}
			}
		}
	}
	// s_server: the client's certificate is verified against the last
	// -CAfile only; a rejected client gets no page.
	for _, tc := range []struct {
		first, last string
		accepted    bool
	}{
		{pki.SelfSigned, pki.CA, true},
		{pki.CA, pki.SelfSigned, false},
	} {
		for _, prog := range []string{openssl, tlskit} {
			args := []string{"-cert", pki.Server, "-key", pki.ServerKey, "-www", "-Verify", "2", "-verify_return_error",
				"-CAfile", tc.first, "-CAfile", tc.last, "-no-CApath"}
			srv := testpeer.SServer(t, prog, nil, args...)
			out, _ := wwwGet(t, srv.Addr, "-cert", pki.Client, "-key", pki.ClientKey)
			if got := strings.Contains(out, "HTTP/1.0 200 ok"); got != tc.accepted {
				t.Errorf("%s s_server -CAfile %s -CAfile %s: client accepted %v, want %v\nclient:\n%s\nserver:\n%s",
					filepath.Base(prog), filepath.Base(tc.first), filepath.Base(tc.last), got, tc.accepted, out, srv.Output())
			}
		}
	}
}

// errLinePlace matches what differs between openssl's error lines and
// tlskit's: the thread ID and the source file and line.
var errLinePlace = regexp.MustCompile(`(?m)^[0-9A-F]+:error:([0-9A-F]{8}:[^:]*:[^:]*:[^:]*):[^:]*:\d+:`)

// TestMissingCAFileLikeOpenSSL: a -CAfile that does not exist stops both
// commands before they connect or listen, with openssl's three error
// lines (BIO_new_file's two, then X509_load_cert_crl_file_ex's) and exit 1.
func TestMissingCAFileLikeOpenSSL(t *testing.T) {
	openssl := testpeer.Need(t, "openssl")
	pki := testpeer.NewPKI(t)
	missing := filepath.Join(t.TempDir(), "nope.pem")
	for _, args := range [][]string{
		{"s_client", "-connect", "127.0.0.1:1", "-CAfile", missing},
		{"s_server", "-accept", "0", "-cert", pki.Server, "-key", pki.ServerKey, "-CAfile", missing},
	} {
		_, want, wantCode := testpeer.Run(t, peerTimeout, "", openssl, args...)
		_, got, code := testpeer.Run(t, peerTimeout, "", tlskit, args...)
		want, got = errLinePlace.ReplaceAllString(want, "T:error:$1:F:L:"), errLinePlace.ReplaceAllString(got, "T:error:$1:F:L:")
		if !strings.Contains(want, "calling fopen("+missing+", r)") {
			t.Fatalf("openssl %s: no fopen line:\n%s", args[0], want)
		}
		if got != want || code != wantCode {
			t.Errorf("%s: exit %d, stderr:\n%s\nopenssl's (exit %d):\n%s", args[0], code, got, wantCode, want)
		}
	}
}

func TestBuildChainSendsTheRoot(t *testing.T) {
	openssl := testpeer.Need(t, "openssl")
	pki := testpeer.NewPKI(t)
	rootLine := " 1 s:C = US, O = tlskit tests, CN = tlskit Test Root"
	// s_server -build_chain: the client sees leaf and root.
	for _, prog := range []string{openssl, tlskit} {
		srv := testpeer.SServer(t, prog, nil, "-cert", pki.Server, "-key", pki.ServerKey, "-CAfile", pki.CA, "-build_chain", "-www")
		out, _ := wwwGet(t, srv.Addr, "-showcerts")
		if !strings.Contains(out, rootLine) {
			t.Errorf("%s s_server -build_chain: the chain lacks the root:\n%s", filepath.Base(prog), out)
		}
	}
	// s_client -build_chain: the server sees the client's root at depth 1
	// (self-signed certificate in certificate chain, 19) instead of a leaf
	// whose issuer it cannot find (20).
	for _, prog := range []string{openssl, tlskit} {
		srv := testpeer.OpenSSLServer(t, "-cert", pki.Server, "-key", pki.ServerKey, "-Verify", "2", "-www")
		clientRun(t, prog, nil, srv.Addr, "-cert", pki.Client, "-key", pki.ClientKey, "-CAfile", pki.CA, "-build_chain")
		// openssl writes "depth=1 " and then the name in pieces: wait
		// for the whole line, not its first bytes.
		testpeer.WaitOutputFunc(t, srv.Output, filepath.Base(prog)+" s_client -build_chain: the server's depth=1 line for the root", func(out string) bool {
			return strings.Contains(out, "depth=1 C = US, O = tlskit tests, CN = tlskit Test Root\n")
		}, peerTimeout)
	}
}

// writeConf writes an openssl.cnf whose system_default section holds lines.
func writeConf(t *testing.T, lines ...string) []string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "openssl.cnf")
	text := "openssl_conf = openssl_init\n[openssl_init]\nssl_conf = ssl_sect\n[ssl_sect]\nsystem_default = system_default_sect\n[system_default_sect]\n" +
		strings.Join(lines, "\n") + "\n"
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return []string{"OPENSSL_CONF=" + p}
}

// TestOpenSSLConf sets OPENSSL_CONF to a temporary file, runs openssl and
// tlskit under it, and compares: the system defaults apply under the
// command line as openssl applies them.
func TestOpenSSLConf(t *testing.T) {
	openssl := testpeer.Need(t, "openssl")
	pki := testpeer.NewPKI(t)
	srv := testpeer.OpenSSLServer(t, "-cert", pki.Server, "-key", pki.ServerKey, "-www")
	for _, tc := range []struct {
		name string
		conf []string
		args []string
		want []string // regexps the client's stdout must match
		code int
	}{
		{"MinProtocol", []string{"MinProtocol = TLSv1.3"}, nil, []string{`(?m)^New, TLSv1\.3`}, 0},
		{"MinProtocol under -max_protocol", []string{"MinProtocol = TLSv1.3"}, []string{"-max_protocol", "TLSv1.2"}, []string{`(?m)^New, \(NONE\)|^$`}, 1},
		{"MinProtocol under -tls1_2", []string{"MinProtocol = TLSv1.3"}, []string{"-tls1_2"}, []string{`(?m)^New, TLSv1\.2`}, 0},
		{"MaxProtocol", []string{"MaxProtocol = TLSv1.2"}, nil, []string{`(?m)^    Protocol  : TLSv1\.2$`}, 0},
		{"CipherString", []string{"MaxProtocol = TLSv1.2", "CipherString = ECDHE-RSA-AES128-SHA"}, nil, []string{`(?m)^New, \S+, Cipher is ECDHE-RSA-AES128-SHA$`}, 0},
		{"-cipher over CipherString", []string{"MaxProtocol = TLSv1.2", "CipherString = ECDHE-RSA-AES128-SHA"}, []string{"-cipher", "ECDHE-RSA-AES256-GCM-SHA384"}, []string{`Cipher is ECDHE-RSA-AES256-GCM-SHA384`}, 0},
		{"Groups", []string{"Groups = P-384"}, nil, []string{`(?m)^Server Temp Key: ECDH, secp384r1, 384 bits$`}, 0},
		{"Curves", []string{"Curves = P-521"}, nil, []string{`(?m)^Server Temp Key: ECDH, secp521r1, 521 bits$`}, 0},
		{"SECLEVEL=3", []string{"CipherString = DEFAULT@SECLEVEL=3"}, []string{"-CAfile", pki.CA}, []string{`(?m)^Verify return code: 66 `}, 0},
		{"SECLEVEL=2", []string{"CipherString = DEFAULT@SECLEVEL=2"}, []string{"-CAfile", pki.CA}, []string{`(?m)^Verify return code: 0 `}, 0},
		{"SignatureAlgorithms", []string{"SignatureAlgorithms = rsa_pss_rsae_sha512"}, nil, []string{`(?m)^Peer signing digest: SHA512$`}, 0},
		{"-sigalgs over SignatureAlgorithms", []string{"SignatureAlgorithms = rsa_pss_rsae_sha512"}, []string{"-sigalgs", "rsa_pss_rsae_sha384"}, []string{`(?m)^Peer signing digest: SHA384$`}, 0},
		{"Ciphersuites", []string{"Ciphersuites = TLS_CHACHA20_POLY1305_SHA256"}, nil, []string{`(?m)^New, TLSv1\.3, Cipher is TLS_CHACHA20_POLY1305_SHA256$`}, 0},
		{"a bad value is skipped", []string{"MinProtocol = Bogus", "MaxProtocol = TLSv1.2"}, nil, []string{`(?m)^    Protocol  : TLSv1\.2$`}, 0},
		// Unknown commands, bad values and a server's commands are
		// skipped too, silently. (Not a CipherString that matches no
		// suite: openssl is then left with no TLS 1.2 suite.)
		{"failing commands are skipped", []string{"Frobnicate = 1", "Groups = NOPE", "ECDHParameters = P-256", "NumTickets = 1", "Options = ServerPreference", "MaxProtocol = TLSv1.2"}, nil, []string{`(?m)^    Protocol  : TLSv1\.2$`}, 0},
		{"Protocol", []string{"Protocol = -ALL, TLSv1.2"}, nil, []string{`(?m)^    Protocol  : TLSv1\.2$`}, 0},
	} {
		env := writeConf(t, tc.conf...)
		for _, prog := range []string{openssl, tlskit} {
			out, errs, code := clientRun(t, prog, env, srv.Addr, tc.args...)
			if code != tc.code {
				t.Errorf("%s: %s s_client %v: exit %d, want %d\n%s", tc.name, filepath.Base(prog), tc.args, code, tc.code, errs)
			}
			for _, w := range tc.want {
				if !regexp.MustCompile(w).MatchString(out) {
					t.Errorf("%s: %s s_client %v: stdout lacks %q:\n%s", tc.name, filepath.Base(prog), tc.args, w, out)
				}
			}
		}
	}
	// The same file under s_server.
	for _, tc := range []struct {
		name string
		conf []string
		want string
	}{
		{"MaxProtocol", []string{"MaxProtocol = TLSv1.2"}, `(?m)^    Protocol  : TLSv1\.2$`},
		{"Groups", []string{"Groups = P-384"}, `(?m)^Server Temp Key: ECDH, secp384r1, 384 bits$`},
		{"CipherString", []string{"MaxProtocol = TLSv1.2", "CipherString = ECDHE-RSA-AES128-SHA"}, `Cipher is ECDHE-RSA-AES128-SHA`},
		// The server's own commands.
		{"ECDHParameters", []string{"ECDHParameters = P-384"}, `(?m)^Server Temp Key: ECDH, secp384r1, 384 bits$`},
		{"Options", []string{"Options = ServerPreference", "MaxProtocol = TLSv1.2", "CipherString = AES128-SHA:AES256-SHA"}, `Cipher is AES128-SHA`},
	} {
		env := writeConf(t, tc.conf...)
		for _, prog := range []string{openssl, tlskit} {
			srv := testpeer.SServer(t, prog, env, "-cert", pki.Server, "-key", pki.ServerKey, "-www")
			out, _ := wwwGet(t, srv.Addr)
			if !regexp.MustCompile(tc.want).MatchString(out) {
				t.Errorf("%s: %s s_server: the client's output lacks %q:\n%s", tc.name, filepath.Base(prog), tc.want, out)
			}
		}
	}
}

// TestEmptyCiphersuites: -ciphersuites "" leaves TLS 1.3 no suite; openssl's
// client then refuses to start a handshake unless TLS 1.3 is off.
func TestEmptyCiphersuites(t *testing.T) {
	openssl := testpeer.Need(t, "openssl")
	pki := testpeer.NewPKI(t)
	srv := testpeer.OpenSSLServer(t, "-cert", pki.Server, "-key", pki.ServerKey, "-www")
	for _, prog := range []string{openssl, tlskit} {
		_, errs, code := clientRun(t, prog, nil, srv.Addr, "-ciphersuites", "")
		if code != 1 || !strings.Contains(errs, ":error:0A0000B5:SSL routines:ssl_cipher_list_to_bytes:no ciphers available:") {
			t.Errorf("%s s_client -ciphersuites '': exit %d, stderr:\n%s", filepath.Base(prog), code, errs)
		}
		out, _, code := clientRun(t, prog, nil, srv.Addr, "-ciphersuites", "", "-max_protocol", "TLSv1.2")
		if code != 0 || !regexp.MustCompile(`(?m)^New, TLSv1\.2, `).MatchString(out) {
			t.Errorf("%s s_client -ciphersuites '' -max_protocol TLSv1.2: exit %d, stdout:\n%s", filepath.Base(prog), code, out)
		}
	}
}

// TestBuildChainChecksAGivenChain: with -cert_chain, -build_chain only
// checks the given chain (SSL_BUILD_CHAIN_FLAG_CHECK): it must lead from
// the leaf to a self-signed certificate among the given ones, the trust
// and chain stores unused. Both commands start, or fail naming the same
// verify error, as openssl 3.0's do.
func TestBuildChainChecksAGivenChain(t *testing.T) {
	openssl := testpeer.Need(t, "openssl")
	pki := testpeer.NewPKI(t)
	d := t.TempDir()
	f := func(n string) string { return filepath.Join(d, n) }
	os.WriteFile(f("ca.ext"), []byte("basicConstraints=critical,CA:TRUE\nkeyUsage=keyCertSign,cRLSign\n"), 0o644)
	for _, c := range [][]string{
		{"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", f("inter.key"), "-out", f("inter.csr"), "-subj", "/CN=tlskit Inter"},
		{"x509", "-req", "-in", f("inter.csr"), "-CA", pki.CA, "-CAkey", pki.CAKey, "-CAcreateserial", "-out", f("inter.pem"), "-days", "30", "-extfile", f("ca.ext")},
		{"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", f("leaf.key"), "-out", f("leaf.csr"), "-subj", "/CN=localhost"},
		{"x509", "-req", "-in", f("leaf.csr"), "-CA", f("inter.pem"), "-CAkey", f("inter.key"), "-CAcreateserial", "-out", f("leaf.pem"), "-days", "30"},
	} {
		if out, _, code := testpeer.Run(t, peerTimeout, "", openssl, c...); code != 0 {
			t.Fatalf("openssl %v: %s", c, out)
		}
	}
	inter, _ := os.ReadFile(f("inter.pem"))
	root, _ := os.ReadFile(pki.CA)
	os.WriteFile(f("interroot.pem"), append(inter, root...), 0o644)
	leaf := []string{"-cert", f("leaf.pem"), "-key", f("leaf.key"), "-build_chain"}
	for _, tc := range []struct {
		name string
		args []string
		ok   bool
	}{
		{"intermediate and root given", []string{"-cert_chain", f("interroot.pem")}, true},
		{"intermediate given, root in CAfile", []string{"-cert_chain", f("inter.pem"), "-CAfile", pki.CA}, false},
		{"intermediate given, root in chainCAfile", []string{"-cert_chain", f("inter.pem"), "-chainCAfile", pki.CA}, false},
		{"root given", []string{"-cert_chain", pki.CA, "-CAfile", f("interroot.pem")}, false},
	} {
		for _, cmd := range []string{"s_server", "s_client"} {
			args := append(append([]string(nil), leaf...), tc.args...)
			want := startUp(t, openssl, cmd, nil, args...)
			got := startUp(t, tlskit, cmd, nil, args...)
			if (want == "ok\n") != tc.ok {
				t.Errorf("%s %s: openssl (the measurement changed?):\n%s", cmd, tc.name, want)
			}
			if got != want {
				t.Errorf("%s %s:\ntlskit:\n%s\nopenssl:\n%s", cmd, tc.name, got, want)
			}
		}
	}
}
