package wire

// Summary is what the observer learned about the connection, for the
// session report s_client and s_server print after the handshake.
type Summary struct {
	// BytesRead and BytesWritten count every byte that crossed the
	// wrapped conn. HandshakeBytesRead/Written freeze the count of whole
	// records at the end of the handshake, which is what OpenSSL's "SSL
	// handshake has read N bytes and written M bytes" reports.
	BytesRead, BytesWritten                   int64
	HandshakeBytesRead, HandshakeBytesWritten int64
	HandshakeDone                             bool
	// RecordBytesRead counts the received records the engine took up so
	// far (header and body): the record layer reads ahead of them.
	RecordBytesRead int64

	Version     uint16 // negotiated version (ServerHello supported_versions)
	CipherSuite uint16
	SessionID   []byte // the ServerHello's session_id (RFC 5246 7.4.1.3)
	HelloRetry  bool   // the server sent a HelloRetryRequest
	// ChangeCipherSpecSent: this end sent a ChangeCipherSpec (in TLS
	// 1.0-1.2, OpenSSL's session has its cipher from then on).
	ChangeCipherSpecSent bool

	// PeerSigScheme is the peer's SignatureScheme from CertificateVerify
	// or a TLS 1.2 ServerKeyExchange; zero when none was seen.
	PeerSigScheme uint16
	// ServerTempKeyGroup is the key_share group (TLS 1.3) or the
	// ServerKeyExchange named curve (TLS 1.2); zero when none.
	ServerTempKeyGroup uint16

	SecureRenegotiation  bool // renegotiation_info in the ServerHello (RFC 5746)
	ExtendedMasterSecret bool // extended_master_secret in the ServerHello (RFC 7627)

	CertificateRequest *CertificateRequest // nil unless one was received or sent

	// TicketLifetimeHint and Ticket come from a TLS 1.2 NewSessionTicket
	// (RFC 5077 section 3.3).
	TicketLifetimeHint uint32
	Ticket             []byte

	ClientHello      *ClientHello // the (last) ClientHello, parsed
	ServerExtensions []Ext        // ServerHello then EncryptedExtensions
	ALPN             string       // protocol the server selected

	AlertSent, AlertReceived []Alert
}

// Alert is one alert record (RFC 8446 section 6).
type Alert struct {
	Level, Description uint8
}

// CertificateRequest is the content of a CertificateRequest message
// (RFC 8446 section 4.3.2, RFC 5246 section 7.4.4).
type CertificateRequest struct {
	CANames   [][]byte // raw DER distinguished names
	CertTypes []byte   // TLS 1.2 only
	SigAlgs   []uint16
}

// NewSessionTicket is a TLS 1.3 post-handshake ticket
// (RFC 8446 section 4.6.1).
type NewSessionTicket struct {
	Lifetime uint32
	AgeAdd   uint32
	Nonce    []byte
	Ticket   []byte
	MaxEarly uint32 // early_data extension, 0 if absent
}

// Summary returns a copy of what has been observed so far.
func (ob *Observer) Summary() Summary {
	ob.mu.Lock()
	defer ob.mu.Unlock()
	s := ob.sum
	s.RecordBytesRead = ob.half[0].processed
	s.ServerExtensions = append([]Ext(nil), s.ServerExtensions...)
	s.AlertSent = append([]Alert(nil), s.AlertSent...)
	s.AlertReceived = append([]Alert(nil), s.AlertReceived...)
	return s
}
