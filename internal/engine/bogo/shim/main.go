// Command shim is tlskit's shim for BoringSSL's TLS test runner (BoGo,
// ssl/test/runner): the runner starts it once per test with the test's
// flags; it connects back to the runner, runs tlskit's engine as the
// client or the server, and echoes the runner's messages inverted. It
// exits 89 for a flag or feature the engine does not have, so the runner
// counts the test as unimplemented rather than failed.
//
// It is test-only: nothing in cmd/tlskit imports it.
package main

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"encoding/binary"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tlskit/tlskit/internal/engine"
	"github.com/tlskit/tlskit/internal/engine/alert"
	"github.com/tlskit/tlskit/internal/engine/kx"
	"github.com/tlskit/tlskit/internal/engine/msg"
	"github.com/tlskit/tlskit/internal/engine/sig"
	"github.com/tlskit/tlskit/internal/engine/suites"
	"github.com/tlskit/tlskit/internal/tlsnames"
)

func main() { os.Exit(run(os.Args[1:])) }

// shimInitialWrite is what -shim-writes-first writes (the runner's
// shimInitialWrite).
const shimInitialWrite = "hello"

// Exit codes the runner understands.
const (
	exitOK            = 0
	exitFailed        = 1
	exitUnimplemented = 89
)

func run(args []string) int {
	if slices.Contains(args, "-is-handshaker-supported") {
		// The runner asks whether to add its split-handshake tests.
		fmt.Println("No")
		return exitOK
	}
	cl, err := parseArgs(args)
	if err == nil {
		err = runAll(cl)
	}
	if errors.Is(err, errUnimplemented) {
		fmt.Fprintln(os.Stderr, err)
		return exitUnimplemented
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return exitFailed
	}
	return exitOK
}

// runAll makes the first connection and resume-count resumptions, each
// client offering the last ticket the previous connection received.
func runAll(cl *cmdline) error {
	var session *engine.Ticket
	// BoringSSL keeps the peer's signature algorithm in the session and
	// reports it again on resumption; the engine's State reports it for
	// the handshake that saw it, so the shim carries it over.
	var sessionPeerSig uint16
	// The same for the key exchange group of a TLS 1.2 session, which
	// BoringSSL reports again on resumption.
	var sessionGroup uint16
	// A TLS 1.0-1.2 session the next client connection offers.
	var session12 *engine.Session12
	start := time.Now()
	for i := 0; i <= cl.resumeCount; i++ {
		o := &cl.initial
		if i > 0 {
			o = &cl.resume
		}
		cfg, err := o.config(session, i > 0)
		if err != nil {
			return err
		}
		if d := cl.resume.resumeDelay; d != 0 {
			// -resumption-delay: a clock frozen at the start, moved on
			// by the delay for resumptions, so a ticket's age is exactly
			// the delay, as the runner checks it.
			at := start
			if i > 0 {
				at = at.Add(time.Duration(d) * time.Second)
			}
			cfg.Time = func() time.Time { return at }
		}
		if i > 0 && !o.server {
			cfg.Session12 = session12
		}
		cl.verify = verifyRecord{}
		vo := o
		if cfg.EarlyData != nil {
			// A certificate after an offer of early data means the
			// offer was rejected: BoringSSL verifies it under the
			// retry flags.
			vo = &cl.retry
		}
		vo.hookVerify(cfg, &cl.verify)
		tickets, err := runConn(cl, o, cfg, i > 0, &sessionPeerSig, &sessionGroup, &session12)
		if err != nil {
			return err
		}
		if len(tickets) > 0 && !o.noTicket {
			t := tickets[len(tickets)-1]
			session = &t
		}
	}
	return nil
}

// config builds the engine's configuration for one connection.
func (o *options) config(session *engine.Ticket, resuming bool) (*engine.Config, error) {
	// The runner reads a client's alert after ServerHello with the
	// client's handshake key (a clear one is bad_record_mac to it).
	cfg := &engine.Config{Session: session, ServerPreference: o.serverPref, AlertsUnderHandshakeKey: true}
	if o.minVersion > int(engine.VersionTLS13) || (o.maxVersion != 0 && o.maxVersion < int(engine.VersionTLS10)) {
		return nil, fmt.Errorf("%w: version range %#x-%#x", errUnimplemented, o.minVersion, o.maxVersion)
	}
	// TLS 1.0-1.3 unless the flags narrow it.
	lo, hi, ok := o.versionRange()
	if !ok {
		// Every version switched off: the engine refuses an empty range
		// with "no protocols available", as openssl does.
		lo, hi = int(engine.VersionTLS13), int(engine.VersionTLS12)
	}
	cfg.MinVersion, cfg.MaxVersion = uint16(lo), uint16(hi)
	cfg.NoTicket = o.noTicket
	cfg.RequireSecureRenegotiation = o.noLegacyServerConnect
	if o.server && (o.expectNoOfferEarly || o.expectTicketEarly) {
		return nil, fmt.Errorf("%w: a server's -expect-no-offer-early-data or -expect-ticket-supports-early-data", errUnimplemented)
	}
	if o.server && o.enableEarly {
		// openssl s_server -early_data -max_early_data 14336: tickets
		// allowing BoringSSL's server's 14336 bytes, 0-RTT data read
		// and held to it (openssl 3.0 answers more than its ticket
		// allowed with unexpected_message, measured with 14337 bytes
		// sent under such a ticket).
		cfg.AcceptEarlyData = true
		cfg.MaxEarlyData = 14336
	}
	if !o.server && o.ticketCB {
		return nil, fmt.Errorf("%w: a client's -use-ticket-callback", errUnimplemented)
	}
	if !o.server && (o.expectSessionID || o.expectNoSessionID) {
		// A client's ticket session has the ID BoringSSL makes up for it.
		return nil, fmt.Errorf("%w: a client's -expect-session-id", errUnimplemented)
	}
	if o.cipher != "" {
		l, err := suites12(o.cipher)
		if err != nil {
			return nil, err
		}
		cfg.Suites12 = l
	}
	for _, g := range append(slices.Clone(o.curves), o.keyShares...) {
		if !kx.Supported(g) {
			return nil, fmt.Errorf("%w: group %#04x", errUnimplemented, g)
		}
	}
	if o.curves != nil {
		cfg.Groups = o.curves
	}
	if o.keyShares != nil {
		cfg.KeyShares = o.keyShares
	}
	if o.noKeyShares {
		cfg.KeyShares = []uint16{}
	}
	for _, s := range append(slices.Clone(o.verifyPrefs), o.signingPrefs...) {
		if strings.HasPrefix(sig.Name(s), "0x") {
			// A scheme the engine does not know (MD5-SHA1, ML-DSA)
			// cannot be put in its lists.
			return nil, fmt.Errorf("%w: signature scheme %#04x", errUnimplemented, s)
		}
	}
	// BoringSSL's signing preferences choose this side's own signatures,
	// its verifying ones what it accepts from the peer. On a client the
	// latter is signature_algorithms (-sigalgs) and the former the
	// engine's ClientAuthSchemes (what it signs CertificateVerify with);
	// on a server signature_algorithms chooses its own signature and
	// ClientAuthSchemes (-client_sigalgs) is what its CertificateRequest
	// lists and the client's CertificateVerify may use.
	if o.server {
		cfg.SignatureSchemes, cfg.ClientAuthSchemes = o.signingPrefs, o.verifyPrefs
	} else {
		cfg.SignatureSchemes, cfg.ClientAuthSchemes = o.verifyPrefs, o.signingPrefs
	}
	// BoringSSL tries its credentials in order, then the default one:
	// the engine uses the first identity that fits (a client too, in
	// place of openssl's walk of the server's schemes).
	cfg.ClientIdentitiesInOwnOrder = true
	for _, cr := range o.creds {
		id, err := loadIdentity(cr.cert, cr.key)
		if err != nil {
			return nil, err
		}
		cfg.Identities = append(cfg.Identities, withSCT(id, cr.sct))
	}
	if o.certFile != "" || o.keyFile != "" {
		id, err := loadIdentity(o.certFile, o.keyFile)
		if err != nil {
			return nil, err
		}
		cfg.Identities = append(cfg.Identities, withSCT(id, o.sct))
	}
	o.configCallbacks(cfg)
	o.configPSK12(cfg)
	cfg.FallbackSCSV = o.fallbackSCSV
	cfg.MaxSendFragment = o.maxSendFragment
	cfg.MaxCertList = o.maxCertList
	if o.server {
		o.stapleOCSP(cfg)
	} else {
		if o.enableEarly && resuming && session != nil && !o.noTicket {
			// The shim's first write goes as early data; offering 0-RTT
			// without one sends the extension and no data.
			cfg.EarlyData = []byte{}
			if o.shimWritesFirst {
				cfg.EarlyData = o.firstWrite()
			}
		}
		cfg.RequestOCSP = o.requestOCSP
		cfg.RequestSCT = o.requestSCT
	}
	if o.server {
		if o.caList != nil {
			names, err := parseDERList(*o.caList)
			if err != nil {
				return nil, err
			}
			cfg.CANames = names
		}
		cfg.RequestClientCert = o.verifyPeer || o.requireCert
		cfg.RequireClientCert = o.requireCert
		// BoringSSL's server acknowledges a server_name unless
		// -no-server-name-ack; the engine's, like openssl's, only
		// through its servername hook at TLS 1.0-1.2.
		ack := !o.noSNIAck
		cfg.ServerNameHook = func(string) (engine.SNIAnswer, error) { return engine.SNIAnswer{Ack: ack}, nil }
		switch {
		case o.rejectALPN:
			// openssl's select callback failing is no_application_protocol:
			// a protocol no client offers gives the engine's.
			cfg.ALPN = []string{"\x00shim-rejects"}
		case o.declineALPN:
			// Declining (SSL_TLSEXT_ERR_NOACK) negotiates none.
		case o.selectALPN != "":
			cfg.ALPN = []string{o.selectALPN}
		}
		if o.ticketCB {
			cfg.TicketKeys = o.ticketHooks()
		}
		if o.noTicket {
			// BoringSSL's -no-ticket also refuses tickets: a key of
			// this connection's own opens none issued before.
			cfg.NumTickets = -1
			cfg.TicketKey = make([]byte, 32)
			if _, err := rand.Read(cfg.TicketKey); err != nil {
				return nil, err
			}
		}
		cfg.Session = nil
	} else {
		cfg.ServerName = o.hostName
		cfg.ALPN = o.advertiseALPN
		if o.noTicket {
			cfg.Session = nil
		}
	}
	return cfg, nil
}

// shimTicketKey is the one key of the shim's ticket key callback, named
// shimTicketKeyName; it lasts as long as the process, as BoringSSL's
// shim's does.
var shimTicketKey, shimTicketKeyName = func() ([]byte, []byte) {
	k := make([]byte, 48)
	rand.Read(k)
	return k[:32], k[32:]
}()

// ticketHooks is the shim's ticket key callback.
func (o *options) ticketHooks() *engine.TicketKeyHooks {
	return &engine.TicketKeyHooks{
		New: func() ([]byte, []byte, bool) {
			return shimTicketKeyName, shimTicketKey, !o.skipTicket
		},
		Find: func(name []byte) ([]byte, bool, bool) {
			if string(name) != string(shimTicketKeyName) {
				return nil, false, false
			}
			return shimTicketKey, o.renewTicket, true
		},
	}
}

// firstWrite is what -shim-writes-first writes.
func (o *options) firstWrite() []byte {
	w := shimInitialWrite
	if o.initialWrite != "" {
		w = o.initialWrite
	}
	return []byte(strings.Repeat(w, max(o.repeatWrite, 1)))
}

// earlyDataReason is BoringSSL's SSL_get_early_data_reason for a client, as
// the engine's state tells it.
func (o *options) earlyDataReason(cfg *engine.Config, st engine.State) string {
	switch {
	case !o.enableEarly:
		return "disabled"
	case cfg.MaxVersion < engine.VersionTLS13:
		return "protocol_version"
	case cfg.Session == nil:
		return "no_session_offered"
	case cfg.Session.MaxEarlyData == 0:
		return "unsupported_for_session"
	case st.EarlyData == engine.EarlyDataAccepted:
		return "accept"
	case st.HelloRetry:
		return "hello_retry_request"
	case !st.Resumed:
		return "session_not_resumed"
	}
	return "peer_declined"
}

// serverEarlyReason is BoringSSL's SSL_get_early_data_reason for a
// server, as the engine's state and the session's connection tell it:
// openssl 3.0 has no such call, but each reason is a condition of its
// own server's for taking 0-RTT data (see acceptEarly), checked in
// BoringSSL's order.
func (o *options) serverEarlyReason(cl *cmdline, st engine.State) string {
	switch {
	case !o.enableEarly:
		return "disabled"
	case st.Version < engine.VersionTLS13:
		return "protocol_version"
	case st.EarlyData == engine.EarlyDataAccepted:
		return "accept"
	case !st.Resumed && firstLookup(st) == engine.TicketNotOffered:
		return "no_session_offered"
	case !st.Resumed:
		return "session_not_resumed"
	case !cl.sessionEarly:
		return "unsupported_for_session"
	case st.ALPN != cl.sessionALPN:
		return "alpn_mismatch"
	case st.HelloRetry:
		return "hello_retry_request"
	}
	return "peer_declined"
}

// firstLookup is what the server made of the first ClientHello's
// tickets.
func firstLookup(st engine.State) engine.TicketLookup {
	if st.HelloRetry {
		return st.FirstHelloTicket
	}
	return st.HelloTicket
}

// suites12 reads -cipher as openssl's cipher string, keeping the suites
// the engine has. BoringSSL's equal-preference groups ("[A|B]") have no
// openssl equivalent, and a string that leaves no suite the engine has
// (3DES) is a feature the engine lacks: both are unimplemented.
func suites12(s string) ([]uint16, error) {
	if strings.ContainsAny(s, "[|]") {
		return nil, fmt.Errorf("%w: cipher string %q (equal-preference groups are BoringSSL's)", errUnimplemented, s)
	}
	l, err := tlsnames.ParseCipherString(opensslNames(s))
	if err != nil {
		return nil, fmt.Errorf("%w: cipher string %q: %v", errUnimplemented, s, err)
	}
	var ids []uint16
	for _, c := range l {
		if _, ok := suites.Lookup12(c.ID); ok {
			ids = append(ids, c.ID)
		}
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("%w: cipher string %q names no suite the engine has", errUnimplemented, s)
	}
	return ids, nil
}

// parseDERList reads the runner's list of hex DER values, comma-separated;
// "<NULL>" and "<EMPTY>" are none.
func parseDERList(v string) ([][]byte, error) {
	if v == "<NULL>" || v == "<EMPTY>" || v == "" {
		return nil, nil
	}
	var out [][]byte
	for _, h := range strings.Split(v, ",") {
		b, err := hex.DecodeString(h)
		if err != nil {
			return nil, fmt.Errorf("bad DER list %q", v)
		}
		out = append(out, b)
	}
	return out, nil
}

// opensslNames rewrites the RFC names in a cipher string
// (TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA), which BoringSSL's cipher strings
// take, as openssl's (ECDHE-RSA-AES128-SHA), which openssl's -cipher
// needs.
func opensslNames(s string) string {
	parts := strings.Split(s, ":")
	for i, p := range parts {
		if !strings.HasPrefix(p, "TLS_") {
			continue
		}
		for _, c := range tlsnames.Ciphers() {
			if c.IANA == p {
				parts[i] = c.Name
				break
			}
		}
	}
	return strings.Join(parts, ":")
}

// withSCT serves an SCT list with id as openssl serves one from a
// serverinfo file: signed_certificate_timestamp answering the client's,
// in a TLS 1.0-1.2 ServerHello or the TLS 1.3 leaf's CertificateEntry,
// not on resumption.
func withSCT(id engine.Identity, sct []byte) engine.Identity {
	if sct != nil {
		id.ServerInfo = append(id.ServerInfo, engine.ServerInfo{Type: 18, Data: sct,
			Context: engine.ExtContextClientHello | engine.ExtContextTLS12ServerHello |
				engine.ExtContextTLS13Certificate | engine.ExtContextIgnoreOnResumption})
	}
	return id
}

// loadIdentity reads a PEM chain and a PKCS#8 key, as the runner writes
// them.
func loadIdentity(certFile, keyFile string) (engine.Identity, error) {
	var id engine.Identity
	chain, err := readCerts(certFile)
	if err != nil {
		return id, err
	}
	kb, err := os.ReadFile(keyFile)
	if err != nil {
		return id, err
	}
	block, _ := pem.Decode(kb)
	if block == nil {
		return id, fmt.Errorf("shim: no PEM key in %s", keyFile)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		// Key types Go cannot parse (ML-DSA) have no signer here either.
		return id, fmt.Errorf("%w: key in %s: %v", errUnimplemented, keyFile, err)
	}
	signer, ok := k.(crypto.Signer)
	if !ok {
		return id, fmt.Errorf("%w: key type %T", errUnimplemented, k)
	}
	return engine.Identity{Chain: chain, Key: signer}, nil
}

func readCerts(file string) ([][]byte, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var chain [][]byte
	for {
		var block *pem.Block
		block, b = pem.Decode(b)
		if block == nil {
			break
		}
		if block.Type == "CERTIFICATE" {
			chain = append(chain, block.Bytes)
		}
	}
	if len(chain) == 0 {
		return nil, fmt.Errorf("shim: no certificate in %s", file)
	}
	return chain, nil
}

// dial connects to the runner and introduces this shim by its id (eight
// bytes, little-endian).
func dial(cl *cmdline) (net.Conn, error) {
	host := "127.0.0.1"
	if cl.ipv6 {
		host = "::1"
	}
	nc, err := net.Dial("tcp", net.JoinHostPort(host, strconv.Itoa(cl.port)))
	if err != nil {
		return nil, err
	}
	var id [8]byte
	binary.LittleEndian.PutUint64(id[:], cl.shimID)
	if _, err := nc.Write(id[:]); err != nil {
		nc.Close()
		return nil, err
	}
	return nc, nil
}

// runConn runs one connection: handshake, the checks the flags ask for,
// then the echo loop until the runner's close_notify. It returns the
// tickets a client received.
func runConn(cl *cmdline, o *options, cfg *engine.Config, resuming bool, sessionPeerSig, sessionGroup *uint16, session12 **engine.Session12) (_ []engine.Ticket, err error) {
	nc, err := dial(cl)
	if err != nil {
		return nil, err
	}
	// The Certificate message this side sent, seen through the engine's
	// message hook, tells which credential it chose.
	// The client's ALPN list comes from its ClientHello the same way.
	// The first Finished (tls-unique) too.
	// The server's CertificateRequest too, and the traffic secrets
	// through the keylog hook.
	var sentCert, firstFinished, certReq []byte
	var advALPN []string
	var trace strings.Builder
	secrets := map[string][]byte{}
	if o.exportTrafficSecrets {
		cfg.KeyLog = func(label string, _, secret []byte) { secrets[label] = slices.Clone(secret) }
	}
	if o.expectMsgCallback != nil {
		cfg.OnEvent = func(e engine.Event) { msgCallbackLine(&trace, e) }
	}
	if o.expectSelected >= 0 || o.expectAdvALPN != nil || o.tlsUnique || o.expectCertTypes != nil {
		traceEvent := cfg.OnEvent
		cfg.OnEvent = func(e engine.Event) {
			if traceEvent != nil {
				traceEvent(e)
			}
			if e.ContentType != 22 || len(e.Data) <= 4 {
				return
			}
			switch {
			case msg.Type(e.Data[0]) == msg.TypeFinished && firstFinished == nil:
				firstFinished = slices.Clone(e.Data[4:])
			case e.Sent && msg.Type(e.Data[0]) == msg.TypeCertificate:
				sentCert = slices.Clone(e.Data[4:])
			case !e.Sent && msg.Type(e.Data[0]) == msg.TypeCertificateRequest:
				certReq = slices.Clone(e.Data[4:])
			case !e.Sent && msg.Type(e.Data[0]) == msg.TypeClientHello:
				if ch, err := msg.ParseClientHello(e.Data[4:]); err == nil {
					if d, ok := ch.Extensions.Find(msg.ExtALPN); ok {
						advALPN, _ = msg.ParseALPN(d)
					}
				}
			}
		}
	}
	var c *engine.TLSConn
	if o.server {
		c = engine.Server(nc, cfg)
	} else {
		c = engine.Client(nc, cfg)
	}
	defer func() {
		if err != nil {
			linger(nc)
		}
		c.Close()
	}()
	if o.server && o.enableEarly {
		// BoringSSL's shim echoes 0-RTT data as half-RTT data, before
		// the client's Finished (openssl's SSL_read_early_data and
		// SSL_write_early_data).
		if err := echoInverted(make([]byte, 16384), c.ReadEarlyData, c.WriteEarlyData, nil); err != nil {
			return nil, err
		}
	}
	if err := c.Handshake(); err != nil {
		return nil, err
	}
	if o.handshakeTwice {
		if err := c.Handshake(); err != nil {
			return nil, err
		}
	}
	st := c.State()
	if o.expectAcceptEarly && st.EarlyData != engine.EarlyDataAccepted {
		return nil, errors.New("shim: early data was not accepted")
	}
	// A server's "rejected" is BoringSSL's SSL_early_data_accepted
	// being false, whether or not the client offered any.
	if o.expectRejectEarly && (st.EarlyData == engine.EarlyDataAccepted ||
		!o.server && st.EarlyData != engine.EarlyDataRejected) {
		return nil, errors.New("shim: early data was not rejected")
	}
	if o.expectNoOfferEarly && st.EarlyData != engine.EarlyDataNotSent {
		return nil, errors.New("shim: early data was offered")
	}
	if !o.server && st.EarlyData == engine.EarlyDataRejected {
		// BoringSSL's client starts over after the reject and checks
		// the rest of the handshake against the retry flags.
		o = &cl.retry
	}
	if o.server && !st.Resumed {
		// The session this connection makes: its protocol and whether
		// its tickets allow early data.
		cl.sessionALPN, cl.sessionEarly = st.ALPN, cfg.MaxEarlyData > 0
	}
	if o.earlyReason != nil && o.server {
		if r := o.serverEarlyReason(cl, st); r != *o.earlyReason {
			return nil, fmt.Errorf("shim: early data reason %s, expected %s", r, *o.earlyReason)
		}
	} else if o.earlyReason != nil {
		if r := o.earlyDataReason(cfg, st); r != *o.earlyReason {
			return nil, fmt.Errorf("shim: early data reason %s, expected %s", r, *o.earlyReason)
		}
	}
	if o.expectRenewal && resuming {
		// The server renewed the ticket it resumed (RFC 5077 §3.3).
		if cfg.Session12 == nil || st.Session12 == nil || string(st.Session12.Ticket) == string(cfg.Session12.Ticket) {
			return nil, errors.New("shim: the ticket was not renewed")
		}
	}
	*session12 = st.Session12
	if st.Resumed && st.PeerSignatureScheme == 0 {
		st.PeerSignatureScheme = *sessionPeerSig
	} else if !st.Resumed {
		*sessionPeerSig = st.PeerSignatureScheme
	}
	if st.Resumed && st.Group == 0 {
		st.Group = *sessionGroup
	} else if !st.Resumed {
		*sessionGroup = st.Group
	}
	if err := o.check(st, resuming); err != nil {
		return nil, err
	}
	if err := o.checkVerify(st, &cl.verify, &cl.sessionVerify); err != nil {
		return nil, err
	}
	// BoringSSL keeps the staple in the session: a resumption reports it.
	if st.Resumed && st.OCSPResponse == nil {
		st.OCSPResponse = cl.sessionOCSP
	} else if !st.Resumed {
		cl.sessionOCSP = st.OCSPResponse
	}
	// A TLS 1.0-1.2 server's session has the ID it sent when it made
	// one (none when it issued a ticket instead, as openssl); TLS 1.3
	// sessions have none. A resumption keeps its session's.
	if !st.Resumed {
		cl.sessionID = nil
		if st.Version < engine.VersionTLS13 {
			cl.sessionID = st.SessionID
		}
	}
	if o.expectSessionID && len(cl.sessionID) == 0 {
		return nil, errors.New("shim: session has no ID")
	}
	if o.expectNoSessionID && len(cl.sessionID) > 0 {
		return nil, errors.New("shim: session has an ID")
	}
	if o.expectCAList != nil {
		want, err := parseDERList(*o.expectCAList)
		if err != nil {
			return nil, err
		}
		if !slices.EqualFunc(want, st.CANames, func(a, b []byte) bool { return string(a) == string(b) }) {
			return nil, errors.New("shim: certificate_authorities differ from the expected ones")
		}
	}
	// The SCT list too (a TLS 1.2 server that sends it again on
	// resumption is not listened to, as BoringSSL).
	if !st.Resumed {
		cl.sessionSCT = st.SCTList
	} else {
		st.SCTList = cl.sessionSCT
	}
	if o.expectSCT != nil && string(st.SCTList) != string(o.expectSCT) {
		return nil, fmt.Errorf("shim: SCT list %x, expected %x", st.SCTList, o.expectSCT)
	}
	if o.expectOCSP != nil && string(st.OCSPResponse) != string(o.expectOCSP) {
		return nil, fmt.Errorf("shim: OCSP response %x, expected %x", st.OCSPResponse, o.expectOCSP)
	}
	if o.expectAdvALPN != nil && !slices.Equal(advALPN, o.expectAdvALPN) {
		return nil, fmt.Errorf("shim: client offered ALPN %q, expected %q", advALPN, o.expectAdvALPN)
	}
	if o.expectSelected >= 0 {
		if err := o.checkSelected(st, sentCert); err != nil {
			return nil, err
		}
	}
	if o.expectCertTypes != nil {
		if err := checkCertTypes(st, certReq, o.expectCertTypes); err != nil {
			return nil, err
		}
	}
	if o.tlsUnique {
		if _, err := c.Write(firstFinished); err != nil {
			return nil, err
		}
	}
	if o.exportLen > 0 {
		var ctx []byte
		if o.useExportCtx {
			ctx = []byte(o.exportContext)
		}
		b, err := c.ExportKeyingMaterial(o.exportLabel, ctx, o.exportLen)
		if err != nil {
			return nil, err
		}
		if _, err := c.Write(b); err != nil {
			return nil, err
		}
	}
	if o.exportTrafficSecrets {
		if err := writeTrafficSecrets(c, o.server, secrets); err != nil {
			return nil, err
		}
	}
	if o.keyUpdate {
		if err := c.KeyUpdate(false); err != nil {
			return nil, err
		}
	}
	if o.shimWritesFirst && st.EarlyData != engine.EarlyDataAccepted {
		// Early data the server took is not written again.
		if _, err := c.Write(o.firstWrite()); err != nil {
			return nil, err
		}
	}
	if o.shimShutsDown {
		if err := c.CloseWrite(); err != nil {
			return nil, err
		}
		if o.checkClose {
			// The peer must answer with its own close_notify.
			if _, err := c.Read(make([]byte, 1)); err != io.EOF {
				return nil, fmt.Errorf("shim: no close_notify from the peer: %v", err)
			}
		}
		return c.State().Tickets, nil
	}
	size := o.readSize
	if size <= 0 {
		size = 16384
	}
	var before func() error
	if o.keyUpdateBefore {
		before = func() error { return c.KeyUpdate(false) }
	}
	read := func(b []byte) (int, error) { return readOnce(c, b, o.peekThenRead) }
	if err := echoInverted(make([]byte, size), read, c.Write, before); err != nil {
		return nil, err
	}
	if o.expectMsgCallback != nil && trace.String() != *o.expectMsgCallback {
		return nil, fmt.Errorf("shim: message callback trace\n%s\nexpected\n%s", trace.String(), *o.expectMsgCallback)
	}
	st = c.State()
	if o.expectNoSession && len(st.Tickets) > 0 {
		return nil, errors.New("shim: got a session when none was expected")
	}
	if o.expectTicketEarly && !resuming && (len(st.Tickets) == 0 || st.Tickets[len(st.Tickets)-1].MaxEarlyData == 0) {
		return nil, errors.New("shim: no ticket allowing early data")
	}
	return st.Tickets, nil
}

// readOnce reads once; with -peek-then-read it peeks first, twice, and
// then reads what it peeked, checking that all three saw the same bytes.
func readOnce(c *engine.TLSConn, buf []byte, peek bool) (int, error) {
	if !peek {
		return c.Read(buf)
	}
	n, err := c.Peek(buf)
	if err != nil {
		return n, err
	}
	first := slices.Clone(buf[:n])
	if n, err = c.Peek(buf); err != nil || string(buf[:n]) != string(first) {
		return 0, fmt.Errorf("shim: a second peek saw %q (%v), the first %q", buf[:n], err, first)
	}
	if n, err = c.Read(buf[:len(first)]); err != nil || string(buf[:n]) != string(first) {
		return 0, fmt.Errorf("shim: the read saw %q (%v), the peeks %q", buf[:n], err, first)
	}
	return n, nil
}

// msgCallbackLine writes what BoringSSL's shim writes for one message
// callback: the direction, then "hs TYPE", "ccs", "alert LEVEL DESC" or
// "v2clienthello" (an SSL 2.0 ClientHello, reported under version 2);
// record headers, TLS 1.3 inner types and application data are left
// out, as its callback leaves them.
func msgCallbackLine(w *strings.Builder, e engine.Event) {
	dir := "read"
	if e.Sent {
		dir = "write"
	}
	switch {
	case e.Version == 2 && e.ContentType == 0:
		fmt.Fprintf(w, "%s v2clienthello\n", dir)
	case e.ContentType == 22 && len(e.Data) > 0:
		fmt.Fprintf(w, "%s hs %d\n", dir, e.Data[0])
	case e.ContentType == 20:
		fmt.Fprintf(w, "%s ccs\n", dir)
	case e.ContentType == 21 && len(e.Data) == 2:
		fmt.Fprintf(w, "%s alert %d %d\n", dir, e.Data[0], e.Data[1])
	}
}

// linger lets the runner read the alert a failed connection sent: closing
// a socket with the runner's data still unread makes the kernel answer
// with a reset, which can destroy the alert before the runner reads it.
// So the shim shuts its side, then drains until the runner closes.
func linger(nc net.Conn) {
	tc, ok := nc.(*net.TCPConn)
	if !ok {
		return
	}
	tc.CloseWrite()
	tc.SetReadDeadline(time.Now().Add(2 * time.Second))
	io.Copy(io.Discard, tc)
}

// check compares the negotiated state with what the flags expect.
func (o *options) check(st engine.State, resuming bool) error {
	if o.expectVersion != 0 && int(st.Version) != o.expectVersion {
		return fmt.Errorf("shim: version %#x, expected %#x", st.Version, o.expectVersion)
	}
	if o.expectCipher != 0 && int(st.Suite) != o.expectCipher {
		return fmt.Errorf("shim: cipher %#04x, expected %#04x", st.Suite, o.expectCipher)
	}
	if o.expectCurve != 0 && int(st.Group) != o.expectCurve {
		return fmt.Errorf("shim: group %#04x, expected %#04x", st.Group, o.expectCurve)
	}
	if o.expectPeerSig != 0 && int(st.PeerSignatureScheme) != o.expectPeerSig {
		return fmt.Errorf("shim: peer signature algorithm %#04x, expected %#04x", st.PeerSignatureScheme, o.expectPeerSig)
	}
	if o.expectPeerPrefs != nil && !slices.Equal(st.PeerSignatureSchemes, o.expectPeerPrefs) {
		return fmt.Errorf("shim: peer signature algorithms %x, expected %x", st.PeerSignatureSchemes, o.expectPeerPrefs)
	}
	if resuming && st.Resumed == o.expectMiss {
		return fmt.Errorf("shim: resumed %t, expected %t", st.Resumed, !o.expectMiss)
	}
	if o.expectSNI != "" && st.ServerName != o.expectSNI {
		return fmt.Errorf("shim: server name %q, expected %q", st.ServerName, o.expectSNI)
	}
	if o.expectNoSNI && st.ServerName != "" {
		return fmt.Errorf("shim: unexpected server name %q", st.ServerName)
	}
	// BoringSSL counts TLS 1.3 as having the extended master secret
	// (SSL_get_extms_support); the engine reports the RFC 7627 extension.
	if o.expectEMS && !st.ExtendedMasterSecret && st.Version < engine.VersionTLS13 {
		return errors.New("shim: no extended master secret")
	}
	if o.expectALPN != "" && st.ALPN != o.expectALPN {
		return fmt.Errorf("shim: ALPN %q, expected %q", st.ALPN, o.expectALPN)
	}
	// BoringSSL counts TLS 1.3 as secure renegotiation
	// (SSL_get_secure_renegotiation_support), as for the extended
	// master secret.
	if o.expectSecureReneg && !st.SecureRenegotiation && st.Version < engine.VersionTLS13 {
		return errors.New("shim: no secure renegotiation")
	}
	if o.expectHRR && !st.HelloRetry {
		return errors.New("shim: expected a HelloRetryRequest")
	}
	if o.expectNoHRR && st.HelloRetry {
		return errors.New("shim: unexpected HelloRetryRequest")
	}
	if o.expectNoCert && len(st.PeerChain) > 0 {
		return errors.New("shim: unexpected peer certificate")
	}
	if o.expectPeerCert != "" {
		want, err := readCerts(o.expectPeerCert)
		if err != nil {
			return err
		}
		if !slices.EqualFunc(want, st.PeerChain, func(a, b []byte) bool { return string(a) == string(b) }) {
			return errors.New("shim: peer certificate chain differs from the expected one")
		}
	}
	return nil
}

// verifyRecord is what the peer-verification hook saw: whether it ran and
// whether it rejected the certificate.
type verifyRecord struct{ ran, failed bool }

// hookVerify stands for BoringSSL's certificate verification callbacks:
// the shim makes them fail for -verify-fail. As with openssl, a failure
// ends the handshake only when the peer is verified (-verify-peer, or a
// server asking for a certificate); otherwise it is only recorded. The
// legacy callback (SSL_CTX_set_cert_verify_callback) fails with
// handshake_failure, openssl's alert for X509_V_ERR_APPLICATION_VERIFICATION;
// the custom one (-use-custom-verify-callback) with certificate_unknown,
// openssl's for a verify callback that fails without an X509 error.
//
// A client's -use-ocsp-callback is openssl's client status callback
// (s_client -status installs one): it runs when the client asked for a
// staple, with the staple or none; failing (-fail-ocsp-callback) is
// bad_certificate_status_response "invalid status response", whatever
// the verify mode. The engine has no such hook, so the shim runs it in
// VerifyPeer, once the chain (and at TLS 1.2 the CertificateStatus) is
// in: openssl runs it later (after ServerHelloDone, or the server's
// Finished at TLS 1.3), which the runner cannot tell apart.
func (o *options) hookVerify(cfg *engine.Config, rec *verifyRecord) {
	cfg.VerifyPeer = func(_ [][]byte, st *engine.State) error {
		rec.ran = true
		if o.verifyFail {
			rec.failed = true
			if o.verifyPeer || o.server {
				if o.customVerify {
					return alert.Faultf(alert.CertificateUnknown, "certificate verify failed")
				}
				return alert.Faultf(alert.HandshakeFailure, "certificate verify failed")
			}
		}
		if !o.server && o.useOCSPCB && o.requestOCSP && o.failOCSPCB {
			return alert.Faultf(alert.BadCertificateStatusResponse, "invalid status response")
		}
		return nil
	}
}

// checkVerify compares the verification result with -expect-verify-result;
// a resumption without a certificate keeps its session's result, as
// BoringSSL and openssl keep it in the session.
func (o *options) checkVerify(st engine.State, rec, session *verifyRecord) error {
	if !rec.ran && st.Resumed {
		*rec = *session
	}
	*session = *rec
	if o.expectVerifyResult && rec.failed != o.verifyFail {
		return fmt.Errorf("shim: verification failed %t, expected %t", rec.failed, o.verifyFail)
	}
	return nil
}

// checkSelected compares the leaf this side sent with the
// -expect-selected-credential'th credential's.
func (o *options) checkSelected(st engine.State, body []byte) error {
	if o.expectSelected >= len(o.creds) {
		return fmt.Errorf("shim: no credential %d", o.expectSelected)
	}
	want, err := readCerts(o.creds[o.expectSelected].cert)
	if err != nil {
		return err
	}
	var leaf []byte
	if st.Version >= engine.VersionTLS13 {
		if c, err := msg.ParseCertificate(body); err == nil && len(c.Entries) > 0 {
			leaf = c.Entries[0].Data
		}
	} else if c, err := msg.ParseCertificate12(body); err == nil && len(c.Chain) > 0 {
		leaf = c.Chain[0]
	}
	if string(leaf) != string(want[0]) {
		return fmt.Errorf("shim: credential %d was not the one sent", o.expectSelected)
	}
	return nil
}

// stapleOCSP answers a client's status_request through the engine's
// OCSPStaple hook (openssl's server status callback): the response of the
// certificate being sent, or, with -use-ocsp-callback, what the callback
// decides (-set-ocsp-in-callback: the response; -decline-ocsp-callback:
// none; -fail-ocsp-callback: a failure, which ends the handshake).
func (o *options) stapleOCSP(cfg *engine.Config) {
	byLeaf := map[string][]byte{}
	for _, cr := range o.creds {
		if chain, err := readCerts(cr.cert); err == nil && cr.ocsp != nil {
			byLeaf[string(chain[0])] = cr.ocsp
		}
	}
	if chain, err := readCerts(o.certFile); err == nil && o.ocsp != nil {
		byLeaf[string(chain[0])] = o.ocsp
	}
	failCB := o.useOCSPCB && o.failOCSPCB
	if len(byLeaf) == 0 && !failCB {
		return
	}
	cfg.OCSPStaple = func(chain [][]byte) ([]byte, error) {
		if failCB {
			return nil, errors.New("shim: OCSP callback fails")
		}
		if o.useOCSPCB && o.declineOCSPCB {
			return nil, nil
		}
		return byLeaf[string(chain[0])], nil
	}
}

// configPSK12 maps -psk and -psk-identity onto the engine's TLS 1.0-1.2
// PSK suites as BoringSSL's shim uses them: a server sends -psk-identity
// as its hint (none when it is empty) and knows that identity alone; a
// client sends it as its identity and requires the server's hint to be
// the same, an empty hint counting as none.
func (o *options) configPSK12(cfg *engine.Config) {
	if o.psk == nil {
		return
	}
	id := []byte(o.pskIdentity)
	p := &engine.PSK12{Identity: id, Key: o.psk}
	if o.server {
		if len(id) > 0 {
			p.Hint = id
		}
		p.ServerKey = func(identity []byte) ([]byte, error) {
			if string(identity) != o.pskIdentity {
				return nil, errors.New("shim: client PSK identity did not match")
			}
			return o.psk, nil
		}
	} else {
		p.ClientKey = func(hint []byte) ([]byte, []byte, error) {
			if string(hint) != o.pskIdentity {
				return nil, nil, errors.New("shim: server PSK hint did not match")
			}
			return id, o.psk, nil
		}
	}
	cfg.PSK12 = p
}

// checkCertTypes compares the certificate types of the server's TLS
// 1.0-1.2 CertificateRequest (body, nil when none came) with want.
func checkCertTypes(st engine.State, body, want []byte) error {
	if body == nil || st.Version >= engine.VersionTLS13 {
		return errors.New("shim: no TLS 1.0-1.2 CertificateRequest came")
	}
	cr, err := msg.ParseCertificateRequest12(body, st.Version == engine.VersionTLS12)
	if err != nil {
		return err
	}
	if !slices.Equal(cr.CertTypes, want) {
		return fmt.Errorf("shim: certificate types %x, expected %x", cr.CertTypes, want)
	}
	return nil
}

// writeTrafficSecrets writes the TLS 1.3 application traffic secrets
// the keylog hook gave (NSS key log labels), as BoringSSL's shim writes
// them: their length (2 bytes, little-endian), the read secret, the write
// secret.
func writeTrafficSecrets(c *engine.TLSConn, server bool, secrets map[string][]byte) error {
	read, write := secrets["SERVER_TRAFFIC_SECRET_0"], secrets["CLIENT_TRAFFIC_SECRET_0"]
	if server {
		read, write = write, read
	}
	if len(read) == 0 || len(read) != len(write) {
		return errors.New("shim: no application traffic secrets were logged")
	}
	b := binary.LittleEndian.AppendUint16(nil, uint16(len(read)))
	b = append(append(b, read...), write...)
	_, err := c.Write(b)
	return err
}

// configCallbacks sets the engine's hooks for BoringSSL's certificate
// and ClientHello callbacks, as openssl's: -use-early-callback hands the
// server's identities over through CertificateHook (openssl's
// certificate callback installing them), -fail-early-callback fails the
// ClientHello hook with handshake_failure (a client_hello_cb failing with
// that alert), -fail-cert-callback fails the certificate callback, which
// openssl answers with internal_error: "cert cb error" on a server,
// "callback failed" on a client (measured: s_client -xchain_build of a
// chain it cannot build; TestClientCertificateHookLikeOpenSSL).
func (o *options) configCallbacks(cfg *engine.Config) {
	if o.server && o.useEarlyCallback {
		ids := cfg.Identities
		cfg.Identities = nil
		cfg.CertificateHook = func(*msg.ClientHello, uint16) ([]engine.Identity, error) { return ids, nil }
	}
	if o.server && o.failEarlyCallback {
		cfg.ClientHelloHook = func(*msg.ClientHello) error {
			return alert.Faultf(alert.HandshakeFailure, "callback failed")
		}
	}
	if o.failCertCallback {
		if o.server {
			cfg.CertificateHook = func(*msg.ClientHello, uint16) ([]engine.Identity, error) {
				return nil, alert.Faultf(alert.InternalError, "cert cb error")
			}
		} else {
			cfg.ClientCertificateHook = func(*engine.ClientCertRequest) ([]engine.Identity, error) {
				return nil, alert.Faultf(alert.InternalError, "callback failed")
			}
		}
	}
}

// echoInverted answers each piece read, until io.EOF, with its bytes
// inverted, as BoringSSL's shim does (before, if set, runs ahead of each
// read).
func echoInverted(buf []byte, read, write func([]byte) (int, error), before func() error) error {
	for {
		if before != nil {
			if err := before(); err != nil {
				return err
			}
		}
		n, err := read(buf)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		for i := range buf[:n] {
			buf[i] ^= 0xff
		}
		if _, err := write(buf[:n]); err != nil {
			return err
		}
	}
}
