package tlsnames

import (
	"fmt"

	"github.com/tlskit/tlskit/internal/engine"
)

// DTLS wire versions (RFC 6347 §4.1), which the engine does not name.
const (
	VersionDTLS10 uint16 = 0xfeff
	VersionDTLS12 uint16 = 0xfefd
)

// versionSSL30 is SSL 3.0's wire version, which openssl still names.
const versionSSL30 uint16 = 0x0300

type version struct {
	v    uint16
	name string // SSL_get_version and -min_protocol spelling
	msg  string // spelling in -msg lines
}

var versionTable = []version{
	{versionSSL30, "SSLv3", "SSL 3.0"},
	{engine.VersionTLS10, "TLSv1", "TLS 1.0"},
	{engine.VersionTLS11, "TLSv1.1", "TLS 1.1"},
	{engine.VersionTLS12, "TLSv1.2", "TLS 1.2"},
	{engine.VersionTLS13, "TLSv1.3", "TLS 1.3"},
	{VersionDTLS10, "DTLSv1", "DTLS 1.0"},
	{VersionDTLS12, "DTLSv1.2", "DTLS 1.2"},
}

// ParseVersion parses a -min_protocol value; see ParseVersionFor.
func ParseVersion(s string) (uint16, error) { return ParseVersionFor("-min_protocol", s) }

// ParseVersionFor parses a -min_protocol/-max_protocol value for option
// opt (named in the error). It accepts exactly openssl's spellings,
// case sensitive: None (returned as 0, meaning no bound), SSLv3, TLSv1,
// TLSv1.1, TLSv1.2, TLSv1.3, DTLSv1, DTLSv1.2. "TLSv1.0" is refused, as
// openssl refuses it. Whether a DTLS value suits a TLS method is the
// caller's check.
func ParseVersionFor(opt, s string) (uint16, error) {
	if s == "None" {
		return 0, nil
	}
	for _, v := range versionTable {
		if v.name == s {
			return v.v, nil
		}
	}
	return 0, &ConfError{Option: opt, Arg: s}
}

// VersionName returns openssl's name for v as in `Protocol  : TLSv1.2`:
// TLS 1.0 is "TLSv1". Unknown versions give "unknown", as SSL_get_version does.
func VersionName(v uint16) string {
	for _, e := range versionTable {
		if e.v == v {
			return e.name
		}
	}
	return "unknown"
}

// VersionMsgName returns the version as -msg lines print it, e.g.
// "TLS 1.3" in `>>> TLS 1.3, Handshake [length 00dc], ClientHello`.
// Unknown versions give "0xNNNN".
func VersionMsgName(v uint16) string {
	for _, e := range versionTable {
		if e.v == v {
			return e.msg
		}
	}
	return fmt.Sprintf("0x%04x", v)
}
