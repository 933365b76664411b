package sessfile

import (
	"encoding/asn1"
	"math/big"

	"github.com/tlskit/tlskit/internal/sslerr"
)

// parse decodes openssl's SSL_SESSION DER as openssl 3.0's
// d2i_SSL_SESSION does: its template decoder (BER lengths, fields in
// order, optional ones passed over by tag), its integer rules, then the
// session's own checks. It fails with a non-nil, possibly empty, list:
// openssl's error queue for the fault, innermost entry first (Decode
// adds the PEM reader's "ASN1 lib"). A peer certificate is kept as it
// is, not decoded: openssl would also report faults inside it. Bytes
// after the SEQUENCE are ignored, as openssl ignores them.
func parse(der []byte) (*Session, []sslerr.Entry) {
	h, err := readHeader(der)
	if err != nil {
		return nil, []sslerr.Entry{*err, asn1BadHeader, nested("asn1_item_embed_d2i", typeData)}
	}
	if h.class != 0 || h.tag != 16 || !h.constructed {
		return nil, []sslerr.Entry{asn1WrongTag, nested("asn1_item_embed_d2i", typeData)}
	}
	content := der[h.hdrLen:]
	if !h.indefinite {
		content = content[:h.length]
	}
	s := new(Session)
	i := 0
	for ; i < len(fields); i++ {
		if h.indefinite && len(content) >= 2 && content[0] == 0 && content[1] == 0 {
			// End-of-contents: the SEQUENCE ends here.
			content = nil
		}
		if len(content) == 0 {
			break
		}
		f := &fields[i]
		// openssl tries the last field whatever its tag when bytes are
		// left: a stray field fails as the last one's wrong tag.
		optional := f.optional && i < len(fields)-1
		n, errs, skip := f.decode(s, content, optional)
		if errs != nil {
			return nil, errs
		}
		if !skip {
			content = content[n:]
		}
	}
	if i == len(fields) && len(content) > 0 {
		return nil, []sslerr.Entry{asn1Entry(0x06800094, "asn1_item_embed_d2i", "sequence length mismatch", typeData)}
	}
	for ; i < len(fields); i++ {
		if !fields[i].optional {
			return nil, []sslerr.Entry{asn1Entry(0x06800079, "asn1_item_embed_d2i", "field missing", fieldData(fields[i].name))}
		}
	}
	// d2i_SSL_SESSION's own checks, in its order.
	switch major := s.SSLVersion >> 8; {
	case s.Version != 1:
		return nil, []sslerr.Entry{sslEntry(0x0A0000FE, "unknown ssl version")}
	case major != 3 && major != 0xFE && s.SSLVersion != 0x0100:
		// SSL 3.0 to TLS 1.3, DTLS, and DTLS1_BAD_VER.
		return nil, []sslerr.Entry{sslEntry(0x0A000103, "unsupported ssl version")}
	case len(s.Cipher) != 2:
		return nil, []sslerr.Entry{sslEntry(0x0A000089, "cipher code wrong length")}
	case len(s.SessionID) > 32 || len(s.SIDCtx) > 32 || len(s.MasterKey) > 512:
		// They do not fit openssl's session: it fails without a word
		// (measured: a 33-byte session ID or context, a 513-byte key).
		return nil, []sslerr.Entry{}
	}
	return s, nil
}

// valueKind is how a field's content is read.
type valueKind int

const (
	kindUint32 valueKind = iota // UINT32, ZUINT32
	kindInt32
	kindInt64 // ZINT64
	kindUint64
	kindOctets
	kindCert // an X509, kept as its DER
)

// field is one member of openssl's SSL_SESSION_ASN1 template: a
// universal INTEGER or OCTET STRING (tag is its universal number), or a
// context-tagged one, EXPLICIT or (key_arg) IMPLICIT.
type field struct {
	name     string
	context  bool
	explicit bool
	tag      int
	kind     valueKind
	optional bool
	set      func(s *Session, v value)
}

// value is a decoded field: n for integers, b for strings, raw the
// explicit field's inner TLV as it was.
type value struct {
	n   int64
	b   []byte
	raw []byte
}

// rawExplicit keeps an explicit field's inner TLV under its [tag].
func rawExplicit(tag int, inner []byte) asn1.RawValue {
	return asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: tag, IsCompound: true, Bytes: inner}
}

// fields is openssl 3.0's SSL_SESSION_ASN1, in order.
var fields = []field{
	{name: "version", tag: 2, kind: kindUint32, set: func(s *Session, v value) { s.Version = int(v.n) }},
	{name: "ssl_version", tag: 2, kind: kindInt32, set: func(s *Session, v value) { s.SSLVersion = int(v.n) }},
	{name: "cipher", tag: 4, kind: kindOctets, set: func(s *Session, v value) { s.Cipher = v.b }},
	{name: "session_id", tag: 4, kind: kindOctets, set: func(s *Session, v value) { s.SessionID = v.b }},
	{name: "master_key", tag: 4, kind: kindOctets, set: func(s *Session, v value) { s.MasterKey = v.b }},
	{name: "key_arg", context: true, tag: 0, kind: kindOctets, optional: true, set: func(s *Session, v value) {
		s.KeyArg = asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, Bytes: v.b}
	}},
	{name: "time", context: true, explicit: true, tag: 1, kind: kindInt64, optional: true, set: func(s *Session, v value) { s.Time = v.n }},
	{name: "timeout", context: true, explicit: true, tag: 2, kind: kindInt64, optional: true, set: func(s *Session, v value) { s.Timeout = v.n }},
	{name: "peer", context: true, explicit: true, tag: 3, kind: kindCert, optional: true, set: func(s *Session, v value) { s.SetPeer(v.raw) }},
	{name: "session_id_context", context: true, explicit: true, tag: 4, kind: kindOctets, optional: true, set: func(s *Session, v value) { s.SIDCtx = v.b }},
	{name: "verify_result", context: true, explicit: true, tag: 5, kind: kindInt64, optional: true, set: func(s *Session, v value) { s.VerifyResult = v.n }},
	{name: "tlsext_hostname", context: true, explicit: true, tag: 6, kind: kindOctets, optional: true, set: func(s *Session, v value) { s.Hostname = v.b }},
	{name: "psk_identity_hint", context: true, explicit: true, tag: 7, kind: kindOctets, optional: true, set: func(s *Session, v value) { s.PSKHint = v.b }},
	{name: "psk_identity", context: true, explicit: true, tag: 8, kind: kindOctets, optional: true, set: func(s *Session, v value) { s.PSKIdentity = v.b }},
	{name: "tlsext_tick_lifetime_hint", context: true, explicit: true, tag: 9, kind: kindUint64, optional: true, set: func(s *Session, v value) { s.LifetimeHint = v.n }},
	{name: "tlsext_tick", context: true, explicit: true, tag: 10, kind: kindOctets, optional: true, set: func(s *Session, v value) { s.Ticket = v.b }},
	{name: "comp_id", context: true, explicit: true, tag: 11, kind: kindOctets, optional: true, set: func(s *Session, v value) { s.CompID = rawExplicit(11, v.raw) }},
	{name: "srp_username", context: true, explicit: true, tag: 12, kind: kindOctets, optional: true, set: func(s *Session, v value) { s.SRPUser = rawExplicit(12, v.raw) }},
	{name: "flags", context: true, explicit: true, tag: 13, kind: kindUint64, optional: true, set: func(s *Session, v value) { s.Flags = v.n }},
	{name: "tlsext_tick_age_add", context: true, explicit: true, tag: 14, kind: kindUint32, optional: true, set: func(s *Session, v value) { s.AgeAdd = v.n }},
	{name: "max_early_data", context: true, explicit: true, tag: 15, kind: kindUint32, optional: true, set: func(s *Session, v value) { s.MaxEarlyData = v.n }},
	{name: "alpn_selected", context: true, explicit: true, tag: 16, kind: kindOctets, optional: true, set: func(s *Session, v value) { s.ALPN = rawExplicit(16, v.raw) }},
	{name: "tlsext_max_fragment_len_mode", context: true, explicit: true, tag: 17, kind: kindUint32, optional: true, set: func(s *Session, v value) { s.MaxFragLen = rawExplicit(17, v.raw) }},
	{name: "ticket_appdata", context: true, explicit: true, tag: 18, kind: kindOctets, optional: true, set: func(s *Session, v value) { s.AppData = rawExplicit(18, v.raw) }},
	{name: "kex_group", context: true, explicit: true, tag: 19, kind: kindUint32, optional: true, set: func(s *Session, v value) { s.KexGroup = rawExplicit(19, v.raw) }},
}

// decode reads f from the start of b: it returns the bytes it took, or
// skip when f is optional and b holds another field, or openssl's
// entries for the fault.
func (f *field) decode(s *Session, b []byte, optional bool) (n int, errs []sslerr.Entry, skip bool) {
	h, herr := readHeader(b)
	if herr != nil {
		if f.explicit {
			return 0, []sslerr.Entry{*herr, asn1BadHeader, nested("asn1_template_ex_d2i", fieldData(f.name))}, false
		}
		return 0, []sslerr.Entry{*herr, asn1BadHeader, nested("asn1_d2i_ex_primitive", ""), nested("asn1_template_noexp_d2i", fieldData(f.name))}, false
	}
	wantClass := 0
	if f.context {
		wantClass = 2
	}
	if h.class != wantClass || h.tag != f.tag || h.indefinite {
		if optional && !h.indefinite {
			return 0, nil, true
		}
		if f.explicit {
			return 0, []sslerr.Entry{asn1WrongTag, nested("asn1_template_ex_d2i", fieldData(f.name))}, false
		}
		return 0, []sslerr.Entry{asn1WrongTag, nested("asn1_d2i_ex_primitive", ""), nested("asn1_template_noexp_d2i", fieldData(f.name))}, false
	}
	total := h.hdrLen + h.length
	body := b[h.hdrLen:total]
	if !f.explicit {
		v, errs := f.primitive(h, body)
		if errs != nil {
			return 0, append(errs, nested("asn1_template_noexp_d2i", fieldData(f.name))), false
		}
		f.set(s, v)
		return total, nil, false
	}
	if !h.constructed {
		return 0, []sslerr.Entry{asn1Entry(0x06800078, "asn1_template_ex_d2i", "explicit tag not constructed", fieldData(f.name))}, false
	}
	// The explicit tag's content: one TLV of the field's own type,
	// filling it exactly.
	outer := []sslerr.Entry{nested("asn1_template_noexp_d2i", ""), nested("asn1_template_ex_d2i", fieldData(f.name))}
	inner := "asn1_d2i_ex_primitive"
	innerData := ""
	if f.kind == kindCert {
		inner, innerData = "asn1_item_embed_d2i", "Type=X509"
	}
	ih, ierr := readHeader(body)
	if ierr != nil {
		return 0, append([]sslerr.Entry{*ierr, asn1BadHeader, nested(inner, innerData)}, outer...), false
	}
	wantTag := 4
	switch f.kind {
	case kindCert:
		wantTag = 16
	case kindUint32, kindInt32, kindInt64, kindUint64:
		wantTag = 2
	}
	if ih.class != 0 || ih.tag != wantTag || ih.indefinite {
		return 0, append([]sslerr.Entry{asn1WrongTag, nested(inner, innerData)}, outer...), false
	}
	itotal := ih.hdrLen + ih.length
	var v value
	if f.kind == kindCert {
		if !ih.constructed {
			return 0, append([]sslerr.Entry{asn1WrongTag, nested(inner, innerData)}, outer...), false
		}
		if ih.length == 0 {
			// An X509 starts with its TBSCertificate.
			return 0, append([]sslerr.Entry{asn1Entry(0x06800079, "asn1_item_embed_d2i", "field missing", "Field=cert_info, Type=X509")}, outer...), false
		}
		v.raw = body[:itotal]
	} else {
		pv, errs := f.primitive(ih, body[ih.hdrLen:itotal])
		if errs != nil {
			return 0, append(errs, outer...), false
		}
		v = pv
		v.raw = body[:itotal]
	}
	if itotal != len(body) {
		return 0, []sslerr.Entry{asn1Entry(0x06800077, "asn1_template_ex_d2i", "explicit length mismatch", fieldData(f.name))}, false
	}
	f.set(s, v)
	return total, nil, false
}

// primitive reads an INTEGER's or OCTET STRING's content; a constructed
// OCTET STRING (BER) is the concatenation of its primitive parts.
func (f *field) primitive(h header, body []byte) (value, []sslerr.Entry) {
	if f.kind == kindOctets {
		if !h.constructed {
			return value{b: append([]byte{}, body...)}, nil
		}
		out := []byte{}
		for len(body) > 0 {
			ph, err := readHeader(body)
			if err != nil {
				return value{}, []sslerr.Entry{*err, asn1BadHeader, nested("asn1_collect", ""), nested("asn1_d2i_ex_primitive", "")}
			}
			if ph.class != 0 || ph.tag != 4 || ph.constructed || ph.indefinite {
				return value{}, []sslerr.Entry{asn1WrongTag, nested("asn1_collect", ""), nested("asn1_d2i_ex_primitive", "")}
			}
			out = append(out, body[ph.hdrLen:ph.hdrLen+ph.length]...)
			body = body[ph.hdrLen+ph.length:]
		}
		return value{b: out}, nil
	}
	if h.constructed {
		return value{}, []sslerr.Entry{asn1WrongTag, nested("asn1_d2i_ex_primitive", "")}
	}
	n, err := integer(body, f.kind)
	if err != nil {
		return value{}, []sslerr.Entry{*err}
	}
	return value{n: n}, nil
}

// integer reads INTEGER content into openssl's C type for kind (X.690
// §8.3: two's complement, minimal). Empty content is 0, as openssl reads
// it.
func integer(c []byte, kind valueKind) (int64, *sslerr.Entry) {
	if len(c) >= 2 && (c[0] == 0 && c[1]&0x80 == 0 || c[0] == 0xFF && c[1]&0x80 != 0) {
		e := asn1Entry(0x068000DD, "c2i_ibuf", "illegal padding", "")
		return 0, &e
	}
	v := new(big.Int).SetBytes(c)
	if len(c) > 0 && c[0]&0x80 != 0 {
		v.Sub(v, new(big.Int).Lsh(big.NewInt(1), uint(8*len(c))))
	}
	neg := v.Sign() < 0
	mag := new(big.Int).Abs(v)
	if mag.BitLen() > 64 {
		e := asn1Entry(0x068000DF, "ossl_c2i_uint64_int", "too large", "")
		return 0, &e
	}
	fn := "uint32_c2i"
	if kind == kindInt64 || kind == kindUint64 {
		fn = "uint64_c2i"
	}
	tooLarge := asn1Entry(0x068000DF, fn, "too large", "")
	tooSmall := asn1Entry(0x068000E0, fn, "too small", "")
	negative := asn1Entry(0x068000E2, fn, "illegal negative value", "")
	switch kind {
	case kindUint32:
		if neg {
			return 0, &negative
		}
		if mag.BitLen() > 32 {
			return 0, &tooLarge
		}
	case kindInt32:
		if !neg && mag.BitLen() > 31 {
			return 0, &tooLarge
		}
		if neg && mag.Cmp(big.NewInt(1<<31)) > 0 {
			return 0, &tooSmall
		}
	case kindUint64:
		if neg {
			return 0, &negative
		}
		// Above 2^63-1 it wraps, as openssl's uint64_t read into a
		// field tlskit keeps signed.
		return int64(mag.Uint64()), nil
	case kindInt64:
		if !neg && mag.BitLen() > 63 {
			return 0, &tooLarge
		}
		if neg && mag.Cmp(new(big.Int).Lsh(big.NewInt(1), 63)) > 0 {
			return 0, &tooSmall
		}
	}
	return v.Int64(), nil
}

// header is a BER tag and length.
type header struct {
	class       int // 0 universal, 1 application, 2 context, 3 private
	constructed bool
	tag         int
	indefinite  bool
	hdrLen      int
	length      int // of the content; for an indefinite one, what is left
}

// readHeader reads a tag and length as openssl's ASN1_get_object does:
// the content must fit in b.
func readHeader(b []byte) (header, *sslerr.Entry) {
	tooShort := asn1Entry(0x0680007B, "ASN1_get_object", "header too long", "")
	tooLong := asn1Entry(0x0680009B, "ASN1_get_object", "too long", "")
	if len(b) == 0 {
		return header{}, &tooShort
	}
	h := header{class: int(b[0] >> 6), constructed: b[0]&0x20 != 0, tag: int(b[0] & 0x1F)}
	i := 1
	if h.tag == 0x1F {
		h.tag = 0
		for {
			if i >= len(b) {
				return header{}, &tooShort
			}
			c := b[i]
			i++
			if h.tag > 1<<23 {
				return header{}, &tooShort
			}
			h.tag = h.tag<<7 | int(c&0x7F)
			if c&0x80 == 0 {
				break
			}
		}
	}
	if i >= len(b) {
		return header{}, &tooShort
	}
	l := b[i]
	i++
	switch {
	case l == 0x80:
		if !h.constructed {
			return header{}, &tooLong
		}
		h.indefinite = true
		h.hdrLen, h.length = i, len(b)-i
		return h, nil
	case l&0x80 == 0:
		h.length = int(l)
	default:
		n := int(l & 0x7F)
		if i+n > len(b) || n > 4 {
			return header{}, &tooShort
		}
		// Read in 64 bits: four bytes of length do not fit a 32-bit int.
		var length uint64
		for _, c := range b[i : i+n] {
			length = length<<8 | uint64(c)
		}
		i += n
		if length > uint64(len(b)-i) {
			return header{}, &tooLong
		}
		h.length = int(length)
	}
	h.hdrLen = i
	if h.length > len(b)-i {
		return header{}, &tooLong
	}
	return h, nil
}

// openssl's ASN.1 decoder's entries (measured with openssl 3.0
// s_client -sess_in on hand-made sessions).
var (
	asn1BadHeader = asn1Entry(0x06800066, "asn1_check_tlen", "bad object header", "")
	asn1WrongTag  = asn1Entry(0x068000A8, "asn1_check_tlen", "wrong tag", "")
)

const typeData = "Type=SSL_SESSION_ASN1"

func fieldData(name string) string { return "Field=" + name + ", " + typeData }

func asn1Entry(code uint32, fn, reason, data string) sslerr.Entry {
	return sslerr.Entry{Code: code, Lib: "asn1 encoding routines", Func: fn, Reason: reason, Data: data}
}

// nested is the line each decoding level adds above a fault inside it.
func nested(fn, data string) sslerr.Entry {
	return asn1Entry(0x0688010A, fn, "nested asn1 error", data)
}

func sslEntry(code uint32, reason string) sslerr.Entry {
	return sslerr.Entry{Code: code, Lib: "SSL routines", Func: "d2i_SSL_SESSION", Reason: reason}
}
