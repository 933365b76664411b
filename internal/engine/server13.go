package engine

import (
	"crypto/subtle"
	"crypto/x509"
	"io"
	"slices"
	"time"

	"github.com/tlskit/tlskit/internal/engine/alert"
	"github.com/tlskit/tlskit/internal/engine/keys"
	"github.com/tlskit/tlskit/internal/engine/kx"
	"github.com/tlskit/tlskit/internal/engine/msg"
	"github.com/tlskit/tlskit/internal/engine/sig"
	"github.com/tlskit/tlskit/internal/engine/suites"
)

// serverHS is the server's handshake in progress.
type serverHS struct {
	c      *TLSConn
	ch     *msg.ClientHello
	mfl    uint8 // the client's max_fragment_length, echoed
	tr     *keys.Transcript
	group  uint16
	peerKS []msg.KeyShare
	id     *Identity
	scheme uint16
	alpn   string
	early  bool // the client offered early data we are going to skip

	sigalgs  bool           // the client sent signature_algorithms
	psk      *pskOffer      // the PSK the handshake uses, if any
	pskSched *keys.Schedule // the schedule its binder was checked with
	pskIndex uint16
	pskOnly  bool // psk_ke: no (EC)DHE
	// lookup is what selectPSK made of the last ClientHello's tickets.
	lookup TicketLookup
	// staple is the OCSP response for the leaf's CertificateEntry.
	staple []byte
}

// serverHandshake runs RFC 8446 §2's full handshake from the server side,
// sending a HelloRetryRequest when no offered key share fits (§4.1.4).
func (c *TLSConn) serverHandshake() error {
	h := newServerHS(c)
	done, err := h.start()
	if done || err != nil {
		return err
	}
	return h.flight()
}

// newServerHS allocates a server handshake's state on the heap: kept in
// serverHandshake's frame it would sit under the flight's signature (see
// hello), which costs a goroutine more than its 176 bytes.
//
//go:noinline
func newServerHS(c *TLSConn) *serverHS {
	return &serverHS{c: c}
}

// start is serverHandshake up to the server's flight: it reads the
// ClientHello (and the second one after a HelloRetryRequest) and settles
// what the flight sends. done reports that the handshake ran to its end
// another way (TLS 1.2, or a stateless server's flight). Never inlined,
// so that its locals are not under the flight's signature (see hello).
//
//go:noinline
func (h *serverHS) start() (done bool, err error) {
	c := h.c
	if lo, hi := c.cfg.versionRange(); lo > hi {
		return false, alert.Faultf(alert.InternalError, "no protocols available")
	}
	m, err := c.readFirstHandshakeLocked(msg.TypeClientHello)
	if err != nil {
		return false, err
	}
	for first := true; ; first = false {
		if m.Type != msg.TypeClientHello {
			return false, alert.Faultf(alert.UnexpectedMessage, "unexpected message")
		}
		if first && c.v2Hello != nil {
			// Consumed: only a server's first record can hold one, so
			// the connection does not keep it.
			c.v2Hello = nil
			h.ch, err = msg.ParseV2ClientHello(m.Raw)
			if h.ch != nil && err != nil {
				// A cipher list error, which openssl reports under
				// the version it chose.
				if v, verr := c.cfg.serverVersion(h.ch); verr == nil {
					c.adoptRefusedVersion(v)
				}
			}
		} else {
			h.ch, err = msg.ParseClientHello(m.Body)
		}
		if err != nil {
			return false, err
		}
		if c.cfg.OnClientHello != nil {
			c.cfg.OnClientHello(h.ch)
		}
		if h.ch.Extensions.Has(msg.ExtUseSRTP) {
			// openssl 3.0 takes use_srtp for DTLS only: in a TLS
			// ClientHello it is illegal_parameter, whatever s_server's
			// -use_srtp (measured with s_client -use_srtp and
			// gnutls-cli --srtp-profiles, TLS 1.2 and 1.3).
			f := alert.Faultf(alert.IllegalParameter, "bad extension")
			f.Func = "tls_collect_extensions"
			return false, f
		}
		if hook := c.cfg.ClientHelloHook; hook != nil {
			if err := hook(h.ch); err != nil {
				return false, err
			}
		}
		v, err := c.cfg.serverVersion(h.ch)
		if err != nil {
			// openssl refuses the client's versions under its
			// legacy_version: the alert's record and its -msg line
			// carry it (measured with s_server -tls1_2 -msg: a -tls1_1
			// client's alert is "TLS 1.1", 03 02; a -tls1_3 client's
			// "TLS 1.2", 03 03).
			c.adoptRefusedVersion(h.ch.Version)
			return false, err
		}
		if err := c.serverNameLocked(h.ch, v); err != nil {
			return false, err
		}
		if v < VersionTLS13 {
			if !first {
				// The retry was TLS 1.3's: the client cannot go back.
				return false, alert.Faultf(alert.ProtocolVersion, "unsupported protocol")
			}
			return true, c.serverHandshake12(h.ch, m.Raw, v)
		}
		if err := h.negotiate(); err != nil {
			return false, err
		}
		if !c.cfg.Stateless {
			break
		}
		done, err := h.stateless(m.Raw, first)
		if err != nil {
			return false, err
		}
		if done {
			return true, h.flight()
		}
		if m, err = h.statelessRestart(); err != nil {
			return false, err
		}
	}
	if err := h.choosePSKAndGroup(m.Raw, nil); err != nil {
		return false, err
	}
	if !h.pskOnly && h.peerKS == nil {
		if err := h.helloRetry(m.Raw); err != nil {
			return false, err
		}
	} else {
		h.tr = keys.NewTranscript(c.suite.Hash)
		h.tr.Write(m.Raw)
	}
	return false, nil
}

// negotiate picks version, suite, group, certificate and ALPN from the
// ClientHello (RFC 8446 §4.1.1, §4.2).
// serverMaxFragmentLength takes a client's max_fragment_length (RFC 6066
// §4): a code 1–4 is accepted, applied from here on and echoed; any
// other value is illegal_parameter.
func serverMaxFragmentLength(c *TLSConn, d []byte) (uint8, error) {
	if len(d) != 1 || d[0] < 1 || d[0] > 4 {
		return 0, alert.Faultf(alert.IllegalParameter, "ssl3 ext invalid max fragment length")
	}
	c.useMaxFragmentLength(d[0])
	return d[0], nil
}

func (h *serverHS) negotiate() error {
	c, ch, cfg := h.c, h.ch, h.c.cfg
	c.st.ClientRandom = ch.Random
	c.st.SessionID = ch.SessionID
	d, ok := ch.Extensions.Find(msg.ExtSupportedVersions)
	if !ok {
		return alert.Faultf(alert.ProtocolVersion, "unsupported protocol")
	}
	vs, err := msg.ParseSupportedVersionsClient(d)
	if err != nil {
		return err
	}
	if !slices.Contains(vs, VersionTLS13) {
		return alert.Faultf(alert.ProtocolVersion, "unsupported protocol")
	}
	if ch.Version < 0x0300 {
		return alert.Faultf(alert.ProtocolVersion, "bad legacy version")
	}
	// RFC 8446 §4.1.2: a TLS 1.3 ClientHello offers null compression only.
	if len(ch.CompressionMethods) != 1 || ch.CompressionMethods[0] != 0 {
		return alert.Faultf(alert.IllegalParameter, "bad compression")
	}
	c.st.Version = VersionTLS13
	if d, ok := ch.Extensions.Find(msg.ExtMaxFragmentLength); ok {
		if h.mfl, err = serverMaxFragmentLength(c, d); err != nil {
			return err
		}
	}

	// certificate_authorities is checked before the suite is chosen, as
	// openssl parses every extension first (a TLS 1.2 server ignores it).
	if d, ok := ch.Extensions.Find(msg.ExtCertificateAuthorities); ok {
		if c.st.CANames, err = parseClientCANames(d); err != nil {
			return err
		}
	}

	// Suite: the client's order unless ServerPreference.
	mine := cfg.suites13()
	first, second := ch.CipherSuites, mine
	if cfg.ServerPreference {
		first, second = mine, ch.CipherSuites
	}
	// A server without certificates (s_server -nocert -psk) can only
	// finish with a PSK, so it takes the first suite whose hash one of
	// its PSKs is bound to, when the client offers PSKs: openssl s_server
	// -nocert -psk answers openssl s_client -psk's default list with
	// TLS_CHACHA20_POLY1305_SHA256 (measured), with a certificate with
	// TLS_AES_256_GCM_SHA384.
	pskHash := func(su suites.Suite13) bool { return true }
	if len(c.identities()) == 0 && len(cfg.PSKs) > 0 && ch.Extensions.Has(msg.ExtPreSharedKey) {
		pskHash = func(su suites.Suite13) bool {
			return slices.ContainsFunc(cfg.PSKs, func(p PSK) bool { return p.hash() == su.Hash })
		}
	}
	var chosen suites.Suite13
	for pass := 0; pass < 2 && chosen.ID == 0; pass++ {
		for _, s := range first {
			if slices.Contains(second, s) {
				if su, ok := suites.Lookup13(s); ok && (pass == 1 || pskHash(su)) {
					chosen = su
					break
				}
			}
		}
	}
	if chosen.ID != 0 {
		c.suite = chosen
	}
	if c.suite.ID == 0 {
		return alert.Faultf(alert.HandshakeFailure, "no shared cipher")
	}
	c.st.Suite = c.suite.ID

	// Signature scheme and identity (RFC 8446 §4.2.3, §4.4.2.2).
	// signature_algorithms is needed for a certificate handshake only
	// (RFC 8446 §4.2.3, checked in requireAuth).
	var peerSchemes []uint16
	if d, ok := ch.Extensions.Find(msg.ExtSignatureAlgorithms); ok {
		h.sigalgs = true
		if peerSchemes, err = msg.ParseUint16List(d); err != nil {
			return err
		}
	}
	c.st.PeerSignatureSchemes = peerSchemes
	h.chooseIdentity()

	// ALPN: the server's order wins; no overlap is fatal (RFC 7301 §3.2).
	if d, ok := ch.Extensions.Find(msg.ExtALPN); ok && len(cfg.ALPN) > 0 && !c.noALPN {
		offered, err := msg.ParseALPN(d)
		if err != nil {
			return err
		}
		for _, p := range cfg.ALPN {
			if slices.Contains(offered, p) {
				h.alpn = p
				break
			}
		}
		if h.alpn == "" {
			return alert.Faultf(alert.NoApplicationProtocol, "no application protocol")
		}
		c.st.ALPN = h.alpn
	}
	if ch.Extensions.Has(msg.ExtEarlyData) {
		h.early = true
	}
	return nil
}

// chooseIdentity takes the first of the client's signature schemes
// (RFC 8446 §4.2.3) that one of the identities can make, and that one.
func (h *serverHS) chooseIdentity() {
	c, cfg := h.c, h.c.cfg
	h.id, h.scheme = nil, 0
	for _, s := range c.st.PeerSignatureSchemes {
		if !sig.Allowed13(s) || (cfg.SignatureSchemes != nil && !slices.Contains(cfg.SignatureSchemes, s)) {
			continue
		}
		ids := c.identities()
		for i := range ids {
			if sig.Fits(s, ids[i].Key.Public()) {
				h.id, h.scheme = &ids[i], s
				return
			}
		}
	}
}

// certificateHook asks Config.CertificateHook for the identities of a
// handshake that resumes nothing, and chooses among them again.
func (h *serverHS) certificateHook() error {
	if h.c.cfg.CertificateHook == nil || h.psk != nil {
		return nil
	}
	if err := h.c.askCertificateHook(h.ch, VersionTLS13); err != nil {
		return err
	}
	h.chooseIdentity()
	return nil
}

// choosePSKAndGroup picks the PSK (verifying its binder) and, unless the
// handshake goes without (EC)DHE, the key share; without a PSK the
// server must be able to authenticate with a certificate.
func (h *serverHS) choosePSKAndGroup(raw, prefix []byte) error {
	if err := h.selectPSK(raw, prefix); err != nil {
		return err
	}
	if err := h.certificateHook(); err != nil {
		return err
	}
	if h.psk == nil {
		if !h.sigalgs {
			return alert.Faultf(alert.MissingExtension, "missing sigalgs extension")
		}
		if h.id == nil {
			return alert.Faultf(alert.HandshakeFailure, "no suitable signature algorithm")
		}
	}
	if h.pskOnly {
		return nil
	}
	return h.chooseGroup()
}

// selectPSK takes the first offered PSK the server knows for the
// suite's hash, after checking its binder in constant time (RFC 8446
// §4.2.11.2: a wrong binder is decrypt_error). raw is the whole
// ClientHello; prefix the transcript before it after a retry.
func (h *serverHS) selectPSK(raw, prefix []byte) error {
	c, ch := h.c, h.ch
	h.psk, h.pskSched, h.pskOnly, h.lookup = nil, nil, false, TicketNotOffered
	d, ok := ch.Extensions.Find(msg.ExtPreSharedKey)
	if !ok {
		return nil
	}
	md, ok := ch.Extensions.Find(msg.ExtPSKKeyExchangeModes)
	if !ok {
		// RFC 8446 §4.2.9.
		return alert.Faultf(alert.MissingExtension, "missing psk kex modes extension")
	}
	modes, err := msg.ParseUint8List(md)
	if err != nil {
		return err
	}
	offered, err := msg.ParseOfferedPSKs(d)
	if err != nil {
		return err
	}
	dhe := slices.Contains(modes, 1)
	ke := slices.Contains(modes, 0) && c.cfg.AllowNoDHE
	h.lookup = TicketNotLookedUp
	if !dhe && !ke {
		return nil
	}
	truncated := raw[:len(raw)-offered.BindersLen()]
	for i, id := range offered.Identities {
		p, ok, looked := h.resolvePSK(id)
		if looked {
			h.lookup = TicketNotFound
		}
		if !ok {
			continue
		}
		want, sched := binderSchedule(p, prefix, truncated)
		if subtle.ConstantTimeCompare(offered.Binders[i], want) != 1 {
			return alert.Faultf(alert.DecryptError, "binder does not verify")
		}
		h.psk, h.pskSched, h.pskIndex, h.pskOnly = &p, sched, uint16(i), !dhe
		h.lookup = TicketFound
		if p.external {
			h.lookup = TicketNotOffered
		}
		return nil
	}
	return nil
}

// resolvePSK finds the key behind an offered identity: an external PSK
// of that identity, or a ticket this server sealed and that is still
// valid; either bound to the chosen suite's hash. looked reports an
// identity a server keeping its tickets in a cache would have looked up
// there: one this server sealed, or one a session ID's length (OpenSSL's
// stateful tickets are its 32-byte session IDs: openssl s_server 3.0 under
// anti-replay or -no_ticket counts a cache miss for an unknown identity
// of 32 bytes, and none for one of 1, 31, 33 or 64 bytes, measured).
func (h *serverHS) resolvePSK(id msg.PSKIdentity) (p pskOffer, ok, looked bool) {
	c := h.c
	for _, p := range c.cfg.PSKs {
		if string(p.Identity) == string(id.Identity) && p.hash() == c.suite.Hash {
			return pskOffer{identity: p.Identity, key: p.Key, hash: p.hash(), external: true,
				lifetime: externalPSKLifetime}, true, false
		}
	}
	t, err := c.openTicket(id.Identity)
	if err != nil {
		return pskOffer{}, false, len(id.Identity) == sessionIDLen
	}
	s, ok := suites.Lookup13(t.suite)
	if !ok || s.Hash != c.suite.Hash {
		return pskOffer{}, false, true
	}
	life := time.Duration(t.lifetime) * time.Second
	if age := c.now().Sub(t.created); age < 0 || age > life {
		return pskOffer{}, false, true
	}
	if string(t.sidCtx) != string(c.cfg.sessionContext()) {
		// A ticket of another session ID context is not resumed, as
		// OpenSSL checks sid_ctx.
		return pskOffer{}, false, true
	}
	if c.cfg.NoSessionCache && (c.cfg.StatefulTickets || c.cfg.AntiReplay != nil) {
		// OpenSSL looks a ticket it keeps in its cache up in the cache
		// it does not have: a miss (measured with openssl s_server 3.0
		// -no_cache and -no_ticket or -early_data).
		return pskOffer{}, false, true
	}
	if l := c.cfg.AntiReplay; l != nil && !l.firstUse(id.Identity, c.now(), t.created.Add(life)) {
		// RFC 8446 §8.1: a ticket resumes once; a replay gets a full
		// handshake, as OpenSSL's anti-replay gives it. The first
		// ClientHello of a retried handshake uses its ticket up too, so
		// the second one offering it again gets a full handshake, as
		// from openssl s_server 3.0 -early_data (measured).
		return pskOffer{}, false, true
	}
	return pskOffer{identity: id.Identity, key: t.psk, hash: s.Hash, suite: t.suite,
		maxEarly: t.maxEarly, alpn: t.alpn, lifetime: t.lifetime,
		ageOK: ticketAgeOK(id.Age, t.ageAdd, t.created, c.now())}, true, true
}

// chooseGroup takes the first offered key share in a group the server
// supports; without one it picks a group for a HelloRetryRequest.
func (h *serverHS) chooseGroup() error {
	ch, cfg := h.ch, h.c.cfg
	d, ok := ch.Extensions.Find(msg.ExtSupportedGroups)
	if !ok {
		return alert.Faultf(alert.MissingExtension, "missing supported groups")
	}
	groups, err := msg.ParseUint16List(d)
	if err != nil {
		return err
	}
	d, ok = ch.Extensions.Find(msg.ExtKeyShare)
	if !ok {
		return alert.Faultf(alert.MissingExtension, "missing key share")
	}
	shares, err := msg.ParseKeyShareClient(d)
	if err != nil {
		return err
	}
	mine := cfg.groups()
	for _, ks := range shares {
		// RFC 8446 §4.2.8: each share must be in supported_groups.
		if !slices.Contains(groups, ks.Group) {
			return alert.Faultf(alert.IllegalParameter, "bad key share")
		}
	}
	for _, ks := range shares {
		if slices.Contains(mine, ks.Group) && kx.Supported(ks.Group) {
			h.group, h.peerKS = ks.Group, []msg.KeyShare{ks}
			return nil
		}
	}
	first, second := groups, mine
	if cfg.ServerPreference {
		first, second = mine, groups
	}
	for _, g := range first {
		if slices.Contains(second, g) && kx.Supported(g) {
			h.group = g
			return nil
		}
	}
	return alert.Faultf(alert.HandshakeFailure, "no suitable key share")
}

func (h *serverHS) serverHelloExts(hrr bool) msg.Extensions {
	e := msg.Extensions{{Type: msg.ExtSupportedVersions, Data: msg.MarshalUint16(VersionTLS13)}}
	if hrr {
		return append(e, msg.Extension{Type: msg.ExtKeyShare, Data: msg.MarshalKeyShareHRR(h.group)})
	}
	return e
}

// helloRetry sends a HelloRetryRequest and reads the second ClientHello
// (RFC 8446 §4.1.4, §4.4.1).
func (h *serverHS) helloRetry(ch1 []byte) error {
	c := h.c
	// Nothing may follow the first ClientHello in its record: openssl
	// s_server 3.0 answers a part of the second one there with
	// unexpected_message "not on record boundary" before any
	// HelloRetryRequest (measured). Without a retry the key change after
	// the ClientHello checks it (setReadKey, RFC 8446 §5.1).
	if c.hs.Pending() {
		return alert.Faultf(alert.UnexpectedMessage, "not on record boundary")
	}
	c.st.HelloRetry = true
	h.tr = keys.RestartAfterHRR(c.suite.Hash, ch1)
	hrr := &msg.ServerHello{Version: VersionTLS12, Random: msg.HelloRetryRandom, SessionID: h.ch.SessionID,
		CipherSuite: c.suite.ID, Extensions: h.serverHelloExts(true)}
	raw, err := hrr.Marshal()
	if err != nil {
		return err
	}
	if err := c.writeHandshakeLocked(raw, h.tr); err != nil {
		return err
	}
	if len(h.ch.SessionID) > 0 {
		if err := c.sendCCSLocked(); err != nil {
			return err
		}
	}
	// Early data sent before the retry arrives in the clear as
	// application data: skip it (RFC 8446 §4.2.10).
	if h.early {
		c.skipAppLeft = earlySkipLimit
	}
	m, err := c.readHandshakeLocked()
	c.skipAppLeft = 0
	if err != nil {
		return err
	}
	if m.Type != msg.TypeClientHello {
		return alert.Faultf(alert.UnexpectedMessage, "unexpected message")
	}
	ch2, err := msg.ParseClientHello(m.Body)
	if err != nil {
		return err
	}
	if c.cfg.OnClientHello != nil {
		c.cfg.OnClientHello(ch2)
	}
	if hook := c.cfg.ClientHelloHook; hook != nil {
		if err := hook(ch2); err != nil {
			return err
		}
	}
	// The second ClientHello must answer the retry: same suites and
	// session, exactly one share, in the group asked for; no early data.
	if !slices.Equal(ch2.CipherSuites, h.ch.CipherSuites) || string(ch2.SessionID) != string(h.ch.SessionID) ||
		ch2.Extensions.Has(msg.ExtEarlyData) {
		return alert.Faultf(alert.IllegalParameter, "bad ClientHello after retry")
	}
	d, ok := ch2.Extensions.Find(msg.ExtKeyShare)
	if !ok {
		return alert.Faultf(alert.MissingExtension, "missing key share")
	}
	shares, err := msg.ParseKeyShareClient(d)
	if err != nil {
		return err
	}
	if len(shares) != 1 || shares[0].Group != h.group {
		return alert.Faultf(alert.IllegalParameter, "bad key share")
	}
	if h.early {
		c.st.EarlyData = EarlyDataRejected
	}
	c.st.FirstHelloTicket = h.lookup
	h.ch, h.peerKS, h.early = ch2, shares, false
	d1 := c.suite.Hash.New()
	d1.Write(ch1)
	prefix := append([]byte{byte(msg.TypeMessageHash), 0, 0, byte(c.suite.Hash.Size())}, d1.Sum(nil)...)
	prefix = append(prefix, raw...)
	if err := h.selectPSK(m.Raw, prefix); err != nil {
		return err
	}
	if err := h.certificateHook(); err != nil {
		return err
	}
	if h.psk == nil && h.id == nil {
		return alert.Faultf(alert.HandshakeFailure, "no suitable signature algorithm")
	}
	h.pskOnly = false // the retry asked for a key share
	h.tr.Write(m.Raw)
	return nil
}

// flight sends ServerHello through Finished, then reads the client's
// second flight.
func (h *serverHS) flight() error {
	cHS, sHS, early, err := h.hello()
	if err != nil {
		return err
	}
	if h.psk == nil {
		// Certificate and CertificateVerify, each from this frame: the
		// signature is the handshake's deepest call path (see hello).
		if err := h.certificate(); err != nil {
			return err
		}
		if err := h.certificateVerify(); err != nil {
			return err
		}
	}
	return h.finish(cHS, sHS, early)
}

// finish is flight's last part: the server's Finished, the application
// keys, the client's flight and the tickets. Apart from flight, never
// inlined, for hello's reason.
//
//go:noinline
func (h *serverHS) finish(cHS, sHS []byte, early bool) error {
	c := h.c
	raw, err := msg.Frame(msg.TypeFinished, keys.FinishedMAC(c.suite.Hash, sHS, h.tr.Sum()))
	if err != nil {
		return err
	}
	if err := c.writeHandshakeLocked(raw, h.tr); err != nil {
		return err
	}
	cAP, sAP := c.appSecrets13(h.tr.Sum())
	if err := c.setWriteKey(sAP); err != nil {
		return err
	}
	if early {
		c.st.EarlyData = EarlyDataAccepted
		e := h.newServerEarly(cHS, cAP)
		if c.pauseEarly {
			// ReadEarlyData takes it from here.
			c.early = e
			return nil
		}
		return e.finish()
	}
	return h.afterEarly(cHS, cAP)
}

// afterEarly is the handshake after the server's Finished and the
// client's 0-RTT data: the client's flight, the application read key and
// the tickets.
func (h *serverHS) afterEarly(cHS, cAP []byte) error {
	c := h.c
	if err := h.clientFlight(cHS); err != nil {
		return err
	}
	c.rl.SkipUndecryptable = 0
	if err := c.setReadKey(cAP); err != nil {
		return err
	}
	if c.cfg.NumTickets >= 0 {
		return c.sendTicketsLocked()
	}
	return nil
}

// hello is flight's first part: the ServerHello, the handshake keys and
// EncryptedExtensions. It returns the client's and the server's
// handshake traffic secrets and whether early data was accepted. It is
// a function of its own, never inlined, so that its locals are not in
// the frame under the Certificate and its signature, the deepest call
// path of a handshake: with them there a server connection's goroutine
// outgrew an 8 KiB stack.
//
//go:noinline
func (h *serverHS) hello() ([]byte, []byte, bool, error) {
	c := h.c
	var pub, shared []byte
	var err error
	if h.psk == nil && h.id != nil {
		// Asked as the ClientHello is settled, before the ServerHello,
		// as OpenSSL runs its status callback: a failure is an alert
		// in the clear.
		if h.staple, err = c.stapleFor(h.ch, h.id.Chain); err != nil {
			return nil, nil, false, err
		}
	}
	if !h.pskOnly {
		if pub, shared, err = kx.Respond(h.group, h.peerKS[0].Data); err != nil {
			return nil, nil, false, err
		}
		c.st.Group = h.group
	}
	random := make([]byte, 32)
	if _, err := io.ReadFull(c.rand(), random); err != nil {
		return nil, nil, false, err
	}
	c.st.ServerRandom = random
	exts := h.serverHelloExts(false)
	if !h.pskOnly {
		exts = append(exts, msg.Extension{Type: msg.ExtKeyShare,
			Data: msg.MarshalKeyShareServer(msg.KeyShare{Group: h.group, Data: pub})})
	}
	c.st.SessionLifetime = ticketLifetime * time.Second
	c.st.HelloTicket = h.lookup
	if h.psk != nil {
		exts = append(exts, msg.Extension{Type: msg.ExtPreSharedKey, Data: msg.MarshalUint16(h.pskIndex)})
		c.st.Resumed, c.st.PSKIdentity, c.st.ExternalPSK = true, h.psk.identity, h.psk.external
		c.st.SessionLifetime = time.Duration(h.psk.lifetime) * time.Second
	}
	early := h.acceptEarly()
	// With a PSK the schedule starts from its Early Secret, as the
	// binder's did (RFC 8446 §7.1): that schedule, made with the suite's
	// hash (resolvePSK takes no PSK of another), goes on with no second
	// extraction. Without one it starts from zeros.
	sched := h.pskSched
	if sched == nil {
		sched = keys.NewSchedule(c.suite.Hash, nil)
	}
	var earlySecret []byte
	if early {
		// client_early_traffic_secret over the ClientHello (RFC 8446 §7.1).
		earlySecret = sched.ClientEarlyTrafficSecret(h.tr.Sum())
		c.keyLog("CLIENT_EARLY_TRAFFIC_SECRET", earlySecret)
	}
	sh := &msg.ServerHello{Version: VersionTLS12, Random: random, SessionID: h.ch.SessionID,
		CipherSuite: c.suite.ID, Extensions: exts}
	raw, err := sh.Marshal()
	if err != nil {
		return nil, nil, false, err
	}
	c.rl.WriteVersion = VersionTLS12
	if err := c.writeHandshakeLocked(raw, h.tr); err != nil {
		return nil, nil, false, err
	}
	if len(h.ch.SessionID) > 0 {
		// Appendix D.4: the compatibility CCS after the first message.
		if err := c.sendCCSLocked(); err != nil {
			return nil, nil, false, err
		}
	}
	c.sched = sched
	c.sched.SetShared(shared)
	th := h.tr.Sum()
	cHS := c.sched.ClientHandshakeTrafficSecret(th)
	sHS := c.sched.ServerHandshakeTrafficSecret(th)
	// openssl 3.0's server order: its own secret first.
	c.keyLog("SERVER_HANDSHAKE_TRAFFIC_SECRET", sHS)
	c.keyLog("CLIENT_HANDSHAKE_TRAFFIC_SECRET", cHS)
	if err := c.setWriteKey(sHS); err != nil {
		return nil, nil, false, err
	}
	readKey := cHS
	if early {
		readKey = earlySecret
	}
	if err := c.setReadKey(readKey); err != nil {
		return nil, nil, false, err
	}
	// The client may still answer ServerHello with a clear alert.
	c.rl.AllowPlainAlerts = true
	if h.early && !early {
		c.st.EarlyData = EarlyDataRejected
		// Early data we did not accept fails to decrypt under the
		// handshake key: skip up to the usual limit (RFC 8446 §4.2.10).
		c.rl.SkipUndecryptable = earlySkipLimit
	}

	// OpenSSL sends serverinfo extensions first.
	ee := append(msg.Extensions{}, c.serverInfoExts(h.id, h.ch, VersionTLS13, ExtContextTLS13EncryptedExtensions, h.psk != nil)...)
	// RFC 6066 §3: no server_name acknowledgement when resuming.
	if c.sniAck && (h.psk == nil || h.psk.external) {
		ee = append(ee, msg.Extension{Type: msg.ExtServerName, Data: []byte{}})
	}
	if h.mfl != 0 {
		ee = append(ee, msg.Extension{Type: msg.ExtMaxFragmentLength, Data: []byte{h.mfl}})
	}
	if gs := c.cfg.groups(); !h.pskOnly && len(gs) > 0 && gs[0] != h.group {
		// RFC 8446 §4.2.7: a server may tell the client the groups it
		// prefers, for later connections. OpenSSL 3.0 does, all of
		// them, when the key share it took is not of its first group.
		ee = append(ee, msg.Extension{Type: msg.ExtSupportedGroups, Data: msg.MarshalUint16List(gs)})
	}
	if h.alpn != "" {
		ee = append(ee, msg.Extension{Type: msg.ExtALPN, Data: msg.MarshalALPN([]string{h.alpn})})
	}
	if early {
		ee = append(ee, msg.Extension{Type: msg.ExtEarlyData, Data: []byte{}})
	}
	if raw, err = (&msg.EncryptedExtensions{Extensions: ee}).Marshal(); err != nil {
		return nil, nil, false, err
	}
	if err := c.writeHandshakeLocked(raw, h.tr); err != nil {
		return nil, nil, false, err
	}
	return cHS, sHS, early, nil
}

// certificateVerify signs the transcript and sends CertificateVerify.
func (h *serverHS) certificateVerify() error {
	c := h.c
	signature, err := sig.Sign(c.rand(), h.scheme, h.id.Key, h.signedContent())
	if err != nil {
		return err
	}
	return h.sendCertificateVerify(signature)
}

// signedContent is what CertificateVerify signs (RFC 8446 §4.4.3).
// It and sendCertificateVerify are apart from certificateVerify, and
// never inlined, so that their locals are not in the frame under the
// signature (see hello).
//
//go:noinline
func (h *serverHS) signedContent() []byte {
	return sig.Content13(true, h.tr.Sum())
}

//go:noinline
func (h *serverHS) sendCertificateVerify(signature []byte) error {
	raw, err := (&msg.CertificateVerify{Scheme: h.scheme, Signature: signature}).Marshal()
	if err != nil {
		return err
	}
	return h.c.writeHandshakeLocked(raw, h.tr)
}

// certificate sends [CertificateRequest] and Certificate.
// Never inlined, so that its locals are not in the frame under the
// signature, the deepest call path of a handshake (see hello).
//
//go:noinline
func (h *serverHS) certificate() error {
	c := h.c
	var raw []byte
	var err error
	if c.cfg.RequestClientCert || c.cfg.RequireClientCert {
		// RFC 8446 §4.3.2: an empty context in the handshake.
		cr, err := c.certificateRequest13([]byte{})
		if err != nil {
			return err
		}
		if raw, err = cr.Marshal(); err != nil {
			return err
		}
		if err := c.writeHandshakeLocked(raw, h.tr); err != nil {
			return err
		}
	}
	cm := &msg.Certificate{Context: []byte{}}
	c.st.LocalChain = h.id.Chain
	for _, der := range h.id.Chain {
		cm.Entries = append(cm.Entries, msg.CertificateEntry{Data: der, Extensions: msg.Extensions{}})
	}
	// The leaf's entry carries the serverinfo extensions for the
	// Certificate (signed_certificate_timestamp, RFC 6962 §3.3), first
	// as in OpenSSL, then the staple (RFC 8446 §4.4.2.1).
	leafExts := append(msg.Extensions{}, c.serverInfoExts(h.id, h.ch, VersionTLS13, ExtContextTLS13Certificate, false)...)
	if len(h.staple) > 0 {
		status := msg.MarshalCertificateStatus(h.staple)
		if len(status) > 0xffff {
			// An extension body holds 2^16-1 bytes at most (RFC 8446
			// §4.2). openssl 3.0 fails building it (measured with a
			// 70653-byte -status_file): internal_error, its error line
			// from tls_construct_stoc_status_request. TLS 1.2's
			// CertificateStatus message has room for it.
			f := alert.Faultf(alert.InternalError, "internal error")
			f.Func = "tls_construct_stoc_status_request"
			return f
		}
		leafExts = append(leafExts, msg.Extension{Type: msg.ExtStatusRequest, Data: status})
	}
	cm.Entries[0].Extensions = leafExts
	if raw, err = cm.Marshal(); err != nil {
		return err
	}
	if err := c.writeHandshakeLocked(raw, h.tr); err != nil {
		return err
	}
	return nil
}

// earlySkipLimit bounds the early data a server skips: OpenSSL's default
// max_early_data (16384) plus record overhead.
const earlySkipLimit = 16384 + 256

// clientFlight reads [Certificate, CertificateVerify] and Finished.
func (h *serverHS) clientFlight(cHS []byte) error {
	c := h.c
	m, err := c.readHandshakeLocked()
	if err != nil {
		return err
	}
	c.rl.SkipUndecryptable = 0
	if (c.cfg.RequestClientCert || c.cfg.RequireClientCert) && h.psk == nil {
		if m.Type != msg.TypeCertificate {
			return alert.Faultf(alert.UnexpectedMessage, "unexpected message")
		}
		cert, err := msg.ParseCertificate(m.Body)
		if err != nil {
			return err
		}
		if len(cert.Context) != 0 {
			return alert.Faultf(alert.IllegalParameter, "invalid context")
		}
		h.tr.Write(m.Raw)
		if len(cert.Entries) == 0 {
			if c.cfg.RequireClientCert {
				// RFC 8446 §4.4.2.4; OpenSSL: "peer did not return a
				// certificate".
				return alert.Faultf(alert.CertificateRequired, "peer did not return a certificate")
			}
		} else {
			if err := clientEntryExtensions(cert); err != nil {
				return err
			}
			for _, e := range cert.Entries {
				c.st.PeerChain = append(c.st.PeerChain, e.Data)
			}
			leaf, err := x509.ParseCertificate(cert.Entries[0].Data)
			if err != nil {
				// decode_error "ASN1 lib", as openssl s_server 3.0.
				return alert.Faultf(alert.DecodeError, "ASN1 lib")
			}
			leafKey, err := sig.PublicKey(leaf)
			if err != nil {
				return alert.Faultf(alert.UnsupportedCertificate, "unsupported certificate")
			}
			// Judged as it arrives, before the CertificateVerify, as
			// openssl s_server does.
			if err := c.judgeChain(c.st.PeerChain); err != nil {
				return err
			}
			if m, err = c.readHandshakeLocked(); err != nil {
				return err
			}
			if m.Type != msg.TypeCertificateVerify {
				return alert.Faultf(alert.UnexpectedMessage, "unexpected message")
			}
			cv, err := msg.ParseCertificateVerify(m.Body)
			if err != nil {
				return err
			}
			if !slices.Contains(c.cfg.clientAuthSchemes(sig.Default13), cv.Scheme) || !sig.Allowed13(cv.Scheme) {
				return alert.Faultf(alert.IllegalParameter, "wrong signature type")
			}
			if err := sig.Verify(cv.Scheme, leafKey, sig.Content13(false, h.tr.Sum()), cv.Signature); err != nil {
				return err
			}
			c.st.PeerSignatureScheme = cv.Scheme
			h.tr.Write(m.Raw)
		}
		if m, err = c.readHandshakeLocked(); err != nil {
			return err
		}
	}
	if m.Type != msg.TypeFinished {
		return alert.Faultf(alert.UnexpectedMessage, "unexpected message")
	}
	fin, err := msg.ParseFinished(m.Body, c.suite.Hash.Size())
	if err != nil {
		return err
	}
	if subtle.ConstantTimeCompare(fin, keys.FinishedMAC(c.suite.Hash, cHS, h.tr.Sum())) != 1 {
		return alert.Faultf(alert.DecryptError, "digest check failed")
	}
	h.tr.Write(m.Raw)
	c.resSec = c.sched.ResumptionMasterSecret(h.tr.Sum())
	c.hsTr = h.tr
	// RFC 8446 §4.6.2: the (last) ClientHello's offer.
	c.peerPHA = h.ch.Extensions.Has(msg.ExtPostHandshakeAuth)
	return nil
}

// clientEntryExtensions checks a client Certificate's entry extensions:
// they must answer extensions of the CertificateRequest (RFC 8446
// §4.4.2), which asks for none an entry could answer, so any is
// unsupported_extension "unsolicited extension" (§4.2), as openssl
// s_server 3.0 answers an OCSP response there (measured).
func clientEntryExtensions(cert *msg.Certificate) error {
	for _, e := range cert.Entries {
		if len(e.Extensions) > 0 {
			return alert.Faultf(alert.UnsupportedExtension, "unsolicited extension")
		}
	}
	return nil
}

// appSecrets13 derives, from the transcript hash through the server's
// Finished, both sides' first application traffic secrets and the
// exporter master secret (RFC 8446 §7.1), and logs them for SSLKEYLOGFILE
// in openssl 3.0's order: the exporter, the server's secret, and on a
// server the client's (a client logs its own when its Finished is out).
func (c *TLSConn) appSecrets13(th []byte) (cAP, sAP []byte) {
	cAP = c.sched.ClientAppTrafficSecret(th)
	sAP = c.sched.ServerAppTrafficSecret(th)
	c.expSec = c.sched.ExporterMasterSecret(th)
	c.keyLog("EXPORTER_SECRET", c.expSec)
	c.keyLog("SERVER_TRAFFIC_SECRET_0", sAP)
	if !c.isClient {
		c.keyLog("CLIENT_TRAFFIC_SECRET_0", cAP)
	}
	return cAP, sAP
}
