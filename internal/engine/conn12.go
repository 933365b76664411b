package engine

import (
	"crypto/aes"
	"errors"

	"github.com/tlskit/tlskit/internal/engine/alert"
	"github.com/tlskit/tlskit/internal/engine/keys"
	"github.com/tlskit/tlskit/internal/engine/msg"
	"github.com/tlskit/tlskit/internal/engine/record"
	"github.com/tlskit/tlskit/internal/engine/suites"
)

// conn12 is what a TLS 1.0–1.2 connection keeps beyond State: the
// suite, the PRF, the master secret, the pending read protection that
// the peer's ChangeCipherSpec switches on, and the handshake messages so
// far (TLS 1.2's Finished, CertificateVerify and session hash cover them
// all, hashed with a PRF hash known only after ServerHello). Client and
// server share it.
type conn12 struct {
	suite  suites.Suite12
	prf    keys.PRF
	master []byte
	etm    bool
	// msgs is the handshake transcript (whole messages, headers
	// included); bounded by the reassembler's message limit times the
	// few messages of a handshake.
	msgs []byte
	// pendingRead is switched on by the peer's ChangeCipherSpec, which
	// is only allowed while expectCCS is set (RFC 5246 §7.1).
	pendingRead record.Cipher12
	expectCCS   bool
	gotCCS      bool
}

func (s *conn12) add(raw []byte) { s.msgs = append(s.msgs, raw...) }

// handshakeHash is the PRF's hash of the messages so far.
func (s *conn12) handshakeHash() []byte { return s.prf.HandshakeHash(s.msgs) }

// ciphers12 cuts the key block (RFC 5246 §6.3: client MAC key, server MAC
// key, client key, server key, client IV, server IV) and makes this
// side's read and write protection.
func ciphers12(s suites.Suite12, version uint16, etm bool, prf keys.PRF, master, clientRandom, serverRandom []byte, client bool) (read, write record.Cipher12, err error) {
	kb := prf.KeyBlock(master, clientRandom, serverRandom, s.KeyBlockLen(version))
	take := func(n int) []byte {
		v := kb[:n:n]
		kb = kb[n:]
		return v
	}
	macLen := 0
	if s.MAC != 0 {
		macLen = s.MAC.Size()
	}
	cMAC, sMAC := take(macLen), take(macLen)
	cKey, sKey := take(s.KeyLen), take(s.KeyLen)
	cIV, sIV := take(s.IVLen(version)), take(s.IVLen(version))
	mk := func(key, macKey, iv []byte) (record.Cipher12, error) {
		var a *record.AEAD12
		var err error
		switch s.Cipher {
		case suites.AESGCM:
			a, err = record.NewGCM12(key, iv)
		case suites.ChaCha20:
			a, err = record.NewChaCha12(key, iv)
		case suites.AESCBC:
			b, err := aes.NewCipher(key)
			if err != nil {
				return nil, err
			}
			return record.NewCBC(b, s.MAC, macKey, version, etm, iv), nil
		default:
			return nil, errors.New("tls: unknown record protection")
		}
		if err != nil {
			return nil, err
		}
		a.Provider = suites.DecryptProvider(s.ID)
		return a, nil
	}
	cw, err := mk(cKey, cMAC, cIV)
	if err != nil {
		return nil, nil, err
	}
	sw, err := mk(sKey, sMAC, sIV)
	if err != nil {
		return nil, nil, err
	}
	if client {
		return sw, cw, nil
	}
	return cw, sw, nil
}

// changeCipherSpec12 takes the peer's ChangeCipherSpec (RFC 5246 §7.1):
// one byte of value 1, only where the handshake expects it, and never in
// the middle of a handshake message (checked by the caller).
func (c *TLSConn) changeCipherSpec12(data []byte) error {
	s := c.v12
	if len(data) != 1 || data[0] != 1 {
		return alert.Faultf(alert.DecodeError, "bad change cipher spec")
	}
	if !s.expectCCS {
		f := alert.Faultf(alert.UnexpectedMessage, "ccs received early")
		if !c.isClient && !c.hsDone {
			// openssl's server state machine takes a ChangeCipherSpec
			// as a message its read transition refuses (measured: a
			// TLS 1.2 ClientHello then 14 03 03 00 01 01 to openssl
			// s_server).
			f.Reason, f.Func = "unexpected message", "ossl_statem_server_read_transition"
		}
		return f
	}
	s.expectCCS, s.gotCCS = false, true
	c.rl.SetReadCipher12(s.pendingRead)
	return nil
}

// sendCCS12 sends ChangeCipherSpec and switches writing to the new
// protection.
func (c *TLSConn) sendCCS12(write record.Cipher12) error {
	err := c.writeReported(record.TypeChangeCipherSpec, []byte{1}, int(record.TypeChangeCipherSpec))
	if err != nil {
		return err
	}
	c.rl.SetWriteCipher12(write)
	return nil
}

// postHandshake12 handles a handshake message after a TLS 1.0–1.2
// handshake. Renegotiation is refused for now: a client answers
// HelloRequest, a server a ClientHello, with a warning no_renegotiation
// and goes on (RFC 5246 §7.4.1.1, RFC 5746 §4.2).
func (c *TLSConn) postHandshake12(m msg.Message) error {
	switch {
	case c.isClient && m.Type == msg.TypeHelloRequest:
		if err := msg.ParseEmptyMessage(m.Body); err != nil {
			return err
		}
	case !c.isClient && m.Type == msg.TypeClientHello:
	default:
		return alert.Faultf(alert.UnexpectedMessage, "unexpected message")
	}
	c.outMu.Lock()
	defer c.outMu.Unlock()
	return c.sendAlertLocked(alert.Warning, alert.NoRenegotiation)
}

// export12 is RFC 5705's exporter over the TLS 1.0–1.2 master secret.
func (c *TLSConn) export12(label string, context []byte, length int) ([]byte, error) {
	s := c.v12
	if s == nil || s.master == nil {
		return nil, errors.New("tls: no master secret")
	}
	return s.prf.Export(s.master, c.st.ClientRandom, c.st.ServerRandom, label, context, length), nil
}
