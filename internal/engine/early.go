package engine

import (
	"crypto/sha256"
	"errors"
	"io"
	"slices"
	"sync"
	"time"

	"github.com/tlskit/tlskit/internal/engine/alert"
	"github.com/tlskit/tlskit/internal/engine/msg"
	"github.com/tlskit/tlskit/internal/engine/record"
	"github.com/tlskit/tlskit/internal/engine/suites"
)

// TLS 1.3 0-RTT (RFC 8446 §2.3, §4.2.10): a client resuming with a ticket
// that allows early data sends it right after its ClientHello under
// client_early_traffic_secret; a server that takes it reads it after its
// own Finished, up to the client's EndOfEarlyData.

// defaultRecvMaxEarlyData is OpenSSL's default limit on the early data a
// server takes (SSL_set_recv_max_early_data).
const defaultRecvMaxEarlyData = 16384

// The engine's refusals of 0-RTT data, which errors.Is finds in the
// handshake's error (OpenSSL's reason texts, which the error lines print,
// stay in the faults' Reason).
var (
	// ErrTooMuchEarlyData: a client's data is more than its ticket
	// allows (refused before it is sent, internal_error), or a server
	// read more than it takes (unexpected_message).
	ErrTooMuchEarlyData = errors.New("tls: too much early data")
	// ErrEarlyDataSNI: a client's server name differs from the one its
	// ticket's session was made under; nothing was sent.
	ErrEarlyDataSNI = errors.New("tls: early data under another server name than its session's")
	// ErrEarlyDataALPN: a client's protocol list lacks its ticket's ALPN
	// protocol; nothing was sent.
	ErrEarlyDataALPN = errors.New("tls: early data without its session's ALPN protocol")
)

// earlyFault is the fault d with OpenSSL's reason text, named by cause.
func earlyFault(d alert.Desc, reason string, cause error) *alert.Fault {
	return &alert.Fault{Desc: d, Reason: reason, Cause: cause}
}

// TicketLedger remembers the tickets a server has seen, so that each
// resumes once at most (RFC 8446 §8.1's single-use tickets, OpenSSL's
// anti-replay). It holds at most ledgerCap tickets until they expire; when
// full, it counts every ticket as seen, which costs a full handshake but
// never lets a replay through.
type TicketLedger struct {
	mu   sync.Mutex
	seen map[[32]byte]time.Time // ticket digest → when it expires
}

const ledgerCap = 1 << 16

// firstUse records ticket as used and reports whether it was new.
func (l *TicketLedger) firstUse(ticket []byte, now, expires time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.seen == nil {
		l.seen = map[[32]byte]time.Time{}
	}
	k := sha256.Sum256(ticket)
	if _, ok := l.seen[k]; ok {
		return false
	}
	if len(l.seen) >= ledgerCap {
		for d, exp := range l.seen {
			if !exp.After(now) {
				delete(l.seen, d)
			}
		}
		if len(l.seen) >= ledgerCap {
			return false
		}
	}
	l.seen[k] = expires
	return true
}

// earlyAEAD makes the record protection for client_early_traffic_secret,
// under the suite of the ticket (which the handshake's suite may not be).
func earlyAEAD(s suites.Suite13, secret []byte) (*record.AEAD13, error) {
	c := &TLSConn{suite: s}
	return c.aead(secret)
}

// sendEarlyData sends the client's 0-RTT data after its first
// ClientHello (outMu held): the compatibility ChangeCipherSpec first
// (RFC 8446 Appendix D.4), then the data under the early key, which
// stays the write key until EndOfEarlyData.
func (h *clientHS) sendEarlyData() error {
	c := h.c
	t := c.cfg.Session
	if uint64(len(c.cfg.EarlyData)) > uint64(t.MaxEarlyData) {
		return earlyFault(alert.InternalError, "too much early data", ErrTooMuchEarlyData)
	}
	s, _ := suites.Lookup13(t.Suite)
	d := s.Hash.New()
	d.Write(h.chRaw)
	secret := h.earlySched.ClientEarlyTrafficSecret(d.Sum(nil))
	c.keyLog("CLIENT_EARLY_TRAFFIC_SECRET", secret)
	a, err := earlyAEAD(s, secret)
	if err != nil {
		return err
	}
	h.earlySecret = secret
	if !c.cfg.NoMiddlebox {
		if err := c.sendCCSLocked(); err != nil {
			return err
		}
	}
	c.rl.SetWriteCipher(a)
	c.st.EarlyData = EarlyDataRejected // until EncryptedExtensions says otherwise
	for p := c.cfg.EarlyData; len(p) > 0; {
		n := min(len(p), record.MaxPlaintext)
		if err := c.rl.Write(record.TypeApplicationData, p[:n]); err != nil {
			return err
		}
		if c.cfg.OnEvent != nil {
			c.event(true, int(record.TypeApplicationData), append([]byte(nil), p[:n]...))
		}
		p = p[n:]
	}
	return nil
}

// wantsEarlyData reports whether a client offers 0-RTT: a ticket that
// allows it, offered first, and data to send.
func (h *clientHS) wantsEarlyData() bool {
	t := h.c.cfg.Session
	return t != nil && t.MaxEarlyData > 0 && h.c.cfg.EarlyData != nil &&
		len(h.offers) > 0 && !h.offers[0].external && string(h.offers[0].identity) == string(t.Ticket)
}

// earlyConsistent refuses to send early data under a ticket whose
// session this handshake does not continue, as OpenSSL's client refuses
// it (internal_error, before any ClientHello): another server name than
// the one the server acknowledged for the session ("inconsistent early
// data sni"; RFC 8446 §4.6.1: a client should resume only under the
// original name), checked first as OpenSSL checks it, or a protocol list
// without the session's ALPN protocol ("inconsistent early data alpn"):
// the data was written for that protocol (RFC 8446 §4.2.10). A session
// with no acknowledged name allows any.
func (h *clientHS) earlyConsistent() error {
	t, cfg := h.c.cfg.Session, h.c.cfg
	if t.ServerName != "" && t.ServerName != cfg.ServerName {
		return earlyFault(alert.InternalError, "inconsistent early data sni", ErrEarlyDataSNI)
	}
	if t.ALPN != "" && !slices.Contains(cfg.ALPN, t.ALPN) {
		return earlyFault(alert.InternalError, "inconsistent early data alpn", ErrEarlyDataALPN)
	}
	return nil
}

// acceptEarly decides whether a server takes the client's 0-RTT data
// (RFC 8446 §4.2.10): the server reads early data, the client offered it
// with the first PSK, a ticket of this server that allows it, made with
// the suite and ALPN protocol of this handshake, whose age the client
// tells right (ageOK), and no HelloRetryRequest came between.
func (h *serverHS) acceptEarly() bool {
	c, p := h.c, h.psk
	return c.cfg.AcceptEarlyData && h.early && !c.st.HelloRetry && p != nil && !p.external &&
		h.pskIndex == 0 && p.maxEarly > 0 && p.suite == c.suite.ID && p.alpn == h.alpn &&
		p.ageOK && c.cfg.RecvMaxEarlyData >= 0
}

// earlyAgeAllowance is how much younger than the server counts it a
// client may say its ticket is and still send 0-RTT data (RFC 8446 §8.3:
// a replayed ClientHello tells an age that grows stale), as openssl 3.0
// allows: 10 seconds, from the ticket's age in whole seconds plus one.
const earlyAgeAllowance = 10 * time.Second

// ticketAgeOK reports whether a client's obfuscated_ticket_age tells the
// age of a ticket made at created, as openssl 3.0 judges it before it
// takes 0-RTT data: the age the client tells (RFC 8446 §4.2.11.1: the
// obfuscated age less ageAdd, in milliseconds) may be at most one second
// over the server's count of whole seconds since the ticket was made,
// and at most nine under it (measured with the engine's client telling
// skewed ages to openssl s_server -early_data: 0.9 s older accepted, 1.1 s
// older rejected; 5 s younger accepted, 9 s younger rejected, after 12 s).
func ticketAgeOK(obfuscated, ageAdd uint32, created, now time.Time) bool {
	told := time.Duration(obfuscated-ageAdd) * time.Millisecond
	secs := now.Unix() - created.Unix()
	if secs < 0 {
		return false
	}
	ref := time.Duration(secs+1) * time.Second
	return told <= ref && told+earlyAgeAllowance >= ref
}

// serverEarly is a server's handshake paused after its Finished, with
// the client's 0-RTT data still coming (ReadEarlyData): what is left to
// run once EndOfEarlyData is in.
type serverEarly struct {
	h        *serverHS
	cHS, cAP []byte
	limit    int  // how many bytes of early data the server takes
	got      int  // how many it read
	ended    bool // EndOfEarlyData is in
}

// newServerEarly pauses h after its Finished (early data accepted).
func (h *serverHS) newServerEarly(cHS, cAP []byte) *serverEarly {
	c := h.c
	limit := int(h.psk.maxEarly)
	if r := c.cfg.RecvMaxEarlyData; r == 0 {
		limit = min(limit, defaultRecvMaxEarlyData)
	} else {
		limit = min(limit, r)
	}
	return &serverEarly{h: h, cHS: cHS, cAP: cAP, limit: limit}
}

// readEarlyRecord reads one record of the client's 0-RTT data (inMu
// held; the read key is client_early_traffic_secret), its data going to
// c.input; end reports the client's EndOfEarlyData. More than the server
// takes is unexpected_message, as OpenSSL answers it ("too much early
// data").
func (e *serverEarly) readEarlyRecord() (end bool, err error) {
	c := e.h.c
	takeEarly := func(data []byte) error {
		if c.cfg.OnEvent != nil {
			c.event(false, int(record.TypeApplicationData), data)
		}
		if e.got+len(data) > e.limit {
			return earlyFault(alert.UnexpectedMessage, "too much early data", ErrTooMuchEarlyData)
		}
		e.got += len(data)
		c.input = append(c.input, data...)
		return nil
	}
	handshake, err := c.readRecord(takeEarly, c.handshakeCCS)
	if err != nil || !handshake {
		return false, err
	}
	m, ok, err := c.hs.Next()
	if err != nil {
		return false, alert.Faultf(alert.IllegalParameter, "excessive message size")
	}
	if !ok {
		return false, nil
	}
	c.event(false, int(record.TypeHandshake), m.Raw)
	if m.Type != msg.TypeEndOfEarlyData {
		return false, alert.Faultf(alert.UnexpectedMessage, "unexpected message")
	}
	if err := msg.ParseEndOfEarlyData(m.Body); err != nil {
		return false, err
	}
	e.h.tr.Write(m.Raw)
	c.st.EarlyDataLen = e.got
	e.ended = true
	return true, nil
}

// finish reads what is left of the 0-RTT data (kept for Read), then the
// client's flight, and sends the tickets (inMu and outMu held).
func (e *serverEarly) finish() error {
	for !e.ended {
		end, err := e.readEarlyRecord()
		if err != nil {
			return err
		}
		if end {
			break
		}
	}
	if err := e.h.c.setReadKey(e.cHS); err != nil {
		return err
	}
	return e.h.afterEarly(e.cHS, e.cAP)
}

// ErrNotEarly is WriteEarlyData outside a server's 0-RTT phase.
var ErrNotEarly = errors.New("tls: not reading early data")

// ReadEarlyData is a server's OpenSSL SSL_read_early_data: it runs the
// handshake through the server's Finished and returns the client's 0-RTT
// data as it comes, which the server may answer with WriteEarlyData
// before the client's Finished (RFC 8446 §2.3's half-RTT data). It
// returns io.EOF when there is no more: the client's EndOfEarlyData came
// and the handshake then ran to its end, or no early data was accepted
// and the handshake ran to its end without. Handshake, Read or Write in
// between end the 0-RTT phase the same way, keeping the early data not
// read yet for Read. For one goroutine, as OpenSSL's. It holds the
// handshake lock while it waits for the client, as Handshake does, so a
// Close from another goroutine waits for it: bound the wait with the
// transport's read deadline.
func (c *TLSConn) ReadEarlyData(p []byte) (int, error) {
	if c.isClient {
		return 0, errors.New("tls: ReadEarlyData on a client")
	}
	c.hsMu.Lock()
	defer c.hsMu.Unlock()
	if c.hsDone {
		if c.hsErr != nil {
			return 0, c.hsErr
		}
		return 0, io.EOF
	}
	if c.early == nil {
		if err := c.handshakeLocked(true); err != nil {
			return 0, err
		}
		if c.early == nil {
			return 0, io.EOF
		}
	}
	c.inMu.Lock()
	for len(c.input) == 0 {
		end, err := c.early.readEarlyRecord()
		if err != nil {
			c.outMu.Lock()
			err = c.failLocked(err)
			c.outMu.Unlock()
			c.inMu.Unlock()
			c.hsDone, c.hsErr = true, err
			return 0, err
		}
		if end {
			c.inMu.Unlock()
			if err := c.handshakeLocked(false); err != nil {
				return 0, err
			}
			return 0, io.EOF
		}
	}
	n := copy(p, c.input)
	c.input = c.input[n:]
	c.inMu.Unlock()
	return n, nil
}

// WriteEarlyData is a server's OpenSSL SSL_write_early_data: between
// ReadEarlyData's first data and its io.EOF, it sends p under the
// server's application traffic secret before the client's Finished
// (half-RTT data, RFC 8446 §2.3). Elsewhere it is ErrNotEarly.
func (c *TLSConn) WriteEarlyData(p []byte) (int, error) {
	c.hsMu.Lock()
	defer c.hsMu.Unlock()
	if c.isClient || c.early == nil {
		return 0, ErrNotEarly
	}
	c.outMu.Lock()
	defer c.outMu.Unlock()
	return c.writeLocked(p)
}
