package msg

import (
	"strconv"

	"github.com/tlskit/tlskit/internal/engine/alert"
)

// Type is a handshake message type (RFC 8446 §4, RFC 5246 §7.4).
type Type uint8

// Handshake message types.
const (
	TypeHelloRequest        Type = 0
	TypeClientHello         Type = 1
	TypeServerHello         Type = 2
	TypeNewSessionTicket    Type = 4
	TypeEndOfEarlyData      Type = 5
	TypeEncryptedExtensions Type = 8
	TypeCertificate         Type = 11
	TypeServerKeyExchange   Type = 12
	TypeCertificateRequest  Type = 13
	TypeServerHelloDone     Type = 14
	TypeCertificateVerify   Type = 15
	TypeClientKeyExchange   Type = 16
	TypeFinished            Type = 20
	TypeCertificateStatus   Type = 22
	TypeKeyUpdate           Type = 24
	TypeMessageHash         Type = 254
)

// typeNames is indexed by Type; an array the linker lays out, so nothing
// is built at start-up.
var typeNames = [...]string{
	TypeHelloRequest: "HelloRequest", TypeClientHello: "ClientHello",
	TypeServerHello: "ServerHello", TypeNewSessionTicket: "NewSessionTicket",
	TypeEndOfEarlyData: "EndOfEarlyData", TypeEncryptedExtensions: "EncryptedExtensions",
	TypeCertificate: "Certificate", TypeServerKeyExchange: "ServerKeyExchange",
	TypeCertificateRequest: "CertificateRequest", TypeServerHelloDone: "ServerHelloDone",
	TypeCertificateVerify: "CertificateVerify", TypeClientKeyExchange: "ClientKeyExchange",
	TypeFinished: "Finished", TypeCertificateStatus: "CertificateStatus",
	TypeKeyUpdate: "KeyUpdate", TypeMessageHash: "MessageHash",
}

func (t Type) String() string {
	if int(t) < len(typeNames) && typeNames[t] != "" {
		return typeNames[t]
	}
	return "Unknown(" + strconv.Itoa(int(t)) + ")"
}

// HeaderLen is the length of a handshake message header: type and a
// 24-bit length (RFC 8446 §4).
const HeaderLen = 4

// Frame puts a handshake header in front of body.
func Frame(t Type, body []byte) ([]byte, error) {
	if len(body) >= 1<<24 {
		return nil, alert.InternalError
	}
	out := make([]byte, 0, HeaderLen+len(body))
	out = append(out, byte(t), byte(len(body)>>16), byte(len(body)>>8), byte(len(body)))
	return append(out, body...), nil
}

// Message is one whole handshake message: its type, its body, and the
// exact bytes it arrived or left as (header included), which go into the
// transcript hash.
type Message struct {
	Type Type
	Body []byte
	Raw  []byte
}

// DefaultMaxMessage is the largest handshake message body the Reassembler
// takes by default: 128 KiB, which is what OpenSSL 3.0 accepts for a
// ClientHello and the default certificate list limit rounded up.
const DefaultMaxMessage = 128 << 10

// Reassembler joins handshake messages from record fragments (RFC 8446
// §5.1: messages may be split across records and several may share one).
// Work is linear in the bytes fed: each byte is copied in once and
// compacted at most once more.
type Reassembler struct {
	// Max bounds a message body; zero means DefaultMaxMessage. A longer
	// header is answered with illegal_parameter, as OpenSSL does
	// (SSL_R_EXCESSIVE_MESSAGE_SIZE).
	Max int

	buf    []byte
	off    int
	copied int // bytes copied so far, in and out: the linearity tests' measure
}

// Write appends a record fragment's bytes.
func (r *Reassembler) Write(p []byte) {
	if r.off > 0 && r.off >= len(r.buf)/2 {
		n := copy(r.buf, r.buf[r.off:])
		r.buf = r.buf[:n]
		r.off = 0
		r.copied += n
	}
	r.buf = append(r.buf, p...)
	r.copied += len(p)
}

// Pending reports whether part of a message is waiting for more records.
// Record-layer rules depend on it: a key change may not happen in the
// middle of a message (RFC 8446 §5.1).
func (r *Reassembler) Pending() bool { return len(r.buf)-r.off > 0 }

// Buffered is how many bytes wait for the rest of their message; it
// never exceeds a header, Max and the last fragment written.
func (r *Reassembler) Buffered() int { return len(r.buf) - r.off }

// Header is the type and length of the next message once its header is
// in, before its body is (ok false until then).
func (r *Reassembler) Header() (t Type, n int, ok bool) {
	b := r.buf[r.off:]
	if len(b) < HeaderLen {
		return 0, 0, false
	}
	return Type(b[0]), int(b[1])<<16 | int(b[2])<<8 | int(b[3]), true
}

// Next returns the next whole message, or ok false if more bytes are
// needed. The returned slices are copies the caller may keep.
func (r *Reassembler) Next() (m Message, ok bool, err error) {
	b := r.buf[r.off:]
	if len(b) < HeaderLen {
		return Message{}, false, nil
	}
	n := int(b[1])<<16 | int(b[2])<<8 | int(b[3])
	max := r.Max
	if max == 0 {
		max = DefaultMaxMessage
	}
	if n > max {
		return Message{}, false, alert.IllegalParameter
	}
	if len(b) < HeaderLen+n {
		return Message{}, false, nil
	}
	raw := append([]byte(nil), b[:HeaderLen+n]...)
	r.copied += len(raw)
	r.off += HeaderLen + n
	if r.off == len(r.buf) {
		r.buf, r.off = r.buf[:0], 0
	}
	return Message{Type: Type(raw[0]), Body: raw[HeaderLen:], Raw: raw}, true, nil
}
