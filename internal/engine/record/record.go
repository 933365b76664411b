// Package record is the TLS record layer (RFC 8446 §5, RFC 5246 §6): it
// frames, fragments, protects and unprotects records and enforces their
// size limits, and knows nothing of handshakes.
package record

import (
	"crypto/cipher"
	"encoding/binary"
	"errors"
	"io"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/tlskit/tlskit/internal/engine/alert"
)

// Content types (RFC 8446 §5.1).
const (
	TypeChangeCipherSpec uint8 = 20
	TypeAlert            uint8 = 21
	TypeHandshake        uint8 = 22
	TypeApplicationData  uint8 = 23

	// TypeV2ClientHello is no TLS content type: Read returns it for an
	// SSL 2.0-format ClientHello (AcceptV2Hello), with the message after
	// its two-byte length as the data.
	TypeV2ClientHello uint8 = 0x80
)

// Size limits (RFC 8446 §5.1, §5.2).
const (
	HeaderLen        = 5
	MaxPlaintext     = 1 << 14
	MaxCiphertext13  = MaxPlaintext + 256
	maxCiphertextAny = MaxPlaintext + 2048 // TLS 1.2's limit (RFC 5246 §6.2.3)
)

// Trace receives what OpenSSL's message callback sees of the record
// layer: each record header as it is read or written, and, for TLS 1.3
// protected records, the inner content type.
type Trace interface {
	RecordHeader(sent bool, hdr []byte)
	InnerType(sent bool, version uint16, typ uint8)
}

// AEAD13 protects TLS 1.3 records with one traffic key (RFC 8446 §5.2,
// §5.3).
type AEAD13 struct {
	aead cipher.AEAD
	iv   [12]byte
	seq  uint64
	// n holds the current nonce: built on the stack it escaped through
	// the cipher.AEAD call into an allocation per record. One AEAD13
	// serves one direction, so one record at a time.
	n [12]byte
	// Provider is the openssl provider function that reports a record
	// that does not open (see alert.Fault.Provider), set by the engine
	// from the suite (suites.DecryptProvider); none when empty.
	Provider string
}

// NewAEAD13 wraps an AEAD and its 12-byte write IV.
func NewAEAD13(a cipher.AEAD, iv []byte) *AEAD13 {
	p := &AEAD13{aead: a}
	copy(p.iv[:], iv)
	return p
}

// nonce is the write IV XOR the 64-bit sequence number, left-padded
// (RFC 8446 §5.3).
func (p *AEAD13) nonce() []byte {
	p.n = p.iv
	var s [8]byte
	binary.BigEndian.PutUint64(s[:], p.seq)
	for i := range s {
		p.n[4+i] ^= s[i]
	}
	return p.n[:]
}

// Layer reads and writes records on a transport. It is not safe for
// concurrent use by several readers or several writers; one reader and
// one writer may run at once.
type Layer struct {
	r io.Reader
	w io.Writer

	in, out *AEAD13
	// in12 and out12 protect TLS 1.0–1.2 records (SetReadCipher12).
	in12, out12 Cipher12

	// WriteVersion is the legacy_record_version of records written in
	// the clear: 0x0301 for a first ClientHello, 0x0303 otherwise (RFC
	// 8446 §5.1).
	WriteVersion uint16
	// ReadVersion, when set, is the only record version Read accepts
	// (TLS 1.0–1.2 after ServerHello: RFC 5246 §6.2.1's negotiated
	// version, checked as OpenSSL checks it).
	ReadVersion uint16
	// WriteLimit caps the plaintext per written record (record_size_limit,
	// -max_send_frag); zero means MaxPlaintext.
	WriteLimit int
	// ReadLimit, when set, is the largest plaintext a received record may
	// carry (a negotiated max_fragment_length): beyond it Read fails with
	// record_overflow, as OpenSSL's record layer does.
	ReadLimit int
	// PadTo pads each protected record's inner plaintext up to a multiple
	// of PadTo bytes (OpenSSL's -record_padding); 0 or 1 means no padding.
	PadTo int
	// EmptyFragments puts an empty application data record before the
	// first record of each Write of application data while the write
	// cipher is CBC with an implicit IV (TLS 1.0, RFC 2246 §6.2.3.2): the
	// countermeasure to the chosen-plaintext attack on it (BEAST), whose
	// IV is then the MAC-dependent last block of the empty record. OpenSSL
	// does it unless SSL_OP_DONT_INSERT_EMPTY_FRAGMENTS (in -bugs) is set,
	// in the same transport write as the record that follows it.
	EmptyFragments bool
	// Trace, if set, sees headers and inner types.
	Trace Trace
	// AllowPlainAlerts lets an alert in the clear through although keys
	// are on, until the first record decrypts: a TLS 1.3 server's peer
	// may fail before it has handshake keys (OpenSSL has the same
	// allowance).
	AllowPlainAlerts bool
	// RefuseAlerts makes an alert record in the clear, whatever its
	// length, unexpected_message labelled with its header's version once
	// it is read whole: a server sets it while it waits for the first
	// ClientHello, as openssl 3.0's ssl3_read_bytes refuses alerts then.
	RefuseAlerts bool
	// AcceptV2Hello makes Read take a first record in SSL 2.0's format
	// when it is a ClientHello (RFC 5246 Appendix E.2: a server may accept
	// one to negotiate TLS 1.0-1.2), as openssl 3.0's server does.
	AcceptV2Hello bool
	// SkipUndecryptable is how many bytes of protected records that fail
	// to decrypt Read still drops silently: a server skipping early data
	// it rejected (RFC 8446 §4.2.10). It drops to zero at the first
	// record that decrypts.
	SkipUndecryptable int

	hdr  [HeaderLen]byte
	whdr [HeaderLen]byte
	// rbuf[rpos:rend] is read from the transport and not yet consumed.
	rbuf       []byte
	rpos, rend int
	wbuf       []byte
	// corked: records are gathered in pending until Flush (Cork).
	corked  bool
	pending []byte
	// flight is the pooled array the gathered records started in
	// (flightBufs), until Flush gives it back; big the larger pooled one
	// (bigBufs) they moved to when they outgrew it.
	flight *[flightBuf]byte
	big    *[bigBuf]byte
	// held: the gathered records were kept back when gathering stopped
	// (Hold), to leave with the next record sent. Writers set and clear
	// it; a reader about to wait for the transport looks at it.
	held atomic.Bool
	// BeforeWait, if set, is called before a read from the transport
	// while records are held back (Hold): it must see them sent (Flush,
	// under the writers' lock), as the peer may be waiting for them.
	// Its error is the read's.
	BeforeWait HeldSender
	// emptyRun and warningRun count the empty records and the warning
	// alerts just read in a row (countIdle).
	emptyRun, warningRun int
	// started is set once a record header has been accepted.
	started bool
}

// New makes a record layer over a transport.
func New(rw io.ReadWriter) *Layer {
	return &Layer{r: rw, w: rw, WriteVersion: 0x0303}
}

// HeaderVersion is the version in the last record header read (zero
// before the first).
func (l *Layer) HeaderVersion() uint16 { return uint16(l.hdr[1])<<8 | uint16(l.hdr[2]) }

// SetReadCipher protects reading from now on (nil: records in the clear).
func (l *Layer) SetReadCipher(p *AEAD13) { l.in = p }

// SetWriteCipher protects writing from now on.
func (l *Layer) SetWriteCipher(p *AEAD13) { l.out = p }

// SetReadCipher12 protects reading with TLS 1.0–1.2 protection from now
// on (after a ChangeCipherSpec).
func (l *Layer) SetReadCipher12(p Cipher12) { l.in, l.in12 = nil, p }

// SetWriteCipher12 protects writing with TLS 1.0–1.2 protection; records
// carry WriteVersion.
func (l *Layer) SetWriteCipher12(p Cipher12) { l.out, l.out12 = nil, p }

// ReadProtected reports whether incoming records are decrypted.
func (l *Layer) ReadProtected() bool { return l.in != nil || l.in12 != nil }

// ErrEOF is a clean end of the transport between records.
var ErrEOF = io.EOF

// Read returns the next record's content type and plaintext. The slice is
// valid until the next Read. A ChangeCipherSpec or an unprotected record
// while keys are on is returned with its outer type, for the handshake
// layer to judge (RFC 8446 §5: a CCS is dropped, the rest is
// unexpected_message).
func (l *Layer) Read() (typ uint8, data []byte, err error) {
	for {
		typ, data, err = l.read()
		if err != errSkipped {
			break
		}
	}
	if err == errCounted {
		return typ, data, nil
	}
	if err != nil {
		return typ, data, err
	}
	if l.ReadLimit > 0 && len(data) > l.ReadLimit {
		return 0, nil, alert.Faultf(alert.RecordOverflow, "data length too long")
	}
	return typ, data, l.countIdle(typ, data)
}

// OpenSSL 3.0's limits on records that carry nothing for the
// application, measured against openssl s_server: the 33rd empty record
// in a row is unexpected_message "record too small" (any non-empty
// record, a warning alert too, starts the count again), and the 5th
// warning alert with no handshake or application data between them is
// unexpected_message "too many warn alerts" (empty records do not
// interrupt that run). Without them a peer could keep a reader busy
// forever on records that make no progress.
const (
	maxEmptyRecords  = 32
	maxWarningAlerts = 4
)

func (l *Layer) countIdle(typ uint8, data []byte) error {
	if len(data) == 0 {
		if l.emptyRun++; l.emptyRun > maxEmptyRecords {
			return alert.Faultf(alert.UnexpectedMessage, "record too small")
		}
		return nil
	}
	l.emptyRun = 0
	if typ != TypeAlert {
		l.warningRun = 0
		return nil
	}
	if len(data) == 2 && alert.Level(data[0]) == alert.Warning {
		if l.warningRun++; l.warningRun > maxWarningAlerts {
			return alert.Faultf(alert.UnexpectedMessage, "too many warn alerts")
		}
	}
	return nil
}

var errSkipped = errors.New("record: skipped")

// errCounted is read's word for a record it has counted in the idle runs
// itself.
var errCounted = errors.New("record: counted")

// fill makes at least need unread bytes available in rbuf, reading as
// much as the transport has (often several records in one read). The
// buffer grows to the largest record seen, up to one record of the
// largest size; what it held is overwritten by the next fill, so a record
// returned by Read lives until the next Read. A read error, such as a
// deadline, loses nothing: the next fill carries on.
func (l *Layer) fill(need int) error {
	if l.rend-l.rpos >= need {
		return nil
	}
	if l.rpos > 0 {
		l.rend = copy(l.rbuf[:cap(l.rbuf)], l.rbuf[l.rpos:l.rend])
		l.rpos = 0
	}
	if cap(l.rbuf) < need {
		nb := make([]byte, max(need, min(2*cap(l.rbuf), HeaderLen+maxCiphertextAny), 1024))
		copy(nb, l.rbuf[:l.rend])
		l.rbuf = nb
	}
	l.rbuf = l.rbuf[:cap(l.rbuf)]
	if l.BeforeWait != nil && l.held.Load() {
		if err := l.BeforeWait.SendHeld(); err != nil {
			return err
		}
	}
	for l.rend < need {
		n, err := l.r.Read(l.rbuf[l.rend:])
		l.rend += n
		if err != nil && l.rend < need {
			if err == io.EOF && l.rend > 0 {
				err = io.ErrUnexpectedEOF
			}
			return err
		}
	}
	return nil
}

// plainRequest names what a first record that is not TLS at all looks
// like, with openssl 3.0's reasons: an HTTP request, or a request to an
// HTTPS proxy.
func plainRequest(hdr []byte) string {
	switch string(hdr[:4]) {
	case "GET ", "POST", "HEAD", "PUT ":
		return "http request"
	}
	if string(hdr[:5]) == "CONNE" {
		return "https proxy request"
	}
	return ""
}

func (l *Layer) read() (typ uint8, data []byte, err error) {
	if err := l.fill(HeaderLen); err != nil {
		return 0, nil, err
	}
	if b := l.rbuf[l.rpos:]; l.AcceptV2Hello && !l.started && b[0]&0x80 != 0 && b[2] == 1 {
		return l.readV2Hello()
	}
	copy(l.hdr[:], l.rbuf[l.rpos:])
	hdr := l.hdr[:]
	typ = hdr[0]
	n := int(binary.BigEndian.Uint16(hdr[3:]))
	// OpenSSL's message callback sees every header it reads before the
	// header is checked: one it then refuses (not TLS, another version,
	// an unknown content type) shows on -msg too.
	if l.Trace != nil {
		l.Trace.RecordHeader(false, hdr)
	}
	if hdr[1] != 3 || (l.ReadVersion != 0 && uint16(hdr[1])<<8|uint16(hdr[2]) != l.ReadVersion) {
		if !l.started && hdr[1] != 3 {
			// Not TLS at all: OpenSSL sends no alert to such a peer.
			if r := plainRequest(hdr); r != "" {
				return 0, nil, alert.Silentf(r)
			}
			return 0, nil, alert.Silentf("wrong version number")
		}
		return 0, nil, alert.Faultf(alert.ProtocolVersion, "wrong version number")
	}
	l.started = true
	switch typ {
	case TypeChangeCipherSpec, TypeAlert, TypeHandshake, TypeApplicationData:
	default:
		// openssl 3.0: unexpected_message, "unexpected message".
		f := alert.Faultf(alert.UnexpectedMessage, "unexpected message")
		f.RecordVersion = l.HeaderVersion()
		return 0, nil, f
	}
	limit := maxCiphertextAny
	if l.in != nil {
		limit = MaxCiphertext13
	}
	if n > limit {
		if l.in == nil {
			// openssl 3.0 names a first record's over-long header
			// so (measured: 16 03 01 48 01 to s_client and s_server).
			return 0, nil, alert.Faultf(alert.RecordOverflow, "packet length too long")
		}
		return 0, nil, alert.Faultf(alert.RecordOverflow, "encrypted length too long")
	}
	if err := l.fill(HeaderLen + n); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return 0, nil, err
	}
	body := l.rbuf[l.rpos+HeaderLen : l.rpos+HeaderLen+n : l.rpos+HeaderLen+n]
	l.rpos += HeaderLen + n
	if l.in12 != nil {
		return l.open12(typ, hdr, body)
	}
	if l.in != nil && typ != TypeApplicationData && typ != TypeChangeCipherSpec && !(typ == TypeAlert && l.AllowPlainAlerts) {
		// openssl 3.0 names it so (measured: a TLS 1.3 ClientHello,
		// then a handshake record in the clear, to openssl s_server).
		return 0, nil, alert.Faultf(alert.UnexpectedMessage, "bad record type")
	}
	if l.in != nil && typ == TypeChangeCipherSpec {
		// RFC 8446 §5: a ChangeCipherSpec in the clear while TLS 1.3
		// keys are on must be the single byte 1. openssl 3.0 takes a
		// run of them, counted as empty records: measured against
		// openssl s_server -tls1_3 after a ClientHello, 32 pass, the
		// 33rd is unexpected_message "unexpected ccs message", and 02
		// is illegal_parameter "invalid ccs message". The engine judges
		// whether one may come at all.
		if n != 1 || body[0] != 1 {
			return 0, nil, alert.Faultf(alert.IllegalParameter, "invalid ccs message")
		}
		if l.emptyRun++; l.emptyRun > maxEmptyRecords {
			return 0, nil, alert.Faultf(alert.UnexpectedMessage, "unexpected ccs message")
		}
		return typ, body, errCounted
	}
	if l.in == nil || typ != TypeApplicationData {
		if n > MaxPlaintext {
			return 0, nil, alert.Faultf(alert.RecordOverflow, "data length too long")
		}
		if typ == TypeAlert && l.RefuseAlerts {
			f := alert.Faultf(alert.UnexpectedMessage, "unexpected message")
			f.RecordVersion = l.HeaderVersion()
			return 0, nil, f
		}
		if n == 0 && typ != TypeApplicationData && typ != TypeHandshake {
			// RFC 8446 §5.1: no zero-length handshake or alert fragments.
			// An empty handshake record in the clear passes, as openssl
			// 3.0 skips it (measured: 32 of them before a ClientHello,
			// or between its fragments, are accepted; the 33rd is
			// countIdle's "record too small").
			return 0, nil, alert.Faultf(alert.UnexpectedMessage, "bad length")
		}
		return typ, body, nil
	}
	// RFC 8446 §5.2: open, then strip the zero padding back to the
	// content type byte.
	plain, err := l.in.aead.Open(body[:0], l.in.nonce(), body, hdr)
	// With nothing left to skip even an empty record is bad_record_mac,
	// as from openssl s_server (measured: 17 03 03 00 00 after a TLS
	// 1.3 ClientHello).
	if err != nil && l.SkipUndecryptable > 0 && l.SkipUndecryptable >= n {
		l.SkipUndecryptable -= n
		return 0, nil, errSkipped
	}
	l.SkipUndecryptable = 0
	if err == nil {
		l.AllowPlainAlerts = false
	}
	if err != nil {
		return 0, nil, badMACFrom(l.in.Provider)
	}
	l.in.seq++
	// RFC 8446 §5.4: the whole TLSInnerPlaintext, padding included, is
	// at most 2^14 + 1 bytes.
	if len(plain) > MaxPlaintext+1 {
		return 0, nil, alert.Faultf(alert.RecordOverflow, "data length too long")
	}
	i := len(plain) - 1
	for i >= 0 && plain[i] == 0 {
		i--
	}
	if i < 0 {
		return 0, nil, alert.Faultf(alert.UnexpectedMessage, "record layer failure")
	}
	typ, plain = plain[i], plain[:i]
	if len(plain) > MaxPlaintext {
		return 0, nil, alert.Faultf(alert.RecordOverflow, "data length too long")
	}
	if l.Trace != nil {
		l.Trace.InnerType(false, 0x0304, typ)
	}
	if len(plain) == 0 && typ != TypeApplicationData {
		return 0, nil, alert.Faultf(alert.UnexpectedMessage, "bad length")
	}
	return typ, plain, nil
}

// SSL 2.0 ClientHello records, as openssl 3.0's server takes them
// (measured against openssl s_server with hand-made records): the
// message must hold at least its type, version and three lengths, and
// more than maxV2Hello bytes do not fit its read buffer.
const (
	minV2Hello = 9
	maxV2Hello = 16710
)

// readV2Hello reads an SSL 2.0 record (RFC 5246 Appendix E.2: a two-byte
// length with the high bit set, then the message) holding a ClientHello.
// OpenSSL's message callback shows no header for it.
func (l *Layer) readV2Hello() (uint8, []byte, error) {
	l.started = true
	b := l.rbuf[l.rpos:]
	n := int(b[0]&0x7f)<<8 | int(b[1])
	switch {
	case n > maxV2Hello:
		return 0, nil, alert.Faultf(alert.RecordOverflow, "packet length too long")
	case n > MaxPlaintext:
		return 0, nil, alert.Faultf(alert.RecordOverflow, "data length too long")
	case n < minV2Hello:
		return 0, nil, alert.Faultf(alert.DecodeError, "length too short")
	}
	if err := l.fill(2 + n); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return 0, nil, err
	}
	body := l.rbuf[l.rpos+2 : l.rpos+2+n : l.rpos+2+n]
	l.rpos += 2 + n
	return TypeV2ClientHello, body, nil
}

// Write sends data as records of type typ, fragmenting at the write
// limit. An empty data sends one empty record only for application data.
func (l *Layer) Write(typ uint8, data []byte) error {
	limit := l.writeLimit()
	if typ == TypeApplicationData && len(data) > 0 && l.emptyFragment() {
		// The empty record and the first one go out together, as
		// OpenSSL writes them.
		corked := l.corked
		l.corked = true
		err := l.sealSend(typ, nil, limit, nil)
		if err == nil {
			n := min(len(data), limit)
			err = l.sealSend(typ, data[:n], limit, nil)
			data = data[n:]
		}
		if !corked {
			if ferr := l.Flush(); err == nil {
				err = ferr
			}
		}
		if err != nil || len(data) == 0 {
			return err
		}
	}
	for first := true; first || len(data) > 0; first = false {
		n := min(len(data), limit)
		if err := l.sealSend(typ, data[:n], limit, nil); err != nil {
			return err
		}
		data = data[n:]
	}
	return nil
}

// emptyFragment says whether an application data Write starts with an
// empty record (EmptyFragments).
func (l *Layer) emptyFragment() bool {
	if !l.EmptyFragments {
		return false
	}
	c, ok := l.out12.(*CBC)
	return ok && !c.explicitIV()
}

// flightBuf is the capacity the records gathered under Cork start with:
// a TLS 1.3 server's first flight with one ECDSA certificate (about
// 900 bytes), and the tickets after it, fit without growing it.
const flightBuf = 1024

// flightBufs are idle buffers for gathered records: a layer takes one
// when it first gathers records and gives it back at Flush, so a
// server's connections share a few rather than each allocating its own.
var flightBufs = sync.Pool{New: func() any { return new([flightBuf]byte) }}

// bigBuf is the capacity gathered records move to when they outgrow a
// flightBuf (a flight with a larger certificate chain, or held records
// and the next write's record): a flightBuf and a protected record of
// the largest size.
const bigBuf = flightBuf + HeaderLen + maxCiphertextAny

// bigBufs are idle bigBuf buffers, shared as flightBufs are.
var bigBufs = sync.Pool{New: func() any { return new([bigBuf]byte) }}

// reserve makes room for n more bytes after the gathered records: when
// they outgrow their pooled flightBuf, they move to a pooled bigBuf
// rather than to an array allocated for them (and garbage at Flush).
// Beyond a bigBuf, append grows them as usual.
func (l *Layer) reserve(n int) {
	if cap(l.pending)-len(l.pending) >= n || l.big != nil || len(l.pending)+n > bigBuf {
		return
	}
	l.big = bigBufs.Get().(*[bigBuf]byte)
	p := append(l.big[:0], l.pending...)
	if l.flight != nil {
		flightBufs.Put(l.flight)
		l.flight = nil
	}
	l.pending = p
}

// sealedLen bounds the size of the record sealed around n bytes.
func (l *Layer) sealedLen(n int) int {
	switch {
	case l.out != nil:
		return HeaderLen + n + 1 + max(l.PadTo-1, 0) + l.out.aead.Overhead()
	case l.out12 != nil:
		// An explicit IV, the largest MAC and CBC padding.
		return HeaderLen + n + 16 + 48 + 256
	}
	return HeaderLen + n
}

// Hold stops gathering records, as Flush, but keeps those gathered back
// instead of writing them: they leave with the next record sent, in the
// same transport write, or at Flush (which BeforeWait is for). With none
// gathered it is Flush.
func (l *Layer) Hold() error {
	if len(l.pending) == 0 {
		return l.Flush()
	}
	l.corked = false
	l.held.Store(true)
	return nil
}

// HeldSender sends the records a Layer holds back (Layer.BeforeWait).
type HeldSender interface{ SendHeld() error }

// Held reports records kept back by Hold and not sent yet.
func (l *Layer) Held() bool { return l.held.Load() }

// withHeld sends the record send makes together with the records held
// back (Hold): gathered behind them, then all written in one Flush.
func (l *Layer) withHeld(send func() error) error {
	l.corked = true
	err := send()
	if ferr := l.Flush(); err == nil {
		err = ferr
	}
	return err
}

// sealSend seals one record and sends it: while corked it is sealed
// straight after the records already gathered, with no copy; otherwise
// in the write buffer, and written. before, if not nil, runs once the
// record is sealed, also when sealing fails, and before anything is sent.
func (l *Layer) sealSend(typ uint8, frag []byte, limit int, before func()) error {
	if !l.corked && l.held.Load() {
		return l.withHeld(func() error { return l.sealSend(typ, frag, limit, before) })
	}
	if l.corked {
		if cap(l.pending) == 0 {
			l.flight = flightBufs.Get().(*[flightBuf]byte)
			l.pending = l.flight[:0]
		}
		l.reserve(l.sealedLen(len(frag)))
		b, err := l.seal(l.pending, typ, frag, limit)
		if before != nil {
			before()
		}
		if err != nil {
			return err
		}
		l.pending = b
		return nil
	}
	b, err := l.seal(l.wbuf[:0], typ, frag, limit)
	if before != nil {
		before()
	}
	if err != nil {
		return err
	}
	l.wbuf = b
	_, err = l.w.Write(b)
	return err
}

// Cork gathers the records written from now on and sends them in one
// transport Write at Flush, as OpenSSL flushes its buffered write BIO
// once per flight: a peer that hangs up right after its last message
// then gets them all or none, rather than a reset between two.
func (l *Layer) Cork() { l.corked = true }

// Flush sends the records gathered since Cork and stops gathering. The
// buffer they were gathered in is forgotten once written: the layer's
// pooled one goes back to the pool, and a caller's (after WriteInPlace)
// is the caller's again. Nothing the layer keeps may point into either
// afterwards, so the next records corked start in a buffer afresh.
func (l *Layer) Flush() error {
	b := l.pending
	l.corked = false
	l.held.Store(false)
	var err error
	if len(b) > 0 {
		_, err = l.w.Write(b)
	}
	l.releasePending()
	return err
}

// releasePending forgets the pending buffer and gives the pooled one
// back.
func (l *Layer) releasePending() {
	if l.flight != nil {
		flightBufs.Put(l.flight)
		l.flight = nil
	}
	if l.big != nil {
		bigBufs.Put(l.big)
		l.big = nil
	}
	l.pending = nil
}

// send writes one sealed record, or gathers it while corked.
func (l *Layer) send(b []byte) error {
	if !l.corked && l.held.Load() {
		return l.withHeld(func() error { return l.send(b) })
	}
	if l.corked {
		if len(l.pending) == 0 {
			// The first record gathered becomes the pending buffer
			// rather than a copy, and the write buffer takes the empty
			// one: a large record corked with a small one (a page and
			// its close_notify) costs no second buffer of its size. A
			// pooled buffer never becomes the write buffer: it goes
			// back to the pool at Flush, and the write buffer outlives
			// that.
			if l.flight != nil || l.big != nil {
				l.releasePending()
			}
			l.pending, l.wbuf = b, l.pending[:0]
			return nil
		}
		l.reserve(len(b))
		l.pending = append(l.pending, b...)
		return nil
	}
	_, err := l.w.Write(b)
	return err
}

// WriteThen is Write for a message whose report must come before any of
// its bytes leave: every record is sealed (and its header traced) first,
// then before runs, then the records are written, one Write each. before
// runs exactly once, also when sealing fails.
func (l *Layer) WriteThen(typ uint8, data []byte, before func()) error {
	limit := l.writeLimit()
	if len(data) <= limit {
		return l.sealSend(typ, data, limit, before)
	}
	var recs [][]byte
	for len(data) > 0 {
		n := min(len(data), limit)
		b, err := l.seal(nil, typ, data[:n], limit)
		if err != nil {
			before()
			return err
		}
		recs = append(recs, b)
		data = data[n:]
	}
	before()
	for _, b := range recs {
		if err := l.send(b); err != nil {
			return err
		}
	}
	return nil
}

func (l *Layer) writeLimit() int {
	if l.WriteLimit <= 0 || l.WriteLimit > MaxPlaintext {
		return MaxPlaintext
	}
	return l.WriteLimit
}

// seal appends to b the record carrying frag, protected as the write
// state says, and traces its header.
func (l *Layer) seal(b []byte, typ uint8, frag []byte, limit int) ([]byte, error) {
	start := len(b)
	if l.out12 != nil {
		b = append(b, typ, byte(l.WriteVersion>>8), byte(l.WriteVersion), 0, 0)
		var err error
		if b, err = l.out12.Seal(b, typ, l.WriteVersion, frag); err != nil {
			return nil, err
		}
		n := len(b) - start - HeaderLen
		b[start+3], b[start+4] = byte(n>>8), byte(n)
	} else if l.out == nil {
		b = append(b, typ, byte(l.WriteVersion>>8), byte(l.WriteVersion), byte(len(frag)>>8), byte(len(frag)))
		b = append(b, frag...)
	} else {
		// Room for the header, the inner type, the padding and the tag
		// too, so that the AEAD seals in place rather than into a copy
		// of its own.
		b = slices.Grow(b, HeaderLen+len(frag)+1+max(l.PadTo-1, 0)+l.out.aead.Overhead())
		b = append(b, make([]byte, HeaderLen)...)
		b = append(b, frag...)
		rec := l.seal13(b[start:], typ, limit)
		if start == 0 {
			b = rec
		} else {
			// The room made above keeps rec in b's array, after what
			// b held; were it not so, the append copies it there.
			b = append(b[:start], rec...)
		}
	}
	if l.Trace != nil {
		l.Trace.RecordHeader(true, b[start:start+HeaderLen])
		if l.out != nil {
			l.Trace.InnerType(true, 0x0304, typ)
		}
	}
	return b, nil
}

// seal13 protects the TLS 1.3 record in rec: HeaderLen bytes for its
// header, then the fragment, which is encrypted where it lies; the
// record is rec's array while its capacity holds the inner type, the
// padding and the tag.
func (l *Layer) seal13(rec []byte, typ uint8, limit int) []byte {
	// TLSInnerPlaintext: content, type, zeros (RFC 8446 §5.2), the
	// padding never taking the record past its limit.
	inner := len(rec) - HeaderLen + 1
	padded := inner
	if l.PadTo > 1 && inner%l.PadTo != 0 {
		padded = min(inner+l.PadTo-inner%l.PadTo, limit+1)
	}
	n := padded + l.out.aead.Overhead()
	copy(rec, []byte{TypeApplicationData, 3, 3, byte(n >> 8), byte(n)})
	rec = append(rec, typ)
	rec = append(rec, make([]byte, padded-inner)...)
	copy(l.whdr[:], rec)
	rec = l.out.aead.Seal(rec[:HeaderLen], l.out.nonce(), rec[HeaderLen:], l.whdr[:])
	l.out.seq++
	return rec
}

// WriteInPlace is Write for data that sits in rec after HeaderLen bytes
// of room, encrypted where it lies rather than in a copy: rec is the
// layer's from then on, and spare capacity for the inner type, padding
// and tag (and, while corked, for the records gathered after it) keeps
// it the only buffer. It does it only for one TLS 1.3 protected record's
// worth of data; otherwise it does nothing and reports false, and the
// caller writes the data as usual.
func (l *Layer) WriteInPlace(typ uint8, rec []byte) (bool, error) {
	limit := l.writeLimit()
	if l.out == nil || l.out12 != nil || len(rec) < HeaderLen || len(rec)-HeaderLen > limit {
		return false, nil
	}
	b := l.seal13(rec, typ, limit)
	if l.Trace != nil {
		l.Trace.RecordHeader(true, b[:HeaderLen])
		l.Trace.InnerType(true, 0x0304, typ)
	}
	return true, l.send(b)
}

// open12 unprotects a TLS 1.0–1.2 record (RFC 5246 §6.2.3): every
// content type is protected, the plaintext limit is 2^14 (record_overflow
// beyond), and only application data may be empty (RFC 5246 §6.2.1).
func (l *Layer) open12(typ uint8, hdr, body []byte) (uint8, []byte, error) {
	plain, err := l.in12.Open(typ, uint16(hdr[1])<<8|uint16(hdr[2]), body)
	if err != nil {
		return 0, nil, err
	}
	if len(plain) > MaxPlaintext {
		return 0, nil, alert.Faultf(alert.RecordOverflow, "data length too long")
	}
	if len(plain) == 0 && typ != TypeApplicationData {
		return 0, nil, alert.Faultf(alert.UnexpectedMessage, "bad length")
	}
	return typ, plain, nil
}
