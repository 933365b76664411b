package engine

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"io"
	"slices"
	"time"

	"github.com/cloudflare/circl/sign/ed448"
	"github.com/tlskit/tlskit/internal/engine/alert"
	"github.com/tlskit/tlskit/internal/engine/keys"
	"github.com/tlskit/tlskit/internal/engine/kx"
	"github.com/tlskit/tlskit/internal/engine/msg"
	"github.com/tlskit/tlskit/internal/engine/record"
	"github.com/tlskit/tlskit/internal/engine/sig"
	"github.com/tlskit/tlskit/internal/engine/suites"
)

// versionRange is the configured version range, zeros meaning TLS 1.3.
func (cfg *Config) versionRange() (lo, hi uint16) {
	lo, hi = cfg.MinVersion, cfg.MaxVersion
	if lo == 0 {
		lo = VersionTLS13
	}
	if hi == 0 {
		hi = VersionTLS13
	}
	return max(lo, VersionTLS10), min(hi, VersionTLS13)
}

// clientVersions checks the range a client offers: any of TLS 1.0–1.3.
func (cfg *Config) clientVersions() (lo, hi uint16, err error) {
	lo, hi = cfg.versionRange()
	if lo > hi {
		return 0, 0, alert.Faultf(alert.InternalError, "no protocols available")
	}
	return lo, hi, nil
}

// offeredVersions is supported_versions' list, highest first.
func (cfg *Config) offeredVersions() []uint16 {
	lo, hi := cfg.versionRange()
	var v []uint16
	for x := hi; x >= lo; x-- {
		v = append(v, x)
	}
	return v
}

func (cfg *Config) suites12() []uint16 {
	if cfg.Suites12 != nil {
		return cfg.Suites12
	}
	return suites.DefaultPSK12
}

// usable12 says whether the configuration lets a suite be offered or
// accepted: a PSK suite only with a TLS 1.0–1.2 PSK, as OpenSSL leaves
// them out without its PSK callbacks.
func (cfg *Config) usable12(s suites.Suite12) bool {
	return !s.Kx.PSK() || cfg.PSK12 != nil
}

// clientSuites is the ClientHello's cipher list: the TLS 1.3 suites, then
// the TLS 1.0–1.2 ones, then TLS_EMPTY_RENEGOTIATION_INFO_SCSV (RFC 5746
// §3.3) and, when asked, TLS_FALLBACK_SCSV, as OpenSSL sends them.
func (cfg *Config) clientSuites() []uint16 {
	lo, hi := cfg.versionRange()
	var out []uint16
	if hi >= VersionTLS13 {
		out = append(out, cfg.suites13()...)
	}
	if lo <= VersionTLS12 {
		rsa, ecdsa := true, true
		if cfg.SignatureSchemes != nil {
			// A suite whose server authentication no offered signature
			// algorithm allows is left out, as OpenSSL's -sigalgs does.
			rsa, ecdsa = sig.Authenticates(cfg.SignatureSchemes)
		}
		for _, id := range cfg.suites12() {
			// A TLS 1.2-only suite is pointless when at most 1.1 is
			// offered; OpenSSL leaves it out.
			s, ok := suites.Lookup12(id)
			if !ok || (s.TLS12 && hi < VersionTLS12) || !cfg.usable12(s) {
				continue
			}
			if (s.Auth == suites.AuthRSA && !rsa) || (s.Auth == suites.AuthECDSA && !ecdsa) {
				continue
			}
			out = append(out, id)
		}
	}
	out = append(out, 0x00ff)
	if cfg.FallbackSCSV {
		out = append(out, 0x5600) // RFC 7507 §6, last as OpenSSL puts it
	}
	return out
}

// offersECC12 says whether an offered TLS 1.0–1.2 suite needs curves:
// an ECDHE or ECDHE_PSK key exchange or ECDSA authentication. Without
// one, and without TLS 1.3, OpenSSL 3.0 sends neither ec_point_formats
// nor supported_groups (measured with DHE-, RSA- and PSK-only lists).
func (h *clientHS) offersECC12() bool {
	for _, id := range h.c.cfg.clientSuites() {
		if s, ok := suites.Lookup12(id); ok && (s.Kx.Ephemeral() == msg.KxECDHE || s.Auth == suites.AuthECDSA) {
			return true
		}
	}
	return false
}

func (h *clientHS) offers13() bool { _, hi := h.c.cfg.versionRange(); return hi >= VersionTLS13 }
func (h *clientHS) offers12() bool { lo, _ := h.c.cfg.versionRange(); return lo <= VersionTLS12 }

// session12 is the TLS 1.0–1.2 session offered for resumption, if any.
func (h *clientHS) session12() *Session12 {
	if !h.offers12() {
		return nil
	}
	return h.c.cfg.Session12
}

// sessionID12 picks legacy_session_id: a session resumed by ID sends its
// ID; one resumed by ticket sends a fresh random ID, whose echo tells the
// resumption was accepted (RFC 5077 §3.4).
func (h *clientHS) sessionID12(sid []byte) ([]byte, error) {
	s := h.session12()
	if s == nil {
		return sid, nil
	}
	if len(s.Ticket) > 0 && !h.c.cfg.NoTicket {
		if len(sid) == 0 {
			sid = make([]byte, 32)
			if _, err := io.ReadFull(h.c.rand(), sid); err != nil {
				return nil, err
			}
		}
		return sid, nil
	}
	if len(s.SessionID) > 0 {
		return s.SessionID, nil
	}
	return sid, nil
}

// ticketExt is the session_ticket extension's body (RFC 5077 §3.2): the
// offered session's ticket or empty; none with NoTicket, whatever the
// versions offered (openssl 3.0's -tls1_3 -no_ticket sends none either,
// where -tls1_3 alone sends an empty one).
func (h *clientHS) ticketExt() ([]byte, bool) {
	if h.c.cfg.NoTicket {
		return nil, false
	}
	if s := h.session12(); s != nil {
		return s.Ticket, true
	}
	return []byte{}, true
}

// sentinel12 and sentinel11 are the last eight bytes of a ServerHello
// random that downgrades from TLS 1.3 to 1.2, or to 1.1 and below (RFC
// 8446 §4.1.3).
var (
	sentinel12 = []byte("DOWNGRD\x01")
	sentinel11 = []byte("DOWNGRD\x00")
)

// clientHS12 is the TLS 1.0–1.2 client handshake after ServerHello.
type clientHS12 struct {
	*clientHS
	s         *conn12
	sess      *Session12 // the session being resumed, or nil
	ticket    bool       // the server will send NewSessionTicket
	certReq   *msg.CertificateRequest12
	leaf      *x509.Certificate
	ske       *msg.ServerKeyExchange
	newTicket *msg.NewSessionTicket12
	// pre and cke are the premaster secret and ClientKeyExchange value
	// of an ephemeral key exchange.
	pre, cke []byte
	// hint is the PSK identity hint received (nil: none), pskIdentity
	// the identity sent.
	hint, pskIdentity []byte
}

// serverHello12 checks a TLS 1.0–1.2 ServerHello (RFC 5246 §7.4.1.3) and
// runs the rest of the handshake, full (§7.3) or abbreviated.
func (h *clientHS) serverHello12(sh *msg.ServerHello, raw []byte) error {
	c, cfg := h.c, h.c.cfg
	lo, hi := cfg.versionRange()
	v := sh.Version
	// The sentinels are checked before the version range, as OpenSSL
	// does: a TLS 1.3-only client seeing one reports the fallback. A
	// client that can do TLS 1.3 refuses either sentinel at any lower
	// version (RFC 8446 §4.1.3), and DOWNGRD\x00 below the client's best
	// is refused by any client, as openssl s_client 3.0 does (it refuses
	// it at TLS 1.0 when it could do 1.1).
	tail := sh.Random[24:]
	if (hi >= VersionTLS13 && v <= VersionTLS12 && bytes.Equal(tail, sentinel12)) ||
		(v < hi && bytes.Equal(tail, sentinel11)) {
		return alert.Faultf(alert.IllegalParameter, "inappropriate fallback")
	}
	if c.st.HelloRetry || v < lo || v > min(hi, VersionTLS12) {
		return alert.Faultf(alert.ProtocolVersion, "unsupported protocol")
	}
	s, ok := suites.Lookup12(sh.CipherSuite)
	if !ok || !slices.Contains(cfg.suites12(), s.ID) || (s.TLS12 && v < VersionTLS12) || !cfg.usable12(s) {
		return alert.Faultf(alert.IllegalParameter, "wrong cipher returned")
	}
	if sh.CompressionMethod != 0 {
		return alert.Faultf(alert.IllegalParameter, "unsupported compression algorithm")
	}
	c.st.Version, c.st.Suite, c.st.ServerRandom = v, s.ID, sh.Random
	c.rl.WriteVersion, c.rl.ReadVersion = v, v
	st := &conn12{suite: s, prf: keys.PRF{Version: v, Hash: s.PRF}}
	c.v12 = st
	st.add(h.chRaw)
	st.add(raw)
	h2 := &clientHS12{clientHS: h, s: st}
	if err := h2.serverExtensions(sh); err != nil {
		return err
	}
	if !c.st.SecureRenegotiation && c.cfg.RequireSecureRenegotiation {
		return alert.Faultf(alert.HandshakeFailure, "unsafe legacy renegotiation disabled")
	}
	if sess := h.session12(); sess != nil && len(sh.SessionID) > 0 && bytes.Equal(sh.SessionID, h.hello.SessionID) {
		// RFC 5246 §7.4.1.3: an echoed ID resumes; the session's
		// version and suite must be kept, and so must EMS (RFC 7627
		// §5.3).
		// openssl s_client 3.0 answers another version with
		// protocol_version, another suite with illegal_parameter.
		if sess.Version != v {
			return alert.Faultf(alert.ProtocolVersion, "ssl session version mismatch")
		}
		if sess.Suite != s.ID {
			return alert.Faultf(alert.IllegalParameter, "old session cipher not returned")
		}
		if sess.ExtendedMasterSecret != c.st.ExtendedMasterSecret {
			return alert.Faultf(alert.HandshakeFailure, "inconsistent extms")
		}
		h2.sess = sess
		c.st.SessionID = sh.SessionID
		return h2.resume()
	}
	c.st.SessionID = sh.SessionID
	return h2.full()
}

// serverExtensions applies RFC 5246 §7.4.1.4 as OpenSSL 3.0 does (found
// by sending it malformed ServerHellos, alerts12_test.go): a ServerHello
// extension the client did not offer is unsupported_extension, a TLS
// 1.3-only one illegal_parameter, and unknown types and offered
// extensions that have no meaning in a ServerHello are ignored.
// OpenSSL also takes extended_master_secret and encrypt_then_mac with
// contents, and point formats without uncompressed, at this stage.
func (h *clientHS12) serverExtensions(sh *msg.ServerHello) error {
	c := h.c
	seen := map[msg.ExtType]bool{}
	for _, x := range sh.Extensions {
		if seen[x.Type] {
			return alert.Faultf(alert.DecodeError, "bad extension")
		}
		seen[x.Type] = true
		if h.offered[x.Type] && h.customAnswer(x) {
			continue
		}
		switch x.Type {
		case msg.ExtKeyShare, msg.ExtSupportedVersions, msg.ExtPreSharedKey, msg.ExtEarlyData,
			msg.ExtCookie, msg.ExtPSKKeyExchangeModes, msg.ExtPostHandshakeAuth, msg.ExtSignatureAlgorithmsCert:
			return alert.Faultf(alert.IllegalParameter, "bad extension")
		case msg.ExtRenegotiationInfo, msg.ExtExtendedMasterSecret, msg.ExtEncryptThenMAC, msg.ExtSessionTicket,
			msg.ExtServerName, msg.ExtECPointFormats, msg.ExtALPN, msg.ExtStatusRequest, msg.ExtMaxFragmentLength, msg.ExtSCT:
			if !h.offered[x.Type] && x.Type != msg.ExtRenegotiationInfo {
				return alert.Faultf(alert.UnsupportedExtension, "unsolicited extension")
			}
		default:
			continue
		}
		var err error
		switch x.Type {
		case msg.ExtRenegotiationInfo:
			// RFC 5746 §3.4: empty renegotiated_connection on an
			// initial handshake; we sent the SCSV, so it may come.
			var v []byte
			if v, err = msg.ParseRenegotiationInfo(x.Data); err == nil && len(v) != 0 {
				return alert.Faultf(alert.IllegalParameter, "renegotiation mismatch")
			}
			c.st.SecureRenegotiation = true
		case msg.ExtExtendedMasterSecret:
			c.st.ExtendedMasterSecret = true
		case msg.ExtEncryptThenMAC:
			// RFC 7366 §3: it only changes CBC suites.
			h.s.etm = h.s.suite.Cipher == suites.AESCBC
			c.st.EncryptThenMAC = h.s.etm
		case msg.ExtSessionTicket:
			err = msg.ParseEmpty(x.Data)
			h.ticket = true
		case msg.ExtServerName:
			err = msg.ParseEmpty(x.Data)
			c.st.ServerName = c.cfg.ServerName
		case msg.ExtECPointFormats:
			_, err = msg.ParseUint8List(x.Data)
		case msg.ExtALPN:
			var p []string
			if p, err = msg.ParseALPN(x.Data); err == nil {
				if len(p) != 1 || !slices.Contains(c.cfg.ALPN, p[0]) {
					return alert.Faultf(alert.IllegalParameter, "bad extension")
				}
				c.st.ALPN = p[0]
			}
		case msg.ExtStatusRequest:
			err = msg.ParseEmpty(x.Data)
		case msg.ExtMaxFragmentLength:
			err = h.maxFragmentLength(x.Data)
		case msg.ExtSCT:
			// RFC 6962 §3.3: the list is judged by whoever reads it.
			c.st.SCTList = x.Data
		}
		if err != nil {
			return stocFault(x.Type, err)
		}
	}
	return nil
}

// next reads a handshake message and adds it to the transcript.
func (h *clientHS12) next() (msg.Message, error) {
	m, err := h.c.readHandshakeLocked()
	if err != nil {
		return m, err
	}
	if m.Type != msg.TypeFinished && m.Type != msg.TypeHelloRequest {
		h.s.add(m.Raw)
	}
	return m, nil
}

func unexpected() error { return alert.Faultf(alert.UnexpectedMessage, "unexpected message") }

// full runs the rest of a full handshake (RFC 5246 §7.3).
func (h *clientHS12) full() error {
	c, s := h.c, h.s
	m, err := h.next()
	if err != nil {
		return err
	}
	if s.suite.Auth != suites.AuthPSK {
		// PSK suites other than RSA_PSK have no Certificate (RFC 4279
		// §2, RFC 5489 §2).
		if m, err = h.serverCertificate(m); err != nil {
			return err
		}
	}
	// A ServerKeyExchange comes with every (EC)DHE suite, and with the
	// PSK and RSA_PSK suites only when the server has a hint (RFC 4279
	// §2).
	optionalSKE := s.suite.Kx == msg.KxPSK || s.suite.Kx == msg.KxRSAPSK
	if s.suite.Kx != msg.KxRSA && (!optionalSKE || m.Type == msg.TypeServerKeyExchange) {
		if m.Type != msg.TypeServerKeyExchange {
			return unexpected()
		}
		if err := h.serverKeyExchange(m.Body); err != nil {
			return err
		}
		if m, err = h.next(); err != nil {
			return err
		}
	}
	if m.Type == msg.TypeCertificateRequest {
		if s.suite.Auth == suites.AuthPSK {
			// Client authentication needs a certificate-based suite:
			// under PSK, DHE_PSK and ECDHE_PSK a CertificateRequest is
			// out of order, as OpenSSL 3.0 takes it (RSA_PSK allows one).
			return unexpected()
		}
		if h.certReq, err = msg.ParseCertificateRequest12(m.Body, c.st.Version >= VersionTLS12); err != nil {
			return err
		}
		c.st.ClientCertRequested = true
		c.st.PeerSignatureSchemes = h.certReq.Schemes
		c.st.CANames = h.certReq.CANames
		// OpenSSL asks its certificate callback as it takes the
		// CertificateRequest in, before reading ServerHelloDone.
		if err := c.clientCertificateHook(&ClientCertRequest{Schemes: h.certReq.Schemes,
			CANames: h.certReq.CANames, CertTypes: h.certReq.CertTypes}); err != nil {
			return err
		}
		if m, err = h.next(); err != nil {
			return err
		}
	}
	if m.Type != msg.TypeServerHelloDone {
		return unexpected()
	}
	if len(m.Body) != 0 {
		// OpenSSL caps each message type's size; ServerHelloDone's cap
		// is zero, and going over it is illegal_parameter ("excessive
		// message size"), not decode_error.
		return alert.Faultf(alert.IllegalParameter, "excessive message size")
	}
	if err := h.clientFlight(); err != nil {
		return err
	}
	if err := h.serverFinish(); err != nil {
		return err
	}
	h.saveSession()
	return nil
}

// serverCertificate takes the server's Certificate and, when stapling
// was asked for, its CertificateStatus, and returns the message after
// them.
func (h *clientHS12) serverCertificate(m msg.Message) (msg.Message, error) {
	c := h.c
	if m.Type != msg.TypeCertificate {
		return m, unexpected()
	}
	if err := h.certificate(m.Body); err != nil {
		return m, err
	}
	stapling := h.offered[msg.ExtStatusRequest]
	if !stapling {
		// The chain is judged as it arrives, before the next message
		// is read, as OpenSSL does.
		if err := h.verifyPeer(); err != nil {
			return m, err
		}
	}
	m, err := h.next()
	if err != nil {
		return m, err
	}
	if m.Type == msg.TypeCertificateStatus && stapling {
		// RFC 6066 §8: the staple comes in its own message after the
		// Certificate, and the chain is judged with it.
		if c.st.OCSPResponse, err = msg.ParseCertificateStatus(m.Body); err != nil {
			return m, err
		}
		if m, err = h.next(); err != nil {
			return m, err
		}
	}
	if stapling {
		if err := h.verifyPeer(); err != nil {
			return m, err
		}
	}
	return m, nil
}

// certificate takes the server's chain (RFC 5246 §7.4.2) and checks its
// key fits the suite.
func (h *clientHS12) certificate(body []byte) error {
	c := h.c
	cert, err := msg.ParseCertificate12(body)
	if err != nil {
		// openssl 3.0 says so of a list or an entry cut short (measured).
		return &alert.Fault{Desc: alert.DecodeError, Func: "tls_process_server_certificate", Reason: "length mismatch"}
	}
	if len(cert.Chain) == 0 {
		return alert.Faultf(alert.DecodeError, "length mismatch")
	}
	c.st.PeerChain = cert.Chain
	if h.leaf, err = x509.ParseCertificate(cert.Chain[0]); err != nil {
		// openssl s_client 3.0 answers a server certificate it cannot
		// parse with bad_certificate "ASN1 lib" (measured).
		return alert.Faultf(alert.BadCertificate, "ASN1 lib")
	}
	pub, err := sig.PublicKey(h.leaf)
	if err != nil {
		return alert.Faultf(alert.UnsupportedCertificate, "unsupported certificate")
	}
	var ok bool
	switch pub.(type) {
	case *rsa.PublicKey:
		ok = h.s.suite.Auth == suites.AuthRSA
	case sig.PSSPublicKey:
		// An RSASSA-PSS key signs (rsa_pss_pss_*) but cannot take RSA
		// key exchange's encryption.
		ok = h.s.suite.Auth == suites.AuthRSA && h.s.suite.Kx != msg.KxRSA && h.s.suite.Kx != msg.KxRSAPSK &&
			c.st.Version >= VersionTLS12
	case ed25519.PublicKey, ed448.PublicKey:
		// RFC 8422 §5.1.3: EdDSA certificates go with ECDHE_ECDSA
		// suites, as openssl 3.0 s_server serves them at TLS 1.2; TLS
		// 1.0/1.1 have no EdDSA signatures.
		ok = h.s.suite.Auth == suites.AuthECDSA && c.st.Version >= VersionTLS12
	default:
		ok = h.s.suite.Auth == suites.AuthECDSA && isECDSA(pub)
	}
	if !ok {
		// illegal_parameter, as openssl s_client 3.0 answers an ECDSA
		// certificate under an ECDHE-RSA suite.
		return alert.Faultf(alert.IllegalParameter, "wrong certificate type")
	}
	return nil
}

// verifyPeer lets Config.VerifyPeer judge the server's chain (with its
// OCSP staple, if one came).
func (h *clientHS12) verifyPeer() error {
	return h.c.judgeChain(h.c.st.PeerChain)
}

func isECDSA(pub crypto.PublicKey) bool { _, ok := pub.(*ecdsa.PublicKey); return ok }

// ecdsaGroup is the named group of an ECDSA key's curve (RFC 8422
// §5.1.1), 0 for another key.
func ecdsaGroup(pub crypto.PublicKey) uint16 {
	k, ok := pub.(*ecdsa.PublicKey)
	if !ok {
		return 0
	}
	switch k.Curve.Params().Name {
	case "P-256":
		return kx.Secp256r1
	case "P-384":
		return kx.Secp384r1
	case "P-521":
		return kx.Secp521r1
	}
	return 0
}

// ecdheGroups are the groups TLS 1.2 ECDHE can use (RFC 8422 §5.1.1,
// RFC 7748): no hybrids.
var ecdheGroups = []uint16{kx.X25519, kx.X448, kx.Secp256r1, kx.Secp384r1, kx.Secp521r1}

// serverKeyExchange checks the server's ephemeral parameters and their
// signature over client random, server random and params (RFC 5246
// §7.4.3, RFC 8422 §5.4).
func (h *clientHS12) serverKeyExchange(body []byte) error {
	c := h.c
	tls12 := c.st.Version >= VersionTLS12
	ske, err := msg.ParseServerKeyExchange(body, h.s.suite.Kx, tls12)
	if err != nil {
		return err
	}
	if ske.Kind.Ephemeral() == msg.KxECDHE && (!slices.Contains(ecdheGroups, ske.Group) || !slices.Contains(c.cfg.groups(), ske.Group)) {
		return alert.Faultf(alert.IllegalParameter, "wrong curve")
	}
	// The parameters are checked before the signature, as OpenSSL does:
	// a peer value out of range is illegal_parameter even when the
	// signature is bad too.
	if ske.Kind.PSK() && len(ske.Hint) > MaxPSKIdentityLen {
		// OpenSSL reads the hint before the key exchange parameters.
		return &alert.Fault{Desc: alert.HandshakeFailure, Reason: "data length too long", Func: "tls_process_ske_psk_preamble"}
	}
	h.ske = ske
	if err := h.agree(); err != nil {
		return err
	}
	if ske.Kind.PSK() {
		// RFC 4279 §2: the hint is unsigned; PSK knowledge is proven
		// by the Finished messages.
		h.hint = ske.Hint
		if h.hint == nil {
			h.hint = []byte{}
		}
		c.st.PSKIdentityHint = h.hint
		return nil
	}
	signed := make([]byte, 0, 64+len(ske.Params))
	signed = append(append(append(signed, c.st.ClientRandom...), c.st.ServerRandom...), ske.Params...)
	pub, _ := sig.PublicKey(h.leaf)
	if tls12 {
		// RFC 8422 §5.1: the curves the client offered bind the server's
		// ECDSA key too. openssl 3.0 checks it with the signature, before
		// the scheme, at TLS 1.2 only: illegal_parameter "wrong curve".
		if g := ecdsaGroup(pub); g != 0 && !slices.Contains(c.cfg.groups(), g) {
			return alert.Faultf(alert.IllegalParameter, "wrong curve")
		}
		// RFC 5246 §7.4.1.4.1: only a scheme we offered.
		if !slices.Contains(c.cfg.clientSigSchemes(), ske.Scheme) {
			return alert.Faultf(alert.IllegalParameter, "wrong signature type")
		}
		if err := sig.Verify12(ske.Scheme, pub, signed, ske.Signature); err != nil {
			return err
		}
		c.st.PeerSignatureScheme = ske.Scheme
	} else if c.cfg.SecurityLevel >= 1 {
		// TLS 1.0/1.1 sign with MD5+SHA-1 or SHA-1, which OpenSSL 3.0
		// refuses from security level 1 on, with internal_error.
		return alert.Faultf(alert.InternalError, "legacy sigalg disallowed or unsupported")
	} else if err := sig.VerifyLegacy(pub, signed, ske.Signature); err != nil {
		return err
	}
	return nil
}

// agree runs the ephemeral key agreement with the server's parameters:
// the premaster secret and the ClientKeyExchange value.
func (h *clientHS12) agree() error {
	c := h.c
	switch h.ske.Kind.Ephemeral() {
	case msg.KxECDHE:
		share, err := kx.Generate(h.ske.Group)
		if err != nil {
			return err
		}
		if h.pre, err = share.Shared(h.ske.Public); err != nil {
			return err
		}
		h.cke = share.Public()
		c.st.Group = h.ske.Group
	case msg.KxDHE:
		minBits := c.cfg.MinDHBits
		if minBits == 0 {
			minBits = 1024
		}
		k, err := kx.NewDHKey(kx.DHParams{P: h.ske.P, G: h.ske.G}, minBits, c.rand())
		if err != nil {
			return err
		}
		if h.pre, err = k.Shared(h.ske.Y, true); err != nil {
			return err
		}
		h.cke = k.Public
		c.st.DHBits = kx.BitLen(h.ske.P)
	}
	return nil
}

// clientFlight sends [Certificate], ClientKeyExchange,
// [CertificateVerify], ChangeCipherSpec and Finished (RFC 5246 §7.3).
func (h *clientHS12) clientFlight() error {
	c, s := h.c, h.s
	var id *Identity
	if h.certReq != nil {
		id = h.clientIdentity()
		cm := &msg.Certificate12{}
		if id != nil {
			cm.Chain = id.Chain
		}
		raw, err := cm.Marshal()
		if err != nil {
			return err
		}
		if err := h.write(raw); err != nil {
			return err
		}
	}
	pre, cke, err := h.keyExchange()
	if err != nil {
		return err
	}
	raw, err := (&msg.ClientKeyExchange{Kind: s.suite.Kx, Identity: h.pskIdentity, Data: cke}).Marshal()
	if err != nil {
		return err
	}
	if err := h.write(raw); err != nil {
		return err
	}
	if c.st.ExtendedMasterSecret {
		// RFC 7627 §4: the session hash runs through ClientKeyExchange.
		s.master = s.prf.ExtendedMasterSecret(pre, s.handshakeHash())
	} else {
		s.master = s.prf.MasterSecret(pre, c.st.ClientRandom, c.st.ServerRandom)
	}
	c.keyLog("CLIENT_RANDOM", s.master)
	// Known from here on, as openssl's session has it: a handshake that
	// fails later (the server refuses the certificate or the Finished)
	// still reports it.
	c.st.MasterSecret = s.master
	if id != nil {
		if err := h.certificateVerify(id); err != nil {
			return err
		}
	}
	return h.sendFinished()
}

// write sends a handshake message and adds it to the transcript.
func (h *clientHS12) write(raw []byte) error {
	if err := h.c.writeHandshakeLocked(raw, nil); err != nil {
		return err
	}
	h.s.add(raw)
	return nil
}

// keyExchange makes the premaster secret and the ClientKeyExchange value
// for the suite's key exchange.
func (h *clientHS12) keyExchange() (pre, cke []byte, err error) {
	c := h.c
	switch h.s.suite.Kx {
	case msg.KxRSA:
		return h.rsaKeyExchange()
	case msg.KxPSK, msg.KxDHEPSK, msg.KxECDHEPSK, msg.KxRSAPSK:
	default:
		return h.pre, h.cke, nil
	}
	p := c.cfg.PSK12
	identity, key := p.Identity, p.Key
	if p.ClientKey != nil {
		if identity, key, err = p.ClientKey(h.hint); err != nil {
			var d alert.Desc
			if !errors.As(err, &d) {
				err = &alert.Fault{Desc: alert.InternalError, Reason: err.Error()}
			}
			return nil, nil, err
		}
	}
	if len(key) == 0 || len(key) > 0xffff || len(identity) > 0xffff {
		return nil, nil, alert.Faultf(alert.InternalError, "psk identity not found")
	}
	// RFC 4279 §2: plain PSK's other_secret is as many zeros as the key
	// is long; the others use their (EC)DH or RSA premaster.
	other, cke := h.pre, h.cke
	switch h.s.suite.Kx {
	case msg.KxPSK:
		other, cke = make([]byte, len(key)), nil
	case msg.KxRSAPSK:
		if other, cke, err = h.rsaKeyExchange(); err != nil {
			return nil, nil, err
		}
	}
	h.pskIdentity = identity
	c.st.PSKIdentity = identity
	return pskPremaster(other, key), cke, nil
}

// pskPremaster is RFC 4279 §2's premaster secret: other_secret and the
// key, each after its 16-bit length.
func pskPremaster(other, key []byte) []byte {
	pre := make([]byte, 0, 4+len(other)+len(key))
	pre = append(pre, byte(len(other)>>8), byte(len(other)))
	pre = append(pre, other...)
	pre = append(pre, byte(len(key)>>8), byte(len(key)))
	return append(pre, key...)
}

// rsaKeyExchange makes RSA key exchange's premaster secret and its
// encryption to the server's key (RSA and RSA_PSK suites).
func (h *clientHS12) rsaKeyExchange() (pre, cke []byte, err error) {
	c := h.c
	// RSA (RFC 5246 §7.4.7.1): client_version, as offered, and 46
	// random bytes, encrypted to the server's key.
	pub, ok := h.leaf.PublicKey.(*rsa.PublicKey)
	if !ok {
		return nil, nil, alert.Faultf(alert.HandshakeFailure, "wrong certificate type")
	}
	pre = make([]byte, 48)
	pre[0], pre[1] = byte(h.hello.Version>>8), byte(h.hello.Version)
	if _, err := io.ReadFull(c.rand(), pre[2:]); err != nil {
		return nil, nil, err
	}
	// RFC 5246 §7.4.7.1 fixes PKCS #1 v1.5 here; there is no other way
	// to speak RSA key exchange.
	//lint:ignore SA1019 the protocol requires PKCS #1 v1.5 encryption
	enc, err := rsa.EncryptPKCS1v15(c.rand(), pub, pre)
	if err != nil {
		return nil, nil, err
	}
	return pre, enc, nil
}

// clientIdentity picks the first identity whose key the server's
// CertificateRequest allows: its certificate types and, in TLS 1.2, a
// signature scheme both sides accept.
func (h *clientHS12) clientIdentity() *Identity {
	c := h.c
	ids := c.cfg.Identities
	if c.hooked {
		ids = c.hookIDs
	} else if c.cfg.UseClientIdentities12 {
		ids = c.cfg.ClientIdentities12
	}
	for i := range ids {
		id := &ids[i]
		pub := id.Key.Public()
		want := msg.CertTypeRSASign
		_, pss := pub.(sig.PSSPublicKey)
		if isECDSA(pub) {
			want = msg.CertTypeECDSASign
		} else if pss && c.st.Version < VersionTLS12 {
			continue // RSASSA-PSS signs no TLS 1.0/1.1 CertificateVerify
		} else if _, ok := pub.(*rsa.PublicKey); !ok && !pss {
			if c.st.Version < VersionTLS12 {
				continue
			}
			want = msg.CertTypeECDSASign // Ed25519/Ed448 (RFC 8422 §5.5)
		}
		if !slices.Contains(h.certReq.CertTypes, want) {
			continue
		}
		if c.st.Version < VersionTLS12 || h.clientScheme(id) != 0 {
			return id
		}
	}
	return nil
}

// clientScheme is the first scheme of the server's list the identity's
// key can make and the configuration allows.
func (h *clientHS12) clientScheme(id *Identity) uint16 {
	allowed := h.c.cfg.ClientAuthSchemes
	if allowed == nil {
		allowed = h.c.cfg.sigSchemes()
	}
	for _, s := range h.certReq.Schemes {
		if slices.Contains(allowed, s) && sig.Fits12(s, id.Key.Public()) {
			return s
		}
	}
	return 0
}

// certificateVerify signs the handshake messages so far (RFC 5246
// §7.4.8; TLS 1.0/1.1: their MD5 and SHA-1 hashes, RFC 4346 §7.4.8).
func (h *clientHS12) certificateVerify(id *Identity) error {
	c, s := h.c, h.s
	dv := &msg.DigitallySigned{HasScheme: c.st.Version >= VersionTLS12}
	var err error
	if dv.HasScheme {
		dv.Scheme = h.clientScheme(id)
		dv.Signature, err = sig.Sign12(c.rand(), dv.Scheme, id.Key, s.msgs)
	} else {
		dv.Signature, err = sig.SignLegacy(c.rand(), id.Key, s.msgs)
	}
	if err != nil {
		return err
	}
	raw, err := dv.Marshal()
	if err != nil {
		return err
	}
	return h.write(raw)
}

// keys12 makes the connection's record protection from the master
// secret; the write side goes on at once, the read side at the peer's
// ChangeCipherSpec.
func (h *clientHS12) keys12() (record.Cipher12, error) {
	c, s := h.c, h.s
	r, w, err := ciphers12(s.suite, c.st.Version, s.etm, s.prf, s.master, c.st.ClientRandom, c.st.ServerRandom, true)
	if err != nil {
		return nil, err
	}
	s.pendingRead = r
	return w, nil
}

// sendFinished sends ChangeCipherSpec and the client Finished.
func (h *clientHS12) sendFinished() error {
	c, s := h.c, h.s
	w, err := h.keys12()
	if err != nil {
		return err
	}
	if err := c.sendCCS12(w); err != nil {
		return err
	}
	fin, err := msg.Frame(msg.TypeFinished, s.prf.Finished(s.master, true, s.handshakeHash()))
	if err != nil {
		return err
	}
	return h.write(fin)
}

// serverFinish reads [NewSessionTicket], ChangeCipherSpec and the server
// Finished, checking verify_data in constant time. A server that sent
// session_ticket in its ServerHello must send NewSessionTicket (RFC 5077
// §3.3): a ChangeCipherSpec in its place is unexpected_message.
func (h *clientHS12) serverFinish() error {
	c, s := h.c, h.s
	if h.ticket {
		m, err := h.next()
		if err != nil {
			return err
		}
		if m.Type != msg.TypeNewSessionTicket {
			return unexpected()
		}
		if h.newTicket, err = msg.ParseNewSessionTicket12(m.Body); err != nil {
			return err
		}
	}
	s.expectCCS = true
	m, err := h.next()
	if err != nil {
		return err
	}
	if m.Type != msg.TypeFinished || !s.gotCCS {
		return unexpected()
	}
	if len(m.Body) != msg.Finished12Len {
		return alert.Faultf(alert.DecodeError, "length mismatch")
	}
	want := s.prf.Finished(s.master, false, s.handshakeHash())
	if !hmac.Equal(m.Body, want) {
		return alert.Faultf(alert.DecryptError, "digest check failed")
	}
	s.add(m.Raw)
	c.st.MasterSecret = s.master
	return nil
}

// resume runs an abbreviated handshake (RFC 5246 §7.3, RFC 5077 §3.1):
// the server's [NewSessionTicket], ChangeCipherSpec and Finished, then
// the client's.
func (h *clientHS12) resume() error {
	c, s := h.c, h.s
	s.master = h.sess.MasterSecret
	c.st.Resumed = true
	c.st.PeerChain = h.sess.PeerChain
	// A resumed PSK session exchanges no identity: it is the session's.
	c.st.PSKIdentity, c.st.PSKIdentityHint = h.sess.PSKIdentity, h.sess.PSKIdentityHint
	c.keyLog("CLIENT_RANDOM", s.master)
	w, err := h.keys12()
	if err != nil {
		return err
	}
	if err := h.serverFinish(); err != nil {
		return err
	}
	if err := c.sendCCS12(w); err != nil {
		return err
	}
	fin, err := msg.Frame(msg.TypeFinished, s.prf.Finished(s.master, true, s.handshakeHash()))
	if err != nil {
		return err
	}
	if err := h.write(fin); err != nil {
		return err
	}
	h.saveSession()
	return nil
}

// saveSession records the session for later resumption: the server's
// session ID and, when it sent one, its ticket (RFC 5077 §3.3; an empty
// ticket means none).
func (h *clientHS12) saveSession() {
	c := h.c
	sess := &Session12{
		Version: c.st.Version, Suite: c.st.Suite, SessionID: c.st.SessionID,
		MasterSecret: h.s.master, ExtendedMasterSecret: c.st.ExtendedMasterSecret,
		PeerChain: c.st.PeerChain, Received: c.now(),
		PSKIdentity: c.st.PSKIdentity, PSKIdentityHint: c.st.PSKIdentityHint,
		Group: c.st.Group, ALPN: c.st.ALPN, ServerName: c.st.ServerName,
		MaxFragmentLength: c.mflCode(),
	}
	if h.sess != nil {
		sess.Ticket, sess.LifetimeHint = h.sess.Ticket, h.sess.LifetimeHint
		// The session is the resumed one: OpenSSL's client keeps its
		// protocol and name whatever this handshake negotiated.
		sess.ALPN, sess.ServerName, sess.MaxFragmentLength = h.sess.ALPN, h.sess.ServerName, h.sess.MaxFragmentLength
		if sess.Group == 0 {
			// A resumption exchanges no keys: the session's group is
			// the one of the handshake that made it.
			sess.Group = h.sess.Group
		}
	}
	if h.newTicket != nil {
		sess.Ticket = h.newTicket.Ticket
		sess.LifetimeHint = time.Duration(h.newTicket.LifetimeHint) * time.Second
		if len(sess.Ticket) == 0 {
			sess.Ticket = nil
		}
	}
	c.st.MasterSecret = h.s.master
	if len(sess.SessionID) > 0 || len(sess.Ticket) > 0 {
		c.st.Session12 = sess
	}
	// The transcript is not needed after the Finished messages.
	h.s.msgs, h.s.pendingRead = nil, nil
}
