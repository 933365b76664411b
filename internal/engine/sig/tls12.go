package sig

import (
	"crypto"
	//lint:ignore SA1019 TLS 1.2 clients still sign with DSA, and OpenSSL 3.0 verifies them
	"crypto/dsa"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/asn1"
	"io"
	"math/big"
	"slices"

	"github.com/cloudflare/circl/sign/ed448"
	"github.com/tlskit/tlskit/internal/engine/alert"

	// MD5 for TLS 1.0/1.1's RSA signatures over MD5 and SHA-1.
	_ "crypto/md5"
	_ "crypto/sha1"
	_ "crypto/sha256" // SHA-224
)

// SHA-224 and DSA schemes of TLS 1.2 (RFC 5246 §7.4.1.4.1).
const (
	RSAPKCS1SHA224 uint16 = 0x0301
	DSASHA224      uint16 = 0x0302
	ECDSASHA224    uint16 = 0x0303
	DSASHA256      uint16 = 0x0402
	DSASHA384      uint16 = 0x0502
	DSASHA512      uint16 = 0x0602
	DSASHA1        uint16 = 0x0202
)

// DefaultClient12 is OpenSSL 3.0's client signature_algorithms when TLS
// 1.2 or below is offered too: Default13, then the SHA-224 and DSA
// schemes. It is also a TLS 1.2 server's CertificateRequest list: this
// engine verifies each of them (DSA only there, a client certificate's
// signature; it offers no DSS suite and signs with no DSA key).
var DefaultClient12 = append(append([]uint16(nil), Default13...),
	ECDSASHA224, RSAPKCS1SHA224, DSASHA224, DSASHA256, DSASHA384, DSASHA512)

// DefaultCertRequest13 is the signature_algorithms of OpenSSL 3.0's TLS
// 1.3 CertificateRequest, in the handshake and after it: Default13, then
// the SHA-224 schemes (they can only sign a certificate in TLS 1.3, RFC
// 8446 §4.2.3; compared with openssl s_server -trace).
var DefaultCertRequest13 = append(append([]uint16(nil), Default13...), ECDSASHA224, RSAPKCS1SHA224)

// DefaultClient12SHA1 is DefaultClient12 as OpenSSL 3.0 sends it at
// security level 0, where SHA-1 signatures are allowed: each SHA-1
// scheme after its SHA-224 one.
var DefaultClient12SHA1 = append(append([]uint16(nil), Default13...),
	ECDSASHA224, ECDSASHA1, RSAPKCS1SHA224, RSAPKCS1SHA1, DSASHA224, DSASHA1, DSASHA256, DSASHA384, DSASHA512)

// kind12 is kindOf for TLS 1.2 (RFC 5246 §7.4.1.4.1, RFC 8422 §5.1.3):
// an ECDSA scheme names only its hash, any curve goes, and the SHA-1
// schemes exist.
func kind12(s uint16) (kind, bool) {
	switch s {
	case RSAPKCS1SHA1:
		return kind{hash: crypto.SHA1, rsa: true}, true
	case ECDSASHA1:
		return kind{hash: crypto.SHA1, ecdsa: true}, true
	case RSAPKCS1SHA224:
		return kind{hash: crypto.SHA224, rsa: true}, true
	case ECDSASHA224:
		return kind{hash: crypto.SHA224, ecdsa: true}, true
	case DSASHA1:
		return kind{hash: crypto.SHA1, dsa: true}, true
	case DSASHA224:
		return kind{hash: crypto.SHA224, dsa: true}, true
	case DSASHA256:
		return kind{hash: crypto.SHA256, dsa: true}, true
	case DSASHA384:
		return kind{hash: crypto.SHA384, dsa: true}, true
	case DSASHA512:
		return kind{hash: crypto.SHA512, dsa: true}, true
	}
	k, ok := kindOf(s)
	k.curve = nil
	return k, ok
}

// Fits12 reports whether pub can sign with s in TLS 1.2.
func Fits12(s uint16, pub crypto.PublicKey) bool {
	k, ok := kind12(s)
	if !ok {
		return false
	}
	switch p := pub.(type) {
	case *rsa.PublicKey:
		return k.rsa && !k.pssK && (!k.pss || p.Size() >= 2*k.hash.Size()+2)
	case PSSPublicKey:
		return k.pssK && (p.Hash == 0 || p.Hash == k.hash) && p.Size() >= 2*k.hash.Size()+2
	case *ecdsa.PublicKey:
		return k.ecdsa
	case ed25519.PublicKey:
		return k.ed
	case ed448.PublicKey:
		return k.ed448
	case *dsa.PublicKey:
		return k.dsa
	}
	return false
}

// Verify12 checks a TLS 1.2 signature (ServerKeyExchange,
// CertificateVerify) made with scheme s over msg: a bad signature is
// decrypt_error, a scheme the key cannot make illegal_parameter.
func Verify12(s uint16, pub crypto.PublicKey, msg, signature []byte) error {
	k, ok := kind12(s)
	if !ok || !Fits12(s, pub) {
		return alert.Faultf(alert.IllegalParameter, "wrong signature type")
	}
	if p, ok := pub.(PSSPublicKey); ok {
		pub = p.PublicKey
	}
	return check(k, pub, msg, signature)
}

func check(k kind, pub crypto.PublicKey, msg, signature []byte) error {
	var good bool
	switch p := pub.(type) {
	case *rsa.PublicKey:
		d := digest(k.hash, msg)
		if k.pss {
			good = rsa.VerifyPSS(p, k.hash, d, signature, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}) == nil
		} else {
			good = rsa.VerifyPKCS1v15(p, k.hash, d, signature) == nil
		}
	case *ecdsa.PublicKey:
		good = ecdsa.VerifyASN1(p, digest(k.hash, msg), signature)
	case ed25519.PublicKey:
		good = ed25519.Verify(p, msg, signature)
	case ed448.PublicKey:
		good = ed448.Verify(p, msg, signature, "")
	case *dsa.PublicKey:
		good = verifyDSA(p, digest(k.hash, msg), signature)
	}
	if !good {
		return alert.Faultf(alert.DecryptError, "bad signature")
	}
	return nil
}

// verifyDSA checks a DSA signature, DER SEQUENCE { r, s } (RFC 5246
// §4.7), over digest: a client certificate's CertificateVerify in TLS 1.2,
// whose CertificateRequest offers the DSA schemes as OpenSSL 3.0's does.
// The digest is cut to the subgroup's length (FIPS 186-4 §4.6). DSA keys
// never sign here: the engine has no DSS suite or DSA identity.
func verifyDSA(pub *dsa.PublicKey, digest, signature []byte) bool {
	var rs struct{ R, S *big.Int }
	rest, err := asn1.Unmarshal(signature, &rs)
	if err != nil || len(rest) != 0 || pub.Q == nil || rs.R.Sign() <= 0 || rs.S.Sign() <= 0 {
		return false
	}
	if n := (pub.Q.BitLen() + 7) / 8; len(digest) > n {
		digest = digest[:n]
	}
	return dsa.Verify(pub, digest, rs.R, rs.S)
}

// Sign12 signs msg with scheme s for TLS 1.2.
func Sign12(rand io.Reader, s uint16, key crypto.Signer, msg []byte) ([]byte, error) {
	k, ok := kind12(s)
	if !ok || !Fits12(s, key.Public()) {
		return nil, alert.Faultf(alert.InternalError, "key does not fit "+Name(s))
	}
	if k.ed || k.ed448 {
		return Sign(rand, s, key, msg)
	}
	var opts crypto.SignerOpts = k.hash
	if k.pss {
		opts = &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: k.hash}
	}
	return signDigest(rand, key, digest(k.hash, msg), opts)
}

// legacyKind is TLS 1.0/1.1's fixed algorithm for a key (RFC 4346
// §7.4.3): RSA signs MD5 followed by SHA-1 with PKCS#1 v1.5 and no
// DigestInfo, ECDSA signs SHA-1 (RFC 4492 §5.4).
func legacyKind(pub crypto.PublicKey) (kind, bool) {
	switch pub.(type) {
	case *rsa.PublicKey:
		return kind{hash: crypto.MD5SHA1, rsa: true}, true
	case *ecdsa.PublicKey:
		return kind{hash: crypto.SHA1, ecdsa: true}, true
	}
	return kind{}, false
}

// md5sha1 is the 36-byte MD5 || SHA-1 digest.
func md5sha1(msg []byte) []byte {
	m := crypto.MD5.New()
	m.Write(msg)
	s := crypto.SHA1.New()
	s.Write(msg)
	return s.Sum(m.Sum(nil))
}

// VerifyLegacy checks a TLS 1.0/1.1 signature over msg.
func VerifyLegacy(pub crypto.PublicKey, msg, signature []byte) error {
	k, ok := legacyKind(pub)
	if !ok {
		// A key TLS 1.0/1.1 cannot sign with (EdDSA, RSASSA-PSS):
		// openssl 3.0 s_server answers such a client CertificateVerify
		// with internal_error (measured).
		return alert.Faultf(alert.InternalError, "legacy sigalg disallowed or unsupported")
	}
	if p, ok := pub.(*rsa.PublicKey); ok {
		if rsa.VerifyPKCS1v15(p, crypto.MD5SHA1, md5sha1(msg), signature) != nil {
			return alert.Faultf(alert.DecryptError, "bad signature")
		}
		return nil
	}
	return check(k, pub, msg, signature)
}

// SignLegacy signs msg the TLS 1.0/1.1 way for the key's type.
func SignLegacy(rand io.Reader, key crypto.Signer, msg []byte) ([]byte, error) {
	k, ok := legacyKind(key.Public())
	if !ok {
		return nil, alert.Faultf(alert.InternalError, "no TLS 1.0/1.1 signature for this key")
	}
	if k.rsa {
		return signDigest(rand, key, md5sha1(msg), crypto.MD5SHA1)
	}
	return signDigest(rand, key, digest(k.hash, msg), k.hash)
}

// Authenticates reports which TLS 1.0–1.2 server authentications a
// client's signature_algorithms leave possible: RSA (rsa_pkcs1, rsa_pss)
// and ECDSA (ecdsa, ed25519, ed448, which OpenSSL counts as ECDSA
// authentication). OpenSSL's client offers no suite whose authentication
// its list rules out.
func Authenticates(schemes []uint16) (rsa, ecdsa bool) {
	for _, s := range schemes {
		k, ok := kind12(s)
		if !ok {
			continue
		}
		rsa = rsa || k.rsa
		ecdsa = ecdsa || k.ecdsa || k.ed || k.ed448
	}
	return rsa, ecdsa
}

// SecurityBits is the strength OpenSSL 3.0's libssl credits a scheme
// with against a security level: its digest's (HashSecurityBits),
// Ed25519's 128 and Ed448's 224; false for a scheme it does not know.
func SecurityBits(s uint16) (int, bool) {
	k, ok := kind12(s)
	switch {
	case !ok:
		return 0, false
	case k.ed:
		return 128, true
	case k.ed448:
		return 224, true
	}
	return HashSecurityBits(k.hash)
}

// HashSecurityBits is the strength libssl credits a signature scheme's
// digest with: MD5 39, SHA-1 64, SHA-224 112, SHA-256 128, SHA-384 192,
// SHA-512 256 (certificate signatures rate SHA-1 63, on purpose, as in
// OpenSSL).
func HashSecurityBits(h crypto.Hash) (int, bool) {
	switch h {
	case crypto.MD5:
		return 39, true
	case crypto.SHA1:
		return 64, true
	case crypto.SHA224:
		return 112, true
	case crypto.SHA256:
		return 128, true
	case crypto.SHA384:
		return 192, true
	case crypto.SHA512:
		return 256, true
	}
	return 0, false
}

// secLevelBits is the minimum strength of each security level 0–5
// (SSL_CTX_set_security_level(3)).
var secLevelBits = [...]int{0, 80, 112, 128, 192, 256}

// SecLevelBits returns the strength a security level asks for: 0 for
// level 0 and below, and levels above 5 count as 5.
func SecLevelBits(level int) int {
	if level <= 0 {
		return 0
	}
	return secLevelBits[min(level, len(secLevelBits)-1)]
}

// IsDSA reports whether s is one of TLS 1.2's DSA schemes.
func IsDSA(s uint16) bool { k, ok := kind12(s); return ok && k.dsa }

// SignsTLS13 reports whether s can sign a TLS 1.3 handshake as OpenSSL
// 3.0 judges a CertificateRequest's list: not RSA PKCS#1 v1.5, not SHA-1
// or SHA-224, not DSA.
func SignsTLS13(s uint16) bool {
	k, ok := kind12(s)
	return ok && !k.dsa && !(k.rsa && !k.pss) && k.hash != crypto.SHA1 && k.hash != crypto.SHA224
}

// SharedAtLevel is the schemes of peer that mine (nil: DefaultClient12SHA1,
// openssl 3.0's whole list) also has and the security level allows, in
// peer's order: what openssl's certificate callback checks a chain
// against (SHA-1 goes above level 0, SHA-224 from level 3).
func SharedAtLevel(peer, mine []uint16, level int) []uint16 {
	if mine == nil {
		mine = DefaultClient12SHA1
	}
	var out []uint16
	for _, s := range peer {
		if !slices.Contains(mine, s) {
			continue
		}
		if bits, ok := SecurityBits(s); ok && bits < SecLevelBits(level) {
			continue
		}
		out = append(out, s)
	}
	return out
}
