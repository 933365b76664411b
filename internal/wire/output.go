package wire

import (
	"fmt"
	"strings"
)

// Fake BIO addresses for -debug: OpenSSL prints real pointers, which no
// script can depend on, so fixed values keep output reproducible.
const (
	debugBIO      = 0x55d0c0a0b180
	debugReadBuf  = 0x55d0c0a0c083
	debugWriteBuf = 0x55d0c0a0d0a0
	debugDrainBuf = 0x55d0c0a060a0 // s_client's own buffer
)

// msgVersion is the version -msg shows on message lines: the negotiated
// one, or before ServerHello the local end's highest.
func (ob *Observer) msgVersion() uint16 {
	switch {
	case ob.version != 0:
		return ob.version
	case ob.o.MaxVersion != 0:
		return ob.o.MaxVersion
	case ob.o.Client && ob.helloMax != 0:
		return ob.helloMax
	}
	return 0x0304
}

func arrow(h *half) string {
	if h.sent {
		return ">>>"
	}
	return "<<<"
}

// msgRecordHeader prints -msg's RecordHeader pseudo-message, which
// OpenSSL shows before every record's content.
func (ob *Observer) msgRecordHeader(h *half, hdr []byte) {
	if ob.o.Msg == nil {
		return
	}
	var sb strings.Builder
	v := uint16(hdr[1])<<8 | uint16(hdr[2])
	if name := versionName(v); name != "???" {
		fmt.Fprintf(&sb, "%s %s, RecordHeader [length %04x]\n", arrow(h), name, len(hdr))
	} else {
		// openssl's words for a header it cannot place (256: its
		// pseudo content type for record headers).
		fmt.Fprintf(&sb, "%s Not TLS data or unknown version (version=%d, content_type=256) [length %04x]\n", arrow(h), v, len(hdr))
	}
	writeMsgHex(&sb, hdr)
	ob.o.Msg.Write([]byte(sb.String()))
}

// msgInner prints the inner content type of a TLS 1.3 record. OpenSSL
// labels the ones it sends TLS 1.2 (the record layer's version) and the
// ones it receives TLS 1.3.
func (ob *Observer) msgInner(h *half, typ uint8) {
	if ob.o.Msg == nil {
		return
	}
	v := uint16(0x0304)
	if h.sent {
		v = 0x0303
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s %s, InnerContent [length 0001]\n", arrow(h), versionName(v))
	writeMsgHex(&sb, []byte{typ})
	ob.o.Msg.Write([]byte(sb.String()))
}

// msgLine prints one -msg message line and its hex dump.
func (ob *Observer) msgLine(h *half, typ uint8, data []byte, suffix string) {
	ob.msgLineVersion(h, ob.msgVersion(), typ, data, suffix)
}

// msgLineVersion is msgLine showing version v.
func (ob *Observer) msgLineVersion(h *half, v uint16, typ uint8, data []byte, suffix string) {
	if ob.o.Msg == nil {
		return
	}
	var sb strings.Builder
	if name := versionName(v); name != "???" {
		fmt.Fprintf(&sb, "%s %s, %s [length %04x]%s\n", arrow(h), name,
			contentTypeName(typ), len(data), suffix)
	} else {
		// An alert answering a record of an unknown version, which
		// openssl adopted (engine: adoptRefusedVersion).
		fmt.Fprintf(&sb, "%s Not TLS data or unknown version (version=%d, content_type=%d) [length %04x]\n",
			arrow(h), v, typ, len(data))
	}
	writeMsgHex(&sb, data)
	ob.o.Msg.Write([]byte(sb.String()))
}

func (ob *Observer) tracef(format string, args ...any) {
	if ob.o.Trace != nil {
		fmt.Fprintf(ob.o.Trace, format, args...)
	}
}

func (ob *Observer) traceRecordHeader(h *half, hdr []byte) {
	if ob.o.Trace == nil {
		return
	}
	dir := "Received"
	if h.sent {
		dir = "Sent"
	}
	v := uint16(hdr[1])<<8 | uint16(hdr[2])
	name := versionName(v)
	if name == "???" {
		name = "UNKNOWN"
	}
	ob.tracef("%s Record\nHeader:\n  Version = %s (0x%x)\n  Content Type = %s (%d)\n  Length = %d\n",
		dir, name, v, contentTypeName(hdr[0]), hdr[0], int(hdr[3])<<8|int(hdr[4]))
}

func (ob *Observer) traceInner(typ uint8) {
	ob.tracef("  Inner Content Type = %s (%d)\n", contentTypeName(typ), typ)
}

func (ob *Observer) statef(format string, args ...any) {
	if ob.o.State != nil {
		fmt.Fprintf(ob.o.State, format, args...)
	}
}

// state prints one -state line with OpenSSL's SSL_connect:/SSL_accept:
// prefix.
func (ob *Observer) state(s string) {
	if ob.o.State == nil {
		return
	}
	who := "SSL_accept"
	if ob.o.Client {
		who = "SSL_connect"
	}
	fmt.Fprintf(ob.o.State, "%s:%s\n", who, s)
}

// begin prints the state openssl reports as SSL_connect/SSL_accept
// starts, before the first record either way; a server reports it again
// when it has read the ClientHello's header (flushed with the pending
// lines).
func (ob *Observer) begin() {
	if ob.started {
		return
	}
	ob.started = true
	ob.state("before SSL initialization")
	if !ob.o.Client {
		ob.later("before SSL initialization")
	}
}

// later queues -state lines that openssl prints only when its state
// machine next moves: when it has read the next message's header (after
// that message's record header on -msg), or when it starts writing. Until
// then the verify callback's lines and the next record header come first;
// a handshake that fails meanwhile never prints them.
func (ob *Observer) later(s ...string) {
	if ob.o.State != nil {
		ob.pending = append(ob.pending, s...)
	}
}

// flush prints the queued -state lines.
func (ob *Observer) flush() {
	for _, s := range ob.pending {
		ob.state(s)
	}
	ob.pending = ob.pending[:0]
}

// drop forgets the queued -state lines: the handshake failed before
// openssl's state machine moved on.
func (ob *Observer) drop() { ob.pending = ob.pending[:0] }

// HandshakeFailed prints -state's line for SSL_connect or SSL_accept
// returning an error ("error in error": openssl's state machine is in its
// error state by then), and forgets the queued lines.
func (ob *Observer) HandshakeFailed() {
	ob.mu.Lock()
	defer ob.mu.Unlock()
	ob.printDue()
	ob.begin()
	ob.drop()
	ob.state("error in error")
}

// earlyCCS reports whether a ChangeCipherSpec sent now is a client's
// before the server said anything: one that follows a ClientHello with
// early data (RFC 8446 §D.4).
func (ob *Observer) earlyCCS() bool { return ob.o.Client && ob.half[0].processed == 0 }

func (ob *Observer) stateCCS(h *half) {
	if h.sent {
		ob.state("SSLv3/TLS write change cipher spec")
		if ob.earlyCCS() {
			// openssl's state machine moves on to its early data state,
			// reported twice, and no longer waits with "write client
			// hello" (measured with s_client -early_data -state).
			ob.earlyData = true
			ob.state("TLSv1.3 early data")
			ob.state("TLSv1.3 early data")
		}
	} else {
		ob.flush()
		ob.later("SSLv3/TLS read change cipher spec")
	}
}

// stateMessage prints the state OpenSSL's state machine reports after
// handling a message of type t (observed from openssl 3.0 -state).
func (ob *Observer) stateMessage(h *half, t uint8) {
	if !h.sent && t == hsFinished {
		defer func() { ob.peerFinished = true }()
	}
	if ob.o.State == nil {
		return
	}
	tls13 := ob.version == 0x0304
	if t == hsKeyUpdate {
		// RFC 8446 section 4.6.3; names as openssl 3.0 prints them.
		dir, who := "read", "server"
		if h.sent {
			dir = "write"
		}
		if ob.o.Client == h.sent {
			who = "client"
		}
		// openssl's state machine leaves its "finished" state for the
		// message, and reports that state twice before one it reads,
		// once before one it writes (measured on both sides).
		ob.state("SSL negotiation finished successfully")
		if !h.sent {
			ob.state("SSL negotiation finished successfully")
		}
		ob.state("TLSv1.3 " + dir + " " + who + " key update")
		return
	}
	if !ob.o.Client && !h.sent && t == hsClientHello && ob.done && !tls13 {
		// A renegotiation, which the engine refuses with a warning
		// no_renegotiation: openssl reports its "finished" state twice,
		// the alert, then reading the ClientHello (see alert).
		ob.state("SSL negotiation finished successfully")
		ob.state("SSL negotiation finished successfully")
		ob.renegHello = true
		return
	}
	w := func(s ...string) {
		for _, x := range s {
			ob.state(x)
		}
	}
	// A received message's line waits for openssl's next move, unless the
	// message ended the handshake.
	r := w
	if !h.sent && !ob.done {
		r = ob.later
	}
	// A post-handshake authentication (RFC 8446 §4.6.2) restarts
	// openssl's state machine from "finished" on the side that reads
	// its first message, as a ticket does.
	if tls13 && !h.sent && ob.half[0].finished && ob.half[1].finished &&
		((ob.o.Client && t == hsCertificateRequest) || (!ob.o.Client && t == hsCertificate)) {
		w("SSL negotiation finished successfully", "SSL negotiation finished successfully")
	}
	switch {
	case ob.o.Client && !h.sent:
		switch t {
		case hsServerHello:
			r("SSLv3/TLS read server hello")
		case hsEncryptedExtensions:
			r("TLSv1.3 read encrypted extensions")
		case hsCertificate:
			r("SSLv3/TLS read server certificate")
		case hsCertificateRequest:
			r("SSLv3/TLS read server certificate request")
		case hsServerKeyExchange:
			r("SSLv3/TLS read server key exchange")
		case hsServerHelloDone:
			r("SSLv3/TLS read server done")
		case hsCertificateVerify:
			r("TLSv1.3 read server certificate verify")
		case hsCertificateStatus:
			r("SSLv3/TLS read certificate status")
		case hsFinished:
			r("SSLv3/TLS read finished")
		case hsNewSessionTicket:
			if tls13 {
				r("SSL negotiation finished successfully", "SSL negotiation finished successfully")
			}
			r("SSLv3/TLS read server session ticket")
		}
	case ob.o.Client:
		if ob.earlyData && ob.peerFinished {
			// After the server's Finished, a client that sent early data
			// passes this state whether the server took the data
			// (EndOfEarlyData follows) or not (measured).
			ob.earlyData = false
			w("TLSv1.3 pending early data end")
		}
		switch t {
		case hsClientHello:
			// The second line is the read side's, once the answer's
			// header is in.
			w("SSLv3/TLS write client hello")
			ob.later("SSLv3/TLS write client hello")
		case hsCertificate:
			w("SSLv3/TLS write client certificate")
		case hsClientKeyExchange:
			w("SSLv3/TLS write client key exchange")
		case hsCertificateVerify:
			w("SSLv3/TLS write certificate verify")
		case hsEndOfEarlyData:
			w("TLSv1.3 write end of early data")
		case hsFinished:
			w("SSLv3/TLS write finished")
			if !tls13 && !ob.peerFinished {
				// A full handshake's client Finished is followed by a
				// wait for the server's; a resumption ends with it.
				ob.later("SSLv3/TLS write finished")
			}
		}
	case !h.sent:
		switch t {
		case hsClientHello:
			r("SSLv3/TLS read client hello")
		case hsCertificate:
			r("SSLv3/TLS read client certificate")
		case hsClientKeyExchange:
			r("SSLv3/TLS read client key exchange")
		case hsCertificateVerify:
			r("SSLv3/TLS read certificate verify")
		case hsFinished:
			r("SSLv3/TLS read finished")
		}
	default:
		switch t {
		case hsServerHello:
			w("SSLv3/TLS write server hello")
		case hsEncryptedExtensions:
			w("TLSv1.3 write encrypted extensions")
		case hsCertificateRequest:
			w("SSLv3/TLS write certificate request")
		case hsCertificate:
			w("SSLv3/TLS write certificate")
		case hsServerKeyExchange:
			w("SSLv3/TLS write key exchange")
		case hsServerHelloDone:
			w("SSLv3/TLS write server done")
			ob.later("SSLv3/TLS write server done")
		case hsCertificateVerify:
			w("TLSv1.3 write server certificate verify")
		case hsFinished:
			w("SSLv3/TLS write finished")
			if tls13 {
				w("TLSv1.3 early data")
				ob.later("TLSv1.3 early data")
			} else if !ob.peerFinished {
				// A resumption's server Finished comes first and waits
				// for the client's.
				ob.later("SSLv3/TLS write finished")
			}
		case hsNewSessionTicket:
			w("SSLv3/TLS write session ticket")
		}
	}
}

// extDebug prints -tlsextdebug's view of the peer's extensions.
func (ob *Observer) extDebug(who string, exts []Ext) {
	if ob.o.TLSExtDebug == nil {
		return
	}
	var sb strings.Builder
	for _, e := range exts {
		fmt.Fprintf(&sb, "TLS %s extension \"%s\" (id=%d), len=%d\n", who, debugExtName(uint16(e.Type)), e.Type, len(e.Data))
		writeDump(&sb, e.Data, 0)
	}
	ob.o.TLSExtDebug.Write([]byte(sb.String()))
}

// debugRead prints -debug's view of one received record's header or
// body, as OpenSSL's two reads per record show it.
func (ob *Observer) debugRead(h *half, b []byte, body bool) {
	if ob.o.Debug == nil || h.sent || (body && len(b) == 0) {
		return
	}
	var sb strings.Builder
	buf := debugReadBuf
	if body {
		buf += 5
	}
	fmt.Fprintf(&sb, "read from 0x%x [0x%x] (%d bytes => %d (0x%X))\n", debugBIO, buf, len(b), len(b), len(b))
	writeDump(&sb, b, 0)
	ob.o.Debug.Write([]byte(sb.String()))
}

// debugDrain prints one read of the socket after this end's
// close_notify (see Drain): b, or the end of the stream when b is empty.
func (ob *Observer) debugDrain(b []byte) {
	var sb strings.Builder
	if len(b) == 0 {
		fmt.Fprintf(&sb, "read from 0x%x [0x%x] (8192 bytes => 0)\n", debugBIO, debugDrainBuf)
	} else {
		fmt.Fprintf(&sb, "read from 0x%x [0x%x] (8192 bytes => %d (0x%X))\n", debugBIO, debugDrainBuf, len(b), len(b))
		writeDump(&sb, b, 0)
	}
	ob.o.Debug.Write([]byte(sb.String()))
}

// debugEOF prints the read that found the connection closed.
func (ob *Observer) debugEOF() {
	fmt.Fprintf(ob.o.Debug, "read from 0x%x [0x%x] (5 bytes => 0)\n", debugBIO, debugReadBuf)
}

func (ob *Observer) debugWrite(p []byte, n int) {
	var sb strings.Builder
	if n <= 0 {
		// A failed write: openssl's BIO callback shows -1 and no dump.
		fmt.Fprintf(&sb, "write to 0x%x [0x%x] (%d bytes => -1)\n", debugBIO, debugWriteBuf, len(p))
	} else {
		fmt.Fprintf(&sb, "write to 0x%x [0x%x] (%d bytes => %d (0x%X))\n", debugBIO, debugWriteBuf, len(p), n, n)
		writeDump(&sb, p[:n], 0)
	}
	ob.o.Debug.Write([]byte(sb.String()))
}
