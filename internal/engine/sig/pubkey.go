package sig

import (
	"crypto"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"io"

	"github.com/cloudflare/circl/sign/ed448"

	"github.com/tlskit/tlskit/internal/lazy"
)

// PSSPublicKey is an RSA key certified for RSASSA-PSS only (SPKI algorithm
// id-RSASSA-PSS, RFC 4055): it takes rsa_pss_pss_* schemes, never
// rsa_pss_rsae_* or PKCS#1 (RFC 8446 §4.2.3). Hash, when not zero, is the
// one hash its RSASSA-PSS-params allow (RFC 4055 §3.1): only the scheme
// of that hash fits.
type PSSPublicKey struct {
	*rsa.PublicKey
	Hash crypto.Hash
}

// PSSPrivateKey is the private half of a PSSPublicKey (a PKCS#8 key of
// algorithm id-RSASSA-PSS): it signs as its RSA key does, and its public
// key says it is for RSASSA-PSS only.
type PSSPrivateKey struct {
	*rsa.PrivateKey
	Hash crypto.Hash
}

// Public is the key as a PSSPublicKey.
func (k PSSPrivateKey) Public() crypto.PublicKey {
	return PSSPublicKey{PublicKey: &k.PrivateKey.PublicKey, Hash: k.Hash}
}

// Sign signs as the RSA key does.
func (k PSSPrivateKey) Sign(rand io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	if _, ok := opts.(*rsa.PSSOptions); !ok {
		return nil, errors.New("sig: an RSASSA-PSS key signs with PSS only")
	}
	return k.PrivateKey.Sign(rand, digest, opts)
}

var (
	oidRSAPSS = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 10}
	oidEd448  = asn1.ObjectIdentifier{1, 3, 101, 113}
	oidMGF1   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 8}
)

// OIDRSAPSS is id-RSASSA-PSS (RFC 4055 §3.1).
var OIDRSAPSS = oidRSAPSS

var pssHashes = lazy.Value[map[string]crypto.Hash]{Build: func() map[string]crypto.Hash {
	return map[string]crypto.Hash{
		"1.3.14.3.2.26":          crypto.SHA1,
		"2.16.840.1.101.3.4.2.4": crypto.SHA224,
		"2.16.840.1.101.3.4.2.1": crypto.SHA256,
		"2.16.840.1.101.3.4.2.2": crypto.SHA384,
		"2.16.840.1.101.3.4.2.3": crypto.SHA512,
	}
}}

// PSSParams reads the parameters of an id-RSASSA-PSS AlgorithmIdentifier
// in a key (RFC 4055 §3.1, RFC 8017 A.2.3): absent, the key is not
// restricted (Hash 0); present, its hash is the only one it signs with,
// and it must match the MGF1 hash, with a salt no longer than the hash,
// for a TLS scheme to use it (RFC 8446 §4.2.3: salt length equal to the
// digest length). A key TLS can never use is an error.
func PSSParams(params asn1.RawValue) (crypto.Hash, error) {
	if len(params.FullBytes) == 0 || (params.Tag == asn1.TagNull && params.Class == asn1.ClassUniversal) {
		return 0, nil
	}
	h, salt, err := PSSSignatureParams(params)
	if err != nil {
		return 0, err
	}
	if salt > h.Size() {
		return 0, errors.New("sig: RSASSA-PSS parameters no TLS scheme can meet")
	}
	return h, nil
}

// PSSSignatureParams reads the RSASSA-PSS-params of a signature (RFC 4055
// §3.1): its hash, which MGF1 must share, and its salt length (defaults:
// SHA-1, 20).
func PSSSignatureParams(params asn1.RawValue) (crypto.Hash, int, error) {
	var p struct {
		Hash    pkix.AlgorithmIdentifier `asn1:"optional,explicit,tag:0"`
		MGF     pkix.AlgorithmIdentifier `asn1:"optional,explicit,tag:1"`
		SaltLen int                      `asn1:"optional,explicit,tag:2,default:20"`
		Trailer int                      `asn1:"optional,explicit,tag:3,default:1"`
	}
	if len(params.FullBytes) == 0 {
		params.FullBytes = []byte{0x30, 0}
	}
	if rest, err := asn1.Unmarshal(params.FullBytes, &p); err != nil || len(rest) != 0 {
		return 0, 0, errors.New("sig: malformed RSASSA-PSS parameters")
	}
	h := crypto.SHA1 // RFC 4055's defaults: SHA-1, MGF1 with SHA-1
	if len(p.Hash.Algorithm) > 0 {
		var ok bool
		if h, ok = pssHashes.Get()[p.Hash.Algorithm.String()]; !ok {
			return 0, 0, errors.New("sig: unknown RSASSA-PSS hash")
		}
	}
	mgfHash := crypto.SHA1
	if len(p.MGF.Algorithm) > 0 {
		if !p.MGF.Algorithm.Equal(oidMGF1) {
			return 0, 0, errors.New("sig: RSASSA-PSS mask generation is not MGF1")
		}
		var inner pkix.AlgorithmIdentifier
		if rest, err := asn1.Unmarshal(p.MGF.Parameters.FullBytes, &inner); err != nil || len(rest) != 0 {
			return 0, 0, errors.New("sig: malformed MGF1 parameters")
		}
		var ok bool
		if mgfHash, ok = pssHashes.Get()[inner.Algorithm.String()]; !ok {
			return 0, 0, errors.New("sig: unknown MGF1 hash")
		}
	}
	if p.Trailer != 1 || mgfHash != h || p.SaltLen < 0 {
		return 0, 0, errors.New("sig: RSASSA-PSS parameters no TLS scheme can meet")
	}
	return h, p.SaltLen, nil
}

// PublicKey returns a certificate's public key as the schemes here take
// it, including the kinds Go's x509 leaves unparsed (Ed448, RSASSA-PSS).
func PublicKey(cert *x509.Certificate) (crypto.PublicKey, error) {
	if cert.PublicKey != nil {
		return cert.PublicKey, nil
	}
	return ParseSPKI(cert.RawSubjectPublicKeyInfo)
}

// ParseSPKI reads a SubjectPublicKeyInfo of the kinds Go's x509 leaves
// unparsed: Ed448 (RFC 8410) and RSASSA-PSS (RFC 4055).
func ParseSPKI(der []byte) (crypto.PublicKey, error) {
	var spki struct {
		Algorithm pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}
	if rest, err := asn1.Unmarshal(der, &spki); err != nil || len(rest) != 0 {
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
		h, err := PSSParams(spki.Algorithm.Parameters)
		if err != nil {
			return nil, err
		}
		k, err := x509.ParsePKCS1PublicKey(key)
		if err != nil {
			return nil, err
		}
		return PSSPublicKey{PublicKey: k, Hash: h}, nil
	}
	return nil, errors.New("sig: unsupported public key algorithm")
}
