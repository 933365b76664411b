package sserver

import (
	"fmt"
	"io"

	"github.com/tlskit/tlskit/internal/engine"
	"github.com/tlskit/tlskit/internal/engine/msg"
	"github.com/tlskit/tlskit/internal/engine/record"
)

// earlyWatch follows a -early_data handshake for what openssl prints as
// its SSL_read_early_data loop runs, before the handshake ends: the loop
// returns once the server's flight is out and no early data is to come
// (after the Finished, or after a HelloRetryRequest, which rejects it),
// and prints "No early data received" or "Early data was rejected" then,
// before the -msg lines of the client's next record; accepted early data
// is printed record by record as it arrives, "Early data received:"
// first (RFC 8446 §4.2.10). The connection's events come in order on the
// handshake's goroutine, and writeEarlyData reads the watch after the
// handshake.
type earlyWatch struct {
	offered  bool   // the ClientHello has early_data
	accepted bool   // the EncryptedExtensions sent has early_data
	done     bool   // the loop has returned: nothing more to watch
	note     string // the status line, printed before the client's next record
	noted    bool   // the status line was printed
	printed  int    // bytes of early data printed
}

// earlyEvents wraps next, the observer's event sink, with tc's earlyWatch.
func (s *server) earlyEvents(tc *trackedConn, next func(engine.Event)) func(engine.Event) {
	w := &tc.early
	return func(e engine.Event) {
		if !e.Sent && w.note != "" {
			io.WriteString(s.out, w.note)
			w.note, w.noted = "", true
		}
		next(e)
		if w.done {
			return
		}
		hs := e.ContentType == int(record.TypeHandshake) && len(e.Data) > 0
		switch {
		case !e.Sent && e.ContentType == int(record.TypeApplicationData):
			// Early data the engine took: openssl writes it raw, after
			// its header, which waits in stdout's buffer until flushed.
			if w.printed == 0 {
				io.WriteString(s.out.holder(), "Early data received:\n")
			}
			s.data.WriteAhead(e.Data)
			s.out.Flush()
			w.printed += len(e.Data)
		case !e.Sent && hs && msg.Type(e.Data[0]) == msg.TypeClientHello:
			if ch, err := msg.ParseClientHello(e.Data[4:]); err == nil {
				_, w.offered = ch.Extensions.Find(msg.ExtEarlyData)
			}
		case !e.Sent && hs && (msg.Type(e.Data[0]) == msg.TypeEndOfEarlyData || msg.Type(e.Data[0]) == msg.TypeFinished):
			w.done = true
		case e.Sent && hs && msg.Type(e.Data[0]) == msg.TypeEncryptedExtensions:
			if ee, err := msg.ParseEncryptedExtensions(e.Data[4:]); err == nil {
				_, w.accepted = ee.Extensions.Find(msg.ExtEarlyData)
			}
		case e.Sent && hs && msg.Type(e.Data[0]) == msg.TypeServerHello:
			if sh, err := msg.ParseServerHello(e.Data[4:]); err == nil && sh.IsHelloRetryRequest() && w.offered {
				w.note, w.done = "Early data was rejected\n", true
			}
		case e.Sent && hs && msg.Type(e.Data[0]) == msg.TypeFinished && e.Version == engine.VersionTLS13 && !w.accepted:
			w.note, w.done = "No early data received\n", true
			if w.offered {
				w.note = "Early data was rejected\n"
			}
		}
	}
}

// writeEarlyData prints, after the handshake, what openssl's -early_data
// server prints of the early data that earlyEvents did not print: all of
// it without an observer (nothing else is printed during the handshake
// then), or the status line no record of the client's followed. Accepted
// data goes between "Early data received:" and "End of early data", the
// data on the data stream, ahead of its header on a piped stdout (openssl
// writes the data raw and its header into stdout's buffer); else "No
// early data received", or "Early data was rejected" when the client
// offered some the engine did not take.
func (s *server) writeEarlyData(t *engine.SnapshotConn, w *earlyWatch) {
	if w.note != "" {
		io.WriteString(s.out, w.note)
		w.note, w.noted = "", true
	}
	st := t.HandshakeState()
	switch {
	case st.EarlyData == engine.EarlyDataAccepted && st.EarlyDataLen > 0:
		// The early data is what Read returns first, already buffered.
		buf := make([]byte, st.EarlyDataLen)
		n, _ := io.ReadFull(t, buf)
		if rest := buf[min(w.printed, n):n]; len(rest) > 0 {
			if w.printed == 0 {
				io.WriteString(s.out.holder(), "Early data received:\n")
			}
			s.data.WriteAhead(rest)
			s.out.Flush()
		}
		fmt.Fprint(s.out, "\nEnd of early data\n")
	case w.noted:
	case st.EarlyData == engine.EarlyDataRejected:
		fmt.Fprintln(s.out, "Early data was rejected")
	default:
		fmt.Fprintln(s.out, "No early data received")
	}
}
