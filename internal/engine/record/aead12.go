package record

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"

	"github.com/tlskit/tlskit/internal/engine/alert"
	"golang.org/x/crypto/chacha20poly1305"
)

// Cipher12 protects TLS 1.0–1.2 records in one direction (RFC 5246
// §6.2.3) and keeps that direction's sequence number. The client and the
// server use the same implementations, one per direction.
type Cipher12 interface {
	// Seal appends the protected fragment (TLSCiphertext.fragment) of a
	// record of type typ and header version to out.
	Seal(out []byte, typ uint8, version uint16, plain []byte) ([]byte, error)
	// Open returns the plaintext of a protected fragment, reusing body's
	// memory. Every failure is bad_record_mac (RFC 5246 §7.2.2: padding
	// and MAC faults must look alike).
	Open(typ uint8, version uint16, body []byte) ([]byte, error)
}

// additionalData is RFC 5246 §6.2.3.3's (and §6.2.3.1's MAC input
// prefix): seq_num, type, version, length.
func additionalData(dst []byte, seq uint64, typ uint8, version uint16, n int) []byte {
	dst = binary.BigEndian.AppendUint64(dst, seq)
	return append(dst, typ, byte(version>>8), byte(version), byte(n>>8), byte(n))
}

func badMAC() error { return badMACFrom("") }

// badMACFrom is badMAC raised by openssl's cipher provider function fn,
// none when empty (see alert.Fault.Provider).
func badMACFrom(fn string) error {
	f := alert.Faultf(alert.BadRecordMAC, "decryption failed or bad record mac")
	f.Provider = fn
	return f
}

// AEAD12 is TLS 1.2's AEAD protection: AES-GCM with a 4-byte implicit
// salt and an 8-byte explicit nonce in each record (RFC 5288 §3), or
// ChaCha20-Poly1305 with a 12-byte IV XORed with the sequence number and
// no explicit part (RFC 7905 §2).
type AEAD12 struct {
	aead     cipher.AEAD
	fixed    []byte // GCM salt (4) or ChaCha IV (12)
	explicit bool
	seq      uint64
	ad       [13]byte
	// Provider is the openssl provider function that reports a record
	// that does not open (see alert.Fault.Provider), set by the engine
	// from the suite (suites.DecryptProvider); none when empty.
	Provider string
}

// NewGCM12 makes AES-GCM protection from a write key and the 4-byte
// write IV (salt) of the key block. The explicit nonce is the sequence
// number, as OpenSSL sends it, which never repeats under one key.
func NewGCM12(key, salt []byte) (*AEAD12, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	a, err := cipher.NewGCM(b)
	if err != nil {
		return nil, err
	}
	return &AEAD12{aead: a, fixed: append([]byte(nil), salt...), explicit: true}, nil
}

// NewChaCha12 makes ChaCha20-Poly1305 protection from a 32-byte key and
// the 12-byte write IV.
func NewChaCha12(key, iv []byte) (*AEAD12, error) {
	a, err := chacha20poly1305.New(key)
	if err != nil {
		return nil, err
	}
	return &AEAD12{aead: a, fixed: append([]byte(nil), iv...)}, nil
}

func (p *AEAD12) nonce(explicit []byte) []byte {
	if p.explicit {
		return append(append(make([]byte, 0, 12), p.fixed...), explicit...)
	}
	n := append(make([]byte, 0, 12), p.fixed...)
	var s [8]byte
	binary.BigEndian.PutUint64(s[:], p.seq)
	for i := range s {
		n[4+i] ^= s[i]
	}
	return n
}

// Seal implements Cipher12.
func (p *AEAD12) Seal(out []byte, typ uint8, version uint16, plain []byte) ([]byte, error) {
	var exp []byte
	if p.explicit {
		exp = binary.BigEndian.AppendUint64(nil, p.seq)
		out = append(out, exp...)
	}
	ad := additionalData(p.ad[:0], p.seq, typ, version, len(plain))
	out = p.aead.Seal(out, p.nonce(exp), plain, ad)
	p.seq++
	return out, nil
}

// Open implements Cipher12.
func (p *AEAD12) Open(typ uint8, version uint16, body []byte) ([]byte, error) {
	var exp []byte
	if p.explicit {
		if len(body) < 8 {
			return nil, badMAC()
		}
		exp, body = body[:8], body[8:]
	}
	if len(body) < p.aead.Overhead() {
		return nil, badMAC()
	}
	ad := additionalData(p.ad[:0], p.seq, typ, version, len(body)-p.aead.Overhead())
	plain, err := p.aead.Open(body[:0], p.nonce(exp), body, ad)
	if err != nil {
		return nil, badMACFrom(p.Provider)
	}
	p.seq++
	return plain, nil
}
