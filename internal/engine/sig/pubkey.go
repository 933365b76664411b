package sig

import (
	"crypto"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"

	"github.com/cloudflare/circl/sign/ed448"
)

// PSSPublicKey is an RSA key certified for RSASSA-PSS only (SPKI algorithm
// id-RSASSA-PSS, RFC 4055): it takes rsa_pss_pss_* schemes, never
// rsa_pss_rsae_* or PKCS#1 (RFC 8446 §4.2.3).
type PSSPublicKey struct{ *rsa.PublicKey }

var (
	oidRSAPSS = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 10}
	oidEd448  = asn1.ObjectIdentifier{1, 3, 101, 113}
)

// PublicKey returns a certificate's public key as the schemes here take
// it, including the kinds Go's x509 leaves unparsed (Ed448, RSASSA-PSS).
func PublicKey(cert *x509.Certificate) (crypto.PublicKey, error) {
	if cert.PublicKey != nil {
		return cert.PublicKey, nil
	}
	var spki struct {
		Algorithm pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}
	if rest, err := asn1.Unmarshal(cert.RawSubjectPublicKeyInfo, &spki); err != nil || len(rest) != 0 {
		return nil, errors.New("sig: malformed subject public key info")
	}
	key := spki.PublicKey.RightAlign()
	switch {
	case spki.Algorithm.Algorithm.Equal(oidEd448):
		if len(key) != ed448.PublicKeySize {
			return nil, errors.New("sig: malformed Ed448 key")
		}
		return ed448.PublicKey(key), nil
	case spki.Algorithm.Algorithm.Equal(oidRSAPSS):
		k, err := x509.ParsePKCS1PublicKey(key)
		if err != nil {
			return nil, err
		}
		return PSSPublicKey{k}, nil
	}
	return nil, errors.New("sig: unsupported public key algorithm")
}
