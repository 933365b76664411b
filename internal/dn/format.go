package dn

import (
	"fmt"
	"strings"

	"github.com/tlskit/tlskit/internal/lazy"
)

// Format renders a DER-encoded RDNSequence (such as cert.RawSubject) as
// OpenSSL 3.0's apps print it after a "subject=" or "issuer=" title.
// Multi-line formats come back with each line indented by four spaces and
// without a trailing newline (OpenSSL puts a newline after the title);
// the compat format is the old "/C=US/O=Org/CN=x" form. A malformed name
// yields "" (OpenSSL would have rejected the certificate).
func Format(raw []byte, o Options) string {
	avas, err := parseName(raw)
	if err != nil {
		return ""
	}
	if o.Compat() {
		return compatString(avas)
	}
	indent := 0
	if o.Multiline() {
		indent = 4
	}
	return render(avas, o, indent)
}

// Line returns a whole title line as OpenSSL's apps print it, e.g.
// Line("subject", raw, o) = "subject=CN = x"; with a multi-line format
// the name starts on the next line. There is no trailing newline.
func Line(title string, raw []byte, o Options) string {
	if o.Multiline() {
		return title + "=\n" + Format(raw, o)
	}
	return title + "=" + Format(raw, o)
}

// FormatIndent renders a name as OpenSSL's X509_NAME_print_ex does, which
// is what s_client's depth= lines, its certificate chain lines and
// "x509 -text" use: multi-line output is indented by indent on every line
// (depth= lines use 0), and compat gives "C=US, O=Org, CN=x" rather than
// Format's slash form. Malformed DER is reported as an error.
func FormatIndent(raw []byte, o Options, indent int) (string, error) {
	avas, err := parseName(raw)
	if err != nil {
		return "", err
	}
	if o.Compat() {
		return legacyPrint(compatString(avas)), nil
	}
	return render(avas, o, indent), nil
}

// legacyPrint turns the slash form into OpenSSL's old X509_NAME_print
// layout: a "/" that starts a one- or two-capital-letter field name
// ("/C=", "/CN=") becomes ", "; any other slash stays.
func legacyPrint(s string) string {
	if s == "" {
		return ""
	}
	s = s[1:]
	var sb strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '/' && i+2 < len(s) && isUpper(s[i+1]) &&
			(s[i+2] == '=' || (isUpper(s[i+2]) && i+3 < len(s) && s[i+3] == '=')) {
			sb.WriteString(", ")
			continue
		}
		sb.WriteByte(s[i])
	}
	return sb.String()
}

func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }

func render(avas []ava, o Options, indent int) string {
	f := o.flags
	if f&fDNRev != 0 {
		for i, j := 0, len(avas)-1; i < j; i, j = i+1, j-1 {
			avas[i], avas[j] = avas[j], avas[i]
		}
	}
	var rdnSep, avaSep string
	pad := strings.Repeat(" ", max(indent, 0))
	switch f & sepMask {
	case sepCPlus:
		rdnSep, avaSep = ",", "+"
	case sepSPSpc:
		rdnSep, avaSep = "; ", " + "
	case sepMulti:
		rdnSep, avaSep = "\n"+pad, " + "
	default:
		rdnSep, avaSep = ", ", " + "
	}
	eq := "="
	if f&fSpaceEq != 0 {
		eq = " = "
	}
	var sb strings.Builder
	sb.WriteString(pad)
	for i, a := range avas {
		if i > 0 {
			if a.set != avas[i-1].set {
				sb.WriteString(rdnSep)
			} else {
				sb.WriteString(avaSep)
			}
		}
		known, isKnown := attrNames.Get()[a.oid]
		fn := f & fnMask
		if fn != fnNone {
			name, width := a.oid, 0
			switch fn {
			case fnSN:
				width = 10
				if isKnown {
					name = known.sn
				}
			case fnLN:
				width = 25
				if isKnown {
					name = known.ln
				}
			}
			sb.WriteString(name)
			if f&fAlign != 0 && isKnown && len(name) < width {
				// OpenSSL pads only names it knows; dotted OIDs stay unpadded.
				sb.WriteString(strings.Repeat(" ", width-len(name)))
			}
			sb.WriteString(eq)
		}
		vf := f
		if !isKnown && f&fDumpUnknownFields != 0 {
			vf |= fDumpAll
		}
		sb.WriteString(formatValue(a.value, vf))
	}
	return sb.String()
}

// typeNames are the ASN.1 universal type names OpenSSL's show_type prints.
var typeNames = lazy.Value[map[int]string]{Build: func() map[int]string {
	return map[int]string{
		1: "BOOLEAN", 2: "INTEGER", 3: "BIT STRING", 4: "OCTET STRING", 5: "NULL",
		6: "OBJECT", 10: "ENUMERATED", 12: "UTF8STRING", 16: "SEQUENCE", 17: "SET",
		18: "NUMERICSTRING", 19: "PRINTABLESTRING", 20: "T61STRING", 21: "VIDEOTEXSTRING",
		22: "IA5STRING", 23: "UTCTIME", 24: "GENERALIZEDTIME", 25: "GRAPHICSTRING",
		26: "VISIBLESTRING", 27: "GENERALSTRING", 28: "UNIVERSALSTRING", 30: "BMPSTRING",
	}
}}

// charWidth gives bytes per character for each string type: 1, 2 (BMP),
// 4 (Universal), 0 for UTF-8, -1 for types that are not character strings.
func charWidth(tag int) int {
	switch tag {
	case 12:
		return 0
	case 18, 19, 20, 22, 23, 24, 26:
		return 1
	case 28:
		return 4
	case 30:
		return 2
	}
	return -1
}

// formatValue renders one attribute value under the string flags in f.
func formatValue(v tlv, f uint32) string {
	var sb strings.Builder
	if f&fShowType != 0 {
		name, ok := typeNames.Get()[v.tag]
		if !ok || v.class != 0 {
			name = "(unknown)"
		}
		sb.WriteString(name)
		sb.WriteByte(':')
	}
	width := charWidth(v.tag)
	if v.class != 0 {
		width = -1
	}
	if f&fIgnoreType != 0 {
		width = 1
	}
	if f&fDumpAll != 0 || (width < 0 && f&fDumpNoStr != 0) {
		dump(&sb, v, f)
		return sb.String()
	}
	if width < 0 {
		width = 1
	}
	chars, ok := decodeChars(v.body, width, f&fUTF8 != 0)
	if !ok {
		// OpenSSL aborts the whole line on undecodable text; a hex dump
		// keeps the output readable and unambiguous instead.
		dump(&sb, v, f)
		return sb.String()
	}
	if f&fUTF8 != 0 && width != 0 {
		chars = toUTF8Bytes(chars)
	}
	sb.WriteString(escapeChars(chars, f))
	return sb.String()
}

func dump(sb *strings.Builder, v tlv, f uint32) {
	b := v.body
	if f&fDumpDER != 0 {
		b = v.raw
	}
	fmt.Fprintf(sb, "#%X", b)
}

// decodeChars turns content octets into characters. With utf8 set, a
// UTF8String is kept as bytes (already UTF-8); otherwise it is decoded.
func decodeChars(b []byte, width int, utf8 bool) ([]uint32, bool) {
	var out []uint32
	switch width {
	case 1:
		out = make([]uint32, len(b))
		for i, c := range b {
			out[i] = uint32(c)
		}
	case 2:
		if len(b)%2 != 0 {
			return nil, false
		}
		for i := 0; i < len(b); i += 2 {
			out = append(out, uint32(b[i])<<8|uint32(b[i+1]))
		}
	case 4:
		if len(b)%4 != 0 {
			return nil, false
		}
		for i := 0; i < len(b); i += 4 {
			out = append(out, uint32(b[i])<<24|uint32(b[i+1])<<16|uint32(b[i+2])<<8|uint32(b[i+3]))
		}
	case 0:
		if utf8 {
			return decodeChars(b, 1, false)
		}
		for len(b) > 0 {
			c, n := decodeUTF8(b)
			if n == 0 {
				return nil, false
			}
			out = append(out, c)
			b = b[n:]
		}
	}
	return out, true
}

// decodeUTF8 reads one UTF-8 sequence, accepting the historical 5- and
// 6-byte forms OpenSSL accepts; n == 0 means invalid.
func decodeUTF8(b []byte) (c uint32, n int) {
	c0 := b[0]
	switch {
	case c0 < 0x80:
		return uint32(c0), 1
	case c0&0xe0 == 0xc0:
		n, c = 2, uint32(c0&0x1f)
	case c0&0xf0 == 0xe0:
		n, c = 3, uint32(c0&0x0f)
	case c0&0xf8 == 0xf0:
		n, c = 4, uint32(c0&0x07)
	case c0&0xfc == 0xf8:
		n, c = 5, uint32(c0&0x03)
	case c0&0xfe == 0xfc:
		n, c = 6, uint32(c0&0x01)
	default:
		return 0, 0
	}
	if len(b) < n {
		return 0, 0
	}
	for _, x := range b[1:n] {
		if x&0xc0 != 0x80 {
			return 0, 0
		}
		c = c<<6 | uint32(x&0x3f)
	}
	// Reject overlong forms: each length has a minimum value.
	minimum := [...]uint32{0, 0, 0x80, 0x800, 0x10000, 0x200000, 0x4000000}
	if c < minimum[n] {
		return 0, 0
	}
	return c, n
}

// toUTF8Bytes encodes characters as UTF-8 and returns the bytes as
// one-byte characters, so escaping then works byte by byte.
func toUTF8Bytes(chars []uint32) []uint32 {
	out := make([]uint32, 0, len(chars))
	for _, c := range chars {
		switch {
		case c < 0x80:
			out = append(out, c)
		case c < 0x800:
			out = append(out, 0xc0|c>>6, 0x80|c&0x3f)
		case c < 0x10000:
			out = append(out, 0xe0|c>>12, 0x80|c>>6&0x3f, 0x80|c&0x3f)
		case c < 0x200000:
			out = append(out, 0xf0|c>>18, 0x80|c>>12&0x3f, 0x80|c>>6&0x3f, 0x80|c&0x3f)
		case c < 0x4000000:
			out = append(out, 0xf8|c>>24, 0x80|c>>18&0x3f, 0x80|c>>12&0x3f, 0x80|c>>6&0x3f, 0x80|c&0x3f)
		default:
			out = append(out, 0xfc|c>>30&1, 0x80|c>>24&0x3f, 0x80|c>>18&0x3f, 0x80|c>>12&0x3f, 0x80|c>>6&0x3f, 0x80|c&0x3f)
		}
	}
	return out
}

const anyEsc = fEsc2253 | fEsc2254 | fEscCtrl | fEscMSB

// escapeChars applies the escaping rules of RFC 2253 section 2.4 and
// OpenSSL's extensions (RFC 2254 hex escapes, control and high bytes).
func escapeChars(chars []uint32, f uint32) string {
	var sb strings.Builder
	quote := false
	for i, c := range chars {
		switch {
		case c > 0xffff:
			fmt.Fprintf(&sb, "\\W%08X", c)
			continue
		case c > 0xff:
			fmt.Fprintf(&sb, "\\U%04X", c)
			continue
		}
		b := byte(c)
		special := strings.IndexByte(",+\"\\<>;", b) >= 0 ||
			(i == 0 && (b == '#' || b == ' ')) ||
			(i == len(chars)-1 && b == ' ')
		switch {
		case f&fEsc2253 != 0 && special:
			if f&fUseQuote != 0 && b != '"' && b != '\\' {
				quote = true
				sb.WriteByte(b)
			} else {
				sb.WriteByte('\\')
				sb.WriteByte(b)
			}
		case f&fEsc2254 != 0 && (b == 0 || b == '(' || b == ')' || b == '*' || b == '\\'),
			f&fEscCtrl != 0 && (b < 0x20 || b == 0x7f),
			f&fEscMSB != 0 && b > 0x7f:
			fmt.Fprintf(&sb, "\\%02X", b)
		case b == '\\' && f&anyEsc != 0:
			sb.WriteString(`\\`)
		default:
			sb.WriteByte(b)
		}
	}
	if quote {
		return `"` + sb.String() + `"`
	}
	return sb.String()
}

// compatString is the pre-1.0 "/C=US/O=Org+OU=Unit/CN=x" layout that the
// -nameopt compat setting selects (OpenSSL's X509_NAME_oneline form).
func compatString(avas []ava) string {
	var sb strings.Builder
	for i, a := range avas {
		if i > 0 && a.set == avas[i-1].set {
			sb.WriteByte('+')
		} else {
			sb.WriteByte('/')
		}
		if n, ok := attrNames.Get()[a.oid]; ok {
			sb.WriteString(n.sn)
		} else {
			sb.WriteString(a.oid)
		}
		sb.WriteByte('=')
		// Values are printed octet by octet whatever their type: a
		// BMPString shows its zero bytes as \x00, as OpenSSL does.
		b := a.value.body
		for _, c := range b {
			if c == '/' || c == '+' {
				// OpenSSL 3.0 escapes its own separators in values.
				sb.WriteByte('\\')
				sb.WriteByte(c)
			} else if c < ' ' || c > '~' {
				fmt.Fprintf(&sb, "\\x%02X", c)
			} else {
				sb.WriteByte(c)
			}
		}
	}
	return sb.String()
}
