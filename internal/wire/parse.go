package wire

// reader is a bounds-checked cursor over a handshake message. Every read
// past the end yields zero values and sets bad, so malformed input can
// never make the observer panic.
type reader struct {
	b   []byte
	bad bool
}

func (r *reader) empty() bool { return len(r.b) == 0 }

func (r *reader) bytes(n int) []byte {
	if n < 0 || n > len(r.b) {
		r.bad = true
		r.b = nil
		return nil
	}
	v := r.b[:n:n]
	r.b = r.b[n:]
	return v
}

func (r *reader) u8() uint8 {
	b := r.bytes(1)
	if b == nil {
		return 0
	}
	return b[0]
}

func (r *reader) u16() uint16 {
	b := r.bytes(2)
	if b == nil {
		return 0
	}
	return uint16(b[0])<<8 | uint16(b[1])
}

func (r *reader) u24() int {
	b := r.bytes(3)
	if b == nil {
		return 0
	}
	return int(b[0])<<16 | int(b[1])<<8 | int(b[2])
}

func (r *reader) u32() uint32 {
	b := r.bytes(4)
	if b == nil {
		return 0
	}
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

func (r *reader) vec8() []byte  { return r.bytes(int(r.u8())) }
func (r *reader) vec16() []byte { return r.bytes(int(r.u16())) }
func (r *reader) vec24() []byte { return r.bytes(r.u24()) }

// u16s reads a list of 16-bit values filling b.
func u16s(b []byte) []uint16 {
	out := make([]uint16, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		out = append(out, uint16(b[i])<<8|uint16(b[i+1]))
	}
	return out
}

// Ext is one TLS extension as it appeared on the wire.
type Ext struct {
	Type uint16
	Data []byte
}

// parseExts splits an extensions block (RFC 8446 section 4.2).
func parseExts(b []byte) []Ext {
	r := reader{b: b}
	var out []Ext
	for !r.empty() && !r.bad {
		t := r.u16()
		d := r.vec16()
		if r.bad {
			break
		}
		out = append(out, Ext{Type: t, Data: d})
	}
	return out
}

// ClientHello is what the observer parsed from a ClientHello
// (RFC 8446 section 4.1.2), for s_server's report.
type ClientHello struct {
	LegacyVersion      uint16
	Random             []byte
	SessionID          []byte
	CipherSuites       []uint16
	Compression        []byte
	ServerName         string
	SupportedGroups    []uint16
	SignatureSchemes   []uint16
	KeyShareGroups     []uint16
	ALPN               []string
	SupportedVersions  []uint16
	ECPointFormats     []byte
	Extensions         []Ext
	HasSessionTicket   bool
	ExtendedMasterSec  bool
	RenegotiationInfo  bool
	PSKModes           []byte
	PreSharedKeyOffers int
}

func parseClientHello(body []byte) (*ClientHello, bool) {
	r := reader{b: body}
	ch := &ClientHello{}
	ch.LegacyVersion = r.u16()
	ch.Random = r.bytes(32)
	ch.SessionID = r.vec8()
	ch.CipherSuites = u16s(r.vec16())
	ch.Compression = r.vec8()
	if !r.empty() {
		ch.Extensions = parseExts(r.vec16())
	}
	if r.bad {
		return nil, false
	}
	for _, e := range ch.Extensions {
		er := reader{b: e.Data}
		switch e.Type {
		case extServerName:
			lr := reader{b: er.vec16()}
			for !lr.empty() && !lr.bad {
				typ := lr.u8()
				name := lr.vec16()
				if typ == 0 && !lr.bad {
					ch.ServerName = string(name)
				}
			}
		case extSupportedGroups:
			ch.SupportedGroups = u16s(er.vec16())
		case extSignatureAlgorithms:
			ch.SignatureSchemes = u16s(er.vec16())
		case extKeyShare:
			lr := reader{b: er.vec16()}
			for !lr.empty() && !lr.bad {
				g := lr.u16()
				lr.vec16()
				if !lr.bad {
					ch.KeyShareGroups = append(ch.KeyShareGroups, g)
				}
			}
		case extALPN:
			lr := reader{b: er.vec16()}
			for !lr.empty() && !lr.bad {
				p := lr.vec8()
				if !lr.bad {
					ch.ALPN = append(ch.ALPN, string(p))
				}
			}
		case extSupportedVersions:
			ch.SupportedVersions = u16s(er.vec8())
		case extECPointFormats:
			ch.ECPointFormats = er.vec8()
		case extSessionTicket:
			ch.HasSessionTicket = true
		case extExtendedMS:
			ch.ExtendedMasterSec = true
		case extRenegotiationInfo:
			ch.RenegotiationInfo = true
		case extPSKModes:
			ch.PSKModes = er.vec8()
		case extPreSharedKey:
			lr := reader{b: er.vec16()}
			for !lr.empty() && !lr.bad {
				lr.vec16()
				lr.u32()
				ch.PreSharedKeyOffers++
			}
		}
	}
	for _, c := range ch.CipherSuites {
		if c == 0x00ff {
			ch.RenegotiationInfo = true
		}
	}
	return ch, true
}

// maxVersion is the highest version a ClientHello offers.
func (ch *ClientHello) maxVersion() uint16 {
	v := ch.LegacyVersion
	for _, s := range ch.SupportedVersions {
		if s&0x0f0f == 0x0a0a { // GREASE, RFC 8701
			continue
		}
		if s > v && s <= 0x0304 {
			v = s
		}
	}
	return v
}

// helloRetryRandom marks a ServerHello as HelloRetryRequest
// (RFC 8446 section 4.1.3).
var helloRetryRandom = [32]byte{
	0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
	0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
}

type serverHello struct {
	legacyVersion uint16
	random        []byte
	sessionID     []byte
	suite         uint16
	compression   uint8
	exts          []Ext
	version       uint16 // negotiated: supported_versions or legacy_version
	keyShareGroup uint16
	hrr           bool
}

func parseServerHello(body []byte) (*serverHello, bool) {
	r := reader{b: body}
	sh := &serverHello{}
	sh.legacyVersion = r.u16()
	sh.random = r.bytes(32)
	sh.sessionID = r.vec8()
	sh.suite = r.u16()
	sh.compression = r.u8()
	if !r.empty() {
		sh.exts = parseExts(r.vec16())
	}
	if r.bad {
		return nil, false
	}
	sh.version = sh.legacyVersion
	sh.hrr = string(sh.random) == string(helloRetryRandom[:])
	for _, e := range sh.exts {
		er := reader{b: e.Data}
		switch e.Type {
		case extSupportedVersions:
			if v := er.u16(); !er.bad {
				sh.version = v
			}
		case extKeyShare:
			if g := er.u16(); !er.bad {
				sh.keyShareGroup = g
			}
		}
	}
	return sh, true
}
