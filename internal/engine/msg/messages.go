package msg

import (
	"bytes"
	"errors"

	"github.com/tlskit/tlskit/internal/engine/alert"
)

// HelloRetryRandom is the ServerHello.random that marks a
// HelloRetryRequest: SHA-256("HelloRetryRequest") (RFC 8446 §4.1.3).
var HelloRetryRandom = []byte{
	0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
	0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
}

// ClientHello is RFC 8446 §4.1.2's ClientHello, which also reads RFC
// 5246's (extensions optional there).
type ClientHello struct {
	Version            uint16 // legacy_version
	Random             []byte // 32 bytes
	SessionID          []byte // 0–32 bytes
	CipherSuites       []uint16
	CompressionMethods []byte
	Extensions         Extensions
}

// ParseClientHello reads a ClientHello body. Beyond the grammar it
// enforces RFC 8446 §4.2.11: pre_shared_key, when present, is the last
// extension (illegal_parameter otherwise).
func ParseClientHello(body []byte) (*ClientHello, error) {
	r := &reader{b: body}
	m := &ClientHello{}
	m.Version = r.u16()
	m.Random = r.take(32)
	m.SessionID = r.vec8()
	suites := r.vec16()
	m.CompressionMethods = r.vec8()
	if !r.ok() || len(m.SessionID) > 32 || len(suites) < 2 || len(suites)%2 != 0 || len(m.CompressionMethods) == 0 {
		return nil, alert.DecodeError
	}
	m.CipherSuites = make([]uint16, len(suites)/2)
	for i := range m.CipherSuites {
		m.CipherSuites[i] = uint16(suites[2*i])<<8 | uint16(suites[2*i+1])
	}
	var err error
	if m.Extensions, err = parseOptionalExtensions(r); err != nil {
		return nil, err
	}
	for i, x := range m.Extensions {
		if x.Type == ExtPreSharedKey && i != len(m.Extensions)-1 {
			return nil, alert.IllegalParameter
		}
	}
	return m, nil
}

// Marshal returns the whole message, header included.
func (m *ClientHello) Marshal() ([]byte, error) {
	b := newMessage(TypeClientHello, 2+32+1+len(m.SessionID)+2+2*len(m.CipherSuites)+1+len(m.CompressionMethods)+m.Extensions.wireLen())
	b.u16(m.Version)
	b.raw(pad32(m.Random))
	b.vec8(m.SessionID)
	b.vec(2, func(b *builder) {
		for _, s := range m.CipherSuites {
			b.u16(s)
		}
	})
	b.vec8(m.CompressionMethods)
	if m.Extensions != nil {
		m.Extensions.marshal(&b.builder)
	}
	return b.bytes()
}

func pad32(r []byte) []byte {
	if len(r) == 32 {
		return r
	}
	out := make([]byte, 32)
	copy(out, r)
	return out
}

// ServerHello is RFC 8446 §4.1.3's ServerHello (and HelloRetryRequest, the
// same structure with HelloRetryRandom), which also reads RFC 5246's.
type ServerHello struct {
	Version           uint16
	Random            []byte
	SessionID         []byte
	CipherSuite       uint16
	CompressionMethod uint8
	Extensions        Extensions
}

// IsHelloRetryRequest reports whether m is a HelloRetryRequest.
func (m *ServerHello) IsHelloRetryRequest() bool {
	return bytes.Equal(m.Random, HelloRetryRandom)
}

// ParseServerHello reads a ServerHello or HelloRetryRequest body. Its
// faults are worded as openssl 3.0's client words them (measured): a
// session ID over 32 bytes is illegal_parameter, "ssl3 session id too
// long"; fixed fields cut short are "length mismatch" and an extension
// block whose length is not the rest of the message "bad length" (both
// tls_process_server_hello, decode_error); an extension list that does
// not parse is tls_collect_extensions' "bad extension".
func ParseServerHello(body []byte) (*ServerHello, error) {
	fault := func(d alert.Desc, fn, reason string) error {
		return &alert.Fault{Desc: d, Func: fn, Reason: reason}
	}
	r := &reader{b: body}
	m := &ServerHello{}
	m.Version = r.u16()
	m.Random = r.take(32)
	n := r.u8()
	if r.ok() && n > 32 {
		return nil, fault(alert.IllegalParameter, "tls_process_server_hello", "ssl3 session id too long")
	}
	m.SessionID = r.take(int(n))
	m.CipherSuite = r.u16()
	m.CompressionMethod = r.u8()
	if !r.ok() {
		return nil, fault(alert.DecodeError, "tls_process_server_hello", "length mismatch")
	}
	if r.empty() {
		return m, nil
	}
	if len(r.b) < 2 || int(r.b[0])<<8|int(r.b[1]) != len(r.b)-2 {
		return nil, fault(alert.DecodeError, "tls_process_server_hello", "bad length")
	}
	var err error
	if m.Extensions, err = parseExtensions(r.sub16()); err != nil {
		d := alert.DecodeError
		errors.As(err, &d)
		return nil, fault(d, "tls_collect_extensions", "bad extension")
	}
	return m, nil
}

// Marshal returns the whole message, header included.
func (m *ServerHello) Marshal() ([]byte, error) {
	b := newMessage(TypeServerHello, 2+32+1+len(m.SessionID)+2+1+m.Extensions.wireLen())
	b.u16(m.Version)
	b.raw(pad32(m.Random))
	b.vec8(m.SessionID)
	b.u16(m.CipherSuite)
	b.u8(m.CompressionMethod)
	if m.Extensions != nil {
		m.Extensions.marshal(&b.builder)
	}
	return b.bytes()
}

// EncryptedExtensions is RFC 8446 §4.3.1's message.
type EncryptedExtensions struct {
	Extensions Extensions
}

// ParseEncryptedExtensions reads an EncryptedExtensions body.
func ParseEncryptedExtensions(body []byte) (*EncryptedExtensions, error) {
	r := &reader{b: body}
	ext, err := parseExtensions(r.sub16())
	if err != nil {
		return nil, err
	}
	if err := r.done(); err != nil {
		return nil, err
	}
	return &EncryptedExtensions{ext}, nil
}

// Marshal returns the whole message, header included.
func (m *EncryptedExtensions) Marshal() ([]byte, error) {
	b := newMessage(TypeEncryptedExtensions, m.Extensions.wireLen())
	m.Extensions.marshal(&b.builder)
	return b.bytes()
}

// message builds a whole handshake message of type t in one buffer:
// newMessage leaves room for the header, and bytes, the only way out (it
// hides the embedded builder's own), fills the header in.
type message struct {
	builder
	t Type
}

// newMessage starts a message of type t with room for a body of size
// bytes, so that it is built in one buffer that does not grow (when size
// is right) and is not copied behind a header afterwards.
func newMessage(t Type, size int) message {
	return message{builder: builder{b: make([]byte, HeaderLen, HeaderLen+size)}, t: t}
}

// bytes writes the header and returns the whole message.
func (m *message) bytes() ([]byte, error) {
	out, err := m.builder.bytes()
	if err != nil {
		return nil, err
	}
	n := len(out) - HeaderLen
	if n >= 1<<24 {
		return nil, alert.InternalError
	}
	out[0], out[1], out[2], out[3] = byte(m.t), byte(n>>16), byte(n>>8), byte(n)
	// Capped, as Frame's are: appending to a message never writes into
	// room its size estimate left over.
	return out[:len(out):len(out)], nil
}

// CertificateEntry is one certificate of a TLS 1.3 Certificate message
// with its extensions (status_request, signed_certificate_timestamp).
type CertificateEntry struct {
	Data       []byte
	Extensions Extensions
}

// Certificate is RFC 8446 §4.4.2's Certificate message.
type Certificate struct {
	Context []byte
	Entries []CertificateEntry
}

// ParseCertificate reads a TLS 1.3 Certificate body. An empty certificate
// is decode_error.
func ParseCertificate(body []byte) (*Certificate, error) {
	r := &reader{b: body}
	m := &Certificate{Context: r.vec8()}
	list := r.sub24()
	if err := r.done(); err != nil {
		return nil, err
	}
	for !list.empty() && list.ok() {
		data := list.vec24()
		exts := list.sub16()
		if !list.ok() || len(data) == 0 {
			return nil, alert.DecodeError
		}
		e, err := parseExtensions(exts)
		if err != nil {
			return nil, err
		}
		m.Entries = append(m.Entries, CertificateEntry{data, e})
	}
	if !list.ok() {
		return nil, alert.DecodeError
	}
	return m, nil
}

// Marshal returns the whole message, header included.
func (m *Certificate) Marshal() ([]byte, error) {
	size := 1 + len(m.Context) + 3
	for _, e := range m.Entries {
		size += 3 + len(e.Data) + e.Extensions.wireLen()
	}
	b := newMessage(TypeCertificate, size)
	b.vec8(m.Context)
	b.vec(3, func(b *builder) {
		for _, e := range m.Entries {
			b.vec24(e.Data)
			e.Extensions.marshal(b)
		}
	})
	return b.bytes()
}

// CertificateRequest is RFC 8446 §4.3.2's message.
type CertificateRequest struct {
	Context    []byte
	Extensions Extensions
}

// ParseCertificateRequest reads a TLS 1.3 CertificateRequest body;
// signature_algorithms is mandatory (missing_extension, RFC 8446 §4.3.2).
func ParseCertificateRequest(body []byte) (*CertificateRequest, error) {
	r := &reader{b: body}
	m := &CertificateRequest{Context: r.vec8()}
	ext, err := parseExtensions(r.sub16())
	if err != nil {
		return nil, err
	}
	if err := r.done(); err != nil {
		return nil, err
	}
	m.Extensions = ext
	if !ext.Has(ExtSignatureAlgorithms) {
		return nil, alert.MissingExtension
	}
	return m, nil
}

// Marshal returns the whole message, header included.
func (m *CertificateRequest) Marshal() ([]byte, error) {
	b := newMessage(TypeCertificateRequest, 1+len(m.Context)+m.Extensions.wireLen())
	b.vec8(m.Context)
	m.Extensions.marshal(&b.builder)
	return b.bytes()
}

// CertificateVerify is RFC 8446 §4.4.3's message.
type CertificateVerify struct {
	Scheme    uint16
	Signature []byte
}

// ParseCertificateVerify reads a CertificateVerify body.
func ParseCertificateVerify(body []byte) (*CertificateVerify, error) {
	r := &reader{b: body}
	m := &CertificateVerify{Scheme: r.u16(), Signature: r.vec16()}
	if err := r.done(); err != nil {
		return nil, err
	}
	return m, nil
}

// Marshal returns the whole message, header included.
func (m *CertificateVerify) Marshal() ([]byte, error) {
	b := newMessage(TypeCertificateVerify, 2+2+len(m.Signature))
	b.u16(m.Scheme)
	b.vec16(m.Signature)
	return b.bytes()
}

// ParseFinished checks a Finished body against the length the suite's
// hash gives (RFC 8446 §4.4.4): any other length is decode_error, as
// OpenSSL answers it.
func ParseFinished(body []byte, hashLen int) ([]byte, error) {
	if len(body) != hashLen {
		return nil, alert.DecodeError
	}
	return body, nil
}

// NewSessionTicket is RFC 8446 §4.6.1's message.
type NewSessionTicket struct {
	Lifetime   uint32
	AgeAdd     uint32
	Nonce      []byte
	Ticket     []byte
	Extensions Extensions
}

// ParseNewSessionTicket reads a TLS 1.3 NewSessionTicket body; an empty
// ticket is decode_error.
func ParseNewSessionTicket(body []byte) (*NewSessionTicket, error) {
	r := &reader{b: body}
	m := &NewSessionTicket{Lifetime: r.u32(), AgeAdd: r.u32(), Nonce: r.vec8(), Ticket: r.vec16()}
	ext, err := parseExtensions(r.sub16())
	if err != nil {
		return nil, err
	}
	if err := r.done(); err != nil {
		return nil, err
	}
	if len(m.Ticket) == 0 {
		return nil, alert.DecodeError
	}
	m.Extensions = ext
	return m, nil
}

// Marshal returns the whole message, header included.
func (m *NewSessionTicket) Marshal() ([]byte, error) {
	b := newMessage(TypeNewSessionTicket, 4+4+1+len(m.Nonce)+2+len(m.Ticket)+m.Extensions.wireLen())
	b.u32(m.Lifetime)
	b.u32(m.AgeAdd)
	b.vec8(m.Nonce)
	b.vec16(m.Ticket)
	m.Extensions.marshal(&b.builder)
	return b.bytes()
}

// KeyUpdate request_update values (RFC 8446 §4.6.3).
const (
	UpdateNotRequested uint8 = 0
	UpdateRequested    uint8 = 1
)

// ParseKeyUpdate reads a KeyUpdate body: one byte, 0 or 1. Another value
// is illegal_parameter (RFC 8446 §4.6.3), a wrong length decode_error.
func ParseKeyUpdate(body []byte) (uint8, error) {
	if len(body) != 1 {
		return 0, alert.DecodeError
	}
	if body[0] > 1 {
		return 0, alert.IllegalParameter
	}
	return body[0], nil
}

// MarshalKeyUpdate returns a whole KeyUpdate message.
func MarshalKeyUpdate(request uint8) []byte {
	return []byte{byte(TypeKeyUpdate), 0, 0, 1, request}
}

// ParseEndOfEarlyData checks an EndOfEarlyData body: empty.
func ParseEndOfEarlyData(body []byte) error {
	if len(body) != 0 {
		return alert.DecodeError
	}
	return nil
}
