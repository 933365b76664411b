package engine

import (
	"crypto"
	"crypto/rand"
	"errors"
	"io"
	"math/bits"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tlskit/tlskit/internal/engine/alert"
	"github.com/tlskit/tlskit/internal/engine/keys"
	"github.com/tlskit/tlskit/internal/engine/msg"
	"github.com/tlskit/tlskit/internal/engine/record"
	"github.com/tlskit/tlskit/internal/engine/suites"
)

// TLSConn is one TLS connection of the engine, client or server.
//
// One goroutine may Read while another Writes; Handshake, Read, Write,
// KeyUpdate and ExportKeyingMaterial may be called from any goroutine.
type TLSConn struct {
	conn     net.Conn
	cfg      *Config
	isClient bool
	rl       *record.Layer
	// refusedVersion labels the events before the version is agreed once
	// a record was refused for its content type (adoptRefusedVersion).
	refusedVersion uint16

	hsMu    sync.Mutex
	hsDone  bool
	hsErr   error
	inMu    sync.Mutex // reading: rl reads, hs reassembly, input buffer
	outMu   sync.Mutex // writing: rl writes, write secret
	errMu   sync.Mutex
	err     error // sticky fatal error, after which nothing more is sent
	hs      msg.Reassembler
	input   []byte // application data read but not yet returned
	inbuf   []byte // input's backing array, kept across records
	eof     bool   // close_notify received
	wClosed bool   // close_notify sent

	st       State
	suite    suites.Suite13
	sched    *keys.Schedule
	inSecret []byte // current read traffic secret (TLS 1.3)
	outSec   []byte // current write traffic secret
	expSec   []byte // exporter_master_secret
	resSec   []byte // resumption_master_secret
	// resumed is the ticket a client's TLS 1.3 handshake resumed (nil for
	// a full handshake or an external PSK): its session's ALPN protocol
	// and server name pass on to the tickets of this connection.
	resumed *Ticket
	sawCCS  bool
	// keyUpdateOwed: the peer asked for a KeyUpdate that the next write
	// sends first.
	keyUpdateOwed atomic.Bool
	// pendingWrite is a client's handshake write secret between
	// ServerHello and its own flight: an alert sent in between goes in
	// the clear, as openssl's, or under it with
	// Config.AlertsUnderHandshakeKey (RFC 8446 §5 leaves open which keys
	// are "current" before the client's flight).
	pendingWrite []byte
	// skipAppLeft is how many bytes of clear application data records a
	// server still skips: early data sent before a HelloRetryRequest.
	skipAppLeft int
	// v2Hello is the SSL 2.0-format ClientHello a server's first record
	// held (RFC 5246 Appendix E.2), the message without its length,
	// until the handshake parses it.
	v2Hello []byte

	// testOnlyMutate, set by tests, rewrites each handshake message this
	// side sends, to play a broken peer; nil drops the message.
	testOnlyMutate func([]byte) []byte
	sentCCS        bool

	// v12 is set once a TLS 1.0–1.2 version is negotiated.
	v12 *conn12

	// ids are a server's identities for this connection when its
	// ServerNameHook replaced Config.Identities; sniAck says the
	// server_name is acknowledged.
	ids    []Identity
	sniAck bool
	noALPN bool // the ServerNameHook turned ALPN off
	// noDHParams: the ServerNameHook took Config.DHParams away.
	noDHParams bool

	// hsTr is the TLS 1.3 handshake's transcript through the client
	// Finished, which each post-handshake authentication extends on a
	// copy of its own (RFC 8446 §4.4.1).
	hsTr *keys.Transcript
	// phaOffered: this client offered post_handshake_auth; peerPHA:
	// this server's client did (RFC 8446 §4.2.6).
	phaOffered, peerPHA bool
	// pha is a server's post-handshake CertificateRequest waiting for
	// the client's answer; set under outMu before the request is sent.
	pha atomic.Pointer[phaRequest]
	// ticketsSent numbers a server's NewSessionTickets, so that a
	// nonce is never used twice on one connection (RFC 8446 §4.6.1).
	ticketsSent int

	// evMu makes a sent message's events one group (writeReported);
	// sentGroup, touched only by the sending goroutine, says it is open.
	evMu      sync.Mutex
	sentGroup bool

	// pauseEarly makes a server's handshake stop after its Finished when
	// it accepts 0-RTT data, leaving the rest in early for
	// ReadEarlyData; early is set while it is paused.
	pauseEarly bool
	early      *serverEarly

	// flights: a server's handshake gathers the records of each flight
	// and sends them in one transport write when it next reads (or the
	// handshake ends), as OpenSSL's buffered write BIO does: one segment
	// and one system call for ServerHello through Finished rather than
	// one per message.
	flights bool
	// hookIDs are the identities the client certificate hook returned
	// for the CertificateRequest being answered, when hooked.
	hookIDs []Identity
	hooked  bool
}

// Client starts a client connection over c; the handshake runs on the
// first Handshake, Read or Write.
func Client(c net.Conn, cfg *Config) *TLSConn { return newConn(c, cfg, true) }

// Server starts a server connection over c.
func Server(c net.Conn, cfg *Config) *TLSConn { return newConn(c, cfg, false) }

func newConn(c net.Conn, cfg *Config, client bool) *TLSConn {
	t := &TLSConn{conn: c, cfg: cfg, isClient: client, rl: record.New(c)}
	t.rl.Trace = tracer{t}
	t.rl.AcceptV2Hello = !client
	t.rl.PadTo = cfg.RecordPadding
	t.rl.EmptyFragments = !cfg.NoEmptyFragments
	t.rl.WriteLimit = cfg.MaxSendFragment
	if cfg.HoldTickets && !client {
		t.rl.BeforeWait = (*heldSender)(t)
	}
	return t
}

// heldSender is a TLSConn as its record layer's record.HeldSender (a
// method value would be one more allocation per connection).
type heldSender TLSConn

func (h *heldSender) SendHeld() error { return (*TLSConn)(h).sendHeld() }

// TicketsHeld reports tickets that Config.HoldTickets keeps back and
// that have not left yet.
func (t *TLSConn) TicketsHeld() bool { return t.rl.Held() }

// sendHeld sends the records Config.HoldTickets kept back, before the
// connection waits for the peer (the record layer calls it with inMu
// held, outside the handshake). A writer that holds outMu sends them with
// its own record, so the reader does not wait for it: a Write blocked on
// a peer that reads only once its own writes are taken in would
// otherwise hold up the reader that takes them in.
func (t *TLSConn) sendHeld() error {
	if !t.outMu.TryLock() {
		return nil
	}
	defer t.outMu.Unlock()
	if !t.rl.Held() {
		return nil
	}
	return t.rl.Flush()
}

// useMaxFragmentLength applies a negotiated max_fragment_length code
// (RFC 6066 §4) to both directions from now on.
func (t *TLSConn) useMaxFragmentLength(code uint8) {
	n := 256 << code
	t.st.MaxFragmentLength = n
	t.limitWrites(n)
	t.rl.ReadLimit = n
}

// mflCode is the max_fragment_length code the handshake negotiated, 0
// for none.
func (t *TLSConn) mflCode() uint8 {
	if n := t.st.MaxFragmentLength; n > 256 {
		return uint8(bits.TrailingZeros(uint(n)) - 8)
	}
	return 0
}

// limitWrites lowers the plaintext limit of the records sent to n, keeping
// a lower one (-max_send_frag, another negotiated limit).
func (t *TLSConn) limitWrites(n int) {
	if t.rl.WriteLimit <= 0 || n < t.rl.WriteLimit {
		t.rl.WriteLimit = n
	}
}

// tracer turns the record layer's reports into events.
type tracer struct{ c *TLSConn }

// recordsHeard reports whether anyone listens to record-level events.
func (t tracer) recordsHeard() bool {
	return t.c.cfg.OnEvent != nil && !t.c.cfg.HandshakeEventsOnly
}

// A record header event carries the header's own version; an inner
// content type carries TLS 1.2 when sent and TLS 1.3 when received, as
// OpenSSL 3.0 reports them (its -msg shows ">>> TLS 1.2, InnerContent").
// Both return before copying anything when no one listens (or the
// listener takes handshake messages only).
func (t tracer) RecordHeader(sent bool, hdr []byte) {
	if !t.recordsHeard() {
		return
	}
	t.c.eventV(sent, uint16(hdr[1])<<8|uint16(hdr[2]), ContentRecordHeader, append([]byte(nil), hdr...))
}

func (t tracer) InnerType(sent bool, version uint16, typ uint8) {
	if !t.recordsHeard() {
		return
	}
	v := VersionTLS13
	if sent {
		v = VersionTLS12
	}
	t.c.eventV(sent, v, ContentInnerType, []byte{typ})
}

// event reports a message-level event under the negotiated version
// (before it is known: the highest this side offers, as OpenSSL labels a
// -tls1 ClientHello "TLS 1.0").
func (c *TLSConn) event(sent bool, ct int, data []byte) {
	v := c.st.Version
	if v == 0 {
		v = c.refusedVersion
	}
	if v == 0 {
		v = VersionTLS13
		if c.isClient {
			_, v = c.cfg.versionRange()
		}
	}
	c.eventV(sent, v, ct, data)
}

func (c *TLSConn) eventV(sent bool, v uint16, ct int, data []byte) {
	if c.cfg.OnEvent == nil || c.cfg.HandshakeEventsOnly && ct != int(record.TypeHandshake) {
		return
	}
	if sent && c.sentGroup {
		// writeReported holds evMu for the whole group.
		c.cfg.OnEvent(Event{Sent: sent, Version: v, ContentType: ct, Data: data})
		return
	}
	c.evMu.Lock()
	defer c.evMu.Unlock()
	c.cfg.OnEvent(Event{Sent: sent, Version: v, ContentType: ct, Data: data})
}

// writeReported sends data as records of type typ and reports them as
// OpenSSL's message callback does for a sent message: every record's
// header (and inner type), then the message (ct, data), all before any of
// its bytes are written, so the peer's answer cannot be reported first.
// The reports form one group: an event of another goroutine (the reader's)
// comes before or after it, never inside.
func (c *TLSConn) writeReported(typ uint8, data []byte, ct int) error {
	if c.cfg.OnEvent == nil {
		return c.rl.Write(typ, data)
	}
	c.evMu.Lock()
	c.sentGroup = true
	return c.rl.WriteThen(typ, data, func() {
		defer c.evMu.Unlock()
		defer func() { c.sentGroup = false }()
		c.event(true, ct, data)
	})
}

func (c *TLSConn) rand() io.Reader {
	if c.cfg.Rand != nil {
		return c.cfg.Rand
	}
	return rand.Reader
}

func (c *TLSConn) now() time.Time {
	if c.cfg.Time != nil {
		return c.cfg.Time()
	}
	return time.Now()
}

func (c *TLSConn) keyLog(label string, secret []byte) {
	if c.cfg.KeyLog != nil {
		c.cfg.KeyLog(label, c.st.ClientRandom, secret)
	}
}

// State returns what the connection negotiated so far.
func (c *TLSConn) State() State {
	c.hsMu.Lock()
	defer c.hsMu.Unlock()
	c.inMu.Lock()
	defer c.inMu.Unlock()
	st := c.st
	st.Tickets = append([]Ticket(nil), c.st.Tickets...)
	return st
}

// Handshake runs the handshake once; later calls return its result.
//
// It takes no defer and no locals: its frame is above the server's
// handshake, whose deepest path must fit s_server's goroutine stacks
// (stack_test.go).
func (c *TLSConn) Handshake() error {
	c.hsMu.Lock()
	if c.hsDone {
		c.hsMu.Unlock()
		return c.hsErr
	}
	err := c.handshakeLocked(false)
	c.hsMu.Unlock()
	return err
}

// handshakeLocked runs the handshake (hsMu held), or what is left of a
// server's paused at its 0-RTT data; pause stops a server's that accepts
// early data after its Finished (ReadEarlyData).
func (c *TLSConn) handshakeLocked(pause bool) error {
	c.inMu.Lock()
	c.outMu.Lock()
	var err error
	c.flights = true
	c.rl.Cork()
	switch {
	case c.early != nil:
		e := c.early
		c.early = nil
		err = e.finish()
	case c.isClient:
		err = c.clientHandshake()
	default:
		c.pauseEarly = pause
		err = c.serverHandshake()
		c.pauseEarly = false
	}
	// What the last flight gathered leaves now, before the alert a
	// failure sends, in the order it was written.
	c.flights = false
	var ferr error
	if err == nil && c.cfg.HoldTickets && !c.isClient && c.v12 == nil && c.early == nil {
		// The tickets gathered last wait for the next record sent, or
		// for the next wait on the peer (sendHeld). A handshake paused
		// for early data (ReadEarlyData) has gathered the server's whole
		// flight, not tickets: that leaves now.
		ferr = c.rl.Hold()
	} else {
		ferr = c.rl.Flush()
	}
	if err == nil {
		err = ferr
	}
	paused := false
	if err != nil {
		c.early = nil
		err = c.failLocked(err)
	} else if c.early != nil {
		paused = true
	} else {
		c.st.HandshakeComplete = true
	}
	c.outMu.Unlock()
	c.inMu.Unlock()
	if !paused {
		c.hsDone, c.hsErr = true, err
	}
	return err
}

// failLocked records a fatal fault and sends its alert (outMu held). An
// alert the peer sent is not answered. It returns the error the caller
// should report.
func (c *TLSConn) failLocked(err error) error {
	c.errMu.Lock()
	defer c.errMu.Unlock()
	if c.err != nil {
		return c.err
	}
	var ae *AlertError
	if !c.hsDone && (errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)) {
		// A peer that closed mid-handshake still gets a fatal
		// decode_error, as openssl 3.0 sends it ("unexpected eof while
		// reading"); the error stays the EOF.
		c.installPendingWriteLocked()
		c.sendAlertLocked(alert.Fatal, alert.DecodeError)
	}
	if errors.As(err, &ae) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || isNetErr(err) {
		c.err = err
		return err
	}
	var f *alert.Fault
	if errors.As(err, &f) && f.Silent {
		c.err = &FaultError{Reason: f.Reason, Err: err}
		return c.err
	}
	d, reason := alertFor(err)
	c.installPendingWriteLocked()
	if f != nil && f.RecordVersion != 0 {
		c.adoptRefusedVersion(f.RecordVersion)
	}
	c.sendAlertLocked(alert.Fatal, d)
	c.err = &AlertError{Level: alert.Fatal, Description: d, Sent: true, Reason: reason, Err: err}
	return c.err
}

// installPendingWriteLocked switches a client that received ServerHello
// to its handshake write key ahead of its flight, with the compatibility
// ChangeCipherSpec first as the flight would have it (Appendix D.4), when
// Config.AlertsUnderHandshakeKey asks for it. A client whose early data
// the server took keeps writing under the early key until its
// EndOfEarlyData (RFC 8446 §4.5), so its alert goes under that key, where
// the server reads; one that sent early data sent its ChangeCipherSpec
// before it.
func (c *TLSConn) installPendingWriteLocked() {
	if c.pendingWrite == nil || !c.cfg.AlertsUnderHandshakeKey || c.st.EarlyData == EarlyDataAccepted {
		return
	}
	if !c.cfg.NoMiddlebox && c.st.EarlyData == EarlyDataNotSent {
		c.sendCCSLocked()
	}
	c.setWriteKey(c.pendingWrite)
	c.pendingWrite = nil
}

// adoptRefusedVersion does what openssl 3.0 does with a record refused
// for its content type before the version is agreed: it takes that
// record's version for its own. Measured with openssl s_client and
// s_server -msg against a peer whose first record has type 0x18 (or
// 0x17) and version 0x0300 to 0x0305: the alert's -msg line shows that
// version, and its record carries it from a server (0x0303 for 0x0304,
// TLS 1.3's records being labelled TLS 1.2) but from a client only for
// SSL 3.0 (TLS 1.0, as before the ServerHello, otherwise).
func (c *TLSConn) adoptRefusedVersion(v uint16) {
	if c.st.Version != 0 {
		return
	}
	c.refusedVersion = v
	switch {
	case v == VersionTLS13 && !c.isClient:
		c.rl.WriteVersion = 0x0303
	case v == 0x0300 || !c.isClient:
		c.rl.WriteVersion = v
	}
}

// unexpectedRecord refuses the record just read for its content type.
func (c *TLSConn) unexpectedRecord() error {
	f := alert.Faultf(alert.UnexpectedMessage, "unexpected message")
	f.RecordVersion = c.rl.HeaderVersion()
	return f
}

func isNetErr(err error) bool {
	var ne net.Error
	return errors.As(err, &ne)
}

func (c *TLSConn) sendAlertLocked(l alert.Level, d alert.Desc) error {
	b := []byte{byte(l), byte(d)}
	return c.writeReported(record.TypeAlert, b, int(record.TypeAlert))
}

// flushFlightLocked sends the flight a server's handshake gathered before
// it waits for the peer's answer, and gathers the next one (inMu and
// outMu held, as during the handshake).
func (c *TLSConn) flushFlightLocked() error {
	if !c.flights {
		return nil
	}
	// Flush gives the flight's buffer back to the pool while the peer
	// is waited for.
	err := c.rl.Flush()
	c.rl.Cork()
	return err
}

func (c *TLSConn) sticky() error {
	c.errMu.Lock()
	defer c.errMu.Unlock()
	return c.err
}

// writeHandshakeLocked sends one whole handshake message and adds it to
// the transcript.
func (c *TLSConn) writeHandshakeLocked(m []byte, tr *keys.Transcript) error {
	if c.testOnlyMutate != nil {
		if m = c.testOnlyMutate(m); m == nil {
			return nil
		}
	}
	if tr != nil {
		tr.Write(m)
	}
	// OpenSSL reports a sent message after its records' headers and
	// before the peer can answer it: the message's events all come before
	// its bytes are written, so no received record is reported in between.
	return c.writeReported(record.TypeHandshake, m, int(record.TypeHandshake))
}

// readHandshakeLocked returns the next handshake message (inMu held).
// During the handshake a single ChangeCipherSpec of value 1 is dropped
// (RFC 8446 §5, Appendix D.4); any other record type is
// unexpected_message, and so is a record of another type between the
// fragments of one message (RFC 8446 §5.1).
func (c *TLSConn) readHandshakeLocked() (msg.Message, error) {
	for {
		if err := c.certListHeader(); err != nil {
			return msg.Message{}, err
		}
		m, ok, err := c.hs.Next()
		if err != nil {
			return msg.Message{}, alert.Faultf(alert.IllegalParameter, "excessive message size")
		}
		if ok {
			c.event(false, int(record.TypeHandshake), m.Raw)
			return m, nil
		}
		if _, err := c.readRecord(c.skipRetriedEarlyData, c.handshakeCCS); err != nil {
			return msg.Message{}, err
		}
	}
}

// readFirstHandshakeLocked is readHandshakeLocked for the message that
// opens a handshake, a ClientHello for a server and a ServerHello for a
// client (want). OpenSSL's state machine judges a message's type from
// its header, before its length and before its body is read: another
// type is unexpected_message from ossl_statem_{client,server}_
// read_transition, and the message does not show on -msg. A client
// drops an empty HelloRequest there (RFC 5246 §7.4.1.1: ignored while
// negotiating), as openssl does, and from an accepted ServerHello header
// on writes its records (an alert) with its highest version up to TLS
// 1.2. Measured with openssl s_client and s_server -msg against first
// records such as 16 03 09 00 05 aa bb cc dd ee and 16 03 01 00 04 10 00
// 00 ff. A ChangeCipherSpec before that message is unexpected_message
// from the same function: the compatibility record of RFC 8446 Appendix
// D.4 only ever follows a hello (measured: openssl s_client and s_server
// answer a first record 14 03 03 00 01 01 so, where the engine waited).
// So is an alert before a server's ClientHello, whatever its level or
// length, labelled with the record's version as any refused record
// (measured: openssl s_server answers 15 03 01 00 02 01 5a with 15 03 01
// 00 02 02 0a, "ssl3_read_bytes:unexpected message"); a client cannot
// hold a server with warnings before it says anything.
func (c *TLSConn) readFirstHandshakeLocked(want msg.Type) (msg.Message, error) {
	if !c.isClient {
		c.rl.RefuseAlerts = true
		defer func() { c.rl.RefuseAlerts = false }()
	}
	unexpected := func() error {
		f := alert.Faultf(alert.UnexpectedMessage, "unexpected message")
		f.Func = "ossl_statem_server_read_transition"
		if c.isClient {
			f.Func = "ossl_statem_client_read_transition"
		}
		return f
	}
	ccs := func([]byte) error { return unexpected() }
	for {
		if t, n, ok := c.hs.Header(); ok {
			if c.isClient && t == msg.TypeHelloRequest && n == 0 {
				m, _, _ := c.hs.Next()
				c.event(false, int(record.TypeHandshake), m.Raw)
				continue
			}
			if t != want {
				return msg.Message{}, unexpected()
			}
			if c.isClient && c.st.Version == 0 {
				_, hi := c.cfg.versionRange()
				c.rl.WriteVersion = min(hi, VersionTLS12)
			}
			return c.readHandshakeLocked()
		}
		if _, err := c.readRecord(c.skipRetriedEarlyData, ccs); err != nil {
			return msg.Message{}, err
		}
		if c.v2Hello != nil {
			// openssl's message callback reports an SSL 2.0
			// ClientHello under version 2 and content type 0.
			c.eventV(false, 2, 0, c.v2Hello)
			return msg.Message{Type: msg.TypeClientHello, Raw: c.v2Hello}, nil
		}
	}
}

// readRecord reads one record and hands it on (inMu held); every reader
// of the connection goes through it. Handshake bytes go to c.hs, for the
// caller to take whole messages from (handshake is true); an alert goes
// to handleAlert; application data goes to onData and a ChangeCipherSpec
// to onCCS, and either is unexpected_message where its handler is nil. A
// record of another type between the fragments of one handshake message
// is unexpected_message (RFC 8446 §5.1), and so is the peer hanging up
// (OpenSSL: "unexpected eof while reading").
func (c *TLSConn) readRecord(onData, onCCS func([]byte) error) (handshake bool, err error) {
	if err := c.flushFlightLocked(); err != nil {
		return false, err
	}
	typ, data, err := c.rl.Read()
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		return false, err
	}
	if typ != record.TypeHandshake && c.hs.Pending() {
		return false, alert.Faultf(alert.UnexpectedMessage, "unexpected message")
	}
	switch typ {
	case record.TypeHandshake:
		c.hs.Write(data)
		return true, nil
	case record.TypeV2ClientHello:
		// Only a server's first record can be one.
		c.v2Hello = slices.Clone(data)
		return true, nil
	case record.TypeAlert:
		return false, c.handleAlert(data)
	case record.TypeApplicationData:
		if onData != nil {
			return false, onData(data)
		}
	case record.TypeChangeCipherSpec:
		if onCCS != nil {
			return false, onCCS(data)
		}
	}
	return false, c.unexpectedRecord()
}

// skipRetriedEarlyData drops the clear early data a client sent before
// a HelloRetryRequest reached it (c.skipAppLeft bytes at most); any other
// application data during the handshake, even an empty record, is
// unexpected.
func (c *TLSConn) skipRetriedEarlyData(data []byte) error {
	if c.skipAppLeft == 0 || len(data) > c.skipAppLeft || c.rl.ReadProtected() {
		return c.unexpectedRecord()
	}
	c.skipAppLeft -= len(data)
	return nil
}

// handshakeCCS takes a ChangeCipherSpec during the handshake: TLS 1.0–1.2's
// switch to the new read keys, or TLS 1.3's single compatibility record of
// value 1, which like OpenSSL shows only as its record header.
func (c *TLSConn) handshakeCCS(data []byte) error {
	if c.v12 != nil {
		// OpenSSL's callbacks see a TLS 1.0–1.2 peer's
		// ChangeCipherSpec (-state's "read change cipher spec").
		c.event(false, int(record.TypeChangeCipherSpec), data)
		return c.changeCipherSpec12(data)
	}
	// While keys are on the record layer bounds a run of them (openssl
	// takes 32 in a row); before that, one only.
	if c.hsDone || (c.sawCCS && !c.rl.ReadProtected()) || len(data) != 1 || data[0] != 1 {
		return alert.Faultf(alert.UnexpectedMessage, "ccs received early")
	}
	c.sawCCS = true
	return nil
}

// handleAlert turns a received alert into the error that ends the read:
// io.EOF for close_notify, an AlertError otherwise. A warning
// user_canceled is ignored (nil). In TLS 1.3 every other alert is fatal
// whatever its level (RFC 8446 §6).
func (c *TLSConn) handleAlert(data []byte) error {
	c.event(false, int(record.TypeAlert), append([]byte(nil), data...))
	if len(data) != 2 {
		return alert.Faultf(alert.DecodeError, "bad alert")
	}
	l, d := alert.Level(data[0]), alert.Desc(data[1])
	if l != alert.Warning && l != alert.Fatal {
		// An alert level that is neither warning nor fatal is
		// illegal_parameter, as openssl 3.0 answers it.
		return alert.Faultf(alert.IllegalParameter, "unknown alert type")
	}
	if d == alert.CloseNotify {
		c.eof = true
		return io.EOF
	}
	if d == alert.UserCanceled && l == alert.Warning {
		return nil
	}
	if c.v12 != nil && l == alert.Warning {
		// TLS 1.0–1.2 warnings do not end the connection (RFC 5246
		// §7.2); OpenSSL reports and ignores them.
		return nil
	}
	if l == alert.Warning && c.isClient && c.st.Version == 0 && !c.st.HelloRetry {
		// Before the ServerHello the version is open: a TLS 1.0–1.2
		// server's warning (openssl s_server's unrecognized_name)
		// is ignored, as openssl s_client 3.0 does.
		return nil
	}
	err := &AlertError{Level: l, Description: d, Reason: "ssl/tls alert " + d.Long()}
	c.errMu.Lock()
	if c.err == nil {
		c.err = err
	}
	c.errMu.Unlock()
	return err
}

// setReadKey switches reading to a new TLS 1.3 traffic secret; a message
// left half-read across the change is unexpected_message (RFC 8446 §5.1).
func (c *TLSConn) setReadKey(secret []byte) error {
	if c.hs.Pending() {
		return alert.Faultf(alert.UnexpectedMessage, "not on record boundary")
	}
	a, err := c.aead(secret)
	if err != nil {
		return err
	}
	c.inSecret = secret
	c.rl.SetReadCipher(a)
	return nil
}

func (c *TLSConn) setWriteKey(secret []byte) error {
	a, err := c.aead(secret)
	if err != nil {
		return err
	}
	c.outSec = secret
	c.rl.SetWriteCipher(a)
	return nil
}

func (c *TLSConn) aead(secret []byte) (*record.AEAD13, error) {
	key, iv := keys.TrafficKey(c.suite.Hash, secret, c.suite.KeyLen, suites.IVLen)
	a, err := c.suite.AEAD(key)
	if err != nil {
		return nil, err
	}
	p := record.NewAEAD13(a, iv)
	p.Provider = suites.DecryptProvider(c.suite.ID)
	return p, nil
}

// Read reads application data, handling post-handshake messages
// (NewSessionTicket, KeyUpdate) on the way. It returns io.EOF after the
// peer's close_notify.
func (c *TLSConn) Read(p []byte) (int, error) {
	return c.read(p, false)
}

// Peek is Read without consuming: the next Read or Peek returns the same
// bytes again, as OpenSSL's SSL_peek. Like Read it waits for a record of
// application data, handling post-handshake messages and alerts on the
// way.
func (c *TLSConn) Peek(p []byte) (int, error) {
	return c.read(p, true)
}

func (c *TLSConn) read(p []byte, peek bool) (int, error) {
	if err := c.Handshake(); err != nil {
		return 0, err
	}
	c.inMu.Lock()
	defer c.inMu.Unlock()
	for len(c.input) == 0 {
		if c.eof {
			return 0, io.EOF
		}
		if err := c.sticky(); err != nil {
			return 0, err
		}
		if err := c.readRecordLocked(); err != nil {
			if err == io.EOF && c.eof {
				return 0, io.EOF
			}
			c.outMu.Lock()
			err = c.failLocked(err)
			c.outMu.Unlock()
			return 0, err
		}
	}
	n := copy(p, c.input)
	if !peek {
		c.input = c.input[n:]
	}
	return n, nil
}

// readRecordLocked reads one record after the handshake (inMu held):
// application data becomes c.input, handshake messages are
// post-handshake ones.
func (c *TLSConn) readRecordLocked() error {
	handshake, err := c.readRecord(c.takeAppData, nil)
	if err != nil || !handshake {
		return err
	}
	for {
		if err := c.postHandshakeHeader(); err != nil {
			return err
		}
		if err := c.certListHeader(); err != nil {
			return err
		}
		m, ok, err := c.hs.Next()
		if err != nil {
			return alert.Faultf(alert.IllegalParameter, "excessive message size")
		}
		if !ok {
			return nil
		}
		c.event(false, int(record.TypeHandshake), m.Raw)
		if err := c.postHandshake(m); err != nil {
			return err
		}
		if c.cfg.OnPostHandshake != nil && c.pha.Load() == nil {
			c.cfg.OnPostHandshake(m.Type)
		}
	}
}

// DefaultMaxCertList is openssl 3.0's default limit on a Certificate
// message's body (SSL_CTX_set_max_cert_list): 100 KiB.
const DefaultMaxCertList = 100 << 10

// certListHeader refuses a Certificate message longer than
// Config.MaxCertList from its header, before its body is in, as openssl
// 3.0's state machine does: illegal_parameter, "excessive message size"
// (read_state_machine). Measured with openssl s_client and s_server -verify
// against certificates making bodies of 102400 bytes (taken) and 102401
// (refused), TLS 1.2 and 1.3, both sides (TestMaxCertListLikeOpenSSL).
func (c *TLSConn) certListHeader() error {
	t, n, ok := c.hs.Header()
	if !ok || t != msg.TypeCertificate {
		return nil
	}
	limit := c.cfg.MaxCertList
	if limit <= 0 {
		limit = DefaultMaxCertList
	}
	if n > limit {
		return alert.Faultf(alert.IllegalParameter, "excessive message size")
	}
	return nil
}

// postHandshakeHeader judges a server's next post-handshake message from
// its header, before its body is in, as openssl 3.0's state machine does:
// in TLS 1.3, outside a post-handshake client authentication, only a
// KeyUpdate may come (another type is unexpected_message from
// ossl_statem_server_read_transition), and its body is one byte (a longer
// one is illegal_parameter, "excessive message size"); in TLS 1.0-1.2
// only a ClientHello. Measured with headers 18 01 00 00, 18 00 00 02, 04
// 01 00 00 and 01 00 00 64 sent alone to openssl s_server -tls1_3, and 0b
// 01 00 00 and 10 00 00 64 to -tls1_2: each is answered at once (a TLS
// 1.2 ClientHello header of 01 01 00 00 is waited for). Without it a
// client could make the server hold up to DefaultMaxMessage bytes of a
// message it will refuse anyway.
func (c *TLSConn) postHandshakeHeader() error {
	if c.isClient || c.pha.Load() != nil {
		return nil
	}
	t, n, ok := c.hs.Header()
	if !ok {
		return nil
	}
	if c.v12 != nil && t == msg.TypeClientHello {
		return nil
	}
	if c.v12 != nil || t != msg.TypeKeyUpdate {
		f := alert.Faultf(alert.UnexpectedMessage, "unexpected message")
		f.Func = "ossl_statem_server_read_transition"
		return f
	}
	if n > 1 {
		return alert.Faultf(alert.IllegalParameter, "excessive message size")
	}
	return nil
}

// takeAppData makes a record of application data the input Read returns
// next.
func (c *TLSConn) takeAppData(data []byte) error {
	if c.cfg.OnEvent != nil {
		c.event(false, int(record.TypeApplicationData), data)
	}
	c.input = append(c.inbuf[:0], data...)
	c.inbuf = c.input
	return nil
}

// postHandshake handles a TLS 1.3 message after the handshake (RFC 8446
// §4.6).
func (c *TLSConn) postHandshake(m msg.Message) error {
	if c.v12 != nil {
		return c.postHandshake12(m)
	}
	if !c.isClient {
		if p := c.pha.Load(); p != nil && (p.stage > 0 || isClientAuthMessage(m.Type)) {
			// The client's answer to a post-handshake CertificateRequest
			// (RFC 8446 §4.6.2), nothing else in between.
			return c.clientAuthMessage(p, m)
		}
	}
	switch m.Type {
	case msg.TypeCertificateRequest:
		if c.isClient {
			return c.answerCertRequest(m)
		}
	case msg.TypeNewSessionTicket:
		if !c.isClient {
			break
		}
		t, err := msg.ParseNewSessionTicket(m.Body)
		if err != nil {
			return err
		}
		tk := Ticket{
			Lifetime: time.Duration(t.Lifetime) * time.Second, AgeAdd: t.AgeAdd,
			Nonce: t.Nonce, Ticket: t.Ticket, Received: c.now(), Suite: c.suite.ID,
			ALPN: c.st.ALPN, ServerName: c.st.ServerName, MaxFragmentLength: c.mflCode(),
			PSK: keys.ResumptionPSK(c.suite.Hash, c.resSec, t.Nonce),
		}
		if r := c.resumed; r != nil {
			// A resumption's session is the resumed one's: OpenSSL's
			// client keeps its protocol and name (measured: a ticket of
			// a resumption that negotiated "bar" still says "foo").
			tk.ALPN, tk.ServerName, tk.MaxFragmentLength = r.ALPN, r.ServerName, r.MaxFragmentLength
		}
		if d, ok := t.Extensions.Find(msg.ExtEarlyData); ok {
			if tk.MaxEarlyData, err = msg.ParseEarlyDataTicket(d); err != nil {
				return err
			}
		}
		// RFC 8446 §4.6.1: a lifetime over seven days is illegal.
		if t.Lifetime > 604800 {
			return alert.Faultf(alert.IllegalParameter, "bad ticket lifetime")
		}
		c.st.Tickets = append(c.st.Tickets, tk)
		if c.cfg.OnTicket != nil {
			c.cfg.OnTicket(tk)
		}
		return nil
	case msg.TypeKeyUpdate:
		req, err := msg.ParseKeyUpdate(m.Body)
		if err != nil {
			return err
		}
		if err := c.setReadKey(keys.NextTrafficSecret(c.suite.Hash, c.inSecret)); err != nil {
			return err
		}
		if req == msg.UpdateRequested {
			// RFC 8446 §4.6.3: answer before the next application data.
			// Requests that arrive before that write are answered once,
			// as OpenSSL does, so a peer cannot make us send one
			// KeyUpdate per request it floods us with.
			c.keyUpdateOwed.Store(true)
		}
		return nil
	}
	return alert.Faultf(alert.UnexpectedMessage, "unexpected message")
}

// KeyUpdate sends a KeyUpdate and moves to the next write key (RFC 8446
// §4.6.3); requestPeer asks the peer to update its own.
func (c *TLSConn) KeyUpdate(requestPeer bool) error {
	if err := c.Handshake(); err != nil {
		return err
	}
	c.outMu.Lock()
	defer c.outMu.Unlock()
	return c.keyUpdateLocked(requestPeer)
}

func (c *TLSConn) keyUpdateLocked(request bool) error {
	if err := c.sticky(); err != nil {
		return err
	}
	if c.wClosed {
		return errors.New("tls: KeyUpdate after close_notify")
	}
	if c.v12 != nil {
		return errors.New("tls: KeyUpdate needs TLS 1.3")
	}
	r := msg.UpdateNotRequested
	if request {
		r = msg.UpdateRequested
	}
	if err := c.writeHandshakeLocked(msg.MarshalKeyUpdate(r), nil); err != nil {
		return err
	}
	c.keyUpdateOwed.Store(false)
	return c.setWriteKey(keys.NextTrafficSecret(c.suite.Hash, c.outSec))
}

// Write sends application data.
func (c *TLSConn) Write(p []byte) (int, error) {
	if err := c.Handshake(); err != nil {
		return 0, err
	}
	c.outMu.Lock()
	defer c.outMu.Unlock()
	return c.writeLocked(p)
}

func (c *TLSConn) writeLocked(p []byte) (int, error) {
	return c.writeInPlaceLocked(p, nil)
}

// writeInPlaceLocked is writeLocked, for p in rec after
// RecordHeadroom bytes when rec is not nil: then the record is sealed in
// rec itself when it can be (record.Layer.WriteInPlace) and no listener
// takes the plaintext after it was written.
func (c *TLSConn) writeInPlaceLocked(p, rec []byte) (int, error) {
	if err := c.sticky(); err != nil {
		return 0, err
	}
	if c.wClosed {
		return 0, errors.New("tls: write after close_notify")
	}
	if c.keyUpdateOwed.Load() {
		if err := c.keyUpdateLocked(false); err != nil {
			return 0, err
		}
	}
	if rec != nil && (c.cfg.OnEvent == nil || c.cfg.HandshakeEventsOnly) {
		if done, err := c.rl.WriteInPlace(record.TypeApplicationData, rec); done {
			if err != nil {
				return 0, err
			}
			return len(p), nil
		}
	}
	if err := c.rl.Write(record.TypeApplicationData, p); err != nil {
		return 0, err
	}
	if c.cfg.OnEvent != nil {
		c.event(true, int(record.TypeApplicationData), p)
	}
	return len(p), nil
}

// WriteClose is Write then CloseWrite with the records of both in one
// transport write: a server that answers one request and hangs up
// (s_server -www) saves a system call per connection. The events and
// the bytes are those of Write and CloseWrite; the transport stays open.
func (c *TLSConn) WriteClose(p []byte) (int, error) {
	return c.writeClose(p, nil)
}

// RecordHeadroom is the room WriteCloseInPlace's buffer keeps before the
// data, for a record header; RecordTailroom is the spare capacity after
// it that spares the engine another buffer (a TLS 1.3 record's inner type
// and tag, then the close_notify record), without record padding.
const (
	RecordHeadroom = record.HeaderLen
	RecordTailroom = 1 + 16 + record.HeaderLen + 2 + 1 + 16
)

// WriteCloseInPlace is WriteClose(buf[RecordHeadroom:]), with the data
// encrypted in buf itself rather than in a copy when it fits one TLS 1.3
// record and no OnEvent listener takes application data, and
// RecordTailroom bytes of spare capacity keep it the only buffer. buf is
// the caller's again when the call returns (its contents are then
// ciphertext): the engine keeps no hold on it, so a server may reuse it
// for its next answer. For a server that builds one answer and hangs up
// (s_server -www): one buffer of the answer's size per connection
// instead of two, or none with a reused one.
func (c *TLSConn) WriteCloseInPlace(buf []byte) (int, error) {
	if len(buf) < RecordHeadroom {
		return 0, errors.New("tls: no room for the record header")
	}
	return c.writeClose(buf[RecordHeadroom:], buf)
}

func (c *TLSConn) writeClose(p, rec []byte) (int, error) {
	if err := c.Handshake(); err != nil {
		return 0, err
	}
	c.outMu.Lock()
	defer c.outMu.Unlock()
	c.rl.Cork()
	n, err := c.writeInPlaceLocked(p, rec)
	if err == nil {
		c.wClosed = true
		err = c.sendAlertLocked(alert.Warning, alert.CloseNotify)
	}
	if ferr := c.rl.Flush(); err == nil {
		err = ferr
	}
	if err != nil {
		return 0, err
	}
	return n, nil
}

// CloseWrite sends close_notify; the peer's data can still be read.
func (c *TLSConn) CloseWrite() error {
	c.outMu.Lock()
	defer c.outMu.Unlock()
	if c.wClosed || c.sticky() != nil {
		return nil
	}
	c.wClosed = true
	return c.sendAlertLocked(alert.Warning, alert.CloseNotify)
}

// Close sends close_notify if the handshake finished, then closes the
// transport.
func (c *TLSConn) Close() error {
	c.hsMu.Lock()
	done := c.hsDone && c.hsErr == nil
	c.hsMu.Unlock()
	if done {
		c.conn.SetWriteDeadline(time.Now().Add(time.Second))
		c.CloseWrite()
	}
	return c.conn.Close()
}

// ExportKeyingMaterial is the TLS 1.3 exporter (RFC 8446 §7.5; RFC 5705's
// interface).
func (c *TLSConn) ExportKeyingMaterial(label string, context []byte, length int) ([]byte, error) {
	if err := c.Handshake(); err != nil {
		return nil, err
	}
	if c.v12 != nil {
		return c.export12(label, context, length)
	}
	if c.expSec == nil {
		return nil, errors.New("tls: no exporter secret")
	}
	return keys.Export13(c.suite.Hash, c.expSec, label, context, length), nil
}

// LocalAddr, RemoteAddr and the deadlines are the transport's.
func (c *TLSConn) LocalAddr() net.Addr                { return c.conn.LocalAddr() }
func (c *TLSConn) RemoteAddr() net.Addr               { return c.conn.RemoteAddr() }
func (c *TLSConn) SetDeadline(t time.Time) error      { return c.conn.SetDeadline(t) }
func (c *TLSConn) SetReadDeadline(t time.Time) error  { return c.conn.SetReadDeadline(t) }
func (c *TLSConn) SetWriteDeadline(t time.Time) error { return c.conn.SetWriteDeadline(t) }

//lint:ignore U1000 the suite hash, for the handshake code still being written
func (c *TLSConn) hash() crypto.Hash { return c.suite.Hash }

// judgeChain lets Config.VerifyPeer judge a peer chain (DER, leaf
// first). An error wrapping an alert.Desc is returned as it is, to send
// that alert; any other becomes a bad_certificate fault. Without
// VerifyPeer every chain passes.
func (c *TLSConn) judgeChain(chain [][]byte) error {
	if c.cfg.VerifyPeer == nil {
		return nil
	}
	err := c.cfg.VerifyPeer(chain, &c.st)
	if err == nil {
		return nil
	}
	var d alert.Desc
	if !errors.As(err, &d) {
		err = &alert.Fault{Desc: alert.BadCertificate, Reason: err.Error()}
	}
	return err
}
