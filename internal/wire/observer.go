package wire

import (
	"bytes"
	"encoding/hex"
	"io"
	"net"
	"strings"
	"sync"

	"github.com/tlskit/tlskit/internal/engine"
	"github.com/tlskit/tlskit/internal/engine/msg"
)

// Limits that keep a hostile peer from making the observer buffer
// without bound. RFC 8446 section 5.2 caps a protected record at
// 2^14+256 bytes; crypto/tls accepts handshake messages up to 256 KiB.
const (
	maxRecordLen    = 1<<14 + 2048
	maxHandshakeLen = 1 << 18
	maxPendingBytes = 1 << 20
)

// Options selects what the observer prints. A nil writer disables that
// output; with all of them nil the observer only gathers the Summary.
type Options struct {
	Client      bool      // the wrapped conn is the client end (SSL_connect)
	Msg         io.Writer // -msg
	Trace       io.Writer // -trace
	Debug       io.Writer // -debug
	State       io.Writer // -state
	TLSExtDebug io.Writer // -tlsextdebug
	KeyLog      io.Writer // the user's -keylogfile; receives every key log line

	// MaxVersion is the local end's highest enabled version, printed on
	// -msg lines before the version is negotiated. Zero means: the client
	// takes it from its ClientHello, the server assumes TLS 1.3.
	MaxVersion uint16
}

// Observer watches one TLS connection. Create it with New, wrap the raw
// conn with Wrap, and set KeyLogWriter as the tls.Config's KeyLogWriter.
// Use one observer per connection. Its methods are safe for concurrent
// use.
type Observer struct {
	mu   sync.Mutex
	o    Options
	half [2]*half // 0: records read from the peer, 1: records written

	version      uint16 // negotiated, from ServerHello
	suite        uint16
	clientRandom []byte
	serverRandom []byte
	helloMax     uint16
	secrets      map[string][]byte // "LABEL client_random_hex" -> secret
	started      bool
	done         bool
	events       bool           // fed by the engine's events (see Events)
	sentOpen     bool           // a sent record's header came, its message not yet
	held         []engine.Event // received events waiting for it (see Event)

	sum      Summary
	ticketFn func(NewSessionTicket)
	tickets  []NewSessionTicket // queued for ticketFn, run outside mu
}

type half struct {
	sent      bool
	in        []byte          // unframed bytes
	skip      int             // body bytes of the current record to drop unparsed
	hs        msg.Reassembler // handshake reassembly (RFC 8446 section 5.1), linear
	protected bool
	epoch     int // TLS 1.3: 1 handshake keys, 2+ application keys
	keys      *recordKeys
	pending   [][]byte // whole records waiting for their keys
	pendBytes int
	broken    bool
	processed int64 // bytes of records processed so far
	hsBytes   int64 // processed, frozen at this direction's first Finished
	finished  bool  // a Finished went this way
	rekey     bool  // KeyUpdate seen; switch keys after this record
	nextEpoch bool  // TLS 1.3 Finished seen; switch keys after this record
	failed    bool  // decryption failed; later records are not opened
}

// New returns an observer configured by o.
func New(o Options) *Observer {
	ob := &Observer{o: o, secrets: make(map[string][]byte)}
	ob.half[0] = &half{hs: msg.Reassembler{Max: maxHandshakeLen}}
	ob.half[1] = &half{sent: true, hs: msg.Reassembler{Max: maxHandshakeLen}}
	return ob
}

// OnNewSessionTicket registers f to run (outside the observer's lock, on
// the goroutine that read the record) for every TLS 1.3 NewSessionTicket
// the peer sends (RFC 8446 section 4.6.1).
func (ob *Observer) OnNewSessionTicket(f func(t NewSessionTicket)) {
	ob.mu.Lock()
	ob.ticketFn = f
	ob.mu.Unlock()
}

// Wrap returns a net.Conn that passes everything through to c and shows
// the observer each byte read and written. The result has a NetConn
// method returning c.
func (ob *Observer) Wrap(c net.Conn) net.Conn {
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
	return c.Conn.Write(p)
}

// KeyLogWriter returns the writer to set as tls.Config.KeyLogWriter. It
// forwards every line to Options.KeyLog, if set, and uses the secrets to
// decrypt the connection. Without it a TLS 1.3 Summary lacks everything
// after the ServerHello (and HandshakeDone stays false), and protected
// records are held back, up to 1 MiB, then printed as headers only. The secrets break the connection's
// confidentiality: the observer keeps them in memory only.
func (ob *Observer) KeyLogWriter() io.Writer { return keyLog{ob} }

// MasterSecret returns the TLS 1.2 master secret crypto/tls logged for
// this connection (the CLIENT_RANDOM key log line), or nil, for the
// report's Master-Key line.
func (ob *Observer) MasterSecret() []byte {
	ob.mu.Lock()
	defer ob.mu.Unlock()
	return bytes.Clone(ob.secret("CLIENT_RANDOM"))
}

type keyLog struct{ ob *Observer }

func (k keyLog) Write(p []byte) (int, error) {
	ob := k.ob
	if ob.o.KeyLog != nil {
		if _, err := ob.o.KeyLog.Write(p); err != nil {
			return 0, err
		}
	}
	ob.mu.Lock()
	for _, line := range strings.Split(string(p), "\n") {
		f := strings.Fields(line)
		if len(f) != 3 {
			continue
		}
		secret, err := hex.DecodeString(f[2])
		if err != nil {
			continue
		}
		ob.secrets[f[0]+" "+strings.ToLower(f[1])] = secret
	}
	ob.drain(ob.half[0])
	ob.drain(ob.half[1])
	fns := ob.takeTickets()
	ob.mu.Unlock()
	fns()
	return len(p), nil
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

// wantBodies reports whether record bodies still need parsing. After the
// handshake, with no output and no ticket callback, the observer only
// counts bytes, so wrapping costs next to nothing.
func (ob *Observer) wantBodies() bool {
	return !ob.done || ob.o.Msg != nil || ob.o.Trace != nil || ob.o.State != nil ||
		ob.o.Debug != nil || ob.ticketFn != nil
}

// feed frames bytes flowing in one direction into records.
func (ob *Observer) feed(sent bool, p []byte) {
	ob.mu.Lock()
	if ob.events {
		h := ob.half[0]
		if sent {
			h = ob.half[1]
		}
		ob.feedEvents(h, p)
		ob.mu.Unlock()
		return
	}
	orig := p
	h := ob.half[0]
	if sent {
		h = ob.half[1]
		ob.sum.BytesWritten += int64(len(p))
	} else {
		ob.sum.BytesRead += int64(len(p))
	}
	if ob.o.Debug != nil && !sent && len(p) == 0 {
		ob.debugEOF()
	}
	for len(p) > 0 && !h.broken {
		if h.skip > 0 {
			n := min(h.skip, len(p))
			h.skip -= n
			h.processed += int64(n)
			p = p[n:]
			continue
		}
		if len(h.in) == 0 && len(p) >= 5 && len(h.pending) == 0 {
			n := 5 + recLen(p)
			if n <= len(p) {
				// Fast path: a whole record in the caller's buffer.
				ob.record(h, p[:n])
				p = p[n:]
				continue
			}
		}
		need := 5
		if len(h.in) >= 5 {
			need = 5 + recLen(h.in)
		}
		n := min(need-len(h.in), len(p))
		h.in = append(h.in, p[:n]...)
		p = p[n:]
		if len(h.in) == 5 {
			l := recLen(h.in)
			if l > maxRecordLen {
				h.broken = true
				break
			}
			if !ob.wantBodies() && len(h.pending) == 0 {
				h.processed += 5
				h.skip = l
				h.in = h.in[:0]
				continue
			}
		}
		if len(h.in) >= 5 && len(h.in) == 5+recLen(h.in) {
			ob.record(h, h.in)
			h.in = h.in[:0]
		}
	}
	if ob.o.Debug != nil && sent {
		ob.debugWrite(orig)
	}
	fns := ob.takeTickets()
	ob.mu.Unlock()
	fns()
}

// record handles one whole record: it runs it now or queues it behind
// records still waiting for keys, keeping each direction's order.
func (ob *Observer) record(h *half, rec []byte) {
	if len(rec)-5 > maxRecordLen {
		h.broken = true
		return
	}
	if !ob.wantBodies() && len(h.pending) == 0 {
		h.processed += int64(len(rec))
		return
	}
	if len(h.pending) == 0 && !ob.needsKeys(h, rec[0]) {
		ob.process(h, rec)
		return
	}
	if h.pendBytes+len(rec) > maxPendingBytes {
		// Keys never came; show what we have without decrypting.
		h.failed = true
		ob.flush(h)
		ob.process(h, rec)
		return
	}
	h.pending = append(h.pending, bytes.Clone(rec))
	h.pendBytes += len(rec)
	ob.drain(h)
}

// needsKeys reports whether a record of type t must wait for keys.
func (ob *Observer) needsKeys(h *half, t uint8) bool {
	if !h.protected || h.failed || !ob.isProtected(h, t) {
		return false
	}
	if h.keys == nil {
		ob.installKeys(h)
	}
	return h.keys == nil
}

// isProtected: in TLS 1.3 only application_data records carry protected
// content, CCS and early alerts stay plaintext (RFC 8446 section 5); in
// TLS 1.2 everything after ChangeCipherSpec is protected.
func (ob *Observer) isProtected(h *half, t uint8) bool {
	if !h.protected {
		return false
	}
	if ob.version == 0x0304 {
		return t == typeApplicationData
	}
	return true
}

func (ob *Observer) drain(h *half) {
	for len(h.pending) > 0 {
		rec := h.pending[0]
		if ob.needsKeys(h, rec[0]) {
			return
		}
		h.pending = h.pending[1:]
		h.pendBytes -= len(rec)
		ob.process(h, rec)
	}
	h.pending = nil
}

// flush processes queued records without waiting for keys any longer.
func (ob *Observer) flush(h *half) {
	for _, rec := range h.pending {
		ob.process(h, rec)
	}
	h.pending, h.pendBytes = nil, 0
}

// clientDir reports whether h carries the client's records.
func (ob *Observer) clientDir(h *half) bool { return h.sent == ob.o.Client }

func (ob *Observer) secret(label string) []byte {
	return ob.secrets[label+" "+hex.EncodeToString(ob.clientRandom)]
}

// installKeys looks for the key log line h's current epoch needs.
func (ob *Observer) installKeys(h *half) {
	p, ok := lookupSuite(ob.suite)
	if !ok || ob.clientRandom == nil {
		return
	}
	side := "SERVER_"
	if ob.clientDir(h) {
		side = "CLIENT_"
	}
	if ob.version == 0x0304 {
		if !p.tls13 || h.epoch > 2 {
			return
		}
		label := side + "HANDSHAKE_TRAFFIC_SECRET"
		if h.epoch == 2 {
			label = side + "TRAFFIC_SECRET_0"
		}
		if s := ob.secret(label); s != nil {
			h.keys, _ = keys13(p, s)
		}
		return
	}
	ms := ob.secret("CLIENT_RANDOM")
	if ms == nil || p.tls13 || ob.serverRandom == nil {
		return
	}
	c, s, err := keys12(p, ms, ob.clientRandom, ob.serverRandom)
	if err != nil {
		return
	}
	if ob.clientDir(h) {
		h.keys = c
	} else {
		h.keys = s
	}
}

// process prints and interprets one record.
func (ob *Observer) process(h *half, rec []byte) {
	h.processed += int64(len(rec))
	hdr, body := rec[:5], rec[5:]
	typ := hdr[0]
	// OpenSSL reads a record as header then body; -debug and -msg
	// lines interleave the same way.
	ob.debugRead(h, hdr, false)
	ob.msgRecordHeader(h, hdr)
	ob.debugRead(h, body, true)
	ob.traceRecordHeader(h, hdr)
	data := body
	if ob.isProtected(h, typ) {
		if h.keys == nil || h.failed {
			return
		}
		pt, err := h.keys.open(hdr, body)
		if err != nil {
			h.failed = true
			return
		}
		if ob.version == 0x0304 {
			// RFC 8446 section 5.4: strip zero padding; the last
			// non-zero byte is the real content type.
			i := len(pt) - 1
			for i >= 0 && pt[i] == 0 {
				i--
			}
			if i < 0 {
				h.failed = true
				return
			}
			typ, data = pt[i], pt[:i]
			ob.msgInner(h, typ)
			ob.traceInner(typ)
		} else {
			data = pt
		}
	}
	switch typ {
	case typeHandshake:
		h.hs.Write(data)
		for {
			m, ok, err := h.hs.Next()
			if err != nil {
				h.broken = true
				return
			}
			if !ok {
				break
			}
			ob.handshake(h, m.Raw)
		}
	case typeAlert:
		ob.alert(h, data)
	case typeChangeCipherSpec:
		ob.changeCipherSpec(h, data)
	}
	if h.nextEpoch {
		h.nextEpoch = false
		h.epoch++
		h.keys = nil
	}
	if h.rekey {
		h.rekey = false
		if h.keys != nil {
			h.keys, _ = h.keys.nextKeys13()
		}
	}
}

func (ob *Observer) changeCipherSpec(h *half, data []byte) {
	if h.sent {
		ob.msgLine(h, typeChangeCipherSpec, data, "")
		ob.tracef("    change_cipher_spec (%d)\n\n", firstByte(data))
	}
	tls12 := ob.version != 0 && ob.version != 0x0304
	if h.sent || tls12 {
		ob.stateCCS(h)
	}
	if tls12 {
		// RFC 5246 section 7.1: later records use the new keys.
		h.protected = true
		h.keys = nil
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
