package tlsnames

import "crypto/x509"

var x509SigAlgNames = map[x509.SignatureAlgorithm]string{
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

// X509SigAlgName is openssl's long name for a certificate signature
// algorithm, as s_client's chain lines print it ("sha256WithRSAEncryption",
// "ecdsa-with-SHA256", "RSASSA-PSS"), and whether it is known.
func X509SigAlgName(a x509.SignatureAlgorithm) (string, bool) {
	n, ok := x509SigAlgNames[a]
	return n, ok
}
