package wire

import (
	"bytes"
	"strings"

	"github.com/tlskit/tlskit/internal/engine/msg"
	"github.com/tlskit/tlskit/internal/engine/suites"
)

// handshake interprets one whole handshake message m (header included).
func (ob *Observer) handshake(h *half, m []byte) {
	typ, body := m[0], m[4:]
	if !h.sent {
		// openssl has read this message's header: its state machine
		// moves on from the message before.
		ob.flush()
	}
	// Parse the hellos before printing: the -msg line of a ServerHello
	// already shows the version it negotiates. Extension lines follow
	// the message line, as OpenSSL prints them while processing it.
	var peerExts []Ext
	var mv uint16 // the version on the -msg line; 0: msgVersion's
	who := "server"
	switch typ {
	case hsClientHello:
		if m, err := msg.ParseClientHello(body); err == nil {
			ch := clientHelloSummary(m)
			ob.helloMax = ch.maxVersion()
			ob.sum.ClientHello = ch
			if !h.sent {
				peerExts, who = ch.Extensions, "client"
			}
		}
	case hsServerHello:
		if sh, err := msg.ParseServerHello(body); err == nil {
			before := ob.msgVersion()
			ob.serverHello(h, sh)
			if !h.sent {
				peerExts = sh.Extensions
				if ob.o.Client && ob.version != 0 && ob.version < 0x0304 {
					// A client's -msg line for a TLS 1.0–1.2
					// ServerHello still shows the version it had
					// before (its highest), as OpenSSL's does.
					mv = before
				}
			}
		}
	}
	if mv == 0 {
		mv = ob.msgVersion()
	}
	ob.msgLineVersion(h, mv, typeHandshake, m, ", "+handshakeName(typ))
	if ob.o.Trace != nil {
		var sb strings.Builder
		ob.traceHandshake(&sb, h, typ, body)
		sb.WriteByte('\n')
		ob.tracef("%s", sb.String())
	}
	if peerExts != nil {
		ob.extDebug(who, peerExts)
	}
	switch typ {
	case hsEncryptedExtensions:
		if m, err := msg.ParseEncryptedExtensions(body); err == nil {
			for _, e := range m.Extensions {
				ob.serverExt(e)
			}
			if !h.sent {
				ob.extDebug("server", m.Extensions)
			}
		}
	case hsCertificateRequest:
		ob.certificateRequest(h, body)
	case hsServerKeyExchange:
		ob.serverKeyExchange(body)
	case hsCertificateVerify:
		if !h.sent {
			ob.certificateVerify(body)
		}
	case hsFinished:
		if !h.finished {
			h.hsBytes = h.processed
		}
		h.finished = true
		ob.checkDone(h)
	case hsNewSessionTicket:
		ob.newSessionTicket(body)
	}
	ob.stateMessage(h, typ)
}

// v2ClientHello shows an SSL 2.0-format ClientHello (RFC 5246 Appendix
// E.2) as openssl s_server 3.0 does (measured with a hand-made one): -msg
// prints it under version 2 and content type 0, "Not TLS data or unknown
// version", without a record header, -trace an empty line, -debug two
// reads (five bytes, then the rest) and -state reads a client hello.
func (ob *Observer) v2ClientHello(h *half, m []byte) {
	h.processed += int64(2 + len(m))
	// -debug: openssl reads five bytes, as for a record header, then
	// the rest.
	ob.debugRecordHeader(h)
	h.skip = 2 + len(m) - 5
	ob.debugBody(h)
	ob.flush()
	if ch, err := msg.ParseV2ClientHello(m); err == nil {
		sum := clientHelloSummary(ch)
		ob.helloMax = sum.maxVersion()
		ob.sum.ClientHello = sum
	}
	ob.msgLineVersion(h, sslV2, typeV2ClientHello, m, "")
	// -trace has no words for it: openssl prints an empty line.
	ob.tracef("\n")
	ob.stateMessage(h, hsClientHello)
}

func (ob *Observer) serverHello(h *half, sh *msg.ServerHello) {
	hrr := sh.IsHelloRetryRequest()
	ob.suite = sh.CipherSuite
	ob.sum.CipherSuite = sh.CipherSuite
	ob.sum.HelloRetry = ob.sum.HelloRetry || hrr
	if g := serverHelloGroup(sh); g != 0 && !hrr {
		ob.sum.ServerTempKeyGroup = g
	}
	if hrr {
		// RFC 8446 section 4.1.4: a second ClientHello follows in
		// plaintext; nothing is negotiated yet.
		for _, e := range sh.Extensions {
			ob.sum.ServerExtensions = append(ob.sum.ServerExtensions, Ext{Type: e.Type, Data: bytes.Clone(e.Data)})
		}
		return
	}
	v := serverHelloVersion(sh)
	ob.version = v
	ob.sum.Version = v
	ob.sum.SessionID = bytes.Clone(sh.SessionID)
	ob.sum.ServerExtensions = nil
	for _, e := range sh.Extensions {
		ob.serverExt(e)
	}
}

func (ob *Observer) serverExt(e Ext) {
	ob.sum.ServerExtensions = append(ob.sum.ServerExtensions, Ext{Type: e.Type, Data: bytes.Clone(e.Data)})
	switch e.Type {
	case msg.ExtRenegotiationInfo:
		ob.sum.SecureRenegotiation = true
	case msg.ExtExtendedMasterSecret:
		ob.sum.ExtendedMasterSecret = true
	case msg.ExtALPN:
		// The server's ALPN names one protocol (RFC 7301 section 3.1).
		if p, err := msg.ParseALPN(e.Data); err == nil {
			ob.sum.ALPN = p[0]
		}
	}
}

// checkDone marks the handshake complete once both Finished messages
// (TLS 1.2) or the client's Finished (TLS 1.3) went by. Each direction's
// handshake byte count stops at its own Finished record, so tickets sent
// after it are not counted, as in OpenSSL's report.
func (ob *Observer) checkDone(h *half) {
	if ob.done {
		return
	}
	if ob.version == 0x0304 {
		if !ob.clientDir(h) {
			return
		}
	} else if !ob.half[0].finished || !ob.half[1].finished {
		return
	}
	ob.done = true
	ob.sum.HandshakeDone = true
	ob.sum.HandshakeBytesRead = ob.half[0].hsBytes
	ob.sum.HandshakeBytesWritten = ob.half[1].hsBytes
}

// certificateRequest records a CertificateRequest for the report and, in
// TLS 1.3, shows a received one's extensions to -tlsextdebug.
func (ob *Observer) certificateRequest(h *half, body []byte) {
	cr := &CertificateRequest{}
	if ob.version == 0x0304 {
		m, err := msg.ParseCertificateRequest(body)
		if err != nil {
			return
		}
		if d, ok := m.Extensions.Find(msg.ExtSignatureAlgorithms); ok {
			cr.SigAlgs, _ = msg.ParseUint16List(d)
		}
		if d, ok := m.Extensions.Find(msg.ExtCertificateAuthorities); ok {
			cr.CANames, _ = msg.ParseCertificateAuthorities(d)
		}
		cr.CANames = cloneAll(cr.CANames)
		ob.sum.CertificateRequest = cr
		if !h.sent {
			// openssl lists a TLS 1.3 CertificateRequest's extensions too.
			ob.extDebug("server", m.Extensions)
		}
		return
	}
	m, err := msg.ParseCertificateRequest12(body, ob.version == 0x0303)
	if err != nil {
		return
	}
	cr.CertTypes = bytes.Clone(m.CertTypes)
	cr.SigAlgs = m.Schemes
	cr.CANames = cloneAll(m.CANames)
	ob.sum.CertificateRequest = cr
}

func cloneAll(bs [][]byte) [][]byte {
	var out [][]byte
	for _, b := range bs {
		out = append(out, bytes.Clone(b))
	}
	return out
}

// kxECDHE and kxDHE classify TLS 1.2 suites by key exchange.
func kxECDHE(s uint16) bool { return s>>8 == 0xc0 || s == 0xcca8 || s == 0xcca9 }
func kxDHE(s uint16) bool {
	switch s {
	case 0x0033, 0x0039, 0x0067, 0x006b, 0x009e, 0x009f, 0xccaa:
		return true
	}
	return false
}

// keyExchange is the codec's key exchange kind of the negotiated suite.
func (ob *Observer) keyExchange() msg.KeyExchange {
	if su, ok := suites.Lookup12(ob.suite); ok {
		return su.Kx
	}
	switch {
	case kxECDHE(ob.suite):
		return msg.KxECDHE
	case kxDHE(ob.suite):
		return msg.KxDHE
	}
	return msg.KxRSA
}

// serverKeyExchange takes the curve and signature scheme from a TLS 1.2
// ECDHE or DHE ServerKeyExchange (RFC 8422 section 5.4, RFC 5246
// section 7.4.3).
func (ob *Observer) serverKeyExchange(body []byte) {
	m, err := msg.ParseServerKeyExchange(body, ob.keyExchange(), ob.version == 0x0303)
	if err != nil {
		return
	}
	if m.Kind.Ephemeral() == msg.KxECDHE {
		ob.sum.ServerTempKeyGroup = m.Group
	}
	if m.HasScheme {
		ob.sum.PeerSigScheme = m.Scheme
	}
}

// certificateVerify takes the peer's signature scheme (TLS 1.2 and 1.3;
// TLS 1.0 and 1.1 name none).
func (ob *Observer) certificateVerify(body []byte) {
	switch {
	case ob.version == 0x0304:
		if m, err := msg.ParseCertificateVerify(body); err == nil {
			ob.sum.PeerSigScheme = m.Scheme
		}
	case ob.version == 0x0303:
		if m, err := msg.ParseCertificateVerify12(body, true); err == nil {
			ob.sum.PeerSigScheme = m.Scheme
		}
	}
}

func (ob *Observer) newSessionTicket(body []byte) {
	if ob.version != 0x0304 {
		// RFC 5077 section 3.3.
		if m, err := msg.ParseNewSessionTicket12(body); err == nil {
			ob.sum.TicketLifetimeHint = m.LifetimeHint
			ob.sum.Ticket = bytes.Clone(m.Ticket)
		}
		return
	}
	m, err := msg.ParseNewSessionTicket(body)
	if err != nil || ob.ticketFn == nil {
		return
	}
	t := NewSessionTicket{Lifetime: m.Lifetime, AgeAdd: m.AgeAdd,
		Nonce: bytes.Clone(m.Nonce), Ticket: bytes.Clone(m.Ticket)}
	if d, ok := m.Extensions.Find(msg.ExtEarlyData); ok {
		t.MaxEarly, _ = msg.ParseEarlyDataTicket(d)
	}
	ob.tickets = append(ob.tickets, t)
}
