package certs

import (
	"bytes"
	"crypto/sha1"
	"encoding/asn1"
	"errors"
	"unicode/utf16"
	"unicode/utf8"
)

// nameHash computes OpenSSL's subject hash of a DER Name (what `openssl x509 -hash` prints
// and what -CApath file names are made of): the first four bytes, little-endian, of the SHA-1
// of the name's canonical form. The canonical form is the name's RDN SETs without the outer
// SEQUENCE header, each string value converted to a lower-cased UTF8String with its white
// space trimmed and runs of it folded to one space, so that names that compare equal under
// RFC 5280 section 7.1's rules hash alike.
func nameHash(rawName []byte) (uint32, error) {
	canon, err := CanonName(rawName)
	if err != nil {
		return 0, err
	}
	sum := sha1.Sum(canon)
	return uint32(sum[0]) | uint32(sum[1])<<8 | uint32(sum[2])<<16 | uint32(sum[3])<<24, nil
}

// CanonName is a DER Name's canonical form, as nameHash describes it: what
// OpenSSL hashes and compares names by (X509_NAME_cmp: the shorter form
// first, then byte order).
func CanonName(rawName []byte) ([]byte, error) {
	var rdns []asn1.RawValue
	if err := unmarshalAll(rawName, &rdns); err != nil {
		return nil, errors.New("malformed name")
	}
	var canon []byte
	for _, rdn := range rdns {
		if rdn.Class != asn1.ClassUniversal || rdn.Tag != asn1.TagSet {
			return nil, errors.New("malformed name")
		}
		var avas [][]byte
		for rest := rdn.Bytes; len(rest) > 0; {
			var ava asn1.RawValue
			var err error
			if rest, err = asn1.Unmarshal(rest, &ava); err != nil || ava.Tag != asn1.TagSequence {
				return nil, errors.New("malformed name")
			}
			var parts []asn1.RawValue
			for r := ava.Bytes; len(r) > 0; {
				var p asn1.RawValue
				if r, err = asn1.Unmarshal(r, &p); err != nil {
					return nil, errors.New("malformed name")
				}
				parts = append(parts, p)
			}
			if len(parts) != 2 || parts[0].Tag != asn1.TagOID {
				return nil, errors.New("malformed name")
			}
			value, err := canonValue(parts[1])
			if err != nil {
				return nil, err
			}
			avas = append(avas, derTLV(0x30, append(append([]byte{}, parts[0].FullBytes...), value...)))
		}
		// DER orders the members of a SET OF by their encodings (X.690 section 11.6).
		sortBytes(avas)
		canon = append(canon, derTLV(0x31, bytes.Join(avas, nil))...)
	}
	return canon, nil
}

// canonValue re-encodes a string attribute value in canonical form; other types stay as they are.
func canonValue(v asn1.RawValue) ([]byte, error) {
	if v.Class != asn1.ClassUniversal || v.IsCompound {
		return v.FullBytes, nil
	}
	var s []byte
	switch v.Tag {
	case asn1.TagUTF8String:
		if !utf8.Valid(v.Bytes) {
			return nil, errors.New("malformed name: invalid UTF8String")
		}
		s = v.Bytes
	case asn1.TagPrintableString, asn1.TagIA5String, 26 /* VisibleString */, asn1.TagT61String:
		// Each byte is one character (Latin-1 for T61String, as OpenSSL reads it).
		for _, b := range v.Bytes {
			s = utf8.AppendRune(s, rune(b))
		}
	case asn1.TagBMPString:
		if len(v.Bytes)%2 != 0 {
			return nil, errors.New("malformed name: invalid BMPString")
		}
		u := make([]uint16, len(v.Bytes)/2)
		for i := range u {
			u[i] = uint16(v.Bytes[2*i])<<8 | uint16(v.Bytes[2*i+1])
		}
		for _, r := range utf16.Decode(u) {
			s = utf8.AppendRune(s, r)
		}
	case 28: // UniversalString, UTF-32BE
		if len(v.Bytes)%4 != 0 {
			return nil, errors.New("malformed name: invalid UniversalString")
		}
		for i := 0; i < len(v.Bytes); i += 4 {
			r := rune(v.Bytes[i])<<24 | rune(v.Bytes[i+1])<<16 | rune(v.Bytes[i+2])<<8 | rune(v.Bytes[i+3])
			s = utf8.AppendRune(s, r)
		}
	default:
		return v.FullBytes, nil
	}
	return derTLV(asn1.TagUTF8String, foldSpace(s)), nil
}

// foldSpace trims ASCII white space, folds inner runs of it to one space and lower-cases
// ASCII letters; bytes of multi-byte UTF-8 sequences are never white space or letters here.
func foldSpace(s []byte) []byte {
	isSpace := func(b byte) bool { return b == ' ' || (b >= '\t' && b <= '\r') }
	for len(s) > 0 && isSpace(s[0]) {
		s = s[1:]
	}
	for len(s) > 0 && isSpace(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		b := s[i]
		switch {
		case isSpace(b):
			out = append(out, ' ')
			for i+1 < len(s) && isSpace(s[i+1]) {
				i++
			}
		case b >= 'A' && b <= 'Z':
			out = append(out, b+'a'-'A')
		default:
			out = append(out, b)
		}
	}
	return out
}

// derTLV encodes one DER element with a low tag number.
func derTLV(tag int, content []byte) []byte {
	out := []byte{byte(tag)}
	n := len(content)
	switch {
	case n < 0x80:
		out = append(out, byte(n))
	default:
		var l []byte
		for ; n > 0; n >>= 8 {
			l = append([]byte{byte(n)}, l...)
		}
		out = append(out, 0x80|byte(len(l)))
		out = append(out, l...)
	}
	return append(out, content...)
}

func sortBytes(s [][]byte) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && bytes.Compare(s[j-1], s[j]) > 0; j-- {
			s[j-1], s[j] = s[j], s[j-1]
		}
	}
}
