package engine

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
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

// TestWriteCloseOneWrite: WriteClose sends the data and close_notify in
// one transport write (TLS 1.3 and 1.2), which crypto/tls reads as the
// data and a clean end; the events are Write's then CloseWrite's, and a
// Write afterwards fails as after CloseWrite.
func TestWriteCloseOneWrite(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := testIdentity(t, key)
	for _, v := range []uint16{VersionTLS13, VersionTLS12} {
		c, s := net.Pipe()
		deadline := time.Now().Add(10 * time.Second)
		c.SetDeadline(deadline)
		s.SetDeadline(deadline)
		wc := &writeCounter{Conn: s}
		var sent []int // the application data and alert messages sent
		sc := Server(wc, &Config{Identities: []Identity{id}, MinVersion: VersionTLS12, MaxVersion: v, NumTickets: -1,
			OnEvent: func(e Event) {
				if e.Sent && (e.ContentType == int(record.TypeApplicationData) || e.ContentType == int(record.TypeAlert)) {
					sent = append(sent, e.ContentType)
				}
			}})
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
			_, err := sc.WriteClose([]byte("page"))
			done <- result{writes: wc.n.Load() - before, err: err}
		}()
		cc := tls.Client(c, &tls.Config{InsecureSkipVerify: true})
		got, err := io.ReadAll(cc)
		if err != nil || string(got) != "page" {
			t.Fatalf("%x: client read %q, %v", v, got, err)
		}
		r := <-done
		if r.err != nil || r.writes != 1 {
			t.Fatalf("%x: WriteClose: %d transport writes, %v; want 1", v, r.writes, r.err)
		}
		if _, err := sc.Write([]byte("more")); err == nil {
			t.Errorf("%x: Write after WriteClose succeeded", v)
		}
		// The data, then the alert, as Write then CloseWrite report them.
		if want := []int{int(record.TypeApplicationData), int(record.TypeAlert)}; !slices.Equal(sent, want) {
			t.Errorf("%x: sent %v, want %v", v, sent, want)
		}
		c.Close()
		s.Close()
	}
}
