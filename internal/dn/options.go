// Package dn renders X.509 distinguished names the way OpenSSL 3.0's
// command-line tools print them, driven by the same -nameopt flags.
package dn

import (
	"fmt"
	"strings"
)

// Options selects how a name is rendered. It is a set of display flags
// equivalent to OpenSSL's -nameopt settings; build it with ParseOptions or
// Default. The zero value is OpenSSL's "compat" format (/C=US/CN=x).
type Options struct {
	flags uint32
}

// String-level flags: how each attribute value is escaped and decoded.
const (
	fEsc2253    uint32 = 1 << iota // RFC 2253 specials get a backslash (or quotes)
	fEsc2254                       // RFC 2254 specials become \XX
	fEscCtrl                       // control characters become \XX
	fEscMSB                        // bytes above 0x7f become \XX
	fUseQuote                      // quote the whole value instead of backslashes
	fUTF8                          // convert values to UTF-8 before escaping
	fIgnoreType                    // treat every value as one byte per character
	fShowType                      // prefix values with their ASN.1 type name
	fDumpAll                       // print every value as #hex
	fDumpNoStr                     // print non-string values as #hex
	fDumpDER                       // #hex covers the whole DER TLV, not the content

	// Name-level flags.
	fDNRev             // print RDNs last to first
	fSpaceEq           // " = " instead of "="
	fDumpUnknownFields // #hex for attributes whose OID has no name
	fAlign             // pad field names to a fixed width
	fSepShift          // first bit of the 3-bit separator field
	_                  //
	_                  //
	fFNShift           // first bit of the 2-bit field-name field
	_                  //
)

const (
	sepMask  = 7 << 15
	sepCPlus = 1 << 15 // "," and "+"
	sepCPSpc = 2 << 15 // ", " and " + "
	sepSPSpc = 3 << 15 // "; " and " + "
	sepMulti = 4 << 15 // newline + indent, and " + "

	fnMask = 3 << 18
	fnSN   = 0 << 18
	fnLN   = 1 << 18
	fnOID  = 2 << 18
	fnNone = 3 << 18

	allFlags = ^uint32(0)
)

// Presets, with the components documented in openssl-namedisplay-options(1).
const (
	presetRFC2253 = fEsc2253 | fEscCtrl | fEscMSB | fUTF8 | fDumpNoStr | fDumpDER |
		sepCPlus | fDNRev | fnSN | fDumpUnknownFields
	presetOneline = fEsc2253 | fEscCtrl | fEscMSB | fUTF8 | fDumpNoStr | fDumpDER |
		fUseQuote | sepCPSpc | fSpaceEq | fnSN
	presetMultiline = fEscCtrl | fEscMSB | sepMulti | fSpaceEq | fnLN | fAlign
)

type optEntry struct {
	name        string
	value, mask uint32 // set: flags = flags&^mask | value; clear ("-name"): flags &^= value
}

// optTable lists the -nameopt words OpenSSL 3.0 accepts (matched without
// regard to case, as OpenSSL does).
var optTable = []optEntry{
	{"compat", 0, allFlags},
	{"RFC2253", presetRFC2253, allFlags},
	{"oneline", presetOneline, allFlags},
	{"multiline", presetMultiline, allFlags},
	{"ca_default", presetMultiline, allFlags},
	{"esc_2253", fEsc2253, 0},
	{"esc_2254", fEsc2254, 0},
	{"esc_ctrl", fEscCtrl, 0},
	{"esc_msb", fEscMSB, 0},
	{"use_quote", fUseQuote, 0},
	{"utf8", fUTF8, 0},
	{"ignore_type", fIgnoreType, 0},
	{"show_type", fShowType, 0},
	{"dump_all", fDumpAll, 0},
	{"dump_nostr", fDumpNoStr, 0},
	{"dump_der", fDumpDER, 0},
	{"dump_unknown", fDumpUnknownFields, 0},
	{"sep_comma_plus", sepCPlus, sepMask},
	{"sep_comma_plus_space", sepCPSpc, sepMask},
	{"sep_semi_plus_space", sepSPSpc, sepMask},
	{"sep_multiline", sepMulti, sepMask},
	{"dn_rev", fDNRev, 0},
	{"nofname", fnNone, fnMask},
	{"sname", fnSN, fnMask},
	{"lname", fnLN, fnMask},
	{"align", fAlign, 0},
	{"oid", fnOID, fnMask},
	{"space_eq", fSpaceEq, 0},
}

// Default returns the format OpenSSL 3.0's apps use when no -nameopt is
// given ("oneline"): subject=C = US, O = Org, CN = host.
func Default() Options { return Options{presetOneline} }

// ParseOptions parses one -nameopt argument: comma-separated words, each
// optionally prefixed with "-" to turn it off.
func ParseOptions(s string) (Options, error) { return Options{}.Apply(s) }

// Apply adds the words of one more -nameopt argument to o; OpenSSL
// accumulates repeated -nameopt options into one setting this way.
func (o Options) Apply(s string) (Options, error) {
	f := o.flags
	for _, word := range strings.Split(s, ",") {
		word = strings.TrimSpace(word)
		if word == "" {
			// OpenSSL 3.0 quietly falls back to compat for a list with an
			// empty item ("", "utf8,", ",utf8"); observed, not documented.
			return Options{}, nil
		}
		clear := false
		name := word
		if strings.HasPrefix(name, "-") {
			clear, name = true, name[1:]
		} else if strings.HasPrefix(name, "+") {
			name = name[1:]
		}
		e, ok := lookupOpt(name)
		if !ok {
			return o, fmt.Errorf("dn: unknown name option %q", word)
		}
		if clear {
			f &^= e.value
		} else {
			f = f&^e.mask | e.value
		}
	}
	// OpenSSL picks ", " / " + " separators when the words chose none,
	// except for the pure compat setting which has its own layout.
	if f != 0 && f&sepMask == 0 {
		f |= sepCPSpc
	}
	return Options{f}, nil
}

func lookupOpt(name string) (optEntry, bool) {
	for _, e := range optTable {
		if strings.EqualFold(e.name, name) {
			return e, true
		}
	}
	return optEntry{}, false
}

// Multiline reports whether o prints one RDN per line; callers printing a
// "subject=" title then start the name on the next line, as OpenSSL does.
func (o Options) Multiline() bool { return o.flags&sepMask == sepMulti }

// Compat reports whether o is the old "/C=US/CN=x" format.
func (o Options) Compat() bool { return o.flags == 0 }
