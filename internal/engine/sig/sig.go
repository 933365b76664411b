// Package sig signs and verifies with TLS signature schemes (RFC 8446
// §4.2.3): the TLS 1.3 CertificateVerify construction and the schemes Go's
// public crypto packages implement.
package sig

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"io"
	"runtime"
	"strconv"

	"github.com/cloudflare/circl/sign/ed448"
	"github.com/tlskit/tlskit/internal/engine/alert"
	"github.com/tlskit/tlskit/internal/lazy"
)

// Signature schemes (RFC 8446 §4.2.3).
const (
	RSAPKCS1SHA256   uint16 = 0x0401
	RSAPKCS1SHA384   uint16 = 0x0501
	RSAPKCS1SHA512   uint16 = 0x0601
	ECDSAP256SHA256  uint16 = 0x0403
	ECDSAP384SHA384  uint16 = 0x0503
	ECDSAP521SHA512  uint16 = 0x0603
	RSAPSSRSAESHA256 uint16 = 0x0804
	RSAPSSRSAESHA384 uint16 = 0x0805
	RSAPSSRSAESHA512 uint16 = 0x0806
	Ed25519          uint16 = 0x0807
	Ed448            uint16 = 0x0808
	RSAPSSPSSSHA256  uint16 = 0x0809
	RSAPSSPSSSHA384  uint16 = 0x080a
	RSAPSSPSSSHA512  uint16 = 0x080b
	RSAPKCS1SHA1     uint16 = 0x0201
	ECDSASHA1        uint16 = 0x0203
)

// Default13 is OpenSSL 3.0's default signature_algorithms list, in its
// order.
var Default13 = []uint16{
	ECDSAP256SHA256, ECDSAP384SHA384, ECDSAP521SHA512, Ed25519, Ed448,
	RSAPSSPSSSHA256, RSAPSSPSSSHA384, RSAPSSPSSSHA512,
	RSAPSSRSAESHA256, RSAPSSRSAESHA384, RSAPSSRSAESHA512,
	RSAPKCS1SHA256, RSAPKCS1SHA384, RSAPKCS1SHA512,
}

var names = lazy.Value[map[uint16]string]{Build: func() map[uint16]string {
	return map[uint16]string{
		RSAPKCS1SHA256: "rsa_pkcs1_sha256", RSAPKCS1SHA384: "rsa_pkcs1_sha384", RSAPKCS1SHA512: "rsa_pkcs1_sha512",
		ECDSAP256SHA256: "ecdsa_secp256r1_sha256", ECDSAP384SHA384: "ecdsa_secp384r1_sha384",
		ECDSAP521SHA512: "ecdsa_secp521r1_sha512", RSAPSSRSAESHA256: "rsa_pss_rsae_sha256",
		RSAPSSRSAESHA384: "rsa_pss_rsae_sha384", RSAPSSRSAESHA512: "rsa_pss_rsae_sha512",
		Ed25519: "ed25519", Ed448: "ed448", RSAPSSPSSSHA256: "rsa_pss_pss_sha256",
		RSAPSSPSSSHA384: "rsa_pss_pss_sha384", RSAPSSPSSSHA512: "rsa_pss_pss_sha512",
		RSAPKCS1SHA1: "rsa_pkcs1_sha1", ECDSASHA1: "ecdsa_sha1",
		RSAPKCS1SHA224: "rsa_pkcs1_sha224", ECDSASHA224: "ecdsa_sha224", DSASHA224: "dsa_sha224",
		DSASHA256: "dsa_sha256", DSASHA1: "dsa_sha1", DSASHA384: "dsa_sha384", DSASHA512: "dsa_sha512",
	}
}}

// Name is the RFC name of a scheme.
func Name(s uint16) string {
	if n, ok := names.Get()[s]; ok {
		return n
	}
	return "0x" + strconv.FormatUint(uint64(s), 16)
}

// kind is what a scheme needs of a key and how it hashes.
type kind struct {
	hash  crypto.Hash
	pss   bool
	pssK  bool // rsa_pss_pss_*: the key itself is RSASSA-PSS
	rsa   bool
	curve elliptic.Curve // nil: any curve (TLS 1.2 ECDSA) or not ECDSA
	ecdsa bool
	ed    bool
	ed448 bool
	dsa   bool // TLS 1.2 only, and only to verify
}

func kindOf(s uint16) (kind, bool) {
	switch s {
	case RSAPKCS1SHA256:
		return kind{hash: crypto.SHA256, rsa: true}, true
	case RSAPKCS1SHA384:
		return kind{hash: crypto.SHA384, rsa: true}, true
	case RSAPKCS1SHA512:
		return kind{hash: crypto.SHA512, rsa: true}, true
	case RSAPSSRSAESHA256:
		return kind{hash: crypto.SHA256, rsa: true, pss: true}, true
	case RSAPSSRSAESHA384:
		return kind{hash: crypto.SHA384, rsa: true, pss: true}, true
	case RSAPSSRSAESHA512:
		return kind{hash: crypto.SHA512, rsa: true, pss: true}, true
	case ECDSAP256SHA256:
		return kind{hash: crypto.SHA256, ecdsa: true, curve: elliptic.P256()}, true
	case ECDSAP384SHA384:
		return kind{hash: crypto.SHA384, ecdsa: true, curve: elliptic.P384()}, true
	case ECDSAP521SHA512:
		return kind{hash: crypto.SHA512, ecdsa: true, curve: elliptic.P521()}, true
	case RSAPSSPSSSHA256:
		return kind{hash: crypto.SHA256, rsa: true, pss: true, pssK: true}, true
	case RSAPSSPSSSHA384:
		return kind{hash: crypto.SHA384, rsa: true, pss: true, pssK: true}, true
	case RSAPSSPSSSHA512:
		return kind{hash: crypto.SHA512, rsa: true, pss: true, pssK: true}, true
	case Ed25519:
		return kind{ed: true}, true
	case Ed448:
		return kind{ed448: true}, true
	}
	return kind{}, false
}

// Allowed13 reports whether a scheme may sign a TLS 1.3 CertificateVerify
// (RFC 8446 §4.4.3: not PKCS#1 v1.5, not SHA-1).
func Allowed13(s uint16) bool {
	k, ok := kindOf(s)
	return ok && !(k.rsa && !k.pss)
}

// Fits reports whether a public key can make or check signatures of
// scheme s (an ECDSA scheme binds its curve in TLS 1.3).
func Fits(s uint16, pub crypto.PublicKey) bool {
	k, ok := kindOf(s)
	if !ok {
		return false
	}
	switch p := pub.(type) {
	case *rsa.PublicKey:
		if !k.rsa || k.pssK {
			return false
		}
		// PSS with the hash as salt needs room: 2*hLen+2 bytes.
		return !k.pss || p.Size() >= 2*k.hash.Size()+2
	case PSSPublicKey:
		return k.pssK && (p.Hash == 0 || p.Hash == k.hash) && p.Size() >= 2*k.hash.Size()+2
	case *ecdsa.PublicKey:
		return k.ecdsa && p.Curve == k.curve
	case ed25519.PublicKey:
		return k.ed
	case ed448.PublicKey:
		return k.ed448
	}
	return false
}

// Content13 is the signed content of a TLS 1.3 CertificateVerify (RFC 8446
// §4.4.3): 64 spaces, the context string, a zero byte, the transcript hash.
func Content13(server bool, transcriptHash []byte) []byte {
	ctx := "TLS 1.3, client CertificateVerify"
	if server {
		ctx = "TLS 1.3, server CertificateVerify"
	}
	out := make([]byte, 0, 64+len(ctx)+1+len(transcriptHash))
	for i := 0; i < 64; i++ {
		out = append(out, 0x20)
	}
	out = append(out, ctx...)
	out = append(out, 0)
	return append(out, transcriptHash...)
}

// misfit is Sign's error for a key that does not fit s. Never inlined,
// for signEd448's reason.
//
//go:noinline
func misfit(s uint16) error {
	return alert.Faultf(alert.InternalError, "key does not fit "+Name(s))
}

// signEd448 is Sign for Ed448. Apart and never inlined, so that its
// locals stay out of Sign's frame: Sign is on the deepest call path of a
// server's handshake, which has to fit a goroutine's 8 KiB starting
// stack.
//
//go:noinline
func signEd448(key crypto.Signer, msg []byte) ([]byte, error) {
	p, ok := key.(ed448.PrivateKey)
	if !ok {
		return nil, alert.Faultf(alert.InternalError, "ed448 needs an ed448.PrivateKey")
	}
	return ed448.Sign(p, msg, ""), nil
}

// digest hashes msg with h.
//
// Never inlined: the hash's state would otherwise sit in Sign's frame
// under the signature, the deepest call path of a server's handshake,
// which has to fit a goroutine's 8 KiB starting stack.
//
//go:noinline
func digest(h crypto.Hash, msg []byte) []byte {
	d := h.New()
	d.Write(msg)
	return d.Sum(nil)
}

// Verify checks signature over msg with scheme s; a bad signature is
// decrypt_error (RFC 8446 §4.4.3), a key that does not fit the scheme
// illegal_parameter.
func Verify(s uint16, pub crypto.PublicKey, msg, signature []byte) error {
	k, ok := kindOf(s)
	if !ok || !Fits(s, pub) {
		return alert.Faultf(alert.IllegalParameter, "wrong signature type")
	}
	var good bool
	if p, ok := pub.(PSSPublicKey); ok {
		pub = p.PublicKey
	}
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
		// RFC 8446 §4.2.3: pure Ed448, empty context.
		good = ed448.Verify(p, msg, signature, "")
	}
	if !good {
		return alert.Faultf(alert.DecryptError, "bad signature")
	}
	return nil
}

// Sign signs msg with scheme s.
func Sign(rand io.Reader, s uint16, key crypto.Signer, msg []byte) ([]byte, error) {
	k, ok := kindOf(s)
	if !ok || !Fits(s, key.Public()) {
		return nil, misfit(s)
	}
	if k.ed {
		return key.Sign(rand, msg, crypto.Hash(0))
	}
	if k.ed448 {
		return signEd448(key, msg)
	}
	var opts crypto.SignerOpts = k.hash
	if k.pss {
		opts = &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: k.hash}
	}
	return signDigest(rand, key, digest(k.hash, msg), opts)
}

// signing bounds the RSA and ECDSA signatures made at once to the CPUs
// Go runs on when the process starts: a signature is all computation, so
// more at once finish no sooner, while each holds its temporaries and a
// stack grown for them (an RSA-2048 signature about 16 KiB of stack), and
// a server's peak memory under many simultaneous handshakes follows how
// many sign at once (bench/rss.sh, RSA, 64 clients: 1.51-1.54x openssl's
// peak without the bound, 1.48-1.49x with it).
var signing = make(chan struct{}, runtime.GOMAXPROCS(0))

// signDigest signs a digest with key, once a place in signing is free.
func signDigest(rand io.Reader, key crypto.Signer, d []byte, opts crypto.SignerOpts) ([]byte, error) {
	signing <- struct{}{}
	defer func() { <-signing }()
	return key.Sign(rand, d, opts)
}
