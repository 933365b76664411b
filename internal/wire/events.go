package wire

import "github.com/tlskit/tlskit/internal/engine"

// Event prints and interprets one event of the engine's stream
// (engine.Config.OnEvent): every record header, inner content type and
// whole handshake message, in plaintext, so nothing is decrypted or
// reassembled here. A record header counts the record's bytes
// (for the report's handshake byte counts) and prints -msg's RecordHeader
// and -trace's header; an inner type, a handshake message, an alert and a
// sent ChangeCipherSpec go to their printers.
// Application data is not reported, as OpenSSL's callback does not.
//
// The engine reports a sent message's record headers and the message
// itself as one group, before its bytes are written (as OpenSSL's single
// thread does): the peer's answer, read by another goroutine, is reported
// after it, never inside it.
func (ob *Observer) Event(e engine.Event) {
	ob.mu.Lock()
	ob.event(e)
	fns := ob.takeTickets()
	ob.mu.Unlock()
	fns()
}

func (ob *Observer) event(e engine.Event) {
	ob.printDue()
	h := ob.half[0]
	if e.Sent {
		h = ob.half[1]
	}
	ob.begin()
	if e.Sent {
		switch {
		case e.ContentType == typeAlert:
			if len(e.Data) == 2 && e.Data[0] == 2 {
				ob.drop()
			}
		case e.ContentType == engine.ContentRecordHeader && len(e.Data) == 5 && e.Data[0] == typeAlert:
			// An alert's record, not a move of the state machine.
		case ob.earlyCCS() && (e.ContentType == typeChangeCipherSpec ||
			e.ContentType == engine.ContentRecordHeader && len(e.Data) == 5 && e.Data[0] == typeChangeCipherSpec):
			// The ChangeCipherSpec after a ClientHello with early data:
			// openssl's state machine goes on writing and never prints
			// its second "write client hello".
			ob.drop()
		default:
			// openssl's state machine starts writing.
			ob.flush()
		}
	} else if e.ContentType == typeAlert && len(e.Data) == 2 && e.Data[0] == 2 {
		ob.drop()
	}
	switch e.ContentType {
	case engine.ContentRecordHeader:
		if len(e.Data) == 5 {
			if e.Data[1] == 3 {
				// Not a refused non-TLS header, which counts as read
				// only in part.
				h.processed += int64(5 + recLen(e.Data))
			}
			if !h.sent {
				ob.debugRecordHeader(h)
			}
			ob.msgRecordHeader(h, e.Data)
			ob.traceRecordHeader(h, e.Data)
			if !h.sent && e.Data[1] == 3 {
				h.skip = recLen(e.Data)
				ob.debugBody(h)
			}
		}
	case engine.ContentInnerType:
		if len(e.Data) == 1 {
			ob.msgInner(h, e.Data[0])
			ob.traceInner(e.Data[0])
		}
	case typeHandshake:
		if len(e.Data) >= 4 {
			ob.handshake(h, e.Data)
		}
	case typeAlert:
		if e.Sent {
			ob.sentAlert(h, e)
			break
		}
		ob.alert(h, e.Data)
	case typeChangeCipherSpec:
		ob.changeCipherSpec(h, e.Data)
	case typeV2ClientHello:
		if e.Version == sslV2 && !e.Sent {
			ob.v2ClientHello(h, e.Data)
		}
	}
}

// sentAlert reports an alert this end sends. openssl's callbacks report
// an alert once its record is written, where they report a handshake
// message (and every record's header) before: with -debug, the alert's
// -msg, -trace and -state lines come after the "write to" dump of its
// record (its record header's -msg line before it), and an alert whose
// record is not written gets no lines (openssl s_server's q, Q and end
// of input close the socket before its SSL_shutdown: -trace shows the
// close_notify record's header and inner content type, and no alert).
// So they wait for the write (wrote), or for the next thing reported;
// an observer that sees no writes (not Wrap's) prints them at once.
func (ob *Observer) sentAlert(h *half, e engine.Event) {
	data := e.Data
	version := ob.version
	if ob.version == 0 && e.Version != 0 && e.Version != ob.msgVersion() {
		// An alert before the ServerHello carries the version the
		// engine settled on, as openssl labels it: a server's
		// negotiated one (the warning unrecognized_name), or the
		// version of a record refused for its type.
		version = e.Version
	}
	report := func() {
		saved := ob.version
		ob.version = version
		ob.alert(h, data)
		ob.version = saved
	}
	if !ob.wrapped {
		report()
		return
	}
	ob.alertDue = report
}

// printAlertDue prints a sent alert's lines still waiting for its write
// (see sentAlert): after the write, or before anything else is reported
// should no write come.
func (ob *Observer) printAlertDue() {
	if f := ob.alertDue; f != nil {
		ob.alertDue = nil
		f()
	}
}

// printDue prints what waits for a write that has not returned yet: its
// -debug dump, as if written whole, then a sent alert's lines.
func (ob *Observer) printDue() {
	if p := ob.writeDue; p != nil {
		ob.writeDue = nil
		ob.debugWrite(p, len(p))
	}
	ob.printAlertDue()
}

// wrote follows a write of n bytes to the wrapped conn: its -debug dump
// shows what was written (a failed write, as openssl's "=> -1"), then a
// sent alert's lines waiting for it are printed, or, when nothing was
// written, never.
func (ob *Observer) wrote(n int) {
	ob.mu.Lock()
	defer ob.mu.Unlock()
	if p := ob.writeDue; p != nil {
		ob.writeDue = nil
		ob.debugWrite(p, n)
	}
	if n == 0 {
		ob.alertDue = nil
		return
	}
	ob.printAlertDue()
}

// feed counts the bytes crossing the wrapped conn and prints -debug's
// dumps, telling a received record's header read from its body read (the
// engine reads each record as OpenSSL does, header then body).
func (ob *Observer) feed(sent bool, p []byte) {
	ob.mu.Lock()
	defer ob.mu.Unlock()
	h := ob.half[0]
	if sent {
		h = ob.half[1]
	}
	if h.sent {
		ob.sum.BytesWritten += int64(len(p))
		if ob.o.Debug != nil {
			// Printed by wrote when the write returns, with what it
			// wrote. Writes to the wrapped conn do not overlap (the
			// engine writes under its outMu, and conn.Write calls wrote
			// before returning), so no earlier write's dump is due here.
			ob.writeDue = p
		}
		return
	}
	ob.printDue()
	ob.sum.BytesRead += int64(len(p))
	if ob.o.Debug == nil {
		return
	}
	if ob.draining {
		if h.in != nil {
			// Read ahead and never taken up by TLS: openssl reads it
			// now, with what came after it in the same read.
			if len(p) > 0 {
				p = append(h.in, p...)
			} else {
				ob.debugDrain(h.in)
			}
			h.in, h.skip = nil, 0
		}
		ob.debugDrain(p)
		return
	}
	if len(p) == 0 {
		// Bytes the engine never took up were read all the same.
		if len(h.in) > 0 {
			ob.debugRead(h, h.in, h.skip > 0)
			h.in, h.skip = h.in[:0], 0
		}
		ob.debugEOF()
		return
	}
	// Printed as the engine takes each record up (see debugRecordHeader),
	// not as the transport delivers: the record layer reads ahead, where
	// openssl reads a record's header, then its body.
	h.in = append(h.in, p...)
	ob.debugBody(h)
}

// debugRecordHeader prints -debug's read of the record header the engine
// takes up now (the first five bytes received and not yet shown).
func (ob *Observer) debugRecordHeader(h *half) {
	if ob.o.Debug == nil || ob.draining || len(h.in) < 5 {
		return
	}
	ob.debugRead(h, h.in[:5], false)
	h.in = h.in[5:]
}

// debugBody prints -debug's read of the current record's body once all
// of it arrived: one read, as openssl's of a record already sent whole.
func (ob *Observer) debugBody(h *half) {
	if ob.o.Debug == nil || h.skip == 0 || len(h.in) < h.skip {
		return
	}
	ob.debugRead(h, h.in[:h.skip], true)
	h.in, h.skip = h.in[h.skip:], 0
}
