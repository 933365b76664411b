package sclient

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/stdio"
	"github.com/tlskit/tlskit/internal/testpeer"
)

// runClient runs s_client in-process with the given stdin, bounded in time.
func runClient(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var o, e lockedBuffer
	done := make(chan int, 1)
	go func() {
		done <- Main(args, stdio.Stdio{In: strings.NewReader(stdin), Out: &o, Err: &e})
	}()
	select {
	case code = <-done:
	case <-time.After(30 * time.Second):
		t.Fatalf("s_client %s: did not finish in 30s\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), o.String(), e.String())
	}
	return o.String(), e.String(), code
}

func mustContain(t *testing.T, what, out string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(out, w) {
			t.Errorf("%s lacks %q; it is:\n%s", what, w, out)
		}
	}
}

func mustMatch(t *testing.T, what, out string, res ...string) {
	t.Helper()
	for _, r := range res {
		if !regexp.MustCompile(r).MatchString(out) {
			t.Errorf("%s does not match %q; it is:\n%s", what, r, out)
		}
	}
}

// clientTest is one handshake of our client against a real openssl s_server.
type clientTest struct {
	name       string
	server     []string // openssl s_server args beyond -accept, -cert, -key
	ecdsa      bool     // serve the ECDSA certificate instead of RSA
	args       []string // s_client args beyond -connect
	stdin      string
	wantCode   int
	wantOut    []string // regexps on stdout
	wantErr    []string // regexps on stderr
	serverSees []string // substrings in the server's output
}

func TestClientAgainstOpenSSL(t *testing.T) {
	pki := testpeer.NewPKI(t)
	tests := []clientTest{
		{
			name:  "tls13-verified",
			args:  []string{"-CAfile", pki.CA},
			stdin: "hello from tlskit\n",
			wantOut: []string{`(?m)^CONNECTED\(0000[0-9A-F]{4}\)$`, `(?m)^Certificate chain$`, `(?m)^ 0 s:CN = localhost$`,
				`(?m)^   i:C = US, O = tlskit tests, CN = tlskit Test Root$`,
				`(?m)^   a:PKEY: rsaEncryption, 2048 \(bit\); sigalg: ecdsa-with-SHA256$`,
				`(?m)^   v:NotBefore: \w{3} [ 0-9]\d \d\d:\d\d:\d\d \d{4} GMT; NotAfter: `,
				`(?m)^Server certificate\n-----BEGIN CERTIFICATE-----$`, `(?m)^subject=CN = localhost$`,
				`(?m)^issuer=C = US, O = tlskit tests, CN = tlskit Test Root$`, `(?m)^No client certificate CA names sent$`,
				`(?m)^SSL handshake has read \d+ bytes and written \d+ bytes$`, `(?m)^Verification: OK$`,
				`(?m)^New, TLSv1\.3, Cipher is TLS_AES_256_GCM_SHA384$`, `(?m)^Server public key is 2048 bit$`,
				`(?m)^Secure Renegotiation IS NOT supported$`, `(?m)^Compression: NONE$`, `(?m)^Expansion: NONE$`,
				`(?m)^No ALPN negotiated$`, `(?m)^Early data was not sent$`, `(?m)^Verify return code: 0 \(ok\)$`,
				`(?m)^Post-Handshake New Session Ticket arrived:\nSSL-Session:\n    Protocol  : TLSv1\.3\n    Cipher    : TLS_AES_256_GCM_SHA384\n`},
			wantErr: []string{`(?m)^depth=1 C = US, O = tlskit tests, CN = tlskit Test Root\nverify return:1\ndepth=0 CN = localhost\nverify return:1$`,
				`(?m)^DONE$`},
			serverSees: []string{"hello from tlskit"},
		},
		{
			name: "tls12-ecdhe-rsa",
			args: []string{"-CAfile", pki.CA, "-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256"},
			wantOut: []string{`(?m)^New, TLSv1\.2, Cipher is ECDHE-RSA-AES128-GCM-SHA256$`, `(?m)^SSL-Session:\n    Protocol  : TLSv1\.2\n    Cipher    : ECDHE-RSA-AES128-GCM-SHA256\n`,
				`(?m)^    Verify return code: 0 \(ok\)$`, `(?m)^Secure Renegotiation IS supported$`},
		},
		{
			name:    "tls12-rsa-kx-prints-ssl3",
			server:  []string{"-cipher", "AES128-SHA:@SECLEVEL=0"},
			args:    []string{"-CAfile", pki.CA, "-tls1_2", "-cipher", "AES128-SHA"},
			wantOut: []string{`(?m)^New, SSLv3, Cipher is AES128-SHA$`},
		},
		{
			name:    "ecdsa-server",
			ecdsa:   true,
			args:    []string{"-CAfile", pki.CA},
			wantOut: []string{`(?m)^   a:PKEY: id-ecPublicKey, 256 \(bit\); sigalg: ecdsa-with-SHA256$`, `(?m)^Server public key is 256 bit$`},
		},
		{
			name:     "unverified-chain-continues",
			args:     []string{"-no-CAfile", "-no-CApath", "-no-CAstore"},
			wantOut:  []string{`(?m)^Verification error: unable to verify the first certificate$`, `(?m)^Verify return code: 21 \(unable to verify the first certificate\)$`},
			wantErr:  []string{`(?m)^verify error:num=20:unable to get local issuer certificate$`},
			wantCode: 0,
		},
		{
			name: "verify-return-error-fails",
			args: []string{"-no-CAfile", "-no-CApath", "-no-CAstore", "-verify_return_error"},
			// openssl's TLS 1.3 session has its version and suite by then.
			wantOut:  []string{`(?m)^New, TLSv1\.3, Cipher is `, `(?m)^Verification error: unable to get local issuer certificate$`, `(?m)^no peer certificate available$`},
			wantCode: 1,
		},
		{
			name:    "hostname-mismatch",
			args:    []string{"-CAfile", pki.CA, "-verify_hostname", "other.example"},
			wantOut: []string{`(?m)^Verify return code: 62 \(hostname mismatch\)$`},
		},
		{
			name:    "alpn",
			server:  []string{"-alpn", "h2"},
			args:    []string{"-CAfile", pki.CA, "-alpn", "http/1.1,h2"},
			wantOut: []string{`(?m)^ALPN protocol: h2$`},
		},
		{
			name:    "client-certificate",
			server:  []string{"-Verify", "1", "-CAfile", pki.CA},
			args:    []string{"-CAfile", pki.CA, "-cert", pki.Client, "-key", pki.ClientKey, "-tls1_2"},
			wantOut: []string{`(?m)^New, TLSv1\.2, Cipher is `},
		},
		{
			name:     "version-mismatch-fails",
			server:   []string{"-tls1_2"},
			args:     []string{"-tls1_3"},
			wantCode: 1,
			wantOut:  []string{`(?m)^CONNECTED\(`, `(?m)^no peer certificate available$`, `(?m)^New, \(NONE\), Cipher is \(NONE\)$`, `(?m)^Verify return code: 0 \(ok\)$`},
			wantErr:  []string{`protocol version`},
		},
		{
			name: "msg-and-trace",
			args: []string{"-CAfile", pki.CA, "-msg"},
			wantOut: []string{`(?m)^>>> TLS 1\.3, Handshake \[length [0-9a-f]{4}\], ClientHello\n    01 00 `,
				`(?m)^<<< TLS 1\.3, Handshake \[length [0-9a-f]{4}\], ServerHello$`,
				`(?m)^<<< TLS 1\.3, Handshake \[length [0-9a-f]{4}\], Certificate$`,
				`(?m)^<<< TLS 1\.3, Handshake \[length [0-9a-f]{4}\], CertificateVerify$`,
				`(?m)^>>> TLS 1\.3, Handshake \[length 0034\], Finished$`},
		},
		{
			name:    "trace",
			args:    []string{"-CAfile", pki.CA, "-trace", "-tls1_2"},
			wantOut: []string{`(?m)^Sent Record$`, `(?m)^    ClientHello, Length=\d+$`, `(?m)^Received Record$`, `(?m)^    ServerHello, Length=\d+$`},
		},
		{
			name:    "report-lines-from-the-wire",
			args:    []string{"-CAfile", pki.CA},
			wantOut: []string{`(?m)^Peer signing digest: SHA256$`, `(?m)^Peer signature type: RSA-PSS$`, `(?m)^    Session-ID: [0-9A-F]{64}$`},
		},
		{
			name:    "tls12-report-lines-from-the-wire",
			args:    []string{"-CAfile", pki.CA, "-tls1_2"},
			wantOut: []string{`(?m)^Peer signing digest: SHA256$`, `(?m)^Peer signature type: RSA-PSS$`, `(?m)^    Master-Key: [0-9A-F]{96}$`, `(?m)^    Extended master secret: yes$`, `(?m)^    TLS session ticket lifetime hint: 7200 \(seconds\)$`},
		},
		{
			name:    "brief",
			args:    []string{"-CAfile", pki.CA, "-brief"},
			wantErr: []string{`(?m)^CONNECTION ESTABLISHED\nProtocol version: TLSv1\.3\nCiphersuite: TLS_AES_256_GCM_SHA384\nPeer certificate: CN = localhost\n`, `(?m)^Verification: OK$`},
		},
		{
			// openssl 3.0 cannot resume at TLS 1.3 with -reconnect
			// (TestReconnect): six full handshakes.
			name:    "reconnect-tls13-full-handshakes",
			args:    []string{"-CAfile", pki.CA, "-reconnect"},
			wantOut: []string{`(?s)(New, TLSv1\.3, Cipher is TLS_AES_256_GCM_SHA384.*){6}`},
		},
		{
			name:    "reconnect-resumes-tls12",
			args:    []string{"-CAfile", pki.CA, "-reconnect", "-tls1_2"},
			wantOut: []string{`(?s)(Reused, TLSv1\.2, Cipher is ECDHE-RSA-AES256-GCM-SHA384.*){5}`},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cert, key := pki.Server, pki.ServerKey
			if tc.ecdsa {
				cert, key = pki.ECServer, pki.ECServerKey
			}
			srv := testpeer.OpenSSLServer(t, append([]string{"-cert", cert, "-key", key}, tc.server...)...)
			args := append([]string{"-connect", srv.Addr, "-servername", "localhost"}, tc.args...)
			out, errs, code := runClient(t, tc.stdin, args...)
			if code != tc.wantCode {
				t.Errorf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.wantCode, out, errs)
			}
			mustMatch(t, "stdout", out, tc.wantOut...)
			mustMatch(t, "stderr", errs, tc.wantErr...)
			if len(tc.serverSees) > 0 {
				deadline := time.Now().Add(5 * time.Second)
				for !strings.Contains(srv.Output(), tc.serverSees[0]) && time.Now().Before(deadline) {
					time.Sleep(20 * time.Millisecond) // poll the server's output, bounded
				}
				mustContain(t, "server output", srv.Output(), tc.serverSees...)
			}
		})
	}
}

func TestClientAgainstGnuTLS(t *testing.T) {
	pki := testpeer.NewPKI(t)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"tls13", nil, `(?m)^New, TLSv1\.3, Cipher is TLS_`},
		{"tls12", []string{"-tls1_2"}, `(?m)^New, TLSv1\.2, Cipher is ECDHE-RSA-`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := testpeer.GnuTLSServer(t, "--x509certfile", pki.Server, "--x509keyfile", pki.ServerKey)
			args := append([]string{"-connect", srv.Addr, "-CAfile", pki.CA}, tc.args...)
			out, errs, code := runClient(t, "", args...)
			if code != 0 {
				t.Fatalf("exit %d\n%s\n%s", code, out, errs)
			}
			mustMatch(t, "stdout", out, tc.want, `(?m)^Verification: OK$`, `(?m)^ *Verify return code: 0 \(ok\)$`)
		})
	}
}

func TestConnectRefused(t *testing.T) {
	port := testpeer.ClosedPort(t) // nothing listens there
	out, errs, code := runClient(t, "", "-connect", "127.0.0.1:"+port)
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	if out != "" {
		t.Errorf("stdout should be empty, is %q", out)
	}
	mustMatch(t, "stderr", errs, `(?m)^[0-9A-F]+:error:8000006F:system library:BIO_connect:Connection refused:`, `(?m)^connect:errno=111$`)
}

func TestStartupErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-4", "-6"}, "s_client: Can't use both -4 and -6\ns_client: Use -help for summary.\n"},
		{[]string{"-servername", "a", "-noservername"}, "s_client: Can't use -servername and -noservername together\ns_client: Use -help for summary.\n"},
		{[]string{"-cipher", "FOO"}, "Call to SSL_CONF_cmd(-cipher, FOO) failed\n"},
		{[]string{"-cert", "/nonexistent/cert.pem"}, "/nonexistent/cert.pem"},
		{[]string{"-starttls", "gopher"}, "s_client: Value must be one of:\n\tsmtp\n\tpop3\n"},
	} {
		_, errs, code := runClient(t, "", tc.args...)
		if code != 1 || !strings.Contains(errs, tc.want) {
			t.Errorf("s_client %v: exit %d, stderr %q; want exit 1 and %q", tc.args, code, errs, tc.want)
		}
	}
}

// lockedBuffer is testpeer.Buffer: a buffer safe for concurrent writes and reads.
type lockedBuffer = testpeer.Buffer
