package engine

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"time"

	"github.com/tlskit/tlskit/internal/engine/alert"
	"github.com/tlskit/tlskit/internal/engine/keys"
	"github.com/tlskit/tlskit/internal/engine/kx"
	"github.com/tlskit/tlskit/internal/engine/msg"
	"github.com/tlskit/tlskit/internal/engine/suites"
	"github.com/tlskit/tlskit/internal/lazy"
)

// A Stateless server's cookie (RFC 8446 §4.2.2) carries what the second
// ClientHello needs from the first, authenticated with HMAC-SHA256 under
// the cookie key:
//
//	version (1) | issued, Unix seconds (8) | suite (2) | group asked for,
//	0 for none (2) | Hash(ClientHello1) length (1) and bytes | HMAC (32)
const (
	cookieVersion = 1
	// cookieLifetime bounds a cookie's age, as OpenSSL's 600 seconds.
	cookieLifetime = 600 * time.Second
	cookieMACLen   = sha256.Size
)

var processCookieKey = lazy.Value[[]byte]{Build: func() []byte {
	k := make([]byte, 32)
	rand.Read(k)
	return k
}}

// cookieState is what a cookie carries.
type cookieState struct {
	issued  time.Time
	suite   uint16
	group   uint16 // the group the retry asked a key share for; 0 none
	ch1Hash []byte
}

func (c *TLSConn) cookieMAC(body []byte) []byte {
	key := c.cfg.CookieKey
	if key == nil {
		key = processCookieKey.Get()
	}
	m := hmac.New(sha256.New, key)
	m.Write(body)
	return m.Sum(nil)
}

func (c *TLSConn) sealCookie(s cookieState) []byte {
	b := []byte{cookieVersion}
	b = binary.BigEndian.AppendUint64(b, uint64(s.issued.Unix()))
	b = binary.BigEndian.AppendUint16(b, s.suite)
	b = binary.BigEndian.AppendUint16(b, s.group)
	b = append(b, byte(len(s.ch1Hash)))
	b = append(b, s.ch1Hash...)
	return append(b, c.cookieMAC(b)...)
}

// openCookie checks a cookie's MAC (in constant time), format and age. A
// cookie that fails is handshake_failure, as OpenSSL's "cookie mismatch".
func (c *TLSConn) openCookie(b []byte) (cookieState, error) {
	bad := alert.Faultf(alert.HandshakeFailure, "cookie mismatch")
	if len(b) < 1+8+2+2+1+cookieMACLen {
		return cookieState{}, bad
	}
	body, mac := b[:len(b)-cookieMACLen], b[len(b)-cookieMACLen:]
	if !hmac.Equal(mac, c.cookieMAC(body)) {
		return cookieState{}, bad
	}
	if body[0] != cookieVersion || int(body[13]) != len(body)-14 {
		return cookieState{}, bad
	}
	s := cookieState{issued: time.Unix(int64(binary.BigEndian.Uint64(body[1:9])), 0),
		suite: binary.BigEndian.Uint16(body[9:11]), group: binary.BigEndian.Uint16(body[11:13]),
		ch1Hash: body[14:]}
	if age := c.now().Sub(s.issued); age < -time.Minute || age > cookieLifetime {
		return cookieState{}, alert.Faultf(alert.HandshakeFailure, "cookie expired")
	}
	return s, nil
}

// retryRequest is the HelloRetryRequest a Stateless server sends, and
// rebuilds from the cookie when the second ClientHello comes back.
func retryRequest(sessionID []byte, s cookieState, cookie []byte) ([]byte, error) {
	e := msg.Extensions{{Type: msg.ExtSupportedVersions, Data: msg.MarshalUint16(VersionTLS13)}}
	if s.group != 0 {
		e = append(e, msg.Extension{Type: msg.ExtKeyShare, Data: msg.MarshalKeyShareHRR(s.group)})
	}
	e = append(e, msg.Extension{Type: msg.ExtCookie, Data: msg.MarshalCookie(cookie)})
	hrr := &msg.ServerHello{Version: VersionTLS12, Random: msg.HelloRetryRandom, SessionID: sessionID,
		CipherSuite: s.suite, Extensions: e}
	return hrr.Marshal()
}

// stateless handles a ClientHello (raw, already negotiated) on a
// Stateless server. Without a cookie it answers with a HelloRetryRequest
// carrying one and reports false: the caller forgets the ClientHello and
// reads the next. With a valid cookie it rebuilds the transcript
// (message_hash of the first ClientHello, the retry, this ClientHello,
// RFC 8446 §4.4.1), checks the key share the retry asked for, and reports
// true. first says no retry was sent on this connection yet: a client
// that ignores the cookie is not sent another.
func (h *serverHS) stateless(raw []byte, first bool) (bool, error) {
	c := h.c
	d, ok := h.ch.Extensions.Find(msg.ExtCookie)
	if !ok {
		if !first {
			return false, alert.Faultf(alert.MissingExtension, "missing cookie")
		}
		if err := h.choosePSKAndGroup(raw, nil); err != nil {
			return false, err
		}
		s := cookieState{issued: c.now(), suite: c.suite.ID}
		if !h.pskOnly && h.peerKS == nil {
			s.group = h.group
		}
		d1 := c.suite.Hash.New()
		d1.Write(raw)
		s.ch1Hash = d1.Sum(nil)
		hrr, err := retryRequest(h.ch.SessionID, s, c.sealCookie(s))
		if err != nil {
			return false, err
		}
		if err := c.writeHandshakeLocked(hrr, nil); err != nil {
			return false, err
		}
		if len(h.ch.SessionID) > 0 {
			if err := c.sendCCSLocked(); err != nil {
				return false, err
			}
		}
		if c.cfg.OnStatelessRetry != nil {
			c.cfg.OnStatelessRetry()
		}
		return false, nil
	}
	cookie, err := msg.ParseCookie(d)
	if err != nil {
		return false, err
	}
	s, err := c.openCookie(cookie)
	if err != nil {
		return false, err
	}
	// The second ClientHello must answer the retry: the suite chosen
	// then, no early data (RFC 8446 §4.1.2).
	if c.suite.ID != s.suite || len(s.ch1Hash) != c.suite.Hash.Size() || h.ch.Extensions.Has(msg.ExtEarlyData) {
		return false, alert.Faultf(alert.IllegalParameter, "bad ClientHello after retry")
	}
	if s.group != 0 && !kx.Supported(s.group) {
		return false, alert.Faultf(alert.IllegalParameter, "bad key share")
	}
	hrr, err := retryRequest(h.ch.SessionID, s, cookie)
	if err != nil {
		return false, err
	}
	prefix := append([]byte{byte(msg.TypeMessageHash), 0, 0, byte(len(s.ch1Hash))}, s.ch1Hash...)
	prefix = append(prefix, hrr...)
	h.early = false
	if err := h.choosePSKAndGroup(raw, prefix); err != nil {
		return false, err
	}
	if s.group != 0 {
		// Exactly one share, in the group asked for.
		kd, _ := h.ch.Extensions.Find(msg.ExtKeyShare)
		shares, err := msg.ParseKeyShareClient(kd)
		if err != nil {
			return false, err
		}
		if len(shares) != 1 || shares[0].Group != s.group {
			return false, alert.Faultf(alert.IllegalParameter, "bad key share")
		}
		h.pskOnly = false
	}
	if !h.pskOnly && h.peerKS == nil {
		// A second retry is not allowed (RFC 8446 §4.1.4).
		return false, alert.Faultf(alert.IllegalParameter, "bad key share")
	}
	c.st.HelloRetry = true
	h.tr = keys.NewTranscript(c.suite.Hash)
	h.tr.Write(prefix)
	h.tr.Write(raw)
	return true, nil
}

// statelessRestart forgets a ClientHello answered with a cookie and reads
// the next one, skipping early data sent before the retry arrived (RFC
// 8446 §4.2.10).
func (h *serverHS) statelessRestart() (msg.Message, error) {
	c := h.c
	if h.early {
		c.skipAppLeft = earlySkipLimit
	}
	m, err := c.readHandshakeLocked()
	c.skipAppLeft = 0
	*h = serverHS{c: c}
	c.st = State{}
	c.suite = suites.Suite13{}
	return m, err
}
