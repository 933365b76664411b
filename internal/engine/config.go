package engine

import (
	"crypto"
	"io"
	"time"

	"github.com/tlskit/tlskit/internal/engine/kx"
	"github.com/tlskit/tlskit/internal/engine/msg"
)

// Protocol versions.
const (
	VersionTLS10 uint16 = 0x0301
	VersionTLS11 uint16 = 0x0302
	VersionTLS12 uint16 = 0x0303
	VersionTLS13 uint16 = 0x0304
)

// PSK is an external pre-shared key for TLS 1.3 (RFC 8446 §4.2.11).
type PSK struct {
	Identity []byte
	Key      []byte
	// Hash is the hash the key is bound to; zero means SHA-256 (as
	// OpenSSL's -psk binds it to TLS_AES_128_GCM_SHA256).
	Hash crypto.Hash
}

// PSK12 turns on the TLS 1.0–1.2 PSK cipher suites (RFC 4279 plain PSK,
// DHE_PSK and RSA_PSK, RFC 5489 ECDHE_PSK), as OpenSSL's PSK callbacks
// do: a Config without it neither offers nor accepts them.
type PSK12 struct {
	// Identity and Key are what a client sends and uses, and the one
	// identity a server knows without ServerKey.
	Identity, Key []byte
	// Hint is the psk_identity_hint a server sends (-psk_hint). Nil
	// sends none: no ServerKeyExchange under PSK and RSA_PSK suites, an
	// empty hint under DHE_PSK and ECDHE_PSK (RFC 4279 §2).
	Hint []byte
	// ClientKey, when set, gives a client its identity and key once the
	// server's hint is known (nil when none came), in place of Identity
	// and Key, as OpenSSL's psk_client_callback does. An error ends the
	// handshake with the alert it wraps (internal_error otherwise).
	ClientKey func(hint []byte) (identity, key []byte, err error)
	// ServerKey, when set, gives a server the key for the identity the
	// client sent, as OpenSSL's psk_server_callback does. An error ends
	// the handshake with the alert it wraps (unknown_psk_identity
	// otherwise). Without it an identity other than Identity is
	// unknown_psk_identity.
	ServerKey func(identity []byte) (key []byte, err error)
}

// MaxPSKIdentityLen is the longest TLS 1.0–1.2 PSK identity or identity
// hint OpenSSL 3.0 takes (its PSK_MAX_IDENTITY_LEN): a longer one
// received ends the handshake ("data length too long").
const MaxPSKIdentityLen = 256

// Identity is a certificate chain (leaf first, DER) and its private key.
type Identity struct {
	Chain [][]byte
	Key   crypto.Signer
	// ServerInfo are extensions a server sends with this certificate
	// to clients that ask for them (s_server -serverinfo): in a TLS
	// 1.0–1.2 ServerHello, a TLS 1.3 EncryptedExtensions or the leaf's
	// CertificateEntry, as each one's context says.
	ServerInfo []ServerInfo
}

// SNIAnswer is a ServerNameHook's decision.
type SNIAnswer struct {
	// Identities, when not nil, replace Config.Identities for the
	// connection.
	Identities []Identity
	// Ack acknowledges the name with an empty server_name extension.
	Ack bool
	// Warn sends a warning unrecognized_name alert before a TLS 1.0–1.2
	// ServerHello (TLS 1.3 has no warning alerts: nothing is sent).
	Warn bool
	// NoALPN negotiates no application protocol on this connection
	// whatever Config.ALPN says (openssl s_server's -cert2 context has
	// no ALPN callback).
	NoALPN bool
	// NoDHParams: the connection has no DH group, Config.DHParams is
	// not used, and with Config.NoDHE no DHE or DHE_PSK suite is chosen
	// (openssl s_server's -cert2 context under -no_dhe, which an
	// -ssl_config section's DHParameters does not reach).
	NoDHParams bool
}

// Config is everything the engine needs to know to run one
// connection; the commands build it from their options. Nil lists mean
// OpenSSL 3.0's defaults (as far as this engine implements them). A
// Config must not be changed while connections use it.
type Config struct {
	// MinVersion and MaxVersion bound the versions offered or accepted
	// (TLS 1.0–1.3); zero means TLS 1.3 for both.
	MinVersion, MaxVersion uint16

	// Suites13 lists the TLS 1.3 suites in preference order (-ciphersuites).
	Suites13 []uint16
	// Groups lists the supported groups in order (-groups, -curves).
	Groups []uint16
	// KeyShares lists the groups the client sends a key share for in its
	// first ClientHello; nil means the first of Groups.
	KeyShares []uint16
	// SignatureSchemes is signature_algorithms (-sigalgs).
	SignatureSchemes []uint16
	// ClientAuthSchemes is -client_sigalgs. On a client, when set, it
	// limits the schemes the client signs its CertificateVerify with.
	// On a server, when set, it is what the CertificateRequest lists and
	// what the client's CertificateVerify may use, in place of
	// SignatureSchemes, which still choose the server's own signature.
	ClientAuthSchemes []uint16
	// CertSignatureSchemes, when set, is sent as signature_algorithms_cert.
	CertSignatureSchemes []uint16
	// ALPN lists application protocols in preference order.
	ALPN []string
	// ServerName is the SNI a client sends, exactly as given (any string,
	// an IP address included); empty sends none.
	ServerName string

	// Identities are the certificates this side can present; the first
	// that fits the peer's signature algorithms is used. A TLS 1.3
	// client takes the first of the server's signature schemes that one
	// of them can make, as openssl's client does (it walks the server's
	// list for a key slot that can sign).
	Identities []Identity
	// ClientIdentitiesInOwnOrder makes a TLS 1.3 client take the first of
	// its Identities that can make any of the server's schemes, in place
	// of openssl's walk of the server's list (BoringSSL's credential
	// preference order, which the BoGo shim asks for).
	ClientIdentitiesInOwnOrder bool
	// UseClientIdentities12 makes a TLS 1.0–1.2 client answer a
	// CertificateRequest from ClientIdentities12 in place of Identities,
	// sending no certificate when it is empty: openssl's client offers
	// its current certificate alone there (s_client with an -ssl_config
	// section's certificates beside -cert's). Without it
	// ClientIdentities12 is not used.
	UseClientIdentities12 bool
	ClientIdentities12    []Identity
	// VerifyPeer, when set, judges the peer's chain (DER, leaf first)
	// after its CertificateVerify checked out. An error that wraps an
	// alert.Desc sends that alert; any other sends bad_certificate. Nil
	// accepts every chain: the commands verify themselves.
	VerifyPeer func(chain [][]byte, st *State) error

	// ServerPreference makes a server choose by its own order rather
	// than the client's (-serverpref).
	ServerPreference bool
	// PrioritizeChaCha, with ServerPreference, moves the ChaCha20-Poly1305
	// suites to the front of the server's order when the client lists
	// one first (-prioritize_chacha: a client without AES hardware).
	PrioritizeChaCha bool
	// CANames are the distinguished names (DER) a server's
	// CertificateRequest lists as certificate_authorities (RFC 5246
	// §7.4.4, RFC 8446 §4.2.4), as openssl's s_server lists -CAfile's.
	CANames [][]byte
	// RequestClientCert makes a server send CertificateRequest;
	// RequireClientCert also fails a handshake without one.
	RequestClientCert, RequireClientCert bool
	// PostHandshakeAuth makes a client offer post_handshake_auth in a
	// TLS 1.3 ClientHello (RFC 8446 §4.2.6), as -enable_pha does, and
	// answer the server's CertificateRequests after the handshake with
	// the first identity that fits, or an empty Certificate (§4.6.2).
	// Without it such a request is unexpected_message.
	PostHandshakeAuth bool

	// Session, when set, is a TLS 1.3 ticket (from State.Tickets) a
	// client offers to resume (RFC 8446 §4.2.11, §4.6.1).
	Session *Ticket
	// PSKs are external pre-shared keys (-psk, -psk_identity): a client
	// offers them all, a server accepts any of them.
	PSKs []PSK
	// AllowNoDHE lets a resumption or PSK handshake run without (EC)DHE
	// (psk_ke, RFC 8446 §4.2.9), as -allow_no_dhe_kex does.
	AllowNoDHE bool
	// NumTickets is how many NewSessionTickets a server sends after the
	// handshake: zero means OpenSSL's default of 2, a negative number none.
	NumTickets int
	// HoldTickets keeps a TLS 1.3 server's NewSessionTickets, sent as
	// its handshake ends, back from the transport until the connection
	// next sends a record, to leave in the same transport write (a
	// server that answers one request: one system call fewer per
	// connection), or next waits for the peer's data, whichever comes
	// first: they leave then, as a peer may be waiting for them. The
	// records and their order are the same; only their grouping into
	// transport writes differs. A caller that neither writes nor reads
	// after the handshake must Close (or CloseWrite) for them to leave.
	HoldTickets bool
	// Tickets12 decides a server's TLS 1.0–1.2 session tickets (RFC
	// 5077): Tickets12Auto follows NumTickets (none when negative),
	// Tickets12On and Tickets12Off hold whatever NumTickets says, as
	// openssl's -num_tickets counts TLS 1.3 tickets only and its
	// -no_ticket turns off TLS 1.2 tickets only.
	Tickets12 Tickets12Mode
	// TicketKey (32 bytes: tickets are AES-256-GCM; a key of another
	// length is an error when a ticket is sealed, and opens none)
	// encrypts a server's tickets; nil means a key made once per
	// process, so tickets outlive connections but not the server.
	TicketKey []byte
	// TicketKeys, when set, keys a server's tickets (every version) in
	// TicketKey's place, as OpenSSL's ticket key callback does
	// (SSL_CTX_set_tlsext_ticket_key_evp_cb): each ticket starts with
	// the 16-byte name of its key, in the clear.
	TicketKeys *TicketKeyHooks

	// EarlyData is what a client sends as 0-RTT data (RFC 8446 §2.3,
	// §4.2.10) when Session is a ticket that allows early data
	// (MaxEarlyData > 0); nil sends none. More than the ticket allows
	// fails the handshake with internal_error ("too much early data"),
	// as OpenSSL's SSL_write_early_data does. State.EarlyData says
	// whether the server took it; rejected data is not sent again.
	EarlyData []byte
	// MaxEarlyData is the max_early_data_size a server's tickets carry
	// (-max_early_data); zero sends no early_data extension in tickets,
	// so clients offer no 0-RTT with them.
	MaxEarlyData uint32
	// AcceptEarlyData makes a server read 0-RTT data (-early_data); a
	// server without it skips early data (RFC 8446 §4.2.10).
	AcceptEarlyData bool
	// RecvMaxEarlyData is how many bytes of early data a server takes
	// at most (-recv_max_early_data): more is unexpected_message. Zero
	// means OpenSSL's default of 16384; a negative number none.
	RecvMaxEarlyData int
	// AntiReplay, when set, makes every ticket a server issued good for
	// one resumption only (RFC 8446 §8.1), as OpenSSL does while its
	// tickets allow early data unless -no_anti_replay: a ticket seen
	// again gets a full handshake and its early data is rejected. It
	// must be shared by all connections of a server.
	AntiReplay *TicketLedger
	// NoSessionCache makes a server keep no sessions, as OpenSSL's
	// SSL_SESS_CACHE_OFF (s_server -no_cache): a TLS 1.0–1.2 full
	// handshake gives no session ID and no session ID is looked up, so
	// only tickets resume (RFC 5077 §3.4); a TLS 1.3 ticket OpenSSL would
	// keep in its cache resumes nothing: every ticket with
	// StatefulTickets or under AntiReplay.
	NoSessionCache bool
	// StatefulTickets says a server's TLS 1.3 tickets are ones OpenSSL
	// keeps in its session cache (SSL_OP_NO_TICKET, -no_ticket); to the
	// client they are the same, they only matter with NoSessionCache.
	StatefulTickets bool

	// SessionContext scopes a server's sessions, as OpenSSL's session ID
	// context does (s_server's -context): the TLS 1.0–1.2 session cache
	// and the tickets of every version carry it, and a session made under
	// another context is not resumed (a full handshake instead). At most
	// 32 bytes (SSL_MAX_SID_CTX_LENGTH); longer is cut there.
	SessionContext []byte

	// RecordPadding pads protected records to a multiple of this many
	// bytes (-record_padding).
	RecordPadding int
	// PadClientHello makes a client pad a ClientHello of 256 to 511
	// bytes (handshake header included) with the padding extension (RFC
	// 7685) to 512 bytes, or to just past it when even an empty extension
	// would not fit, as OpenSSL's bug workarounds do (s_client -bugs): some
	// middleboxes hang on ClientHellos of those sizes (RFC 7685 §1).
	PadClientHello bool
	// NoEmptyFragments stops the empty application data record sent
	// before the data of each Write under a TLS 1.0 CBC suite (the BEAST
	// countermeasure, record.Layer.EmptyFragments), as OpenSSL's bug
	// workarounds do (-bugs); by default it is sent, as OpenSSL sends it.
	NoEmptyFragments bool
	// MaxSendFragment caps the plaintext of each record sent
	// (-max_send_frag, 512–16384); 0 means 16384. A negotiated
	// max_fragment_length or record_size_limit lowers it further.
	MaxSendFragment int
	// MaxFragmentLength is the max_fragment_length code a client offers
	// (RFC 6066 §4, -maxfraglen): 1–4 for 512, 1024, 2048 or 4096 bytes;
	// 0 offers none. A server always accepts a valid offer.
	MaxFragmentLength uint8
	// RequestCANames are the distinguished names (DER) a TLS 1.3 client
	// sends in certificate_authorities (RFC 8446 §4.2.4), the CAs whose
	// chains it accepts (-requestCAfile).
	RequestCANames [][]byte
	// CustomExtensions are extension types a client sends empty, first in
	// its ClientHello (s_client -serverinfo); OnCustomExtension sees the
	// server's answer to each, from the ServerHello (TLS 1.2) or
	// EncryptedExtensions (TLS 1.3), as it is read.
	CustomExtensions  []uint16
	OnCustomExtension func(typ uint16, data []byte)
	// NoMiddlebox turns off RFC 8446 Appendix D.4's compatibility mode
	// (the fake session ID and ChangeCipherSpec), as -no_middlebox does.
	NoMiddlebox bool
	// AlertsUnderHandshakeKey makes a TLS 1.3 client that fails between
	// ServerHello and its own flight send its alert under its handshake
	// write key, after the compatibility ChangeCipherSpec, as BoringSSL
	// expects. Left false, the alert goes in the clear with no
	// ChangeCipherSpec, as openssl s_client 3.0 sends it: its write key
	// changes only when its flight goes out.
	AlertsUnderHandshakeKey bool

	// Suites12 lists the TLS 1.0–1.2 suites in preference order (-cipher);
	// nil means OpenSSL 3.0's default list (suites.DefaultPSK12, whose
	// PSK suites count only with PSK12).
	Suites12 []uint16
	// PSK12, when set, lets the PSK suites in Suites12 be offered and
	// accepted (-psk at TLS 1.0–1.2).
	PSK12 *PSK12
	// Session12, when set, is a TLS 1.0–1.2 session a client offers to
	// resume: by its ticket when it has one (RFC 5077), else by its
	// session ID (RFC 5246 §7.4.1.2).
	Session12 *Session12
	// NoTicket stops a client offering session tickets in TLS 1.0–1.2
	// (-no_ticket), so servers resume by session ID.
	NoTicket bool
	// NoEncryptThenMAC stops offering encrypt_then_mac (RFC 7366), as
	// -no_etm does.
	NoEncryptThenMAC bool
	// RequireSecureRenegotiation makes a client refuse a TLS 1.0–1.2
	// server whose ServerHello lacks renegotiation_info (RFC 5746 §4.1:
	// the client may abort), as OpenSSL 3.0's client does unless
	// SSL_OP_LEGACY_SERVER_CONNECT (-legacy_server_connect) is set.
	RequireSecureRenegotiation bool
	// FallbackSCSV makes a client send TLS_FALLBACK_SCSV (RFC 7507), as
	// -fallback_scsv does: a server that supports a higher version than
	// offered answers inappropriate_fallback.
	FallbackSCSV bool
	// MinDHBits is the smallest DHE group a TLS 1.0–1.2 client accepts;
	// zero means 1024 bits (OpenSSL's security level 1).
	MinDHBits int
	// DHParams is the group a TLS 1.0–1.2 server uses for DHE suites
	// (-dhparam); nil means OpenSSL 3.0's automatic choice by the
	// certificate key's strength (kx.AutoDHParams).
	DHParams *kx.DHParams
	// NoDHE keeps a TLS 1.0–1.2 server from choosing a DHE or DHE_PSK
	// suite unless DHParams is set, as openssl s_server -no_dhe does: it
	// sets neither -dhparam's group nor the automatic one, so those
	// suites have no group (measured with 3.0: a client offering only
	// them gets handshake_failure, "no shared cipher"). TLS 1.3's ffdhe
	// groups are not touched.
	NoDHE bool
	// SecurityLevel is OpenSSL's security level as far as a TLS 1.0–1.2
	// server applies it: from level 1 on, no SHA-1 or MD5+SHA-1
	// signature is made, so a TLS 1.0/1.1 handshake fails with
	// internal_error ("no suitable signature algorithm") as OpenSSL 3.0's
	// does at its default level 2. A TLS 1.0/1.1 client refuses the
	// server's MD5+SHA-1 or SHA-1 signed ServerKeyExchange from level 1
	// on, with internal_error ("legacy sigalg disallowed or
	// unsupported"), as OpenSSL 3.0's does. Zero allows them.
	SecurityLevel int

	// Rand is the randomness source; nil means crypto/rand.
	Rand io.Reader
	// Time is the clock; nil means time.Now.
	Time func() time.Time

	// OnEvent, when set, sees every record and handshake message in both
	// directions with its plaintext (see Event). It runs on the
	// connection's goroutines and must not block.
	OnEvent func(Event)
	// OnClientHello, when set, sees each ClientHello a server parses, as
	// the engine parsed it, before the engine acts on it (the server name
	// callback included): for a listener that wants what the client
	// offered without parsing the message again. The message and its
	// slices are the engine's own copy, which it does not change: the
	// listener may keep them but must not change them either. It runs on
	// the handshake's goroutine and must not block.
	OnClientHello func(*msg.ClientHello)
	// ClientHelloHook, when set, is called by a server with each
	// ClientHello (the one after a HelloRetryRequest too) before it
	// chooses a version or anything else, as OpenSSL calls its ClientHello
	// callback (SSL_CTX_set_client_hello_cb); the message is the
	// engine's, not to be changed. An error ends the handshake with the
	// alert it wraps, as a callback failing with the alert it set
	// (OpenSSL: "callback failed").
	ClientHelloHook func(*msg.ClientHello) error
	// HandshakeEventsOnly gives OnEvent the handshake messages alone:
	// no record headers, inner content types, alerts, ChangeCipherSpecs
	// or application data, none of which is then copied for it. For a
	// listener that wants what the peer offered rather than a trace.
	HandshakeEventsOnly bool
	// OnTicket, when set, sees each TLS 1.3 ticket a client receives,
	// as it is added to State.Tickets. It runs on the reading goroutine
	// with the connection's read lock held: it must not block or call
	// the connection's methods.
	OnTicket func(Ticket)
	// OnPostHandshake, when set, is called after the engine handled a
	// post-handshake message that completes an exchange of the peer's
	// (a KeyUpdate, a NewSessionTicket, a refused renegotiation's
	// ClientHello or HelloRequest, the Finished of a post-handshake
	// authentication), any answer it sends already sent, while the read
	// goes on waiting for application data: where OpenSSL's SSL_read
	// returns without data. typ is the message's type. It runs on the
	// reading goroutine with the connection's read lock held: it must
	// not block or call the connection's methods.
	OnPostHandshake func(typ msg.Type)
	// RequestOCSP makes a client send status_request (RFC 6066 §8), as
	// -status does; the staple arrives in State.OCSPResponse.
	RequestOCSP bool
	// RequestSCT makes a client send an empty
	// signed_certificate_timestamp (RFC 6962 §3.3.1), as -ct does; the
	// server's SignedCertificateTimestampList arrives in State.SCTList.
	RequestSCT bool

	// ServerNameHook, when set, is called by a server with the
	// ClientHello's server_name ("" when it sent none) before the
	// certificate is chosen (RFC 6066 §3). Its answer can replace
	// Identities for the connection and says whether the name is
	// acknowledged; an error ends the handshake with the alert it wraps
	// (see alert.Fault). Without the hook a TLS 1.3 server acknowledges
	// any name and a TLS 1.0–1.2 server none.
	ServerNameHook func(name string) (SNIAnswer, error)
	// CertificateHook, when set, is asked by a server which identities a
	// full handshake of version v may use, in place of Identities and of
	// the ServerNameHook's (none when it answers none), after the
	// ServerNameHook and before the certificate is chosen, as OpenSSL
	// calls its certificate callback (SSL_CTX_set_cert_cb): again for the
	// ClientHello after a HelloRetryRequest, never when a session is
	// resumed. An error ends the handshake with the alert it wraps.
	CertificateHook func(ch *msg.ClientHello, v uint16) ([]Identity, error)
	// ClientCertificateHook, when set, is called by a client about to
	// answer a CertificateRequest, before it chooses its certificate, as
	// OpenSSL calls a client's certificate callback (SSL_CTX_set_cert_cb,
	// s_client's -xchain_build): in TLS 1.0–1.2 as the CertificateRequest
	// is taken in, before ServerHelloDone is read; in TLS 1.3 after the
	// server's CertificateVerify, before its Finished is read (the alert
	// then goes out in plaintext), or at a post-handshake
	// CertificateRequest (measured with s_client -msg). An error ends the
	// handshake with the alert it wraps; openssl's failing callback is
	// internal_error "callback failed". The identities it returns are
	// the only ones the client may answer with (none: an empty
	// Certificate), as the callback sets the SSL's certificates.
	ClientCertificateHook func(r *ClientCertRequest) ([]Identity, error)
	// MaxCertList bounds the body of a peer's Certificate message (the
	// certificate list, openssl's SSL_CTX_set_max_cert_list); zero means
	// openssl's default, DefaultMaxCertList. A longer one is refused from
	// its header with illegal_parameter, "excessive message size".
	MaxCertList int
	// OCSPStaple, when set, is asked by a server for the OCSP response
	// (DER) to staple to the chain it sends, when the client asked with
	// status_request (RFC 6066 §8): TLS 1.0–1.2 send it in
	// CertificateStatus, TLS 1.3 in the leaf's CertificateEntry (RFC 8446
	// §4.4.2.1). It runs once per full handshake; nil or empty staples
	// nothing. An error fails the handshake with internal_error, as
	// OpenSSL's status callback returning SSL_TLSEXT_ERR_ALERT_FATAL
	// does ("clienthello tlsext", from tls_handle_status_request).
	OCSPStaple func(chain [][]byte) ([]byte, error)
	// Stateless makes a TLS 1.3 server answer every ClientHello that
	// carries no valid cookie with a HelloRetryRequest carrying one (RFC
	// 8446 §4.2.2), as OpenSSL's SSL_stateless does: everything the
	// second ClientHello needs from the first (the suite, the group
	// asked for, the first ClientHello's hash) travels in the cookie,
	// sealed with CookieKey. A ClientHello that chooses TLS 1.0–1.2 is
	// served as usual (OpenSSL's server then drops the connection: the
	// command decides).
	Stateless bool
	// CookieKey (32 bytes) authenticates Stateless cookies; nil means a
	// key made once per process.
	CookieKey []byte
	// OnStatelessRetry, when set, is called each time a Stateless server
	// has sent a HelloRetryRequest with a cookie and waits for the next
	// ClientHello.
	OnStatelessRetry func()

	// KeyLog, when set, receives NSS key log lines' fields (label, client
	// random, secret) for every secret the connection derives. Anyone
	// who sees them can decrypt the connection: debugging only.
	KeyLog func(label string, clientRandom, secret []byte)
}

// sessionContext is SessionContext cut to OpenSSL's 32 bytes.
func (cfg *Config) sessionContext() []byte {
	if len(cfg.SessionContext) > 32 {
		return cfg.SessionContext[:32]
	}
	return cfg.SessionContext
}

// TicketKeyHooks choose a server's ticket keys, as the two calls of
// OpenSSL's ticket key callback do.
type TicketKeyHooks struct {
	// New gives the key a new ticket is sealed with, its 16-byte name
	// and 32-byte AES-256-GCM key (another length of either fails the
	// handshake); ok false issues no ticket (the callback's 0): at TLS
	// 1.0–1.2 an empty NewSessionTicket, as OpenSSL sends, and none at
	// TLS 1.3.
	New func() (name, key []byte, ok bool)
	// Find gives the 32-byte key of a ticket's name (a key of another
	// length opens nothing); ok false is a ticket this server no longer
	// opens (a full handshake), renew asks for a new ticket on
	// resumption (the callback's 2), which a TLS 1.0–1.2 server sends in
	// its abbreviated handshake (RFC 5077 §3.3); a TLS 1.3 resumption
	// gets one anyway.
	Find func(name []byte) (key []byte, renew, ok bool)
}

// Tickets12Mode is Config.Tickets12.
type Tickets12Mode uint8

// The values of Config.Tickets12.
const (
	Tickets12Auto Tickets12Mode = iota
	Tickets12On
	Tickets12Off
)

// ClientCertRequest is what a server's CertificateRequest asks, as a
// client's ClientCertificateHook sees it.
type ClientCertRequest struct {
	Version uint16
	// Schemes are its signature_algorithms (TLS 1.2 and 1.3).
	Schemes []uint16
	// CertSchemes are its signature_algorithms_cert (TLS 1.3), when
	// HasCertSchemes.
	CertSchemes    []uint16
	HasCertSchemes bool
	// CANames are its certificate authorities (DER names).
	CANames [][]byte
	// CertTypes are its certificate types (TLS 1.0–1.2).
	CertTypes []uint8
}
