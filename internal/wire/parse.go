package wire

import (
	"bytes"

	"github.com/tlskit/tlskit/internal/engine/msg"
)

// The observer reads handshake messages and extensions only through the
// engine's codec (internal/engine/msg), strictly: a message or an
// extension the codec rejects is shown as a hex dump, and what it would
// have told the Summary is left out.

// Ext is one TLS extension as it appeared on the wire.
type Ext = msg.Extension

// ClientHello is what the observer parsed from a ClientHello
// (RFC 8446 section 4.1.2), for s_server's report.
type ClientHello struct {
	LegacyVersion     uint16
	Random            []byte
	SessionID         []byte
	CipherSuites      []uint16
	Compression       []byte
	ServerName        string
	SupportedGroups   []uint16
	SignatureSchemes  []uint16
	ALPN              []string
	SupportedVersions []uint16
	ECPointFormats    []byte
	Extensions        []Ext
	HasSessionTicket  bool
	ExtendedMasterSec bool
	RenegotiationInfo bool
}

// clientHelloSummary is the report's view of a parsed ClientHello, its
// slices copied: an extension the codec rejects is left out.
func clientHelloSummary(m *msg.ClientHello) *ClientHello { return summarize(m, true) }

// summarize is clientHelloSummary, with copies of the byte slices and the
// extension list it takes from m when copied is set; without, for a
// message that stays as it is (the engine's own parse, HelloCatcher),
// the summary shares them.
func summarize(m *msg.ClientHello, copied bool) *ClientHello {
	keep := func(b []byte) []byte { return b }
	if copied {
		keep = bytes.Clone
	}
	ch := &ClientHello{
		LegacyVersion: m.Version,
		Random:        keep(m.Random),
		SessionID:     keep(m.SessionID),
		CipherSuites:  m.CipherSuites,
		Compression:   keep(m.CompressionMethods),
	}
	switch {
	case !copied:
		ch.Extensions = m.Extensions
	case len(m.Extensions) > 0:
		ch.Extensions = make([]Ext, 0, len(m.Extensions))
		for _, e := range m.Extensions {
			ch.Extensions = append(ch.Extensions, Ext{Type: e.Type, Data: keep(e.Data)})
		}
	}
	for _, e := range m.Extensions {
		d := e.Data
		switch e.Type {
		case msg.ExtServerName:
			ch.ServerName, _ = msg.ParseServerName(d)
		case msg.ExtSupportedGroups:
			ch.SupportedGroups, _ = msg.ParseUint16List(d)
		case msg.ExtSignatureAlgorithms:
			ch.SignatureSchemes, _ = msg.ParseUint16List(d)
		case msg.ExtALPN:
			ch.ALPN, _ = msg.ParseALPN(d)
		case msg.ExtSupportedVersions:
			ch.SupportedVersions, _ = msg.ParseSupportedVersionsClient(d)
		case msg.ExtECPointFormats:
			f, _ := msg.ParseUint8List(d)
			ch.ECPointFormats = keep(f)
		case msg.ExtSessionTicket:
			ch.HasSessionTicket = true
		case msg.ExtExtendedMasterSecret:
			ch.ExtendedMasterSec = true
		case msg.ExtRenegotiationInfo:
			ch.RenegotiationInfo = true
		}
	}
	for _, c := range ch.CipherSuites {
		if c == 0x00ff {
			ch.RenegotiationInfo = true
		}
	}
	return ch
}

// maxVersion is the highest version a ClientHello offers.
func (ch *ClientHello) maxVersion() uint16 {
	v := ch.LegacyVersion
	for _, s := range ch.SupportedVersions {
		if s&0x0f0f == 0x0a0a { // GREASE, RFC 8701
			continue
		}
		if s > v && s <= 0x0304 {
			v = s
		}
	}
	return v
}

// serverHelloVersion is the version a ServerHello negotiates: its
// supported_versions, else its legacy_version (RFC 8446 section 4.2.1).
func serverHelloVersion(m *msg.ServerHello) uint16 {
	if d, ok := m.Extensions.Find(msg.ExtSupportedVersions); ok {
		if v, err := msg.ParseSupportedVersionsServer(d); err == nil {
			return v
		}
	}
	return m.Version
}

// serverHelloGroup is the key_share group of a ServerHello, or the group
// a HelloRetryRequest asks for; zero when there is none.
func serverHelloGroup(m *msg.ServerHello) uint16 {
	d, ok := m.Extensions.Find(msg.ExtKeyShare)
	if !ok {
		return 0
	}
	if m.IsHelloRetryRequest() {
		g, _ := msg.ParseKeyShareHRR(d)
		return g
	}
	k, _ := msg.ParseKeyShareServer(d)
	return k.Group
}

// extensionsLen is the length of the extension block exts was read from.
func extensionsLen(exts msg.Extensions) int {
	n := 0
	for _, e := range exts {
		n += 4 + len(e.Data)
	}
	return n
}
