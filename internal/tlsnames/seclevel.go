package tlsnames

import (
	"crypto"
	//lint:ignore SA1019 DSA certificates still need their strength rated
	"crypto/dsa"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"math"
	"strings"

	"github.com/cloudflare/circl/sign/ed448"
	"github.com/tlskit/tlskit/internal/engine/sig"
)

// This file is tlskit's one table of security strengths: the bits each
// security level (@SECLEVEL, -auth_level) asks for, and the bits OpenSSL
// 3.0 credits keys and digests with. s_client, s_server, -security_debug
// and the certificate verifier all rate through it.

// SecLevelBits returns the security bits level asks for: 0 for level 0
// and below, and levels above 5 count as 5 (the engine's table).
func SecLevelBits(level int) int { return sig.SecLevelBits(level) }

// SecLevelAllows reports whether something of the given strength passes
// level.
func SecLevelAllows(level, bits int) bool { return bits >= SecLevelBits(level) }

// IFCBits returns the security bits of an RSA modulus (or a finite-field
// prime) of n bits as OpenSSL 3.0 rates RSA keys: the canonical values of
// the standards for the common sizes, otherwise the general number field
// sieve estimate of NIST SP 800-56B rev 2 appendix D, rounded to a
// multiple of 8 and capped so the result never decreases with n. So
// RSA-1024 is 80 and RSA-2000 is 112, as openssl decides at -auth_level 2.
func IFCBits(n int) int {
	switch n {
	case 2048:
		return 112
	case 3072:
		return 128
	case 4096:
		return 152
	case 6144:
		return 176
	case 7680:
		return 192
	case 8192:
		return 200
	case 15360:
		return 256
	}
	if n < 8 {
		return 0
	}
	limit := 1200
	switch {
	case n <= 7680:
		limit = 192
	case n <= 15360:
		limit = 256
	}
	x := float64(n) * math.Ln2
	lx := math.Log(x)
	y := (1.923*math.Cbrt(x*lx*lx) - 4.69) / math.Ln2
	bits := (int(y) + 4) &^ 7
	return min(bits, limit)
}

// FFDHBits rates Diffie-Hellman parameters with an l-bit prime as
// OpenSSL 3.0 does (s_server -dhparam against the security level): the
// table value for l, lowered to n/2 when n, the bits of the subgroup
// order or of the private value, is known (not 0).
func FFDHBits(l, n int) int {
	if n <= 0 {
		n = -1
	}
	return stepBits(l, n)
}

// stepBits is OpenSSL's coarse strength of a finite-field key with an
// L-bit prime and N-bit subgroup (NIST SP 800-57 part 1 table 2), used
// for DSA: the table value for L, lowered to N/2, and 0 below 80 bits;
// N of -1 is unknown: the table value alone.
func stepBits(l, n int) int {
	var sec int
	switch {
	case l >= 15360:
		sec = 256
	case l >= 7680:
		sec = 192
	case l >= 3072:
		sec = 128
	case l >= 2048:
		sec = 112
	case l >= 1024:
		sec = 80
	default:
		return 0
	}
	if n == -1 {
		return sec
	}
	if n/2 < 80 {
		return 0
	}
	return min(sec, n/2)
}

// ECBits maps an elliptic curve's order size to security bits as
// OpenSSL's EC keys do: about half, in NIST's steps (P-256 128, P-384 192,
// P-521 256).
func ECBits(orderBits int) int {
	switch {
	case orderBits >= 512:
		return 256
	case orderBits >= 384:
		return 192
	case orderBits >= 256:
		return 128
	case orderBits >= 224:
		return 112
	case orderBits >= 160:
		return 80
	}
	return orderBits / 2
}

// PublicKeyBits returns a public key's size in bits (as openssl prints
// it) and its security bits, and false for key types it cannot rate.
func PublicKeyBits(pub any) (size, sec int, ok bool) {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		n := k.N.BitLen()
		return n, IFCBits(n), true
	case *ecdsa.PublicKey:
		n := k.Curve.Params().N.BitLen()
		return k.Curve.Params().BitSize, ECBits(n), true
	case ed25519.PublicKey:
		// openssl reports the encoded key's 256 bits, not 253.
		return 256, 128, true
	case ed448.PublicKey:
		// openssl s_client: "Server public key is 456 bit".
		return 456, 224, true
	case sig.PSSPublicKey:
		n := k.N.BitLen()
		return n, IFCBits(n), true
	case *ecdh.PublicKey:
		if k.Curve() == ecdh.X25519() {
			return 253, 128, true
		}
	case *dsa.PublicKey:
		l, q := k.P.BitLen(), k.Q.BitLen()
		return l, stepBits(l, q), true
	}
	return 0, 0, false
}

// CertSigBits returns the security bits of a certificate's (or CRL's)
// signature as OpenSSL's X509_get_signature_info rates it, which is what
// -auth_level and the "Certificate chain CA digest" check use: half the
// digest size, except MD5 (39) and SHA-1 (63), whose collision attacks
// cost that much; EdDSA counts its curve.
func CertSigBits(a x509.SignatureAlgorithm) (int, bool) {
	switch a {
	case x509.MD2WithRSA:
		return 0, true
	case x509.MD5WithRSA:
		return 39, true
	case x509.SHA1WithRSA, x509.DSAWithSHA1, x509.ECDSAWithSHA1:
		return 63, true
	case x509.SHA256WithRSA, x509.DSAWithSHA256, x509.ECDSAWithSHA256, x509.SHA256WithRSAPSS, x509.PureEd25519:
		return 128, true
	case x509.SHA384WithRSA, x509.ECDSAWithSHA384, x509.SHA384WithRSAPSS:
		return 192, true
	case x509.SHA512WithRSA, x509.ECDSAWithSHA512, x509.SHA512WithRSAPSS:
		return 256, true
	}
	return 0, false
}

// SigalgHashBits returns the security bits of a TLS signature scheme's
// digest (by its SigalgByScheme Hash name) as libssl's sigalg check
// rates them. These differ from CertSigBits on purpose, as in OpenSSL:
// libssl lowers SHA-1 to 64 and MD5 to 39 (the "security bits=64" of
// -security_debug), while certificate signatures rate SHA-1 at 63.
func SigalgHashBits(hash string) (int, bool) {
	h, ok := map[string]crypto.Hash{"MD5": crypto.MD5, "SHA1": crypto.SHA1, "SHA224": crypto.SHA224,
		"SHA256": crypto.SHA256, "SHA384": crypto.SHA384, "SHA512": crypto.SHA512}[hash]
	if !ok {
		return 0, false
	}
	return sig.HashSecurityBits(h)
}

// AllowedAtSecLevel reports whether OpenSSL's default security callback
// lets c be offered at the given level. Above level 0 it refuses
// suites weaker than the level, anonymous and MD5 suites, SHA-1 MACs
// once more than 160 bits are asked for, RC4 from level 2 and suites
// without forward secrecy from level 3.
func (c Cipher) AllowedAtSecLevel(level int) bool {
	if level <= 0 {
		return true
	}
	level = min(level, 5)
	bits := SecLevelBits(level)
	switch {
	case c.StrengthBits() < bits, c.Au == AuNULL, c.Mac == MacMD5,
		bits > 160 && c.Mac == MacSHA1,
		level >= 2 && c.Enc == EncRC4:
		return false
	}
	fs := KxDHE | KxECDHE | KxDHEPSK | KxECDHEPSK | KxAny
	return level < 3 || c.Kx&fs != 0
}

// FilterSecLevel returns the suites of cs allowed at level, in order.
func FilterSecLevel(cs []Cipher, level int) []Cipher {
	var out []Cipher
	for _, c := range cs {
		if c.AllowedAtSecLevel(level) {
			out = append(out, c)
		}
	}
	return out
}

// ParseCipherSuites parses a TLS 1.3 -ciphersuites value: a ':'
// separated list of IANA names, case sensitive, each trimmed of
// surrounding blanks. As in OpenSSL 3.0, unknown names are skipped, an
// empty string means no TLS 1.3 suites, and a non-empty list that names
// none is an error ("no cipher match").
func ParseCipherSuites(s string) ([]Cipher, error) {
	out := []Cipher{}
	if s == "" {
		return out, nil
	}
	for _, name := range strings.Split(s, ":") {
		name = strings.Trim(name, " \t")
		if c, ok := ciphersByName()[name]; ok && c.IsTLS13() {
			out = append(out, *c)
		}
	}
	if len(out) == 0 {
		return nil, noCipherMatch("-ciphersuites", s, "set_ciphersuites")
	}
	return out, nil
}
