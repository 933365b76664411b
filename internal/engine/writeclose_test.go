package engine

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/engine/record"
)

// writeCounter counts the Writes to a transport.
type writeCounter struct {
	net.Conn
	n atomic.Int32
}

func (w *writeCounter) Write(p []byte) (int, error) {
	w.n.Add(1)
	return w.Conn.Write(p)
}

// TestWriteCloseOneWrite: WriteClose and WriteCloseInPlace send the data
// and close_notify in one transport write (TLS 1.3 and 1.2), which
// crypto/tls reads as the data and a clean end; the events are Write's
// then CloseWrite's, and a Write afterwards fails as after CloseWrite.
// WriteCloseInPlace encrypts in its buffer only in TLS 1.3 and only for
// a listener that takes no application data (HandshakeEventsOnly).
func TestWriteCloseOneWrite(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := testIdentity(t, key)
	type variant struct {
		v                        uint16
		inPlace, handshakeEvents bool
	}
	var variants []variant
	for _, v := range []uint16{VersionTLS13, VersionTLS12} {
		variants = append(variants, variant{v, false, false}, variant{v, true, false}, variant{v, true, true})
	}
	for _, vr := range variants {
		v := vr.v
		c, s := net.Pipe()
		deadline := time.Now().Add(10 * time.Second)
		c.SetDeadline(deadline)
		s.SetDeadline(deadline)
		wc := &writeCounter{Conn: s}
		var sent []int  // the application data and alert messages sent
		var data []byte // the application data events' bytes
		sc := Server(wc, &Config{Identities: []Identity{id}, MinVersion: VersionTLS12, MaxVersion: v, NumTickets: -1,
			HandshakeEventsOnly: vr.handshakeEvents,
			OnEvent: func(e Event) {
				if e.Sent && (e.ContentType == int(record.TypeApplicationData) || e.ContentType == int(record.TypeAlert)) {
					sent = append(sent, e.ContentType)
				}
				if e.Sent && e.ContentType == int(record.TypeApplicationData) {
					data = append(data, e.Data...)
				}
			}})
		buf := append(make([]byte, RecordHeadroom, RecordHeadroom+4+RecordTailroom), "page"...)
		type result struct {
			writes int32
			err    error
		}
		done := make(chan result, 1)
		go func() {
			if err := sc.Handshake(); err != nil {
				done <- result{err: err}
				return
			}
			before := wc.n.Load()
			var n int
			var err error
			if vr.inPlace {
				n, err = sc.WriteCloseInPlace(buf)
			} else {
				n, err = sc.WriteClose([]byte("page"))
			}
			if err == nil && n != 4 {
				err = fmt.Errorf("wrote %d bytes, want 4", n)
			}
			done <- result{writes: wc.n.Load() - before, err: err}
		}()
		cc := tls.Client(c, &tls.Config{InsecureSkipVerify: true})
		got, err := io.ReadAll(cc)
		if err != nil || string(got) != "page" {
			t.Fatalf("%x: client read %q, %v", v, got, err)
		}
		r := <-done
		if r.err != nil || r.writes != 1 {
			t.Fatalf("%+v: WriteClose: %d transport writes, %v; want 1", vr, r.writes, r.err)
		}
		if _, err := sc.Write([]byte("more")); err == nil {
			t.Errorf("%+v: Write after WriteClose succeeded", vr)
		}
		// The data, then the alert, as Write then CloseWrite report them.
		want := []int{int(record.TypeApplicationData), int(record.TypeAlert)}
		if vr.handshakeEvents {
			want = nil
		}
		if !slices.Equal(sent, want) || !vr.handshakeEvents && string(data) != "page" {
			t.Errorf("%+v: sent %v (data %q), want %v", vr, sent, data, want)
		}
		// Encrypted in place: TLS 1.3 without a listener of the data.
		inPlace := vr.inPlace && vr.handshakeEvents && v == VersionTLS13
		if got := string(buf[RecordHeadroom:][:4]) != "page"; got != inPlace {
			t.Errorf("%+v: encrypted in place %v, want %v", vr, got, inPlace)
		}
		c.Close()
		s.Close()
	}
}
