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
	// ALPN is the protocol of the handshake that made the ticket's
	// session (a resumption keeps the resumed ticket's, as OpenSSL's
	// session keeps it): 0-RTT with it must negotiate the same (RFC 8446
	// §4.2.10).
	ALPN string
	// ServerName is the name the server acknowledged in that handshake
	// (its empty server_name extension, RFC 6066 §3), kept through
	// resumptions as ALPN is; "" when it acknowledged none. A client sends
	// 0-RTT with it only under the same name, as OpenSSL's client does.
	ServerName string
	// MaxFragmentLength is the max_fragment_length code (RFC 6066 §4)
	// that handshake negotiated, 0 for none, kept as ALPN is: a record
	// of the session, as OpenSSL's keeps it; a client asks for a limit
	// again only with Config.MaxFragmentLength.
	MaxFragmentLength uint8
	PSK               []byte
	Received          time.Time
	Suite             uint16
}

// Session12 is a TLS 1.0–1.2 session a client can resume: by session ID
// (RFC 5246 §7.4.1.2) or by ticket (RFC 5077).
type Session12 struct {
	Version, Suite uint16
	SessionID      []byte
	// Ticket is the server's last session ticket, if any.
	Ticket       []byte
	LifetimeHint time.Duration
	MasterSecret []byte
	// ExtendedMasterSecret says the master secret was made per RFC
	// 7627; a resumption must keep it so (RFC 7627 §5.3).
	ExtendedMasterSecret bool
	PeerChain            [][]byte
	Received             time.Time
	// Group is the ECDHE group of the handshake that made the session
	// (kept through resumptions, as OpenSSL's session keeps it); 0 for
	// none. Only a server fills it.
	Group uint16
	// PSKIdentity and PSKIdentityHint are a PSK suite's identity and
	// the hint the server sent (nil: none), kept through resumptions as
	// OpenSSL's session keeps them (a server keeps no hint).
	PSKIdentity, PSKIdentityHint []byte
	// ALPN, ServerName and MaxFragmentLength are the protocol, the
	// acknowledged server name and the max_fragment_length code of the
	// handshake that made the session, as in Ticket (only a client fills
	// them).
	ALPN, ServerName  string
	MaxFragmentLength uint8
}

// EarlyDataStatus is what became of 0-RTT data (RFC 8446 §4.2.10), in
// OpenSSL's three words.
type EarlyDataStatus int

const (
	// EarlyDataNotSent: the client offered none.
	EarlyDataNotSent EarlyDataStatus = iota
	// EarlyDataRejected: offered, but the server did not take it (no
	// early_data in EncryptedExtensions, a HelloRetryRequest, another
	// PSK or a full handshake); a client does not send it again.
	EarlyDataRejected
	// EarlyDataAccepted: the server read it.
	EarlyDataAccepted
)

// TicketLookup is what a server made of the resumption tickets one
// ClientHello offered.
type TicketLookup int

const (
	// TicketNotOffered: no pre_shared_key, or an external PSK.
	TicketNotOffered TicketLookup = iota
	// TicketNotFound: tickets offered, none the server would resume,
	// among them one a server keeping its tickets in a cache would have
	// looked up: one this server sealed, or an identity of a session
	// ID's length (sessionIDLen), as OpenSSL's stateful tickets are.
	TicketNotFound
	// TicketFound: a ticket the server would resume (under AntiReplay
	// it is now used up).
	TicketFound
	// TicketNotLookedUp: tickets offered, none looked up: none this
	// server's nor of a session ID's length, or psk_key_exchange_modes
	// without a mode the server takes.
	TicketNotLookedUp
)

// sessionIDLen is the length of the session IDs a server makes, and of
// OpenSSL's stateful TLS 1.3 ticket identities (SSL_MAX_SSL_SESSION_ID_LENGTH).
const sessionIDLen = 32

// State describes a connection as far as its handshake went.
type State struct {
	Version             uint16
	Suite               uint16
	Group               uint16 // key exchange group; 0 for psk_ke
	PeerSignatureScheme uint16
	// PeerChain is the peer's certificate chain, DER, leaf first.
	PeerChain [][]byte
	// LocalChain is the certificate chain a server sent in this
	// handshake, DER, leaf first: the identity it chose among
	// Config.Identities (or a hook's); nil when it sent none.
	LocalChain [][]byte
	// OCSPResponse is the leaf's stapled OCSP response, if any.
	OCSPResponse []byte
	// SCTList is the SignedCertificateTimestampList the server sent in
	// its signed_certificate_timestamp extension (RFC 6962 §3.3: TLS
	// 1.0–1.2 ServerHello, or the TLS 1.3 leaf's CertificateEntry).
	SCTList      []byte
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
	// ExternalPSK reports that a TLS 1.3 handshake's PSK was one of
	// Config.PSKs, not a resumption ticket.
	ExternalPSK bool
	// PSKIdentityHint is the psk_identity_hint of a TLS 1.0–1.2 PSK
	// suite's ServerKeyExchange (sent or received); nil when none was.
	PSKIdentityHint []byte
	// HelloRetry reports a HelloRetryRequest in this handshake.
	HelloRetry bool
	// FirstHelloTicket is, in a server's handshake with a
	// HelloRetryRequest, what it made of the first ClientHello's tickets
	// (the second's show in Resumed). OpenSSL's server looks a ticket up
	// in each ClientHello and counts each lookup in its statistics.
	FirstHelloTicket TicketLookup
	// HelloTicket is, in a TLS 1.3 server's handshake, what it made of
	// the tickets of the ClientHello it answered (after a
	// HelloRetryRequest, the second).
	HelloTicket TicketLookup
	// CANames are the certificate_authorities the peer sent.
	CANames [][]byte
	// PeerSignatureSchemes are the schemes the peer offered (a client's
	// signature_algorithms, or a server's in its CertificateRequest).
	PeerSignatureSchemes []uint16
	// ClientCertRequested reports a CertificateRequest from the server.
	ClientCertRequested bool
	// Tickets are the session tickets received so far (clients).
	Tickets []Ticket
	// SentTicketPSK and SentTicketAgeAdd are the resumption PSK and
	// ticket_age_add of the last TLS 1.3 ticket a server sent (openssl's
	// server session is the last ticket's).
	SentTicketPSK    []byte
	SentTicketAgeAdd uint32
	// SessionLifetime is a server's session lifetime, the lifetime its
	// TLS 1.3 tickets carry: openssl's default 7200 s, 304 s for a
	// session an external PSK authenticated, and a resumed ticket's own
	// (as openssl's server keeps the session's timeout in its tickets).
	SessionLifetime time.Duration
	// MasterSecret is the TLS 1.0–1.2 master secret.
	MasterSecret []byte
	// ExtendedMasterSecret, EncryptThenMAC and SecureRenegotiation say
	// which of RFC 7627, RFC 7366 and RFC 5746 a TLS 1.0–1.2 connection
	// negotiated.
	ExtendedMasterSecret, EncryptThenMAC, SecureRenegotiation bool
	// MaxFragmentLength is the negotiated max_fragment_length in bytes
	// (RFC 6066 §4), 0 when none was.
	MaxFragmentLength int
	// DHBits is the size of the server's DHE group (Server Temp Key).
	DHBits int
	// Session12 is the TLS 1.0–1.2 session this connection can be
	// resumed with (a client's; nil when the server gave no session ID
	// and no ticket).
	Session12 *Session12
	// EarlyData is what became of 0-RTT data; EarlyDataLen is how many
	// bytes of it a server received (the first bytes Read returns).
	EarlyData    EarlyDataStatus
	EarlyDataLen int
	// HandshakeComplete is set once both Finished messages went by.
	HandshakeComplete bool
}
