package engine

import (
	"crypto/tls"
	"io"
	"net"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/engine/msg"
)

// lingerConn, while armed, returns from a Write only once answered
// reports that the peer's answer came in (or after 10 s): the peer
// answers before the writer goes on.
type lingerConn struct {
	net.Conn
	armed    atomic.Bool
	answered func() bool
}

func (c *lingerConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	if c.armed.Load() {
		for end := time.Now().Add(10 * time.Second); !c.answered() && time.Now().Before(end); {
			time.Sleep(5 * time.Millisecond) // polling the event log
		}
	}
	return n, err
}

// TestEventsNotSplit: a sent message's events (record header, inner type,
// message) all come before its bytes are written, as OpenSSL reports a sent
// message before the peer can answer it. A KeyUpdate asking for the peer's
// is sent while another goroutine reads: crypto/tls's answering KeyUpdate,
// read during the slow write, must be reported after the whole sent
// message, not between its record header and the message.
func TestEventsNotSplit(t *testing.T) {
	_, goCert := testIdentity(t, keysForTest(t)["ecdsa-p256"])
	addr, done := goEchoServer(t, &tls.Config{Certificates: []tls.Certificate{goCert}})
	raw, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	raw.SetDeadline(time.Now().Add(20 * time.Second))
	var log eventLog
	isKU := func(e Event) bool {
		return e.ContentType == 22 && len(e.Data) > 0 && msg.Type(e.Data[0]) == msg.TypeKeyUpdate
	}
	// The write of our KeyUpdate lasts until the peer's is reported.
	lc := &lingerConn{Conn: raw, answered: func() bool {
		return slices.ContainsFunc(log.events(), func(e Event) bool { return isKU(e) && !e.Sent })
	}}
	conn := Client(lc, &Config{OnEvent: log.add})
	defer conn.Close()
	if err := conn.Handshake(); err != nil {
		t.Fatal(err)
	}
	got := make(chan error, 1)
	go func() {
		buf := make([]byte, 8)
		n, err := conn.Read(buf)
		if err == nil && string(buf[:n]) != "x" {
			err = io.ErrUnexpectedEOF
		}
		got <- err
	}()
	lc.armed.Store(true)
	if err := conn.KeyUpdate(true); err != nil {
		t.Fatal(err)
	}
	lc.armed.Store(false)
	if _, err := conn.Write([]byte("x")); err != nil {
		t.Fatal(err)
	}
	if err := <-got; err != nil {
		t.Fatal("read:", err)
	}
	conn.CloseWrite()
	<-done

	evs := log.events()
	sentKU, recvKU := -1, -1
	for i, e := range evs {
		if isKU(e) && e.Sent && sentKU < 0 {
			sentKU = i
		}
		if isKU(e) && !e.Sent && recvKU < 0 {
			recvKU = i
		}
	}
	if sentKU < 2 || recvKU < 0 {
		t.Fatalf("KeyUpdates sent at %d, received at %d in %d events", sentKU, recvKU, len(evs))
	}
	if recvKU < sentKU {
		t.Errorf("the peer's KeyUpdate (event %d) was reported before ours (event %d)", recvKU, sentKU)
	}
	if h, in := evs[sentKU-2], evs[sentKU-1]; !h.Sent || h.ContentType != ContentRecordHeader || !in.Sent || in.ContentType != ContentInnerType {
		t.Errorf("our KeyUpdate's record header and inner type are not right before it: %+v %+v", h, in)
	}
}
