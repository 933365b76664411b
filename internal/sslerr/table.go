package sslerr

import (
	"errors"
	"fmt"
	"syscall"

	"github.com/tlskit/tlskit/internal/lazy"
)

// Kind names a failure tlskit reports the way openssl does.
type Kind int

// The failures. Each was produced with openssl 3.0.19 s_client/s_server on
// this project's machines and its line captured; the code and reason text
// agree with `openssl errstr`.
const (
	_ Kind = iota
	// Lookup is a failed name lookup (BIO_lookup_ex); Data is the
	// resolver's text, e.g. "Name or service not known".
	Lookup
	// ConnectSyscall is connect(2) failing; its code and reason come from
	// the errno (ERR_LIB_SYS), see Connect.
	ConnectSyscall
	// ConnectError follows ConnectSyscall.
	ConnectError
	// AlertReceived is a fatal alert from the peer; code and reason come
	// from the alert, see AlertEntry.
	AlertReceived
	WrongVersionNumber     // the peer's first bytes are not a TLS record
	UnexpectedEOF          // the transport ended without close_notify
	ServerCertVerifyFailed // s_client: the server's chain failed -verify_return_error
	ClientCertVerifyFailed // s_server: the client's chain failed -verify_return_error
	NoSharedCipher         // s_server: no suite both sides enable
	ServerUnsupportedProtocol
	ClientUnsupportedProtocol
	NoProtocolsAvailable
	NoSuitableSigalg // s_server: no signature algorithm fits the certificate (and TLS 1.0/1.1 at level 2)
	// NoSuitableSigalgHandshake is the same reason when a TLS 1.2 client
	// offered no signature algorithm for the key: handshake_failure.
	NoSuitableSigalgHandshake
	LegacySigalg // s_client: a TLS 1.0/1.1 key exchange signed with MD5/SHA-1 at level >= 1
	PeerDidNotReturnCertificate
	NoApplicationProtocol // s_server: no ALPN overlap
	UnexpectedMessage
	BadSignature
	HandshakeTimeout // tlskit's bound on a silent peer; openssl would wait for ever
	// KeyUpdateWrongVersion is the k/K command on a connection below TLS
	// 1.3; RenegotiateWrongVersion is R on a TLS 1.3 connection.
	KeyUpdateWrongVersion
	RenegotiateWrongVersion
	// DecryptionFailed is a record that does not decrypt or whose MAC
	// is wrong (bad_record_mac sent).
	DecryptionFailed
	// ServernameCallbackFailed is s_server -servername_fatal refusing
	// another name (unrecognized_name sent).
	ServernameCallbackFailed
	// TooMuchEarlyData is 0-RTT data over the limit: the ticket's on a
	// client, recv_max_early_data on a server.
	TooMuchEarlyData
	// InconsistentEarlyDataSNI and InconsistentEarlyDataALPN are a
	// client's 0-RTT refused before its ClientHello: its server name is
	// not the session's, or its protocols lack the session's (openssl
	// 3.0 s_client -sess_in -early_data, measured).
	InconsistentEarlyDataSNI
	InconsistentEarlyDataALPN
	// PHAWrongVersion and PHAExtensionNotReceived are s_server's c
	// command refused: the connection is not TLS 1.3, or the client did
	// not offer post_handshake_auth (openssl 3.0.22 s_server, captured).
	PHAWrongVersion
	PHAExtensionNotReceived
	// BinderDoesNotVerify is a TLS 1.3 PSK whose binder is wrong
	// (illegal_parameter sent).
	BinderDoesNotVerify
	// HTTPRequest and HTTPSProxyRequest are a first record that is an
	// HTTP request (GET, POST, HEAD, PUT) or a CONNECT.
	HTTPRequest
	HTTPSProxyRequest
	// TooManyWarnAlerts is the 5th warning alert in a row,
	// RecordTooSmall the 33rd empty record in a row.
	TooManyWarnAlerts
	RecordTooSmall
	// UnexpectedCCSMessage is the 33rd TLS 1.3 ChangeCipherSpec in a
	// row, InvalidCCSMessage one that is not the byte 1, BadRecordType
	// a record in the clear other than those while TLS 1.3 keys are on.
	UnexpectedCCSMessage
	InvalidCCSMessage
	BadRecordType
	// ClientCertNotParsed is s_server's reply to a client certificate
	// that does not parse (decode_error sent).
	ClientCertNotParsed
	// ServerCertNotParsed is s_client's reply to a server certificate
	// that does not parse (bad_certificate sent, openssl 3.0.22 measured).
	ServerCertNotParsed
	// SessionVersionMismatch is s_client's reply to a server resuming
	// the offered session at another version.
	SessionVersionMismatch
	// ServerInappropriateFallback is s_server's refusal of a
	// TLS_FALLBACK_SCSV below its highest version (RFC 7507);
	// ClientInappropriateFallback s_client's of a server's downgrade
	// sentinel (RFC 8446 §4.1.3).
	ServerInappropriateFallback
	ClientInappropriateFallback
	// UnsafeLegacyRenegotiation is s_client's refusal of a TLS 1.0–1.2
	// server without renegotiation_info (handshake_failure sent).
	UnsafeLegacyRenegotiation
	// InvalidMaxFragmentLength is a max_fragment_length that is not
	// 1–4 (a server's reply: not the one offered); illegal_parameter.
	ClientInvalidMaxFragmentLength
	ServerInvalidMaxFragmentLength
	// DataLengthTooLong is a received record over the plaintext limit
	// (record_overflow sent).
	DataLengthTooLong
	// PSKIdentityNotFound is a TLS 1.0–1.2 PSK suite without a usable
	// identity and key: the client's PSK callback failed (s_client's for
	// a -psk_identity of 256 bytes or more) or the server knows no key
	// for the identity received.
	ClientPSKIdentityNotFound
	ServerPSKIdentityNotFound
	// ExcessiveMessageSize is a handshake message header announcing more
	// than openssl allows the message type (illegal_parameter).
	ExcessiveMessageSize
	// An SSL 2.0-format ClientHello a server refuses: a record too short
	// for its fields, fields that do not add up to the record, a cipher
	// list not in threes, and none.
	V2LengthTooShort
	V2RecordLengthMismatch
	V2CipherListError
	V2NoCiphersSpecified
	// PacketLengthTooLong is a record header announcing more than any
	// record may hold (record_overflow).
	PacketLengthTooLong
	// StatusCallbackFailed is s_server's -status callback failing (its
	// -status_file unreadable): internal_error.
	StatusCallbackFailed
	// CertCallbackFailed is s_server's certificate callback failing
	// (an -xchain_build chain that cannot be built): internal_error.
	CertCallbackFailed
	// InternalError is openssl's ERR_R_INTERNAL_ERROR; the function comes
	// from the fault (alert.Fault.Func).
	InternalError
	// The reasons openssl 3.0's client gives for a server message that
	// does not parse (measured against malformed ServerHello, Certificate
	// and ServerKeyExchange messages); the function comes from the fault
	// where it is not the one below.
	LengthMismatch
	BadLength
	BadExtension
	RenegotiationEncodingErr
	WrongCurve
	SessionIDTooLong
	UnsolicitedExtension
)

const (
	libSSL = "SSL routines"
	libBIO = "BIO routines"
	libSys = "system library"

	errLibSSL = 0x0A000000
	errLibBIO = 0x10000000
	errLibSys = 0x80000000
)

type spec struct {
	code   uint32
	lib    string
	fn     string
	reason string
}

// table is the one place that words a failure.
var table = lazy.Value[map[Kind]spec]{Build: func() map[Kind]spec {
	return map[Kind]spec{
		Lookup:                         {0x10080002, libBIO, "BIO_lookup_ex", "system lib"},
		ConnectSyscall:                 {errLibSys, libSys, "BIO_connect", ""},
		ConnectError:                   {0x10000067, libBIO, "BIO_connect", "connect error"},
		AlertReceived:                  {errLibSSL, libSSL, "ssl3_read_bytes", ""},
		WrongVersionNumber:             {0x0A00010B, libSSL, "ssl3_get_record", "wrong version number"},
		UnexpectedEOF:                  {0x0A000126, libSSL, "ssl3_read_n", "unexpected eof while reading"},
		ServerCertVerifyFailed:         {0x0A000086, libSSL, "tls_post_process_server_certificate", "certificate verify failed"},
		ClientCertVerifyFailed:         {0x0A000086, libSSL, "tls_process_client_certificate", "certificate verify failed"},
		NoSharedCipher:                 {0x0A0000C1, libSSL, "tls_post_process_client_hello", "no shared cipher"},
		ServerUnsupportedProtocol:      {0x0A000102, libSSL, "tls_early_post_process_client_hello", "unsupported protocol"},
		ClientUnsupportedProtocol:      {0x0A000102, libSSL, "ssl_choose_client_version", "unsupported protocol"},
		NoProtocolsAvailable:           {0x0A0000BF, libSSL, "tls_setup_handshake", "no protocols available"},
		NoSuitableSigalg:               {0x0A000076, libSSL, "tls_choose_sigalg", "no suitable signature algorithm"},
		NoSuitableSigalgHandshake:      {0x0A000076, libSSL, "tls_choose_sigalg", "no suitable signature algorithm"},
		LegacySigalg:                   {0x0A00014D, libSSL, "tls_process_key_exchange", "legacy sigalg disallowed or unsupported"},
		PeerDidNotReturnCertificate:    {0x0A0000C7, libSSL, "tls_process_client_certificate", "peer did not return a certificate"},
		NoApplicationProtocol:          {0x0A0000EB, libSSL, "tls_handle_alpn", "no application protocol"},
		UnexpectedMessage:              {0x0A0000F4, libSSL, "ssl3_read_bytes", "unexpected message"},
		BadSignature:                   {0x0A00007B, libSSL, "tls_process_cert_verify", "bad signature"},
		HandshakeTimeout:               {errLibSys | 110, libSys, "ssl3_read_n", "Connection timed out"},
		KeyUpdateWrongVersion:          {0x0A00010A, libSSL, "SSL_key_update", "wrong ssl version"},
		RenegotiateWrongVersion:        {0x0A00010A, libSSL, "can_renegotiate", "wrong ssl version"},
		DecryptionFailed:               {0x0A000119, libSSL, "ssl3_get_record", "decryption failed or bad record mac"},
		BinderDoesNotVerify:            {0x0A0000FD, libSSL, "tls_psk_do_binder", "binder does not verify"},
		ServernameCallbackFailed:       {0x0A0000EA, libSSL, "final_server_name", "callback failed"},
		TooMuchEarlyData:               {0x0A0000A4, libSSL, "early_data_count_ok", "too much early data"},
		InconsistentEarlyDataSNI:       {0x0A0000E7, libSSL, "tls_construct_ctos_early_data", "inconsistent early data sni"},
		InconsistentEarlyDataALPN:      {0x0A0000DE, libSSL, "tls_construct_ctos_early_data", "inconsistent early data alpn"},
		PHAWrongVersion:                {0x0A00010A, libSSL, "SSL_verify_client_post_handshake", "wrong ssl version"},
		PHAExtensionNotReceived:        {0x0A000117, libSSL, "SSL_verify_client_post_handshake", "extension not received"},
		HTTPRequest:                    {0x0A00009C, libSSL, "ssl3_get_record", "http request"},
		HTTPSProxyRequest:              {0x0A00009B, libSSL, "ssl3_get_record", "https proxy request"},
		TooManyWarnAlerts:              {0x0A000199, libSSL, "ssl3_read_bytes", "too many warn alerts"},
		RecordTooSmall:                 {0x0A00012A, libSSL, "ssl3_get_record", "record too small"},
		UnexpectedCCSMessage:           {0x0A000106, libSSL, "ssl3_get_record", "unexpected ccs message"},
		InvalidCCSMessage:              {0x0A000104, libSSL, "ssl3_get_record", "invalid ccs message"},
		BadRecordType:                  {0x0A0001BB, libSSL, "ssl3_get_record", "bad record type"},
		ClientCertNotParsed:            {0x0A08000D, libSSL, "tls_process_client_certificate", "ASN1 lib"},
		ServerCertNotParsed:            {0x0A08000D, libSSL, "tls_process_server_certificate", "ASN1 lib"},
		SessionVersionMismatch:         {0x0A0000D2, libSSL, "tls_process_server_hello", "ssl session version mismatch"},
		ServerInappropriateFallback:    {0x0A000175, libSSL, "tls_early_post_process_client_hello", "inappropriate fallback"},
		ClientInappropriateFallback:    {0x0A000175, libSSL, "ssl_choose_client_version", "inappropriate fallback"},
		UnsafeLegacyRenegotiation:      {0x0A000152, libSSL, "final_renegotiate", "unsafe legacy renegotiation disabled"},
		ClientInvalidMaxFragmentLength: {0x0A0000E8, libSSL, "tls_parse_stoc_maxfragmentlen", "ssl3 ext invalid max fragment length"},
		ServerInvalidMaxFragmentLength: {0x0A0000E8, libSSL, "tls_parse_ctos_maxfragmentlen", "ssl3 ext invalid max fragment length"},
		DataLengthTooLong:              {0x0A000092, libSSL, "ssl3_get_record", "data length too long"},
		ClientPSKIdentityNotFound:      {0x0A0000DF, libSSL, "tls_construct_cke_psk_preamble", "psk identity not found"},
		ServerPSKIdentityNotFound:      {0x0A0000DF, libSSL, "tls_process_cke_psk_preamble", "psk identity not found"},
		ExcessiveMessageSize:           {0x0A000098, libSSL, "read_state_machine", "excessive message size"},
		PacketLengthTooLong:            {0x0A0000C6, libSSL, "ssl3_get_record", "packet length too long"},
		V2LengthTooShort:               {0x0A0000A0, libSSL, "ssl3_get_record", "length too short"},
		V2RecordLengthMismatch:         {0x0A0000D5, libSSL, "tls_process_client_hello", "record length mismatch"},
		V2CipherListError:              {0x0A000097, libSSL, "ssl_cache_cipherlist", "error in received cipher list"},
		V2NoCiphersSpecified:           {0x0A0000B7, libSSL, "ssl_cache_cipherlist", "no ciphers specified"},
		StatusCallbackFailed:           {0x0A0000E2, libSSL, "tls_handle_status_request", "clienthello tlsext"},
		CertCallbackFailed:             {0x0A000179, libSSL, "tls_post_process_client_hello", "cert cb error"},
		InternalError:                  {0x0A0C0103, libSSL, "tlskit", "internal error"},
		LengthMismatch:                 {0x0A00009F, libSSL, "tls_process_server_hello", "length mismatch"},
		BadLength:                      {0x0A00010F, libSSL, "tls_process_server_hello", "bad length"},
		BadExtension:                   {0x0A00006E, libSSL, "tls_collect_extensions", "bad extension"},
		RenegotiationEncodingErr:       {0x0A000150, libSSL, "tls_parse_stoc_renegotiate", "renegotiation encoding err"},
		WrongCurve:                     {0x0A00017A, libSSL, "tls_process_ske_ecdhe", "wrong curve"},
		SessionIDTooLong:               {0x0A00012C, libSSL, "tls_process_server_hello", "ssl3 session id too long"},
		UnsolicitedExtension:           {0x0A0000D9, libSSL, "tls_collect_extensions", "unsolicited extension"},
	}
}}

// New is the entry for k with data after the location.
func New(k Kind, data string) Entry {
	s, ok := table.Get()[k]
	if !ok {
		return Entry{Code: errLibSSL, Lib: libSSL, Func: "tlskit", Reason: fmt.Sprintf("reason(%d)", int(k)), Data: data}
	}
	return Entry{Code: s.code, Lib: s.lib, Func: s.fn, Reason: s.reason, Data: data}
}

// alertReasons are openssl's reason texts for received alerts, as
// `openssl errstr` prints them for 0A000000 + 1000 + description.
var alertReasons = lazy.Value[map[uint8]string]{Build: func() map[uint8]string {
	return map[uint8]string{
		10: "sslv3 alert unexpected message", 20: "sslv3 alert bad record mac",
		21: "tlsv1 alert decryption failed", 22: "tlsv1 alert record overflow",
		30: "sslv3 alert decompression failure", 40: "sslv3 alert handshake failure",
		41: "sslv3 alert no certificate", 42: "sslv3 alert bad certificate",
		43: "sslv3 alert unsupported certificate", 44: "sslv3 alert certificate revoked",
		45: "sslv3 alert certificate expired", 46: "sslv3 alert certificate unknown",
		47: "sslv3 alert illegal parameter", 48: "tlsv1 alert unknown ca",
		49: "tlsv1 alert access denied", 50: "tlsv1 alert decode error",
		51: "tlsv1 alert decrypt error", 60: "tlsv1 alert export restriction",
		70: "tlsv1 alert protocol version", 71: "tlsv1 alert insufficient security",
		80: "tlsv1 alert internal error", 86: "tlsv1 alert inappropriate fallback",
		90: "tlsv1 alert user cancelled", 100: "tlsv1 alert no renegotiation",
		109: "tlsv13 alert missing extension", 110: "tlsv1 unsupported extension",
		111: "tlsv1 certificate unobtainable", 112: "tlsv1 unrecognized name",
		113: "tlsv1 bad certificate status response", 114: "tlsv1 bad certificate hash value",
		115: "tlsv1 alert unknown psk identity", 116: "tlsv13 alert certificate required",
		120: "tlsv1 alert no application protocol",
	}
}}

// AlertEntry is what openssl queues when the peer's fatal alert desc
// arrives: `…:SSL routines:ssl3_read_bytes:sslv3 alert handshake
// failure:…:SSL alert number 40`.
func AlertEntry(desc uint8) Entry {
	e := New(AlertReceived, fmt.Sprintf("SSL alert number %d", desc))
	e.Code |= 1000 + uint32(desc)
	e.Reason = alertReasons.Get()[desc]
	if e.Reason == "" {
		e.Reason = fmt.Sprintf("reason(%d)", 1000+int(desc))
	}
	return e
}

// ConnectReport is s_client's report of a failed connect(2): the system
// error, BIO_connect's own, then "connect:errno=N".
func ConnectReport(errno int) Report {
	sys := New(ConnectSyscall, "calling connect()")
	sys.Code |= uint32(errno) & 0xFFFF
	sys.Reason = Strerror(errno)
	return Report{
		Entries: []Entry{sys, New(ConnectError, "")},
		Tail:    []string{fmt.Sprintf("connect:errno=%d", errno)},
	}
}

// LookupReport is s_client's report of a failed name lookup: the
// resolver's text as data, then "connect:errno=0".
func LookupReport(text string) Report {
	return Report{Entries: []Entry{New(Lookup, text)}, Tail: []string{"connect:errno=0"}}
}

// FileWriteReport is what openssl queues when a write to a file BIO (such
// as -msgfile) fails at its flush: BIO's "system lib", then the errno's
// text with "calling fflush()".
func FileWriteReport(errno int) Report {
	return Report{Entries: []Entry{BIOSysLib("file_ctrl"), SysEntry(errno, "file_ctrl", "calling fflush()")}}
}

// SysEntry is the "system library" entry openssl queues when a system
// call in fn fails with errno; data names the call ("calling fopen(...)").
func SysEntry(errno int, fn, data string) Entry {
	return Entry{Code: errLibSys | uint32(errno)&0xFFFF, Lib: libSys, Func: fn, Reason: Strerror(errno), Data: data}
}

// BIOSysLib is BIO's "system lib" entry for a system call failing in fn.
func BIOSysLib(fn string) Entry {
	return Entry{Code: 0x10080002, Lib: libBIO, Func: fn, Reason: "system lib"}
}

// BIONewFile is what BIO_new_file queues when fopen(path, mode) fails
// with errno: the system library's entry, then BIO's own, "no such file"
// for a missing file and "system lib" for any other failure.
func BIONewFile(errno int, path, mode string) []Entry {
	bio := BIOSysLib("BIO_new_file")
	if errno == int(syscall.ENOENT) {
		bio = Entry{Code: 0x10000080, Lib: libBIO, Func: "BIO_new_file", Reason: "no such file"}
	}
	return []Entry{SysEntry(errno, "BIO_new_file", "calling fopen("+path+", "+mode+")"), bio}
}

// OpenForReading is what openssl 3.0's commands print when the file at
// path cannot be opened for reading (measured with a missing and an
// unreadable -status_file): the "Can't open" line, then BIO_new_file's
// entries. An err without an errno gets the line alone.
func OpenForReading(path string, err error) []string {
	var en syscall.Errno
	if !errors.As(err, &en) {
		return []string{fmt.Sprintf("Can't open \"%s\" for reading, %v", path, err)}
	}
	head := fmt.Sprintf("Can't open \"%s\" for reading, %s", path, Strerror(int(en)))
	return append([]string{head}, Report{Entries: BIONewFile(int(en), path, "rb")}.Lines()...)
}

// PEMNoStartLine is what PEM reading queues when a file holds no PEM
// block of the type wanted (a missing BEGIN line, or none of the right
// name): data names that type, e.g. "Expecting: SSL SESSION PARAMETERS".
func PEMNoStartLine(pemType string) Entry {
	return Entry{Code: 0x0480006C, Lib: "PEM routines", Func: "get_name", Reason: "no start line", Data: "Expecting: " + pemType}
}

// Errno is the system error number behind err, or EIO when it has none.
func Errno(err error) int {
	var en syscall.Errno
	if errors.As(err, &en) {
		return int(en)
	}
	return int(syscall.EIO)
}
