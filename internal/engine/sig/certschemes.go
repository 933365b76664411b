package sig

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
)

// Signature algorithm identifiers Go's x509 does not name.
var (
	oidSHA224WithRSA   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 14}
	oidECDSAWithSHA224 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 1}
	oidDSAWithSHA224   = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 3, 1}
)

// CertificateSchemes are the TLS signature schemes that name the
// algorithm c was signed with (RFC 8446 §4.2.3: an RSASSA-PSS signature
// is either PSS scheme of its hash).
func CertificateSchemes(c *x509.Certificate) []uint16 {
	switch c.SignatureAlgorithm {
	case x509.SHA1WithRSA:
		return []uint16{RSAPKCS1SHA1}
	case x509.SHA256WithRSA:
		return []uint16{RSAPKCS1SHA256}
	case x509.SHA384WithRSA:
		return []uint16{RSAPKCS1SHA384}
	case x509.SHA512WithRSA:
		return []uint16{RSAPKCS1SHA512}
	case x509.ECDSAWithSHA1:
		return []uint16{ECDSASHA1}
	case x509.ECDSAWithSHA256:
		return []uint16{ECDSAP256SHA256}
	case x509.ECDSAWithSHA384:
		return []uint16{ECDSAP384SHA384}
	case x509.ECDSAWithSHA512:
		return []uint16{ECDSAP521SHA512}
	case x509.DSAWithSHA1:
		return []uint16{DSASHA1}
	case x509.DSAWithSHA256:
		return []uint16{DSASHA256}
	case x509.PureEd25519:
		return []uint16{Ed25519}
	case x509.SHA256WithRSAPSS:
		return []uint16{RSAPSSRSAESHA256, RSAPSSPSSSHA256}
	case x509.SHA384WithRSAPSS:
		return []uint16{RSAPSSRSAESHA384, RSAPSSPSSSHA384}
	case x509.SHA512WithRSAPSS:
		return []uint16{RSAPSSRSAESHA512, RSAPSSPSSSHA512}
	}
	var outer struct {
		TBS    asn1.RawValue
		SigAlg pkix.AlgorithmIdentifier
	}
	if _, err := asn1.Unmarshal(c.Raw, &outer); err != nil {
		return nil
	}
	switch alg := outer.SigAlg.Algorithm; {
	case alg.Equal(oidSHA224WithRSA):
		return []uint16{RSAPKCS1SHA224}
	case alg.Equal(oidECDSAWithSHA224):
		return []uint16{ECDSASHA224}
	case alg.Equal(oidDSAWithSHA224):
		return []uint16{DSASHA224}
	case alg.Equal(oidEd448):
		return []uint16{Ed448}
	}
	return nil
}
