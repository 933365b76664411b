package wire

import (
	"github.com/tlskit/tlskit/internal/engine/msg"
	"github.com/tlskit/tlskit/internal/lazy"
	"github.com/tlskit/tlskit/internal/tlsnames"
)

// The tables below are the few names this package prints. They follow the
// spelling OpenSSL 3.0 uses in its -msg, -trace, -state and -tlsextdebug
// output, which differs between those modes.

// Record content types (RFC 8446 section 5.1).
const (
	typeChangeCipherSpec = 20
	typeAlert            = 21
	typeHandshake        = 22
	typeApplicationData  = 23
	typeHeartbeat        = 24
	// typeV2ClientHello is no content type: openssl's message callback
	// (and the engine's events after it) reports an SSL 2.0-format
	// ClientHello (RFC 5246 Appendix E.2) under content type 0 and
	// version 2 (sslV2).
	typeV2ClientHello = 0
)

// sslV2 is the version an SSL 2.0-format ClientHello is reported under.
const sslV2 = 2

// Handshake message types and extension code points, as the codec
// (internal/engine/msg) names them, in the integer types the tables
// below are keyed by.
const (
	hsHelloRequest        = uint8(msg.TypeHelloRequest)
	hsClientHello         = uint8(msg.TypeClientHello)
	hsServerHello         = uint8(msg.TypeServerHello)
	hsNewSessionTicket    = uint8(msg.TypeNewSessionTicket)
	hsEndOfEarlyData      = uint8(msg.TypeEndOfEarlyData)
	hsEncryptedExtensions = uint8(msg.TypeEncryptedExtensions)
	hsCertificate         = uint8(msg.TypeCertificate)
	hsServerKeyExchange   = uint8(msg.TypeServerKeyExchange)
	hsCertificateRequest  = uint8(msg.TypeCertificateRequest)
	hsServerHelloDone     = uint8(msg.TypeServerHelloDone)
	hsCertificateVerify   = uint8(msg.TypeCertificateVerify)
	hsClientKeyExchange   = uint8(msg.TypeClientKeyExchange)
	hsFinished            = uint8(msg.TypeFinished)
	hsCertificateStatus   = uint8(msg.TypeCertificateStatus)
	hsKeyUpdate           = uint8(msg.TypeKeyUpdate)
)

const (
	extServerName          = uint16(msg.ExtServerName)
	extStatusRequest       = uint16(msg.ExtStatusRequest)
	extSupportedGroups     = uint16(msg.ExtSupportedGroups)
	extECPointFormats      = uint16(msg.ExtECPointFormats)
	extSignatureAlgorithms = uint16(msg.ExtSignatureAlgorithms)
	extALPN                = uint16(msg.ExtALPN)
	extSCT                 = uint16(msg.ExtSCT)
	extPadding             = uint16(msg.ExtPadding)
	extEncryptThenMAC      = uint16(msg.ExtEncryptThenMAC)
	extExtendedMS          = uint16(msg.ExtExtendedMasterSecret)
	extSessionTicket       = uint16(msg.ExtSessionTicket)
	extPreSharedKey        = uint16(msg.ExtPreSharedKey)
	extEarlyData           = uint16(msg.ExtEarlyData)
	extSupportedVersions   = uint16(msg.ExtSupportedVersions)
	extCookie              = uint16(msg.ExtCookie)
	extPSKModes            = uint16(msg.ExtPSKKeyExchangeModes)
	extCertAuthorities     = uint16(msg.ExtCertificateAuthorities)
	extPostHandshakeAuth   = uint16(msg.ExtPostHandshakeAuth)
	extSigAlgsCert         = uint16(msg.ExtSignatureAlgorithmsCert)
	extKeyShare            = uint16(msg.ExtKeyShare)
	extRenegotiationInfo   = uint16(msg.ExtRenegotiationInfo)
)

var contentTypeNames = lazy.Value[map[uint8]string]{Build: func() map[uint8]string {
	return map[uint8]string{
		typeChangeCipherSpec: "ChangeCipherSpec",
		typeAlert:            "Alert",
		typeHandshake:        "Handshake",
		typeApplicationData:  "ApplicationData",
		typeHeartbeat:        "Heartbeat",
	}
}}

func contentTypeName(t uint8) string {
	if n, ok := contentTypeNames.Get()[t]; ok {
		return n
	}
	return "UNKNOWN"
}

var handshakeNames = lazy.Value[map[uint8]string]{Build: func() map[uint8]string {
	return map[uint8]string{
		hsHelloRequest:        "HelloRequest",
		hsClientHello:         "ClientHello",
		hsServerHello:         "ServerHello",
		3:                     "HelloVerifyRequest",
		hsNewSessionTicket:    "NewSessionTicket",
		hsEndOfEarlyData:      "EndOfEarlyData",
		hsEncryptedExtensions: "EncryptedExtensions",
		hsCertificate:         "Certificate",
		hsServerKeyExchange:   "ServerKeyExchange",
		hsCertificateRequest:  "CertificateRequest",
		hsServerHelloDone:     "ServerHelloDone",
		hsCertificateVerify:   "CertificateVerify",
		hsClientKeyExchange:   "ClientKeyExchange",
		hsFinished:            "Finished",
		hsCertificateStatus:   "CertificateStatus",
		hsKeyUpdate:           "KeyUpdate",
	}
}}

func handshakeName(t uint8) string {
	if n, ok := handshakeNames.Get()[t]; ok {
		return n
	}
	return "???"
}

// versionName is the "TLS 1.2" spelling of -msg and -trace.
func versionName(v uint16) string {
	switch v {
	case 0x0300:
		return "SSL 3.0"
	case 0x0301:
		return "TLS 1.0"
	case 0x0302:
		return "TLS 1.1"
	case 0x0303:
		return "TLS 1.2"
	case 0x0304:
		return "TLS 1.3"
	case 0xfeff:
		return "DTLS 1.0"
	case 0xfefd:
		return "DTLS 1.2"
	}
	return "???"
}

// alertNames holds the RFC 8446 section 6 names; -msg prints them as they
// are, -trace and -state with spaces.
var alertNames = lazy.Value[map[uint8]string]{Build: func() map[uint8]string {
	return map[uint8]string{
		0:   "close_notify",
		10:  "unexpected_message",
		20:  "bad_record_mac",
		21:  "decryption_failed",
		22:  "record_overflow",
		30:  "decompression_failure",
		40:  "handshake_failure",
		41:  "no_certificate",
		42:  "bad_certificate",
		43:  "unsupported_certificate",
		44:  "certificate_revoked",
		45:  "certificate_expired",
		46:  "certificate_unknown",
		47:  "illegal_parameter",
		48:  "unknown_ca",
		49:  "access_denied",
		50:  "decode_error",
		51:  "decrypt_error",
		60:  "export_restriction",
		70:  "protocol_version",
		71:  "insufficient_security",
		80:  "internal_error",
		86:  "inappropriate_fallback",
		90:  "user_canceled",
		100: "no_renegotiation",
		109: "missing_extension",
		110: "unsupported_extension",
		111: "certificate_unobtainable",
		112: "unrecognized_name",
		113: "bad_certificate_status_response",
		114: "bad_certificate_hash_value",
		115: "unknown_psk_identity",
		116: "certificate_required",
		120: "no_application_protocol",
	}
}}

func alertName(d uint8) string {
	if n, ok := alertNames.Get()[d]; ok {
		return n
	}
	return "unknown"
}

// alertLongName is the spelling of -trace and -state ("close notify").
func alertLongName(d uint8) string {
	switch d {
	case 48:
		return "unknown CA"
	case 115:
		return "unknown PSK identity"
	}
	n := []byte(alertName(d))
	for i, c := range n {
		if c == '_' {
			n[i] = ' '
		}
	}
	return string(n)
}

func alertLevelName(l uint8) string {
	switch l {
	case 1:
		return "warning"
	case 2:
		return "fatal"
	}
	return "unknown"
}

// traceExtNames is the -trace spelling of extension types.
var traceExtNames = lazy.Value[map[uint16]string]{Build: func() map[uint16]string {
	return map[uint16]string{
		extServerName:          "server_name",
		1:                      "max_fragment_length",
		2:                      "client_certificate_url",
		3:                      "trusted_ca_keys",
		4:                      "truncated_hmac",
		extStatusRequest:       "status_request",
		6:                      "user_mapping",
		7:                      "client_authz",
		8:                      "server_authz",
		9:                      "cert_type",
		extSupportedGroups:     "supported_groups",
		extECPointFormats:      "ec_point_formats",
		12:                     "srp",
		extSignatureAlgorithms: "signature_algorithms",
		14:                     "use_srtp",
		extALPN:                "application_layer_protocol_negotiation",
		extSCT:                 "signed_certificate_timestamps",
		extPadding:             "padding",
		extEncryptThenMAC:      "encrypt_then_mac",
		extExtendedMS:          "extended_master_secret",
		extSessionTicket:       "session_ticket",
		extPreSharedKey:        "psk",
		extEarlyData:           "early_data",
		extSupportedVersions:   "supported_versions",
		extCookie:              "cookie_ext",
		extPSKModes:            "psk_key_exchange_modes",
		extCertAuthorities:     "certificate_authorities",
		extPostHandshakeAuth:   "post_handshake_auth",
		extSigAlgsCert:         "signature_algorithms_cert",
		extKeyShare:            "key_share",
		extRenegotiationInfo:   "renegotiate",
		13172:                  "next_proto_neg",
	}
}}

func traceExtName(t uint16) string {
	if n, ok := traceExtNames.Get()[t]; ok {
		return n
	}
	return "UNKNOWN"
}

// debugExtNames is the -tlsextdebug spelling of extension types.
var debugExtNames = lazy.Value[map[uint16]string]{Build: func() map[uint16]string {
	return map[uint16]string{
		extServerName:          "server name",
		1:                      "max fragment length",
		2:                      "client certificate URL",
		3:                      "trusted CA keys",
		4:                      "truncated HMAC",
		extStatusRequest:       "status request",
		6:                      "user mapping",
		7:                      "client authz",
		8:                      "server authz",
		9:                      "cert type",
		extSupportedGroups:     "supported_groups",
		extECPointFormats:      "EC point formats",
		12:                     "SRP",
		extSignatureAlgorithms: "signature algorithms",
		14:                     "use SRTP",
		extALPN:                "application layer protocol negotiation",
		extSCT:                 "signed certificate timestamps",
		extPadding:             "padding",
		extEncryptThenMAC:      "encrypt-then-mac",
		extExtendedMS:          "extended master secret",
		extSessionTicket:       "session ticket",
		extPreSharedKey:        "psk",
		extEarlyData:           "early_data",
		extSupportedVersions:   "supported versions",
		extCookie:              "cookie",
		extPSKModes:            "psk kex modes",
		extCertAuthorities:     "certificate authorities",
		extPostHandshakeAuth:   "post handshake auth",
		extSigAlgsCert:         "signature algorithms cert",
		extKeyShare:            "key share",
		extRenegotiationInfo:   "renegotiation info",
		13172:                  "next protocol",
	}
}}

func debugExtName(t uint16) string {
	if n, ok := debugExtNames.Get()[t]; ok {
		return n
	}
	return "unknown"
}

// groupNames is the -trace spelling of named groups (RFC 8446 4.2.7).
var groupNames = lazy.Value[map[uint16]string]{Build: func() map[uint16]string {
	return map[uint16]string{
		1: "sect163k1 (K-163)", 2: "sect163r1", 3: "sect163r2 (B-163)",
		4: "sect193r1", 5: "sect193r2", 6: "sect233k1 (K-233)",
		7: "sect233r1 (B-233)", 8: "sect239k1", 9: "sect283k1 (K-283)",
		10: "sect283r1 (B-283)", 11: "sect409k1 (K-409)", 12: "sect409r1 (B-409)",
		13: "sect571k1 (K-571)", 14: "sect571r1 (B-571)", 15: "secp160k1",
		16: "secp160r1", 17: "secp160r2", 18: "secp192k1",
		19: "secp192r1 (P-192)", 20: "secp224k1", 21: "secp224r1 (P-224)",
		22: "secp256k1", 23: "secp256r1 (P-256)", 24: "secp384r1 (P-384)",
		25: "secp521r1 (P-521)", 26: "brainpoolP256r1", 27: "brainpoolP384r1",
		28: "brainpoolP512r1", 29: "ecdh_x25519", 30: "ecdh_x448",
		256: "ffdhe2048", 257: "ffdhe3072", 258: "ffdhe4096", 259: "ffdhe6144", 260: "ffdhe8192",
		0xff01: "arbitrary_explicit_prime_curves", 0xff02: "arbitrary_explicit_char2_curves",
	}
}}

func groupName(g uint16) string {
	if n, ok := groupNames.Get()[g]; ok {
		return n
	}
	return "UNKNOWN"
}

// sigSchemeNames is the -trace spelling of SignatureScheme values
// (RFC 8446 section 4.2.3).
var sigSchemeNames = lazy.Value[map[uint16]string]{Build: func() map[uint16]string {
	return map[uint16]string{
		0x0201: "rsa_pkcs1_sha1", 0x0202: "dsa_sha1", 0x0203: "ecdsa_sha1",
		0x0301: "rsa_pkcs1_sha224", 0x0302: "dsa_sha224", 0x0303: "ecdsa_sha224",
		0x0401: "rsa_pkcs1_sha256", 0x0402: "dsa_sha256", 0x0403: "ecdsa_secp256r1_sha256",
		0x0501: "rsa_pkcs1_sha384", 0x0502: "dsa_sha384", 0x0503: "ecdsa_secp384r1_sha384",
		0x0601: "rsa_pkcs1_sha512", 0x0602: "dsa_sha512", 0x0603: "ecdsa_secp521r1_sha512",
		0x0804: "rsa_pss_rsae_sha256", 0x0805: "rsa_pss_rsae_sha384", 0x0806: "rsa_pss_rsae_sha512",
		0x0807: "ed25519", 0x0808: "ed448",
		0x0809: "rsa_pss_pss_sha256", 0x080a: "rsa_pss_pss_sha384", 0x080b: "rsa_pss_pss_sha512",
		0x081a: "ecdsa_brainpoolP256r1_sha256", 0x081b: "ecdsa_brainpoolP384r1_sha384",
		0x081c: "ecdsa_brainpoolP512r1_sha512",
		0xeeee: "gost2012_256", 0xefef: "gost2012_512", 0xeded: "gost2001",
	}
}}

func sigSchemeName(s uint16) string {
	if n, ok := sigSchemeNames.Get()[s]; ok {
		return n
	}
	return "UNKNOWN"
}

// cipherNames is the -trace spelling of cipher suites: the IANA names.
var cipherNames = lazy.Value[map[uint16]string]{Build: func() map[uint16]string {
	return map[uint16]string{
		0x0000: "TLS_NULL_WITH_NULL_NULL",
		0x000A: "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
		0x002F: "TLS_RSA_WITH_AES_128_CBC_SHA",
		0x0033: "TLS_DHE_RSA_WITH_AES_128_CBC_SHA",
		0x0035: "TLS_RSA_WITH_AES_256_CBC_SHA",
		0x0039: "TLS_DHE_RSA_WITH_AES_256_CBC_SHA",
		0x003C: "TLS_RSA_WITH_AES_128_CBC_SHA256",
		0x003D: "TLS_RSA_WITH_AES_256_CBC_SHA256",
		0x0067: "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256",
		0x006B: "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256",
		0x009C: "TLS_RSA_WITH_AES_128_GCM_SHA256",
		0x009D: "TLS_RSA_WITH_AES_256_GCM_SHA384",
		0x009E: "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
		0x009F: "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
		0x00FF: "TLS_EMPTY_RENEGOTIATION_INFO_SCSV",
		0x1301: "TLS_AES_128_GCM_SHA256",
		0x1302: "TLS_AES_256_GCM_SHA384",
		0x1303: "TLS_CHACHA20_POLY1305_SHA256",
		0x1304: "TLS_AES_128_CCM_SHA256",
		0x1305: "TLS_AES_128_CCM_8_SHA256",
		0x5600: "TLS_FALLBACK_SCSV",
		0xC009: "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
		0xC00A: "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
		0xC012: "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA",
		0xC013: "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
		0xC014: "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
		0xC023: "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
		0xC024: "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384",
		0xC027: "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
		0xC028: "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
		0xC02B: "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
		0xC02C: "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
		0xC02F: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
		0xC030: "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
		0xCCA8: "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
		0xCCA9: "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
		0xCCAA: "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
	}
}}

// cipherName is -trace's name for a suite: the table above, then the RFC
// name of any suite openssl knows (its PSK, CCM, ARIA, Camellia... suites,
// which it names as tlsnames does: all 152 checked against openssl
// s_client -trace's ClientHello for 'ALL:COMPLEMENTOFALL' with -psk).
func cipherName(c uint16) string {
	if n, ok := cipherNames.Get()[c]; ok {
		return n
	}
	if cs, ok := tlsnames.CipherByID(c); ok && cs.IANA != "" {
		return cs.IANA
	}
	return "UNKNOWN"
}
