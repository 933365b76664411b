package sclient

import (
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/testpeer"
)

// TestXchainBuildLikeOpenSSL runs openssl s_client and tlskit with
// -xchain_build against openssl s_server -verify 1, TLS 1.2 and 1.3.
// openssl builds the -xcert's chain in its certificate callback when the
// CertificateRequest is in: a chain that cannot be built (the chain store
// lacks the issuer) fails the handshake there with internal_error,
// ssl_build_cert_chain's and tls_prepare_client_certificate's lines and
// exit 1, its report listing the server's certificate and the bytes read
// up to the CertificateRequest (TLS 1.2) or CertificateVerify (TLS 1.3);
// -cert's chain is left alone (the client starts and connects). tlskit
// refused to start with "error building certificate chain" in all four.
// Both clients' stdout (normalised) and error lines must match.
func TestXchainBuildLikeOpenSSL(t *testing.T) {
	pki := testpeer.NewPKI(t)
	srv := testpeer.OpenSSLServer(t, "-cert", pki.Server, "-key", pki.ServerKey, "-verify", "1", "-CAfile", pki.CA)
	for _, v := range []string{"-tls1_2", "-tls1_3"} {
		for _, c := range []struct {
			name string
			args []string
			code int
		}{
			{"xcert", []string{"-xcert", pki.Client, "-xkey", pki.ClientKey}, 1},
			{"cert", []string{"-cert", pki.Client, "-key", pki.ClientKey}, 0},
		} {
			t.Run(v+"/"+c.name, func(t *testing.T) {
				args := append([]string{"-connect", srv.Addr, v, "-CAfile", pki.CA, "-xchain_build", "-chainCAfile", pki.SelfSigned}, c.args...)
				oOut, oErr, oCode := testpeer.Run(t, 30*time.Second, "", "openssl", append([]string{"s_client"}, args...)...)
				tOut, tErr, tCode := runClient(t, "", args...)
				if oCode != c.code || tCode != oCode {
					t.Fatalf("exit: openssl %d, tlskit %d, want %d\nopenssl:\n%s\ntlskit:\n%s", oCode, tCode, c.code, oErr, tErr)
				}
				if o, tl := errorLines(oErr), errorLines(tErr); o != tl {
					t.Errorf("error lines differ\nopenssl:\n%s\ntlskit:\n%s", o, tl)
				}
				if c.code != 0 && !strings.Contains(tErr, "tls_prepare_client_certificate:callback failed") {
					t.Errorf("tlskit stderr:\n%s", tErr)
				}
				// The report, up to the session block (openssl prints a
				// TLS 1.3 ticket's or not, as it races the end of input).
				cut := func(s string) string {
					s = normalise(s)
					if i := strings.Index(s, "SSL-Session:"); i >= 0 {
						s = s[:i]
					}
					return s
				}
				if o, tl := cut(oOut), cut(tOut); o != tl {
					t.Errorf("stdout differs\n%s", testpeer.LineDiff(tl, o))
				}
			})
		}
	}
}
