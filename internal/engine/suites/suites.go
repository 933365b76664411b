// Package suites describes the TLS 1.3 cipher suites (RFC 8446 §B.4): the
// hash for the key schedule and the AEAD for records.
package suites

import (
	"crypto"
	"crypto/aes"
	"crypto/cipher"

	"github.com/tlskit/tlskit/internal/engine/ccm"
	"golang.org/x/crypto/chacha20poly1305"
)

// TLS 1.3 cipher suite code points.
const (
	AES128GCMSHA256        uint16 = 0x1301
	AES256GCMSHA384        uint16 = 0x1302
	ChaCha20Poly1305SHA256 uint16 = 0x1303
	AES128CCMSHA256        uint16 = 0x1304
	AES128CCM8SHA256       uint16 = 0x1305
)

// Suite13 is one TLS 1.3 suite.
type Suite13 struct {
	ID     uint16
	Name   string // IANA and OpenSSL name, e.g. TLS_AES_128_GCM_SHA256
	Hash   crypto.Hash
	KeyLen int
	// AEAD makes the record cipher for a traffic key.
	AEAD func(key []byte) (cipher.AEAD, error)
}

// IVLen is the per-record nonce length of every TLS 1.3 suite (RFC 8446
// §5.3: max(8, N_MIN) = 12 for all of them).
const IVLen = 12

func gcm(key []byte) (cipher.AEAD, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(b)
}

func aesCCM(tagLen int) func([]byte) (cipher.AEAD, error) {
	return func(key []byte) (cipher.AEAD, error) {
		b, err := aes.NewCipher(key)
		if err != nil {
			return nil, err
		}
		return ccm.New(b, IVLen, tagLen)
	}
}

var all = []Suite13{
	{AES128GCMSHA256, "TLS_AES_128_GCM_SHA256", crypto.SHA256, 16, gcm},
	{AES256GCMSHA384, "TLS_AES_256_GCM_SHA384", crypto.SHA384, 32, gcm},
	{ChaCha20Poly1305SHA256, "TLS_CHACHA20_POLY1305_SHA256", crypto.SHA256, 32, chacha20poly1305.New},
	{AES128CCMSHA256, "TLS_AES_128_CCM_SHA256", crypto.SHA256, 16, aesCCM(16)},
	{AES128CCM8SHA256, "TLS_AES_128_CCM_8_SHA256", crypto.SHA256, 16, aesCCM(8)},
}

// Lookup13 finds a TLS 1.3 suite this engine implements.
func Lookup13(id uint16) (Suite13, bool) {
	for _, s := range all {
		if s.ID == id {
			return s, true
		}
	}
	return Suite13{}, false
}

// DecryptProvider is the function of openssl 3.0's cipher provider that
// reports a record that does not open under suite id, with its own
// "cipher operation failed" line before libssl's (alert.Fault.Provider),
// or "" where openssl queues none. Measured: TLS 1.2's AES-GCM suites
// and TLS 1.3's AES-CCM ones; not TLS 1.3's AES-GCM, nor ChaCha20. (A
// CBC suite's depends on the record's MAC order, which the record layer
// knows: see record.NewCBC.)
func DecryptProvider(id uint16) string {
	switch id {
	case AES128CCMSHA256, AES128CCM8SHA256:
		return "ossl_ccm_stream_update"
	}
	if s, ok := Lookup12(id); ok && s.Cipher == AESGCM {
		return "ossl_gcm_stream_update"
	}
	return ""
}

// Default13 is OpenSSL 3.0's default -ciphersuites order.
var Default13 = []uint16{AES256GCMSHA384, ChaCha20Poly1305SHA256, AES128GCMSHA256}
