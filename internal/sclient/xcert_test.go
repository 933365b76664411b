package sclient

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/testpeer"
)

// TestXcertLikeOpenSSL runs openssl s_client and tlskit with -xcert
// against openssl s_server asking for a certificate, and compares exit
// codes, error lines, the "Checking cert chain 1:" block on stderr and
// the report (normalised, up to the session block). openssl's
// certificate callback runs at the CertificateRequest: it prints the
// -xcert's SSL_check_chain flags, answers with the -xcert alone when it
// is valid and with no certificate otherwise (-cert's forgotten), and
// under -xchain_build builds its chain there, a chain that cannot be
// built failing the handshake with internal_error, ssl_build_cert_chain's
// and tls_prepare_client_certificate's lines and exit 1; -cert's chain is
// left alone. tlskit printed no block, offered -cert's certificate beside
// the -xcert's, and refused to start when -xchain_build failed.
func TestXcertLikeOpenSSL(t *testing.T) {
	pki := testpeer.NewPKI(t)
	ask := testpeer.OpenSSLServer(t, "-cert", pki.Server, "-key", pki.ServerKey, "-verify", "1", "-CAfile", pki.CA)
	// Only RSA PKCS#1 SHA-256 (hence only RSA certificate types) and a
	// certificate required: an ECDSA -xcert is not valid, and openssl
	// sends no certificate although -cert's RSA one would do.
	rsaOnly := testpeer.OpenSSLServer(t, "-cert", pki.Server, "-key", pki.ServerKey, "-Verify", "1", "-CAfile", pki.CA,
		"-client_sigalgs", "RSA+SHA256", "-tls1_2")
	// No CA names: the issuer check passes.
	noNames := testpeer.OpenSSLServer(t, "-cert", pki.Server, "-key", pki.ServerKey, "-verify", "1", "-CAfile", pki.SelfSigned,
		"-no_ca_names", "-tls1_2")
	unbuildable := []string{"-xchain_build", "-chainCAfile", pki.SelfSigned}
	rsaClient, rsaKey := pki.Server, pki.ServerKey // an RSA certificate for the client
	block := regexp.MustCompile(`^(Checking cert chain|Subject:|\t)`)
	for _, c := range []struct {
		name string
		srv  *testpeer.Server
		args []string
		code int
	}{
		{"unbuildable/TLS12", ask, append([]string{"-tls1_2", "-xcert", pki.Client, "-xkey", pki.ClientKey}, unbuildable...), 1},
		{"unbuildable/TLS13", ask, append([]string{"-tls1_3", "-xcert", pki.Client, "-xkey", pki.ClientKey}, unbuildable...), 1},
		{"cert-unbuilt/TLS12", ask, append([]string{"-tls1_2", "-cert", pki.Client, "-key", pki.ClientKey}, unbuildable...), 0},
		{"cert-unbuilt/TLS13", ask, append([]string{"-tls1_3", "-cert", pki.Client, "-key", pki.ClientKey}, unbuildable...), 0},
		{"built/TLS13", ask, []string{"-tls1_3", "-xcert", pki.Client, "-xkey", pki.ClientKey, "-xchain_build"}, 0},
		{"self-signed/TLS12", ask, []string{"-tls1_2", "-xcert", pki.SelfSigned, "-xkey", pki.SelfSignedKey}, 0},
		{"rsa/TLS13", ask, []string{"-tls1_3", "-xcert", rsaClient, "-xkey", rsaKey}, 0},
		{"invalid-replaces-cert", rsaOnly, []string{"-cert", rsaClient, "-key", rsaKey, "-xcert", pki.Client, "-xkey", pki.ClientKey}, 1},
		{"ecdsa-signed-rsa", rsaOnly, []string{"-xcert", rsaClient, "-xkey", rsaKey}, 1},
		{"no-ca-names", noNames, []string{"-xcert", pki.Client, "-xkey", pki.ClientKey}, 0},
		// Each -xcert is checked in order, its own block each.
		{"two/TLS12", ask, []string{"-tls1_2", "-xcert", rsaClient, "-xkey", rsaKey, "-xcert", pki.Client, "-xkey", pki.ClientKey}, 0},
		{"two/TLS13", ask, []string{"-tls1_3", "-xcert", pki.Client, "-xkey", pki.ClientKey, "-xcert", pki.SelfSigned, "-xkey", pki.SelfSignedKey}, 0},
		// -xchain_build marks the -xcert it follows: the first one's
		// chain fails, and the second is never checked.
		{"two-first-unbuildable", ask, append([]string{"-xcert", pki.Client, "-xkey", pki.ClientKey, "-xchain_build",
			"-xcert", rsaClient, "-xkey", rsaKey}, unbuildable[1:]...), 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			args := append([]string{"-connect", c.srv.Addr, "-CAfile", pki.CA}, c.args...)
			oOut, oErr, oCode := testpeer.Run(t, 30*time.Second, "", "openssl", append([]string{"s_client"}, args...)...)
			tOut, tErr, tCode := runClient(t, "", args...)
			if oCode != c.code || tCode != oCode {
				t.Fatalf("exit: openssl %d, tlskit %d, want %d\nopenssl:\n%s\ntlskit:\n%s", oCode, tCode, c.code, oErr, tErr)
			}
			if o, tl := errorLines(oErr), errorLines(tErr); o != tl {
				t.Errorf("error lines differ\nopenssl:\n%s\ntlskit:\n%s", o, tl)
			}
			if o, tl := pick(oErr, block), pick(tErr, block); o != tl {
				t.Errorf("certificate callback's block differs\nopenssl:\n%s\ntlskit:\n%s", o, tl)
			}
			if strings.Contains(strings.Join(c.args, " "), "-xcert") && !strings.Contains(tErr, "Checking cert chain 1:") {
				t.Errorf("no callback block:\n%s", tErr)
			}
			if o, tl := reportBeforeSession(oOut), reportBeforeSession(tOut); o != tl {
				t.Errorf("stdout differs\n%s", testpeer.LineDiff(tl, o))
			}
		})
	}
}

// TestEmptyCANamesLikeOpenSSL: openssl s_server -no_ca_names -verify 1
// sends a TLS 1.3 CertificateRequest whose certificate_authorities is
// empty, which RFC 8446 forbids but openssl s_client takes ("No client
// certificate CA names sent", exit 0, with or without a certificate to
// offer). tlskit answered decode_error.
func TestEmptyCANamesLikeOpenSSL(t *testing.T) {
	pki := testpeer.NewPKI(t)
	srv := testpeer.OpenSSLServer(t, "-cert", pki.Server, "-key", pki.ServerKey, "-verify", "1", "-CAfile", pki.CA,
		"-no_ca_names", "-tls1_3")
	for _, extra := range [][]string{nil, {"-cert", pki.Client, "-key", pki.ClientKey}} {
		args := append([]string{"-connect", srv.Addr, "-CAfile", pki.CA}, extra...)
		oOut, oErr, oCode := testpeer.Run(t, 30*time.Second, "", "openssl", append([]string{"s_client"}, args...)...)
		tOut, tErr, tCode := runClient(t, "", args...)
		if oCode != 0 || tCode != 0 {
			t.Fatalf("%v: exit: openssl %d, tlskit %d\nopenssl:\n%s\ntlskit:\n%s", extra, oCode, tCode, oErr, tErr)
		}
		if o, tl := reportBeforeSession(oOut), reportBeforeSession(tOut); o != tl || !strings.Contains(tl, "\nNo client certificate CA names sent\n") {
			t.Errorf("%v: stdout differs\n%s", extra, testpeer.LineDiff(tl, o))
		}
	}
}

// reportBeforeSession is s_client's normalised stdout up to the session
// block (openssl prints a TLS 1.3 ticket's or not, as it races the end
// of input).
func reportBeforeSession(s string) string {
	s = normalise(s)
	if i := strings.Index(s, "SSL-Session:"); i >= 0 {
		s = s[:i]
	}
	return s
}
