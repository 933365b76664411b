package tlsnames

import (
	"fmt"
	"strings"

	"github.com/tlskit/tlskit/internal/engine/kx"
	"github.com/tlskit/tlskit/internal/lazy"
)

// Group describes a TLS named group (RFC 8446 §4.2.7, RFC 8422 §5.1.1).
type Group struct {
	ID uint16
	// Name is OpenSSL's TLS group name, the one -groups lists first.
	Name string
	// Aliases are the other spellings openssl 3.0 accepts: the curve's
	// object short name and its NIST name. Matching is case sensitive;
	// x25519/X25519 and x448/X448 work only because both are listed.
	Aliases []string
	// Kind is what `Server Temp Key:` starts with: "ECDH", "DH", or the
	// group itself for X25519, X448 and the ML-KEM hybrids.
	Kind string
	// ShortName is the curve name `Server Temp Key: ECDH, prime256v1, 256 bits` shows.
	ShortName string
	Bits      int // key bits as `Server Temp Key` prints them; 0 for ML-KEM hybrids
	// InOpenSSL reports whether openssl 3.0 knows the group; the ML-KEM
	// hybrids arrived in OpenSSL 3.5.
	InOpenSSL bool
}

// groupTable lists the groups OpenSSL 3.0 accepts, plus the
// post-quantum hybrids the engine implements. Bits for curves Go cannot
// negotiate are the nominal curve size and were not all observed.
var groupTable = []Group{
	{1, "sect163k1", []string{"K-163"}, "ECDH", "sect163k1", 163, true},
	{2, "sect163r1", nil, "ECDH", "sect163r1", 163, true},
	{3, "sect163r2", []string{"B-163"}, "ECDH", "sect163r2", 163, true},
	{4, "sect193r1", nil, "ECDH", "sect193r1", 193, true},
	{5, "sect193r2", nil, "ECDH", "sect193r2", 193, true},
	{6, "sect233k1", []string{"K-233"}, "ECDH", "sect233k1", 232, true},
	{7, "sect233r1", []string{"B-233"}, "ECDH", "sect233r1", 233, true},
	{8, "sect239k1", nil, "ECDH", "sect239k1", 238, true},
	{9, "sect283k1", []string{"K-283"}, "ECDH", "sect283k1", 281, true},
	{10, "sect283r1", []string{"B-283"}, "ECDH", "sect283r1", 282, true},
	{11, "sect409k1", []string{"K-409"}, "ECDH", "sect409k1", 407, true},
	{12, "sect409r1", []string{"B-409"}, "ECDH", "sect409r1", 409, true},
	{13, "sect571k1", []string{"K-571"}, "ECDH", "sect571k1", 570, true},
	{14, "sect571r1", []string{"B-571"}, "ECDH", "sect571r1", 570, true},
	{15, "secp160k1", nil, "ECDH", "secp160k1", 161, true},
	{16, "secp160r1", nil, "ECDH", "secp160r1", 161, true},
	{17, "secp160r2", nil, "ECDH", "secp160r2", 161, true},
	{18, "secp192k1", nil, "ECDH", "secp192k1", 192, true},
	{19, "secp192r1", []string{"prime192v1", "P-192"}, "ECDH", "prime192v1", 192, true},
	{20, "secp224k1", nil, "ECDH", "secp224k1", 225, true},
	{21, "secp224r1", []string{"P-224"}, "ECDH", "secp224r1", 224, true},
	{22, "secp256k1", nil, "ECDH", "secp256k1", 256, true},
	{kx.Secp256r1, "secp256r1", []string{"prime256v1", "P-256"}, "ECDH", "prime256v1", 256, true},
	{kx.Secp384r1, "secp384r1", []string{"P-384"}, "ECDH", "secp384r1", 384, true},
	{kx.Secp521r1, "secp521r1", []string{"P-521"}, "ECDH", "secp521r1", 521, true},
	{26, "brainpoolP256r1", nil, "ECDH", "brainpoolP256r1", 256, true},
	{27, "brainpoolP384r1", nil, "ECDH", "brainpoolP384r1", 384, true},
	{28, "brainpoolP512r1", nil, "ECDH", "brainpoolP512r1", 512, true},
	// The X25519 key is 255 bits but openssl reports 253, the
	// security-relevant size of the clamped scalar; copy it.
	{kx.X25519, "x25519", []string{"X25519"}, "X25519", "", 253, true},
	{kx.X448, "x448", []string{"X448"}, "X448", "", 448, true},
	{256, "ffdhe2048", nil, "DH", "", 2048, true},
	{257, "ffdhe3072", nil, "DH", "", 3072, true},
	{258, "ffdhe4096", nil, "DH", "", 4096, true},
	{259, "ffdhe6144", nil, "DH", "", 6144, true},
	{260, "ffdhe8192", nil, "DH", "", 8192, true},
	// draft-ietf-tls-ecdhe-mlkem; names as OpenSSL 3.5 spells them.
	{kx.SecP256r1MLKEM768, "SecP256r1MLKEM768", []string{"secp256r1mlkem768"}, "SecP256r1MLKEM768", "", 0, false},
	{kx.X25519MLKEM768, "X25519MLKEM768", []string{"x25519mlkem768"}, "X25519MLKEM768", "", 0, false},
	{kx.SecP384r1MLKEM1024, "SecP384r1MLKEM1024", []string{"secp384r1mlkem1024"}, "SecP384r1MLKEM1024", "", 0, false},
}

var groupsByName = lazy.Value[map[string]*Group]{Build: func() map[string]*Group {
	m := make(map[string]*Group)
	for i := range groupTable {
		g := &groupTable[i]
		m[g.Name] = g
		for _, a := range g.Aliases {
			m[a] = g
		}
	}
	return m
}}

// Groups returns every known group, in codepoint order.
func Groups() []Group { return append([]Group(nil), groupTable...) }

// GroupByID returns the group with the given codepoint.
func GroupByID(id uint16) (Group, bool) {
	for _, g := range groupTable {
		if g.ID == id {
			return g, true
		}
	}
	return Group{}, false
}

// GroupByName returns the group any accepted spelling names.
func GroupByName(name string) (Group, bool) {
	if g, ok := groupsByName.Get()[name]; ok {
		return *g, true
	}
	return Group{}, false
}

// GroupName returns OpenSSL's name for id, or "0xNNNN" when unknown.
func GroupName(id uint16) string {
	if g, ok := GroupByID(id); ok {
		return g.Name
	}
	return fmt.Sprintf("0x%04x", uint16(id))
}

// IsHybridKEM reports whether g is a post-quantum hybrid. OpenSSL 3.5
// prints `Negotiated TLS1.3 group: NAME` for those instead of a temp
// key line; OpenSSL 3.0 cannot negotiate them at all.
func (g Group) IsHybridKEM() bool { return g.Kind == g.Name && g.Bits == 0 }

// TempKeyString returns the text after `Server Temp Key: ` that openssl
// 3.0 prints for an ephemeral key in group id: "X25519, 253 bits",
// "ECDH, prime256v1, 256 bits", "DH, 2048 bits". For the ML-KEM hybrids,
// which have no single key size, it returns the bare group name
// ("X25519MLKEM768"): scripts that want bits then find none rather than
// a made-up number. Unknown groups give "0xNNNN".
func TempKeyString(id uint16) string {
	g, ok := GroupByID(id)
	switch {
	case !ok:
		return GroupName(id)
	case g.Bits == 0:
		return g.Name
	case g.Kind == "ECDH":
		return fmt.Sprintf("ECDH, %s, %d bits", g.ShortName, g.Bits)
	}
	return fmt.Sprintf("%s, %d bits", g.Kind, g.Bits)
}

// ParseGroups parses a -groups/-curves value: names separated by ':',
// case sensitive, at least one, no duplicates, as OpenSSL 3.0 demands.
// Names openssl 3.0 lacks (the ML-KEM hybrids) are accepted here so
// that tlskit can offer what its engine implements; the caller decides whether
// to be stricter.
func ParseGroups(s string) ([]uint16, error) {
	return parseGroups("-groups", s)
}

// ParseCurves is ParseGroups for the -curves spelling of the option,
// so that errors name the option the user typed.
func ParseCurves(s string) ([]uint16, error) {
	return parseGroups("-curves", s)
}

func parseGroups(opt, s string) ([]uint16, error) {
	var ids []uint16
	seen := map[uint16]bool{}
	for _, name := range strings.Split(s, ":") {
		// openssl trims blanks around each element ("P-256 " works).
		name = strings.Trim(name, " \t")
		g, ok := groupsByName.Get()[name]
		if !ok || name == "" {
			e := &ConfError{Option: opt, Arg: s}
			if name != "" {
				e.Code, e.Func, e.Reason = codeInvalidArgument, "gid_cb", "passed invalid argument"
				e.Data = fmt.Sprintf("group '%s' cannot be set", name)
			}
			return nil, e
		}
		if seen[g.ID] {
			return nil, &ConfError{Option: opt, Arg: s}
		}
		seen[g.ID] = true
		ids = append(ids, g.ID)
	}
	return ids, nil
}
