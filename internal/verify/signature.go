package verify

import (
	"crypto"
	"crypto/md5"
	"crypto/rsa"
	"crypto/x509"
	"errors"
)

// checkSignature verifies sig over signed with issuer's key. crypto/x509
// refuses MD5 signatures outright, but openssl verifies them and leaves
// the verdict to the security level (39 bits: "CA signature digest
// algorithm too weak" from -auth_level 1, accepted at 0), so RSA with MD5
// (RFC 3279 section 2.2.1) is checked here.
func checkSignature(issuer *x509.Certificate, alg x509.SignatureAlgorithm, signed, sig []byte) error {
	if alg != x509.MD5WithRSA {
		return issuer.CheckSignature(alg, signed, sig)
	}
	pub, ok := issuer.PublicKey.(*rsa.PublicKey)
	if !ok {
		return errors.New("verify: MD5 with RSA signature from a non-RSA key")
	}
	sum := md5.Sum(signed)
	return rsa.VerifyPKCS1v15(pub, crypto.MD5, sum[:], sig)
}
