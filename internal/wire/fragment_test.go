package wire

import (
	"io"
	"net"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/engine"
	"github.com/tlskit/tlskit/internal/engine/msg"
)

// A legal ClientHello of nearly 64 KiB (the extension block's limit) sent
// one byte per record is the worst case for handshake reassembly: the
// server under -msg/-trace must handle it in time linear in its size.

var bigHello = sync.OnceValues(func() ([]byte, error) {
	// The own client's default ClientHello, taken off the wire.
	cc, sc := net.Pipe()
	defer sc.Close()
	go func() {
		engine.Client(cc, &engine.Config{}).Handshake()
		cc.Close()
	}()
	sc.SetDeadline(time.Now().Add(10 * time.Second))
	hdr := make([]byte, 5)
	if _, err := io.ReadFull(sc, hdr); err != nil {
		return nil, err
	}
	rec := make([]byte, recLen(hdr))
	if _, err := io.ReadFull(sc, rec); err != nil {
		return nil, err
	}
	ch, err := msg.ParseClientHello(rec[msg.HeaderLen:])
	if err != nil {
		return nil, err
	}
	// A padding extension (RFC 7685) fills the block to 65535 bytes.
	pad := 0xffff - extensionsLen(ch.Extensions) - 4
	ch.Extensions = append(ch.Extensions, msg.Extension{Type: msg.ExtPadding, Data: make([]byte, pad)})
	return ch.Marshal()
})

// fragment splits a handshake message into TLS 1.2-labelled handshake
// records of n bytes.
func fragment(m []byte, n int) []byte {
	var out []byte
	for len(m) > 0 {
		k := min(n, len(m))
		out = append(out, typeHandshake, 3, 1, byte(k>>8), byte(k))
		out = append(out, m[:k]...)
		m = m[k:]
	}
	return out
}

// serveHello runs the own server, printing everything as s_server
// -msg -trace -state -tlsextdebug does (to io.Discard), on the records of
// stream (with print false: printing nothing, as s_server without those
// options), and returns once it answered with a handshake record.
func serveHello(tb testing.TB, id engine.Identity, stream []byte, print bool) {
	cc, sc := net.Pipe()
	o := Options{Msg: io.Discard, Trace: io.Discard, State: io.Discard, TLSExtDebug: io.Discard}
	if !print {
		o = Options{}
	}
	ob := New(o)
	srv := engine.Server(ob.Wrap(sc), &engine.Config{Identities: []engine.Identity{id}, OnEvent: ob.Event})
	done := make(chan struct{})
	go func() {
		srv.Handshake()
		sc.Close()
		close(done)
	}()
	defer func() {
		cc.Close() // the server is blocked writing the rest of its flight
		<-done
	}()
	cc.SetDeadline(time.Now().Add(30 * time.Second))
	werr := make(chan error, 1)
	go func() { _, err := cc.Write(stream); werr <- err }()
	hdr := make([]byte, 5)
	if _, err := io.ReadFull(cc, hdr); err != nil || hdr[0] != typeHandshake {
		tb.Fatalf("server's answer %x: %v", hdr, err)
	}
	if err := <-werr; err != nil {
		tb.Fatal(err)
	}
	if ch := ob.Summary().ClientHello; ch == nil || len(ch.Extensions) == 0 {
		tb.Fatal("the observer did not see the ClientHello")
	}
}

// BenchmarkFragmentedClientHello: the own server with every printer on,
// given a 64 KiB ClientHello in records of 1 byte and of 16 KiB. Linear
// reassembly and events keep the 1-byte case within a small factor of the
// per-record overhead (about 65,000 records, two printed headers each).
func BenchmarkFragmentedClientHello(b *testing.B) {
	hello, err := bigHello()
	if err != nil {
		b.Fatal(err)
	}
	id := goldenIdentity(b, false)
	for _, n := range []int{1, 16384} {
		stream := fragment(hello, n)
		for _, print := range []bool{true, false} {
			name := "records-" + strconv.Itoa(n)
			if !print {
				name += "-quiet"
			}
			b.Run(name, func(b *testing.B) {
				b.SetBytes(int64(len(hello)))
				b.ReportAllocs()
				for b.Loop() {
					serveHello(b, id, stream, print)
				}
			})
		}
	}
}

// allocated returns the bytes f allocates.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestFragmentedClientHelloLinear bounds the work the server and its
// printers do for a 64 KiB ClientHello in 1-byte records by the bytes
// they allocate: at most 1 KiB per record (two printed record headers and
// the record's own buffers) plus 16 times the message. Reassembly that
// re-copies what it holds on every record allocates or copies about
// len²/2 = 2 GiB here and fails; so would an event or a printer doing so.
func TestFragmentedClientHelloLinear(t *testing.T) {
	hello, err := bigHello()
	if err != nil {
		t.Fatal(err)
	}
	id := goldenIdentity(t, false)
	stream := fragment(hello, 1)
	records := len(hello)
	limit := uint64(1024*records + 16*len(hello))
	n := allocated(func() { serveHello(t, id, stream, true) })
	t.Logf("own server: %d bytes allocated for %d records", n, records)
	if n > limit {
		t.Errorf("own server: %d bytes allocated for %d records, limit %d", n, records, limit)
	}
}
