// Package kx makes and completes TLS 1.3 key shares (RFC 8446 §4.2.8):
// ECDHE over x25519 and the NIST curves, and the ML-KEM hybrids of
// draft-ietf-tls-ecdhe-mlkem. A bad peer share is illegal_parameter (RFC
// 8446 §4.2.8.1, §4.2.8.2).
package kx

import (
	"crypto/ecdh"
	"crypto/mlkem"
	"crypto/rand"
	"crypto/subtle"
	"strconv"

	"github.com/cloudflare/circl/dh/x25519"
	"github.com/cloudflare/circl/dh/x448"

	"github.com/tlskit/tlskit/internal/engine/alert"
)

// Named groups (IANA "TLS Supported Groups").
const (
	Secp256r1          uint16 = 0x0017
	Secp384r1          uint16 = 0x0018
	Secp521r1          uint16 = 0x0019
	X25519             uint16 = 0x001d
	X448               uint16 = 0x001e
	SecP256r1MLKEM768  uint16 = 0x11eb
	X25519MLKEM768     uint16 = 0x11ec
	SecP384r1MLKEM1024 uint16 = 0x11ed
)

// Name is OpenSSL's name for a group, as -groups takes it.
func Name(g uint16) string {
	switch g {
	case Secp256r1:
		return "secp256r1"
	case Secp384r1:
		return "secp384r1"
	case Secp521r1:
		return "secp521r1"
	case X25519:
		return "x25519"
	case X448:
		return "x448"
	case SecP256r1MLKEM768:
		return "SecP256r1MLKEM768"
	case X25519MLKEM768:
		return "X25519MLKEM768"
	case SecP384r1MLKEM1024:
		return "SecP384r1MLKEM1024"
	case FFDHE2048, FFDHE3072, FFDHE4096, FFDHE6144, FFDHE8192:
		return "ffdhe" + strconv.Itoa(map[uint16]int{FFDHE2048: 2048, FFDHE3072: 3072, FFDHE4096: 4096, FFDHE6144: 6144, FFDHE8192: 8192}[g])
	}
	return "group(0x" + strconv.FormatUint(uint64(g), 16) + ")"
}

// Supported reports whether this package implements g.
func Supported(g uint16) bool {
	switch g {
	case Secp256r1, Secp384r1, Secp521r1, X25519, X448, SecP256r1MLKEM768, X25519MLKEM768, SecP384r1MLKEM1024:
		return true
	}
	return IsFFDHE(g)
}

// curve is the crypto/ecdh curve of a NIST group (X25519 goes through
// x25519Pair and x25519Shared).
func curve(g uint16) ecdh.Curve {
	switch g {
	case Secp256r1, SecP256r1MLKEM768:
		return ecdh.P256()
	case Secp384r1, SecP384r1MLKEM1024:
		return ecdh.P384()
	case Secp521r1:
		return ecdh.P521()
	}
	return nil
}

// Share is the client's secret half of one key share.
type Share struct {
	group  uint16
	ec     *ecdh.PrivateKey
	x25519 *x25519.Key
	x448   *x448.Key
	dh     *DHKey
	kem    interface {
		Decapsulate([]byte) ([]byte, error)
	}
	public []byte
}

// Group is the share's group.
func (s *Share) Group() uint16 { return s.group }

// Public is the key_exchange bytes to send.
func (s *Share) Public() []byte { return s.public }

// x25519Pair makes an X25519 key pair (RFC 7748 §6.1) with crypto/rand.
// circl's X25519 takes the public key from a fixed-base ladder over a
// table of multiples of the base point and runs both ladders in assembly:
// measured (BenchmarkX25519) about half the CPU of crypto/ecdh's key
// generation and two thirds of its shared secret, which a server pays on
// every full and resumed handshake. Both are constant time.
func x25519Pair() (pub, priv *x25519.Key, err error) {
	pub, priv = new(x25519.Key), new(x25519.Key)
	if _, err := rand.Read(priv[:]); err != nil {
		return nil, nil, err
	}
	x25519.KeyGen(pub, priv)
	return pub, priv, nil
}

// x25519Shared is X25519 with RFC 8446 §7.4.2's check: a peer key of the
// wrong size, or one that gives the all-zero secret (a low-order point,
// RFC 7748 §6.1), is illegal_parameter. circl refuses the low-order
// points it knows; the secret is checked for zero as well, in constant
// time, so the rule does not rest on that list.
func x25519Shared(priv *x25519.Key, peer []byte) ([]byte, error) {
	if len(peer) != x25519.Size {
		return nil, bad()
	}
	var pk, z x25519.Key
	copy(pk[:], peer)
	ok := x25519.Shared(&z, priv, &pk)
	var zero [x25519.Size]byte
	if !ok || subtle.ConstantTimeCompare(z[:], zero[:]) == 1 {
		return nil, bad()
	}
	return z[:], nil
}

// x25519Respond is a server's X25519 answer to the peer key: its public
// key and the shared secret (x25519Pair, x25519Shared).
func x25519Respond(peer []byte) (public, shared []byte, err error) {
	pub, priv, err := x25519Pair()
	if err != nil {
		return nil, nil, err
	}
	z, err := x25519Shared(priv, peer)
	if err != nil {
		return nil, nil, err
	}
	return pub[:], z, nil
}

// x448Pair makes an X448 key pair (RFC 7748 §6.2) with crypto/rand.
func x448Pair() (pub, priv *x448.Key, err error) {
	pub, priv = new(x448.Key), new(x448.Key)
	if _, err := rand.Read(priv[:]); err != nil {
		return nil, nil, err
	}
	x448.KeyGen(pub, priv)
	return pub, priv, nil
}

// x448Shared is X448 with RFC 8446 §7.4.2's check: a peer key of the
// wrong size or of low order (all-zero result) is illegal_parameter.
func x448Shared(priv *x448.Key, peer []byte) ([]byte, error) {
	if len(peer) != x448.Size {
		return nil, bad()
	}
	var pk, z x448.Key
	copy(pk[:], peer)
	if !x448.Shared(&z, priv, &pk) {
		return nil, bad()
	}
	return z[:], nil
}

// Generate makes a client key share for g.
func Generate(g uint16) (*Share, error) {
	if IsFFDHE(g) {
		k, err := ffdheKey(g)
		if err != nil {
			return nil, err
		}
		return &Share{group: g, dh: k, public: k.Public}, nil
	}
	if g == X448 {
		pub, priv, err := x448Pair()
		if err != nil {
			return nil, err
		}
		return &Share{group: g, x448: priv, public: pub[:]}, nil
	}
	if g == X25519 || g == X25519MLKEM768 {
		pub, priv, err := x25519Pair()
		if err != nil {
			return nil, err
		}
		s := &Share{group: g, x25519: priv, public: pub[:]}
		if g == X25519MLKEM768 {
			dk, err := mlkem.GenerateKey768()
			if err != nil {
				return nil, err
			}
			s.kem = dk
			s.public = append(dk.EncapsulationKey().Bytes(), pub[:]...)
		}
		return s, nil
	}
	c := curve(g)
	if c == nil || !Supported(g) {
		return nil, alert.Faultf(alert.InternalError, "unsupported group "+Name(g))
	}
	ec, err := c.GenerateKey(nil)
	if err != nil {
		return nil, err
	}
	s := &Share{group: g, ec: ec}
	pub := ec.PublicKey().Bytes()
	switch g {
	case SecP256r1MLKEM768:
		dk, err := mlkem.GenerateKey768()
		if err != nil {
			return nil, err
		}
		s.kem = dk
		s.public = append(append([]byte(nil), pub...), dk.EncapsulationKey().Bytes()...)
	case SecP384r1MLKEM1024:
		dk, err := mlkem.GenerateKey1024()
		if err != nil {
			return nil, err
		}
		s.kem = dk
		s.public = append(append([]byte(nil), pub...), dk.EncapsulationKey().Bytes()...)
	default:
		s.public = pub
	}
	return s, nil
}

func bad() error { return alert.Faultf(alert.IllegalParameter, "bad key share") }

func ecdhShared(c ecdh.Curve, priv *ecdh.PrivateKey, peer []byte) ([]byte, error) {
	pub, err := c.NewPublicKey(peer)
	if err != nil {
		return nil, bad()
	}
	z, err := priv.ECDH(pub)
	if err != nil { // an all-zero x25519 result (RFC 8446 §7.4.2)
		return nil, bad()
	}
	return z, nil
}

// Shared completes the exchange with the server's key_exchange bytes.
// The hybrids concatenate in the draft's order: ML-KEM first for
// X25519MLKEM768, the curve first for the others.
func (s *Share) Shared(peer []byte) ([]byte, error) {
	if s.dh != nil {
		return ffdheShared(s.dh, s.group, peer)
	}
	if s.group == X448 {
		return x448Shared(s.x448, peer)
	}
	switch s.group {
	case X25519:
		return x25519Shared(s.x25519, peer)
	case X25519MLKEM768:
		if len(peer) != mlkem.CiphertextSize768+32 {
			return nil, bad()
		}
		k, err := s.kem.Decapsulate(peer[:mlkem.CiphertextSize768])
		if err != nil {
			return nil, bad()
		}
		z, err := x25519Shared(s.x25519, peer[mlkem.CiphertextSize768:])
		if err != nil {
			return nil, err
		}
		return append(k, z...), nil
	}
	c := curve(s.group)
	switch s.group {
	case SecP256r1MLKEM768, SecP384r1MLKEM1024:
		ctLen := mlkem.CiphertextSize768
		if s.group == SecP384r1MLKEM1024 {
			ctLen = mlkem.CiphertextSize1024
		}
		pl := len(s.ec.PublicKey().Bytes())
		if len(peer) != pl+ctLen {
			return nil, bad()
		}
		z, err := ecdhShared(c, s.ec, peer[:pl])
		if err != nil {
			return nil, err
		}
		k, err := s.kem.Decapsulate(peer[pl:])
		if err != nil {
			return nil, bad()
		}
		return append(z, k...), nil
	}
	return ecdhShared(c, s.ec, peer)
}

// Respond is the server's side: from the client's key_exchange bytes it
// makes the server's key_exchange bytes and the shared secret.
func Respond(g uint16, peer []byte) (public, shared []byte, err error) {
	if IsFFDHE(g) {
		k, err := ffdheKey(g)
		if err != nil {
			return nil, nil, err
		}
		z, err := ffdheShared(k, g, peer)
		if err != nil {
			return nil, nil, err
		}
		return k.Public, z, nil
	}
	if g == X448 {
		pub, priv, err := x448Pair()
		if err != nil {
			return nil, nil, err
		}
		z, err := x448Shared(priv, peer)
		if err != nil {
			return nil, nil, err
		}
		return pub[:], z, nil
	}
	if g == X25519 {
		return x25519Respond(peer)
	}
	if g == X25519MLKEM768 {
		if len(peer) != mlkem.EncapsulationKeySize768+32 {
			return nil, nil, bad()
		}
		ek, err := mlkem.NewEncapsulationKey768(peer[:mlkem.EncapsulationKeySize768])
		if err != nil {
			return nil, nil, bad()
		}
		pub, z, err := x25519Respond(peer[mlkem.EncapsulationKeySize768:])
		if err != nil {
			return nil, nil, err
		}
		k, ct := ek.Encapsulate()
		return append(ct, pub...), append(k, z...), nil
	}
	c := curve(g)
	if c == nil || !Supported(g) {
		return nil, nil, alert.Faultf(alert.InternalError, "unsupported group "+Name(g))
	}
	ec, err := c.GenerateKey(nil)
	if err != nil {
		return nil, nil, err
	}
	pub := ec.PublicKey().Bytes()
	switch g {
	case SecP256r1MLKEM768, SecP384r1MLKEM1024:
		pl := len(pub)
		if len(peer) <= pl {
			return nil, nil, bad()
		}
		z, err := ecdhShared(c, ec, peer[:pl])
		if err != nil {
			return nil, nil, err
		}
		var k, ct []byte
		if g == SecP256r1MLKEM768 {
			ek, err := mlkem.NewEncapsulationKey768(peer[pl:])
			if err != nil {
				return nil, nil, bad()
			}
			k, ct = ek.Encapsulate()
		} else {
			ek, err := mlkem.NewEncapsulationKey1024(peer[pl:])
			if err != nil {
				return nil, nil, bad()
			}
			k, ct = ek.Encapsulate()
		}
		return append(append([]byte(nil), pub...), ct...), append(z, k...), nil
	}
	z, err := ecdhShared(c, ec, peer)
	if err != nil {
		return nil, nil, err
	}
	return pub, z, nil
}
