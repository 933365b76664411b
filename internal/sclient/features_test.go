package sclient

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/opt"
	"github.com/tlskit/tlskit/internal/testpeer"
)

// runClientTests runs a clientTest table against fresh openssl s_servers.
func runClientTests(t *testing.T, pki *testpeer.PKI, tests []clientTest) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cert, key := pki.Server, pki.ServerKey
			if tc.ecdsa {
				cert, key = pki.ECServer, pki.ECServerKey
			}
			srv := testpeer.OpenSSLServer(t, append([]string{"-cert", cert, "-key", key}, tc.server...)...)
			args := append([]string{"-connect", srv.Addr}, tc.args...)
			out, errs, code := runClient(t, tc.stdin, args...)
			if code != tc.wantCode {
				t.Errorf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.wantCode, out, errs)
			}
			mustMatch(t, "stdout", out, tc.wantOut...)
			mustMatch(t, "stderr", errs, tc.wantErr...)
			for _, w := range tc.serverSees {
				waitOutput(t, srv, w)
			}
		})
	}
}

func TestConnecting(t *testing.T) {
	pki := testpeer.NewPKI(t)
	srv := testpeer.OpenSSLServer(t, "-cert", pki.Server, "-key", pki.ServerKey, "-tlsextdebug")
	_, port, _ := net.SplitHostPort(srv.Addr)
	for _, tc := range []struct {
		name string
		args []string
		sni  string // the server name the server must see, or ""
	}{
		{"positional", []string{srv.Addr}, ""},
		{"connect", []string{"-connect", srv.Addr}, ""},
		{"host-port", []string{"-host", "127.0.0.1", "-port", port}, ""},
		{"default-host-is-localhost", []string{"-port", port}, "localhost"},
		{"ipv4-only", []string{"-4", "-connect", "localhost:" + port}, ""},
		{"bind", []string{"-bind", "127.0.0.1:0", "-connect", srv.Addr}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := strings.Count(srv.Output(), "CIPHER is")
			hello := "hello " + tc.name + "\n"
			out, errs, code := runClient(t, hello, append(tc.args, "-CAfile", pki.CA)...)
			if code != 0 {
				t.Fatalf("exit %d\n%s\n%s", code, out, errs)
			}
			mustMatch(t, "stdout", out, `(?m)^CONNECTED\(0000[0-9A-F]{4}\)$`, `(?m)^Verification: OK$`)
			waitOutput(t, srv, strings.TrimSpace(hello))
			if strings.Count(srv.Output(), "CIPHER is") <= before {
				t.Fatalf("server saw no new connection")
			}
			if tc.sni != "" && !strings.Contains(srv.Output(), "."+tc.sni) {
				t.Errorf("server saw no SNI %q:\n%s", tc.sni, srv.Output())
			}
		})
	}
}

func TestConnectIPv6(t *testing.T) {
	l, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 loopback: %v", err)
	}
	l.Close()
	pki := testpeer.NewPKI(t)
	srv := testpeer.OpenSSLServer(t, "-cert", pki.Server, "-key", pki.ServerKey, "-accept", "[::1]:0")
	if !strings.HasPrefix(srv.Addr, "[::1]:") {
		t.Fatalf("server address %q is not IPv6", srv.Addr)
	}
	_, port, _ := net.SplitHostPort(srv.Addr)
	out, errs, code := runClient(t, "", "-connect", srv.Addr, "-CAfile", pki.CA)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	// An IP literal sends no SNI, and openssl's callback says so.
	mustMatch(t, "stderr", errs, `(?m)^Can't use SSL_get_servername$`)
	mustMatch(t, "stdout", out, `(?m)^New, TLSv1\.3, `)
	// -4 cannot reach a server listening on ::1 only.
	_, errs, code = runClient(t, "", "-4", "-connect", "localhost:"+port)
	if code != 1 || !strings.Contains(errs, ":error:8000006F:system library:BIO_connect:Connection refused:") {
		t.Errorf("-4 to an IPv6-only server: exit %d, stderr %q", code, errs)
	}
	out, errs, code = runClient(t, "", "-6", "-host", "::1", "-port", port, "-CAfile", pki.CA)
	if code != 0 {
		t.Errorf("-6 -host ::1: exit %d\n%s\n%s", code, out, errs)
	}
	if _, errs, code = runClient(t, "", "-6", "-connect", "127.0.0.1:"+port); code != 1 || !strings.Contains(errs, ":BIO_lookup_ex:system lib:tlskit:0:Address family for hostname not supported\nconnect:errno=0\n") {
		t.Errorf("-6 to an IPv4 literal: exit %d, stderr %q", code, errs)
	}
}

// TestBindSourcePort checks -bind by looking at the connection's source.
func TestBindSourcePort(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	src := testpeer.FreePort(t)
	got := make(chan string, 1)
	go func() {
		c, err := l.Accept()
		if err != nil {
			return
		}
		got <- c.RemoteAddr().String()
		c.Close()
	}()
	_, errs, code := runClient(t, "", "-bind", "127.0.0.1:"+src, "-connect", l.Addr().String())
	if code != 1 {
		t.Errorf("exit %d, want 1 (the peer hung up)", code)
	}
	// The peer hangs up at once: openssl's words for a FIN are "unexpected
	// eof while reading", for a reset (ClientHello unread) "write:errno=104".
	mustMatch(t, "stderr", errs, `(?m)(^[0-9A-F]+:error:0A000126:SSL routines:ssl3_read_n:unexpected eof while reading:|^write:errno=104$)`)
	if a := <-got; a != "127.0.0.1:"+src {
		t.Errorf("connection came from %s, want 127.0.0.1:%s", a, src)
	}
}

func TestConnectUnix(t *testing.T) {
	pki := testpeer.NewPKI(t)
	testpeer.Need(t, "openssl")
	// A short path: openssl 3.0 fails to print its ACCEPT line, and
	// exits, for a socket path of 40 characters.
	dir, err := os.MkdirTemp("", "tk")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	sock := filepath.Join(dir, "s")
	testpeer.OpenSSLUnixServer(t, sock, "-cert", pki.Server, "-key", pki.ServerKey)
	o, errs, code := runClient(t, "over unix\n", "-unix", sock, "-CAfile", pki.CA)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, o, errs)
	}
	mustMatch(t, "stdout", o, `(?m)^CONNECTED\(`, `(?m)^Verification: OK$`)
	mustMatch(t, "stderr", errs, `(?m)^Can't use SSL_get_servername$`)
	_, errs, code = runClient(t, "", "-unix", sock+".missing")
	if code != 1 || !strings.Contains(errs, ":error:80000002:system library:BIO_connect:No such file or directory:") {
		t.Errorf("missing socket: exit %d, stderr %q", code, errs)
	}
}

// TestConnectFailures checks that an unusable peer gives an error line
// naming the cause, exit 1, within the bound.
func TestConnectFailures(t *testing.T) {
	old := connectTimeout
	connectTimeout = time.Second
	defer func() { connectTimeout = old }()

	// A server that accepts and never speaks: the handshake times out.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	start := time.Now()
	_, errs, code := runClient(t, "", "-connect", l.Addr().String())
	if code != 1 || !strings.Contains(errs, "timed out") {
		t.Errorf("silent server: exit %d, stderr %q", code, errs)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("silent server took %v", d)
	}
	_, errs, code = runClient(t, "", "-connect", "no-such-host.invalid:443")
	if code != 1 || !strings.Contains(errs, ":BIO_lookup_ex:system lib:tlskit:0:Name or service not known\n") {
		t.Errorf("unresolvable host: exit %d, stderr %q", code, errs)
	}
}

func TestIsDNSName(t *testing.T) {
	for host, want := range map[string]bool{
		"example.com": true, "a.b": true, "my_host.example": true, "1a.example": true,
		"localhost": false, "127.0.0.1": false, "::1": false, "example.com.": false,
		".example.com": false, "a..b": false, "a-.b": false, "a.-b": false, "-a.b": false,
		"a b.c": false, "1.2.3": false, strings.Repeat("a", 63) + ".com": false,
	} {
		if got := isDNSName(host); got != want {
			t.Errorf("isDNSName(%q) = %v, want %v", host, got, want)
		}
	}
}

// TestSNI checks which server name reaches an openssl s_server
// -tlsextdebug, as openssl s_client would send it.
func TestSNI(t *testing.T) {
	pki := testpeer.NewPKI(t)
	for _, tc := range []struct {
		name     string
		args     func(addr, port string) []string
		sni      string // "" means none
		complain bool   // stderr has "Can't use SSL_get_servername"
	}{
		{"ip-literal", func(a, _ string) []string { return []string{"-connect", a} }, "", true},
		{"single-label", func(_, p string) []string { return []string{"-connect", "localhost:" + p} }, "", true},
		{"no-host", func(_, p string) []string { return []string{"-port", p} }, "localhost", false},
		{"servername", func(a, _ string) []string { return []string{"-connect", a, "-servername", "foo.example"} }, "foo.example", false},
		// openssl sends an IP given to -servername, and so does the
		// engine (RFC 6066 3 forbids it, but this is a diagnostic tool).
		{"servername-ip", func(a, _ string) []string { return []string{"-connect", a, "-servername", "10.1.2.3"} }, "10.1.2.3", false},
		{"noservername", func(_, p string) []string { return []string{"-port", p, "-noservername"} }, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := testpeer.OpenSSLServer(t, "-cert", pki.Server, "-key", pki.ServerKey, "-tlsextdebug")
			_, port, _ := net.SplitHostPort(srv.Addr)
			out, errs, code := runClient(t, "", tc.args(srv.Addr, port)...)
			if code != 0 {
				t.Fatalf("exit %d\n%s\n%s", code, out, errs)
			}
			waitOutput(t, srv, "CIPHER is")
			got := srv.Output()
			has := strings.Contains(got, `TLS client extension "server name"`)
			if has != (tc.sni != "") || (tc.sni != "" && !strings.Contains(got, "."+tc.sni)) {
				t.Errorf("want SNI %q; server saw:\n%s", tc.sni, got)
			}
			if c := strings.Contains(errs, "Can't use SSL_get_servername\n"); c != tc.complain {
				t.Errorf("stderr has \"Can't use SSL_get_servername\": %v, want %v\n%s", c, tc.complain, errs)
			}
		})
	}
}

func TestProtocols(t *testing.T) {
	pki := testpeer.NewPKI(t)
	legacy := []string{"-cipher", "ALL@SECLEVEL=0"}
	runClientTests(t, pki, []clientTest{
		{name: "tls1", server: legacy, args: []string{"-CAfile", pki.CA, "-tls1", "-cipher", "DEFAULT@SECLEVEL=0"},
			wantOut: []string{`(?m)^New, TLSv1\.0, Cipher is ECDHE-RSA-AES(128|256)-SHA$`, `(?m)^    Protocol  : TLSv1$`,
				`(?m)^Peer signing digest: MD5-SHA1$`, `(?m)^Peer signature type: RSA$`}},
		{name: "tls1_1", server: legacy, args: []string{"-CAfile", pki.CA, "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"},
			wantOut: []string{`(?m)^New, TLSv1\.0, Cipher is `, `(?m)^    Protocol  : TLSv1\.1$`}},
		{name: "tls1-refused-at-seclevel", server: legacy, args: []string{"-tls1"}, wantCode: 1,
			wantErr: []string{`legacy sigalg disallowed or unsupported`}},
		{name: "tls1-rsa-kx", server: legacy, args: []string{"-tls1", "-cipher", "AES128-SHA"},
			wantOut: []string{`(?m)^New, SSLv3, Cipher is AES128-SHA$`, `(?m)^    Protocol  : TLSv1$`}},
		{name: "no_tls1_3", args: []string{"-no_tls1_3"}, wantOut: []string{`(?m)^    Protocol  : TLSv1\.2$`}},
		{name: "max_protocol", args: []string{"-max_protocol", "TLSv1.2"}, wantOut: []string{`(?m)^    Protocol  : TLSv1\.2$`}},
		{name: "min_protocol-too-high", server: []string{"-tls1_2"}, args: []string{"-min_protocol", "TLSv1.3"}, wantCode: 1,
			wantErr: []string{`protocol version`}},
		{name: "groups-p384", args: []string{"-groups", "P-384"}, wantOut: []string{`(?m)^Server Temp Key: ECDH, secp384r1, 384 bits$`}},
		{name: "curves-tls12", args: []string{"-curves", "P-256", "-tls1_2"}, wantOut: []string{`(?m)^Server Temp Key: ECDH, prime256v1, 256 bits$`}},
		// openssl 3.0 lacks the hybrid: alone it leaves no common group,
		// first in a list it makes the server ask again (HelloRetryRequest).
		{name: "groups-mlkem-only", args: []string{"-groups", "X25519MLKEM768"}, wantCode: 1, wantErr: []string{`handshake failure`}},
		{name: "groups-mlkem-then-p384", args: []string{"-groups", "X25519MLKEM768:P-384", "-msg"},
			wantOut: []string{`(?m)^Server Temp Key: ECDH, secp384r1, 384 bits$`, `(?s)ClientHello.*ClientHello`}},
		{name: "cipher", args: []string{"-tls1_2", "-cipher", "ECDHE-RSA-CHACHA20-POLY1305"},
			wantOut: []string{`(?m)^New, TLSv1\.2, Cipher is ECDHE-RSA-CHACHA20-POLY1305$`}},
		{name: "ciphersuites-all-three", args: []string{"-ciphersuites", "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256"},
			wantOut: []string{`(?m)^New, TLSv1\.3, `}},
		{name: "alpn-none-selected", args: []string{"-alpn", "h2"}, wantOut: []string{`(?m)^No ALPN negotiated$`}},
	})
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-cipher", "NOPE"}, "Call to SSL_CONF_cmd(-cipher, NOPE) failed\n"},
		{[]string{"-min_protocol", "TLSv9"}, "Call to SSL_CONF_cmd(-min_protocol, TLSv9) failed"},
		{[]string{"-groups", "nosuchgroup"}, "Call to SSL_CONF_cmd(-groups, nosuchgroup) failed"},
	} {
		_, errs, code := runClient(t, "", tc.args...)
		if code != 1 || !strings.Contains(errs, tc.want) {
			t.Errorf("s_client %v: exit %d, stderr %q; want exit 1 and %q", tc.args, code, errs, tc.want)
		}
	}
}

func TestProtocolsAgainstGnuTLS(t *testing.T) {
	pki := testpeer.NewPKI(t)
	for _, tc := range []struct {
		name     string
		server   []string
		args     []string
		wantCode int
		want     []string
	}{
		{"tls11", []string{"--priority", "NORMAL:+VERS-TLS1.1"}, []string{"-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0", "-CAfile", pki.CA},
			0, []string{`(?m)^    Protocol  : TLSv1\.1$`}},
		{"ecdsa-cipher", []string{"--x509certfile", pki.ECServer, "--x509keyfile", pki.ECServerKey}, []string{"-tls1_2", "-cipher", "ECDHE-ECDSA-AES256-GCM-SHA384", "-CAfile", pki.CA},
			0, []string{`(?m)^New, TLSv1\.2, Cipher is ECDHE-ECDSA-AES256-GCM-SHA384$`, `(?m)^Peer signature type: ECDSA$`}},
		{"unverified", nil, []string{"-no-CAfile", "-no-CApath"}, 0,
			[]string{`(?m)^Verify return code: 21 \(unable to verify the first certificate\)$`}},
		{"verify-return-error", nil, []string{"-no-CAfile", "-no-CApath", "-verify_return_error"}, 1,
			[]string{`(?m)^Verification error: unable to get local issuer certificate$`}},
		{"hostname", nil, []string{"-CAfile", pki.CA, "-verify_hostname", "wrong.example"}, 0,
			[]string{`(?m)^Verify return code: 62 \(hostname mismatch\)$`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"--x509certfile", pki.Server, "--x509keyfile", pki.ServerKey}, tc.server...)
			srv := testpeer.GnuTLSServer(t, args...)
			out, errs, code := runClient(t, "", append([]string{"-connect", srv.Addr}, tc.args...)...)
			if code != tc.wantCode {
				t.Fatalf("exit %d, want %d\n%s\n%s", code, tc.wantCode, out, errs)
			}
			mustMatch(t, "stdout", out, tc.want...)
		})
	}
}

// TestVerifyMatchesOpenSSL runs openssl s_client and ours with the same
// verification options and compares every verification line.
func TestVerifyMatchesOpenSSL(t *testing.T) {
	p := newChainPKI(t)
	hashDir := t.TempDir()
	caPEM, _ := os.ReadFile(p.CA)
	os.WriteFile(filepath.Join(hashDir, "root.pem"), caPEM, 0o644)
	openssl(t, "rehash", hashDir)
	y2001 := fmt.Sprint(time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC).Unix())
	y2100 := fmt.Sprint(time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC).Unix())
	noCA := []string{"-no-CAfile", "-no-CApath"}
	for _, srv := range []struct {
		name   string
		server []string
		cases  [][]string
	}{
		{"rsa-leaf", []string{"-cert", p.Server, "-key", p.ServerKey}, [][]string{
			{"-CAfile", p.CA},
			noCA,
			append([]string{"-verify_return_error"}, noCA...),
			append([]string{"-verify_quiet"}, noCA...),
			{"-CAfile", p.CA, "-verify", "1"},
			{"-CAfile", p.CA, "-verify", "0"},
			{"-CAfile", p.CA, "-verify_quiet"},
			{"-CAfile", p.CA, "-verify_hostname", "other.example"},
			{"-CAfile", p.CA, "-verify_ip", "10.0.0.1"},
			{"-CAfile", p.CA, "-verify_ip", "127.0.0.1"},
			{"-CAfile", p.CA, "-verify_email", "a@b.example"},
			{"-CAfile", p.CA, "-attime", y2001},
			{"-CAfile", p.CA, "-attime", y2100},
			{"-CAfile", p.CA, "-purpose", "sslclient"},
			{"-CAfile", p.CA, "-x509_strict"},
			{"-CAfile", p.CA, "-auth_level", "4"},
			{"-CAfile", p.CA, "-verify_depth", "0"},
			{"-CAfile", p.Server, "-no-CApath"},
			{"-CAfile", p.Server, "-partial_chain"},
			{"-CAfile", p.CA, "-CRL", p.CRL, "-crl_check"},
			{"-CAfile", p.CA, "-CRL", p.EmptyCRL, "-crl_check"},
			{"-CAfile", p.CA, "-CRL", p.CRLDER, "-CRLform", "DER", "-crl_check_all"},
			{"-CAfile", p.CA, "-crl_check"},
			{"-CAfile", p.CA, "-CRL", p.EmptyCRL, "-crl_check_all"},
			{"-CApath", hashDir},
			{"-CAstore", "file:" + p.CA},
			{"-CAfile", p.CA, "-brief", "-verify_hostname", "localhost"},
		}},
		{"self-signed", []string{"-cert", p.SelfSigned, "-key", p.SelfSignedKey}, [][]string{noCA, {"-CAfile", p.CA}}},
		{"expired", []string{"-cert", p.Expired, "-key", p.ExpiredKey}, [][]string{{"-CAfile", p.CA}}},
		{"chain-sent", []string{"-cert", p.Leaf, "-key", p.LeafKey, "-cert_chain", p.Inter}, [][]string{
			{"-CAfile", p.CA}, noCA, {"-CAfile", p.CA, "-verify_depth", "0"}, {"-CAfile", p.Inter, "-partial_chain"},
		}},
		{"chain-not-sent", []string{"-cert", p.Leaf, "-key", p.LeafKey}, [][]string{{"-CAfile", p.CA}}},
	} {
		t.Run(srv.name, func(t *testing.T) {
			s := testpeer.OpenSSLServer(t, srv.server...)
			for _, args := range srv.cases {
				compareWithOpenSSL(t, s.Addr, verifyLines, args...)
			}
		})
	}
}

func TestClientCertificates(t *testing.T) {
	p := newChainPKI(t)
	chainCAs := filepath.Join(p.Dir, "chain-cas.pem")
	inter, _ := os.ReadFile(p.Inter)
	root, _ := os.ReadFile(p.CA)
	os.WriteFile(chainCAs, append(inter, root...), 0o644)
	for _, tc := range []struct {
		name string
		args []string
		sees string
	}{
		{"cert-key", []string{"-cert", p.Client, "-key", p.ClientKey}, "subject=CN = tlskit client"},
		{"cert-key-tls12", []string{"-cert", p.Client, "-key", p.ClientKey, "-tls1_2", "-certform", "PEM", "-keyform", "PEM"}, "subject=CN = tlskit client"},
		{"encrypted-key", []string{"-cert", p.Client, "-key", p.ClientEncKey, "-pass", "pass:s3cret"}, "subject=CN = tlskit client"},
		{"pkcs12", []string{"-cert", p.ClientP12, "-certform", "P12", "-pass", "pass:s3cret"}, "subject=CN = tlskit client"},
		{"cert-chain", []string{"-cert", p.IClient, "-key", p.IClientKey, "-cert_chain", p.Inter}, "subject=CN = tlskit chained client"},
		{"build-chain", []string{"-cert", p.IClient, "-key", p.IClientKey, "-build_chain", "-chainCAfile", chainCAs}, "subject=CN = tlskit chained client"},
		{"xcert", []string{"-xcert", p.Client, "-xkey", p.ClientKey}, "subject=CN = tlskit client"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := testpeer.OpenSSLServer(t, "-cert", p.Server, "-key", p.ServerKey, "-Verify", "2", "-CAfile", p.CA, "-verify_return_error")
			out, errs, code := runClient(t, "hello\n", append([]string{"-connect", srv.Addr, "-CAfile", p.CA}, tc.args...)...)
			if code != 0 {
				t.Fatalf("exit %d\n%s\n%s", code, out, errs)
			}
			mustMatch(t, "stdout", out, `(?m)^Acceptable client certificate CA names\nC = US, O = tlskit tests, CN = tlskit Test Root$`)
			waitOutput(t, srv, tc.sees)
			waitOutput(t, srv, "hello")
		})
	}
	t.Run("request-lines-match-openssl", func(t *testing.T) {
		srv := testpeer.OpenSSLServer(t, "-cert", p.Server, "-key", p.ServerKey, "-verify", "1", "-CAfile", p.CA)
		keep := regexp.MustCompile(`^(Acceptable client certificate CA names|C = US, O = tlskit tests|No client certificate CA names sent|Client Certificate Types|Requested Signature Algorithms)`)
		compareWithOpenSSL(t, srv.Addr, keep, "-tls1_2", "-CAfile", p.CA, "-cert", p.Client, "-key", p.ClientKey)
		compareWithOpenSSL(t, srv.Addr, keep, "-CAfile", p.CA)
	})
	// Without the intermediate the server cannot verify the client; the
	// certificate is sent all the same, as openssl sends it, although its
	// issuer is not among the server's acceptable CAs.
	t.Run("missing-chain-rejected", func(t *testing.T) {
		srv := testpeer.OpenSSLServer(t, "-cert", p.Server, "-key", p.ServerKey, "-Verify", "2", "-CAfile", p.CA, "-verify_return_error")
		runClient(t, "hello\n", "-connect", srv.Addr, "-cert", p.IClient, "-key", p.IClientKey, "-tls1_2")
		waitOutput(t, srv, "unable to get local issuer certificate")
	})
}

func TestReportDetails(t *testing.T) {
	p := newChainPKI(t)
	srv := testpeer.OpenSSLServer(t, "-cert", p.Leaf, "-key", p.LeafKey, "-cert_chain", p.Inter, "-keymatexport", "EXPERIMENTAL-tlskit", "-keymatexportlen", "24")
	t.Run("showcerts", func(t *testing.T) {
		keep := regexp.MustCompile(`^(-----|[0-9] s:|i:|a:|v:|Server certificate|subject=|issuer=|Certificate chain|no peer)`)
		out := compareWithOpenSSL(t, srv.Addr, keep, "-showcerts", "-CAfile", p.CA)
		if n := strings.Count(out, "-----BEGIN CERTIFICATE-----"); n != 2 {
			t.Errorf("%d PEM blocks, want 2", n)
		}
		compareWithOpenSSL(t, srv.Addr, keep, "-CAfile", p.CA)
	})
	t.Run("nameopt", func(t *testing.T) {
		keep := regexp.MustCompile(`^([0-9] s:|i:|subject=|issuer=|commonName|organizationName|countryName|depth=)`)
		for _, no := range []string{"oneline", "RFC2253", "multiline", "utf8", "esc_msb", "compat", "RFC2253,-esc_msb"} {
			compareWithOpenSSL(t, srv.Addr, keep, "-CAfile", p.CA, "-nameopt", no)
		}
	})
	t.Run("brief", func(t *testing.T) {
		keep := regexp.MustCompile(`^(CONNECTED|CONNECTION ESTABLISHED|Protocol version|Requested Signature|Peer certificate|Hash used|Signature type|Verification|Verified peername|Supported Elliptic|Server Temp Key|depth=|verify |DONE|Can't use|ALPN)`)
		compareWithOpenSSL(t, srv.Addr, keep, "-brief", "-CAfile", p.CA)
		compareWithOpenSSL(t, srv.Addr, keep, "-brief", "-tls1_2")
		compareWithOpenSSL(t, srv.Addr, keep, "-brief", "-CAfile", p.CA, "-verify_hostname", "localhost", "-servername", "localhost")
	})
	t.Run("keymatexport", func(t *testing.T) {
		for _, v := range []string{"-tls1_2", "-tls1_3"} {
			out, errs, code := runClient(t, "", "-connect", srv.Addr, v, "-keymatexport", "EXPERIMENTAL-tlskit", "-keymatexportlen", "24")
			if code != 0 {
				t.Fatalf("exit %d\n%s", code, errs)
			}
			m := regexp.MustCompile(`(?m)^Keying material exporter:\n    Label: 'EXPERIMENTAL-tlskit'\n    Length: 24 bytes\n    (Keying material: [0-9A-F]{48})$`).FindStringSubmatch(out)
			if m == nil {
				t.Fatalf("no keying material in:\n%s", out)
			}
			waitOutput(t, srv, m[1])
		}
	})
	t.Run("prexit", func(t *testing.T) {
		out, _, _ := runClient(t, "", "-connect", srv.Addr, "-prexit", "-tls1_2")
		if n := strings.Count(out, "SSL handshake has read"); n != 2 {
			t.Errorf("-prexit printed the report %d times, want 2:\n%s", n, out)
		}
	})
	t.Run("quiet", func(t *testing.T) {
		// -quiet drops the report but keeps the verify lines.
		keep := regexp.MustCompile(`.`)
		out := compareWithOpenSSL(t, srv.Addr, keep, "-quiet", "-no_ign_eof", "-CAfile", p.CA)
		mustMatch(t, "output", out, `(?m)^depth=0 CN = localhost$`)
	})
	t.Run("tlsextdebug-and-state", func(t *testing.T) {
		keep := regexp.MustCompile(`^(TLS server extension|SSL_connect:)`)
		compareWithOpenSSL(t, srv.Addr, keep, "-tlsextdebug", "-state", "-tls1_2")
	})
	t.Run("msgfile", func(t *testing.T) {
		f := filepath.Join(t.TempDir(), "msg.txt")
		out, _, code := runClient(t, "", "-connect", srv.Addr, "-msg", "-msgfile", f)
		if code != 0 || strings.Contains(out, ">>> ") {
			t.Errorf("exit %d; -msg lines on stdout:\n%s", code, out)
		}
		b, _ := os.ReadFile(f)
		mustMatch(t, "msgfile", string(b), `(?m)^>>> TLS 1\.3, Handshake \[length [0-9a-f]{4}\], ClientHello$`)
	})
}

func TestKeyLogMatchesServer(t *testing.T) {
	pki := testpeer.NewPKI(t)
	dir := t.TempDir()
	srvLog, cliLog := filepath.Join(dir, "server.log"), filepath.Join(dir, "client.log")
	srv := testpeer.OpenSSLServer(t, "-cert", pki.Server, "-key", pki.ServerKey, "-keylogfile", srvLog)
	for _, v := range []string{"-tls1_3", "-tls1_2"} {
		if _, errs, code := runClient(t, "", "-connect", srv.Addr, v, "-keylogfile", cliLog); code != 0 {
			t.Fatalf("exit %d\n%s", code, errs)
		}
	}
	waitOutput(t, srv, "CIPHER is ECDHE")
	ours, _ := os.ReadFile(cliLog)
	theirs, _ := os.ReadFile(srvLog)
	lines := strings.Split(strings.TrimSpace(string(ours)), "\n")
	if len(lines) < 5 {
		t.Fatalf("client key log has %d lines:\n%s", len(lines), ours)
	}
	for _, l := range lines {
		if !strings.Contains(string(theirs), l) {
			t.Errorf("server key log lacks %q", l)
		}
	}
	mustMatch(t, "key log", string(ours), `(?m)^CLIENT_HANDSHAKE_TRAFFIC_SECRET [0-9a-f]{64} [0-9a-f]{64}([0-9a-f]{32})?$`, `(?m)^CLIENT_RANDOM [0-9a-f]{64} [0-9a-f]{96}$`)
}

func TestOCSPStatus(t *testing.T) {
	pki := testpeer.NewPKI(t)
	d := pki.Dir
	serialOut, _, _ := testpeer.Run(t, 10*time.Second, "", "openssl", "x509", "-in", pki.Server, "-noout", "-serial")
	serial := strings.TrimPrefix(strings.TrimSpace(serialOut), "serial=")
	os.WriteFile(filepath.Join(d, "index.txt"), []byte("V\t301231235959Z\t\t"+serial+"\tunknown\t/CN=localhost\n"), 0o644)
	openssl(t, "ocsp", "-issuer", pki.CA, "-cert", pki.Server, "-no_nonce", "-reqout", filepath.Join(d, "req.der"))
	openssl(t, "ocsp", "-index", filepath.Join(d, "index.txt"), "-rsigner", pki.CA, "-rkey", pki.CAKey, "-CA", pki.CA,
		"-reqin", filepath.Join(d, "req.der"), "-respout", filepath.Join(d, "resp.der"), "-ndays", "1")
	srv := testpeer.OpenSSLServer(t, "-cert", pki.Server, "-key", pki.ServerKey, "-status_file", filepath.Join(d, "resp.der"))
	for _, v := range []string{"-tls1_2", "-tls1_3"} {
		oOut, oErrs, _ := testpeer.Run(t, 30*time.Second, "", "openssl", "s_client", "-connect", srv.Addr, "-status", v, "-CAfile", pki.CA)
		out, errs, code := runClient(t, "", "-connect", srv.Addr, "-status", v, "-CAfile", pki.CA)
		if code != 0 {
			t.Fatalf("exit %d\n%s", code, errs)
		}
		i, j := strings.Index(oOut, "OCSP response:"), strings.Index(oOut, "    Signature Value:")
		if i < 0 || j < i {
			t.Fatalf("openssl printed no OCSP block:\n%s", oOut)
		}
		if block := oOut[i:j]; !strings.Contains(out, block) {
			t.Errorf("%s: our output lacks openssl's OCSP block\n%s\nours:\n%s", v, block, out)
		}
		// The block comes right after CONNECTED, before the report.
		mustMatch(t, "stdout", out, `^CONNECTED\([0-9A-F]+\)\nOCSP response: \n=+\nOCSP Response Data:\n`)
		// openssl 3.0's s_client prints the response without verifying
		// it: nothing about it on stderr.
		if errs != oErrs {
			t.Errorf("%s: stderr differs from openssl's\n--- ours\n%s--- openssl\n%s", v, errs, oErrs)
		}
		// Among -msg's lines, the block comes when openssl's status
		// callback runs: after the server's ServerHelloDone (TLS 1.2) or
		// Finished (TLS 1.3), not as the certificate arrives. (TLS 1.3
		// tickets race with openssl's end of input.)
		compareWithOpenSSL(t, srv.Addr, regexp.MustCompile(`^([<>]{3} .*Handshake .*[^t]|[<>]{3} TLS 1\.2, .*Handshake .*|OCSP response.*)$`), "-status", "-msg", v, "-CAfile", pki.CA)
	}
	plain := testpeer.OpenSSLServer(t, "-cert", pki.Server, "-key", pki.ServerKey)
	out, _, _ := runClient(t, "", "-connect", plain.Addr, "-status")
	mustMatch(t, "stdout", out, `(?m)^CONNECTED\([0-9A-F]+\)\nOCSP response: no response sent$`)
}

func TestSessions(t *testing.T) {
	pki := testpeer.NewPKI(t)
	srv := testpeer.OpenSSLServer(t, "-cert", pki.Server, "-key", pki.ServerKey)
	for _, v := range []string{"-tls1_2", "-tls1_3"} {
		t.Run(v, func(t *testing.T) {
			sess := filepath.Join(t.TempDir(), "sess.pem")
			out, errs, code := runClient(t, "", "-connect", srv.Addr, v, "-sess_out", sess)
			if code != 0 {
				t.Fatalf("exit %d\n%s\n%s", code, out, errs)
			}
			mustMatch(t, "stdout", out, `(?m)^New, `)
			out, errs, code = runClient(t, "", "-connect", srv.Addr, v, "-sess_in", sess)
			if code != 0 {
				t.Fatalf("exit %d\n%s\n%s", code, out, errs)
			}
			mustMatch(t, "stdout", out, `(?m)^Reused, TLSv1\.[23], `)
			// The resumed session has the server's certificate, not its
			// chain: openssl prints no "Certificate chain" list, and the
			// certificate's PEM even under -showcerts.
			for _, extra := range [][]string{nil, {"-showcerts"}} {
				out, errs, code = runClient(t, "", append([]string{"-connect", srv.Addr, v, "-sess_in", sess}, extra...)...)
				if code != 0 {
					t.Fatalf("%v: exit %d\n%s\n%s", extra, code, out, errs)
				}
				mustMatch(t, "stdout", out, `^CONNECTED\([0-9A-F]+\)\n---\nServer certificate\n-----BEGIN CERTIFICATE-----\n`, `(?m)^Reused, `)
				if n := strings.Count(out, "-----BEGIN CERTIFICATE-----"); n != 1 || strings.Contains(out, "Certificate chain") {
					t.Errorf("%v: %d PEM blocks, or a chain list:\n%s", extra, n, out)
				}
			}
		})
	}
	t.Run("sess_out-directory", func(t *testing.T) {
		// openssl reports a -sess_out it cannot write once, in its own
		// words, and carries on: the session itself went well.
		dir := t.TempDir()
		want := "Error writing session file " + dir + "\n"
		cmd := exec.Command("openssl", "s_client", "-connect", srv.Addr, "-tls1_2", "-sess_out", dir)
		cmd.Stdin = strings.NewReader("")
		var oerr strings.Builder
		cmd.Stderr = &oerr
		if err := cmd.Run(); err != nil || strings.Count(oerr.String(), want) != 1 {
			t.Fatalf("openssl: %v, stderr:\n%s", err, oerr.String())
		}
		_, errs, code := runClient(t, "", "-connect", srv.Addr, "-tls1_2", "-sess_out", dir)
		if code != 0 || strings.Count(errs, want) != 1 {
			t.Errorf("exit %d, want 0 and one %q; stderr:\n%s", code, want, errs)
		}
	})
	t.Run("tls13-ticket-block", func(t *testing.T) {
		out, _, _ := runClient(t, "", "-connect", srv.Addr)
		mustMatch(t, "stdout", out, `(?m)^    Resumption PSK: [0-9A-F]{64,96}$`, `(?m)^    TLS session ticket lifetime hint: 7200 \(seconds\)$`)
	})
	t.Run("no_ticket", func(t *testing.T) {
		out, _, _ := runClient(t, "", "-connect", srv.Addr, "-tls1_2", "-no_ticket")
		if strings.Contains(out, "TLS session ticket") {
			t.Errorf("-no_ticket still got a ticket:\n%s", out)
		}
		out, _, _ = runClient(t, "", "-connect", srv.Addr, "-tls1_2")
		mustMatch(t, "stdout", out, `(?m)^    TLS session ticket:$`)
	})
}

// goTLSServer serves one connection with crypto/tls at TLS 1.2 (so no
// ticket arrives after the handshake) and runs handle on it.
func goTLSServer(t *testing.T, pki *testpeer.PKI, handle func(*tls.Conn)) string {
	t.Helper()
	cert, err := tls.LoadX509KeyPair(pki.Server, pki.ServerKey)
	if err != nil {
		t.Fatal(err)
	}
	return testpeer.ServeOne(t, 20*time.Second, func(c net.Conn) {
		tc := tls.Server(c, &tls.Config{Certificates: []tls.Certificate{cert}, MaxVersion: tls.VersionTLS12})
		if tc.Handshake() == nil {
			handle(tc)
		}
		c.Close()
	})
}

func TestPeerClose(t *testing.T) {
	pki := testpeer.NewPKI(t)
	// The server answers the first line after a pause longer than the
	// client would wait at end of input, then closes; for a client that
	// must end at the end of its input, only once it has (its close_notify
	// or hang-up read: a fixed pause could end first on a loaded machine),
	// or, if it does not, at the connection's deadline (the test fails on
	// the client's exit code then).
	later := func(notify, afterClientEnd bool) func(*tls.Conn) {
		return func(tc *tls.Conn) {
			r := bufio.NewReader(tc)
			r.ReadString('\n')
			if afterClientEnd {
				io.Copy(io.Discard, r)
			} else {
				time.Sleep(800 * time.Millisecond)
			}
			tc.Write([]byte("late reply\n"))
			if notify {
				tc.Close() // sends close_notify
				return
			}
			tc.NetConn().Close() // no close_notify
		}
	}
	for _, tc := range []struct {
		name     string
		notify   bool
		args     []string // without -ign_eof or -quiet, the server answers once the client has ended
		wantCode int
		out, err []string
		notOut   string
	}{
		{"close-notify", true, []string{"-ign_eof"}, 0, []string{`(?m)^late reply$`, `(?m)^closed$`}, nil, ""},
		// -quiet drops openssl's own lines, "closed" too, not the data.
		{"quiet-implies-ign_eof", true, []string{"-quiet"}, 0, []string{`^late reply\n$`}, nil, ""},
		{"eof-ends-session", true, nil, 0, nil, []string{`(?m)^DONE$`}, "late reply"},
		// openssl's error line (measured: openssl s_server's q command
		// drops a connection so, and openssl s_client prints this).
		{"no-close-notify", false, []string{"-ign_eof"}, 1, []string{`(?m)^late reply$`}, []string{`(?m)^[0-9A-F]+:error:0A000126:SSL routines:ssl3_read_n:unexpected eof while reading:[^\n]*\n\z`}, "closed"},
		{"no-close-notify-ignored", false, []string{"-ign_eof", "-ignore_unexpected_eof"}, 0, []string{`(?m)^late reply$`, `(?m)^closed$`}, nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ends := !slices.Contains(tc.args, "-ign_eof") && !slices.Contains(tc.args, "-quiet")
			addr := goTLSServer(t, pki, later(tc.notify, ends))
			out, errs, code := runClient(t, "ping\n", append([]string{"-connect", addr}, tc.args...)...)
			if code != tc.wantCode {
				t.Errorf("exit %d, want %d\n%s\n%s", code, tc.wantCode, out, errs)
			}
			mustMatch(t, "stdout", out, tc.out...)
			mustMatch(t, "stderr", errs, tc.err...)
			if tc.notOut != "" && strings.Contains(out, tc.notOut) {
				t.Errorf("stdout has %q:\n%s", tc.notOut, out)
			}
		})
	}
}

// TestUnsupportedOptions checks every option marked Unsupported fails at
// start-up, naming itself and the reason.
func TestUnsupportedOptions(t *testing.T) {
	n := 0
	for _, o := range Table.List() {
		if o.Unsupported == "" {
			continue
		}
		n++
		args := []string{"-" + o.Name}
		switch o.Kind {
		case opt.None:
		case opt.PosInt, opt.Int, opt.IntMax, opt.Long, opt.ULong:
			args = append(args, "512")
		case opt.InFile:
			args = append(args, os.Args[0])
		case opt.Dir:
			args = append(args, t.TempDir())
		default:
			args = append(args, "x")
		}
		_, errs, code := runClient(t, "", args...)
		want := fmt.Sprintf("s_client: -%s is not supported by tlskit: %s\n", o.Name, o.Unsupported)
		if code != 1 || !strings.HasPrefix(errs, want) {
			t.Errorf("s_client %s: exit %d, stderr %q; want exit 1 and %q", strings.Join(args, " "), code, errs, want)
		}
	}
	if n < 20 {
		t.Errorf("only %d unsupported options checked", n)
	}
}

// TestOptionsAreRead guards the table: an option that is neither
// Unsupported nor NoEffect must be read by the package's code.
func TestOptionsAreRead(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	// The shared option groups are parsed in optgroups (its table file aside).
	shared, _ := filepath.Glob("../optgroups/*.go")
	files = append(files, shared...)
	var src strings.Builder
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || f == "options.go" || f == filepath.Join("..", "optgroups", "optgroups.go") {
			continue
		}
		b, _ := os.ReadFile(f)
		src.Write(b)
	}
	code := src.String()
	for _, o := range Table.List() {
		if o.Name == "" || o.Unsupported != "" || o.NoEffect || o.Name == "help" {
			continue
		}
		name := o.Name
		if strings.HasPrefix(name, "no_tls1") {
			name = strings.TrimPrefix(name, "no_") // read as "no_" + name
		}
		if !strings.Contains(code, `"`+name+`"`) {
			t.Errorf("option -%s is read nowhere: honour it or mark it Unsupported", o.Name)
		}
	}
}

// volatile are the report fields that differ between any two runs.
var volatile = []struct {
	re   *regexp.Regexp
	repl string
}{
	{regexp.MustCompile(`(?m)^CONNECTED\([0-9A-F]+\)$`), "CONNECTED(fd)"},
	{regexp.MustCompile(`(?m)^(    (Session-ID|Master-Key|Resumption PSK|Start Time): ?).*$`), "${1}X"},
	{regexp.MustCompile(`(?m)^    [0-9a-f]{4} - .*\n`), ""},
	{regexp.MustCompile(`read \d+ bytes and written \d+ bytes`), "read N bytes and written M bytes"},
	// openssl's error lines, but for the thread id, source file and line.
	{regexp.MustCompile(`(?m)^[0-9A-F]+:error:([0-9A-F]{8}:[^:]*:[^:]*:[^:]*):[^:]*:\d+:`), "T:error:${1}:F:L:"},
	// What the client itself supports, and per-session secrets.
	{regexp.MustCompile(`(?m)^(Shared Requested Signature Algorithms: ).*$`), "${1}X"},
	{regexp.MustCompile(`(?m)^(    Keying material: ).*$`), "${1}X"},
}

// normalise strips what legitimately differs: volatile fields, the TLS 1.3
// ticket blocks (openssl prints them only when the ticket wins a race with
// end of input) and openssl's library error lines.
func normalise(s string) string {
	if i := strings.Index(s, "---\nPost-Handshake New Session Ticket arrived:"); i >= 0 {
		s = s[:i]
	}
	for _, v := range volatile {
		s = v.re.ReplaceAllString(s, v.repl)
	}
	return s
}

// TestReportMatchesOpenSSL is the acceptance check: openssl
// s_client and ours against the same server print the same report lines,
// in the same order and stream, once volatile fields are normalised. The
// server fixes the suite, since crypto/tls orders suites by its own
// preference.
func TestReportMatchesOpenSSL(t *testing.T) {
	p := newChainPKI(t)
	for _, tc := range []struct {
		name   string
		server []string
		args   []string
	}{
		{"tls13", []string{"-ciphersuites", "TLS_AES_128_GCM_SHA256"}, []string{"-CAfile", p.CA}},
		{"tls13-chain-showcerts", []string{"-ciphersuites", "TLS_AES_128_GCM_SHA256", "-cert", p.Leaf, "-key", p.LeafKey, "-cert_chain", p.Inter}, []string{"-CAfile", p.CA, "-showcerts"}},
		{"tls12", []string{"-cipher", "ECDHE-RSA-AES128-GCM-SHA256"}, []string{"-CAfile", p.CA, "-tls1_2"}},
		{"tls12-unverified", []string{"-cipher", "ECDHE-RSA-AES128-GCM-SHA256"}, []string{"-no-CAfile", "-no-CApath", "-tls1_2"}},
		{"tls12-client-ca-names", []string{"-cipher", "ECDHE-RSA-AES128-GCM-SHA256", "-verify", "1", "-CAfile", p.CA}, []string{"-CAfile", p.CA, "-tls1_2", "-servername", "localhost"}},
		{"tls12-rsa-kx", []string{"-cipher", "AES128-SHA:@SECLEVEL=0"}, []string{"-CAfile", p.CA, "-tls1_2", "-cipher", "AES128-SHA"}},
		{"tls11", []string{"-cipher", "ECDHE-RSA-AES128-SHA:@SECLEVEL=0"}, []string{"-CAfile", p.CA, "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"}},
		{"tls12-alpn-keymat", []string{"-cipher", "ECDHE-RSA-AES128-GCM-SHA256", "-alpn", "h2"}, []string{"-CAfile", p.CA, "-tls1_2", "-alpn", "h2,http/1.1", "-keymatexport", "EXPERIMENTAL-x"}},
		{"tls13-brief", []string{"-ciphersuites", "TLS_AES_128_GCM_SHA256"}, []string{"-CAfile", p.CA, "-brief"}},
		{"tls12-version-refused", []string{"-tls1_3"}, []string{"-tls1_2"}},
		{"tls13-version-refused", []string{"-tls1_2"}, []string{"-tls1_3"}},
		{"tls12-reconnect", []string{"-cipher", "ECDHE-RSA-AES128-GCM-SHA256"}, []string{"-CAfile", p.CA, "-tls1_2", "-reconnect"}},
		{"tls13-verify-return-error", []string{"-ciphersuites", "TLS_AES_128_GCM_SHA256"}, []string{"-no-CAfile", "-no-CApath", "-verify_return_error"}},
		{"tls12-verify-return-error", []string{"-cipher", "ECDHE-RSA-AES128-GCM-SHA256"}, []string{"-no-CAfile", "-no-CApath", "-tls1_2", "-verify_return_error"}},
		{"tls12-prexit-status", []string{"-cipher", "ECDHE-RSA-AES128-GCM-SHA256"}, []string{"-CAfile", p.CA, "-tls1_2", "-prexit", "-status"}},
		{"tls12-nameopt-multiline", []string{"-cipher", "ECDHE-RSA-AES128-GCM-SHA256"}, []string{"-CAfile", p.CA, "-tls1_2", "-nameopt", "multiline"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			server := tc.server
			if !strings.Contains(strings.Join(server, " "), "-cert ") {
				server = append([]string{"-cert", p.Server, "-key", p.ServerKey}, server...)
			}
			srv := testpeer.OpenSSLServer(t, server...)
			all := append([]string{"-connect", srv.Addr}, tc.args...)
			oOut, oErr, oCode := testpeer.Run(t, 30*time.Second, "", "openssl", append([]string{"s_client"}, all...)...)
			tOut, tErr, tCode := runClient(t, "", all...)
			if oCode != tCode {
				t.Errorf("exit code: openssl %d, tlskit %d", oCode, tCode)
			}
			if a, b := normalise(oOut), normalise(tOut); a != b {
				t.Errorf("stdout differs\n%s", testpeer.LineDiff(b, a))
			}
			if a, b := normalise(oErr), normalise(tErr); a != b {
				t.Errorf("stderr differs\n%s", testpeer.LineDiff(b, a))
			}
		})
	}
}

// TestCRLDownload serves the root's CRL over HTTP at the address named in
// the server certificate's CRL distribution point.
func TestCRLDownload(t *testing.T) {
	p := newChainPKI(t)
	crl, _ := os.ReadFile(p.CRLDER)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(crl) })}
	go hs.Serve(l)
	t.Cleanup(func() { hs.Close() })
	ext := filepath.Join(p.Dir, "cdp.ext")
	os.WriteFile(ext, []byte("subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\ncrlDistributionPoints=URI:http://"+l.Addr().String()+"/root.crl\n"), 0o644)
	cert := filepath.Join(p.Dir, "cdp.pem")
	openssl(t, "req", "-new", "-key", p.ServerKey, "-subj", "/CN=localhost", "-out", filepath.Join(p.Dir, "cdp.csr"))
	openssl(t, "x509", "-req", "-in", filepath.Join(p.Dir, "cdp.csr"), "-CA", p.CA, "-CAkey", p.CAKey, "-CAcreateserial", "-out", cert, "-days", "30", "-extfile", ext)
	srv := testpeer.OpenSSLServer(t, "-cert", cert, "-key", p.ServerKey)
	// Not revoked: the downloaded CRL settles the check.
	out := compareWithOpenSSL(t, srv.Addr, verifyLines, "-CAfile", p.CA, "-crl_download", "-crl_check")
	mustMatch(t, "output", out, `(?m)^Verify return code: 0 \(ok\)$`)
	// Without the download there is no CRL.
	out = compareWithOpenSSL(t, srv.Addr, verifyLines, "-CAfile", p.CA, "-crl_check")
	mustMatch(t, "output", out, `(?m)^Verify return code: 3 \(unable to get certificate CRL\)$`)
}

// TestSessionFilesInteropWithOpenSSL checks -sess_out/-sess_in files both
// ways: openssl sess_id reads ours, openssl s_client resumes ours, and we
// resume openssl's. No suite is pinned: the engine carries both
// versions and offers openssl's suites in openssl's order.
func TestSessionFilesInteropWithOpenSSL(t *testing.T) {
	pki := testpeer.NewPKI(t)
	srv := testpeer.OpenSSLServer(t, "-cert", pki.Server, "-key", pki.ServerKey)
	var pin []string
	for _, v := range []string{"-tls1_2", "-tls1_3"} {
		t.Run(v, func(t *testing.T) {
			dir := t.TempDir()
			ours, theirs := filepath.Join(dir, "ours.pem"), filepath.Join(dir, "theirs.pem")
			if _, errs, code := runClient(t, "", "-connect", srv.Addr, v, "-sess_out", ours); code != 0 {
				t.Fatalf("exit %d\n%s", code, errs)
			}
			text, errs, code := testpeer.Run(t, 10*time.Second, "", "openssl", "sess_id", "-in", ours, "-noout", "-text")
			if code != 0 {
				t.Fatalf("openssl sess_id cannot read our session: %s", errs)
			}
			mustMatch(t, "sess_id", text, `(?m)^    Protocol  : TLSv1\.[23]$`, `(?m)^    Cipher    : (ECDHE-RSA-AES256-GCM-SHA384|TLS_AES_256_GCM_SHA384)$`,
				`(?m)^    (Master-Key|Resumption PSK): [0-9A-F]{64,96}$`, `(?m)^    TLS session ticket lifetime hint: 7200 \(seconds\)$`)
			args := append([]string{"s_client", "-connect", srv.Addr, v, "-sess_in", ours}, pin...)
			out, _, _ := testpeer.Run(t, 30*time.Second, "", "openssl", args...)
			mustMatch(t, "openssl -sess_in ours", out, `(?m)^Reused, TLSv1\.[23], `)

			// openssl writes a TLS 1.3 session when the ticket arrives,
			// after the handshake: keep its input open until the file is
			// there.
			cmd := exec.Command("openssl", append([]string{"s_client", "-connect", srv.Addr, v, "-sess_out", theirs}, pin...)...)
			stdin, _ := cmd.StdinPipe()
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { cmd.Process.Kill() }) // a no-op once it has exited
			deadline := time.Now().Add(10 * time.Second)
			for {
				if st, err := os.Stat(theirs); err == nil && st.Size() > 0 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatal("openssl wrote no session")
				}
				time.Sleep(20 * time.Millisecond) // polling for the file
			}
			stdin.Close()
			cmd.Wait()
			out, errs, code = runClient(t, "", "-connect", srv.Addr, v, "-sess_in", theirs)
			if code != 0 {
				t.Fatalf("exit %d\n%s", code, errs)
			}
			mustMatch(t, "tlskit -sess_in theirs", out, `(?m)^Reused, TLSv1\.[23], `)
		})
	}
}

// TestSessOutCompleteAtExit: tickets are saved on the reading goroutine
// as they arrive (openssl s_server sends two); s_client must not return
// while one is being written, or a script's -sess_out file (often made
// empty beforehand, as testssl.sh's mktemp does) is left empty. Four
// clients at once, five times each, as a loaded machine runs them; every
// file must hold a session that resumes.
func TestSessOutCompleteAtExit(t *testing.T) {
	pki := testpeer.NewPKI(t)
	srv := testpeer.OpenSSLServer(t, "-cert", pki.Server, "-key", pki.ServerKey, "-www")
	for _, v := range []string{"-tls1_3", "-tls1_2"} {
		for j := 0; j < 4; j++ {
			t.Run(fmt.Sprintf("%s-%d", v, j), func(t *testing.T) {
				t.Parallel()
				f := filepath.Join(t.TempDir(), "sess.pem")
				for i := 0; i < 5; i++ {
					if err := os.WriteFile(f, nil, 0o600); err != nil {
						t.Fatal(err)
					}
					if _, errs, code := runClient(t, "", "-connect", srv.Addr, v, "-sess_out", f); code != 0 {
						t.Fatalf("exit %d\n%s", code, errs)
					}
					b, _ := os.ReadFile(f)
					if !bytes.Contains(b, []byte("-----END SSL SESSION PARAMETERS-----")) {
						t.Fatalf("run %d: -sess_out holds %d bytes, no complete session", i, len(b))
					}
				}
				out, errs, code := runClient(t, "", "-connect", srv.Addr, v, "-sess_in", f)
				if code != 0 {
					t.Fatalf("exit %d\n%s", code, errs)
				}
				mustMatch(t, "-sess_in", out, `(?m)^Reused, TLSv1\.[23], `)
			})
		}
	}
}

// TestSessOutKeptOnResume12: openssl 3.0's s_client saves a TLS 1.2
// session to -sess_out only when it is new; a resumption (by ticket, or by
// session ID from a -no_ticket server) leaves the file as it was. Both
// clients resume openssl's session file and must leave a marker in place.
func TestSessOutKeptOnResume12(t *testing.T) {
	pki := testpeer.NewPKI(t)
	for _, server := range [][]string{nil, {"-no_ticket"}} {
		t.Run(fmt.Sprint(server), func(t *testing.T) {
			srv := testpeer.OpenSSLServer(t, append([]string{"-cert", pki.Server, "-key", pki.ServerKey, "-tls1_2"}, server...)...)
			dir := t.TempDir()
			first := filepath.Join(dir, "first.pem")
			if _, errs, code := testpeer.Run(t, 20*time.Second, "", "openssl", "s_client", "-connect", srv.Addr, "-sess_out", first); code != 0 {
				t.Fatalf("openssl: exit %d\n%s", code, errs)
			}
			const marker = "marker\n"
			resume := func(name string, run func(args ...string) (string, string, int)) {
				out := filepath.Join(dir, name+".pem")
				if err := os.WriteFile(out, []byte(marker), 0o600); err != nil {
					t.Fatal(err)
				}
				stdout, errs, code := run("-connect", srv.Addr, "-sess_in", first, "-sess_out", out)
				if code != 0 {
					t.Fatalf("%s: exit %d\n%s", name, code, errs)
				}
				mustMatch(t, name, stdout, `(?m)^Reused, TLSv1\.2, `)
				if b, _ := os.ReadFile(out); string(b) != marker {
					t.Errorf("%s rewrote -sess_out on a resumption:\n%.80s", name, b)
				}
			}
			resume("openssl", func(args ...string) (string, string, int) {
				return testpeer.Run(t, 20*time.Second, "", "openssl", append([]string{"s_client"}, args...)...)
			})
			resume("tlskit", func(args ...string) (string, string, int) { return runClient(t, "", args...) })
		})
	}
}

// connectProxy is a one-connection HTTP CONNECT proxy; it records the
// request head it received.
func connectProxy(t *testing.T, reply string) (addr string, head chan string) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	head = make(chan string, 1)
	go func() {
		c, err := l.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(20 * time.Second))
		r := bufio.NewReader(c)
		var req strings.Builder
		for {
			line, err := r.ReadString('\n')
			req.WriteString(line)
			if err != nil || line == "\r\n" {
				break
			}
		}
		head <- req.String()
		target := strings.Fields(req.String())[1]
		if !strings.HasPrefix(reply, "HTTP/1.1 200") {
			c.Write([]byte(reply))
			return
		}
		up, err := net.Dial("tcp", target)
		if err != nil {
			return
		}
		defer up.Close()
		c.Write([]byte(reply))
		go func() { io.Copy(c, up); c.Close() }()
		io.Copy(up, r) // r holds anything read past the request head
	}()
	return l.Addr().String(), head
}

func TestProxy(t *testing.T) {
	pki := testpeer.NewPKI(t)
	srv := testpeer.OpenSSLServer(t, "-cert", pki.Server, "-key", pki.ServerKey)
	t.Run("tunnel", func(t *testing.T) {
		addr, head := connectProxy(t, "HTTP/1.1 200 Connection established\r\n\r\n")
		out, errs, code := runClient(t, "through the proxy\n", "-connect", srv.Addr, "-proxy", addr, "-proxy_user", "alice", "-proxy_pass", "pass:secret", "-CAfile", pki.CA)
		if code != 0 {
			t.Fatalf("exit %d\n%s\n%s", code, out, errs)
		}
		mustMatch(t, "stdout", out, `(?m)^Verification: OK$`)
		h := <-head
		// alice:secret in Basic auth
		mustMatch(t, "proxy request", h, `^CONNECT `+regexp.QuoteMeta(srv.Addr)+` HTTP/1\.[01]\r\n`, `(?m)^Proxy-Authorization: Basic YWxpY2U6c2VjcmV0\r$`)
		waitOutput(t, srv, "through the proxy")
	})
	t.Run("refused", func(t *testing.T) {
		addr, _ := connectProxy(t, "HTTP/1.1 403 Forbidden\r\n\r\n")
		_, errs, code := runClient(t, "", "-connect", srv.Addr, "-proxy", addr)
		if code != 1 || !strings.Contains(errs, "403") {
			t.Errorf("exit %d, stderr %q", code, errs)
		}
	})
}

// TestSecurityDebug checks -security_debug's refusals of configured suites
// against openssl's for the same cipher string and level, and that the
// level also drops weak groups from the offer.
func TestSecurityDebug(t *testing.T) {
	pki := testpeer.NewPKI(t)
	srv := testpeer.OpenSSLServer(t, "-cert", pki.Server, "-key", pki.ServerKey)
	args := []string{"-connect", srv.Addr, "-security_debug", "-cipher", "ALL@SECLEVEL=4", "-tls1_2"}
	oOut, oErr, _ := testpeer.Run(t, 30*time.Second, "", "openssl", append([]string{"s_client"}, args...)...)
	out, tErr, code := runClient(t, "", args...)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, tErr)
	}
	n := 0
	for _, l := range strings.Split(oErr, "\n") {
		if strings.HasPrefix(l, "Security callback: Supported Ciphersuite=") {
			n++
			if !strings.Contains(tErr, l+"\n") {
				t.Errorf("our stderr lacks %q", l)
			}
		}
	}
	if n < 20 {
		t.Errorf("openssl printed only %d suite refusals:\n%s", n, oErr)
	}
	// P-256 and X25519 are below level 4's 192 bits: openssl offers
	// x448, P-521 and P-384, and the server takes x448.
	mustMatch(t, "openssl's stdout", oOut, `(?m)^Server Temp Key: X448, 448 bits$`)
	mustMatch(t, "stdout", out, `(?m)^Server Temp Key: X448, 448 bits$`)
}

// TestSecurityDebugPSK: with -psk openssl has its PSK callback and
// checks the TLS 1.0-1.2 PSK suites as any other, and a DHE_PSK
// handshake checks the server's DH prime ("Temp DH key"): against openssl
// s_server -nocert -psk, our verbose suite and DH lines are openssl
// s_client's (as sets), and at level 4 its refusals of PSK suites are
// ours too.
func TestSecurityDebugPSK(t *testing.T) {
	openssl := testpeer.Need(t, "openssl")
	srv := testpeer.OpenSSLServer(t, "-nocert", "-psk", "1a2b3c4d")
	checked := func(stderr string) []string {
		return testpeer.LineSet(stderr, "Security callback: Supported Ciphersuite=", "Security callback: Temp DH key")
	}
	args := []string{"-connect", srv.Addr, "-psk", "1a2b3c4d", "-tls1_2", "-security_debug_verbose"}
	_, oErr, _ := testpeer.Run(t, 30*time.Second, "", openssl, append([]string{"s_client"}, args...)...)
	_, tErr, code := runClient(t, "", args...)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, tErr)
	}
	want, got := checked(oErr), checked(tErr)
	if !slices.Equal(got, want) || !slices.Contains(want, "Security callback: Supported Ciphersuite=DHE-PSK-AES256-GCM-SHA384, security bits=256: yes") ||
		!slices.Contains(want, "Security callback: Temp DH key bits=, security bits=128: yes") {
		t.Errorf("verbose suite and DH checks:\n%s\nopenssl's:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	args = []string{"-connect", srv.Addr, "-psk", "1a2b3c4d", "-tls1_2", "-security_debug", "-cipher", "ALL@SECLEVEL=4"}
	_, oErr, _ = testpeer.Run(t, 30*time.Second, "", openssl, append([]string{"s_client"}, args...)...)
	_, tErr, _ = runClient(t, "", args...)
	n := 0
	for _, l := range checked(oErr) {
		if strings.Contains(l, "PSK-") && strings.HasPrefix(l, "Security callback: Supported Ciphersuite=") {
			n++
			if !strings.Contains(tErr, l+"\n") {
				t.Errorf("our stderr lacks %q", l)
			}
		}
	}
	if n < 10 {
		t.Errorf("openssl refused only %d PSK suites:\n%s", n, oErr)
	}
}

// TestQuietSendsQ checks that under -quiet a line "Q" is data for the
// server, not the quit command.
func TestQuietSendsQ(t *testing.T) {
	pki := testpeer.NewPKI(t)
	addr := goTLSServer(t, pki, func(tc *tls.Conn) {
		line, _ := bufio.NewReader(tc).ReadString('\n')
		tc.Write([]byte("got " + line))
		tc.Close()
	})
	out, errs, code := runClient(t, "Q\n", "-connect", addr, "-quiet")
	if code != 0 || out != "got Q\n" {
		t.Errorf("exit %d, stdout %q, stderr %q; want the server to echo Q", code, out, errs)
	}
}
