package optgroups

import (
	"crypto/tls"
	"crypto/x509"

	"github.com/tlskit/tlskit/internal/verify"
)

// BuildChain completes a certificate's chain from store as libssl does,
// for s_client's and s_server's -build_chain alike: the chain runs from
// the leaf up to and including the trust anchor. A certificate that came
// with a chain keeps it unless build is set (then the given chain only
// helps). With build, a chain that cannot be built is an error worded as
// openssl words it; without, the certificate is left as it was.
func BuildChain(cert *tls.Certificate, store []*x509.Certificate, build bool) error {
	if len(cert.Certificate) == 0 || (len(cert.Certificate) > 1 && !build) {
		return nil
	}
	leaf, err := x509.ParseCertificate(cert.Certificate[0])
	if err != nil {
		return err
	}
	var given []*x509.Certificate
	for _, der := range cert.Certificate[1:] {
		if c, err := x509.ParseCertificate(der); err == nil {
			given = append(given, c)
		}
	}
	r := verify.Verify([]*x509.Certificate{leaf}, verify.Options{
		Roots:         store,
		Intermediates: given,
		Depth:         -1,
	})
	if build && r.Code != verify.OK {
		// Like libssl, name the first problem met, not the last.
		code := r.Code
		for _, e := range r.Events {
			if !e.OK {
				code = e.Code
				break
			}
		}
		return &ConfError{[]string{
			"error building certificate chain",
			"00000000:error:0A000086:SSL routines:ssl_build_cert_chain:certificate verify failed:tlskit:0:Verify error:" + verify.ErrorString(code),
		}}
	}
	if len(r.Chain) > 1 {
		chain := [][]byte{cert.Certificate[0]}
		for _, c := range r.Chain[1:] {
			chain = append(chain, c.Raw)
		}
		cert.Certificate = chain
	}
	return nil
}
