package engine

import (
	"crypto"
	"crypto/subtle"
	"crypto/x509"
	"errors"
	"io"
	"slices"

	"github.com/tlskit/tlskit/internal/engine/alert"
	"github.com/tlskit/tlskit/internal/engine/keys"
	"github.com/tlskit/tlskit/internal/engine/kx"
	"github.com/tlskit/tlskit/internal/engine/msg"
	"github.com/tlskit/tlskit/internal/engine/record"
	"github.com/tlskit/tlskit/internal/engine/sig"
	"github.com/tlskit/tlskit/internal/engine/suites"
	"github.com/tlskit/tlskit/internal/lazy"
)

// DefaultGroups is OpenSSL 3.0's default group order.
var DefaultGroups = []uint16{kx.X25519, kx.Secp256r1, kx.X448, kx.Secp521r1, kx.Secp384r1,
	kx.FFDHE2048, kx.FFDHE3072, kx.FFDHE4096, kx.FFDHE6144, kx.FFDHE8192}

func (cfg *Config) suites13() []uint16 {
	if cfg.Suites13 != nil {
		return cfg.Suites13
	}
	return suites.Default13
}

func (cfg *Config) groups() []uint16 {
	if cfg.Groups != nil {
		return cfg.Groups
	}
	return DefaultGroups
}

func (cfg *Config) sigSchemes() []uint16 {
	if cfg.SignatureSchemes != nil {
		return cfg.SignatureSchemes
	}
	return sig.Default13
}

// clientSigSchemes is a client's signature_algorithms: OpenSSL's longer
// default list when TLS 1.2 or below is offered.
func (cfg *Config) clientSigSchemes() []uint16 {
	if lo, _ := cfg.versionRange(); cfg.SignatureSchemes == nil && lo <= VersionTLS12 {
		return sig.DefaultClient12
	}
	return cfg.sigSchemes()
}

// clientHS is the client's handshake in progress.
type clientHS struct {
	c       *TLSConn
	offers  []pskOffer
	hello   *msg.ClientHello
	shares  []*kx.Share
	tr      *keys.Transcript
	chRaw   []byte
	offered map[msg.ExtType]bool
	// early is set while the client offers 0-RTT data; earlySched is
	// the ticket's key schedule and earlySecret the early write key.
	early       bool
	earlySched  *keys.Schedule
	earlySecret []byte
}

// clientHandshake runs RFC 8446 §2's full handshake from the client side,
// with one HelloRetryRequest at most (§4.1.4).
func (c *TLSConn) clientHandshake() error {
	cfg := c.cfg
	_, hi, err := cfg.clientVersions()
	if err != nil {
		return err
	}
	h := &clientHS{c: c}
	random := make([]byte, 32)
	if _, err := io.ReadFull(c.rand(), random); err != nil {
		return err
	}
	c.st.ClientRandom = random
	var sid []byte
	if !cfg.NoMiddlebox && hi >= VersionTLS13 {
		// RFC 8446 Appendix D.4: a non-empty legacy_session_id.
		sid = make([]byte, 32)
		if _, err := io.ReadFull(c.rand(), sid); err != nil {
			return err
		}
	}
	if sid, err = h.sessionID12(sid); err != nil {
		return err
	}
	c.st.SessionID = sid
	shareGroups := cfg.KeyShares
	if hi < VersionTLS13 {
		shareGroups = []uint16{}
	} else if shareGroups == nil && len(cfg.groups()) > 0 {
		shareGroups = cfg.groups()[:1]
	}
	for _, g := range shareGroups {
		s, err := kx.Generate(g)
		if err != nil {
			return err
		}
		h.shares = append(h.shares, s)
	}
	h.hello = &msg.ClientHello{
		Version:            min(hi, VersionTLS12),
		Random:             random,
		SessionID:          sid,
		CipherSuites:       cfg.clientSuites(), // TLS_EMPTY_RENEGOTIATION_INFO_SCSV last, as openssl
		CompressionMethods: []byte{0},
	}
	h.buildExtensions(nil)
	if hi >= VersionTLS13 {
		h.offers = c.clientOffers(func(hh crypto.Hash) bool {
			for _, id := range cfg.suites13() {
				if s, ok := suites.Lookup13(id); ok && s.Hash == hh {
					return true
				}
			}
			return false
		})
		if h.early = h.wantsEarlyData(); h.early {
			if err := h.earlyConsistent(); err != nil {
				return err
			}
			// RFC 8446 §4.2.10: early_data goes before
			// certificate_authorities and pre_shared_key, where
			// OpenSSL puts it.
			e := h.hello.Extensions
			at := len(e)
			if at > 0 && e[at-1].Type == msg.ExtCertificateAuthorities {
				at--
			}
			h.hello.Extensions = slices.Insert(e, at, msg.Extension{Type: msg.ExtEarlyData, Data: []byte{}})
			h.offered[msg.ExtEarlyData] = true
		}
	}
	// The first ClientHello goes out with record version TLS 1.0 (RFC
	// 8446 §5.1).
	c.rl.WriteVersion = VersionTLS10
	raw, err := h.marshalHello(nil)
	if err != nil {
		return err
	}
	h.chRaw = raw
	if err := c.writeHandshakeLocked(raw, nil); err != nil {
		return err
	}
	// Until a ServerHello comes, an alert goes out with the ClientHello's
	// record version, as openssl's does.
	if h.early {
		c.rl.WriteVersion = VersionTLS12
		h.earlySched = keys.NewSchedule(h.offers[0].hash, h.offers[0].key)
		if err := h.sendEarlyData(); err != nil {
			return err
		}
	}

	m, err := c.readFirstHandshakeLocked(msg.TypeServerHello)
	if err != nil {
		return err
	}
	if m.Type != msg.TypeServerHello {
		return alert.Faultf(alert.UnexpectedMessage, "unexpected message")
	}
	sh, err := msg.ParseServerHello(m.Body)
	if err != nil {
		return err
	}
	c.rl.WriteVersion = VersionTLS12
	if !sh.Extensions.Has(msg.ExtSupportedVersions) {
		// TLS 1.2 or older: the same ClientHello served (RFC 8446 §4.1.3).
		if h.early {
			// No 0-RTT below TLS 1.3: back to the clear.
			h.early = false
			c.rl.SetWriteCipher(nil)
		}
		return h.serverHello12(sh, m.Raw)
	}
	if sh.IsHelloRetryRequest() {
		if err := h.retry(sh, m.Raw); err != nil {
			return err
		}
		if m, err = c.readHandshakeLocked(); err != nil {
			return err
		}
		if m.Type != msg.TypeServerHello {
			return alert.Faultf(alert.UnexpectedMessage, "unexpected message")
		}
		if sh, err = msg.ParseServerHello(m.Body); err != nil {
			return err
		}
		if sh.IsHelloRetryRequest() {
			// RFC 8446 §4.1.4: a second HelloRetryRequest.
			return alert.Faultf(alert.UnexpectedMessage, "unexpected message")
		}
	}
	return h.serverHello(sh, m.Raw)
}

// stocParsers are the openssl 3.0 functions that parse a server's
// extension, and the reason each gives for one that does not parse
// (measured with openssl s_client against malformed ServerHellos).
var stocParsers = lazy.Value[map[msg.ExtType][2]string]{Build: func() map[msg.ExtType][2]string {
	return map[msg.ExtType][2]string{
		msg.ExtRenegotiationInfo: {"tls_parse_stoc_renegotiate", "renegotiation encoding err"},
		msg.ExtECPointFormats:    {"tls_parse_stoc_ec_pt_formats", "bad extension"},
		msg.ExtSessionTicket:     {"tls_parse_stoc_session_ticket", "bad extension"},
		msg.ExtKeyShare:          {"tls_parse_stoc_key_share", "length mismatch"},
		msg.ExtSupportedVersions: {"tls_parse_stoc_supported_versions", "length mismatch"},
	}
}}

// stocFault words err, a server's extension of type t that did not
// parse, as openssl does where its words are known; other faults pass
// unchanged.
func stocFault(t msg.ExtType, err error) error {
	var d alert.Desc
	p, ok := stocParsers.Get()[t]
	if !ok || !errors.As(err, &d) || d != alert.DecodeError {
		return err
	}
	return &alert.Fault{Desc: d, Func: p[0], Reason: p[1]}
}

// marshalHello marshals the ClientHello, with pre_shared_key and its
// binders last when PSKs are offered; prefix is the transcript before a
// second ClientHello.
func (h *clientHS) marshalHello(prefix []byte) ([]byte, error) {
	raw, err := h.marshalHelloUnpadded(prefix)
	if err != nil || !h.c.cfg.PadClientHello {
		return raw, err
	}
	n := paddingLen(len(raw))
	if n < 0 {
		return raw, nil
	}
	// The padding goes last, but before pre_shared_key, which must stay
	// the last extension (RFC 8446 §4.2.11), as OpenSSL puts it (-trace).
	e := h.hello.Extensions
	at := len(e)
	if len(h.offers) > 0 {
		at--
	}
	h.hello.Extensions = slices.Insert(e, at, msg.Extension{Type: msg.ExtPadding, Data: make([]byte, n)})
	h.offered[msg.ExtPadding] = true
	return h.marshalHelloUnpadded(prefix)
}

// paddingLen is the length of the padding extension's data for a
// ClientHello of size bytes (handshake header included), -1 for none:
// OpenSSL pads 256 to 511 bytes up to 512, with one byte of padding at
// least, so that 508 to 511 bytes become 513 to 516 (measured with openssl
// s_client 3.0 -bugs -msg: 0x0100 and 0x01fb become 0x0200, 0x01fc 0x0201,
// 0x01ff 0x0204; 0x00ff and 0x0200 stay). The size counts pre_shared_key
// and its binders.
func paddingLen(size int) int {
	if size < 0x100 || size >= 0x200 {
		return -1
	}
	return max(0x200-size-4, 1)
}

// marshalHelloUnpadded marshals the ClientHello as its extensions stand.
func (h *clientHS) marshalHelloUnpadded(prefix []byte) ([]byte, error) {
	if len(h.offers) == 0 {
		return h.hello.Marshal()
	}
	h.offered[msg.ExtPreSharedKey] = true
	raw, err := withBinders(h.hello, h.offers, prefix)
	if err != nil {
		// The extensions overflow their 2^16-1 bytes with the PSK
		// identity in: openssl 3.0 fails building pre_shared_key, the
		// last of them (measured: -psk_identity of 65336 bytes and more
		// fail, 65335 goes out, the same bound as here).
		f := alert.Faultf(alert.InternalError, "internal error")
		f.Func = "tls_construct_ctos_psk"
		return nil, f
	}
	return raw, nil
}

// buildExtensions lays out the ClientHello extensions in OpenSSL 3.0's
// order; cookie is set after a HelloRetryRequest.
func (h *clientHS) buildExtensions(cookie []byte) {
	cfg := h.c.cfg
	var e msg.Extensions
	add := func(t msg.ExtType, d []byte) { e = append(e, msg.Extension{Type: t, Data: d}) }
	for _, t := range cfg.CustomExtensions {
		add(msg.ExtType(t), []byte{})
	}
	if cfg.ServerName != "" {
		add(msg.ExtServerName, msg.MarshalServerName(cfg.ServerName))
	}
	if cfg.MaxFragmentLength != 0 {
		add(msg.ExtMaxFragmentLength, []byte{cfg.MaxFragmentLength})
	}
	groups := h.offeredGroups()
	ecc := (h.offers13() || h.offersECC12()) && slices.ContainsFunc(groups, func(g uint16) bool { return !kx.IsFFDHE(g) })
	if ecc {
		add(msg.ExtECPointFormats, msg.MarshalUint8List([]uint8{0, 1, 2}))
	}
	if ecc || (h.offers13() && len(groups) > 0) {
		add(msg.ExtSupportedGroups, msg.MarshalUint16List(groups))
	}
	if t, ok := h.ticketExt(); ok {
		add(msg.ExtSessionTicket, t)
	}
	if cfg.RequestOCSP {
		// status_type ocsp, no responder IDs, no extensions (RFC 6066 §8).
		add(msg.ExtStatusRequest, []byte{1, 0, 0, 0, 0})
	}
	if len(cfg.ALPN) > 0 {
		add(msg.ExtALPN, msg.MarshalALPN(cfg.ALPN))
	}
	if !cfg.NoEncryptThenMAC || !h.offers12() {
		add(msg.ExtEncryptThenMAC, []byte{})
	}
	if cfg.RequestSCT {
		// RFC 6962 §3.3.1, where openssl 3.0 -ct puts it (-trace).
		add(msg.ExtSCT, []byte{})
	}
	add(msg.ExtExtendedMasterSecret, []byte{})
	if cfg.CertSignatureSchemes != nil {
		add(msg.ExtSignatureAlgorithmsCert, msg.MarshalUint16List(cfg.CertSignatureSchemes))
	}
	if cfg.PostHandshakeAuth && h.offers13() {
		// RFC 8446 §4.2.6, where openssl 3.0 puts it: after
		// extended_master_secret, before signature_algorithms; only in
		// a ClientHello that offers TLS 1.3.
		add(msg.ExtPostHandshakeAuth, []byte{})
	}
	if _, hi := cfg.versionRange(); hi >= VersionTLS12 {
		// signature_algorithms is TLS 1.2's (RFC 5246 §7.4.1.4.1):
		// OpenSSL sends none when it offers TLS 1.1 at most.
		add(msg.ExtSignatureAlgorithms, msg.MarshalUint16List(cfg.clientSigSchemes()))
	}
	if !h.offers13() {
		h.setExtensions(e)
		return
	}
	add(msg.ExtSupportedVersions, msg.MarshalSupportedVersionsClient(cfg.offeredVersions()))
	if cfg.AllowNoDHE {
		// psk_dhe_ke, psk_ke: openssl 3.0 s_client -allow_no_dhe_kex
		// lists them in this order (-trace).
		add(msg.ExtPSKKeyExchangeModes, msg.MarshalUint8List([]uint8{1, 0}))
	} else {
		add(msg.ExtPSKKeyExchangeModes, msg.MarshalUint8List([]uint8{1})) // psk_dhe_ke
	}
	var ks []msg.KeyShare
	for _, s := range h.shares {
		ks = append(ks, msg.KeyShare{Group: s.Group(), Data: s.Public()})
	}
	add(msg.ExtKeyShare, msg.MarshalKeyShareClient(ks))
	if cookie != nil {
		add(msg.ExtCookie, msg.MarshalCookie(cookie))
	}
	if len(cfg.RequestCANames) > 0 {
		// RFC 8446 §4.2.4, after key_share and cookie as in OpenSSL.
		add(msg.ExtCertificateAuthorities, msg.MarshalCertificateAuthorities(cfg.RequestCANames))
	}
	h.setExtensions(e)
}

// offeredGroups is supported_groups: the RFC 7919 groups are left out
// when TLS 1.3 is not offered, also from a -groups list, as OpenSSL 3.0
// does (measured: '-tls1_2 -groups ffdhe2048:x25519' offers x25519 alone;
// its TLS 1.2 DHE takes the server's own group). buildExtensions sends
// ec_point_formats only beside an elliptic-curve group, and
// supported_groups only with one or with TLS 1.3 (measured: '-groups
// ffdhe3072' sends supported_groups alone, '-tls1_2 -groups ffdhe3072'
// neither).
func (h *clientHS) offeredGroups() []uint16 {
	g := h.c.cfg.groups()
	if h.offers13() {
		return g
	}
	var out []uint16
	for _, x := range g {
		if !kx.IsFFDHE(x) {
			out = append(out, x)
		}
	}
	return out
}

func (h *clientHS) setExtensions(e msg.Extensions) {
	h.hello.Extensions = e
	h.offered = map[msg.ExtType]bool{}
	for _, x := range e {
		h.offered[x.Type] = true
	}
}

// solicited applies RFC 8446 §4.2's rule to a server's extension of
// type t as openssl s_client does: true when the client offered it;
// otherwise unsupported_extension for a type openssl handles
// (msg.OpenSSLHandles), or for any type when strict, and false with no
// error (the extension is passed over) for the rest. A TLS 1.3 server's
// extension of any other type that the client did not offer is ignored by
// openssl s_client, though §4.2 asks for unsupported_extension (measured:
// types 1000 and 28, record_size_limit, in a ServerHello,
// EncryptedExtensions and the leaf's CertificateEntry are passed over; an
// unoffered ALPN is unsupported_extension); the engine ignores them too.
func (h *clientHS) solicited(t msg.ExtType, strict bool) (bool, error) {
	if h.offered[t] {
		return true, nil
	}
	if strict || msg.OpenSSLHandles(t) {
		return false, alert.Faultf(alert.UnsupportedExtension, "unsolicited extension")
	}
	return false, nil
}

// checkServerExtensions applies RFC 8446 §4.2's rule to a ServerHello or
// (hrr) HelloRetryRequest: an extension the client did not offer is
// unsupported_extension (in a ServerHello, only of a type openssl
// handles: solicited); one it offered but that may not appear here is
// illegal_parameter.
func (h *clientHS) checkServerExtensions(e msg.Extensions, hrr bool, allowed ...msg.ExtType) error {
	for _, x := range e {
		if ok, err := h.solicited(x.Type, hrr); !ok {
			if err != nil {
				return err
			}
			continue
		}
		if !slices.Contains(allowed, x.Type) {
			return alert.Faultf(alert.IllegalParameter, "bad extension")
		}
	}
	return nil
}

// checkHelloCommon checks what ServerHello and HelloRetryRequest share
// (RFC 8446 §4.1.3, §4.1.4).
func (h *clientHS) checkHelloCommon(sh *msg.ServerHello) error {
	d, ok := sh.Extensions.Find(msg.ExtSupportedVersions)
	if !ok {
		// A TLS 1.2-or-older ServerHello: the engine cannot go there
		// yet. A TLS 1.2 server answering a TLS 1.3 client must not use
		// the downgrade sentinel (RFC 8446 §4.1.3).
		if len(sh.Random) == 32 && string(sh.Random[24:31]) == "DOWNGRD" {
			return alert.Faultf(alert.IllegalParameter, "inappropriate fallback")
		}
		return alert.Faultf(alert.ProtocolVersion, "unsupported protocol")
	}
	v, err := msg.ParseSupportedVersionsServer(d)
	if err != nil {
		return stocFault(msg.ExtSupportedVersions, err)
	}
	if v != VersionTLS13 {
		return alert.Faultf(alert.IllegalParameter, "bad protocol version number")
	}
	// Appendix D.5 / §4.1.3: legacy_version stays 0x0303.
	if sh.Version != VersionTLS12 {
		return alert.Faultf(alert.IllegalParameter, "bad legacy version")
	}
	if subtle.ConstantTimeCompare(sh.SessionID, h.hello.SessionID) != 1 {
		return alert.Faultf(alert.IllegalParameter, "invalid session id")
	}
	if sh.CompressionMethod != 0 {
		return alert.Faultf(alert.IllegalParameter, "invalid compression algorithm")
	}
	if !slices.Contains(h.c.cfg.suites13(), sh.CipherSuite) {
		return alert.Faultf(alert.IllegalParameter, "wrong cipher returned")
	}
	s, ok := suites.Lookup13(sh.CipherSuite)
	if !ok {
		return alert.Faultf(alert.IllegalParameter, "wrong cipher returned")
	}
	if h.c.suite.ID != 0 && h.c.suite.ID != s.ID {
		// §4.1.4: the ServerHello's suite must match the HRR's.
		return alert.Faultf(alert.IllegalParameter, "wrong cipher returned")
	}
	h.c.suite = s
	return nil
}

// retry answers a HelloRetryRequest (RFC 8446 §4.1.4): a new share for
// the group the server named, the cookie echoed, the transcript restarted.
func (h *clientHS) retry(hrr *msg.ServerHello, raw []byte) error {
	c := h.c
	if err := h.checkHelloCommon(hrr); err != nil {
		return err
	}
	// A cookie is the one extension a HelloRetryRequest may carry
	// unasked (RFC 8446 §4.2.2).
	h.offered[msg.ExtCookie] = true
	if err := h.checkServerExtensions(hrr.Extensions, true, msg.ExtSupportedVersions, msg.ExtKeyShare, msg.ExtCookie); err != nil {
		return err
	}
	c.st.HelloRetry = true
	if h.early {
		// RFC 8446 §4.2.10: a retry rejects the early data; the second
		// ClientHello goes in the clear and offers none.
		h.early = false
		c.rl.SetWriteCipher(nil)
	}
	var cookie []byte
	if d, ok := hrr.Extensions.Find(msg.ExtCookie); ok {
		var err error
		if cookie, err = msg.ParseCookie(d); err != nil {
			return err
		}
	}
	d, ok := hrr.Extensions.Find(msg.ExtKeyShare)
	if !ok && cookie == nil {
		// An HRR that would not change the ClientHello.
		return alert.Faultf(alert.IllegalParameter, "no change in ClientHello")
	}
	if ok {
		g, err := msg.ParseKeyShareHRR(d)
		if err != nil {
			return err
		}
		if !slices.Contains(c.cfg.groups(), g) {
			return alert.Faultf(alert.IllegalParameter, "bad key share")
		}
		for _, s := range h.shares {
			if s.Group() == g {
				return alert.Faultf(alert.IllegalParameter, "bad key share")
			}
		}
		s, err := kx.Generate(g)
		if err != nil {
			return err
		}
		h.shares = []*kx.Share{s}
	}
	h.tr = keys.RestartAfterHRR(c.suite.Hash, h.chRaw)
	h.tr.Write(raw)
	h.buildExtensions(cookie)
	// RFC 8446 §4.1.4: only PSKs of the retry's suite's hash stay; their
	// binders cover message_hash(ClientHello1) and the retry.
	h.offers = slices.DeleteFunc(h.offers, func(p pskOffer) bool { return p.hash != c.suite.Hash })
	d1 := c.suite.Hash.New()
	d1.Write(h.chRaw)
	prefix := append([]byte{byte(msg.TypeMessageHash), 0, 0, byte(c.suite.Hash.Size())}, d1.Sum(nil)...)
	prefix = append(prefix, raw...)
	ch2, err := h.marshalHello(prefix)
	if err != nil {
		return err
	}
	if !c.cfg.NoMiddlebox {
		if err := c.sendCCSLocked(); err != nil {
			return err
		}
	}
	h.chRaw = ch2
	return c.writeHandshakeLocked(ch2, h.tr)
}

// sendCCSLocked sends the compatibility ChangeCipherSpec once (RFC 8446
// Appendix D.4).
func (c *TLSConn) sendCCSLocked() error {
	if c.sentCCS {
		return nil
	}
	c.sentCCS = true
	return c.writeReported(record.TypeChangeCipherSpec, []byte{1}, int(record.TypeChangeCipherSpec))
}

func (h *clientHS) serverHello(sh *msg.ServerHello, raw []byte) error {
	c := h.c
	if err := h.checkHelloCommon(sh); err != nil {
		return err
	}
	if err := h.checkServerExtensions(sh.Extensions, false, msg.ExtSupportedVersions, msg.ExtKeyShare, msg.ExtPreSharedKey); err != nil {
		return err
	}
	var psk []byte
	if d, ok := sh.Extensions.Find(msg.ExtPreSharedKey); ok {
		i, err := msg.ParseSelectedIdentity(d)
		if err != nil {
			return err
		}
		// RFC 8446 §4.2.11: an index we did not offer, or a PSK whose
		// hash is not the suite's, is illegal_parameter.
		if int(i) >= len(h.offers) || h.offers[i].hash != c.suite.Hash {
			return alert.Faultf(alert.IllegalParameter, "bad psk")
		}
		psk = h.offers[i].key
		c.st.Resumed, c.st.PSKIdentity = true, h.offers[i].identity
		if !h.offers[i].external {
			c.resumed = c.cfg.Session
		}
		if i != 0 {
			h.early = false // 0-RTT goes with the first PSK only
		}
	} else {
		h.early = false
	}
	c.st.Version, c.st.Suite = VersionTLS13, c.suite.ID
	c.st.ServerRandom = sh.Random
	if h.tr == nil {
		h.tr = keys.NewTranscript(c.suite.Hash)
		h.tr.Write(h.chRaw)
	}
	h.tr.Write(raw)
	var shared []byte
	if d, ok := sh.Extensions.Find(msg.ExtKeyShare); ok {
		ks, err := msg.ParseKeyShareServer(d)
		if err != nil {
			return stocFault(msg.ExtKeyShare, err)
		}
		var share *kx.Share
		for _, s := range h.shares {
			if s.Group() == ks.Group {
				share = s
			}
		}
		if share == nil {
			return alert.Faultf(alert.IllegalParameter, "bad key share")
		}
		if shared, err = share.Shared(ks.Data); err != nil {
			return err
		}
		c.st.Group = ks.Group
	} else if psk == nil || !c.cfg.AllowNoDHE {
		// Without a key share only psk_ke is left, which needs a PSK
		// and our consent (RFC 8446 §4.2.9).
		return alert.Faultf(alert.MissingExtension, "missing key share")
	}
	c.sched = keys.NewSchedule(c.suite.Hash, psk)
	c.sched.SetShared(shared)
	th := h.tr.Sum()
	cHS := c.sched.ClientHandshakeTrafficSecret(th)
	sHS := c.sched.ServerHandshakeTrafficSecret(th)
	// Each secret is logged as its key comes into use, in openssl 3.0's
	// client order: the server's handshake secret now, the client's when
	// its own flight starts, after the server's Finished.
	c.keyLog("SERVER_HANDSHAKE_TRAFFIC_SECRET", sHS)
	if err := c.setReadKey(sHS); err != nil {
		return err
	}
	c.pendingWrite = cHS
	return h.encryptedFlight(cHS, sHS)
}

// next reads a handshake message, adding it to the transcript.
func (h *clientHS) next() (msg.Message, error) {
	m, err := h.c.readHandshakeLocked()
	if err != nil {
		return m, err
	}
	return m, nil
}

// encryptedFlight reads EncryptedExtensions, [CertificateRequest],
// Certificate, CertificateVerify and Finished (RFC 8446 §2), then sends
// the client's flight.
func (h *clientHS) encryptedFlight(cHS, sHS []byte) error {
	c := h.c
	m, err := h.next()
	if err != nil {
		return err
	}
	if m.Type != msg.TypeEncryptedExtensions {
		return alert.Faultf(alert.UnexpectedMessage, "unexpected message")
	}
	ee, err := msg.ParseEncryptedExtensions(m.Body)
	if err != nil {
		return err
	}
	if err := h.encryptedExtensions(ee); err != nil {
		return err
	}
	h.tr.Write(m.Raw)

	if m, err = h.next(); err != nil {
		return err
	}
	var certReq *msg.CertificateRequest
	if !c.st.Resumed {
		if certReq, m, err = h.serverAuth(m); err != nil {
			return err
		}
	}
	return h.finish(m, certReq, cHS, sHS)
}

// serverAuth reads [CertificateRequest], Certificate and
// CertificateVerify, starting with m, and returns the message after them.
func (h *clientHS) serverAuth(m msg.Message) (certReq *msg.CertificateRequest, next msg.Message, err error) {
	c := h.c
	if m.Type == msg.TypeCertificateRequest {
		if certReq, err = msg.ParseCertificateRequest(m.Body); err != nil {
			return nil, m, err
		}
		// RFC 8446 §4.3.2: empty context during the handshake. openssl
		// s_client 3.0 does not check it (measured: it echoes the context
		// in its Certificate); a length out of its range is decode_error,
		// as BoringSSL answers (it was illegal_parameter).
		if len(certReq.Context) != 0 {
			return nil, m, alert.Faultf(alert.DecodeError, "invalid context")
		}
		c.st.ClientCertRequested = true
		if d, ok := certReq.Extensions.Find(msg.ExtSignatureAlgorithms); ok {
			if c.st.PeerSignatureSchemes, err = msg.ParseUint16List(d); err != nil {
				return nil, m, err
			}
		}
		if d, ok := certReq.Extensions.Find(msg.ExtCertificateAuthorities); ok {
			if c.st.CANames, err = msg.ParseCertificateAuthorities(d); err != nil {
				return nil, m, err
			}
		}
		h.tr.Write(m.Raw)
		if m, err = h.next(); err != nil {
			return nil, m, err
		}
	}
	if m.Type != msg.TypeCertificate {
		return nil, m, alert.Faultf(alert.UnexpectedMessage, "unexpected message")
	}
	cert, err := msg.ParseCertificate(m.Body)
	if err != nil {
		return nil, m, err
	}
	if len(cert.Context) != 0 {
		return nil, m, alert.Faultf(alert.IllegalParameter, "invalid context")
	}
	if len(cert.Entries) == 0 {
		// RFC 8446 §4.4.2.4.
		return nil, m, alert.Faultf(alert.DecodeError, "length mismatch")
	}
	for i, e := range cert.Entries {
		// RFC 8446 §4.4.2: an entry's extensions must answer ones the
		// client offered (§4.2: unsupported_extension otherwise).
		for _, x := range e.Extensions {
			if ok, err := h.solicited(x.Type, false); !ok {
				if err != nil {
					return nil, m, err
				}
				continue
			}
			if x.Type != msg.ExtStatusRequest && x.Type != msg.ExtSCT {
				return nil, m, alert.Faultf(alert.IllegalParameter, "bad extension")
			}
		}
		c.st.PeerChain = append(c.st.PeerChain, e.Data)
		if d, ok := e.Extensions.Find(msg.ExtStatusRequest); ok && i == 0 {
			if c.st.OCSPResponse, err = msg.ParseCertificateStatus(d); err != nil {
				return nil, m, err
			}
		}
		if d, ok := e.Extensions.Find(msg.ExtSCT); ok && i == 0 {
			// RFC 6962 §3.3: the list is judged by whoever reads it.
			c.st.SCTList = d
		}
	}
	leaf, err := x509.ParseCertificate(cert.Entries[0].Data)
	if err != nil {
		// bad_certificate "ASN1 lib", as openssl s_client 3.0.
		return nil, m, alert.Faultf(alert.BadCertificate, "ASN1 lib")
	}
	leafKey, err := sig.PublicKey(leaf)
	if err != nil {
		return nil, m, alert.Faultf(alert.UnsupportedCertificate, "unsupported certificate")
	}
	h.tr.Write(m.Raw)
	// The chain is judged as it arrives, before the CertificateVerify is
	// read, as OpenSSL does (its verify callback's lines come before
	// -state's "read server certificate", and a refused chain is
	// answered without reading further).
	if err := c.judgeChain(c.st.PeerChain); err != nil {
		return nil, m, err
	}

	if m, err = h.next(); err != nil {
		return nil, m, err
	}
	if m.Type != msg.TypeCertificateVerify {
		return nil, m, alert.Faultf(alert.UnexpectedMessage, "unexpected message")
	}
	cv, err := msg.ParseCertificateVerify(m.Body)
	if err != nil {
		return nil, m, err
	}
	if !slices.Contains(c.cfg.sigSchemes(), cv.Scheme) || !sig.Allowed13(cv.Scheme) {
		return nil, m, alert.Faultf(alert.IllegalParameter, "wrong signature type")
	}
	if err := sig.Verify(cv.Scheme, leafKey, sig.Content13(true, h.tr.Sum()), cv.Signature); err != nil {
		return nil, m, err
	}
	c.st.PeerSignatureScheme = cv.Scheme
	h.tr.Write(m.Raw)
	if certReq != nil {
		// OpenSSL asks its certificate callback once the server's
		// CertificateVerify is in, before reading its Finished: a failure
		// goes out as a plaintext alert, before any ChangeCipherSpec.
		if err := c.clientCertificateHook(certRequest13(certReq, c.st.PeerSignatureSchemes, c.st.CANames)); err != nil {
			return nil, m, err
		}
	}
	m, err = h.next()
	return certReq, m, err
}

// clientCertificateHook asks Config.ClientCertificateHook, when set,
// about r; the identities it returns are those clientIdentities gives
// until the next request.
func (c *TLSConn) clientCertificateHook(r *ClientCertRequest) error {
	c.hookIDs, c.hooked = nil, false
	hook := c.cfg.ClientCertificateHook
	if hook == nil {
		return nil
	}
	r.Version = c.st.Version
	ids, err := hook(r)
	if err != nil {
		return err
	}
	c.hookIDs, c.hooked = ids, true
	return nil
}

// clientIdentities are the identities a client may answer a
// CertificateRequest with: the certificate hook's, else the Config's.
func (c *TLSConn) clientIdentities() []Identity {
	if c.hooked {
		return c.hookIDs
	}
	return c.cfg.Identities
}

// certRequest13 is what a TLS 1.3 CertificateRequest asks, for the
// certificate hook.
func certRequest13(cr *msg.CertificateRequest, schemes []uint16, cas [][]byte) *ClientCertRequest {
	r := &ClientCertRequest{Schemes: schemes, CANames: cas}
	if d, ok := cr.Extensions.Find(msg.ExtSignatureAlgorithmsCert); ok {
		r.CertSchemes, _ = msg.ParseUint16List(d)
		r.HasCertSchemes = true
	}
	return r
}

// finish checks the server Finished (m) and sends the client's flight.
func (h *clientHS) finish(m msg.Message, certReq *msg.CertificateRequest, cHS, sHS []byte) error {
	c := h.c
	if m.Type != msg.TypeFinished {
		return alert.Faultf(alert.UnexpectedMessage, "unexpected message")
	}
	fin, err := msg.ParseFinished(m.Body, c.suite.Hash.Size())
	if err != nil {
		return err
	}
	want := keys.FinishedMAC(c.suite.Hash, sHS, h.tr.Sum())
	if subtle.ConstantTimeCompare(fin, want) != 1 {
		return alert.Faultf(alert.DecryptError, "digest check failed")
	}
	h.tr.Write(m.Raw)

	cAP, sAP := c.appSecrets13(h.tr.Sum())
	if err := c.setReadKey(sAP); err != nil {
		return err
	}

	// The client's flight.
	c.pendingWrite = nil
	if !c.cfg.NoMiddlebox {
		if err := c.sendCCSLocked(); err != nil {
			return err
		}
	}
	if c.st.EarlyData == EarlyDataAccepted {
		// RFC 8446 §4.5: EndOfEarlyData under the early key ends the
		// 0-RTT data.
		eoed, err := msg.Frame(msg.TypeEndOfEarlyData, nil)
		if err != nil {
			return err
		}
		if err := c.writeHandshakeLocked(eoed, h.tr); err != nil {
			return err
		}
	}
	c.keyLog("CLIENT_HANDSHAKE_TRAFFIC_SECRET", cHS)
	if err := c.setWriteKey(cHS); err != nil {
		return err
	}
	if certReq != nil {
		if err := c.sendCertificate13(h.tr, nil, c.st.PeerSignatureSchemes); err != nil {
			return err
		}
	}
	fm, err := msg.Frame(msg.TypeFinished, keys.FinishedMAC(c.suite.Hash, cHS, h.tr.Sum()))
	if err != nil {
		return err
	}
	if err := c.writeHandshakeLocked(fm, h.tr); err != nil {
		return err
	}
	c.resSec = c.sched.ResumptionMasterSecret(h.tr.Sum())
	c.hsTr, c.phaOffered = h.tr, h.offered[msg.ExtPostHandshakeAuth]
	c.keyLog("CLIENT_TRAFFIC_SECRET_0", cAP)
	return c.setWriteKey(cAP)
}

// maxFragmentLength takes the server's max_fragment_length: RFC 6066 §4,
// the length the client asked for or illegal_parameter.
func (h *clientHS) maxFragmentLength(d []byte) error {
	if len(d) != 1 || d[0] != h.c.cfg.MaxFragmentLength {
		return alert.Faultf(alert.IllegalParameter, "ssl3 ext invalid max fragment length")
	}
	h.c.useMaxFragmentLength(d[0])
	return nil
}

// customAnswer hands the server's answer to one of CustomExtensions to
// OnCustomExtension; false when x is not one of them.
func (h *clientHS) customAnswer(x msg.Extension) bool {
	if !slices.Contains(h.c.cfg.CustomExtensions, uint16(x.Type)) {
		return false
	}
	if f := h.c.cfg.OnCustomExtension; f != nil {
		f(uint16(x.Type), x.Data)
	}
	return true
}

// encryptedExtensions checks EncryptedExtensions (RFC 8446 §4.3.1).
func (h *clientHS) encryptedExtensions(ee *msg.EncryptedExtensions) error {
	c := h.c
	for _, x := range ee.Extensions {
		if ok, err := h.solicited(x.Type, false); !ok {
			if err != nil {
				return err
			}
			continue
		}
		if h.customAnswer(x) {
			continue
		}
		switch x.Type {
		case msg.ExtServerName:
			if err := msg.ParseEmpty(x.Data); err != nil {
				return err
			}
			c.st.ServerName = c.cfg.ServerName
		case msg.ExtMaxFragmentLength:
			if err := h.maxFragmentLength(x.Data); err != nil {
				return err
			}
		case msg.ExtALPN:
			p, err := msg.ParseALPN(x.Data)
			if err != nil {
				return err
			}
			// RFC 7301 §3.1: exactly one protocol, one the client offered.
			if len(p) != 1 || !slices.Contains(c.cfg.ALPN, p[0]) {
				return alert.Faultf(alert.IllegalParameter, "bad extension")
			}
			c.st.ALPN = p[0]
		case msg.ExtSupportedGroups:
			if _, err := msg.ParseUint16List(x.Data); err != nil {
				return err
			}
		case msg.ExtRecordSizeLimit:
			n, err := msg.ParseRecordSizeLimit(x.Data)
			if err != nil {
				return err
			}
			c.limitWrites(int(n) - 1) // the limit counts the content type byte
		case msg.ExtEarlyData:
			// RFC 8446 §4.2.10: accepted early data, only for the first
			// PSK offered with it.
			if err := msg.ParseEmpty(x.Data); err != nil {
				return err
			}
			if !h.early {
				return alert.Faultf(alert.IllegalParameter, "bad extension")
			}
			c.st.EarlyData = EarlyDataAccepted
		case msg.ExtKeyShare, msg.ExtSupportedVersions, msg.ExtPreSharedKey, msg.ExtPSKKeyExchangeModes,
			msg.ExtSignatureAlgorithms, msg.ExtSignatureAlgorithmsCert, msg.ExtCookie, msg.ExtECPointFormats,
			msg.ExtSessionTicket, msg.ExtEncryptThenMAC, msg.ExtExtendedMasterSecret, msg.ExtPostHandshakeAuth:
			// post_handshake_auth is the client's alone (RFC 8446 §4.2.6).
			return alert.Faultf(alert.IllegalParameter, "bad extension")
		}
	}
	// RFC 8446 §4.2.10: a server takes early data only with the ALPN
	// protocol of the ticket. Taking it with another (or none) is
	// illegal_parameter "bad extension", as OpenSSL's client answers it.
	if c.st.EarlyData == EarlyDataAccepted && c.st.ALPN != c.cfg.Session.ALPN {
		return alert.Faultf(alert.IllegalParameter, "bad extension")
	}
	return nil
}

// sendCertificate13 answers a CertificateRequest (in the handshake or
// after it, with the request's context) with the identity that can make
// the first scheme of the server's list any can, and its
// CertificateVerify, or with an empty Certificate (RFC 8446 §4.4.2,
// §4.4.2.4). Both messages go into tr.
func (c *TLSConn) sendCertificate13(tr *keys.Transcript, context []byte, schemes []uint16) error {
	usable := func(s uint16) bool {
		return sig.Allowed13(s) && (c.cfg.ClientAuthSchemes == nil || slices.Contains(c.cfg.ClientAuthSchemes, s))
	}
	ids := c.clientIdentities()
	var id *Identity
	var scheme uint16
	if c.cfg.ClientIdentitiesInOwnOrder {
		// The first identity that can make any of the server's schemes.
		for i := range ids {
			for _, s := range schemes {
				if usable(s) && sig.Fits(s, ids[i].Key.Public()) {
					id, scheme = &ids[i], s
					break
				}
			}
			if id != nil {
				break
			}
		}
	}
	for _, s := range schemes {
		if id != nil {
			break
		}
		if !usable(s) {
			continue
		}
		for i := range ids {
			if sig.Fits(s, ids[i].Key.Public()) {
				id, scheme = &ids[i], s
				break
			}
		}
	}
	cm := &msg.Certificate{Context: context}
	if id != nil {
		for _, der := range id.Chain {
			cm.Entries = append(cm.Entries, msg.CertificateEntry{Data: der, Extensions: msg.Extensions{}})
		}
	}
	raw, err := cm.Marshal()
	if err != nil {
		return err
	}
	if err := c.writeHandshakeLocked(raw, tr); err != nil {
		return err
	}
	if id == nil {
		return nil
	}
	s, err := sig.Sign(c.rand(), scheme, id.Key, sig.Content13(false, tr.Sum()))
	if err != nil {
		return err
	}
	raw, err = (&msg.CertificateVerify{Scheme: scheme, Signature: s}).Marshal()
	if err != nil {
		return err
	}
	return c.writeHandshakeLocked(raw, tr)
}
