package optgroups

import (
	"crypto/tls"
	"crypto/x509"

	"github.com/tlskit/tlskit/internal/certs"
	"github.com/tlskit/tlskit/internal/opt"
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

// IdentityOptions names the options of one certificate and key: -cert,
// -key, -certform, -keyform, -cert_chain (and s_server's -dcert… and
// -xcert… families).
type IdentityOptions struct{ Cert, Key, CertForm, KeyForm, Chain string }

// The identity option families.
var (
	MainIdentity     = IdentityOptions{"cert", "key", "certform", "keyform", "cert_chain"}
	DualIdentity     = IdentityOptions{"dcert", "dkey", "dcertform", "dkeyform", "dcert_chain"}
	ExtendedIdentity = IdentityOptions{"xcert", "xkey", "xcertform", "xkeyform", "xchain"}
)

// Identity is one certificate and key as the command line names them,
// each option's last value winning. The pass phrase is not read here (it
// may come from stdin): PassSpec is -pass's source, for certs.ReadPass.
type Identity struct {
	Spec      certs.KeyPairSpec // Key "" means the certificate file
	CertGiven bool
	KeyGiven  bool
	PassSpec  string
}

// ParseIdentity reads one identity family, checking the format options.
func ParseIdentity(v *opt.Values, names IdentityOptions) (Identity, error) {
	id := Identity{PassSpec: v.Str("pass", "")}
	id.Spec.Cert, id.CertGiven = v.Get(names.Cert)
	id.Spec.Key, id.KeyGiven = v.Get(names.Key)
	id.Spec.Chain = v.Str(names.Chain, "")
	for _, f := range []struct {
		name string
		dst  *certs.Format
	}{{names.CertForm, &id.Spec.CertForm}, {names.KeyForm, &id.Spec.KeyForm}} {
		if s, ok := v.Get(f.name); ok {
			form, err := certs.ParseFormat(s)
			if err != nil {
				return id, err
			}
			*f.dst = form
		}
	}
	return id, nil
}
