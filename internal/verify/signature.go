package verify

import (
	"crypto"
	"crypto/md5"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"

	"github.com/tlskit/tlskit/internal/engine/sig"
	"github.com/tlskit/tlskit/internal/tlsnames"
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

// certPSS reads a certificate's outer signatureAlgorithm when it is
// RSASSA-PSS with parameters crypto/x509 does not take (it takes only a
// salt as long as the hash; openssl signs with the longest salt the key
// allows): the hash and salt length, RFC 4055 §3.1.
func certPSS(raw []byte) (crypto.Hash, int, bool) {
	var c struct {
		TBS asn1.RawValue
		Alg pkix.AlgorithmIdentifier
		Sig asn1.BitString
	}
	if rest, err := asn1.Unmarshal(raw, &c); err != nil || len(rest) != 0 || !c.Alg.Algorithm.Equal(sig.OIDRSAPSS) {
		return 0, 0, false
	}
	h, salt, err := sig.PSSSignatureParams(c.Alg.Parameters)
	return h, salt, err == nil
}

// checkPSSCert verifies an RSASSA-PSS certificate signature that
// crypto/x509 left as an unknown algorithm, with the issuer's RSA or
// RSASSA-PSS key (RFC 8017 §8.1.2).
func checkPSSCert(issuer, c *x509.Certificate) error {
	h, salt, ok := certPSS(c.Raw)
	if !ok {
		return errors.New("verify: unknown signature algorithm")
	}
	pub, err := sig.PublicKey(issuer)
	if err != nil {
		return err
	}
	var k *rsa.PublicKey
	switch p := pub.(type) {
	case *rsa.PublicKey:
		k = p
	case sig.PSSPublicKey:
		if p.Hash != 0 && p.Hash != h {
			return errors.New("verify: RSASSA-PSS signature with a hash its key does not allow")
		}
		k = p.PublicKey
	default:
		return errors.New("verify: RSASSA-PSS signature from a non-RSA key")
	}
	d := h.New()
	d.Write(c.RawTBSCertificate)
	return rsa.VerifyPSS(k, h, d.Sum(nil), c.Signature, &rsa.PSSOptions{SaltLength: salt, Hash: h})
}

// certSigBits is tlsnames.CertSigBits, with RSASSA-PSS signatures
// crypto/x509 does not name rated by their hash as the named ones are.
func certSigBits(c *x509.Certificate) int {
	if c.SignatureAlgorithm == x509.UnknownSignatureAlgorithm {
		if h, _, ok := certPSS(c.Raw); ok {
			return h.Size() * 8 / 2
		}
	}
	bits, _ := tlsnames.CertSigBits(c.SignatureAlgorithm)
	return bits
}
