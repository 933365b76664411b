package wire

import (
	"io"
	"net"
	"sync"
)

// Options selects what the observer prints. A nil writer disables that
// output; with all of them nil the observer only gathers the Summary.
type Options struct {
	Client      bool      // the observed end is the client (SSL_connect)
	Msg         io.Writer // -msg
	Trace       io.Writer // -trace
	Debug       io.Writer // -debug
	State       io.Writer // -state
	TLSExtDebug io.Writer // -tlsextdebug

	// MaxVersion is the local end's highest enabled version, printed on
	// -msg lines before the version is negotiated. Zero means: the client
	// takes it from its ClientHello, the server assumes TLS 1.3.
	MaxVersion uint16
}

// Observer prints one connection of the engine: set Event as the
// engine.Config's OnEvent, and wrap the raw conn with Wrap for -debug's
// dumps and the byte counts. Use one observer per connection. Its methods
// are safe for concurrent use.
type Observer struct {
	mu   sync.Mutex
	o    Options
	half [2]*half // 0: what the peer sent, 1: what this end sent

	version  uint16 // negotiated, from ServerHello
	suite    uint16
	helloMax uint16
	started  bool
	done     bool
	// peerFinished: the peer's Finished went by. In TLS 1.0–1.2 openssl
	// reports "write finished" twice when its Finished waits for the
	// peer's (a client's full handshake, a server's resumption), once
	// when it ends the handshake.
	peerFinished bool
	// pending are -state lines waiting for openssl's state machine to
	// move (see later).
	pending []string

	sum      Summary
	draining bool // see Drain
	// earlyData: this client sent early data (RFC 8446 §4.2.10).
	earlyData bool
	// renegHello: a TLS 1.0–1.2 server read a ClientHello after its
	// handshake; openssl reports reading it after the warning
	// no_renegotiation that refuses it.
	renegHello bool
	ticketFn   func(NewSessionTicket)
	tickets    []NewSessionTicket // queued for ticketFn, run outside mu
	// alertDue prints a sent alert's lines once its record is written
	// (see sentAlert); nil when none waits.
	alertDue func()
	// writeDue is -debug's dump of the write to the wrapped conn under
	// way (one at a time: see feed), printed when the write returns, with
	// what it wrote (wrote), or as written whole should anything else be
	// reported first; nil when none waits.
	writeDue []byte
	// wrapped: the observer sees the writes (Wrap); one fed events only
	// prints a sent alert's lines at once.
	wrapped bool
}

type half struct {
	sent      bool
	in        []byte // -debug: received bytes not yet shown
	skip      int    // -debug: body bytes of the record taken up, not yet shown
	processed int64  // bytes of records seen so far
	hsBytes   int64  // processed, frozen at this direction's first Finished
	finished  bool   // a Finished went this way
}

// New returns an observer configured by o.
func New(o Options) *Observer {
	ob := &Observer{o: o}
	ob.half[0] = &half{}
	ob.half[1] = &half{sent: true}
	return ob
}

// OnNewSessionTicket registers f to run (outside the observer's lock, on
// the goroutine that reported the message) for every TLS 1.3
// NewSessionTicket the peer sends (RFC 8446 section 4.6.1).
func (ob *Observer) OnNewSessionTicket(f func(t NewSessionTicket)) {
	ob.mu.Lock()
	ob.ticketFn = f
	ob.mu.Unlock()
}

// Wrap returns a net.Conn that passes everything through to c, counting
// the bytes each way and printing -debug's dumps. The result has a
// NetConn method returning c.
func (ob *Observer) Wrap(c net.Conn) net.Conn {
	ob.mu.Lock()
	ob.wrapped = true
	ob.mu.Unlock()
	return &conn{Conn: c, ob: ob}
}

type conn struct {
	net.Conn
	ob *Observer
}

func (c *conn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 || err == io.EOF {
		c.ob.feed(false, p[:n])
	}
	return n, err
}

func (c *conn) Write(p []byte) (int, error) {
	c.ob.feed(true, p)
	n, err := c.Conn.Write(p)
	c.ob.wrote(n)
	return n, err
}

func (ob *Observer) takeTickets() func() {
	if len(ob.tickets) == 0 || ob.ticketFn == nil {
		ob.tickets = nil
		return func() {}
	}
	ts, f := ob.tickets, ob.ticketFn
	ob.tickets = nil
	return func() {
		for _, t := range ts {
			f(t)
		}
	}
}

// clientDir reports whether h carries the client's records.
func (ob *Observer) clientDir(h *half) bool { return h.sent == ob.o.Client }

func (ob *Observer) changeCipherSpec(h *half, data []byte) {
	if h.sent {
		ob.sum.ChangeCipherSpecSent = true
		ob.msgLine(h, typeChangeCipherSpec, data, "")
		ob.tracef("    change_cipher_spec (%d)\n\n", firstByte(data))
	}
	tls12 := ob.version != 0 && ob.version != 0x0304
	if h.sent || tls12 {
		ob.stateCCS(h)
	}
}
func firstByte(b []byte) int {
	if len(b) == 0 {
		return -1
	}
	return int(b[0])
}

func (ob *Observer) alert(h *half, data []byte) {
	if len(data) < 2 {
		return
	}
	level, desc := data[0], data[1]
	ob.msgLine(h, typeAlert, data[:2], ", "+alertLevelName(level)+" "+alertName(desc))
	ob.tracef("    Level=%s(%d), description=%s(%d)\n\n", alertLevelName(level), level, alertLongName(desc), desc)
	dir := "read"
	if h.sent {
		dir = "write"
	}
	ob.statef("SSL3 alert %s:%s:%s\n", dir, alertLevelName(level), alertLongName(desc))
	if ob.renegHello && h.sent {
		ob.renegHello = false
		ob.state("SSLv3/TLS read client hello")
	}
	if h.sent {
		ob.sum.AlertSent = append(ob.sum.AlertSent, Alert{level, desc})
	} else {
		ob.sum.AlertReceived = append(ob.sum.AlertReceived, Alert{level, desc})
	}
}

// recLen is the length field of the record header at the start of b.
func recLen(b []byte) int { return int(b[3])<<8 | int(b[4]) }

// NetConn returns the conn Wrap was given, for half-closes and socket
// options the observer does not forward.
func (c *conn) NetConn() net.Conn { return c.Conn }

// Drain marks the end of the session: what is read from now on is read
// as openssl's s_client drains its socket after its close_notify, raw,
// outside the TLS connection. It still counts as read; -debug shows each
// read of the socket whole, as into s_client's 8 KiB buffer, and the end
// of the stream. Bytes the record layer read ahead and TLS never took up
// are shown with the first read after Drain, as openssl reads them then
// (or by DrainEnd, should no read come).
func (ob *Observer) Drain() {
	ob.mu.Lock()
	defer ob.mu.Unlock()
	ob.printDue()
	ob.draining = true
	if h := ob.half[0]; len(h.in) == 0 {
		h.in, h.skip = nil, 0
	}
}

// DrainEnd ends what Drain began: bytes read ahead and never taken up by
// TLS, still unshown because no read came after them (the server neither
// sent more nor closed in time), are shown as openssl's read of them.
func (ob *Observer) DrainEnd() {
	ob.mu.Lock()
	defer ob.mu.Unlock()
	if h := ob.half[0]; ob.draining && ob.o.Debug != nil && h.in != nil {
		ob.debugDrain(h.in)
		h.in, h.skip = nil, 0
	}
}
