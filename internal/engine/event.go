package engine

// Pseudo content types for Event.ContentType that are not TLS record
// types, as OpenSSL's message callback has them.
const (
	// ContentRecordHeader: Data is a 5-byte record header.
	ContentRecordHeader = 256
	// ContentInnerType: Data is the one-byte inner content type of a TLS
	// 1.3 protected record.
	ContentInnerType = 257
)

// Event is one thing OpenSSL's message callback would report: a record
// header, a TLS 1.3 inner content type, a whole handshake message (header
// included), an alert (level and description), a sent ChangeCipherSpec,
// or application data (which OpenSSL does not report; printers skip it),
// in either direction and always in plaintext. Events come in OpenSSL's
// order: a record's header, then its inner type, then the message it
// completes; a received TLS 1.3 compatibility ChangeCipherSpec shows only
// as its header. A received TLS 1.0–1.2 ChangeCipherSpec is reported too,
// for OpenSSL's info callback (-state's "read change cipher spec"),
// although its message callback (-msg) does not show it. An application
// data event's Data is the caller's or the record layer's own buffer,
// valid only during the callback (copy it to keep it): bulk transfers
// cost no copy for a printer that skips them.
type Event struct {
	Sent        bool
	Version     uint16
	ContentType int // a record content type (20–23) or ContentRecordHeader/ContentInnerType
	Data        []byte
}
