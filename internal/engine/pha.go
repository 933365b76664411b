package engine

import (
	"bytes"
	"crypto"
	"crypto/subtle"
	"crypto/x509"
	"errors"
	"io"
	"slices"

	"github.com/tlskit/tlskit/internal/engine/alert"
	"github.com/tlskit/tlskit/internal/engine/keys"
	"github.com/tlskit/tlskit/internal/engine/msg"
	"github.com/tlskit/tlskit/internal/engine/sig"
)

// TLS 1.3 post-handshake client authentication (RFC 8446 §4.6.2): the
// server sends a CertificateRequest with a fresh context at any time
// after the handshake; the client answers Certificate, CertificateVerify
// (if it sent a certificate) and Finished, all under the application
// traffic keys, over a transcript that is the handshake's through the
// client Finished followed by these messages (§4.4.1).

// The errors RequestClientCert returns before sending anything.
var (
	// ErrPHAWrongVersion: the connection is not TLS 1.3 (openssl:
	// "wrong ssl version").
	ErrPHAWrongVersion = errors.New("tls: post-handshake authentication needs TLS 1.3")
	// ErrPHANotOffered: the client sent no post_handshake_auth
	// (openssl: "extension not received").
	ErrPHANotOffered = errors.New("tls: the client did not offer post-handshake authentication")
	// ErrPHAPending: an earlier request is still unanswered.
	ErrPHAPending = errors.New("tls: a post-handshake certificate request is pending")
)

// phaContextLen is the size of a request's random context, as openssl's.
const phaContextLen = 32

// phaRequest is a server's outstanding post-handshake CertificateRequest.
// Its fields after context and tr are the reading goroutine's.
type phaRequest struct {
	context []byte
	tr      *keys.Transcript // handshake, CertificateRequest, then the answer
	stage   int              // 0: Certificate next; 1: CertificateVerify; 2: Finished
	chain   [][]byte
	leafKey crypto.PublicKey
	scheme  uint16
}

func isClientAuthMessage(t msg.Type) bool {
	return t == msg.TypeCertificate || t == msg.TypeCertificateVerify || t == msg.TypeFinished
}

// RequestClientCert sends a TLS 1.3 post-handshake CertificateRequest
// (RFC 8446 §4.6.2) with a fresh random context, as openssl's
// SSL_verify_client_post_handshake does. The client's answer is read and
// checked by Read, like any post-handshake message: Config.VerifyPeer
// judges the chain, Config.RequireClientCert makes an empty one fatal
// (certificate_required), and State reports the new chain once its
// Finished checked out; a failure ends the connection with its alert.
// Config.NumTickets new tickets follow a successful answer, as openssl
// sends them.
func (c *TLSConn) RequestClientCert() error {
	if err := c.Handshake(); err != nil {
		return err
	}
	if c.isClient {
		return errors.New("tls: only a server asks for a client certificate")
	}
	if c.v12 != nil {
		return ErrPHAWrongVersion
	}
	if !c.peerPHA {
		return ErrPHANotOffered
	}
	c.outMu.Lock()
	defer c.outMu.Unlock()
	if err := c.sticky(); err != nil {
		return err
	}
	if c.wClosed {
		return errors.New("tls: certificate request after close_notify")
	}
	if c.pha.Load() != nil {
		return ErrPHAPending
	}
	ctx := make([]byte, phaContextLen)
	if _, err := io.ReadFull(c.rand(), ctx); err != nil {
		return err
	}
	tr, err := c.hsTr.Clone()
	if err != nil {
		return err
	}
	cr, err := c.certificateRequest13(ctx)
	if err != nil {
		// No usable signature scheme to ask for: the connection fails
		// with internal_error, as at handshake time.
		return c.failLocked(err)
	}
	raw, err := cr.Marshal()
	if err != nil {
		return err
	}
	tr.Write(raw)
	// Published before it is sent, so the reader knows the answer.
	c.pha.Store(&phaRequest{context: ctx, tr: tr})
	if err := c.writeHandshakeLocked(raw, nil); err != nil {
		return c.failLocked(err)
	}
	return nil
}

// clientAuthSchemes is what a server asks a client to sign with and
// takes in its CertificateVerify: -client_sigalgs, else -sigalgs, else
// def.
func (cfg *Config) clientAuthSchemes(def []uint16) []uint16 {
	switch {
	case cfg.ClientAuthSchemes != nil:
		return cfg.ClientAuthSchemes
	case cfg.SignatureSchemes != nil:
		return cfg.SignatureSchemes
	}
	return def
}

// certRequestSchemes is the signature_algorithms of a server's
// CertificateRequest as OpenSSL 3.0 writes them: -client_sigalgs (or
// -sigalgs, or def) less what the security level rules out (SHA-1 from
// level 1, SHA-224 from level 3) and, in TLS 1.3, the DSA schemes. A
// TLS 1.3 list left with no scheme that can sign a TLS 1.3 handshake
// (RSA PKCS#1, SHA-1 and SHA-224 cannot), or any list left empty, fails
// the handshake with internal_error, openssl's "no suitable signature
// algorithm" then "internal error" (measured with s_server
// -client_sigalgs RSA+SHA256, RSA+SHA1 and ECDSA+SHA224 at TLS 1.3,
// RSA+SHA1 at TLS 1.2).
func (cfg *Config) certRequestSchemes(def []uint16, tls13 bool) ([]uint16, error) {
	minBits := sig.SecLevelBits(cfg.SecurityLevel)
	var out []uint16
	usable := false
	for _, s := range cfg.clientAuthSchemes(def) {
		if bits, ok := sig.SecurityBits(s); ok && bits < minBits || tls13 && sig.IsDSA(s) {
			continue
		}
		out = append(out, s)
		usable = usable || !tls13 || sig.SignsTLS13(s)
	}
	if !usable {
		// openssl's TLS 1.3 line names the ClientHello extension's
		// function (measured), its TLS 1.2 one the message's.
		fn := "tls_construct_certificate_request"
		if tls13 {
			fn = "tls_construct_ctos_sig_algs"
		}
		return nil, &alert.Fault{Desc: alert.InternalError, Reason: "internal error", Func: fn,
			Preceding: [][2]string{{"tls12_copy_sigalgs", "no suitable signature algorithm"}}}
	}
	return out, nil
}

// certRequestSchemes12 is the signature_algorithms of OpenSSL 3.0's TLS
// 1.2 CertificateRequest (compared with openssl s_client -trace): its
// client's list, SHA-224 and DSA schemes included, with the SHA-1 ones
// at security level 0 as its client offers them there.
func (cfg *Config) certRequestSchemes12() []uint16 {
	if cfg.SecurityLevel <= 0 {
		return sig.DefaultClient12SHA1
	}
	return sig.DefaultClient12
}

// certificateRequest13 is the server's CertificateRequest (RFC 8446
// §4.3.2): its signature schemes (by default OpenSSL's list for it), and
// -CAfile's names.
func (c *TLSConn) certificateRequest13(context []byte) (*msg.CertificateRequest, error) {
	schemes, err := c.cfg.certRequestSchemes(sig.DefaultCertRequest13, true)
	if err != nil {
		return nil, err
	}
	cr := &msg.CertificateRequest{Context: context, Extensions: msg.Extensions{
		{Type: msg.ExtSignatureAlgorithms, Data: msg.MarshalUint16List(schemes)}}}
	if len(c.cfg.CANames) > 0 {
		cr.Extensions = append(cr.Extensions, msg.Extension{Type: msg.ExtCertificateAuthorities,
			Data: msg.MarshalCertificateAuthorities(c.cfg.CANames)})
	}
	return cr, nil
}

// answerCertRequest answers a server's post-handshake CertificateRequest
// (inMu held): Certificate, CertificateVerify if an identity fits the
// request's signature_algorithms, Finished keyed by the current client
// application traffic secret (RFC 8446 §4.4, §4.6.2). A client that did
// not offer post_handshake_auth answers unexpected_message.
func (c *TLSConn) answerCertRequest(m msg.Message) error {
	if !c.phaOffered {
		return alert.Faultf(alert.UnexpectedMessage, "unexpected message")
	}
	cr, err := msg.ParseCertificateRequest(m.Body)
	if err != nil {
		return err
	}
	// The context (§4.3.2) is echoed whatever it is: the server made it.
	d, _ := cr.Extensions.Find(msg.ExtSignatureAlgorithms)
	schemes, err := msg.ParseUint16List(d)
	if err != nil {
		return err
	}
	var cas [][]byte
	if d, ok := cr.Extensions.Find(msg.ExtCertificateAuthorities); ok {
		if cas, err = msg.ParseCertificateAuthorities(d); err != nil {
			return err
		}
	}
	c.st.ClientCertRequested, c.st.PeerSignatureSchemes, c.st.CANames = true, schemes, cas
	tr, err := c.hsTr.Clone()
	if err != nil {
		return err
	}
	tr.Write(m.Raw)

	c.outMu.Lock()
	defer c.outMu.Unlock()
	if err := c.sticky(); err != nil {
		return err
	}
	if c.wClosed {
		// Nothing can be sent after close_notify; the server reads our
		// close instead of an answer.
		return nil
	}
	if err := c.clientCertificateHook(certRequest13(cr, schemes, cas)); err != nil {
		return err
	}
	if err := c.sendCertificate13(tr, cr.Context, schemes); err != nil {
		return err
	}
	fm, err := msg.Frame(msg.TypeFinished, keys.FinishedMAC(c.suite.Hash, c.outSec, tr.Sum()))
	if err != nil {
		return err
	}
	return c.writeHandshakeLocked(fm, tr)
}

// clientAuthMessage takes the next message of the client's answer to the
// server's post-handshake request p (inMu held).
func (c *TLSConn) clientAuthMessage(p *phaRequest, m msg.Message) error {
	switch {
	case p.stage == 0 && m.Type == msg.TypeCertificate:
		cert, err := msg.ParseCertificate(m.Body)
		if err != nil {
			return err
		}
		if !bytes.Equal(cert.Context, p.context) {
			return alert.Faultf(alert.IllegalParameter, "invalid context")
		}
		p.tr.Write(m.Raw)
		if len(cert.Entries) == 0 {
			if c.cfg.RequireClientCert {
				// RFC 8446 §4.4.2.4.
				return alert.Faultf(alert.CertificateRequired, "peer did not return a certificate")
			}
			p.stage = 2
			return nil
		}
		if err := clientEntryExtensions(cert); err != nil {
			return err
		}
		for _, e := range cert.Entries {
			p.chain = append(p.chain, e.Data)
		}
		leaf, err := x509.ParseCertificate(cert.Entries[0].Data)
		if err != nil {
			// As in the handshake: decode_error "ASN1 lib", as openssl.
			return alert.Faultf(alert.DecodeError, "ASN1 lib")
		}
		if p.leafKey, err = sig.PublicKey(leaf); err != nil {
			return alert.Faultf(alert.UnsupportedCertificate, "unsupported certificate")
		}
		p.stage = 1
		return nil
	case p.stage == 1 && m.Type == msg.TypeCertificateVerify:
		cv, err := msg.ParseCertificateVerify(m.Body)
		if err != nil {
			return err
		}
		if !slices.Contains(c.cfg.clientAuthSchemes(sig.Default13), cv.Scheme) || !sig.Allowed13(cv.Scheme) {
			return alert.Faultf(alert.IllegalParameter, "wrong signature type")
		}
		if err := sig.Verify(cv.Scheme, p.leafKey, sig.Content13(false, p.tr.Sum()), cv.Signature); err != nil {
			return err
		}
		p.scheme = cv.Scheme
		p.tr.Write(m.Raw)
		if err := c.judgeChain(p.chain); err != nil {
			return err
		}
		p.stage = 2
		return nil
	case p.stage == 2 && m.Type == msg.TypeFinished:
		fin, err := msg.ParseFinished(m.Body, c.suite.Hash.Size())
		if err != nil {
			return err
		}
		want := keys.FinishedMAC(c.suite.Hash, c.inSecret, p.tr.Sum())
		if subtle.ConstantTimeCompare(fin, want) != 1 {
			return alert.Faultf(alert.DecryptError, "digest check failed")
		}
		if p.chain != nil {
			c.st.PeerChain, c.st.PeerSignatureScheme = p.chain, p.scheme
		}
		c.outMu.Lock()
		defer c.outMu.Unlock()
		c.pha.Store(nil)
		if c.cfg.NumTickets >= 0 && !c.wClosed && c.sticky() == nil {
			return c.sendTicketsLocked()
		}
		return nil
	}
	return alert.Faultf(alert.UnexpectedMessage, "unexpected message")
}
