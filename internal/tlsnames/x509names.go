package tlsnames

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"

	"github.com/tlskit/tlskit/internal/lazy"
)

var x509SigAlgNames = lazy.Value[map[x509.SignatureAlgorithm]string]{Build: func() map[x509.SignatureAlgorithm]string {
	return map[x509.SignatureAlgorithm]string{
		x509.MD5WithRSA:       "md5WithRSAEncryption",
		x509.SHA1WithRSA:      "sha1WithRSAEncryption",
		x509.SHA256WithRSA:    "sha256WithRSAEncryption",
		x509.SHA384WithRSA:    "sha384WithRSAEncryption",
		x509.SHA512WithRSA:    "sha512WithRSAEncryption",
		x509.ECDSAWithSHA1:    "ecdsa-with-SHA1",
		x509.ECDSAWithSHA256:  "ecdsa-with-SHA256",
		x509.ECDSAWithSHA384:  "ecdsa-with-SHA384",
		x509.ECDSAWithSHA512:  "ecdsa-with-SHA512",
		x509.SHA256WithRSAPSS: "RSASSA-PSS",
		x509.SHA384WithRSAPSS: "RSASSA-PSS",
		x509.SHA512WithRSAPSS: "RSASSA-PSS",
		x509.PureEd25519:      "ED25519",
	}
}}

// X509SigAlgName is openssl's long name for a certificate signature
// algorithm, as s_client's chain lines print it ("sha256WithRSAEncryption",
// "ecdsa-with-SHA256", "RSASSA-PSS"), and whether it is known.
func X509SigAlgName(a x509.SignatureAlgorithm) (string, bool) {
	n, ok := x509SigAlgNames.Get()[a]
	return n, ok
}

// certSigAlgShortNames are openssl's short names (OBJ_nid2sn) of
// certificate signature algorithms by OID, as s_client's chain lines print
// them ("a:PKEY: rsaEncryption, 2048 (bit); sigalg: RSA-SHA256"). Each was
// read off openssl 3.0 s_client against a certificate signed that way.
var certSigAlgShortNames = lazy.Value[map[string]string]{Build: func() map[string]string {
	return map[string]string{
		"1.2.840.113549.1.1.4":    "RSA-MD5",
		"1.2.840.113549.1.1.5":    "RSA-SHA1",
		"1.2.840.113549.1.1.14":   "RSA-SHA224",
		"1.2.840.113549.1.1.11":   "RSA-SHA256",
		"1.2.840.113549.1.1.12":   "RSA-SHA384",
		"1.2.840.113549.1.1.13":   "RSA-SHA512",
		"1.2.840.113549.1.1.10":   "RSASSA-PSS",
		"2.16.840.1.101.3.4.3.14": "id-rsassa-pkcs1-v1_5-with-sha3-256",
		"1.2.840.10045.4.1":       "ecdsa-with-SHA1",
		"1.2.840.10045.4.3.1":     "ecdsa-with-SHA224",
		"1.2.840.10045.4.3.2":     "ecdsa-with-SHA256",
		"1.2.840.10045.4.3.3":     "ecdsa-with-SHA384",
		"1.2.840.10045.4.3.4":     "ecdsa-with-SHA512",
		"2.16.840.1.101.3.4.3.10": "id-ecdsa-with-sha3-256",
		"1.3.101.112":             "ED25519",
		"1.3.101.113":             "ED448",
		"1.2.840.10040.4.3":       "DSA-SHA1",
		"2.16.840.1.101.3.4.3.1":  "dsa_with_SHA224",
		"2.16.840.1.101.3.4.3.2":  "dsa_with_SHA256",
	}
}}

// certKeyAlgNames are openssl's names of public key algorithms by OID, as
// the chain lines print them ("a:PKEY: id-ecPublicKey, 256 (bit)").
var certKeyAlgNames = lazy.Value[map[string]string]{Build: func() map[string]string {
	return map[string]string{
		"1.2.840.113549.1.1.1":  "rsaEncryption",
		"1.2.840.113549.1.1.10": "RSASSA-PSS",
		"1.2.840.10045.2.1":     "id-ecPublicKey",
		"1.3.101.112":           "ED25519",
		"1.3.101.113":           "ED448",
		"1.2.840.10040.4.1":     "DSA",
	}
}}

// CertSigAlgShortName is openssl's short name for the algorithm that
// signed the DER certificate der ("RSA-SHA256", "ecdsa-with-SHA256",
// "RSASSA-PSS", "ED25519", "ED448"); it reads the OID, so it also names
// what crypto/x509 does not know (SHA-224, Ed448, DSA, PSS with any
// parameters). Unknown OIDs come back in dotted form, false.
func CertSigAlgShortName(der []byte) (string, bool) {
	var c struct {
		TBS    asn1.RawValue
		SigAlg pkix.AlgorithmIdentifier
		Sig    asn1.BitString
	}
	if _, err := asn1.Unmarshal(der, &c); err != nil {
		return "UNDEF", false
	}
	oid := c.SigAlg.Algorithm.String()
	if n, ok := certSigAlgShortNames.Get()[oid]; ok {
		return n, true
	}
	return oid, false
}

// CertKeyAlg is openssl's name and size in bits of the public key in a
// DER SubjectPublicKeyInfo, for the keys crypto/x509 leaves unparsed
// (RSASSA-PSS, Ed448) as well as the others; bits is 0 when this function
// does not size that kind of key (the caller may know better).
func CertKeyAlg(spki []byte) (name string, bits int, ok bool) {
	var k struct {
		Alg pkix.AlgorithmIdentifier
		Key asn1.BitString
	}
	if _, err := asn1.Unmarshal(spki, &k); err != nil {
		return "", 0, false
	}
	oid := k.Alg.Algorithm.String()
	name, ok = certKeyAlgNames.Get()[oid]
	if !ok {
		return oid, 0, false
	}
	switch oid {
	case "1.2.840.113549.1.1.1", "1.2.840.113549.1.1.10":
		if pub, err := x509.ParsePKCS1PublicKey(k.Key.Bytes); err == nil {
			bits = pub.N.BitLen()
		}
	case "1.2.840.10040.4.1":
		var params struct{ P, Q, G *big.Int }
		if _, err := asn1.Unmarshal(k.Alg.Parameters.FullBytes, &params); err == nil && params.P != nil {
			bits = params.P.BitLen()
		}
	case "1.3.101.112":
		bits = 256 // openssl's EVP_PKEY_get_bits of an Ed25519 key
	case "1.3.101.113":
		bits = 456
	}
	return name, bits, true
}
