package secdebug

import (
	"crypto/dsa" //nolint:staticcheck // DSA certificates still need their bits reported
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"math"
	"strings"

	"github.com/tlskit/tlskit/internal/tlsnames"
)

// levelBits is the minimum security strength of each level 0–5
// (SSL_CTX_set_security_level(3)).
var levelBits = [...]int{0, 80, 112, 128, 192, 256}

// LevelBits returns the security bits level asks for; levels above 5
// count as 5.
func LevelBits(level int) int {
	if level <= 0 {
		return 0
	}
	return levelBits[min(level, len(levelBits)-1)]
}

// Allowed reports whether something of the given strength passes level.
func Allowed(level, bits int) bool { return bits >= LevelBits(level) }

// versionAllowed applies OpenSSL's version rule: TLS 1.0 needs level ≤ 2
// and TLS 1.1 level ≤ 3 (SSL 3.0 is never built into the reference openssl).
func versionAllowed(level int, v uint16) bool {
	switch {
	case v <= tls.VersionTLS10 && level >= 3:
		return false
	case v <= tls.VersionTLS11 && level >= 4:
		return false
	}
	return true
}

// ticketAllowed: OpenSSL refuses session tickets from level 3 on, since a
// ticket key outlives the connection's forward secrecy.
func ticketAllowed(level int) bool { return level < 3 }

// versionName is the spelling of "Version=" lines.
func versionName(v uint16) string {
	switch v {
	case tls.VersionTLS10:
		return "TLS 1.0"
	case tls.VersionTLS11:
		return "TLS 1.1"
	case tls.VersionTLS12:
		return "TLS 1.2"
	case tls.VersionTLS13:
		return "TLS 1.3"
	}
	return tlsnames.VersionMsgName(v)
}

// GroupName returns how "Supported Curve=" lines name id: the NIST name
// where the curve has one (P-256), else OpenSSL's short name (X25519,
// ffdhe2048, brainpoolP256r1).
func GroupName(id tls.CurveID) string {
	g, ok := tlsnames.GroupByID(id)
	if !ok {
		return tlsnames.GroupName(id)
	}
	for _, a := range g.Aliases {
		if len(a) > 2 && a[1] == '-' && strings.ContainsRune("PKB", rune(a[0])) {
			return a
		}
	}
	switch id {
	case tls.X25519:
		return "X25519"
	case 30:
		return "X448"
	}
	return g.Name
}

// GroupBits returns the security bits OpenSSL's group table gives id, and
// false for groups it does not know.
func GroupBits(id tls.CurveID) (int, bool) {
	switch id {
	case tls.X25519:
		return 128, true
	case 30: // X448
		return 224, true
	case 256: // ffdhe2048
		return 112, true
	case 257, 258, 259: // ffdhe3072, 4096, 6144
		return 128, true
	case 260: // ffdhe8192
		return 192, true
	// The ML-KEM hybrids (OpenSSL 3.5) count the ML-KEM part's strength.
	case tls.X25519MLKEM768, tls.SecP256r1MLKEM768:
		return 192, true
	case tls.SecP384r1MLKEM1024:
		return 256, true
	}
	g, ok := tlsnames.GroupByID(id)
	if !ok || g.Kind != "ECDH" {
		return 0, false
	}
	return ecBits(g.Bits), true
}

// ecBits maps an elliptic curve's order size to security bits the way
// OpenSSL's EC key and group tables do: about half, in NIST's steps.
func ecBits(n int) int {
	switch {
	case n >= 512:
		return 256
	case n >= 384:
		return 192
	case n >= 256:
		return 128
	case n >= 224:
		return 112
	case n >= 160:
		return 80
	}
	return n / 2
}

// SigalgBits returns the security bits of a TLS signature scheme: those of
// its digest (SHA-1 counts 64, as collisions are practical), or of the
// curve for EdDSA.
func SigalgBits(s tls.SignatureScheme) (int, bool) {
	switch s {
	case tls.Ed25519:
		return 128, true
	case 0x0808: // ed448
		return 224, true
	}
	a, ok := tlsnames.SigalgByScheme(s)
	if !ok {
		return 0, false
	}
	return hashBits(a.Hash)
}

func hashBits(h string) (int, bool) {
	switch h {
	case "MD5":
		return 39, true
	case "SHA1":
		return 64, true
	case "SHA224":
		return 112, true
	case "SHA256":
		return 128, true
	case "SHA384":
		return 192, true
	case "SHA512":
		return 256, true
	}
	return 0, false
}

// sigalgText returns what follows the operation in a signature scheme
// line: "scheme=NAME" for schemes OpenSSL 3.0 names, else
// "digest=HASH, algorithm=SIG" for the legacy ones it knows only as pairs.
func sigalgText(s tls.SignatureScheme) (string, bool) {
	a, ok := tlsnames.SigalgByScheme(s)
	if !ok {
		return "", false
	}
	name := a.Name
	switch s {
	case tls.ECDSAWithSHA1:
		name = "ecdsa_sha1"
	case 0x0301: // rsa_pkcs1_sha224: accepted by -sigalgs but unnamed here
		name = ""
	}
	if name != "" {
		return " scheme=" + name, true
	}
	return " digest=" + a.Hash + ", algorithm=" + a.Sig, true
}

// sigType is the certificate type a scheme signs with, which decides the
// "Signature Algorithm mask" checks: EdDSA counts as ECDSA, all RSA
// variants as RSA.
func sigType(s tls.SignatureScheme) string {
	a, ok := tlsnames.SigalgByScheme(s)
	if !ok {
		return ""
	}
	switch a.Type {
	case "RSA", "RSA-PSS":
		return "RSA"
	case "DSA":
		return "DSA"
	}
	return "ECDSA"
}

// RSABits returns the security bits of an RSA or finite-field key of n
// bits as OpenSSL 3.0 computes them: the standard values for common sizes,
// and otherwise the GNFS estimate of NIST SP 800-56B rev 2, Appendix D,
// rounded to a multiple of 8.
func RSABits(n int) int {
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

// KeyBits returns a public key's size and security bits as the
// "Certificate chain … key=" lines print them.
func KeyBits(pub any) (size, sec int, ok bool) {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		n := k.N.BitLen()
		return n, RSABits(n), true
	case *ecdsa.PublicKey:
		n := k.Curve.Params().BitSize
		return n, ecBits(n), true
	case ed25519.PublicKey:
		// OpenSSL reports the encoded key's 256 bits here, not 253.
		return 256, 128, true
	case *dsa.PublicKey:
		l, q := k.P.BitLen(), k.Q.BitLen()
		return l, min(RSABits(l), q/2), true
	}
	return 0, 0, false
}

// certSigs maps certificate signature algorithms to OpenSSL's short object
// name, which "Certificate chain CA digest=" prints, and the strength of
// the digest.
var certSigs = map[x509.SignatureAlgorithm]struct {
	name string
	bits int
}{
	x509.MD5WithRSA:       {"RSA-MD5", 39},
	x509.SHA1WithRSA:      {"RSA-SHA1", 64},
	x509.SHA256WithRSA:    {"RSA-SHA256", 128},
	x509.SHA384WithRSA:    {"RSA-SHA384", 192},
	x509.SHA512WithRSA:    {"RSA-SHA512", 256},
	x509.SHA256WithRSAPSS: {"RSASSA-PSS", 128},
	x509.SHA384WithRSAPSS: {"RSASSA-PSS", 192},
	x509.SHA512WithRSAPSS: {"RSASSA-PSS", 256},
	x509.ECDSAWithSHA1:    {"ecdsa-with-SHA1", 64},
	x509.ECDSAWithSHA256:  {"ecdsa-with-SHA256", 128},
	x509.ECDSAWithSHA384:  {"ecdsa-with-SHA384", 192},
	x509.ECDSAWithSHA512:  {"ecdsa-with-SHA512", 256},
	x509.DSAWithSHA1:      {"DSA-SHA1", 64},
	x509.DSAWithSHA256:    {"dsa_with_SHA256", 128},
	x509.PureEd25519:      {"ED25519", 128},
}
