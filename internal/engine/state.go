package engine

import "time"

// Ticket is a TLS 1.3 NewSessionTicket as a client received it, with the
// PSK it names (RFC 8446 §4.6.1).
type Ticket struct {
	Lifetime     time.Duration
	AgeAdd       uint32
	Nonce        []byte
	Ticket       []byte
	MaxEarlyData uint32
	PSK          []byte
	Received     time.Time
	Suite        uint16
}

// State describes a connection as far as its handshake went.
type State struct {
	Version             uint16
	Suite               uint16
	Group               uint16 // key exchange group; 0 for psk_ke
	PeerSignatureScheme uint16
	// PeerChain is the peer's certificate chain, DER, leaf first.
	PeerChain [][]byte
	// OCSPResponse is the leaf's stapled OCSP response, if any.
	OCSPResponse []byte
	ServerName   string
	ALPN         string
	SessionID    []byte
	ClientRandom []byte
	ServerRandom []byte
	// Resumed reports a handshake authenticated by a resumption ticket
	// or an external PSK (no certificates).
	Resumed bool
	// PSKIdentity is the identity of the PSK the handshake used.
	PSKIdentity []byte
	// HelloRetry reports a HelloRetryRequest in this handshake.
	HelloRetry bool
	// CANames are the certificate_authorities the peer sent.
	CANames [][]byte
	// PeerSignatureSchemes are the schemes the peer offered (a client's
	// signature_algorithms, or a server's in its CertificateRequest).
	PeerSignatureSchemes []uint16
	// ClientCertRequested reports a CertificateRequest from the server.
	ClientCertRequested bool
	// Tickets are the session tickets received so far (clients).
	Tickets []Ticket
	// HandshakeComplete is set once both Finished messages went by.
	HandshakeComplete bool
}
