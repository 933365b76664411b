package secdebug

import (
	"crypto/x509"
	"strings"

	"github.com/tlskit/tlskit/internal/engine"
	"github.com/tlskit/tlskit/internal/engine/kx"
	"github.com/tlskit/tlskit/internal/engine/sig"
	"github.com/tlskit/tlskit/internal/lazy"
	"github.com/tlskit/tlskit/internal/tlsnames"
)

// Allowed reports whether something of the given strength passes level
// (tlsnames holds the one table of levels and strengths).
func Allowed(level, bits int) bool { return tlsnames.SecLevelAllows(level, bits) }

// versionAllowed applies OpenSSL's version rule: TLS 1.0 needs level ≤ 2
// and TLS 1.1 level ≤ 3 (SSL 3.0 is never built into the reference openssl).
func versionAllowed(level int, v uint16) bool {
	switch {
	case v <= engine.VersionTLS10 && level >= 3:
		return false
	case v <= engine.VersionTLS11 && level >= 4:
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
	case engine.VersionTLS10:
		return "TLS 1.0"
	case engine.VersionTLS11:
		return "TLS 1.1"
	case engine.VersionTLS12:
		return "TLS 1.2"
	case engine.VersionTLS13:
		return "TLS 1.3"
	}
	return tlsnames.VersionMsgName(v)
}

// GroupName returns how "Supported Curve=" lines name id: the NIST name
// where the curve has one (P-256), else OpenSSL's short name (X25519,
// ffdhe2048, brainpoolP256r1).
func GroupName(id uint16) string {
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
	case kx.X25519:
		return "X25519"
	case 30:
		return "X448"
	}
	return g.Name
}

// GroupBits returns the security bits OpenSSL's group table gives id, and
// false for groups it does not know.
func GroupBits(id uint16) (int, bool) {
	switch id {
	case kx.X25519:
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
	case kx.X25519MLKEM768, kx.SecP256r1MLKEM768:
		return 192, true
	case kx.SecP384r1MLKEM1024:
		return 256, true
	}
	g, ok := tlsnames.GroupByID(id)
	if !ok || g.Kind != "ECDH" {
		return 0, false
	}
	return tlsnames.ECBits(g.Bits), true
}

// SigalgBits returns the security bits of a TLS signature scheme: the
// engine's rating (sig.SecurityBits), else those libssl gives its digest
// (tlsnames.SigalgHashBits) for the schemes the engine does not know.
func SigalgBits(s uint16) (int, bool) {
	if b, ok := sig.SecurityBits(s); ok {
		return b, true
	}
	a, ok := tlsnames.SigalgByScheme(s)
	if !ok {
		return 0, false
	}
	return tlsnames.SigalgHashBits(a.Hash)
}

// sigalgText returns what follows the operation in a signature scheme
// line: "scheme=NAME" for schemes OpenSSL 3.0 names, else
// "digest=HASH, algorithm=SIG" for the legacy ones it knows only as pairs.
func sigalgText(s uint16) (string, bool) {
	a, ok := tlsnames.SigalgByScheme(s)
	if !ok {
		return "", false
	}
	name := a.Name
	switch s {
	case sig.ECDSASHA1:
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
func sigType(s uint16) string {
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

// certSigNames maps certificate signature algorithms to OpenSSL's short
// object name, which "Certificate chain CA digest=" prints; the strength
// comes from tlsnames.CertSigBits.
var certSigNames = lazy.Value[map[x509.SignatureAlgorithm]string]{Build: func() map[x509.SignatureAlgorithm]string {
	return map[x509.SignatureAlgorithm]string{
		x509.MD5WithRSA:       "RSA-MD5",
		x509.SHA1WithRSA:      "RSA-SHA1",
		x509.SHA256WithRSA:    "RSA-SHA256",
		x509.SHA384WithRSA:    "RSA-SHA384",
		x509.SHA512WithRSA:    "RSA-SHA512",
		x509.SHA256WithRSAPSS: "RSASSA-PSS",
		x509.SHA384WithRSAPSS: "RSASSA-PSS",
		x509.SHA512WithRSAPSS: "RSASSA-PSS",
		x509.ECDSAWithSHA1:    "ecdsa-with-SHA1",
		x509.ECDSAWithSHA256:  "ecdsa-with-SHA256",
		x509.ECDSAWithSHA384:  "ecdsa-with-SHA384",
		x509.ECDSAWithSHA512:  "ecdsa-with-SHA512",
		x509.DSAWithSHA1:      "DSA-SHA1",
		x509.DSAWithSHA256:    "dsa_with_SHA256",
		x509.PureEd25519:      "ED25519",
	}
}}
