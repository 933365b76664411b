package msg

import "github.com/tlskit/tlskit/internal/engine/alert"

// Key exchange kinds of TLS 1.0–1.2 (RFC 5246 §7.4.3, RFC 8422 §5.4),
// which decide the layout of ServerKeyExchange and ClientKeyExchange.
type KeyExchange uint8

const (
	KxRSA   KeyExchange = iota + 1 // no ServerKeyExchange; encrypted premaster
	KxDHE                          // ServerDHParams
	KxECDHE                        // ServerECDHParams, named curves only
	// The PSK key exchanges (RFC 4279 §2–4, RFC 5489 §2): every
	// ClientKeyExchange starts with the psk_identity and every
	// ServerKeyExchange with the psk_identity_hint, unsigned.
	KxPSK      // hint only; identity only
	KxDHEPSK   // hint, ServerDHParams; identity, dh_Yc
	KxECDHEPSK // hint, ServerECDHParams; identity, ecdh_Yc
	KxRSAPSK   // hint only; identity, EncryptedPreMasterSecret
)

// PSK reports a PSK key exchange.
func (k KeyExchange) PSK() bool { return k >= KxPSK && k <= KxRSAPSK }

// Ephemeral is the (EC)DHE part of a key exchange: KxDHE, KxECDHE or 0.
func (k KeyExchange) Ephemeral() KeyExchange {
	switch k {
	case KxDHE, KxDHEPSK:
		return KxDHE
	case KxECDHE, KxECDHEPSK:
		return KxECDHE
	}
	return 0
}

// curveTypeNamed is ECCurveType named_curve (RFC 8422 §5.4); the explicit
// curve types are deprecated and refused.
const curveTypeNamed = 3

// ServerKeyExchange is RFC 5246 §7.4.3's message for DHE and RFC 8422
// §5.4's for ECDHE, with the signature over the parameters; for the PSK
// key exchanges (RFC 4279 §2, RFC 5489 §2) the identity hint, then the
// (EC)DHE parameters if any, and no signature.
type ServerKeyExchange struct {
	Kind KeyExchange
	// Hint is psk_identity_hint (PSK key exchanges only).
	Hint []byte
	// Group and Public are the ECDHE parameters.
	Group  uint16
	Public []byte
	// P, G and Y are the DHE parameters (big-endian, as sent).
	P, G, Y []byte
	// Params is the params part exactly as on the wire: what the
	// signature covers after the two randoms.
	Params []byte
	// Scheme is the TLS 1.2 SignatureAndHashAlgorithm; TLS 1.0 and 1.1
	// have none (HasScheme false).
	HasScheme bool
	Scheme    uint16
	Signature []byte
}

// ParseServerKeyExchange reads a ServerKeyExchange body of the given
// kind; tls12 says whether the signature carries its algorithm. A curve
// type other than named_curve is illegal_parameter, as openssl 3.0.22's
// client answers it (measured with curve type 1 and a curve ID); short or
// trailing bytes are decode_error.
func ParseServerKeyExchange(body []byte, kind KeyExchange, tls12 bool) (*ServerKeyExchange, error) {
	r := &reader{b: body}
	m := &ServerKeyExchange{Kind: kind, HasScheme: tls12}
	if kind.PSK() {
		m.HasScheme = false
		m.Hint = r.vec16()
	}
	// The faults are worded as openssl 3.0's client words them
	// (measured): the function of the part that is cut short, "length
	// mismatch", and a curve type other than named_curve "wrong curve".
	mismatch := func(fn string) error {
		return &alert.Fault{Desc: alert.DecodeError, Func: fn, Reason: "length mismatch"}
	}
	if kind.PSK() && !r.ok() {
		return nil, mismatch("tls_process_ske_psk_preamble")
	}
	switch kind.Ephemeral() {
	case KxECDHE:
		ct := r.u8()
		m.Group = r.u16()
		if r.ok() && ct != curveTypeNamed {
			return nil, &alert.Fault{Desc: alert.IllegalParameter, Func: "tls_process_ske_ecdhe", Reason: "wrong curve"}
		}
		m.Public = r.vec8()
		if !r.ok() {
			return nil, mismatch("tls_process_ske_ecdhe")
		}
	case KxDHE:
		m.P, m.G, m.Y = r.vec16(), r.vec16(), r.vec16()
		if !r.ok() {
			return nil, mismatch("tls_process_ske_dhe")
		}
	default:
		if !kind.PSK() {
			return nil, alert.UnexpectedMessage
		}
	}
	m.Params = body[:len(body)-len(r.b)]
	if kind.PSK() {
		if err := r.done(); err != nil {
			return nil, mismatch("tls_process_key_exchange")
		}
		return m, nil
	}
	if tls12 {
		m.Scheme = r.u16()
	}
	m.Signature = r.vec16()
	if err := r.done(); err != nil {
		return nil, mismatch("tls_process_key_exchange")
	}
	return m, nil
}

// Marshal returns the whole message, header included; Params is rebuilt
// from the fields.
func (m *ServerKeyExchange) Marshal() ([]byte, error) {
	params := m.MarshalParams()
	b := newMessage(TypeServerKeyExchange, len(params)+2+2+len(m.Signature))
	b.raw(params)
	if !m.Kind.PSK() {
		if m.HasScheme {
			b.u16(m.Scheme)
		}
		b.vec16(m.Signature)
	}
	return b.bytes()
}

// MarshalParams returns the params part a server signs (for the PSK key
// exchanges, the whole unsigned body).
func (m *ServerKeyExchange) MarshalParams() []byte {
	var b builder
	if m.Kind.PSK() {
		b.vec16(m.Hint)
	}
	switch m.Kind.Ephemeral() {
	case KxECDHE:
		b.u8(curveTypeNamed)
		b.u16(m.Group)
		b.vec8(m.Public)
	case KxDHE:
		b.vec16(m.P)
		b.vec16(m.G)
		b.vec16(m.Y)
	}
	return b.b
}

// ClientKeyExchange is RFC 5246 §7.4.7's message: the client's ECDH point
// (8-bit length, RFC 8422 §5.7), its DH public value or the RSA-encrypted
// premaster (16-bit length; TLS 1.0 and later always send it). The PSK
// key exchanges put the psk_identity first (RFC 4279 §2–4, RFC 5489 §2);
// plain PSK sends nothing else.
type ClientKeyExchange struct {
	Kind     KeyExchange
	Identity []byte // psk_identity (PSK key exchanges only)
	Data     []byte
}

// ParseClientKeyExchange reads a ClientKeyExchange body of the given kind;
// an empty value is decode_error (an empty PSK identity is left to the
// caller).
func ParseClientKeyExchange(body []byte, kind KeyExchange) (*ClientKeyExchange, error) {
	r := &reader{b: body}
	m := &ClientKeyExchange{Kind: kind}
	if kind.PSK() {
		m.Identity = r.vec16()
	}
	switch kind {
	case KxPSK:
	case KxECDHE, KxECDHEPSK:
		m.Data = r.vec8()
	default:
		m.Data = r.vec16()
	}
	if err := r.done(); err != nil {
		return nil, err
	}
	if len(m.Data) == 0 && kind != KxPSK {
		return nil, alert.DecodeError
	}
	return m, nil
}

// Marshal returns the whole message, header included.
func (m *ClientKeyExchange) Marshal() ([]byte, error) {
	b := newMessage(TypeClientKeyExchange, 2+len(m.Identity)+2+len(m.Data))
	if m.Kind.PSK() {
		b.vec16(m.Identity)
	}
	switch m.Kind {
	case KxPSK:
	case KxECDHE, KxECDHEPSK:
		b.vec8(m.Data)
	default:
		b.vec16(m.Data)
	}
	return b.bytes()
}

// Certificate12 is TLS 1.0–1.2's Certificate message (RFC 5246 §7.4.2):
// a list of DER certificates, leaf first; a client's may be empty.
type Certificate12 struct {
	Chain [][]byte
}

// ParseCertificate12 reads a TLS 1.0–1.2 Certificate body.
func ParseCertificate12(body []byte) (*Certificate12, error) {
	r := &reader{b: body}
	l := r.sub24()
	if err := r.done(); err != nil {
		return nil, err
	}
	m := &Certificate12{}
	for !l.empty() && l.ok() {
		c := l.vec24()
		if l.ok() && len(c) == 0 {
			return nil, alert.DecodeError
		}
		m.Chain = append(m.Chain, c)
	}
	if !l.ok() {
		return nil, alert.DecodeError
	}
	return m, nil
}

// Marshal returns the whole message, header included.
func (m *Certificate12) Marshal() ([]byte, error) {
	size := 3
	for _, c := range m.Chain {
		size += 3 + len(c)
	}
	b := newMessage(TypeCertificate, size)
	b.vec(3, func(b *builder) {
		for _, c := range m.Chain {
			b.vec24(c)
		}
	})
	return b.bytes()
}

// Client certificate types (RFC 5246 §7.4.4, RFC 8422 §5.5).
const (
	CertTypeRSASign   uint8 = 1
	CertTypeDSSSign   uint8 = 2
	CertTypeECDSASign uint8 = 64
)

// CertificateRequest12 is TLS 1.0–1.2's CertificateRequest (RFC 5246
// §7.4.4); Schemes is present in TLS 1.2 only.
type CertificateRequest12 struct {
	CertTypes  []uint8
	HasSchemes bool
	Schemes    []uint16
	CANames    [][]byte
}

// ParseCertificateRequest12 reads a TLS 1.0–1.2 CertificateRequest body.
// Empty certificate types, or (TLS 1.2) an empty or odd-length
// signature list, is decode_error.
func ParseCertificateRequest12(body []byte, tls12 bool) (*CertificateRequest12, error) {
	r := &reader{b: body}
	m := &CertificateRequest12{CertTypes: r.vec8(), HasSchemes: tls12}
	if tls12 {
		s := r.vec16()
		if r.ok() && (len(s) == 0 || len(s)%2 != 0) {
			return nil, alert.DecodeError
		}
		for i := 0; i+1 < len(s); i += 2 {
			m.Schemes = append(m.Schemes, uint16(s[i])<<8|uint16(s[i+1]))
		}
	}
	cas := r.sub16()
	if err := r.done(); err != nil {
		return nil, err
	}
	if len(m.CertTypes) == 0 {
		return nil, alert.DecodeError
	}
	for !cas.empty() && cas.ok() {
		dn := cas.vec16()
		if cas.ok() && len(dn) == 0 {
			return nil, alert.DecodeError
		}
		m.CANames = append(m.CANames, dn)
	}
	if !cas.ok() {
		return nil, alert.DecodeError
	}
	return m, nil
}

// Marshal returns the whole message, header included.
func (m *CertificateRequest12) Marshal() ([]byte, error) {
	size := 1 + len(m.CertTypes) + 2 + 2*len(m.Schemes) + 2
	for _, dn := range m.CANames {
		size += 2 + len(dn)
	}
	b := newMessage(TypeCertificateRequest, size)
	b.vec8(m.CertTypes)
	if m.HasSchemes {
		b.vec(2, func(b *builder) {
			for _, s := range m.Schemes {
				b.u16(s)
			}
		})
	}
	b.vec(2, func(b *builder) {
		for _, dn := range m.CANames {
			b.vec16(dn)
		}
	})
	return b.bytes()
}

// DigitallySigned is a TLS 1.0–1.2 CertificateVerify body (RFC 5246
// §4.7, §7.4.8): the algorithm in TLS 1.2 only, then the signature.
type DigitallySigned struct {
	HasScheme bool
	Scheme    uint16
	Signature []byte
}

// ParseCertificateVerify12 reads a TLS 1.0–1.2 CertificateVerify body.
func ParseCertificateVerify12(body []byte, tls12 bool) (*DigitallySigned, error) {
	r := &reader{b: body}
	m := &DigitallySigned{HasScheme: tls12}
	if tls12 {
		m.Scheme = r.u16()
	}
	m.Signature = r.vec16()
	if err := r.done(); err != nil {
		return nil, err
	}
	return m, nil
}

// Marshal returns the whole CertificateVerify, header included.
func (m *DigitallySigned) Marshal() ([]byte, error) {
	b := newMessage(TypeCertificateVerify, 2+2+len(m.Signature))
	if m.HasScheme {
		b.u16(m.Scheme)
	}
	b.vec16(m.Signature)
	return b.bytes()
}

// NewSessionTicket12 is RFC 5077 §3.3's NewSessionTicket. An empty ticket
// is allowed: a server that changed its mind after sending the extension.
type NewSessionTicket12 struct {
	LifetimeHint uint32
	Ticket       []byte
}

// ParseNewSessionTicket12 reads a TLS 1.2 NewSessionTicket body.
func ParseNewSessionTicket12(body []byte) (*NewSessionTicket12, error) {
	r := &reader{b: body}
	m := &NewSessionTicket12{LifetimeHint: r.u32(), Ticket: r.vec16()}
	if err := r.done(); err != nil {
		return nil, err
	}
	return m, nil
}

// Marshal returns the whole message, header included.
func (m *NewSessionTicket12) Marshal() ([]byte, error) {
	b := newMessage(TypeNewSessionTicket, 4+2+len(m.Ticket))
	b.u32(m.LifetimeHint)
	b.vec16(m.Ticket)
	return b.bytes()
}

// ParseEmptyMessage checks the body of a message that has none:
// ServerHelloDone (RFC 5246 §7.4.5) and HelloRequest (§7.4.1.1).
func ParseEmptyMessage(body []byte) error {
	if len(body) != 0 {
		return alert.DecodeError
	}
	return nil
}

// MarshalEmpty returns a whole message of type t with an empty body.
func MarshalEmpty(t Type) []byte { return []byte{byte(t), 0, 0, 0} }

// Finished12Len is the verify_data length of every TLS 1.0–1.2 suite
// this engine has (RFC 5246 §7.4.9).
const Finished12Len = 12
