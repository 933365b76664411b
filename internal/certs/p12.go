package certs

import (
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"strings"

	"software.sslmate.com/src/go-pkcs12"
)

var oidPKCS7Data = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}

// isP12 recognises the outer PFX structure (RFC 7292 section 4) without decrypting anything,
// so that a wrong pass phrase is reported as such rather than as "not a key".
func isP12(der []byte) bool {
	var pfx struct {
		Version  int
		AuthSafe struct {
			ContentType asn1.ObjectIdentifier
			Content     asn1.RawValue `asn1:"tag:0,explicit,optional"`
		}
		MacData asn1.RawValue `asn1:"optional"`
	}
	return unmarshalAll(der, &pfx) == nil && pfx.Version == 3 && pfx.AuthSafe.ContentType.Equal(oidPKCS7Data)
}

// decodeP12 returns the key, the leaf (the certificate that matches the key) and the other
// certificates of a PKCS#12 file, in both the OpenSSL 3.0 default encoding (PBES2 with
// AES-256-CBC, SHA-256 MAC) and the -legacy one (RC2/3DES, SHA-1 MAC).
func decodeP12(der []byte, pass string) (crypto.Signer, *x509.Certificate, []*x509.Certificate, error) {
	if !isP12(der) {
		return nil, nil, nil, errors.New("not a valid PKCS#12 file")
	}
	if !p12CostOK(der, 0) {
		return nil, nil, nil, unsupportedf("PKCS#12 iteration count is above the limit of %d", maxIterations)
	}
	k, leaf, cas, err := pkcs12.DecodeChain(der, pass)
	if err != nil {
		return nil, nil, nil, p12Reason(err, pass)
	}
	key, err := asSigner(k)
	if err != nil {
		return nil, nil, nil, err
	}
	// DecodeChain takes the first certificate as the leaf; openssl writes it first, but other
	// tools need not, so pick the one that matches the key.
	all := append([]*x509.Certificate{leaf}, cas...)
	for i, c := range all {
		if CertMatchesKey(c, key) {
			all[0], all[i] = all[i], all[0]
			break
		}
	}
	return key, all[0], all[1:], nil
}

func p12Reason(err error, pass string) error {
	if errors.Is(err, pkcs12.ErrIncorrectPassword) || errors.Is(err, pkcs12.ErrDecryption) {
		if pass == "" {
			return ErrPassRequired
		}
		return ErrWrongPass
	}
	msg := strings.TrimPrefix(err.Error(), "pkcs12: ")
	var nie pkcs12.NotImplementedError
	if errors.As(err, &nie) {
		return unsupportedf("unsupported PKCS#12 content: %s", msg)
	}
	switch msg {
	case "private key missing":
		return unsupportedf("PKCS#12 file has no private key (certificate-only PKCS#12 files are not supported)")
	case "certificate missing":
		return errors.New("PKCS#12 file has no certificate")
	}
	return errors.New("malformed PKCS#12 file")
}

// p12CostOK guards go-pkcs12, which derives keys with whatever iteration count the file names.
// Every salt/count pair in PKCS#12 (MacData, PBE and PBKDF2 parameters; RFC 7292, RFC 8018)
// is an OCTET STRING directly followed by an INTEGER, a shape that certificates and keys do
// not use, so the walk rejects any such INTEGER above maxIterations. OCTET STRINGs are
// descended into because PKCS#12 wraps its DER in them.
func p12CostOK(der []byte, depth int) bool {
	if depth > 16 {
		return true
	}
	prevOctet := false
	for rest := der; len(rest) > 0; {
		var v asn1.RawValue
		r, err := asn1.Unmarshal(rest, &v)
		if err != nil {
			return true // not DER here: the decoder reports malformed input
		}
		rest = r
		universal := v.Class == asn1.ClassUniversal
		switch {
		case universal && v.Tag == asn1.TagInteger && prevOctet:
			if !smallNonNegative(v.Bytes, maxIterations) {
				return false
			}
		case v.IsCompound, universal && v.Tag == asn1.TagOctetString:
			if !p12CostOK(v.Bytes, depth+1) {
				return false
			}
		}
		prevOctet = universal && v.Tag == asn1.TagOctetString && !v.IsCompound
	}
	return true
}

// smallNonNegative reports whether a DER INTEGER's content is in [0, max].
func smallNonNegative(b []byte, max int) bool {
	if len(b) == 0 || b[0]&0x80 != 0 {
		return false
	}
	n := 0
	for _, x := range b {
		if n > max>>8 {
			return false
		}
		n = n<<8 | int(x)
	}
	return n <= max
}
