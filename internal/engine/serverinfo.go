package engine

import "github.com/tlskit/tlskit/internal/engine/msg"

// ServerInfo is one extension of a certificate's serverinfo, as OpenSSL's
// SSL_CTX_use_serverinfo_ex keeps them (s_server -serverinfo): a server
// sends Data, as it is, only in answer to a ClientHello that carried the
// same extension type, and only in the messages Context names.
type ServerInfo struct {
	// Context is OpenSSL's SSL_EXT_* bits (the ExtContext constants);
	// a version 1 serverinfo file's extensions get ServerInfoV1Context.
	Context uint32
	Type    uint16
	Data    []byte
}

// The SSL_EXT_* context bits of OpenSSL's custom extensions that decide
// where a ServerInfo extension goes (the values of openssl/ssl.h, which
// SERVERINFOV2 files carry).
const (
	ExtContextTLS12AndBelowOnly        uint32 = 0x0010
	ExtContextTLS13Only                uint32 = 0x0020
	ExtContextIgnoreOnResumption       uint32 = 0x0040
	ExtContextClientHello              uint32 = 0x0080
	ExtContextTLS12ServerHello         uint32 = 0x0100
	ExtContextTLS13EncryptedExtensions uint32 = 0x0400
	ExtContextTLS13Certificate         uint32 = 0x1000

	// ServerInfoV1Context is what OpenSSL gives a version 1 serverinfo
	// extension: TLS 1.0–1.2 ServerHello only, and not on resumption
	// (so a TLS 1.3 connection gets none of them).
	ServerInfoV1Context = ExtContextTLS12AndBelowOnly | ExtContextClientHello |
		ExtContextTLS12ServerHello | ExtContextIgnoreOnResumption
)

// serverInfoExts are the extensions of id's serverinfo that go into the
// message where (one of the ExtContext message bits) of a version v
// handshake, in their order: those whose type the ClientHello carried
// and whose context allows v and where (and a resumption, when resumed).
// OpenSSL puts them first in the message, before its own extensions.
// A resumption, which chose no certificate (id nil), takes the first
// identity's, as OpenSSL takes its context's current certificate.
func (c *TLSConn) serverInfoExts(id *Identity, ch *msg.ClientHello, v uint16, where uint32, resumed bool) msg.Extensions {
	if id == nil {
		ids := c.identities()
		if len(ids) == 0 {
			return nil
		}
		id = &ids[0]
	}
	var out msg.Extensions
	for _, si := range id.ServerInfo {
		ctx := si.Context
		switch {
		case ctx&where == 0, ctx&ExtContextClientHello == 0:
			continue
		case v >= VersionTLS13 && ctx&ExtContextTLS12AndBelowOnly != 0:
			continue
		case v < VersionTLS13 && ctx&ExtContextTLS13Only != 0:
			continue
		case resumed && ctx&ExtContextIgnoreOnResumption != 0:
			continue
		case !ch.Extensions.Has(msg.ExtType(si.Type)):
			continue
		}
		out = append(out, msg.Extension{Type: msg.ExtType(si.Type), Data: si.Data})
	}
	return out
}
