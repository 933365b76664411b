package certs

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"

	"github.com/tlskit/tlskit/internal/engine"
	"github.com/tlskit/tlskit/internal/lazy"
)

// pemCertTypes are the labels OpenSSL reads as certificates. "TRUSTED CERTIFICATE" is a
// certificate followed by OpenSSL's trust settings, which are dropped here.
var pemCertTypes = lazy.Value[map[string]bool]{Build: func() map[string]bool {
	return map[string]bool{
		"CERTIFICATE":         true,
		"X509 CERTIFICATE":    true,
		"TRUSTED CERTIFICATE": true,
	}
}}

// LoadCertificates loads every certificate in path: all certificate blocks of a PEM file
// (other blocks, such as a key, are skipped), one DER certificate, or the leaf followed by the
// chain of a PKCS#12 file (which needs pass).
func LoadCertificates(path string, f Format, pass string) ([]*x509.Certificate, error) {
	data, err := readFile(path)
	if err != nil {
		return nil, &LoadError{What: "certificate", Path: path, Err: err}
	}
	certs, err := ParseCertificates(data, f, pass)
	if err != nil {
		return nil, &LoadError{What: "certificate", Path: path, Err: err}
	}
	return certs, nil
}

// ParseCertificates is LoadCertificates on bytes already read; its errors are bare reasons.
func ParseCertificates(data []byte, f Format, pass string) ([]*x509.Certificate, error) {
	if isPEM(data) {
		certs, err := parsePEMCertificates(data)
		if err != nil {
			return nil, err
		}
		if len(certs) == 0 {
			if bytes.Contains(data, []byte("CERTIFICATE-----")) {
				return nil, errors.New("malformed PEM certificate")
			}
			return nil, errors.New("no PEM certificate found")
		}
		return certs, nil
	}
	if isP12(data) {
		_, leaf, chain, err := decodeP12(data, pass)
		if err != nil {
			return nil, err
		}
		return append([]*x509.Certificate{leaf}, chain...), nil
	}
	if c, err := x509.ParseCertificate(data); err == nil {
		return []*x509.Certificate{c}, nil
	}
	switch f {
	case FormatPEM:
		return nil, errors.New("no PEM certificate found")
	case FormatP12:
		return nil, errors.New("not a valid PKCS#12 file")
	case FormatDER:
		return nil, errors.New("not a valid DER certificate")
	}
	return nil, errors.New("no certificate found (neither PEM nor DER)")
}

// parsePEMCertificates returns the certificates in data, failing on the first one that does
// not parse, as openssl does: silently skipping a CA would change verification results.
func parsePEMCertificates(data []byte) ([]*x509.Certificate, error) {
	var certs []*x509.Certificate
	n := 0
	for rest := data; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		c, err := pemCertificate(b)
		if c == nil && err == nil {
			continue
		}
		n++
		if err != nil {
			return nil, fmt.Errorf("malformed PEM certificate (number %d in the file)", n)
		}
		certs = append(certs, c)
	}
	return certs, nil
}

// pemCertificate parses a certificate block; it returns nil, nil for other blocks.
func pemCertificate(b *pem.Block) (*x509.Certificate, error) {
	if !pemCertTypes.Get()[b.Type] {
		return nil, nil
	}
	der := b.Bytes
	if b.Type == "TRUSTED CERTIFICATE" {
		var first asn1.RawValue
		if _, err := asn1.Unmarshal(der, &first); err == nil {
			der = first.FullBytes
		}
	}
	return x509.ParseCertificate(der)
}

// KeyPairSpec names the files behind -cert/-key/-certform/-keyform/-pass/-cert_chain.
type KeyPairSpec struct {
	Cert, Key         string // Key defaults to Cert, as openssl's "-key: default is -cert file"
	CertForm, KeyForm Format
	Pass              string // resolved pass phrase for the key (and a PKCS#12 cert file)
	Chain             string // optional -cert_chain file of extra certificates
}

// LoadKeyPair loads a certificate, its key and its chain into an engine.Identity: the leaf,
// which is the first certificate of the cert file, then every certificate of the Chain file
// in its order. It fails when the key does not match the leaf's public key.
//
// As openssl s_client and s_server do (measured with 3.0.22, both commands and -dcert,
// -cert2, -xcert alike), further certificates in the cert file are not sent: not those of a
// PEM file, nor the chain of a PKCS#12 file. A fullchain.pem is given as both -cert and
// -cert_chain. The Chain file's certificates are all sent, a copy of the leaf among them
// included, as openssl sends them.
func LoadKeyPair(s KeyPairSpec) (engine.Identity, error) {
	certs, err := LoadCertificates(s.Cert, s.CertForm, s.Pass)
	if err != nil {
		return engine.Identity{}, err
	}
	keyPath, keyForm := s.KeyFile()
	key, err := LoadPrivateKey(keyPath, keyForm, s.Pass)
	if err != nil {
		return engine.Identity{}, err
	}
	if err := s.CheckMatch(certs[0], key); err != nil {
		return engine.Identity{}, err
	}
	var chain []*x509.Certificate
	if s.Chain != "" {
		if chain, err = LoadChain(s.Chain, s.Pass); err != nil {
			return engine.Identity{}, err
		}
	}
	return NewIdentity(certs[0], key, chain), nil
}

// KeyFile is the file and format of the key: Key, or the certificate's
// file (and its format when KeyForm is FormatAuto) when Key is empty.
func (s KeyPairSpec) KeyFile() (string, Format) {
	if s.Key != "" {
		return s.Key, s.KeyForm
	}
	if s.KeyForm == FormatAuto {
		return s.Cert, s.CertForm
	}
	return s.Cert, s.KeyForm
}

// CheckMatch fails, with ErrKeyMismatch, when key is not the key of
// leaf.
func (s KeyPairSpec) CheckMatch(leaf *x509.Certificate, key crypto.Signer) error {
	if CertMatchesKey(leaf, key) {
		return nil
	}
	keyPath, _ := s.KeyFile()
	return &LoadError{What: "private key", Path: keyPath, Err: fmt.Errorf("%w %q", ErrKeyMismatch, s.Cert)}
}

// LoadChain loads a -cert_chain file: LoadCertificates, its failures
// named as a "certificate chain".
func LoadChain(path, pass string) ([]*x509.Certificate, error) {
	chain, err := LoadCertificates(path, FormatAuto, pass)
	var le *LoadError
	if errors.As(err, &le) {
		le.What = "certificate chain"
	}
	return chain, err
}

// NewIdentity is the identity of key with its certificate, leaf, and the
// certificates of its chain file after it, as they are: openssl 3.0 sends
// a -cert_chain file's certificates without dropping duplicates (measured:
// -cert leaf.pem -cert_chain fullchain.pem sends the leaf twice).
func NewIdentity(leaf *x509.Certificate, key crypto.Signer, chain []*x509.Certificate) engine.Identity {
	out := engine.Identity{Chain: [][]byte{leaf.Raw}, Key: key}
	for _, c := range chain {
		out.Chain = append(out.Chain, c.Raw)
	}
	return out
}
