package engine

import (
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"io"
	"time"

	"github.com/tlskit/tlskit/internal/engine/keys"
	"github.com/tlskit/tlskit/internal/engine/msg"
	"github.com/tlskit/tlskit/internal/engine/suites"
	"github.com/tlskit/tlskit/internal/lazy"
)

// pskOffer is one PSK a client offers or a server resolved: its identity
// on the wire, the key, the hash it is bound to and its kind.
type pskOffer struct {
	identity []byte
	age      uint32
	key      []byte
	hash     crypto.Hash
	external bool
	suite    uint16 // a ticket's suite (0 for external PSKs)
	// maxEarly and alpn are a server's ticket's 0-RTT terms.
	maxEarly uint32
	alpn     string
	// ageOK: the client told the ticket's age as a server taking its
	// 0-RTT data wants it (ticketAgeOK).
	ageOK bool
	// lifetime is the session lifetime (s) a server's ticket or
	// external PSK gives this handshake's own tickets.
	lifetime uint32
}

func (p PSK) hash() crypto.Hash {
	if p.Hash == 0 {
		return crypto.SHA256
	}
	return p.Hash
}

// binder computes a PSK binder (RFC 8446 §4.2.11.2): HMAC with the binder
// key's finished key over the hash of prefix (the transcript before this
// ClientHello, after a HelloRetryRequest) and the truncated ClientHello.
func binder(p pskOffer, prefix, truncated []byte) []byte {
	b, _ := binderSchedule(p, prefix, truncated)
	return b
}

// binderSchedule is binder and the key schedule it started from the PSK:
// a server that takes the PSK carries on with that schedule rather than
// extracting the Early Secret again.
func binderSchedule(p pskOffer, prefix, truncated []byte) ([]byte, *keys.Schedule) {
	d := p.hash.New()
	d.Write(prefix)
	d.Write(truncated)
	s := keys.NewSchedule(p.hash, p.key)
	return keys.FinishedMAC(p.hash, s.BinderKey(p.external), d.Sum(nil)), s
}

// withBinders marshals a ClientHello whose last extension is
// pre_shared_key for offers, the binders computed over the truncated
// message (RFC 8446 §4.2.11.2).
func withBinders(ch *msg.ClientHello, offers []pskOffer, prefix []byte) ([]byte, error) {
	o := msg.OfferedPSKs{}
	for _, p := range offers {
		o.Identities = append(o.Identities, msg.PSKIdentity{Identity: p.identity, Age: p.age})
		o.Binders = append(o.Binders, make([]byte, p.hash.Size()))
	}
	ext := msg.Extension{Type: msg.ExtPreSharedKey, Data: o.Marshal()}
	if n := len(ch.Extensions); n > 0 && ch.Extensions[n-1].Type == msg.ExtPreSharedKey {
		ch.Extensions[n-1] = ext
	} else {
		ch.Extensions = append(ch.Extensions, ext)
	}
	raw, err := ch.Marshal()
	if err != nil {
		return nil, err
	}
	truncated := raw[:len(raw)-o.BindersLen()]
	for i, p := range offers {
		o.Binders[i] = binder(p, prefix, truncated)
	}
	ch.Extensions[len(ch.Extensions)-1].Data = o.Marshal()
	return ch.Marshal()
}

// Tickets a server issues are its own state, sealed with AES-256-GCM under
// the ticket key: version, suite, creation time (ms), age_add,
// max_early_data_size, lifetime (s), the ALPN protocol and the session
// context (each length-prefixed), PSK. A ticket of another version (3 had
// no lifetime) does not open, and its client gets a full handshake.
const ticketVersion = 4

// The layout of a ticket's plaintext: its fixed fields at these offsets
// (big-endian), each the previous one's offset plus its size, then from
// ticketHeader on the ALPN protocol and the session context, each after
// a one-byte length, then the PSK to the end.
const (
	ticketOffVersion  = 0                     // 1 byte, ticketVersion
	ticketOffSuite    = ticketOffVersion + 1  // 2 bytes
	ticketOffCreated  = ticketOffSuite + 2    // 8 bytes, Unix time in ms
	ticketOffAgeAdd   = ticketOffCreated + 8  // 4 bytes
	ticketOffMaxEarly = ticketOffAgeAdd + 4   // 4 bytes
	ticketOffLifetime = ticketOffMaxEarly + 4 // 4 bytes, seconds
	// ticketHeader is the length of the fixed fields.
	ticketHeader = ticketOffLifetime + 4
)

var processTicketKey = lazy.Value[[]byte]{Build: func() []byte {
	k := make([]byte, 32)
	rand.Read(k)
	return k
}}

// processTicketAEAD is the AEAD of processTicketKey, made once: a server
// without Config.TicketKey (s_server) seals two tickets per handshake and
// opens one per resumption, and keying AES-GCM each time was a few per
// cent of a resumption's CPU. Seal and Open keep no state between calls,
// so connections share it.
var processTicketAEAD = lazy.Values[cipher.AEAD, error]{Build: func() (cipher.AEAD, error) {
	return newTicketAEAD(processTicketKey.Get())
}}

func (c *TLSConn) ticketAEAD() (cipher.AEAD, error) {
	if c.cfg.TicketKey == nil {
		return processTicketAEAD.Get()
	}
	return newTicketAEAD(c.cfg.TicketKey)
}

// ticketKeyLen is the length of a ticket key: tickets are sealed with
// AES-256-GCM, a 256-bit key as OpenSSL's own ticket keys have.
const ticketKeyLen = 32

var errTicketKeyLen = errors.New("tls: ticket key is not 32 bytes")

// newTicketAEAD is the AES-256-GCM of a ticket key. A key of another
// length is refused rather than taken for AES-128 or AES-192, which
// aes.NewCipher would make of 16 or 24 bytes: the tickets would be
// weaker than Config promises.
func newTicketAEAD(key []byte) (cipher.AEAD, error) {
	if len(key) != ticketKeyLen {
		return nil, errTicketKeyLen
	}
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(b)
}

type ticketState struct {
	suite   uint16
	created time.Time
	ageAdd  uint32
	psk     []byte
	// maxEarly is the max_early_data_size the ticket carried and alpn
	// the protocol of its connection: 0-RTT needs both (RFC 8446 §4.2.10).
	maxEarly uint32
	alpn     string
	sidCtx   []byte // Config.SessionContext when it was made
	// lifetime is the session's lifetime in seconds: the ticket's
	// lifetime on the wire, and how long this server resumes it.
	lifetime uint32
}

// errNoTicket is Config.TicketKeys declining to issue a ticket.
var errNoTicket = errors.New("tls: no ticket issued")

// sealTicketPlain seals a ticket's contents with a random nonce from
// rnd: under Config.TicketKeys' key, after its name, or else under
// TicketKey. It returns errNoTicket when TicketKeys issues none.
func (c *TLSConn) sealTicketPlain(plain []byte, rnd io.Reader) ([]byte, error) {
	var name []byte
	var a cipher.AEAD
	var err error
	if tk := c.cfg.TicketKeys; tk != nil {
		n, key, ok := tk.New()
		if !ok {
			return nil, errNoTicket
		}
		if len(n) != ticketKeyNameLen {
			return nil, errors.New("tls: ticket key name is not 16 bytes")
		}
		name = n
		a, err = newTicketAEAD(key)
	} else {
		a, err = c.ticketAEAD()
	}
	if err != nil {
		return nil, err
	}
	// One buffer for the name, the nonce and the sealed ticket after
	// them.
	ns := a.NonceSize()
	out := make([]byte, len(name)+ns, len(name)+ns+len(plain)+a.Overhead())
	copy(out, name)
	nonce := out[len(name):]
	if _, err := io.ReadFull(rnd, nonce); err != nil {
		return nil, err
	}
	return a.Seal(out, nonce, plain, nil), nil
}

// ticketKeyNameLen is the length of a key name (OpenSSL's too).
const ticketKeyNameLen = 16

// openTicketPlain opens what sealTicketPlain sealed; ok is false for a
// ticket that does not open (or whose key TicketKeys no longer has), and
// renew says TicketKeys asked for a new ticket.
func (c *TLSConn) openTicketPlain(b []byte) (plain []byte, renew, ok bool) {
	var a cipher.AEAD
	var err error
	if tk := c.cfg.TicketKeys; tk != nil {
		if len(b) < ticketKeyNameLen {
			return nil, false, false
		}
		key, r, found := tk.Find(b[:ticketKeyNameLen])
		if !found {
			return nil, false, false
		}
		b, renew = b[ticketKeyNameLen:], r
		a, err = newTicketAEAD(key)
	} else {
		a, err = c.ticketAEAD()
	}
	if err != nil || len(b) < a.NonceSize() {
		return nil, false, false
	}
	plain, err = a.Open(nil, b[:a.NonceSize()], b[a.NonceSize():], nil)
	return plain, renew, err == nil
}

func (c *TLSConn) sealTicket(t ticketState) ([]byte, error) {
	plain := make([]byte, ticketHeader, ticketHeader+1+len(t.alpn)+1+len(t.sidCtx)+len(t.psk))
	plain[ticketOffVersion] = ticketVersion
	binary.BigEndian.PutUint16(plain[ticketOffSuite:], t.suite)
	binary.BigEndian.PutUint64(plain[ticketOffCreated:], uint64(t.created.UnixMilli()))
	binary.BigEndian.PutUint32(plain[ticketOffAgeAdd:], t.ageAdd)
	binary.BigEndian.PutUint32(plain[ticketOffMaxEarly:], t.maxEarly)
	binary.BigEndian.PutUint32(plain[ticketOffLifetime:], t.lifetime)
	plain = append(plain, byte(len(t.alpn)))
	plain = append(plain, t.alpn...)
	plain = append(plain, byte(len(t.sidCtx)))
	plain = append(plain, t.sidCtx...)
	plain = append(plain, t.psk...)
	return c.sealTicketPlain(plain, rand.Reader)
}

var errBadTicket = errors.New("tls: ticket does not decrypt")

func (c *TLSConn) openTicket(b []byte) (ticketState, error) {
	plain, _, ok := c.openTicketPlain(b)
	if !ok || len(plain) < ticketHeader || plain[ticketOffVersion] != ticketVersion {
		return ticketState{}, errBadTicket
	}
	// vec8 takes a field after its one-byte length from rest.
	rest := plain[ticketHeader:]
	vec8 := func() ([]byte, bool) {
		if len(rest) < 1 || len(rest) < 1+int(rest[0]) {
			return nil, false
		}
		v := rest[1 : 1+int(rest[0])]
		rest = rest[1+len(v):]
		return v, true
	}
	alpn, ok1 := vec8()
	sidCtx, ok2 := vec8()
	if !ok1 || !ok2 {
		return ticketState{}, errBadTicket
	}
	return ticketState{
		sidCtx:   sidCtx,
		suite:    binary.BigEndian.Uint16(plain[ticketOffSuite:]),
		created:  time.UnixMilli(int64(binary.BigEndian.Uint64(plain[ticketOffCreated:]))),
		ageAdd:   binary.BigEndian.Uint32(plain[ticketOffAgeAdd:]),
		maxEarly: binary.BigEndian.Uint32(plain[ticketOffMaxEarly:]),
		lifetime: binary.BigEndian.Uint32(plain[ticketOffLifetime:]),
		alpn:     string(alpn),
		psk:      rest,
	}, nil
}

// ticketLifetime is OpenSSL's default session timeout, the lifetime its
// tickets carry.
const ticketLifetime = 7200

// externalPSKLifetime is the lifetime of a TLS 1.3 session an external
// PSK authenticated, in seconds: openssl 3.0's s_server makes that
// session afresh, with the library's bare default timeout, and its
// tickets then carry 304 s (measured with s_client -msg), as do those of
// the resumptions that follow from them.
const externalPSKLifetime = 304

// sendTicketsLocked sends the server's NewSessionTickets (RFC 8446
// §4.6.1) after the handshake.
func (c *TLSConn) sendTicketsLocked() (err error) {
	n := c.cfg.NumTickets
	if n == 0 {
		n = 2
	}
	if c.st.Resumed && c.ticketsSent == 0 {
		// A PSK handshake (resumption or external PSK) gets one ticket,
		// as from openssl 3.0's server, whatever the count.
		n = 1
	}
	// The tickets leave in one write: a client that closes as soon as
	// its handshake is done (openssl s_client -reconnect) resets the
	// connection on the first data it has not read, and a second write
	// would then fail the handshake. At the handshake's end they are
	// gathered with its flights already, and leave as it ends (or are
	// held back: Config.HoldTickets).
	if !c.flights {
		c.rl.Cork()
		defer func() {
			if ferr := c.rl.Flush(); err == nil {
				err = ferr
			}
		}()
	}
	for i := 0; i < n; i++ {
		// More tickets follow a post-handshake authentication: the
		// nonce counts them all (RFC 8446 §4.6.1: unique per connection),
		// in 8 bytes as openssl 3.0's server writes it (s_client -trace:
		// ticket_nonce (len=8): 0000000000000000, then …01).
		nonce := binary.BigEndian.AppendUint64(nil, uint64(c.ticketsSent))
		c.ticketsSent++
		var ageAdd [4]byte
		if _, err := rand.Read(ageAdd[:]); err != nil {
			return err
		}
		t := ticketState{suite: c.suite.ID, created: c.now(), ageAdd: binary.BigEndian.Uint32(ageAdd[:]),
			psk: keys.ResumptionPSK(c.suite.Hash, c.resSec, nonce), maxEarly: c.cfg.MaxEarlyData, alpn: c.st.ALPN,
			sidCtx: c.cfg.sessionContext(), lifetime: uint32(c.st.SessionLifetime / time.Second)}
		sealed, err := c.sealTicket(t)
		if err == errNoTicket {
			// TicketKeys issues none: no NewSessionTicket at all.
			continue
		}
		if err != nil {
			return err
		}
		exts := msg.Extensions{}
		if t.maxEarly > 0 {
			// RFC 8446 §4.2.10: the ticket allows this much 0-RTT data.
			exts = append(exts, msg.Extension{Type: msg.ExtEarlyData, Data: msg.MarshalEarlyDataTicket(t.maxEarly)})
		}
		raw, err := (&msg.NewSessionTicket{Lifetime: t.lifetime, AgeAdd: t.ageAdd, Nonce: nonce,
			Ticket: sealed, Extensions: exts}).Marshal()
		if err != nil {
			return err
		}
		if err := c.writeHandshakeLocked(raw, nil); err != nil {
			return err
		}
		c.st.SentTicketPSK, c.st.SentTicketAgeAdd = t.psk, t.ageAdd
	}
	return nil
}

// ticketExpired reports a ticket older than its lifetime (RFC 8446
// §4.6.1), in whole seconds as openssl 3.0 counts them: its client then
// leaves the ticket out of the ClientHello.
func ticketExpired(now time.Time, t *Ticket) bool {
	return int64(now.Sub(t.Received)/time.Second) > int64(t.Lifetime/time.Second)
}

// clientOffers lists what a client offers: the ticket to resume, then
// the external PSKs, each only if one of the offered suites shares its
// hash (RFC 8446 §4.2.11).
func (c *TLSConn) clientOffers(hashOK func(crypto.Hash) bool) []pskOffer {
	var out []pskOffer
	if t := c.cfg.Session; t != nil && !ticketExpired(c.now(), t) {
		if s, ok := suites.Lookup13(t.Suite); ok && hashOK(s.Hash) {
			age := ticketAge(c.now(), t.Received)
			out = append(out, pskOffer{identity: t.Ticket, age: age + t.AgeAdd, key: t.PSK, hash: s.Hash, suite: t.Suite})
		}
	}
	for _, p := range c.cfg.PSKs {
		if hashOK(p.hash()) {
			out = append(out, pskOffer{identity: p.Identity, key: p.Key, hash: p.hash(), external: true})
		}
	}
	return out
}

// ticketAge is the client's view of a ticket's age in milliseconds (RFC
// 8446 §4.2.11.1). A receipt time in whole seconds came from a session
// file (openssl's format keeps seconds): the ticket arrived up to a second
// after it, so the age counts from the end of that second. A client that
// claims a ticket older than the server knows it to be has its early data
// refused by servers that check the age (gnutls-serv does).
func ticketAge(now, received time.Time) uint32 {
	if received.Nanosecond() == 0 {
		received = received.Add(time.Second - time.Millisecond)
	}
	return uint32(max(now.Sub(received).Milliseconds(), 0))
}
