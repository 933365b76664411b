package tlsnames

import "strings"

// secLevelBits is the minimum security strength of each level 0–5
// (SSL_CTX_set_security_level(3)).
var secLevelBits = [...]int{0, 80, 112, 128, 192, 256}

// AllowedAtSecLevel reports whether OpenSSL's default security callback
// lets c be offered at the given level. Above level 0 it refuses
// suites weaker than the level, anonymous and MD5 suites, SHA-1 MACs
// once more than 160 bits are asked for, RC4 from level 2 and suites
// without forward secrecy from level 3.
func (c Cipher) AllowedAtSecLevel(level int) bool {
	if level <= 0 {
		return true
	}
	level = min(level, len(secLevelBits)-1)
	bits := secLevelBits[level]
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
		if c, ok := ciphersByName[name]; ok && c.IsTLS13() {
			out = append(out, *c)
		}
	}
	if len(out) == 0 {
		return nil, noCipherMatch("-ciphersuites", s, "set_ciphersuites")
	}
	return out, nil
}
