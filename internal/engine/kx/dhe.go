package kx

import (
	"crypto/rand"
	"io"
	"math/bits"

	"filippo.io/bigmod"

	"github.com/tlskit/tlskit/internal/engine/alert"
)

// DHParams are finite-field Diffie-Hellman parameters as a TLS 1.0–1.2
// ServerKeyExchange carries them (RFC 5246 §7.4.3): big-endian p and g.
type DHParams struct {
	P, G []byte
	// ExponentBits is what a parameters file says of the private
	// exponent: the bits of X9.42's subgroup order q, or PKCS #3's
	// privateValueLength; 0 when it says nothing. Only the parameters'
	// security rating reads it.
	ExponentBits int
}

// DHKey is one side's ephemeral finite-field key pair. The modular
// exponentiations run in constant time (filippo.io/bigmod); only the
// size of p shows.
type DHKey struct {
	m      *bigmod.Modulus
	x      []byte
	Public []byte // g^x mod p, as long as p
}

// trimZeros drops leading zero bytes.
func trimZeros(b []byte) []byte {
	for len(b) > 0 && b[0] == 0 {
		b = b[1:]
	}
	return b
}

func badDH(reason string) error { return alert.Faultf(alert.IllegalParameter, reason) }

// NewDHKey makes a key pair for params. p must be odd and at least
// minBits long (OpenSSL's "dh key too small" otherwise, a
// handshake_failure at the caller's choice of alert); g must lie in
// [2, p-2] (RFC 7919 §5.1's range, which OpenSSL also checks).
func NewDHKey(params DHParams, minBits int, rnd io.Reader) (*DHKey, error) {
	p := trimZeros(params.P)
	if len(p) == 0 || p[len(p)-1]&1 == 0 {
		return nil, badDH("bad dh value")
	}
	m, err := bigmod.NewModulus(p)
	if err != nil {
		return nil, badDH("bad dh value")
	}
	if m.BitLen() < minBits {
		return nil, alert.Faultf(alert.HandshakeFailure, "dh key too small")
	}
	g, err := inRange(params.G, m)
	if err != nil {
		return nil, err
	}
	if rnd == nil {
		rnd = rand.Reader
	}
	// A private exponent of twice the group's security strength is
	// enough (RFC 7919 §5.2); 512 bits covers ffdhe8192's 192-bit
	// strength with room, and stays below p.
	n := min(64, (m.BitLen()-1)/8)
	x := make([]byte, n)
	if _, err := io.ReadFull(rnd, x); err != nil {
		return nil, err
	}
	x[0] |= 0x80
	y := bigmod.NewNat().Exp(g, x, m)
	return &DHKey{m: m, x: x, Public: y.Bytes(m)}, nil
}

// inRange reads v mod m and checks 1 < v < p-1.
func inRange(v []byte, m *bigmod.Modulus) (*bigmod.Nat, error) {
	v = trimZeros(v)
	if len(v) > m.Size() {
		return nil, badDH("bad dh value")
	}
	n, err := bigmod.NewNat().SetBytes(append(make([]byte, m.Size()-len(v)), v...), m)
	if err != nil {
		return nil, badDH("bad dh value")
	}
	if n.IsZero() == 1 || n.IsOne() == 1 || n.IsMinusOne(m) == 1 {
		return nil, badDH("bad dh value")
	}
	return n, nil
}

// Shared is the shared secret with the peer's public value, which must
// lie in [2, p-2] (RFC 7919 §5.1; illegal_parameter otherwise). TLS 1.2
// strips its leading zero bytes (RFC 5246 §8.1.2); stripZeros false
// keeps it as long as p, as TLS 1.3 wants (RFC 8446 §7.4.1).
func (k *DHKey) Shared(peer []byte, stripZeros bool) ([]byte, error) {
	y, err := inRange(peer, k.m)
	if err != nil {
		return nil, err
	}
	z := bigmod.NewNat().Exp(y, k.x, k.m).Bytes(k.m)
	if stripZeros {
		z = trimZeros(z)
	}
	return z, nil
}

// BitLen is the size of a DH prime in bits, as Server Temp Key reports it.
func BitLen(p []byte) int {
	p = trimZeros(p)
	if len(p) == 0 {
		return 0
	}
	return (len(p)-1)*8 + bits.Len8(p[0])
}
