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
		case ob.o.Client && ob.half[0].processed == 0 && (e.ContentType == typeChangeCipherSpec ||
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
			ob.msgRecordHeader(h, e.Data)
			ob.traceRecordHeader(h, e.Data)
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
		if e.Sent && ob.version == 0 && e.Version != 0 && e.Version != ob.msgVersion() {
			// An alert before the ServerHello carries the version the
			// engine settled on, as openssl labels it: a server's
			// negotiated one (the warning unrecognized_name), or the
			// version of a record refused for its type.
			ob.version = e.Version
			ob.alert(h, e.Data)
			ob.version = 0
			break
		}
		ob.alert(h, e.Data)
	case typeChangeCipherSpec:
		ob.changeCipherSpec(h, e.Data)
	}
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
			ob.debugWrite(p)
		}
		return
	}
	ob.sum.BytesRead += int64(len(p))
	if ob.o.Debug == nil {
		return
	}
	if ob.draining {
		ob.debugDrain(p)
		return
	}
	if len(p) == 0 {
		ob.debugEOF()
		return
	}
	for len(p) > 0 {
		if h.skip == 0 {
			n := min(5-len(h.in), len(p))
			h.in = append(h.in, p[:n]...)
			p = p[n:]
			if len(h.in) == 5 {
				ob.debugRead(h, h.in, false)
				h.skip = recLen(h.in)
				h.in = h.in[:0]
			}
			continue
		}
		n := min(h.skip, len(p))
		ob.debugRead(h, p[:n], true)
		h.skip -= n
		p = p[n:]
	}
}
