package tlsnames

import (
	"fmt"
	"strings"

	"github.com/tlskit/tlskit/internal/engine/sig"
	"github.com/tlskit/tlskit/internal/lazy"
)

// Sigalg describes a TLS signature scheme (RFC 8446 §4.2.3) as OpenSSL 3.0 names it.
type Sigalg struct {
	Scheme uint16
	// Name is the TLS 1.3 style name -sigalgs accepts; empty for the
	// legacy schemes openssl 3.0 only knows in SIG+HASH form.
	Name string
	Sig  string // SIG of the SIG+HASH form: RSA, RSA-PSS, ECDSA, DSA; empty for EdDSA
	Hash string // HASH of that form and `Peer signing digest`; empty for EdDSA
	// Type is what `Peer signature type:` prints.
	Type string
	// Display is the spelling of `Requested Signature Algorithms:` and
	// friends: SIG+HASH where openssl has one, else Name.
	Display string
}

var sigalgTable = []Sigalg{
	{sig.ECDSAP256SHA256, "ecdsa_secp256r1_sha256", "ECDSA", "SHA256", "ECDSA", "ECDSA+SHA256"},
	{sig.ECDSAP384SHA384, "ecdsa_secp384r1_sha384", "ECDSA", "SHA384", "ECDSA", "ECDSA+SHA384"},
	{sig.ECDSAP521SHA512, "ecdsa_secp521r1_sha512", "ECDSA", "SHA512", "ECDSA", "ECDSA+SHA512"},
	// EdDSA hashes internally: openssl prints no `Peer signing digest`
	// line, and its type in lower case.
	{sig.Ed25519, "ed25519", "", "", "ed25519", "ed25519"},
	{0x0808, "ed448", "", "", "ed448", "ed448"},
	// rsa_pss_pss_* need an RSASSA-PSS key; RSA-PSS+HASH never selects
	// them, and openssl displays them by name.
	{0x0809, "rsa_pss_pss_sha256", "", "SHA256", "RSA-PSS", "rsa_pss_pss_sha256"},
	{0x080a, "rsa_pss_pss_sha384", "", "SHA384", "RSA-PSS", "rsa_pss_pss_sha384"},
	{0x080b, "rsa_pss_pss_sha512", "", "SHA512", "RSA-PSS", "rsa_pss_pss_sha512"},
	{sig.RSAPSSRSAESHA256, "rsa_pss_rsae_sha256", "RSA-PSS", "SHA256", "RSA-PSS", "RSA-PSS+SHA256"},
	{sig.RSAPSSRSAESHA384, "rsa_pss_rsae_sha384", "RSA-PSS", "SHA384", "RSA-PSS", "RSA-PSS+SHA384"},
	{sig.RSAPSSRSAESHA512, "rsa_pss_rsae_sha512", "RSA-PSS", "SHA512", "RSA-PSS", "RSA-PSS+SHA512"},
	{sig.RSAPKCS1SHA256, "rsa_pkcs1_sha256", "RSA", "SHA256", "RSA", "RSA+SHA256"},
	{sig.RSAPKCS1SHA384, "rsa_pkcs1_sha384", "RSA", "SHA384", "RSA", "RSA+SHA384"},
	{sig.RSAPKCS1SHA512, "rsa_pkcs1_sha512", "RSA", "SHA512", "RSA", "RSA+SHA512"},
	{0x0303, "", "ECDSA", "SHA224", "ECDSA", "ECDSA+SHA224"},
	{0x0301, "rsa_pkcs1_sha224", "RSA", "SHA224", "RSA", "RSA+SHA224"},
	{0x0302, "", "DSA", "SHA224", "DSA", "DSA+SHA224"},
	{0x0402, "", "DSA", "SHA256", "DSA", "DSA+SHA256"},
	{0x0502, "", "DSA", "SHA384", "DSA", "DSA+SHA384"},
	{0x0602, "", "DSA", "SHA512", "DSA", "DSA+SHA512"},
	{sig.ECDSASHA1, "", "ECDSA", "SHA1", "ECDSA", "ECDSA+SHA1"},
	{sig.RSAPKCS1SHA1, "rsa_pkcs1_sha1", "RSA", "SHA1", "RSA", "RSA+SHA1"},
	{0x0202, "", "DSA", "SHA1", "DSA", "DSA+SHA1"},
}

// Sigalgs returns the known schemes in OpenSSL 3.0's default preference order.
func Sigalgs() []Sigalg { return append([]Sigalg(nil), sigalgTable...) }

// SigalgByScheme returns the entry for s.
func SigalgByScheme(s uint16) (Sigalg, bool) {
	for _, a := range sigalgTable {
		if a.Scheme == s {
			return a, true
		}
	}
	return Sigalg{}, false
}

// SigalgDigest returns what `Peer signing digest:` prints for s, or ""
// when openssl prints no such line (EdDSA, unknown schemes).
func SigalgDigest(s uint16) string {
	a, _ := SigalgByScheme(s)
	return a.Hash
}

// SigalgType returns what `Peer signature type:` prints for s, or "" if unknown.
func SigalgType(s uint16) string {
	a, _ := SigalgByScheme(s)
	return a.Type
}

// SigalgName returns the spelling openssl uses in `Requested Signature
// Algorithms:`, `Shared Signature Algorithms:` and similar lists, or
// "0xNNNN" for schemes it does not know.
func SigalgName(s uint16) string {
	if a, ok := SigalgByScheme(s); ok {
		return a.Display
	}
	return fmt.Sprintf("0x%04x", uint16(s))
}

// SigalgList joins SigalgName of each scheme with ':', as those lines do.
func SigalgList(ss []uint16) string {
	names := make([]string, len(ss))
	for i, s := range ss {
		names[i] = SigalgName(s)
	}
	return strings.Join(names, ":")
}

// sigalgHashes are the HASH spellings accepted after '+': OpenSSL
// looks the digest up by short or long object name, so "SHA256" and
// "sha256" work but "SHA-256" does not.
var sigalgHashes = lazy.Value[map[string]string]{Build: func() map[string]string {
	return map[string]string{
		"SHA1": "SHA1", "sha1": "SHA1", "SHA224": "SHA224", "sha224": "SHA224",
		"SHA256": "SHA256", "sha256": "SHA256", "SHA384": "SHA384", "sha384": "SHA384",
		"SHA512": "SHA512", "sha512": "SHA512",
	}
}}

// ParseSigalgs parses a -sigalgs/-client_sigalgs value: ':' separated
// TLS names (rsa_pss_rsae_sha256, ed25519…) or SIG+HASH pairs (RSA,
// RSA-PSS or PSS, ECDSA, DSA with SHA1…SHA512), blanks around elements
// ignored, names case sensitive, duplicates refused. OpenSSL prints no
// error-queue line for these failures, so the *ConfError has Code 0.
func ParseSigalgs(s string) ([]uint16, error) {
	return parseSigalgs("-sigalgs", s)
}

// ParseClientSigalgs is ParseSigalgs with errors naming -client_sigalgs.
func ParseClientSigalgs(s string) ([]uint16, error) {
	return parseSigalgs("-client_sigalgs", s)
}

func parseSigalgs(opt, s string) ([]uint16, error) {
	fail := &ConfError{Option: opt, Arg: s}
	var out []uint16
	seen := map[uint16]bool{}
	for _, elem := range strings.Split(s, ":") {
		elem = strings.Trim(elem, " \t")
		scheme, ok := lookupSigalg(elem)
		if !ok || seen[scheme] {
			return nil, fail
		}
		seen[scheme] = true
		out = append(out, scheme)
	}
	return out, nil
}

func lookupSigalg(elem string) (uint16, bool) {
	sig, hash, plus := strings.Cut(elem, "+")
	if !plus {
		for _, a := range sigalgTable {
			if a.Name != "" && a.Name == elem {
				return a.Scheme, true
			}
		}
		return 0, false
	}
	if sig == "PSS" {
		sig = "RSA-PSS"
	}
	h, ok := sigalgHashes.Get()[hash]
	if !ok {
		return 0, false
	}
	// The first entry with this pair wins, so RSA-PSS picks rsae.
	for _, a := range sigalgTable {
		if a.Sig == sig && a.Hash == h {
			return a.Scheme, true
		}
	}
	return 0, false
}
