package dn

import (
	"errors"
	"strconv"
	"strings"
)

var errDER = errors.New("dn: malformed DER name")

// tlv is one DER element; raw is its full encoding, body its content.
type tlv struct {
	class, tag  int
	constructed bool
	raw, body   []byte
}

// readTLV splits the first element off b. It accepts only definite lengths
// and single-byte tags up to 30 plus long-form tags, which is all a
// certificate name may contain; anything else is reported, never panics.
func readTLV(b []byte) (tlv, []byte, error) {
	if len(b) < 2 {
		return tlv{}, nil, errDER
	}
	t := tlv{class: int(b[0] >> 6), constructed: b[0]&0x20 != 0, tag: int(b[0] & 0x1f)}
	i := 1
	if t.tag == 0x1f {
		t.tag = 0
		for {
			if i >= len(b) || t.tag > 1<<20 {
				return tlv{}, nil, errDER
			}
			c := b[i]
			i++
			t.tag = t.tag<<7 | int(c&0x7f)
			if c&0x80 == 0 {
				break
			}
		}
	}
	if i >= len(b) {
		return tlv{}, nil, errDER
	}
	n := int(b[i])
	i++
	if n&0x80 != 0 {
		k := n & 0x7f
		if k == 0 || k > 4 {
			return tlv{}, nil, errDER
		}
		n = 0
		for ; k > 0; k-- {
			if i >= len(b) {
				return tlv{}, nil, errDER
			}
			n = n<<8 | int(b[i])
			i++
		}
	}
	if n < 0 || n > len(b)-i {
		return tlv{}, nil, errDER
	}
	t.raw, t.body = b[:i+n], b[i:i+n]
	return t, b[i+n:], nil
}

// ava is one attribute of a name, tagged with the index of its RDN.
type ava struct {
	set   int
	oid   string
	value tlv
}

// parseName decodes an RDNSequence (RFC 5280 section 4.1.2.4) into a flat
// list of attributes in encoding order.
func parseName(raw []byte) ([]ava, error) {
	seq, rest, err := readTLV(raw)
	if err != nil || len(rest) != 0 || seq.tag != 16 || seq.class != 0 {
		return nil, errDER
	}
	var out []ava
	b := seq.body
	for set := 0; len(b) > 0; set++ {
		var rdn tlv
		rdn, b, err = readTLV(b)
		if err != nil || rdn.tag != 17 || rdn.class != 0 {
			return nil, errDER
		}
		r := rdn.body
		if len(r) == 0 {
			return nil, errDER
		}
		for len(r) > 0 {
			var atv tlv
			atv, r, err = readTLV(r)
			if err != nil || atv.tag != 16 || atv.class != 0 {
				return nil, errDER
			}
			oidTLV, rest, err := readTLV(atv.body)
			if err != nil || oidTLV.tag != 6 || oidTLV.class != 0 {
				return nil, errDER
			}
			val, rest, err := readTLV(rest)
			if err != nil || len(rest) != 0 {
				return nil, errDER
			}
			oid, ok := dottedOID(oidTLV.body)
			if !ok {
				return nil, errDER
			}
			out = append(out, ava{set: set, oid: oid, value: val})
		}
	}
	return out, nil
}

// dottedOID renders an OBJECT IDENTIFIER body as "2.5.4.3".
func dottedOID(b []byte) (string, bool) {
	if len(b) == 0 || b[len(b)-1]&0x80 != 0 {
		return "", false
	}
	var sb strings.Builder
	var v uint64
	first := true
	for i, c := range b {
		if v > 1<<56 {
			return "", false // too large to print; not a real attribute type
		}
		if v == 0 && c == 0x80 && (i == 0 || b[i-1]&0x80 == 0) {
			return "", false // non-minimal encoding
		}
		v = v<<7 | uint64(c&0x7f)
		if c&0x80 != 0 {
			continue
		}
		if first {
			// The first arc pair is packed as 40*X+Y (X.690 section 8.19.4).
			x := v / 40
			if x > 2 {
				x = 2
			}
			sb.WriteString(strconv.FormatUint(x, 10))
			sb.WriteByte('.')
			sb.WriteString(strconv.FormatUint(v-40*x, 10))
			first = false
		} else {
			sb.WriteByte('.')
			sb.WriteString(strconv.FormatUint(v, 10))
		}
		v = 0
	}
	return sb.String(), true
}
