package certs

import (
	"bytes"
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"

	"github.com/cloudflare/circl/sign/ed448"
	"github.com/tlskit/tlskit/internal/engine/sig"
	"github.com/tlskit/tlskit/internal/lazy"
)

// LoadPrivateKey loads the first private key in path: RSA, ECDSA or Ed25519 in PKCS#1, SEC1 or
// PKCS#8, as PEM (also from a file that holds certificates too) or DER, encrypted with
// OpenSSL's traditional PEM encryption or PKCS#8 PBES1/PBES2 (PBKDF2 or scrypt), or the key of
// a PKCS#12 file. pass is the already resolved pass phrase (see ReadPass); "" means none.
func LoadPrivateKey(path string, f Format, pass string) (crypto.Signer, error) {
	data, err := readFile(path)
	if err != nil {
		return nil, &LoadError{What: "private key", Path: path, Err: err}
	}
	key, err := ParsePrivateKey(data, f, pass)
	if errors.Is(err, ErrPassRequired) && pass == "" && AskPass != nil {
		if p, perr := AskPass(path); perr == nil {
			key, err = ParsePrivateKey(data, f, p)
		}
	}
	if err != nil {
		return nil, &LoadError{What: "private key", Path: path, Err: err}
	}
	return key, nil
}

// AskPass, when set, is asked for the pass phrase of an encrypted key
// loaded without one, as openssl prompts for it ("Enter pass phrase for
// FILE:"). The command line sets it (cli: stdio.AskPass); tests and other
// callers leave it nil and get ErrPassRequired.
var AskPass func(path string) (string, error)

// pemKeyTypes are the PEM labels that hold a private key; anything else in the file is skipped.
var pemKeyTypes = lazy.Value[map[string]bool]{Build: func() map[string]bool {
	return map[string]bool{
		"PRIVATE KEY":           true,
		"RSA PRIVATE KEY":       true,
		"EC PRIVATE KEY":        true,
		"ENCRYPTED PRIVATE KEY": true,
		"DSA PRIVATE KEY":       true,
		"ANY PRIVATE KEY":       true,
	}
}}

// ParsePEMKeyBlock parses one PEM block of a private key, as
// ParsePrivateKey parses the first key block of a PEM file; a block of
// another type is a malformed key.
func ParsePEMKeyBlock(b *pem.Block, pass string) (crypto.Signer, error) {
	if !pemKeyTypes.Get()[b.Type] {
		return nil, errors.New("malformed PEM private key")
	}
	return parsePEMKey(b, pass)
}

// ParsePrivateKey is LoadPrivateKey on bytes already read (a download, a fuzzer's input). Its
// errors are the bare reasons, without the LoadError wrapping that names a file.
func ParsePrivateKey(data []byte, f Format, pass string) (crypto.Signer, error) {
	if isPEM(data) {
		rest := data
		for {
			var b *pem.Block
			b, rest = pem.Decode(rest)
			if b == nil {
				break
			}
			if pemKeyTypes.Get()[b.Type] {
				return parsePEMKey(b, pass)
			}
		}
		if bytes.Contains(data, []byte("PRIVATE KEY-----")) {
			return nil, errors.New("malformed PEM private key")
		}
		return nil, errors.New("no PEM private key found")
	}
	if isP12(data) {
		key, _, _, err := decodeP12(data, pass)
		return key, err
	}
	key, err := parseDERKey(data, pass)
	if err != nil && errors.Is(err, errNotAKey) {
		switch f {
		case FormatDER:
			return nil, errors.New("not a valid DER private key")
		case FormatP12:
			return nil, errors.New("not a valid PKCS#12 file")
		}
		return nil, errors.New("no private key found (neither PEM nor DER)")
	}
	return key, err
}

func parsePEMKey(b *pem.Block, pass string) (crypto.Signer, error) {
	if b.Type == "DSA PRIVATE KEY" {
		// Go has no DSA signer, and TLS 1.3 dropped DSA anyway; say so before asking for a pass.
		return nil, unsupportedf("unsupported key type DSA")
	}
	der := b.Bytes
	if isLegacyEncrypted(b) {
		// With no pass phrase, the empty one is tried first: it is legal, if unwise.
		plain, err := decryptLegacyPEM(b, pass)
		if err != nil && !errors.Is(err, errBadDecrypt) {
			return nil, err
		}
		if err == nil {
			k, err := parseDERKey(plain, "")
			if err == nil || !errors.Is(err, errNotAKey) {
				return k, err
			}
			// Padding right by chance (1 in 256) but garbage inside: still a wrong pass phrase.
		}
		if pass == "" {
			return nil, ErrPassRequired
		}
		return nil, ErrWrongPass
	}
	k, err := parseDERKey(der, pass)
	if errors.Is(err, errNotAKey) {
		return nil, fmt.Errorf("malformed PEM private key (%s)", b.Type)
	}
	return k, err
}

// errNotAKey means the bytes matched none of the private key structures.
var errNotAKey = errors.New("not a private key")

// pkcs8Info is PrivateKeyInfo (RFC 5958 section 2), parsed only to name an algorithm that
// crypto/x509 refused.
type pkcs8Info struct {
	Version int
	Algo    pkix.AlgorithmIdentifier
	Key     []byte
}

var keyAlgorithmNames = lazy.Value[map[string]string]{Build: func() map[string]string {
	return map[string]string{
		"1.2.840.10040.4.1":     "DSA",
		"1.3.101.113":           "Ed448",
		"1.3.101.111":           "X448",
		"1.2.840.113549.1.1.10": "RSA-PSS",
		"1.2.840.10046.2.1":     "DH",
		"1.3.14.3.2.12":         "DSA",
		"1.2.156.10197.1.301":   "SM2",
	}
}}

// parseDERKey tries every unencrypted structure, then encrypted PKCS#8.
func parseDERKey(der []byte, pass string) (crypto.Signer, error) {
	if k, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		return asSigner(k)
	}
	if k, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return k, nil
	}
	if k, err := x509.ParseECPrivateKey(der); err == nil {
		return k, nil
	}
	var info pkcs8Info
	if unmarshalAll(der, &info) == nil && len(info.Algo.Algorithm) > 0 {
		if info.Algo.Algorithm.Equal(oidEd448) {
			return parseEd448(info.Key)
		}
		if info.Algo.Algorithm.Equal(sig.OIDRSAPSS) {
			return parseRSAPSS(info.Algo.Parameters, info.Key)
		}
		if name, ok := keyAlgorithmNames.Get()[info.Algo.Algorithm.String()]; ok {
			return nil, unsupportedf("unsupported key type %s", name)
		}
		if info.Algo.Algorithm.Equal(asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}) {
			return nil, unsupportedf("unsupported elliptic curve")
		}
		return nil, unsupportedf("unsupported key type %s", info.Algo.Algorithm)
	}
	if epki, ok := parseEncryptedPKCS8(der); ok {
		return decryptPKCS8Key(epki, pass)
	}
	if looksLikeSEC1(der) {
		return nil, unsupportedf("unsupported elliptic curve")
	}
	return nil, errNotAKey
}

// oidEd448 is id-Ed448 (RFC 8410 §3).
var oidEd448 = asn1.ObjectIdentifier{1, 3, 101, 113}

// parseEd448 reads the privateKey field of an Ed448 PrivateKeyInfo: a
// CurvePrivateKey, an OCTET STRING holding the 57-byte seed (RFC 8410
// §7), which crypto/x509 does not parse. The engine signs with it (RFC
// 8446 §4.2.3, ed448).
func parseEd448(field []byte) (crypto.Signer, error) {
	var seed []byte
	if unmarshalAll(field, &seed) != nil || len(seed) != ed448.SeedSize {
		return nil, fmt.Errorf("malformed Ed448 private key")
	}
	return ed448.NewKeyFromSeed(seed), nil
}

// parseRSAPSS reads an RSASSA-PSS PrivateKeyInfo (openssl genpkey -algorithm
// RSA-PSS, req -newkey rsa-pss): an RSAPrivateKey (RFC 8017 A.1.2) under
// the id-RSASSA-PSS algorithm, whose parameters may bind the hash (RFC
// 4055 §3.1). The engine signs with it using rsa_pss_pss_* only.
func parseRSAPSS(params asn1.RawValue, field []byte) (crypto.Signer, error) {
	h, err := sig.PSSParams(params)
	if err != nil {
		return nil, unsupportedf("unsupported RSA-PSS key: %v", err)
	}
	k, err := x509.ParsePKCS1PrivateKey(field)
	if err != nil {
		return nil, fmt.Errorf("malformed RSA-PSS private key")
	}
	return sig.PSSPrivateKey{PrivateKey: k, Hash: h}, nil
}

// looksLikeSEC1 spots an ECPrivateKey (RFC 5915) that crypto/x509 refused, which is
// nearly always a curve it does not implement (secp256k1, brainpool…).
func looksLikeSEC1(der []byte) bool {
	var k struct {
		Version int
		Key     []byte
		Rest    asn1.RawValue `asn1:"optional"`
		Rest2   asn1.RawValue `asn1:"optional"`
	}
	return unmarshalAll(der, &k) == nil && k.Version == 1 && len(k.Key) > 0
}

func decryptPKCS8Key(epki *encryptedPrivateKeyInfo, pass string) (crypto.Signer, error) {
	plain, err := decryptPKCS8(epki, pass)
	if err == nil {
		var k crypto.Signer
		if k, err = parseDERKey(plain, ""); errors.Is(err, errNotAKey) {
			err = errBadDecrypt
		} else {
			return k, err
		}
	}
	if errors.Is(err, errBadDecrypt) {
		if pass == "" {
			return nil, ErrPassRequired
		}
		return nil, ErrWrongPass
	}
	return nil, err
}

// asSigner keeps the key types a TLS certificate can sign with.
func asSigner(k any) (crypto.Signer, error) {
	switch k := k.(type) {
	case *rsa.PrivateKey:
		return k, nil
	case *ecdsa.PrivateKey:
		return k, nil
	case ed25519.PrivateKey:
		return k, nil
	case ed448.PrivateKey:
		return k, nil
	case sig.PSSPrivateKey:
		return k, nil
	case *ecdh.PrivateKey:
		return nil, unsupportedf("%s key cannot sign", curveName(k.Curve()))
	}
	return nil, unsupportedf("unsupported key type %T", k)
}

func curveName(c ecdh.Curve) string {
	if c == ecdh.X25519() {
		return "X25519"
	}
	return fmt.Sprint(c)
}

// CertMatchesKey reports whether key (a public key, or a private key with a Public method)
// is the key certified by cert.
func CertMatchesKey(cert *x509.Certificate, key crypto.PublicKey) bool {
	if cert == nil || key == nil {
		return false
	}
	if priv, ok := key.(interface{ Public() crypto.PublicKey }); ok {
		key = priv.Public()
	}
	if k, ok := key.(ed448.PublicKey); ok {
		// crypto/x509 leaves an Ed448 certificate's key unparsed.
		var spki struct {
			Algo pkix.AlgorithmIdentifier
			Key  asn1.BitString
		}
		return unmarshalAll(cert.RawSubjectPublicKeyInfo, &spki) == nil && spki.Algo.Algorithm.Equal(oidEd448) &&
			k.Equal(ed448.PublicKey(spki.Key.RightAlign()))
	}
	if k, ok := key.(sig.PSSPublicKey); ok {
		// crypto/x509 leaves an RSASSA-PSS certificate's key unparsed.
		ck, err := sig.ParseSPKI(cert.RawSubjectPublicKeyInfo)
		c, isPSS := ck.(sig.PSSPublicKey)
		return err == nil && isPSS && c.PublicKey.Equal(k.PublicKey)
	}
	if cert.PublicKey == nil {
		return false
	}
	pub, ok := cert.PublicKey.(interface{ Equal(crypto.PublicKey) bool })
	return ok && pub.Equal(key)
}

// isPEM reports whether data holds at least one PEM block.
func isPEM(data []byte) bool {
	b, _ := pem.Decode(data)
	return b != nil || bytes.Contains(data, []byte("-----BEGIN "))
}
