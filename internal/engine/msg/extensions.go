package msg

import (
	"slices"
	"strconv"

	"github.com/tlskit/tlskit/internal/engine/alert"
	"github.com/tlskit/tlskit/internal/lazy"
)

// ExtType is an extension's code point (IANA "TLS ExtensionType Values").
type ExtType uint16

// Extension types the codec knows.
const (
	ExtServerName              ExtType = 0      // RFC 6066 §3
	ExtMaxFragmentLength       ExtType = 1      // RFC 6066 §4
	ExtStatusRequest           ExtType = 5      // RFC 6066 §8
	ExtSupportedGroups         ExtType = 10     // RFC 8446 §4.2.7 (RFC 8422's elliptic_curves)
	ExtECPointFormats          ExtType = 11     // RFC 8422 §5.1.2
	ExtSRP                     ExtType = 12     // RFC 5054 §2.8.1
	ExtSignatureAlgorithms     ExtType = 13     // RFC 8446 §4.2.3
	ExtUseSRTP                 ExtType = 14     // RFC 5764 §4.1.1
	ExtALPN                    ExtType = 16     // RFC 7301
	ExtSCT                     ExtType = 18     // RFC 6962
	ExtPadding                 ExtType = 21     // RFC 7685
	ExtEncryptThenMAC          ExtType = 22     // RFC 7366
	ExtExtendedMasterSecret    ExtType = 23     // RFC 7627
	ExtRecordSizeLimit         ExtType = 28     // RFC 8449
	ExtSessionTicket           ExtType = 35     // RFC 5077
	ExtPreSharedKey            ExtType = 41     // RFC 8446 §4.2.11
	ExtEarlyData               ExtType = 42     // RFC 8446 §4.2.10
	ExtSupportedVersions       ExtType = 43     // RFC 8446 §4.2.1
	ExtCookie                  ExtType = 44     // RFC 8446 §4.2.2
	ExtPSKKeyExchangeModes     ExtType = 45     // RFC 8446 §4.2.9
	ExtCertificateAuthorities  ExtType = 47     // RFC 8446 §4.2.4
	ExtPostHandshakeAuth       ExtType = 49     // RFC 8446 §4.2.6
	ExtSignatureAlgorithmsCert ExtType = 50     // RFC 8446 §4.2.3
	ExtKeyShare                ExtType = 51     // RFC 8446 §4.2.8
	ExtNextProtoNeg            ExtType = 13172  // draft-agl-tls-nextprotoneg, never registered
	ExtCryptoProBug            ExtType = 65000  // private use: openssl's workaround for old GOST servers
	ExtRenegotiationInfo       ExtType = 0xff01 // RFC 5746 §3.2
)

// OpenSSLExtensions are the extension types openssl 3.0 has a handler of
// its own for, in code-point order: RFC 8446 §4.2's list and the older
// ones it implements (SRP, use_srtp, next_protocol_negotiation, its
// cryptopro workaround).
var OpenSSLExtensions = []ExtType{
	ExtServerName, ExtMaxFragmentLength, ExtStatusRequest, ExtSupportedGroups, ExtECPointFormats,
	ExtSRP, ExtSignatureAlgorithms, ExtUseSRTP, ExtALPN, ExtSCT, ExtPadding, ExtEncryptThenMAC,
	ExtExtendedMasterSecret, ExtSessionTicket, ExtPreSharedKey, ExtEarlyData, ExtSupportedVersions,
	ExtCookie, ExtPSKKeyExchangeModes, ExtCertificateAuthorities, ExtPostHandshakeAuth,
	ExtSignatureAlgorithmsCert, ExtKeyShare, ExtNextProtoNeg, ExtCryptoProBug, ExtRenegotiationInfo,
}

// OpenSSLHandles reports whether t is one of OpenSSLExtensions.
func OpenSSLHandles(t ExtType) bool { return slices.Contains(OpenSSLExtensions, t) }

// OpenSSLReserves reports whether openssl 3.0 keeps type t to itself where
// an application adds extensions of its own (SSL_extension_supported): a
// custom extension (s_client -serverinfo) or one from a serverinfo file
// (s_server -serverinfo). That is OpenSSLExtensions but
// signed_certificate_timestamp (serverinfo is how a server sends SCTs),
// signature_algorithms_cert and the cryptopro workaround (measured type by
// type with openssl 3.0 s_client and s_server).
func OpenSSLReserves(t ExtType) bool {
	return OpenSSLHandles(t) && t != ExtSCT && t != ExtSignatureAlgorithmsCert && t != ExtCryptoProBug
}

var extNames = lazy.Value[map[ExtType]string]{Build: func() map[ExtType]string {
	return map[ExtType]string{
		ExtServerName: "server_name", ExtMaxFragmentLength: "max_fragment_length",
		ExtStatusRequest:   "status_request",
		ExtSupportedGroups: "supported_groups", ExtECPointFormats: "ec_point_formats",
		ExtSignatureAlgorithms: "signature_algorithms", ExtALPN: "application_layer_protocol_negotiation",
		ExtSCT: "signed_certificate_timestamp", ExtPadding: "padding",
		ExtEncryptThenMAC: "encrypt_then_mac", ExtExtendedMasterSecret: "extended_master_secret",
		ExtRecordSizeLimit: "record_size_limit", ExtSessionTicket: "session_ticket",
		ExtPreSharedKey: "pre_shared_key", ExtEarlyData: "early_data",
		ExtSupportedVersions: "supported_versions", ExtCookie: "cookie",
		ExtPSKKeyExchangeModes: "psk_key_exchange_modes", ExtCertificateAuthorities: "certificate_authorities",
		ExtPostHandshakeAuth: "post_handshake_auth", ExtSignatureAlgorithmsCert: "signature_algorithms_cert",
		ExtKeyShare: "key_share", ExtRenegotiationInfo: "renegotiation_info",
	}
}}

func (t ExtType) String() string {
	if s, ok := extNames.Get()[t]; ok {
		return s
	}
	return "unknown(" + strconv.Itoa(int(t)) + ")"
}

// Extension is one extension as it appears on the wire; blocks keep their
// order, which the printers show and the pre_shared_key rule depends on.
type Extension struct {
	Type ExtType
	Data []byte
}

// Extensions is an extension block in wire order.
type Extensions []Extension

// Find returns the data of the extension of type t.
func (e Extensions) Find(t ExtType) ([]byte, bool) {
	for _, x := range e {
		if x.Type == t {
			return x.Data, true
		}
	}
	return nil, false
}

// Has reports whether an extension of type t is present.
func (e Extensions) Has(t ExtType) bool { _, ok := e.Find(t); return ok }

// maxScannedExtensions is the most extensions parseExtensions checks for
// repeats by scanning; more take a map.
const maxScannedExtensions = 64

// parseExtensions reads an extension block (RFC 8446 §4.2). Two
// extensions of one type are illegal_parameter, as OpenSSL answers them
// (RFC 8446 §4.2: "MUST NOT be more than one extension of the same type").
func parseExtensions(r *reader) (Extensions, error) {
	// Counted first, so that the list is allocated once at its size
	// rather than grown one doubling at a time.
	n := 0
	for c := *r; !c.empty() && c.ok(); n++ {
		c.u16()
		c.vec16()
	}
	out := make(Extensions, 0, n)
	// A repeated type is found by looking through the ones before it
	// while they are few (a hello has a dozen or two), which costs no
	// allocation; a block of many more, which only a hostile peer sends,
	// is checked with a map so that it stays linear.
	var seen map[ExtType]bool
	if n > maxScannedExtensions {
		seen = make(map[ExtType]bool, n)
	}
	for !r.empty() && r.ok() {
		t := ExtType(r.u16())
		d := r.vec16()
		if !r.ok() {
			break
		}
		if seen != nil {
			if seen[t] {
				return nil, alert.IllegalParameter
			}
			seen[t] = true
		} else {
			for _, e := range out {
				if e.Type == t {
					return nil, alert.IllegalParameter
				}
			}
		}
		out = append(out, Extension{t, d})
	}
	if !r.ok() {
		return nil, alert.DecodeError
	}
	return out, nil
}

// parseOptionalExtensions reads what follows the fixed fields of a hello:
// nothing at all (a TLS 1.2 hello may end there) or an extension block.
func parseOptionalExtensions(r *reader) (Extensions, error) {
	if r.empty() {
		return nil, nil
	}
	ext, err := parseExtensions(r.sub16())
	if err != nil {
		return nil, err
	}
	return ext, r.done()
}

// wireLen is the length of e's block as marshal writes it.
func (e Extensions) wireLen() int {
	n := 2
	for _, x := range e {
		n += 4 + len(x.Data)
	}
	return n
}

func (e Extensions) marshal(b *builder) {
	b.vec(2, func(b *builder) {
		for _, x := range e {
			b.u16(uint16(x.Type))
			b.vec16(x.Data)
		}
	})
}

// --- typed extension bodies ---

// ParseServerName reads a ClientHello server_name body (RFC 6066 §3) and
// returns the host_name. Any string is accepted, as OpenSSL does; an empty
// name or a list without a host_name entry is decode_error.
func ParseServerName(d []byte) (string, error) {
	r := &reader{b: d}
	list := r.sub16()
	if err := r.done(); err != nil {
		return "", err
	}
	name, found := "", false
	for !list.empty() && list.ok() {
		typ := list.u8()
		n := list.vec16()
		if typ == 0 && !found {
			name, found = string(n), true
		}
	}
	if !list.ok() || !found || name == "" {
		return "", alert.DecodeError
	}
	return name, nil
}

// MarshalServerName makes a server_name body with one host_name.
func MarshalServerName(name string) []byte {
	var b builder
	b.vec(2, func(b *builder) { b.u8(0); b.vec16([]byte(name)) })
	return b.b
}

// ParseUint16List reads a vector of 16-bit code points with a 16-bit
// length (supported_groups, signature_algorithms(_cert)): empty or odd is
// decode_error.
func ParseUint16List(d []byte) ([]uint16, error) {
	r := &reader{b: d}
	l := r.vec16()
	if err := r.done(); err != nil || len(l) == 0 || len(l)%2 != 0 {
		return nil, alert.DecodeError
	}
	out := make([]uint16, len(l)/2)
	for i := range out {
		out[i] = uint16(l[2*i])<<8 | uint16(l[2*i+1])
	}
	return out, nil
}

// MarshalUint16List makes a supported_groups or signature_algorithms body.
func MarshalUint16List(v []uint16) []byte {
	var b builder
	b.vec(2, func(b *builder) {
		for _, x := range v {
			b.u16(x)
		}
	})
	return b.b
}

// KeyShare is a KeyShareEntry (RFC 8446 §4.2.8).
type KeyShare struct {
	Group uint16
	Data  []byte
}

// ParseKeyShareClient reads a ClientHello key_share: a possibly empty list
// of entries, no group twice (illegal_parameter, RFC 8446 §4.2.8), no
// empty key (decode_error).
func ParseKeyShareClient(d []byte) ([]KeyShare, error) {
	r := &reader{b: d}
	l := r.sub16()
	if err := r.done(); err != nil {
		return nil, err
	}
	var out []KeyShare
	seen := map[uint16]bool{}
	for !l.empty() && l.ok() {
		g := l.u16()
		k := l.vec16()
		if !l.ok() || len(k) == 0 {
			return nil, alert.DecodeError
		}
		if seen[g] {
			return nil, alert.IllegalParameter
		}
		seen[g] = true
		out = append(out, KeyShare{g, k})
	}
	if !l.ok() {
		return nil, alert.DecodeError
	}
	return out, nil
}

// MarshalKeyShareClient makes a ClientHello key_share body.
func MarshalKeyShareClient(v []KeyShare) []byte {
	var b builder
	b.vec(2, func(b *builder) {
		for _, k := range v {
			b.u16(k.Group)
			b.vec16(k.Data)
		}
	})
	return b.b
}

// ParseKeyShareServer reads a ServerHello key_share: one entry.
func ParseKeyShareServer(d []byte) (KeyShare, error) {
	r := &reader{b: d}
	g := r.u16()
	k := r.vec16()
	if err := r.done(); err != nil || len(k) == 0 {
		return KeyShare{}, alert.DecodeError
	}
	return KeyShare{g, k}, nil
}

// MarshalKeyShareServer makes a ServerHello key_share body.
func MarshalKeyShareServer(k KeyShare) []byte {
	var b builder
	b.u16(k.Group)
	b.vec16(k.Data)
	return b.b
}

// ParseKeyShareHRR reads a HelloRetryRequest key_share: the selected group.
func ParseKeyShareHRR(d []byte) (uint16, error) {
	r := &reader{b: d}
	g := r.u16()
	return g, r.done()
}

// MarshalKeyShareHRR makes a HelloRetryRequest key_share body.
func MarshalKeyShareHRR(g uint16) []byte { return []byte{byte(g >> 8), byte(g)} }

// ParseSupportedVersionsClient reads a ClientHello supported_versions
// body (RFC 8446 §4.2.1): a non-empty list of versions.
func ParseSupportedVersionsClient(d []byte) ([]uint16, error) {
	r := &reader{b: d}
	l := r.vec8()
	if err := r.done(); err != nil || len(l) == 0 || len(l)%2 != 0 {
		return nil, alert.DecodeError
	}
	out := make([]uint16, len(l)/2)
	for i := range out {
		out[i] = uint16(l[2*i])<<8 | uint16(l[2*i+1])
	}
	return out, nil
}

// MarshalSupportedVersionsClient makes a ClientHello supported_versions.
func MarshalSupportedVersionsClient(v []uint16) []byte {
	var b builder
	b.vec(1, func(b *builder) {
		for _, x := range v {
			b.u16(x)
		}
	})
	return b.b
}

// ParseSupportedVersionsServer reads a ServerHello/HRR supported_versions:
// the selected version.
func ParseSupportedVersionsServer(d []byte) (uint16, error) {
	r := &reader{b: d}
	v := r.u16()
	return v, r.done()
}

// ParseUint8List reads a vector of bytes with an 8-bit length, non-empty
// (psk_key_exchange_modes, ec_point_formats).
func ParseUint8List(d []byte) ([]uint8, error) {
	r := &reader{b: d}
	l := r.vec8()
	if err := r.done(); err != nil || len(l) == 0 {
		return nil, alert.DecodeError
	}
	return l, nil
}

// MarshalUint8List makes a psk_key_exchange_modes or ec_point_formats body.
func MarshalUint8List(v []uint8) []byte {
	var b builder
	b.vec8(v)
	return b.b
}

// PSKIdentity is one offered PSK identity (RFC 8446 §4.2.11).
type PSKIdentity struct {
	Identity []byte
	Age      uint32
}

// OfferedPSKs is a ClientHello pre_shared_key body.
type OfferedPSKs struct {
	Identities []PSKIdentity
	Binders    [][]byte
}

// ParseOfferedPSKs reads a ClientHello pre_shared_key body: identities and
// binders, both non-empty and as many of one as of the other
// (illegal_parameter otherwise, as OpenSSL answers a count mismatch).
func ParseOfferedPSKs(d []byte) (OfferedPSKs, error) {
	r := &reader{b: d}
	ids := r.sub16()
	bs := r.sub16()
	if err := r.done(); err != nil {
		return OfferedPSKs{}, err
	}
	var o OfferedPSKs
	for !ids.empty() && ids.ok() {
		id := ids.vec16()
		age := ids.u32()
		if len(id) == 0 {
			return OfferedPSKs{}, alert.DecodeError
		}
		o.Identities = append(o.Identities, PSKIdentity{id, age})
	}
	for !bs.empty() && bs.ok() {
		b := bs.vec8()
		if len(b) < 32 {
			return OfferedPSKs{}, alert.DecodeError
		}
		o.Binders = append(o.Binders, b)
	}
	if !ids.ok() || !bs.ok() || len(o.Identities) == 0 || len(o.Binders) == 0 {
		return OfferedPSKs{}, alert.DecodeError
	}
	if len(o.Identities) != len(o.Binders) {
		return OfferedPSKs{}, alert.IllegalParameter
	}
	return o, nil
}

// Marshal makes the pre_shared_key body.
func (o OfferedPSKs) Marshal() []byte {
	var b builder
	b.vec(2, func(b *builder) {
		for _, id := range o.Identities {
			b.vec16(id.Identity)
			b.u32(id.Age)
		}
	})
	b.vec(2, func(b *builder) {
		for _, x := range o.Binders {
			b.vec8(x)
		}
	})
	return b.b
}

// BindersLen is the length of the binders part of o.Marshal(), which a
// client leaves out of the partial ClientHello it computes binders over
// (RFC 8446 §4.2.11.2).
func (o OfferedPSKs) BindersLen() int {
	n := 2
	for _, x := range o.Binders {
		n += 1 + len(x)
	}
	return n
}

// ParseALPN reads an application_layer_protocol_negotiation body (RFC 7301
// §3.1): a non-empty list of non-empty names.
func ParseALPN(d []byte) ([]string, error) {
	r := &reader{b: d}
	l := r.sub16()
	if err := r.done(); err != nil {
		return nil, err
	}
	var out []string
	for !l.empty() && l.ok() {
		p := l.vec8()
		if len(p) == 0 {
			return nil, alert.DecodeError
		}
		out = append(out, string(p))
	}
	if !l.ok() || len(out) == 0 {
		return nil, alert.DecodeError
	}
	return out, nil
}

// MarshalALPN makes an ALPN body.
func MarshalALPN(protos []string) []byte {
	var b builder
	b.vec(2, func(b *builder) {
		for _, p := range protos {
			b.vec8([]byte(p))
		}
	})
	return b.b
}

// StatusRequest is a ClientHello status_request body (RFC 6066 §8) of type
// ocsp (1).
type StatusRequest struct {
	ResponderIDs [][]byte
	Extensions   []byte
}

// ParseStatusRequest reads a ClientHello status_request body.
func ParseStatusRequest(d []byte) (StatusRequest, error) {
	r := &reader{b: d}
	typ := r.u8()
	ids := r.sub16()
	exts := r.vec16()
	if err := r.done(); err != nil {
		return StatusRequest{}, err
	}
	if typ != 1 {
		return StatusRequest{}, alert.DecodeError
	}
	var s StatusRequest
	for !ids.empty() && ids.ok() {
		id := ids.vec16()
		if len(id) == 0 {
			return StatusRequest{}, alert.DecodeError
		}
		s.ResponderIDs = append(s.ResponderIDs, id)
	}
	if !ids.ok() {
		return StatusRequest{}, alert.DecodeError
	}
	s.Extensions = exts
	return s, nil
}

// Marshal makes the status_request body.
func (s StatusRequest) Marshal() []byte {
	var b builder
	b.u8(1)
	b.vec(2, func(b *builder) {
		for _, id := range s.ResponderIDs {
			b.vec16(id)
		}
	})
	b.vec16(s.Extensions)
	return b.b
}

// ParseCertificateStatus reads the status_request extension of a TLS 1.3
// CertificateEntry (RFC 8446 §4.4.2.1): type ocsp and a non-empty response.
func ParseCertificateStatus(d []byte) ([]byte, error) {
	r := &reader{b: d}
	typ := r.u8()
	resp := r.vec24()
	if err := r.done(); err != nil || typ != 1 || len(resp) == 0 {
		return nil, alert.DecodeError
	}
	return resp, nil
}

// MarshalCertificateStatus makes a CertificateStatus body for an OCSP
// response.
func MarshalCertificateStatus(resp []byte) []byte {
	var b builder
	b.u8(1)
	b.vec24(resp)
	return b.b
}

// ParseCookie reads a cookie body (RFC 8446 §4.2.2): non-empty.
func ParseCookie(d []byte) ([]byte, error) {
	r := &reader{b: d}
	c := r.vec16()
	if err := r.done(); err != nil || len(c) == 0 {
		return nil, alert.DecodeError
	}
	return c, nil
}

// MarshalCookie makes a cookie body.
func MarshalCookie(c []byte) []byte {
	var b builder
	b.vec16(c)
	return b.b
}

// ParseEarlyDataTicket reads the early_data body of a NewSessionTicket
// (RFC 8446 §4.2.10): max_early_data_size.
func ParseEarlyDataTicket(d []byte) (uint32, error) {
	r := &reader{b: d}
	v := r.u32()
	return v, r.done()
}

// MarshalEarlyDataTicket makes a NewSessionTicket early_data body.
func MarshalEarlyDataTicket(max uint32) []byte {
	return []byte{byte(max >> 24), byte(max >> 16), byte(max >> 8), byte(max)}
}

// ParseEmpty checks the body of an extension that carries nothing
// (extended_master_secret, encrypt_then_mac, post_handshake_auth, early_data
// in hellos).
func ParseEmpty(d []byte) error {
	if len(d) != 0 {
		return alert.DecodeError
	}
	return nil
}

// ParseCertificateAuthorities reads certificate_authorities (RFC 8446
// §4.2.4): a list of non-empty DER distinguished names. RFC 8446 wants
// the list non-empty, but an empty one is taken, as openssl 3.0 takes
// it (measured: its s_client completes a TLS 1.3 handshake with
// s_server -no_ca_names -verify 1, which sends the list empty, and
// says "No client certificate CA names sent").
func ParseCertificateAuthorities(d []byte) ([][]byte, error) {
	r := &reader{b: d}
	l := r.sub16()
	if err := r.done(); err != nil {
		return nil, err
	}
	var out [][]byte
	for !l.empty() && l.ok() {
		dn := l.vec16()
		if len(dn) == 0 {
			return nil, alert.DecodeError
		}
		out = append(out, dn)
	}
	if !l.ok() {
		return nil, alert.DecodeError
	}
	return out, nil
}

// MarshalCertificateAuthorities makes a certificate_authorities body.
func MarshalCertificateAuthorities(dns [][]byte) []byte {
	var b builder
	b.vec(2, func(b *builder) {
		for _, dn := range dns {
			b.vec16(dn)
		}
	})
	return b.b
}

// ParseRenegotiationInfo reads renegotiation_info (RFC 5746 §3.2): the
// renegotiated_connection vector.
func ParseRenegotiationInfo(d []byte) ([]byte, error) {
	r := &reader{b: d}
	v := r.vec8()
	return v, r.done()
}

// MarshalRenegotiationInfo makes a renegotiation_info body.
func MarshalRenegotiationInfo(v []byte) []byte {
	var b builder
	b.vec8(v)
	return b.b
}

// ParsePadding checks a padding body (RFC 7685 §3): zero bytes only.
// OpenSSL ignores the contents; a codec shared with printers just reports.
func ParsePadding(d []byte) (int, error) {
	for _, c := range d {
		if c != 0 {
			return 0, alert.IllegalParameter
		}
	}
	return len(d), nil
}

// ParseRecordSizeLimit reads record_size_limit (RFC 8449 §4): a value
// below 64 is illegal_parameter.
func ParseRecordSizeLimit(d []byte) (uint16, error) {
	r := &reader{b: d}
	v := r.u16()
	if err := r.done(); err != nil {
		return 0, err
	}
	if v < 64 {
		return 0, alert.IllegalParameter
	}
	return v, nil
}

// MarshalUint16 makes a two-byte body (record_size_limit, a server's
// supported_versions, pre_shared_key selected_identity).
func MarshalUint16(v uint16) []byte { return []byte{byte(v >> 8), byte(v)} }

// ParseSelectedIdentity reads a ServerHello pre_shared_key body.
func ParseSelectedIdentity(d []byte) (uint16, error) {
	r := &reader{b: d}
	v := r.u16()
	return v, r.done()
}
