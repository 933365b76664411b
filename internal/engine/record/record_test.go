package record

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/tlskit/tlskit/internal/engine/alert"
	"github.com/tlskit/tlskit/internal/engine/suites"
)

type pipe struct{ bytes.Buffer }

func cipherPair(t testing.TB, id uint16) (*AEAD13, *AEAD13) {
	s, _ := suites.Lookup13(id)
	key := bytes.Repeat([]byte{7}, s.KeyLen)
	iv := bytes.Repeat([]byte{9}, suites.IVLen)
	a, err := s.AEAD(key)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := s.AEAD(key)
	return NewAEAD13(a, iv), NewAEAD13(b, iv)
}

func wantAlert(t *testing.T, err error, d alert.Desc) {
	t.Helper()
	var got alert.Desc
	if !errors.As(err, &got) || got != d {
		t.Fatalf("got %v, want %v", err, d)
	}
}

func TestProtectedRoundTrip(t *testing.T) {
	for _, id := range []uint16{suites.AES128GCMSHA256, suites.AES256GCMSHA384, suites.ChaCha20Poly1305SHA256, suites.AES128CCMSHA256, suites.AES128CCM8SHA256} {
		var p pipe
		w, r := New(&p), New(&p)
		wc, rc := cipherPair(t, id)
		w.SetWriteCipher(wc)
		r.SetReadCipher(rc)
		w.PadTo = 64
		msg := bytes.Repeat([]byte("x"), MaxPlaintext+100)
		if err := w.Write(TypeApplicationData, msg); err != nil {
			t.Fatal(err)
		}
		if err := w.Write(TypeHandshake, []byte{24, 0, 0, 1, 0}); err != nil {
			t.Fatal(err)
		}
		// Two application records (16384 and 100 bytes, the first not
		// padded past the limit, the second padded to 128) then one
		// handshake record.
		var got []byte
		for i := 0; i < 2; i++ {
			typ, d, err := r.Read()
			if err != nil || typ != TypeApplicationData {
				t.Fatalf("%x: record %d: %v %v", id, i, typ, err)
			}
			got = append(got, d...)
		}
		if !bytes.Equal(got, msg) {
			t.Fatalf("%x: data differs", id)
		}
		typ, d, err := r.Read()
		if err != nil || typ != TypeHandshake || len(d) != 5 {
			t.Fatalf("%x: handshake record %v %x %v", id, typ, d, err)
		}
		if _, _, err := r.Read(); err != io.EOF {
			t.Fatalf("%x: end: %v", id, err)
		}
	}
}

func TestPaddingSizes(t *testing.T) {
	var p pipe
	w := New(&p)
	wc, _ := cipherPair(t, suites.AES128GCMSHA256)
	w.SetWriteCipher(wc)
	w.PadTo = 512
	w.Write(TypeApplicationData, []byte("hello"))
	// 512 bytes of inner plaintext plus the 16-byte tag.
	if n := p.Len() - HeaderLen; n != 512+16 {
		t.Errorf("padded record is %d bytes", n)
	}
}

func TestReadFaults(t *testing.T) {
	seal := func(f func(w *Layer)) (*Layer, *pipe) {
		var p pipe
		w, r := New(&p), New(&p)
		wc, rc := cipherPair(t, suites.AES128GCMSHA256)
		w.SetWriteCipher(wc)
		r.SetReadCipher(rc)
		f(w)
		return r, &p
	}
	t.Run("tampered", func(t *testing.T) {
		r, p := seal(func(w *Layer) { w.Write(TypeApplicationData, []byte("abc")) })
		p.Bytes()[HeaderLen+1] ^= 1
		_, _, err := r.Read()
		wantAlert(t, err, alert.BadRecordMAC)
	})
	t.Run("replayed record", func(t *testing.T) {
		r, p := seal(func(w *Layer) { w.Write(TypeApplicationData, []byte("abc")) })
		again := append([]byte(nil), p.Bytes()...)
		p.Write(again)
		if _, _, err := r.Read(); err != nil {
			t.Fatal(err)
		}
		_, _, err := r.Read()
		wantAlert(t, err, alert.BadRecordMAC)
	})
	t.Run("ciphertext too long", func(t *testing.T) {
		var p pipe
		r := New(&p)
		_, rc := cipherPair(t, suites.AES128GCMSHA256)
		r.SetReadCipher(rc)
		n := MaxCiphertext13 + 1
		p.Write([]byte{23, 3, 3, byte(n >> 8), byte(n)})
		p.Write(make([]byte, MaxCiphertext13+1))
		_, _, err := r.Read()
		wantAlert(t, err, alert.RecordOverflow)
	})
	t.Run("plaintext too long", func(t *testing.T) {
		var p pipe
		r := New(&p)
		p.Write([]byte{22, 3, 3, 0x40, 1})
		p.Write(make([]byte, MaxPlaintext+1))
		_, _, err := r.Read()
		wantAlert(t, err, alert.RecordOverflow)
	})
	t.Run("inner plaintext too long", func(t *testing.T) {
		r, _ := seal(func(w *Layer) {
			w.WriteLimit = MaxPlaintext
			// Forge an over-long inner plaintext by writing below the
			// layer: 16385 bytes of content plus the type byte.
			b := append(make([]byte, MaxPlaintext+1), TypeApplicationData)
			n := len(b) + w.out.aead.Overhead()
			hdr := []byte{23, 3, 3, byte(n >> 8), byte(n)}
			w.w.Write(w.out.aead.Seal(hdr, w.out.nonce(), b, hdr))
		})
		_, _, err := r.Read()
		wantAlert(t, err, alert.RecordOverflow)
	})
	t.Run("all padding", func(t *testing.T) {
		r, _ := seal(func(w *Layer) {
			b := make([]byte, 10)
			n := len(b) + w.out.aead.Overhead()
			hdr := []byte{23, 3, 3, byte(n >> 8), byte(n)}
			w.w.Write(w.out.aead.Seal(hdr, w.out.nonce(), b, hdr))
		})
		_, _, err := r.Read()
		wantAlert(t, err, alert.UnexpectedMessage)
	})
	t.Run("clear handshake once protected", func(t *testing.T) {
		var p pipe
		r := New(&p)
		_, rc := cipherPair(t, suites.AES128GCMSHA256)
		r.SetReadCipher(rc)
		p.Write([]byte{22, 3, 3, 0, 1, 0})
		_, _, err := r.Read()
		wantAlert(t, err, alert.UnexpectedMessage)
	})
	t.Run("not TLS", func(t *testing.T) {
		var p pipe
		p.WriteString("HTTP/1.1 400 Bad Request\r\n")
		_, _, err := New(&p).Read()
		wantAlert(t, err, alert.ProtocolVersion)
	})
	t.Run("truncated", func(t *testing.T) {
		var p pipe
		p.Write([]byte{22, 3, 3, 0, 9, 1})
		if _, _, err := New(&p).Read(); err != io.ErrUnexpectedEOF {
			t.Fatal(err)
		}
	})
}

// FuzzRead feeds arbitrary bytes to a protected and an unprotected layer:
// every outcome is a record or an error, never a crash or a record over
// the limits.
func FuzzRead(f *testing.F) {
	var p pipe
	w := New(&p)
	wc, _ := cipherPair(f, suites.AES128GCMSHA256)
	w.SetWriteCipher(wc)
	w.Write(TypeHandshake, []byte{20, 0, 0, 0})
	f.Add(p.Bytes())
	f.Add([]byte{22, 3, 1, 0, 4, 1, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, protect := range []bool{false, true} {
			r := New(&pipe{*bytes.NewBuffer(b)})
			if protect {
				_, rc := cipherPair(t, suites.AES128GCMSHA256)
				r.SetReadCipher(rc)
			}
			for {
				_, d, err := r.Read()
				if err != nil {
					break
				}
				if len(d) > MaxPlaintext {
					t.Fatal("record over the limit")
				}
			}
		}
	})
}

// TestIdleRecordLimits: the runs of empty records and of warning alerts
// a reader accepts, as openssl s_server 3.0 measured them: 32 empty
// records in a row pass and the 33rd is "record too small"; 4 warning
// alerts pass and the 5th, even with empty records between them, is "too
// many warn alerts"; data ends a warning run and a warning alert ends an
// empty run.
func TestIdleRecordLimits(t *testing.T) {
	warning := []byte{1, 90} // user_canceled
	type rec struct {
		typ  uint8
		data []byte
	}
	repeat := func(n int, r rec) []rec {
		var out []rec
		for range n {
			out = append(out, r)
		}
		return out
	}
	empty, warn, data := rec{TypeApplicationData, nil}, rec{TypeAlert, warning}, rec{TypeApplicationData, []byte("x")}
	cat := func(l ...[]rec) []rec { return slices.Concat(l...) }
	for _, c := range []struct {
		name    string
		recs    []rec
		failAt  int // index of the record that fails, -1 for none
		failMsg string
	}{
		{"32 empty", cat(repeat(32, empty), []rec{data}), -1, ""},
		{"33 empty", repeat(33, empty), 32, "record too small"},
		{"empty runs split by data", cat(repeat(32, empty), []rec{data}, repeat(32, empty)), -1, ""},
		{"empty runs split by a warning", cat(repeat(32, empty), []rec{warn}, repeat(32, empty)), -1, ""},
		{"4 warnings", cat(repeat(4, warn), []rec{data}, repeat(4, warn)), -1, ""},
		{"5 warnings", repeat(5, warn), 4, "too many warn alerts"},
		{"warnings split by empty records", cat(repeat(3, warn), []rec{empty}, repeat(2, warn)), 5, "too many warn alerts"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var p pipe
			w, r := New(&p), New(&p)
			wc, rc := cipherPair(t, suites.AES128GCMSHA256)
			w.SetWriteCipher(wc)
			r.SetReadCipher(rc)
			for _, x := range c.recs {
				if err := w.Write(x.typ, x.data); err != nil {
					t.Fatal(err)
				}
			}
			for i, x := range c.recs {
				typ, got, err := r.Read()
				if i == c.failAt {
					wantAlert(t, err, alert.UnexpectedMessage)
					if !strings.Contains(err.Error(), c.failMsg) {
						t.Fatalf("record %d: %v, want %q", i, err, c.failMsg)
					}
					return
				}
				if err != nil || typ != x.typ || !bytes.Equal(got, x.data) {
					t.Fatalf("record %d: %d %x %v, want %d %x", i, typ, got, err, x.typ, x.data)
				}
			}
			if c.failAt >= 0 {
				t.Fatalf("no failure at record %d", c.failAt)
			}
		})
	}
}

// TestPlainRequests: a first record that is an HTTP request, or a request
// to an HTTPS proxy, gets openssl 3.0's reasons ("http request", "https
// proxy request"); other garbage, or a request after the first record, is
// "wrong version number". As openssl 3.0 s_server and s_client (measured:
// nothing comes back for "GET / HTTP/1.0", "CONNECT", "hello world" or a
// first record of version 2.0), a first record that is not TLS sends no
// alert (Silent); after a TLS record the peer gets protocol_version.
func TestPlainRequests(t *testing.T) {
	for _, c := range []struct {
		name   string
		before []byte
		in     string
		want   string
		silent bool
	}{
		{"GET", nil, "GET / HTTP/1.0\r\n\r\n", "http request", true},
		{"POST", nil, "POST / HTTP/1.1\r\n\r\n", "http request", true},
		{"HEAD", nil, "HEAD / HTTP/1.1\r\n\r\n", "http request", true},
		{"PUT", nil, "PUT / HTTP/1.1\r\n\r\n", "http request", true},
		{"CONNECT", nil, "CONNECT example.com:443 HTTP/1.1\r\n\r\n", "https proxy request", true},
		{"OPTIONS", nil, "OPTIONS * HTTP/1.1\r\n\r\n", "wrong version number", true},
		{"version 2.0", nil, "\x16\x02\x00\x00\x05hello", "wrong version number", true},
		{"GET after a record", []byte{22, 3, 1, 0, 1, 1}, "GET / HTTP/1.0\r\n\r\n", "wrong version number", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			var p pipe
			p.Write(c.before)
			p.WriteString(c.in)
			r := New(&p)
			if c.before != nil {
				if _, _, err := r.Read(); err != nil {
					t.Fatal(err)
				}
			}
			_, _, err := r.Read()
			wantAlert(t, err, alert.ProtocolVersion)
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("%v, want %q", err, c.want)
			}
			var f *alert.Fault
			if !errors.As(err, &f) || f.Silent != c.silent {
				t.Fatalf("%#v: silent should be %v", err, c.silent)
			}
		})
	}
}

// TestEmptyHandshakeRecords: empty handshake records in the clear are
// skipped as openssl 3.0 s_server skips them before a ClientHello (32 in
// a row pass, the 33rd is "record too small"); an empty alert record
// stays unexpected_message.
func TestEmptyHandshakeRecords(t *testing.T) {
	empty := []byte{22, 3, 1, 0, 0}
	hello := []byte{22, 3, 1, 0, 4, 1, 0, 0, 0}
	for _, c := range []struct {
		name    string
		n       int
		failMsg string
	}{
		{"1 empty", 1, ""},
		{"32 empty", 32, ""},
		{"33 empty", 33, "record too small"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var p pipe
			for range c.n {
				p.Write(empty)
			}
			p.Write(hello)
			r := New(&p)
			for i := 0; ; i++ {
				typ, data, err := r.Read()
				if err != nil {
					if c.failMsg == "" || i != 32 {
						t.Fatalf("record %d: %v", i, err)
					}
					wantAlert(t, err, alert.UnexpectedMessage)
					if !strings.Contains(err.Error(), c.failMsg) {
						t.Fatalf("%v, want %q", err, c.failMsg)
					}
					return
				}
				if typ != TypeHandshake {
					t.Fatalf("record %d: type %d", i, typ)
				}
				if len(data) != 0 {
					if i != c.n || c.failMsg != "" {
						t.Fatalf("hello at record %d of %d", i, c.n)
					}
					return
				}
			}
		})
	}
	t.Run("empty alert", func(t *testing.T) {
		var p pipe
		p.Write([]byte{21, 3, 1, 0, 0})
		_, _, err := New(&p).Read()
		wantAlert(t, err, alert.UnexpectedMessage)
	})
}

// countingRW counts the transport writes.
type countingRW struct {
	bytes.Buffer
	writes int
}

func (c *countingRW) Write(p []byte) (int, error) {
	c.writes++
	return c.Buffer.Write(p)
}

// TestCorkOneWrite: records written while corked leave in one transport
// write at Flush, unchanged; uncorked, each record is its own write.
func TestCorkOneWrite(t *testing.T) {
	var plain countingRW
	l := New(&plain)
	l.Write(TypeHandshake, []byte("first"))
	l.WriteThen(TypeHandshake, []byte("second"), func() {})
	if plain.writes != 2 {
		t.Fatalf("%d writes uncorked, want 2", plain.writes)
	}
	var rw countingRW
	l = New(&rw)
	l.Cork()
	l.Write(TypeHandshake, []byte("first"))
	l.WriteThen(TypeHandshake, []byte("second"), func() {})
	if rw.writes != 0 {
		t.Fatalf("%d writes while corked", rw.writes)
	}
	if err := l.Flush(); err != nil || rw.writes != 1 || !bytes.Equal(rw.Bytes(), plain.Bytes()) {
		t.Fatalf("Flush: %v, %d writes, %x want %x", err, rw.writes, rw.Bytes(), plain.Bytes())
	}
	l.Write(TypeHandshake, []byte("after"))
	if rw.writes != 2 {
		t.Fatalf("%d writes after Flush, want 2", rw.writes)
	}
}

// TestWriteInPlaceSameBytes: WriteInPlace puts on the wire exactly what
// Write does for the same data (padding, a record corked after it,
// ciphers with other tag sizes), and does nothing, reporting false, where
// it does not apply: in the clear, under a TLS 1.2 cipher, for more than
// one record's data, or without room for the header.
func TestWriteInPlaceSameBytes(t *testing.T) {
	data := bytes.Repeat([]byte("page "), 900)
	for _, id := range []uint16{suites.AES128GCMSHA256, suites.ChaCha20Poly1305SHA256, suites.AES128CCM8SHA256} {
		for _, pad := range []int{0, 512} {
			var want, got countingRW
			ref, l := New(&want), New(&got)
			for _, x := range []*Layer{ref, l} {
				wc, _ := cipherPair(t, id)
				x.SetWriteCipher(wc)
				x.PadTo = pad
				x.Cork()
			}
			ref.Write(TypeApplicationData, data)
			ref.Write(TypeAlert, []byte{1, 0})
			ref.Flush()
			rec := append(make([]byte, HeaderLen, HeaderLen+len(data)+64), data...)
			done, err := l.WriteInPlace(TypeApplicationData, rec)
			if !done || err != nil {
				t.Fatalf("%x pad %d: WriteInPlace %v %v", id, pad, done, err)
			}
			l.Write(TypeAlert, []byte{1, 0})
			l.Flush()
			if got.writes != 1 || !bytes.Equal(got.Bytes(), want.Bytes()) {
				t.Errorf("%x pad %d: %d writes, bytes differ from Write's: %v", id, pad, got.writes, !bytes.Equal(got.Bytes(), want.Bytes()))
			}
		}
	}
	wc, _ := cipherPair(t, suites.AES128GCMSHA256)
	small := New(&pipe{})
	small.SetWriteCipher(wc)
	small.WriteLimit = 100
	for name, c := range map[string]struct {
		l   *Layer
		rec []byte
	}{
		"clear":     {New(&pipe{}), make([]byte, HeaderLen+10)},
		"TLS 1.2":   {func() *Layer { l := New(&pipe{}); l.SetWriteCipher12(&AEAD12{}); return l }(), make([]byte, HeaderLen+10)},
		"too long":  {small, make([]byte, HeaderLen+101)},
		"no header": {small, make([]byte, HeaderLen-1)},
	} {
		p := c.l.w.(*pipe)
		if done, err := c.l.WriteInPlace(TypeApplicationData, c.rec); done || err != nil || p.Len() != 0 || !bytes.Equal(c.rec, make([]byte, len(c.rec))) {
			t.Errorf("%s: WriteInPlace %v %v, %d bytes written", name, done, err, p.Len())
		}
	}
}

// TestFlushReturnsBuffer: after WriteInPlace and Flush the layer writes
// no later record into the caller's buffer, and those records still
// leave whole.
func TestFlushReturnsBuffer(t *testing.T) {
	var rw countingRW
	l := New(&rw)
	wc, _ := cipherPair(t, suites.AES128GCMSHA256)
	l.SetWriteCipher(wc)
	l.Cork()
	rec := append(make([]byte, HeaderLen, 256), "page"...)
	if done, err := l.WriteInPlace(TypeApplicationData, rec); !done || err != nil {
		t.Fatalf("WriteInPlace %v %v", done, err)
	}
	l.Write(TypeAlert, []byte{1, 0})
	l.Flush()
	sent := slices.Clone(rec[:cap(rec)])
	l.Cork()
	l.Write(TypeApplicationData, []byte("next"))
	l.Write(TypeApplicationData, []byte("then"))
	l.Flush()
	if !bytes.Equal(sent, rec[:cap(rec)]) {
		t.Error("the caller's buffer was written after Flush")
	}
	if rw.writes != 2 || rw.Len() != 3*(HeaderLen+4+1+16)+HeaderLen+2+1+16 {
		t.Errorf("%d writes, %d bytes", rw.writes, rw.Len())
	}
}

// TestPooledBufferNotKept: once a flight gathered in a pooled buffer is
// flushed, nothing the layer keeps points into that buffer, whatever is
// corked next. (A pending buffer emptied by Flush but kept used to
// become the write buffer when a caller's record was corked next, while
// the pool handed the same array to another connection's flight.)
func TestPooledBufferNotKept(t *testing.T) {
	wc, _ := cipherPair(t, suites.AES128GCMSHA256)
	l := New(discardRW{})
	l.SetWriteCipher(wc)
	l.Cork()
	l.Write(TypeHandshake, []byte("ticket"))
	pooled := l.flight
	if pooled == nil {
		t.Fatal("the corked record was not gathered in a pooled buffer")
	}
	l.Flush()
	l.Cork()
	rec := append(make([]byte, HeaderLen, 256), "page"...)
	if done, err := l.WriteInPlace(TypeApplicationData, rec); !done || err != nil {
		t.Fatalf("WriteInPlace %v %v", done, err)
	}
	l.Write(TypeAlert, []byte{1, 0})
	l.Flush()
	l.Write(TypeApplicationData, []byte("after"))
	inPooled := func(b []byte) bool {
		b = b[:cap(b)]
		return len(b) > 0 && &b[0] == &pooled[0]
	}
	if l.flight == pooled || inPooled(l.pending) || inPooled(l.wbuf) {
		t.Error("the layer still points into the pooled buffer it gave back")
	}
}

// discardRW is a transport that takes every write and has nothing to read.
type discardRW struct{}

func (discardRW) Read([]byte) (int, error)    { return 0, io.EOF }
func (discardRW) Write(p []byte) (int, error) { return len(p), nil }

// TestCorkedFlightOneBuffer: a TLS 1.3 server's first flight (a
// ServerHello in the clear, then EncryptedExtensions, a one-certificate
// Certificate, CertificateVerify and Finished protected), gathered under
// Cork, costs a new layer no buffer besides the layer itself: each
// record is sealed where it is gathered, not in a buffer of its own then
// copied, the gathered buffer does not grow on the way, and it comes
// from the pool Flush gives it back to.
func TestCorkedFlightOneBuffer(t *testing.T) {
	wc, _ := cipherPair(t, suites.AES128GCMSHA256)
	sizes := []int{40, 530, 80, 36}
	hello, msgs := make([]byte, 122), make([][]byte, len(sizes))
	for i, n := range sizes {
		msgs[i] = make([]byte, n)
	}
	allocs := testing.AllocsPerRun(50, func() {
		l := New(discardRW{})
		l.Cork()
		l.Write(TypeHandshake, hello)
		l.SetWriteCipher(wc)
		for _, m := range msgs {
			l.WriteThen(TypeHandshake, m, func() {})
		}
		if err := l.Flush(); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 1 {
		t.Errorf("%.0f allocations for a corked flight, want 1 (the layer)", allocs)
	}
}

// heldFlusher is a HeldSender that flushes its layer and counts calls.
type heldFlusher struct {
	l     *Layer
	calls int
}

func (h *heldFlusher) SendHeld() error { h.calls++; return h.l.Flush() }

// TestHoldSameBytes: records kept back by Hold leave with the next record
// sent, in the same transport write, with the bytes the same records
// would have had sent one by one: a small record, data of two full
// records (the first leaves with them, the gathered records outgrowing
// their first buffer; the second alone, as uncorked), and a record
// written in place with an alert corked after it. A read that has to
// wait on the transport first has BeforeWait send them; one that does
// not wait, or has none held, does not call it.
func TestHoldSameBytes(t *testing.T) {
	big := bytes.Repeat([]byte("d"), MaxPlaintext+100)
	page := []byte("page")
	for name, c := range map[string]struct {
		next   func(l *Layer)
		writes int
	}{
		"small": {func(l *Layer) { l.Write(TypeApplicationData, []byte("hello")) }, 1},
		"big":   {func(l *Layer) { l.Write(TypeApplicationData, big) }, 2},
		"in place": {func(l *Layer) {
			l.Cork()
			l.WriteInPlace(TypeApplicationData, append(make([]byte, HeaderLen, 64), page...))
			l.Write(TypeAlert, []byte{1, 0})
			l.Flush()
		}, 1},
	} {
		var want, got countingRW
		ref, l := New(&want), New(&got)
		for _, x := range []*Layer{ref, l} {
			wc, _ := cipherPair(t, suites.AES128GCMSHA256)
			x.SetWriteCipher(wc)
			x.Cork()
			x.Write(TypeHandshake, []byte("ticket one"))
			x.Write(TypeHandshake, []byte("ticket two"))
		}
		ref.Flush()
		c.next(ref)
		if err := l.Hold(); err != nil || got.writes != 0 || !l.Held() {
			t.Fatalf("%s: Hold %v, %d writes, held %v", name, err, got.writes, l.Held())
		}
		c.next(l)
		if got.writes != c.writes || l.Held() || !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Errorf("%s: %d writes (want %d), held %v, same bytes %v", name, got.writes, c.writes, l.Held(), bytes.Equal(got.Bytes(), want.Bytes()))
		}
	}

	// The reading side: a record already in the read buffer is read
	// without sending the held ones; the next read, which waits, sends
	// them first.
	var in pipe
	w := New(&in)
	w.Write(TypeApplicationData, []byte("one"))
	w.Write(TypeApplicationData, []byte("two"))
	var out countingRW
	l := New(struct {
		io.Reader
		io.Writer
	}{&in, &out})
	h := &heldFlusher{l: l}
	l.BeforeWait = h
	if _, _, err := l.Read(); err != nil || h.calls != 0 {
		t.Fatalf("first read %v, %d calls with nothing held", err, h.calls)
	}
	l.Cork()
	l.Write(TypeHandshake, []byte("ticket"))
	l.Hold()
	if _, _, err := l.Read(); err != nil || h.calls != 0 || out.writes != 0 {
		t.Fatalf("buffered read %v: %d calls, %d writes, want none", err, h.calls, out.writes)
	}
	if _, _, err := l.Read(); err != io.EOF || h.calls != 1 || out.writes != 1 || l.Held() {
		t.Fatalf("waiting read %v: %d calls, %d writes, held %v; want EOF after one call and one write", err, h.calls, out.writes, l.Held())
	}
}
