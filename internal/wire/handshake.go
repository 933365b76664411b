package wire

import (
	"bytes"
	"strings"
)

// handshake interprets one whole handshake message m (header included).
func (ob *Observer) handshake(h *half, m []byte) {
	typ, body := m[0], m[4:]
	// Parse the hellos before printing: the -msg line of a ServerHello
	// already shows the version it negotiates. Extension lines follow
	// the message line, as OpenSSL prints them while processing it.
	var peerExts []Ext
	var mv uint16 // the version on the -msg line; 0: msgVersion's
	who := "server"
	switch typ {
	case hsClientHello:
		if ch, ok := parseClientHello(body); ok {
			ob.clientRandom = bytes.Clone(ch.Random)
			ob.helloMax = ch.maxVersion()
			ch.Random = ob.clientRandom
			ch.SessionID = bytes.Clone(ch.SessionID)
			for i := range ch.Extensions {
				ch.Extensions[i].Data = bytes.Clone(ch.Extensions[i].Data)
			}
			ob.sum.ClientHello = ch
			ob.stateClientHello(h)
			if !h.sent {
				peerExts, who = ch.Extensions, "client"
			}
		}
	case hsServerHello:
		if sh, ok := parseServerHello(body); ok {
			before := ob.msgVersion()
			ob.serverHello(h, sh)
			if !h.sent {
				peerExts = sh.exts
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
	r := reader{b: body}
	switch typ {
	case hsEncryptedExtensions:
		exts := parseExts(r.vec16())
		for _, e := range exts {
			ob.serverExt(e)
		}
		if !h.sent {
			ob.extDebug("server", exts)
		}
	case hsCertificateRequest:
		ob.certificateRequest(body)
		if !h.sent && ob.version == 0x0304 {
			// openssl lists a TLS 1.3 CertificateRequest's extensions too.
			r.vec8()
			ob.extDebug("server", parseExts(r.vec16()))
		}
	case hsServerKeyExchange:
		ob.serverKeyExchange(body)
	case hsCertificateVerify:
		if !h.sent {
			ob.sum.PeerSigScheme = r.u16()
		}
	case hsFinished:
		if !h.finished {
			h.hsBytes = h.processed
		}
		h.finished = true
		if ob.version == 0x0304 {
			h.nextEpoch = true // RFC 8446 section 7.1: application keys next
		}
		ob.checkDone(h)
	case hsNewSessionTicket:
		ob.newSessionTicket(body)
	case hsKeyUpdate:
		h.rekey = true // RFC 8446 section 4.6.3
	}
	ob.stateMessage(h, typ)
}

func (ob *Observer) serverHello(h *half, sh *serverHello) {
	ob.serverRandom = bytes.Clone(sh.random)
	ob.suite = sh.suite
	ob.sum.CipherSuite = sh.suite
	ob.sum.HelloRetry = ob.sum.HelloRetry || sh.hrr
	if sh.keyShareGroup != 0 && !sh.hrr {
		ob.sum.ServerTempKeyGroup = sh.keyShareGroup
	}
	if sh.hrr {
		// RFC 8446 section 4.1.4: a second ClientHello follows in
		// plaintext; nothing is negotiated yet.
		for _, e := range sh.exts {
			ob.sum.ServerExtensions = append(ob.sum.ServerExtensions, Ext{e.Type, bytes.Clone(e.Data)})
		}
		return
	}
	ob.version = sh.version
	ob.sum.Version = sh.version
	ob.sum.SessionID = bytes.Clone(sh.sessionID)
	ob.sum.ServerExtensions = nil
	for _, e := range sh.exts {
		ob.serverExt(e)
	}
	if sh.version == 0x0304 {
		for _, x := range ob.half {
			x.protected = true
			x.epoch = 1
			x.keys = nil
		}
	}
}

func (ob *Observer) serverExt(e Ext) {
	ob.sum.ServerExtensions = append(ob.sum.ServerExtensions, Ext{e.Type, bytes.Clone(e.Data)})
	switch e.Type {
	case extRenegotiationInfo:
		ob.sum.SecureRenegotiation = true
	case extExtendedMS:
		ob.sum.ExtendedMasterSecret = true
	case extALPN:
		r := reader{b: e.Data}
		l := reader{b: r.vec16()}
		if p := l.vec8(); !l.bad {
			ob.sum.ALPN = string(p)
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

func (ob *Observer) certificateRequest(body []byte) {
	r := reader{b: body}
	cr := &CertificateRequest{}
	if ob.version == 0x0304 {
		r.vec8() // certificate_request_context
		for _, e := range parseExts(r.vec16()) {
			er := reader{b: e.Data}
			switch e.Type {
			case extSignatureAlgorithms:
				cr.SigAlgs = u16s(er.vec16())
			case extCertAuthorities:
				cr.CANames = splitNames(er.vec16())
			}
		}
	} else {
		cr.CertTypes = bytes.Clone(r.vec8())
		if ob.version == 0x0303 {
			cr.SigAlgs = u16s(r.vec16())
		}
		cr.CANames = splitNames(r.vec16())
	}
	ob.sum.CertificateRequest = cr
}

func splitNames(b []byte) [][]byte {
	r := reader{b: b}
	var out [][]byte
	for !r.empty() && !r.bad {
		if n := r.vec16(); !r.bad {
			out = append(out, bytes.Clone(n))
		}
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

// serverKeyExchange takes the curve and signature scheme from a TLS 1.2
// ECDHE ServerKeyExchange (RFC 8422 section 5.4).
func (ob *Observer) serverKeyExchange(body []byte) {
	r := reader{b: body}
	switch {
	case kxECDHE(ob.suite):
		if r.u8() != 3 { // named_curve
			return
		}
		g := r.u16()
		r.vec8()
		ob.sum.ServerTempKeyGroup = g
	case kxDHE(ob.suite):
		r.vec16()
		r.vec16()
		r.vec16()
	default:
		return
	}
	if s := r.u16(); !r.bad && ob.version == 0x0303 {
		ob.sum.PeerSigScheme = s
	}
}

func (ob *Observer) newSessionTicket(body []byte) {
	r := reader{b: body}
	if ob.version != 0x0304 {
		// RFC 5077 section 3.3.
		life := r.u32()
		t := r.vec16()
		if !r.bad {
			ob.sum.TicketLifetimeHint = life
			ob.sum.Ticket = bytes.Clone(t)
		}
		return
	}
	t := NewSessionTicket{Lifetime: r.u32(), AgeAdd: r.u32()}
	t.Nonce = bytes.Clone(r.vec8())
	t.Ticket = bytes.Clone(r.vec16())
	for _, e := range parseExts(r.vec16()) {
		if e.Type == extEarlyData {
			er := reader{b: e.Data}
			t.MaxEarly = er.u32()
		}
	}
	if !r.bad && ob.ticketFn != nil {
		ob.tickets = append(ob.tickets, t)
	}
}
