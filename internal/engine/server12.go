package engine

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/subtle"
	"crypto/x509"
	"encoding/binary"
	"errors"
	"io"
	"slices"
	"sync"
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

// Cipher suite values that are signals rather than suites.
const (
	scsvRenegotiation uint16 = 0x00ff // RFC 5746 §3.3
	scsvFallback      uint16 = 0x5600 // RFC 7507 §2
)

// serverVersion picks the version for a ClientHello within the
// configured range (RFC 8446 §4.2.1, RFC 5246 Appendix E.1): the highest
// of supported_versions when sent, else the legacy version capped at TLS
// 1.2. Nothing in range is protocol_version ("unsupported protocol").
func (cfg *Config) serverVersion(ch *msg.ClientHello) (uint16, error) {
	lo, hi := cfg.versionRange()
	if d, ok := ch.Extensions.Find(msg.ExtSupportedVersions); ok {
		vs, err := msg.ParseSupportedVersionsClient(d)
		if err != nil {
			return 0, err
		}
		var best uint16
		for _, v := range vs {
			if v >= lo && v <= hi && v > best {
				best = v
			}
		}
		if best == 0 {
			return 0, alert.Faultf(alert.ProtocolVersion, "unsupported protocol")
		}
		return best, nil
	}
	if ch.Version < 0x0300 {
		return 0, alert.Faultf(alert.ProtocolVersion, "unsupported protocol")
	}
	v := min(ch.Version, hi, VersionTLS12)
	if v < lo {
		return 0, alert.Faultf(alert.ProtocolVersion, "unsupported protocol")
	}
	return v, nil
}

// serverHS12 is a TLS 1.0–1.2 server handshake in progress.
type serverHS12 struct {
	c   *TLSConn
	ch  *msg.ClientHello
	mfl uint8 // the client's max_fragment_length, echoed
	s   *conn12
	ver uint16

	// What the ClientHello offered.
	schemes     []uint16 // signature_algorithms, or RFC 5246's SHA-1 default
	groups      []uint16 // supported_groups; nil when absent
	pointFmts   bool     // ec_point_formats was sent
	ticketExt   bool     // session_ticket was sent
	ticket      []byte   // its contents
	emsOffered  bool
	etmOffered  bool
	renegOffer  bool
	alpnOffered []string

	id     *Identity
	scheme uint16 // the ServerKeyExchange signature scheme (TLS 1.2)
	group  uint16 // ECDHE group
	dh     kx.DHParams

	resumed    *session12 // the session resumed, if any
	sendTicket bool
	// renew is Config.TicketKeys asking for a new ticket on resumption.
	renew  bool
	staple []byte // the OCSP response sent in CertificateStatus
}

// session12 is a server's TLS 1.0–1.2 session: what resumption needs,
// kept in the session cache or sealed in a ticket.
type session12 struct {
	version, suite uint16
	created        time.Time
	ems            bool
	master         []byte
	peerChain      [][]byte
	sidCtx         []byte // Config.SessionContext when it was made
	group          uint16 // the ECDHE group of the full handshake; 0 for none
	pskIdentity    []byte // a PSK suite's client identity; nil for none
}

// serverHandshake12 runs a TLS 1.0–1.2 handshake from the server side
// after the ClientHello chose version v: full (RFC 5246 §7.3) or
// abbreviated, by session ID or ticket (RFC 5077 §3.1).
func (c *TLSConn) serverHandshake12(ch *msg.ClientHello, chRaw []byte, v uint16) error {
	h := &serverHS12{c: c, ch: ch, ver: v}
	c.st.Version = v
	c.st.SessionLifetime = ticketLifetime * time.Second
	c.st.ClientRandom = ch.Random
	c.rl.WriteVersion = v
	if !slices.Contains(ch.CompressionMethods, 0) {
		return alert.Faultf(alert.IllegalParameter, "no compression specified")
	}
	// RFC 7507 §3: a fallback below our best version is refused.
	if _, hi := c.cfg.versionRange(); slices.Contains(ch.CipherSuites, scsvFallback) && v < min(hi, VersionTLS13) {
		return alert.Faultf(alert.InappropriateFallback, "inappropriate fallback")
	}
	if err := h.readExtensions(); err != nil {
		return err
	}
	if err := h.resume(); err != nil {
		return err
	}
	if h.resumed == nil {
		if c.cfg.CertificateHook != nil {
			if err := c.askCertificateHook(ch, v); err != nil {
				return err
			}
		}
		if err := h.chooseSuite(); err != nil {
			return err
		}
		if h.id != nil {
			staple, err := c.stapleFor(ch, h.id.Chain)
			if err != nil {
				return err
			}
			h.staple = staple
		}
	}
	s := &conn12{suite: h.s.suite, prf: keys.PRF{Version: v, Hash: h.s.suite.PRF}}
	h.s = s
	c.v12 = s
	c.st.Suite = s.suite.ID
	s.add(chRaw)
	c.st.ExtendedMasterSecret = h.emsOffered
	c.st.SecureRenegotiation = h.renegOffer
	s.etm = h.etmOffered && s.suite.Cipher == suites.AESCBC && !c.cfg.NoEncryptThenMAC
	c.st.EncryptThenMAC = s.etm
	if err := h.serverHello(); err != nil {
		return err
	}
	c.rl.ReadVersion = v
	if h.resumed != nil {
		return h.abbreviated()
	}
	return h.full()
}

// readExtensions takes what the server needs from the ClientHello's
// extensions (RFC 5246 §7.4.1.4).
func (h *serverHS12) readExtensions() error {
	c, ch := h.c, h.ch
	seen := map[msg.ExtType]bool{}
	for _, x := range ch.Extensions {
		// RFC 5246 §7.4.1.4: one extension of each type at most.
		if seen[x.Type] {
			return alert.Faultf(alert.DecodeError, "bad extension")
		}
		seen[x.Type] = true
		var err error
		switch x.Type {
		case msg.ExtServerName:
			c.st.ServerName, err = msg.ParseServerName(x.Data)
		case msg.ExtMaxFragmentLength:
			h.mfl, err = serverMaxFragmentLength(c, x.Data)
		case msg.ExtSupportedGroups:
			h.groups, err = msg.ParseUint16List(x.Data)
		case msg.ExtECPointFormats:
			var f []uint8
			if f, err = msg.ParseUint8List(x.Data); err == nil {
				// RFC 8422 §5.1.2: uncompressed must be there.
				if !slices.Contains(f, 0) {
					return alert.Faultf(alert.IllegalParameter, "invalid compression algorithm")
				}
				h.pointFmts = true
			}
		case msg.ExtSignatureAlgorithms:
			if h.ver >= VersionTLS12 {
				h.schemes, err = msg.ParseUint16List(x.Data)
				c.st.PeerSignatureSchemes = h.schemes
			}
		case msg.ExtALPN:
			h.alpnOffered, err = msg.ParseALPN(x.Data)
		case msg.ExtSessionTicket:
			h.ticketExt, h.ticket = true, x.Data
		case msg.ExtExtendedMasterSecret:
			h.emsOffered = true
		case msg.ExtEncryptThenMAC:
			h.etmOffered = true
		case msg.ExtRenegotiationInfo:
			// RFC 5746 §3.6: empty on an initial handshake.
			var v []byte
			if v, err = msg.ParseRenegotiationInfo(x.Data); err == nil && len(v) != 0 {
				return alert.Faultf(alert.HandshakeFailure, "renegotiation mismatch")
			}
			h.renegOffer = true
		}
		if err != nil {
			return err
		}
	}
	if slices.Contains(ch.CipherSuites, scsvRenegotiation) {
		h.renegOffer = true
	}
	if h.ver >= VersionTLS12 && !seen[msg.ExtSignatureAlgorithms] {
		// RFC 5246 §7.4.1.4.1: without the extension the client takes
		// SHA-1 with the key's algorithm.
		h.schemes = []uint16{sig.RSAPKCS1SHA1, sig.ECDSASHA1}
	}
	// ALPN: the server's order wins; no overlap is fatal (RFC 7301
	// §3.2).
	if len(h.alpnOffered) > 0 && len(c.cfg.ALPN) > 0 && !c.noALPN {
		for _, p := range c.cfg.ALPN {
			if slices.Contains(h.alpnOffered, p) {
				c.st.ALPN = p
				break
			}
		}
		if c.st.ALPN == "" {
			return alert.Faultf(alert.NoApplicationProtocol, "no application protocol")
		}
	}
	return nil
}

// ticketsOn says whether this server issues and takes TLS 1.2 tickets.
func (h *serverHS12) ticketsOn() bool {
	switch h.c.cfg.Tickets12 {
	case Tickets12On:
		return true
	case Tickets12Off:
		return false
	}
	return h.c.cfg.NumTickets >= 0
}

// resume looks for a session to resume: the ticket's (RFC 5077 §3.1),
// else the session ID's. A session of another version, of a suite the
// client no longer offers or that we no longer allow, or made without
// the extended master secret the client now offers, is not resumed: a
// full handshake follows (RFC 7627 §5.3). A session made with it that the
// client offers without it is handshake_failure (RFC 7627 §5.3, OpenSSL's
// "inconsistent extms").
func (h *serverHS12) resume() error {
	c, ch := h.c, h.ch
	var sess *session12
	if h.ticketExt && len(h.ticket) > 0 && h.ticketsOn() {
		sess, h.renew = c.openTicket12(h.ticket)
	}
	if sess == nil && len(ch.SessionID) > 0 && !c.cfg.NoSessionCache {
		sess = serverSessions.get(ch.SessionID, c.now())
	}
	if sess == nil {
		return nil
	}
	if string(sess.sidCtx) != string(c.cfg.sessionContext()) {
		// Another session ID context's session (OpenSSL's sid_ctx
		// check): a full handshake.
		return nil
	}
	if age := c.now().Sub(sess.created); age < 0 || age > ticketLifetime*time.Second {
		return nil
	}
	if sess.version != h.ver || !slices.Contains(ch.CipherSuites, sess.suite) ||
		!slices.Contains(c.cfg.suites12(), sess.suite) || !c.cfg.usable12(su0(sess.suite)) {
		return nil
	}
	if sess.ems && !h.emsOffered {
		return alert.Faultf(alert.HandshakeFailure, "inconsistent extms")
	}
	su, ok := suites.Lookup12(sess.suite)
	if !ok || sess.ems != h.emsOffered {
		return nil
	}
	h.resumed = sess
	h.s = &conn12{suite: su}
	return nil
}

// identityKind is the Auth a certificate key serves (RFC 8422 §5.1.3:
// EdDSA keys sign in ECDSA suites).
func identityKind(pub crypto.PublicKey) suites.Auth {
	switch pub.(type) {
	case *rsa.PublicKey, sig.PSSPublicKey:
		return suites.AuthRSA
	case *ecdsa.PublicKey, ed25519.PublicKey, ed448.PublicKey:
		return suites.AuthECDSA
	}
	return 0
}

// sha1Scheme reports the SHA-1 schemes, which no security level above 0
// lets a server sign with.
func sha1Scheme(s uint16) bool { return s == sig.RSAPKCS1SHA1 || s == sig.ECDSASHA1 }

// schemeFor is the first scheme of the client's list (the server's with
// ServerPreference) that the key can make and the configuration allows
// (RFC 5246 §7.4.1.4.1); 0 when none.
func (h *serverHS12) schemeFor(pub crypto.PublicKey) uint16 {
	cfg := h.c.cfg
	first, second := h.schemes, cfg.SignatureSchemes
	if cfg.ServerPreference && cfg.SignatureSchemes != nil {
		first, second = cfg.SignatureSchemes, h.schemes
	}
	for _, s := range first {
		if second != nil && !slices.Contains(second, s) {
			continue
		}
		if cfg.SecurityLevel > 0 && sha1Scheme(s) {
			continue
		}
		if sig.Fits12(s, pub) {
			return s
		}
	}
	return 0
}

// curveOffered reports whether an ECDSA key's curve is among the
// client's supported_groups, when it sent them: OpenSSL's client refuses
// a certificate on another curve ("wrong curve", RFC 4492 §5.1 as RFC
// 8422 §5.1 keeps it for the certificate), so its server never offers
// one.
func (h *serverHS12) curveOffered(pub crypto.PublicKey) bool {
	k, ok := pub.(*ecdsa.PublicKey)
	if !ok || h.groups == nil {
		return true
	}
	var g uint16
	switch k.Curve.Params().BitSize {
	case 256:
		g = kx.Secp256r1
	case 384:
		g = kx.Secp384r1
	case 521:
		g = kx.Secp521r1
	}
	return slices.Contains(h.groups, g)
}

// chooseGroup is the ECDHE group: the first shared one in the client's
// order (the server's with ServerPreference), or the server's first when
// the client named none (RFC 8422 §4).
func (h *serverHS12) chooseGroup() uint16 {
	cfg := h.c.cfg
	var mine []uint16
	for _, g := range cfg.groups() {
		if slices.Contains(ecdheGroups, g) {
			mine = append(mine, g)
		}
	}
	if h.groups == nil {
		if len(mine) > 0 {
			return mine[0]
		}
		return 0
	}
	first, second := h.groups, mine
	if cfg.ServerPreference {
		first, second = mine, h.groups
	}
	for _, g := range first {
		if slices.Contains(second, g) {
			return g
		}
	}
	return 0
}

// chooseSuite picks the suite by the client's preference (the server's
// with ServerPreference), as OpenSSL does: one this version allows, whose
// key exchange can run, and for which an identity exists that a
// signature scheme the client offered can sign with. None is
// handshake_failure before any ServerHello ("no suitable signature
// algorithm" when only the schemes were lacking).
func (h *serverHS12) chooseSuite() error {
	cfg := h.c.cfg
	mine := cfg.suites12()
	if cfg.ServerPreference && cfg.PrioritizeChaCha && h.clientPrefersChaCha() {
		mine = slices.Clone(mine)
		slices.SortStableFunc(mine, func(a, b uint16) int { return chachaRank(a) - chachaRank(b) })
	}
	first, second := h.ch.CipherSuites, mine
	if cfg.ServerPreference {
		first, second = mine, h.ch.CipherSuites
	}
	group := h.chooseGroup()
	noScheme := false
	for _, id := range first {
		if !slices.Contains(second, id) {
			continue
		}
		su, ok := suites.Lookup12(id)
		if !ok || (su.TLS12 && h.ver < VersionTLS12) || !cfg.usable12(su) {
			continue
		}
		if su.Kx.Ephemeral() == msg.KxECDHE && group == 0 {
			continue
		}
		if su.Kx.Ephemeral() == msg.KxDHE && cfg.NoDHE && h.c.confDHParams() == nil {
			continue
		}
		if su.Auth == suites.AuthPSK {
			// No certificate and no signature (RFC 4279 §2, §3; RFC
			// 5489 §2): the suite needs only the PSK.
			h.s = &conn12{suite: su}
			switch su.Kx {
			case msg.KxECDHEPSK:
				h.group = group
			case msg.KxDHEPSK:
				h.dh = h.pskDHParams(su)
			}
			return nil
		}
		ids := h.c.identities()
		for i := range ids {
			ident := &ids[i]
			pub := ident.Key.Public()
			if identityKind(pub) != su.Auth || !h.curveOffered(pub) {
				continue
			}
			if su.Kx == msg.KxRSA || su.Kx == msg.KxRSAPSK {
				if _, ok := ident.Key.(*rsa.PrivateKey); !ok {
					continue
				}
			}
			if su.Kx == msg.KxRSAPSK {
				// RSA_PSK signs nothing (RFC 4279 §4): the key only
				// decrypts, at any version and security level.
				h.s = &conn12{suite: su}
				h.id = ident
				return nil
			}
			var scheme uint16
			if h.ver >= VersionTLS12 {
				if scheme = h.schemeFor(pub); scheme == 0 {
					noScheme = true
					continue
				}
			} else if _, pss := pub.(sig.PSSPublicKey); pss || (identityKind(pub) == suites.AuthECDSA && !isECDSA(pub)) {
				continue // no EdDSA or RSASSA-PSS key before TLS 1.2
			}
			h.s = &conn12{suite: su}
			h.id, h.scheme = ident, scheme
			if su.Kx == msg.KxECDHE {
				h.group = group
			}
			if h.ver < VersionTLS12 && cfg.SecurityLevel > 0 {
				// OpenSSL 3.0 picks the suite, then finds no MD5+SHA-1
				// or SHA-1 signature its security level allows.
				return alert.Faultf(alert.InternalError, "no suitable signature algorithm")
			}
			if su.Kx == msg.KxDHE {
				h.dh = h.dhParams(pub)
			}
			return nil
		}
	}
	if noScheme {
		// A suite and a certificate would do, but no signature scheme
		// the client offered fits: OpenSSL's tls_choose_sigalg words it.
		return alert.Faultf(alert.HandshakeFailure, "no suitable signature algorithm")
	}
	return alert.Faultf(alert.HandshakeFailure, "no shared cipher")
}

// clientPrefersChaCha reports a client whose first suite (GREASE and
// signalling values aside) is ChaCha20-Poly1305.
func (h *serverHS12) clientPrefersChaCha() bool {
	for _, id := range h.ch.CipherSuites {
		if su, ok := suites.Lookup12(id); ok {
			return su.Cipher == suites.ChaCha20
		}
		if _, ok := suites.Lookup13(id); ok {
			return id == suites.ChaCha20Poly1305SHA256
		}
	}
	return false
}

func chachaRank(id uint16) int {
	if su, ok := suites.Lookup12(id); ok && su.Cipher == suites.ChaCha20 {
		return 0
	}
	return 1
}

// confDHParams is Config.DHParams unless the ServerNameHook took the
// connection's away (SNIAnswer.NoDHParams).
func (c *TLSConn) confDHParams() *kx.DHParams {
	if c.noDHParams {
		return nil
	}
	return c.cfg.DHParams
}

// pskDHParams is the DHE_PSK group: -dhparam's, else OpenSSL's automatic
// choice for suites without a certificate, by the cipher's strength
// (measured with openssl s_server -nocert -psk: 3072 bits for AES-256
// and ChaCha20, 2048 for AES-128).
func (h *serverHS12) pskDHParams(su suites.Suite12) kx.DHParams {
	if p := h.c.confDHParams(); p != nil {
		return *p
	}
	if su.KeyLen >= 32 {
		return kx.AutoDHParams(128)
	}
	return kx.AutoDHParams(112)
}

// dhParams is the DHE group: -dhparam's, else OpenSSL's automatic choice
// by the certificate key's strength.
func (h *serverHS12) dhParams(pub crypto.PublicKey) kx.DHParams {
	if p := h.c.confDHParams(); p != nil {
		return *p
	}
	bits := 112
	if k, ok := pub.(*rsa.PublicKey); ok && k.N.BitLen() >= 3072 {
		bits = 128
	}
	return kx.AutoDHParams(bits)
}

// serverHello sends ServerHello with the extensions OpenSSL sends, in
// its order (renegotiation_info, ec_point_formats, session_ticket,
// ALPN, encrypt_then_mac, extended_master_secret).
func (h *serverHS12) serverHello() error {
	c, s := h.c, h.s
	random := make([]byte, 32)
	if _, err := io.ReadFull(c.rand(), random); err != nil {
		return err
	}
	// RFC 8446 §4.1.3: the downgrade sentinels.
	_, hi := c.cfg.versionRange()
	if hi >= VersionTLS13 && h.ver == VersionTLS12 {
		copy(random[24:], sentinel12)
	} else if hi >= VersionTLS12 && h.ver < VersionTLS12 {
		copy(random[24:], sentinel11)
	}
	c.st.ServerRandom = random
	var sid []byte
	switch {
	case h.resumed != nil:
		// RFC 5077 §3.4: a ticket resumption echoes the client's ID.
		sid = h.ch.SessionID
		c.st.Resumed = true
		// RFC 5077 §3.3: a renewed ticket comes in the abbreviated
		// handshake.
		h.sendTicket = h.renew && h.ticketExt
	case h.ticketExt && h.ticketsOn():
		// OpenSSL leaves the ID empty when it issues a ticket.
		h.sendTicket = true
	case c.cfg.NoSessionCache:
		// Nothing could find the session by an ID: OpenSSL sends none.
	default:
		sid = make([]byte, 32)
		if _, err := io.ReadFull(c.rand(), sid); err != nil {
			return err
		}
	}
	c.st.SessionID = sid
	// OpenSSL sends serverinfo extensions first.
	ee := append(msg.Extensions{}, c.serverInfoExts(h.id, h.ch, h.ver, ExtContextTLS12ServerHello, h.resumed != nil)...)
	if h.renegOffer {
		ee = append(ee, msg.Extension{Type: msg.ExtRenegotiationInfo, Data: msg.MarshalRenegotiationInfo(nil)})
	}
	if c.sniAck && h.resumed == nil {
		// RFC 6066 §3: acknowledged on a full handshake only.
		ee = append(ee, msg.Extension{Type: msg.ExtServerName, Data: []byte{}})
	}
	if h.mfl != 0 {
		ee = append(ee, msg.Extension{Type: msg.ExtMaxFragmentLength, Data: []byte{h.mfl}})
	}
	if h.resumed == nil && h.pointFmts && (s.suite.Kx.Ephemeral() == msg.KxECDHE || s.suite.Auth == suites.AuthECDSA) {
		ee = append(ee, msg.Extension{Type: msg.ExtECPointFormats, Data: msg.MarshalUint8List([]uint8{0, 1, 2})})
	}
	if h.sendTicket {
		ee = append(ee, msg.Extension{Type: msg.ExtSessionTicket, Data: []byte{}})
	}
	if len(h.staple) > 0 {
		// RFC 6066 §8: CertificateStatus follows Certificate.
		ee = append(ee, msg.Extension{Type: msg.ExtStatusRequest, Data: []byte{}})
	}
	if c.st.ALPN != "" {
		ee = append(ee, msg.Extension{Type: msg.ExtALPN, Data: msg.MarshalALPN([]string{c.st.ALPN})})
	}
	if s.etm {
		ee = append(ee, msg.Extension{Type: msg.ExtEncryptThenMAC, Data: []byte{}})
	}
	if c.st.ExtendedMasterSecret {
		ee = append(ee, msg.Extension{Type: msg.ExtExtendedMasterSecret, Data: []byte{}})
	}
	if len(ee) == 0 {
		// No extensions: the block is left out, as openssl s_server
		// 3.0 does (RFC 5246 §7.4.1.3 allows it).
		ee = nil
	}
	sh := &msg.ServerHello{Version: h.ver, Random: random, SessionID: sid, CipherSuite: s.suite.ID, Extensions: ee}
	raw, err := sh.Marshal()
	if err != nil {
		return err
	}
	return h.write(raw)
}

// write sends a handshake message and adds it to the transcript.
func (h *serverHS12) write(raw []byte) error {
	if err := h.c.writeHandshakeLocked(raw, nil); err != nil {
		return err
	}
	h.s.add(raw)
	return nil
}

// next reads a handshake message; Finished is left out of the transcript
// for the caller to add after checking it.
func (h *serverHS12) next() (msg.Message, error) {
	m, err := h.c.readHandshakeLocked()
	if err != nil {
		return m, err
	}
	if m.Type != msg.TypeFinished {
		h.s.add(m.Raw)
	}
	return m, nil
}

// full runs the rest of a full handshake (RFC 5246 §7.3): Certificate,
// [ServerKeyExchange], [CertificateRequest], ServerHelloDone; the
// client's flight; [NewSessionTicket], ChangeCipherSpec, Finished.
func (h *serverHS12) full() error {
	c, s := h.c, h.s
	var raw []byte
	var err error
	if h.id != nil {
		if raw, err = (&msg.Certificate12{Chain: h.id.Chain}).Marshal(); err != nil {
			return err
		}
		c.st.LocalChain = h.id.Chain
		if err := h.write(raw); err != nil {
			return err
		}
	}
	if len(h.staple) > 0 {
		if raw, err = msg.Frame(msg.TypeCertificateStatus, msg.MarshalCertificateStatus(h.staple)); err != nil {
			return err
		}
		if err := h.write(raw); err != nil {
			return err
		}
	}
	var ec *kx.Share
	var dh *kx.DHKey
	var hint []byte
	if p := c.cfg.PSK12; p != nil && s.suite.Kx.PSK() {
		hint = p.Hint
	}
	// RFC 4279 §2: PSK and RSA_PSK send a ServerKeyExchange only to
	// carry a hint.
	if s.suite.Kx != msg.KxRSA && (s.suite.Kx.Ephemeral() != 0 || hint != nil) {
		ske := &msg.ServerKeyExchange{Kind: s.suite.Kx, HasScheme: h.ver >= VersionTLS12, Scheme: h.scheme, Hint: hint}
		if s.suite.Kx.PSK() {
			ske.HasScheme = false
			c.st.PSKIdentityHint = hint
		}
		switch s.suite.Kx.Ephemeral() {
		case msg.KxECDHE:
			if ec, err = kx.Generate(h.group); err != nil {
				return err
			}
			ske.Group, ske.Public = h.group, ec.Public()
			c.st.Group = h.group
		case msg.KxDHE:
			if dh, err = kx.NewDHKey(h.dh, 0, c.rand()); err != nil {
				return err
			}
			ske.P, ske.G, ske.Y = h.dh.P, h.dh.G, dh.Public
			c.st.DHBits = kx.BitLen(h.dh.P)
		}
		if !s.suite.Kx.PSK() {
			params := ske.MarshalParams()
			signed := make([]byte, 0, 64+len(params))
			signed = append(append(append(signed, c.st.ClientRandom...), c.st.ServerRandom...), params...)
			if ske.HasScheme {
				ske.Signature, err = sig.Sign12(c.rand(), h.scheme, h.id.Key, signed)
			} else {
				ske.Signature, err = sig.SignLegacy(c.rand(), h.id.Key, signed)
			}
			if err != nil {
				return err
			}
		}
		if raw, err = ske.Marshal(); err != nil {
			return err
		}
		if err := h.write(raw); err != nil {
			return err
		}
	}
	// OpenSSL asks no certificate of a client under a PSK suite without
	// a server certificate.
	askCert := (c.cfg.RequestClientCert || c.cfg.RequireClientCert) && s.suite.Auth != suites.AuthPSK
	if askCert {
		cr := &msg.CertificateRequest12{CertTypes: []uint8{msg.CertTypeRSASign, msg.CertTypeDSSSign, msg.CertTypeECDSASign},
			HasSchemes: h.ver >= VersionTLS12}
		if cr.HasSchemes {
			if cr.Schemes, err = c.cfg.certRequestSchemes(c.cfg.certRequestSchemes12(), false); err != nil {
				return err
			}
		}
		cr.CANames = c.cfg.CANames
		if raw, err = cr.Marshal(); err != nil {
			return err
		}
		if err := h.write(raw); err != nil {
			return err
		}
		c.st.ClientCertRequested = true
	}
	if err := h.write(msg.MarshalEmpty(msg.TypeServerHelloDone)); err != nil {
		return err
	}

	// The client's flight.
	m, err := h.next()
	if err != nil {
		return err
	}
	var peerKey crypto.PublicKey
	if askCert {
		// Asked for one, a TLS 1.0-1.2 client sends a Certificate, empty
		// if it has none (RFC 5246 §7.4.6): anything else is
		// unexpected_message, even when a certificate is required, as
		// openssl s_server 3.0 answers.
		if m.Type != msg.TypeCertificate {
			return unexpected()
		}
		if peerKey, err = h.clientCertificate(m.Body); err != nil {
			return err
		}
		if m, err = h.next(); err != nil {
			return err
		}
	}
	if m.Type != msg.TypeClientKeyExchange {
		return unexpected()
	}
	cke, err := msg.ParseClientKeyExchange(m.Body, s.suite.Kx)
	if err != nil {
		return err
	}
	if s.suite.Kx.PSK() && len(cke.Identity) > MaxPSKIdentityLen {
		// OpenSSL 3.0 answers this with decode_error (measured).
		return &alert.Fault{Desc: alert.DecodeError, Reason: "data length too long", Func: "tls_process_cke_psk_preamble"}
	}
	var pre []byte
	switch s.suite.Kx {
	case msg.KxECDHE, msg.KxECDHEPSK:
		pre, err = ec.Shared(cke.Data)
	case msg.KxDHE, msg.KxDHEPSK:
		pre, err = dh.Shared(cke.Data, true)
	case msg.KxRSA, msg.KxRSAPSK:
		pre, err = h.rsaPremaster(cke.Data)
	}
	if err != nil {
		return err
	}
	if s.suite.Kx.PSK() {
		if pre, err = h.pskPremaster(cke.Identity, pre); err != nil {
			return err
		}
	}
	if c.st.ExtendedMasterSecret {
		// RFC 7627 §4: the session hash runs through ClientKeyExchange.
		s.master = s.prf.ExtendedMasterSecret(pre, s.handshakeHash())
	} else {
		s.master = s.prf.MasterSecret(pre, c.st.ClientRandom, c.st.ServerRandom)
	}
	c.keyLog("CLIENT_RANDOM", s.master)
	if peerKey != nil {
		if err := h.certificateVerify(peerKey); err != nil {
			return err
		}
	}
	w, err := h.keys()
	if err != nil {
		return err
	}
	if err := h.clientFinished(); err != nil {
		return err
	}
	if err := h.finish(w); err != nil {
		return err
	}
	h.saveSession()
	return nil
}

// clientCertificate takes the client's chain (RFC 5246 §7.4.6); an empty
// one fails only when a certificate is required (OpenSSL: "peer did not
// return a certificate", handshake_failure). It returns the leaf's key,
// or nil without a certificate.
func (h *serverHS12) clientCertificate(body []byte) (crypto.PublicKey, error) {
	c := h.c
	cert, err := msg.ParseCertificate12(body)
	if err != nil {
		return nil, err
	}
	if len(cert.Chain) == 0 {
		if c.cfg.RequireClientCert {
			return nil, alert.Faultf(alert.HandshakeFailure, "peer did not return a certificate")
		}
		return nil, nil
	}
	c.st.PeerChain = cert.Chain
	leaf, err := x509.ParseCertificate(cert.Chain[0])
	if err != nil {
		// openssl s_server 3.0 answers a client certificate it cannot
		// parse with decode_error "ASN1 lib" (its client: bad_certificate).
		return nil, alert.Faultf(alert.DecodeError, "ASN1 lib")
	}
	pub, err := sig.PublicKey(leaf)
	if err != nil {
		return nil, alert.Faultf(alert.UnsupportedCertificate, "unsupported certificate")
	}
	// The chain is judged as it arrives, before the ClientKeyExchange
	// and CertificateVerify are read, as openssl s_server does (its
	// verify callback's lines come before -state's "read client
	// certificate").
	if err := c.judgeChain(c.st.PeerChain); err != nil {
		return nil, err
	}
	return pub, nil
}

// certificateVerify checks the client's signature over the handshake
// messages before it (RFC 5246 §7.4.8; TLS 1.0/1.1: RFC 4346 §7.4.8).
func (h *serverHS12) certificateVerify(pub crypto.PublicKey) error {
	c, s := h.c, h.s
	signed := s.msgs
	m, err := c.readHandshakeLocked()
	if err != nil {
		return err
	}
	if m.Type != msg.TypeCertificateVerify {
		return unexpected()
	}
	dv, err := msg.ParseCertificateVerify12(m.Body, h.ver >= VersionTLS12)
	if err != nil {
		return err
	}
	if dv.HasScheme {
		if !slices.Contains(c.cfg.clientAuthSchemes(c.cfg.certRequestSchemes12()), dv.Scheme) {
			return alert.Faultf(alert.IllegalParameter, "wrong signature type")
		}
		err = sig.Verify12(dv.Scheme, pub, signed, dv.Signature)
		c.st.PeerSignatureScheme = dv.Scheme
	} else {
		err = sig.VerifyLegacy(pub, signed, dv.Signature)
	}
	if err != nil {
		return err
	}
	s.add(m.Raw)
	return nil
}

// pskPremaster finds the key for the client's identity and makes RFC
// 4279 §2's premaster secret with other, the (EC)DH or RSA premaster
// (nil for plain PSK, whose other_secret is zeros).
func (h *serverHS12) pskPremaster(identity, other []byte) ([]byte, error) {
	c := h.c
	p := c.cfg.PSK12
	c.st.PSKIdentity = identity
	var key []byte
	if p.ServerKey != nil {
		var err error
		if key, err = p.ServerKey(identity); err != nil {
			var d alert.Desc
			if !errors.As(err, &d) {
				err = &alert.Fault{Desc: alert.UnknownPSKIdentity, Reason: err.Error()}
			}
			return nil, err
		}
	} else if string(identity) == string(p.Identity) {
		key = p.Key
	}
	if len(key) == 0 || len(key) > 0xffff {
		return nil, alert.Faultf(alert.UnknownPSKIdentity, "psk identity not found")
	}
	if h.s.suite.Kx == msg.KxPSK {
		other = make([]byte, len(key))
	}
	return pskPremaster(other, key), nil
}

// rsaPremaster decrypts an RSA ClientKeyExchange without telling whether
// it decrypted (RFC 5246 §7.4.7.1): a bad padding or a wrong
// client_version yields a random premaster secret, chosen in constant
// time, and the handshake fails later at Finished. Only a ciphertext of
// the wrong length is refused at once (decrypt_error, as OpenSSL).
func (h *serverHS12) rsaPremaster(enc []byte) ([]byte, error) {
	c := h.c
	priv, ok := h.id.Key.(*rsa.PrivateKey)
	if !ok {
		return nil, alert.Faultf(alert.InternalError, "missing rsa private key")
	}
	if len(enc) != priv.Size() {
		return nil, alert.Faultf(alert.DecryptError, "decryption failed")
	}
	random := make([]byte, 48)
	if _, err := io.ReadFull(c.rand(), random); err != nil {
		return nil, err
	}
	pre := make([]byte, 48)
	copy(pre, random)
	// RFC 5246 §7.4.7.1 fixes PKCS #1 v1.5 here: the session key form
	// leaves pre untouched, in constant time, when the padding is bad.
	//lint:ignore SA1019 the protocol requires PKCS #1 v1.5 decryption
	if err := rsa.DecryptPKCS1v15SessionKey(nil, priv, enc, pre); err != nil {
		return nil, alert.Faultf(alert.DecryptError, "decryption failed")
	}
	good := subtle.ConstantTimeByteEq(pre[0], byte(h.ch.Version>>8)) & subtle.ConstantTimeByteEq(pre[1], byte(h.ch.Version))
	subtle.ConstantTimeCopy(1-good, pre, random)
	return pre, nil
}

// keys makes the record protection from the master secret: the read
// side waits for the client's ChangeCipherSpec, the write side is
// returned for ours.
func (h *serverHS12) keys() (write record.Cipher12, err error) {
	c, s := h.c, h.s
	r, w, err := ciphers12(s.suite, h.ver, s.etm, s.prf, s.master, c.st.ClientRandom, c.st.ServerRandom, false)
	if err != nil {
		return nil, err
	}
	s.pendingRead = r
	return w, nil
}

// clientFinished reads the client's ChangeCipherSpec and Finished,
// checking verify_data in constant time (RFC 5246 §7.4.9).
func (h *serverHS12) clientFinished() error {
	s := h.s
	s.expectCCS, s.gotCCS = true, false
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
	if !hmac.Equal(m.Body, s.prf.Finished(s.master, true, s.handshakeHash())) {
		return alert.Faultf(alert.DecryptError, "digest check failed")
	}
	s.add(m.Raw)
	return nil
}

// finish sends [NewSessionTicket], ChangeCipherSpec and the server
// Finished.
func (h *serverHS12) finish(w record.Cipher12) error {
	c, s := h.c, h.s
	if h.sendTicket {
		t, err := c.sealTicket12(h.session())
		if err == errNoTicket {
			// TicketKeys issues none: an empty ticket, as OpenSSL
			// sends when its callback declines (RFC 5077 §3.3).
			t, err = nil, nil
		}
		if err != nil {
			return err
		}
		hint := uint32(ticketLifetime)
		if t == nil {
			hint = 0
		}
		raw, err := (&msg.NewSessionTicket12{LifetimeHint: hint, Ticket: t}).Marshal()
		if err != nil {
			return err
		}
		if err := h.write(raw); err != nil {
			return err
		}
	}
	if err := c.sendCCS12(w); err != nil {
		return err
	}
	fin, err := msg.Frame(msg.TypeFinished, s.prf.Finished(s.master, false, s.handshakeHash()))
	if err != nil {
		return err
	}
	return h.write(fin)
}

// abbreviated resumes a session (RFC 5246 §7.3, RFC 5077 §3.1): our
// ChangeCipherSpec and Finished first, then the client's.
func (h *serverHS12) abbreviated() error {
	c, s := h.c, h.s
	s.master = h.resumed.master
	c.st.PeerChain = h.resumed.peerChain
	c.st.PSKIdentity = h.resumed.pskIdentity
	c.keyLog("CLIENT_RANDOM", s.master)
	w, err := h.keys()
	if err != nil {
		return err
	}
	if err := h.finish(w); err != nil {
		return err
	}
	if err := h.clientFinished(); err != nil {
		return err
	}
	h.saveSession()
	return nil
}

func (h *serverHS12) session() *session12 {
	c := h.c
	created := c.now()
	if h.resumed != nil {
		created = h.resumed.created
	}
	return &session12{version: h.ver, suite: h.s.suite.ID, created: created, ems: c.st.ExtendedMasterSecret,
		master: h.s.master, peerChain: c.st.PeerChain, sidCtx: c.cfg.sessionContext(), group: h.sessionGroup(),
		pskIdentity: h.sessionPSKIdentity()}
}

// sessionGroup is the group the session's key exchange used: this
// handshake's ECDHE group, or on resumption the one of the handshake
// that made the session (a resumption exchanges no key).
func (h *serverHS12) sessionGroup() uint16 {
	if h.resumed != nil {
		return h.resumed.group
	}
	return h.c.st.Group
}

// sessionPSKIdentity is the identity a PSK suite's session keeps: the
// one the client sent, or on resumption the session's.
func (h *serverHS12) sessionPSKIdentity() []byte {
	if !h.s.suite.Kx.PSK() {
		return nil
	}
	return h.c.st.PSKIdentity
}

// saveSession fills the connection's state and caches a full
// handshake's session under its ID.
func (h *serverHS12) saveSession() {
	c := h.c
	c.st.MasterSecret = h.s.master
	if h.resumed == nil && len(c.st.SessionID) > 0 {
		serverSessions.put(c.st.SessionID, h.session())
	}
	c.st.Session12 = &Session12{Version: h.ver, Suite: h.s.suite.ID, SessionID: c.st.SessionID,
		MasterSecret: h.s.master, ExtendedMasterSecret: c.st.ExtendedMasterSecret,
		PeerChain: c.st.PeerChain, Received: c.now(), Group: h.sessionGroup(),
		PSKIdentity: h.sessionPSKIdentity()}
	h.s.msgs, h.s.pendingRead = nil, nil
}

// TLS 1.0–1.2 tickets are sealed like TLS 1.3's (ticketAEAD) with their
// own version byte. Their plaintext: the fixed fields at these offsets
// (big-endian), each the previous one's offset plus its size, then from
// ticket12Header on the session context after a one-byte length, a PSK
// suite's identity after a two-byte one, and the master secret, which
// ends it.
const (
	ticketVersion12 = 5

	ticket12OffVersion    = 0                         // 1 byte, ticketVersion12
	ticket12OffTLSVersion = ticket12OffVersion + 1    // 2 bytes
	ticket12OffSuite      = ticket12OffTLSVersion + 2 // 2 bytes
	ticket12OffCreated    = ticket12OffSuite + 2      // 8 bytes, Unix time in ms
	ticket12OffFlags      = ticket12OffCreated + 8    // 1 byte, 1: extended master secret
	ticket12OffGroup      = ticket12OffFlags + 1      // 2 bytes, the key exchange group
	// ticket12Header is the length of the fixed fields.
	ticket12Header = ticket12OffGroup + 2
)

func (c *TLSConn) sealTicket12(s *session12) ([]byte, error) {
	if len(s.pskIdentity) > 0xffff {
		return nil, errors.New("psk identity too long for a ticket")
	}
	plain := make([]byte, ticket12Header, ticket12Header+1+len(s.sidCtx)+2+len(s.pskIdentity)+len(s.master))
	plain[ticket12OffVersion] = ticketVersion12
	binary.BigEndian.PutUint16(plain[ticket12OffTLSVersion:], s.version)
	binary.BigEndian.PutUint16(plain[ticket12OffSuite:], s.suite)
	binary.BigEndian.PutUint64(plain[ticket12OffCreated:], uint64(s.created.UnixMilli()))
	if s.ems {
		plain[ticket12OffFlags] |= 1
	}
	binary.BigEndian.PutUint16(plain[ticket12OffGroup:], s.group)
	plain = append(plain, byte(len(s.sidCtx)))
	plain = append(plain, s.sidCtx...)
	plain = binary.BigEndian.AppendUint16(plain, uint16(len(s.pskIdentity)))
	plain = append(plain, s.pskIdentity...)
	plain = append(plain, s.master...)
	return c.sealTicketPlain(plain, c.rand())
}

// openTicket12 opens a ticket this server sealed; nil for anything else.
// renew says Config.TicketKeys asked for a new ticket.
func (c *TLSConn) openTicket12(b []byte) (_ *session12, renew bool) {
	plain, renew, ok := c.openTicketPlain(b)
	if !ok || len(plain) < ticket12Header+1 || plain[ticket12OffVersion] != ticketVersion12 {
		return nil, false
	}
	rest := plain[ticket12Header:]
	n := int(rest[0])
	if len(rest) < 1+n+2 {
		return nil, false
	}
	sidCtx := rest[1 : 1+n]
	rest = rest[1+n:]
	m := int(binary.BigEndian.Uint16(rest))
	if rest = rest[2:]; len(rest) != m+48 {
		return nil, false
	}
	var id []byte
	if m > 0 {
		id = rest[:m]
	}
	return &session12{
		version:     binary.BigEndian.Uint16(plain[ticket12OffTLSVersion:]),
		suite:       binary.BigEndian.Uint16(plain[ticket12OffSuite:]),
		created:     time.UnixMilli(int64(binary.BigEndian.Uint64(plain[ticket12OffCreated:]))),
		ems:         plain[ticket12OffFlags]&1 != 0,
		group:       binary.BigEndian.Uint16(plain[ticket12OffGroup:]),
		sidCtx:      sidCtx,
		pskIdentity: id,
		master:      rest[m:],
	}, renew
}

// sessionCache is a server's TLS 1.0–1.2 session cache by session ID
// (RFC 5246 §7.4.1.2), bounded as OpenSSL's (20480 sessions), the oldest
// dropped first. One cache serves the process: s_server builds a Config
// per connection.
type sessionCache struct {
	mu    sync.Mutex
	m     map[string]*session12
	order []string
}

const sessionCacheMax = 20480

var serverSessions = &sessionCache{m: map[string]*session12{}}

func (sc *sessionCache) put(id []byte, s *session12) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	k := string(id)
	if _, ok := sc.m[k]; !ok {
		sc.order = append(sc.order, k)
	}
	sc.m[k] = s
	for len(sc.order) > sessionCacheMax {
		delete(sc.m, sc.order[0])
		sc.order = sc.order[1:]
	}
}

func (sc *sessionCache) get(id []byte, now time.Time) *session12 {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	s := sc.m[string(id)]
	if s != nil && now.Sub(s.created) > ticketLifetime*time.Second {
		delete(sc.m, string(id))
		return nil
	}
	return s
}

// su0 is a suite by its code point, the zero Suite12 when unknown.
func su0(id uint16) suites.Suite12 { s, _ := suites.Lookup12(id); return s }
