package wire

import (
	"io"
	"path/filepath"
	"testing"

	"github.com/tlskit/tlskit/internal/engine"
)

// Fuzz inputs encode an event stream as records of a kind byte (0x80:
// sent; low bits: 0 record header, 1 inner type, 2 handshake, 3 alert,
// 4 ChangeCipherSpec, 5 application data), a 16-bit length and the data.
var fuzzKinds = []int{engine.ContentRecordHeader, engine.ContentInnerType, typeHandshake, typeAlert, typeChangeCipherSpec, typeApplicationData}

func encodeEvents(evs []engine.Event) []byte {
	var out []byte
	for _, e := range evs {
		k := 0
		for i, c := range fuzzKinds {
			if c == e.ContentType {
				k = i
			}
		}
		if e.Sent {
			k |= 0x80
		}
		out = append(out, byte(k), byte(len(e.Data)>>8), byte(len(e.Data)))
		out = append(out, e.Data...)
	}
	return out
}

func decodeEvents(b []byte) []engine.Event {
	var out []engine.Event
	for len(b) >= 3 {
		k, n := b[0], int(b[1])<<8|int(b[2])
		b = b[3:]
		n = min(n, len(b))
		out = append(out, engine.Event{Sent: k&0x80 != 0, Version: 0x0303,
			ContentType: fuzzKinds[int(k&0x7f)%len(fuzzKinds)], Data: b[:n:n]})
		b = b[n:]
	}
	return out
}

// FuzzEvents feeds arbitrary event streams (seeded with the golden
// sessions) to an observer with every output on, as the client or the
// server, and arbitrary bytes to its -debug dumps: it must never panic.
func FuzzEvents(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(goldenDir, "*.events"))
	for _, name := range files {
		f.Add(filepath.Base(name)[0] == 'c', encodeEvents(readEvents(f, name)))
	}
	f.Fuzz(func(t *testing.T, client bool, b []byte) {
		ob := New(Options{Client: client, Msg: io.Discard, Trace: io.Discard, Debug: io.Discard,
			State: io.Discard, TLSExtDebug: io.Discard})
		ob.OnNewSessionTicket(func(NewSessionTicket) {})
		for _, e := range decodeEvents(b) {
			ob.Event(e)
			ob.feed(len(e.Data) > 0 && e.Data[0]&1 == 1, e.Data)
		}
		ob.Summary()
	})
}
