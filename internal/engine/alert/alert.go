// Package alert names TLS alerts (RFC 8446 §6, RFC 5246 §7.2) and carries
// the one an engine layer decided to send, so the record layer and the
// codecs can say which alert a fault deserves without knowing connections.
package alert

import "strconv"

// Level is an alert's level byte (RFC 8446 §6: warning 1, fatal 2).
type Level uint8

// Alert levels.
const (
	Warning Level = 1
	Fatal   Level = 2
)

func (l Level) String() string {
	switch l {
	case Warning:
		return "warning"
	case Fatal:
		return "fatal"
	}
	return "unknown level " + strconv.Itoa(int(l))
}

// Desc is an alert description (RFC 8446 §6, with RFC 5246's and RFC
// 7507's additions). A Desc is an error: a layer that returns one asks the
// connection to send it as a fatal alert.
type Desc uint8

// Alert descriptions.
const (
	CloseNotify                  Desc = 0
	UnexpectedMessage            Desc = 10
	BadRecordMAC                 Desc = 20
	DecryptionFailed             Desc = 21
	RecordOverflow               Desc = 22
	DecompressionFailure         Desc = 30
	HandshakeFailure             Desc = 40
	NoCertificate                Desc = 41
	BadCertificate               Desc = 42
	UnsupportedCertificate       Desc = 43
	CertificateRevoked           Desc = 44
	CertificateExpired           Desc = 45
	CertificateUnknown           Desc = 46
	IllegalParameter             Desc = 47
	UnknownCA                    Desc = 48
	AccessDenied                 Desc = 49
	DecodeError                  Desc = 50
	DecryptError                 Desc = 51
	ExportRestriction            Desc = 60
	ProtocolVersion              Desc = 70
	InsufficientSecurity         Desc = 71
	InternalError                Desc = 80
	InappropriateFallback        Desc = 86
	UserCanceled                 Desc = 90
	NoRenegotiation              Desc = 100
	MissingExtension             Desc = 109
	UnsupportedExtension         Desc = 110
	CertificateUnobtainable      Desc = 111
	UnrecognizedName             Desc = 112
	BadCertificateStatusResponse Desc = 113
	BadCertificateHashValue      Desc = 114
	UnknownPSKIdentity           Desc = 115
	CertificateRequired          Desc = 116
	NoApplicationProtocol        Desc = 120
)

type names struct{ short, long string }

// table holds the RFC name and OpenSSL's long text
// (SSL_alert_desc_string_long, as printed in "ssl/tls alert <text>" and in
// -msg/-state lines) of each description, indexed by it; unnamed
// descriptions have empty entries. An array rather than a map: the linker
// lays it out, so nothing is built when the program starts.
var table = [...]names{
	CloseNotify:                  {"close_notify", "close notify"},
	UnexpectedMessage:            {"unexpected_message", "unexpected_message"},
	BadRecordMAC:                 {"bad_record_mac", "bad record mac"},
	DecryptionFailed:             {"decryption_failed", "decryption failed"},
	RecordOverflow:               {"record_overflow", "record overflow"},
	DecompressionFailure:         {"decompression_failure", "decompression failure"},
	HandshakeFailure:             {"handshake_failure", "handshake failure"},
	NoCertificate:                {"no_certificate", "no certificate"},
	BadCertificate:               {"bad_certificate", "bad certificate"},
	UnsupportedCertificate:       {"unsupported_certificate", "unsupported certificate"},
	CertificateRevoked:           {"certificate_revoked", "certificate revoked"},
	CertificateExpired:           {"certificate_expired", "certificate expired"},
	CertificateUnknown:           {"certificate_unknown", "certificate unknown"},
	IllegalParameter:             {"illegal_parameter", "illegal parameter"},
	UnknownCA:                    {"unknown_ca", "unknown CA"},
	AccessDenied:                 {"access_denied", "access denied"},
	DecodeError:                  {"decode_error", "decode error"},
	DecryptError:                 {"decrypt_error", "decrypt error"},
	ExportRestriction:            {"export_restriction", "export restriction"},
	ProtocolVersion:              {"protocol_version", "protocol version"},
	InsufficientSecurity:         {"insufficient_security", "insufficient security"},
	InternalError:                {"internal_error", "internal error"},
	InappropriateFallback:        {"inappropriate_fallback", "inappropriate fallback"},
	UserCanceled:                 {"user_canceled", "user canceled"},
	NoRenegotiation:              {"no_renegotiation", "no renegotiation"},
	MissingExtension:             {"missing_extension", "missing extension"},
	UnsupportedExtension:         {"unsupported_extension", "unsupported extension"},
	CertificateUnobtainable:      {"certificate_unobtainable", "certificate unobtainable"},
	UnrecognizedName:             {"unrecognized_name", "unrecognized name"},
	BadCertificateStatusResponse: {"bad_certificate_status_response", "bad certificate status response"},
	BadCertificateHashValue:      {"bad_certificate_hash_value", "bad certificate hash value"},
	UnknownPSKIdentity:           {"unknown_psk_identity", "unknown PSK identity"},
	CertificateRequired:          {"certificate_required", "certificate required"},
	NoApplicationProtocol:        {"no_application_protocol", "no application protocol"},
}

// String is the RFC name, e.g. "decode_error".
func (d Desc) String() string {
	if n, ok := lookup(d); ok {
		return n.short
	}
	return "alert(" + strconv.Itoa(int(d)) + ")"
}

// Long is OpenSSL's text for the description, e.g. "decode error".
func (d Desc) Long() string {
	if n, ok := lookup(d); ok {
		return n.long
	}
	return "unknown"
}

func lookup(d Desc) (names, bool) {
	if int(d) < len(table) && table[d].short != "" {
		return table[d], true
	}
	return names{}, false
}

// Error makes a Desc usable as the error of a layer that wants this alert
// sent.
func (d Desc) Error() string { return "tls: " + d.String() }

// Fault is a Desc with the reason OpenSSL gives for it (the text of its
// error line, e.g. "wrong version number", "record layer failure"), so
// the commands can print what openssl prints.
type Fault struct {
	Desc   Desc
	Reason string
	// Silent ends the connection without sending any alert (OpenSSL's
	// SSL_AD_NO_ALERT): the peer does not speak TLS, so an alert record
	// would mean nothing to it. Desc is then only what errors.As finds.
	Silent bool
	// Func is the OpenSSL function that raises the fault, when its
	// reason text alone would name another (e.g. "data length too long"
	// of a PSK identity rather than of a record); empty otherwise.
	Func string
	// Provider, when set, is the function of openssl's cipher provider
	// that reports the failure before the fault's own line ("cipher
	// operation failed"), as openssl 3.0 queues it for a record that does
	// not decrypt with some ciphers (ossl_gcm_stream_update for TLS 1.2's
	// AES-GCM).
	Provider string
	// Preceding are lines OpenSSL queues before the fault's own, oldest
	// first, as function and reason text (a helper's failure before its
	// caller's "internal error").
	Preceding [][2]string
	// RecordVersion, when set, is the version of a record refused for its
	// content type. Before the version is agreed OpenSSL takes that
	// version for its own: its alert is labelled with it on -msg and
	// written in a record of that version (see the engine's failLocked).
	RecordVersion uint16
	// Cause, when set, is the error value by which the engine names the
	// fault for callers that act on it (errors.Is finds it), so that
	// they need not match Reason's text.
	Cause error
}

// Faultf makes a Fault.
func Faultf(d Desc, reason string) *Fault { return &Fault{Desc: d, Reason: reason} }

// Silentf makes a Fault that sends no alert.
func Silentf(reason string) *Fault {
	return &Fault{Desc: ProtocolVersion, Reason: reason, Silent: true}
}

func (f *Fault) Error() string { return "tls: " + f.Reason + " (" + f.Desc.String() + ")" }

// Unwrap lets errors.As find the Desc, and errors.Is the Cause.
func (f *Fault) Unwrap() []error {
	if f.Cause != nil {
		return []error{f.Desc, f.Cause}
	}
	return []error{f.Desc}
}
