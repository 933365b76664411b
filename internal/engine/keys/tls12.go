package keys

import (
	"crypto"
	"crypto/hmac"

	// TLS 1.0 and 1.1's PRF halves.
	_ "crypto/md5"
	_ "crypto/sha1"
)

// PRF12 is the TLS 1.2 PRF (RFC 5246 §5) over the suite's hash.
func PRF12(h crypto.Hash, secret []byte, label string, seed []byte, n int) []byte {
	out := make([]byte, n)
	expand(h, secret, append([]byte(label), seed...), out)
	return out
}

// expand fills out with P_hash(secret, seed) (RFC 5246 §5): HMAC over
// A(i) + seed, where A(i) = HMAC(A(i-1)) and A(0) = seed.
func expand(h crypto.Hash, secret, seed, out []byte) {
	m := hmac.New(h.New, secret)
	m.Write(seed)
	a := m.Sum(nil)
	for len(out) > 0 {
		m.Reset()
		m.Write(a)
		m.Write(seed)
		out = out[copy(out, m.Sum(nil)):]
		m.Reset()
		m.Write(a)
		a = m.Sum(nil)
	}
}

// PRF10 is the TLS 1.0 and 1.1 PRF (RFC 2246 §5): P_MD5 over the first
// half of the secret XOR P_SHA-1 over the second, the halves sharing a
// middle byte when the length is odd.
func PRF10(secret []byte, label string, seed []byte, n int) []byte {
	half := (len(secret) + 1) / 2
	s1, s2 := secret[:half], secret[len(secret)-half:]
	ls := append([]byte(label), seed...)
	a, b := make([]byte, n), make([]byte, n)
	expand(crypto.MD5, s1, ls, a)
	expand(crypto.SHA1, s2, ls, b)
	for i := range a {
		a[i] ^= b[i]
	}
	return a
}

// MasterSecret12 is the RFC 5246 §8.1 master secret.
func MasterSecret12(h crypto.Hash, preMaster, clientRandom, serverRandom []byte) []byte {
	return PRF12(h, preMaster, "master secret", append(append([]byte(nil), clientRandom...), serverRandom...), 48)
}

// ExtendedMasterSecret12 is RFC 7627 §4's master secret over the session
// hash (the hash of the handshake up to ClientKeyExchange).
func ExtendedMasterSecret12(h crypto.Hash, preMaster, sessionHash []byte) []byte {
	return PRF12(h, preMaster, "extended master secret", sessionHash, 48)
}

// KeyBlock12 is the RFC 5246 §6.3 key expansion (server random first).
func KeyBlock12(h crypto.Hash, master, clientRandom, serverRandom []byte, n int) []byte {
	return PRF12(h, master, "key expansion", append(append([]byte(nil), serverRandom...), clientRandom...), n)
}

// Finished12 is a TLS 1.2 Finished verify_data (RFC 5246 §7.4.9): label
// "client finished" or "server finished" over the handshake hash.
func Finished12(h crypto.Hash, master []byte, label string, handshakeHash []byte) []byte {
	return PRF12(h, master, label, handshakeHash, 12)
}

// Export12 is the RFC 5705 exporter for TLS 1.2; a nil context is "no
// context", which differs from an empty one.
func Export12(h crypto.Hash, master, clientRandom, serverRandom []byte, label string, context []byte, length int) []byte {
	seed := append(append([]byte(nil), clientRandom...), serverRandom...)
	if context != nil {
		seed = append(seed, byte(len(context)>>8), byte(len(context)))
		seed = append(seed, context...)
	}
	return PRF12(h, master, label, seed, length)
}

// PRF is a TLS 1.0–1.2 pseudorandom function bound to a version and, in
// TLS 1.2, to the suite's PRF hash. Its methods are the derivations of
// RFC 5246 §6.3, §7.4.9, §8.1, RFC 7627 §4 and RFC 5705 §4 for that
// version, so the client and the server share one implementation.
type PRF struct {
	// Version is the negotiated protocol version (0x0301–0x0303).
	Version uint16
	// Hash is the TLS 1.2 PRF hash (SHA-256 unless the suite says
	// SHA-384); TLS 1.0 and 1.1 ignore it.
	Hash crypto.Hash
}

// Sum is the PRF itself: n bytes of PRF(secret, label, seed).
func (p PRF) Sum(secret []byte, label string, seed []byte, n int) []byte {
	if p.Version < 0x0303 {
		return PRF10(secret, label, seed, n)
	}
	return PRF12(p.Hash, secret, label, seed, n)
}

// HandshakeHash is the hash of the handshake messages that Finished,
// the extended master secret and a TLS 1.0/1.1 CertificateVerify use:
// MD5 followed by SHA-1 before TLS 1.2 (RFC 2246 §7.4.10), the PRF hash
// in TLS 1.2 (RFC 5246 §7.4.9).
func (p PRF) HandshakeHash(msgs []byte) []byte {
	if p.Version < 0x0303 {
		m := crypto.MD5.New()
		m.Write(msgs)
		s := crypto.SHA1.New()
		s.Write(msgs)
		return s.Sum(m.Sum(nil))
	}
	d := p.Hash.New()
	d.Write(msgs)
	return d.Sum(nil)
}

func joinRandoms(a, b []byte) []byte {
	return append(append(make([]byte, 0, len(a)+len(b)), a...), b...)
}

// MasterSecret is RFC 5246 §8.1's master secret.
func (p PRF) MasterSecret(preMaster, clientRandom, serverRandom []byte) []byte {
	return p.Sum(preMaster, "master secret", joinRandoms(clientRandom, serverRandom), 48)
}

// ExtendedMasterSecret is RFC 7627 §4's master secret over the session
// hash (HandshakeHash of the messages up to and including
// ClientKeyExchange).
func (p PRF) ExtendedMasterSecret(preMaster, sessionHash []byte) []byte {
	return p.Sum(preMaster, "extended master secret", sessionHash, 48)
}

// KeyBlock is RFC 5246 §6.3's key expansion: n bytes, server random
// first in the seed.
func (p PRF) KeyBlock(master, clientRandom, serverRandom []byte, n int) []byte {
	return p.Sum(master, "key expansion", joinRandoms(serverRandom, clientRandom), n)
}

// Finished is a verify_data (RFC 5246 §7.4.9, 12 bytes): client is the
// sender of the Finished, handshakeHash is HandshakeHash of the messages
// before it.
func (p PRF) Finished(master []byte, client bool, handshakeHash []byte) []byte {
	label := "server finished"
	if client {
		label = "client finished"
	}
	return p.Sum(master, label, handshakeHash, 12)
}

// Export is the RFC 5705 exporter; a nil context is "no context", which
// differs from an empty one (RFC 5705 §4).
func (p PRF) Export(master, clientRandom, serverRandom []byte, label string, context []byte, length int) []byte {
	seed := joinRandoms(clientRandom, serverRandom)
	if context != nil {
		seed = append(seed, byte(len(context)>>8), byte(len(context)))
		seed = append(seed, context...)
	}
	return p.Sum(master, label, seed, length)
}
