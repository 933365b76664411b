package verify

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"encoding/binary"
	"sort"
	"strings"
	"unicode/utf16"
)

// Name constraints, RFC 5280 section 4.2.1.10, with OpenSSL 3.0's
// verdicts: a name of a type some permitted subtree constrains must fall
// within one of those subtrees (47), must fall within no excluded subtree
// of its type (48); subtrees with a minimum or maximum are refused (49),
// as are constraints on name types openssl cannot compare (51), and names
// whose syntax defeats the comparison (53).

// nameConstraints is a parsed NameConstraints extension.
type nameConstraints struct {
	permitted, excluded []generalName
	minMax              bool // some subtree sets minimum or maximum
}

var oidEmailAddress = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}

// parseNameConstraints reads c's NameConstraints; ok is false when c has
// none (or an undecodable one, which crypto/x509 refuses earlier anyway).
func parseNameConstraints(c *x509.Certificate) (*nameConstraints, bool) {
	e, ok := findExt(c, oidNameConstraints)
	if !ok {
		return nil, false
	}
	var seq asn1.RawValue
	if rest, err := asn1.Unmarshal(e.Value, &seq); err != nil || len(rest) != 0 || seq.Tag != asn1.TagSequence {
		return nil, false
	}
	nc := &nameConstraints{}
	b := seq.Bytes
	for len(b) > 0 {
		var trees asn1.RawValue
		var err error
		if b, err = asn1.Unmarshal(b, &trees); err != nil || trees.Class != asn1.ClassContextSpecific {
			return nil, false
		}
		list := &nc.permitted
		if trees.Tag == 1 {
			list = &nc.excluded
		}
		t := trees.Bytes
		for len(t) > 0 {
			// GeneralSubtree ::= SEQUENCE { base GeneralName,
			//   minimum [0] BaseDistance DEFAULT 0, maximum [1] OPTIONAL }
			var sub asn1.RawValue
			if t, err = asn1.Unmarshal(t, &sub); err != nil || sub.Tag != asn1.TagSequence {
				return nil, false
			}
			var base asn1.RawValue
			rest, err := asn1.Unmarshal(sub.Bytes, &base)
			if err != nil {
				return nil, false
			}
			g, ok := toGeneralName(base)
			if !ok {
				return nil, false
			}
			for len(rest) > 0 {
				var f asn1.RawValue
				if rest, err = asn1.Unmarshal(rest, &f); err != nil {
					return nil, false
				}
				if f.Tag == 1 || (f.Tag == 0 && len(bytes.TrimLeft(f.Bytes, "\x00")) > 0) {
					nc.minMax = true
				}
			}
			*list = append(*list, g)
		}
	}
	return nc, true
}

// checkNameConstraints runs after the signatures are checked, as in
// OpenSSL 3.0: every certificate, from the top down, against the
// constraints of every CA above it (self-issued intermediates are
// exempt, section 6.1.3 (b)). An error is reported at the depth of the
// constrained certificate, once per constraining CA.
func (v *verifier) checkNameConstraints() bool {
	n := len(v.chain)
	for i := n - 1; i >= 0; i-- {
		x := v.chain[i]
		if i > 0 && sameName(x.RawSubject, x.RawIssuer) {
			continue
		}
		for j := n - 1; j > i; j-- {
			nc, ok := parseNameConstraints(v.chain[j])
			if !ok {
				continue
			}
			code := nc.check(x)
			if code == OK && i == 0 && !hasDNSSAN(x) {
				code = nc.checkCN(x)
			}
			if code != OK && !v.fail(i, code) {
				return false
			}
		}
	}
	return true
}

func hasDNSSAN(c *x509.Certificate) bool {
	names, _ := subjectAltNames(c)
	for _, g := range names {
		if g.tag == gnDNS {
			return true
		}
	}
	return false
}

// check tests the subject (as a directoryName, and its emailAddress
// attributes as rfc822Names) and every subject alternative name; the
// first problem wins.
func (nc *nameConstraints) check(c *x509.Certificate) int {
	if nc.minMax {
		return ErrSubtreeMinMax
	}
	rdns, _ := parseRawName(c.RawSubject)
	if len(rdns) > 0 {
		if code := nc.match(generalName{tag: gnDirName, value: c.RawSubject}); code != OK {
			return code
		}
		for _, rdn := range rdns {
			for _, a := range rdn {
				if !a.Type.Equal(oidEmailAddress) {
					continue
				}
				if a.Value.Class != asn1.ClassUniversal || a.Value.Tag != asn1.TagIA5String {
					return ErrUnsupportedNameSyntax
				}
				if code := nc.match(generalName{tag: gnEmail, value: a.Value.Bytes}); code != OK {
					return code
				}
			}
		}
	}
	names, _ := subjectAltNames(c)
	for _, g := range names {
		if code := nc.match(g); code != OK {
			return code
		}
	}
	return OK
}

// checkCN treats each subject commonName that looks like a host name as
// a DNS name, which openssl does for a leaf without DNS SANs, since
// clients fall back to the CN.
func (nc *nameConstraints) checkCN(c *x509.Certificate) int {
	rdns, _ := parseRawName(c.RawSubject)
	for _, rdn := range rdns {
		for _, a := range rdn {
			if !a.Type.Equal(oidCN) {
				continue
			}
			s, ok := stringValue(a.Value)
			if !ok {
				continue
			}
			if strings.IndexByte(s, 0) >= 0 {
				return ErrUnsupportedNameSyntax
			}
			if !looksLikeHostname(s) {
				continue
			}
			if code := nc.match(generalName{tag: gnDNS, value: []byte(s)}); code != OK {
				return code
			}
		}
	}
	return OK
}

// looksLikeHostname is openssl's test for a commonName worth checking as
// a DNS name: letters, digits and '_', with '-' and '.' inside only, a
// '.' next to neither '.' nor '-', and at least two labels.
func looksLikeHostname(s string) bool {
	dots := false
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch >= 'a' && ch <= 'z', ch >= 'A' && ch <= 'Z', ch >= '0' && ch <= '9', ch == '_':
			continue
		case i == 0 || i == len(s)-1:
			return false
		case ch == '-':
			continue
		case ch == '.' && s[i+1] != '.' && s[i-1] != '-' && s[i+1] != '-':
			dots = true
			continue
		}
		return false
	}
	return dots
}

// match applies the permitted and then the excluded subtrees of g's type.
func (nc *nameConstraints) match(g generalName) int {
	seen, matched := false, false
	for _, base := range nc.permitted {
		if base.tag != g.tag || matched {
			continue
		}
		seen = true
		switch code := matchName(g, base); code {
		case OK:
			matched = true
		case ErrPermittedViolation:
		default:
			return code
		}
	}
	if seen && !matched {
		return ErrPermittedViolation
	}
	for _, base := range nc.excluded {
		if base.tag != g.tag {
			continue
		}
		switch code := matchName(g, base); code {
		case OK:
			return ErrExcludedViolation
		case ErrPermittedViolation:
		default:
			return code
		}
	}
	return OK
}

// matchName is OK when name lies within base, 47 when it does not, or
// another code when the two cannot be compared.
func matchName(name, base generalName) int {
	switch name.tag {
	case gnDirName:
		return matchDirName(name.value, base.value)
	case gnDNS:
		return matchDNS(string(name.value), string(base.value))
	case gnEmail:
		return matchEmailConstraint(string(name.value), string(base.value))
	case gnURI:
		return matchURI(string(name.value), string(base.value))
	case gnIP:
		return matchIP(name.value, base.value)
	}
	return ErrUnsupportedConstraint
}

// matchDNS: an empty base matches all; otherwise the name equals the
// base or ends with it at a label boundary (a base starting with '.'
// matches only names below it). Case does not matter.
func matchDNS(name, base string) int {
	if base == "" {
		return OK
	}
	if len(name) > len(base) {
		cut := len(name) - len(base)
		if base[0] != '.' && name[cut-1] != '.' {
			return ErrPermittedViolation
		}
		name = name[cut:]
	}
	if !strings.EqualFold(name, base) {
		return ErrPermittedViolation
	}
	return OK
}

// matchEmailConstraint: a base "local@host" matches that mailbox (local
// part exact, host without case), "@host" or "host" any mailbox at host,
// ".domain" any mailbox at a host below domain.
func matchEmailConstraint(name, base string) int {
	at := strings.LastIndexByte(name, '@')
	if at < 0 {
		return ErrUnsupportedNameSyntax
	}
	bat := strings.LastIndexByte(base, '@')
	if bat < 0 && strings.HasPrefix(base, ".") {
		if len(name) > len(base) && strings.EqualFold(name[len(name)-len(base):], base) {
			return OK
		}
		return ErrPermittedViolation
	}
	host := base
	if bat >= 0 {
		if bat > 0 && base[:bat] != name[:at] {
			return ErrPermittedViolation
		}
		host = base[bat+1:]
	}
	if !strings.EqualFold(name[at+1:], host) {
		return ErrPermittedViolation
	}
	return OK
}

// matchURI compares the host of a "scheme://host[:port][/...]" URI with
// the base: exactly, or below it when the base starts with '.'. A URI
// without an authority has no host to compare (53).
func matchURI(uri, base string) int {
	colon := strings.IndexByte(uri, ':')
	if colon < 0 || !strings.HasPrefix(uri[colon+1:], "//") {
		return ErrUnsupportedNameSyntax
	}
	host := uri[colon+3:]
	if end := strings.IndexByte(host, ':'); end >= 0 {
		host = host[:end]
	} else if end := strings.IndexByte(host, '/'); end >= 0 {
		host = host[:end]
	}
	if host == "" {
		return ErrUnsupportedNameSyntax
	}
	if strings.HasPrefix(base, ".") {
		if len(host) > len(base) && strings.EqualFold(host[len(host)-len(base):], base) {
			return OK
		}
		return ErrPermittedViolation
	}
	if !strings.EqualFold(host, base) {
		return ErrPermittedViolation
	}
	return OK
}

// matchIP: the base is an address and a mask of the same family.
func matchIP(ip, base []byte) int {
	if len(ip) != 4 && len(ip) != 16 {
		return ErrUnsupportedNameSyntax
	}
	if len(base) != 8 && len(base) != 32 {
		return ErrUnsupportedNameSyntax
	}
	if 2*len(ip) != len(base) {
		return ErrPermittedViolation
	}
	addr, mask := base[:len(ip)], base[len(ip):]
	for i := range ip {
		if ip[i]&mask[i] != addr[i]&mask[i] {
			return ErrPermittedViolation
		}
	}
	return OK
}

// matchDirName: the base's RDNs must begin the name's, each compared in
// OpenSSL's canonical form (strings as UTF-8, ASCII case folded, spaces
// trimmed and collapsed; attributes of a multi-valued RDN in any order).
func matchDirName(name, base []byte) int {
	n, ok1 := parseRawName(name)
	b, ok2 := parseRawName(base)
	if !ok1 || !ok2 || len(b) > len(n) {
		return ErrPermittedViolation
	}
	for i := range b {
		if canonRDN(b[i]) != canonRDN(n[i]) {
			return ErrPermittedViolation
		}
	}
	return OK
}

func canonRDN(rdn rawRDNSET) string {
	keys := make([]string, 0, len(rdn))
	for _, a := range rdn {
		v := string(a.Value.FullBytes)
		if s, ok := stringValue(a.Value); ok {
			v = "s:" + canonString(s)
		}
		keys = append(keys, a.Type.String()+"="+v)
	}
	sort.Strings(keys)
	return strings.Join(keys, "\x00")
}

// canonString trims and collapses white space and folds ASCII case.
func canonString(s string) string {
	f := strings.FieldsFunc(s, func(r rune) bool {
		return r == ' ' || r == '\t' || r == '\n' || r == '\v' || r == '\f' || r == '\r'
	})
	out := []byte(strings.Join(f, " "))
	for i, ch := range out {
		if ch >= 'A' && ch <= 'Z' {
			out[i] = ch + 'a' - 'A'
		}
	}
	return string(out)
}

// stringValue decodes a directory string of any ASN.1 string type to
// UTF-8.
func stringValue(v asn1.RawValue) (string, bool) {
	if v.Class != asn1.ClassUniversal {
		return "", false
	}
	switch v.Tag {
	case asn1.TagUTF8String, asn1.TagPrintableString, asn1.TagIA5String, 26 /* VisibleString */, asn1.TagNumericString:
		return string(v.Bytes), true
	case asn1.TagT61String:
		r := make([]rune, len(v.Bytes))
		for i, ch := range v.Bytes {
			r[i] = rune(ch)
		}
		return string(r), true
	case asn1.TagBMPString:
		if len(v.Bytes)%2 != 0 {
			return "", false
		}
		u := make([]uint16, len(v.Bytes)/2)
		for i := range u {
			u[i] = binary.BigEndian.Uint16(v.Bytes[2*i:])
		}
		return string(utf16.Decode(u)), true
	case 28: // UniversalString
		if len(v.Bytes)%4 != 0 {
			return "", false
		}
		r := make([]rune, len(v.Bytes)/4)
		for i := range r {
			r[i] = rune(binary.BigEndian.Uint32(v.Bytes[4*i:]))
		}
		return string(r), true
	}
	return "", false
}
