package sserver

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/testpeer"
)

// TestCertRequestSigalgsLikeOpenSSL: the signature_algorithms of a
// CertificateRequest are -client_sigalgs less what the security level
// rules out and, in TLS 1.3, the DSA schemes; a list left with nothing
// that can sign the version's handshake makes the server fail with
// internal_error and openssl's two error lines. openssl s_client -trace
// sees the same request (or alert) from openssl s_server and from ours,
// and both servers print the same error lines.
func TestCertRequestSigalgsLikeOpenSSL(t *testing.T) {
	testpeer.Need(t, "openssl")
	dir := t.TempDir()
	cert, key := writeCert(t, dir, "srv", "localhost", false)
	all := "RSA+SHA256:DSA+SHA256:ECDSA+SHA224:RSA+SHA1:ECDSA+SHA256:RSA+SHA224:ed25519:ECDSA+SHA1:DSA+SHA1:RSA-PSS+SHA256:rsa_pss_pss_sha256:DSA+SHA224"
	requested := regexp.MustCompile(`(?s)CertificateRequest, Length=.*?\n\n`)
	scheme := regexp.MustCompile(`(?m)^ +([a-z_0-9]+) \(0x[0-9a-f]{4}\)$`)
	received := regexp.MustCompile(`(?m)^ +Level=fatal\(2\), description=.*$`)
	for _, tc := range []struct {
		name           string
		sigalgs, level string
		client         []string
		fails          bool
	}{
		{"tls12-level2", all, "2", []string{"-tls1_2"}, false},
		{"tls13-level2", all, "2", []string{"-tls1_3"}, false},
		{"tls12-level3", all, "3", []string{"-tls1_2"}, false},
		{"tls13-level3", all, "3", []string{"-tls1_3"}, false},
		{"tls12-level0", all, "0", []string{"-tls1_2"}, false},
		{"tls12-sha1-only", "RSA+SHA1", "2", []string{"-tls1_2"}, true},
		{"tls13-pkcs1-only", "RSA+SHA256", "2", []string{"-tls1_3"}, true},
		{"tls13-sha224-only", "ECDSA+SHA224", "2", []string{"-tls1_3"}, true},
		{"tls12-pkcs1-only", "RSA+SHA256", "2", []string{"-tls1_2"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := []string{"-cert", cert, "-key", key, "-verify", "1", "-www", "-client_sigalgs", tc.sigalgs, "-cipher", "DEFAULT@SECLEVEL=" + tc.level}
			theirs := testpeer.OpenSSLServer(t, args...)
			ours := startServer(t, "", args...)
			type outcome struct{ schemes, alert, errors string }
			var got [2]outcome
			for i, s := range []struct {
				addr string
				errs func() string
			}{{theirs.Addr, theirs.Output}, {ours.addr, ours.err.String}} {
				out, _ := runPeer(t, "", 20*time.Second, "openssl", append([]string{"s_client", "-connect", s.addr, "-trace",
					"-cert", cert, "-key", key, "-cipher", "DEFAULT@SECLEVEL=" + tc.level}, tc.client...)...)
				var names []string
				for _, m := range scheme.FindAllStringSubmatch(requested.FindString(out), -1) {
					names = append(names, m[1])
				}
				got[i] = outcome{schemes: strings.Join(names, " "), alert: received.FindString(out)}
				if tc.fails {
					testpeer.WaitOutput(t, s.errs, ":internal error:", 5*time.Second)
					got[i].errors = sslErrorLines(s.errs())
				}
			}
			if tc.fails != strings.Contains(got[0].alert, "internal error") || !tc.fails && got[0].schemes == "" {
				t.Fatalf("openssl s_server's outcome is not the one measured: %+v", got[0])
			}
			if got[1] != got[0] {
				t.Errorf("tlskit:  %+v\nopenssl: %+v", got[1], got[0])
			}
		})
	}
}
