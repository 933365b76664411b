package sserver

import (
	"crypto"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/big"
	"os"
	"slices"
	"strings"
	"syscall"

	"github.com/tlskit/tlskit/internal/engine"
	"github.com/tlskit/tlskit/internal/engine/alert"
	"github.com/tlskit/tlskit/internal/engine/kx"
	"github.com/tlskit/tlskit/internal/engine/msg"
	"github.com/tlskit/tlskit/internal/engine/suites"
	"github.com/tlskit/tlskit/internal/keylog"
	"github.com/tlskit/tlskit/internal/opt"
	"github.com/tlskit/tlskit/internal/optgroups"
	"github.com/tlskit/tlskit/internal/sessfile"
	"github.com/tlskit/tlskit/internal/sslerr"
	"github.com/tlskit/tlskit/internal/tlsnames"
	"github.com/tlskit/tlskit/internal/verify"
)

// engineSettings is what s_server hands the engine beyond the
// configuration.
type engineSettings struct {
	lo, hi     uint16
	tp         *optgroups.TLSParams
	numTickets int // the engine's convention: 0 default (2), <0 none
	tickets12  engine.Tickets12Mode
	// stateful: openssl would keep TLS 1.3 tickets in its cache
	// (-no_ticket), which the statistics count.
	stateful bool
	psks     []engine.PSK
	// pskSession and pskIdentity are -psk_session's file and the
	// identity its key is offered under; openssl reads the file after
	// the DH parameters, the PSK hint and -serverinfo (see
	// loadPSKSession).
	pskSession, pskIdentity string
	// psk12 is -psk for the TLS 1.0–1.2 PSK suites (with -psk_hint),
	// nil without -psk.
	psk12 *engine.PSK12
	// pskHint is -psk_hint (with or without -psk, as openssl takes it).
	pskHint []byte
	// suites12 are the TLS 1.0–1.2 suites (-cipher) in order.
	suites12 []uint16
	// dh is the -dhparam group; nil for openssl's automatic one.
	dh *kx.DHParams
	// maxEarly is the max_early_data tickets carry: -max_early_data, or
	// 16384 with -early_data, as openssl's; recvMaxEarly the engine's
	// RecvMaxEarlyData (0: openssl's 16384; <0: none).
	maxEarly     uint32
	recvMaxEarly int
	// ledger makes tickets single-use while they allow early data,
	// unless -no_anti_replay (openssl's anti-replay).
	ledger *engine.TicketLedger
	// sidCtx is the session ID context: -context, or openssl s_server's
	// own default (the int 1 in memory order: 01000000).
	sidCtx []byte
}

// suites13 are the TLS 1.3 suites: -ciphersuites, or openssl's default
// list.
func (o *engineSettings) suites13() []uint16 {
	if o.tp.Suites13 != nil {
		return o.tp.Suites13
	}
	return []uint16{suites.AES256GCMSHA384, suites.ChaCha20Poly1305SHA256, suites.AES128GCMSHA256}
}

// suites12s are the TLS 1.0–1.2 suites: -cipher's, or the engine's
// default (openssl's).
func (o *engineSettings) suites12s() []uint16 {
	if o.suites12 != nil {
		return o.suites12
	}
	return suites.Default12
}

// loadDHParams reads -dhparam as openssl s_server
// does: a file it cannot open or parse is reported on stderr and the
// automatic group used instead; a good one says "Setting temp DH
// parameters" on stdout, the automatic group "Using default temp DH
// parameters". Parameters too weak for the security level are refused
// as SSL_CTX_set0_tmp_dh_pkey refuses them: false, after openssl's lines
// on errw (measured: a 1024-bit file at level 2, a 2048-bit one at
// level 3; the server exits 1).
func (o *engineSettings) loadDHParams(path string, out, errw io.Writer) bool {
	if path == "" {
		fmt.Fprintln(out, "Using default temp DH parameters")
		return true
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, syscall.EISDIR) {
		// A directory opens, and holds nothing (measured with 3.0).
		b, err = nil, nil
	}
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			for _, l := range optgroups.MissingFileLines("params of DH parameters", path) {
				fmt.Fprintln(errw, l)
			}
		} else {
			fmt.Fprintf(errw, "Could not open file or uri for loading params of DH parameters from %s\n", path)
		}
		fmt.Fprintln(out, "Using default temp DH parameters")
		return true
	}
	if firstDHBlockType(b) == "X9.42 DH PARAMETERS" {
		// openssl's loader asks for PKCS #3 parameters (measured with
		// `openssl genpkey -genparam -algorithm DHX`).
		fmt.Fprintf(errw, "Unable to load DH parameters from %s (unexpected parameters type)\n", path)
		fmt.Fprintln(out, "Using default temp DH parameters")
		return true
	}
	p, err := kx.ParseDHParamsPEM(b)
	if err != nil {
		fmt.Fprintf(errw, "Could not read params of DH parameters from %s\n", path)
		if undecodable(b) {
			// openssl's store found no decoder for the contents.
			fmt.Fprintln(errw, sslerr.Entry{Code: 0x1608010C, Lib: "STORE routines", Func: "ossl_store_handle_load_result", Reason: "unsupported"})
		}
		fmt.Fprintln(out, "Using default temp DH parameters")
		return true
	}
	fmt.Fprintln(out, "Setting temp DH parameters")
	if !tlsnames.SecLevelAllows(o.tp.SecLevel, tlsnames.FFDHBits(new(big.Int).SetBytes(p.P).BitLen(), p.ExponentBits)) {
		fmt.Fprintln(errw, "Error setting temp DH parameters")
		fmt.Fprintln(errw, sslerr.Entry{Code: 0x0A00018A, Lib: "SSL routines", Func: "SSL_CTX_set0_tmp_dh_pkey", Reason: "dh key too small"})
		return false
	}
	o.dh = &p
	return true
}

// firstDHBlockType is the type of b's first PEM block of DH parameters,
// of either kind, or "".
func firstDHBlockType(b []byte) string {
	for {
		var blk *pem.Block
		if blk, b = pem.Decode(b); blk == nil {
			return ""
		}
		if blk.Type == "DH PARAMETERS" || blk.Type == "X9.42 DH PARAMETERS" {
			return blk.Type
		}
	}
}

// loadConfDHParams uses -ssl_config's DHParameters (optgroups checked the
// file) under -no_dhe, as openssl s_server 3.0.22 does: it sets neither
// -dhparam's group nor the automatic one then, so the section's stays,
// and it prints nothing about DH (measured: "Server Temp Key: DH, 3072
// bits" for a 3072-bit file). Without -no_dhe, -dhparam's group or the
// automatic one replaces the section's.
func (o *engineSettings) loadConfDHParams(path string) {
	b, err := os.ReadFile(path)
	if err != nil {
		return
	}
	if p, err := kx.ParseDHParamsPEM(b); err == nil {
		o.dh = &p
	}
}

// undecodable reports whether openssl's store, asked for DH parameters,
// queues its "unsupported" entry for a file it could not read them from.
// Measured with 3.0: it does for a PEM block whose contents are not DER
// and for a private key; not for an empty file, certificates, or most
// text without PEM blocks (some longer text does get it, by a rule not
// worked out; nor is a CSR's or a public key's run of several entries
// copied).
func undecodable(b []byte) bool {
	for rest := b; ; {
		var blk *pem.Block
		if blk, rest = pem.Decode(rest); blk == nil {
			return false
		}
		var v asn1.RawValue
		if tail, err := asn1.Unmarshal(blk.Bytes, &v); blk.Type != "CERTIFICATE" || err != nil || len(tail) != 0 {
			return true
		}
	}
}

// engineOptions reads the options the engine's configuration takes beyond
// the shared TLS options into c.engine; the engine carries every s_server
// connection, TLS 1.0–1.3.
// -psk serves TLS 1.3 clients as an external PSK and TLS 1.0–1.2 clients
// through the PSK cipher suites, next to the certificate suites, as
// openssl s_server's PSK callbacks do. -psk_session is TLS 1.3's in
// openssl too: a TLS 1.3 client may use its key, a TLS 1.0–1.2 client
// gets the certificate suites (and -psk's suites with -psk).
func engineOptions(v *opt.Values, c *config, tp *optgroups.TLSParams) error {
	_, ntGiven := v.Get("num_tickets")
	n := v.Int("num_tickets", 2)
	lo := max(tp.MinVersion, engine.ServerMinVersion)
	o := &engineSettings{lo: lo, hi: tp.MaxVersion, tp: tp}
	// -num_tickets counts TLS 1.3 tickets, -no_ticket turns off TLS 1.2
	// tickets (a TLS 1.2 client gets a session ID) and makes openssl's
	// TLS 1.3 tickets stateful: kept in its session cache (counted
	// there), and to a client the same as tlskit's.
	// -no_resume_ephemeral turns off both versions' tickets, whatever
	// -no_ticket and -num_tickets say.
	o.tickets12 = engine.Tickets12On
	if c.noTicket || c.noResume {
		o.tickets12 = engine.Tickets12Off
	}
	if c.noResume || (ntGiven && n <= 0) {
		o.numTickets = -1
	} else {
		o.numTickets = int(n)
		o.stateful = c.noTicket
	}
	identity := v.Str("psk_identity", "Client_identity")
	if k, ok := v.Get("psk"); ok {
		key, err := hex.DecodeString(k)
		if err != nil || len(key) == 0 {
			// openssl's words, alone on the line.
			return &optgroups.ConfError{Lines: []string{fmt.Sprintf("Not a hex number '%s'", k)}}
		}
		o.psks = append(o.psks, engine.PSK{Identity: []byte(identity), Key: key})
		o.psk12 = &engine.PSK12{Identity: []byte(identity), Key: key}
	}
	if h, ok := v.Get("psk_hint"); ok {
		o.pskHint = []byte(h)
		if o.psk12 != nil {
			o.psk12.Hint = o.pskHint
		}
	}
	o.pskSession, o.pskIdentity = v.Str("psk_session", ""), identity
	o.suites12 = tp.Suites12
	o.sidCtx = []byte{1, 0, 0, 0}
	if ctx, ok := v.Get("context"); ok {
		o.sidCtx = []byte(ctx)
	}
	if c.earlyData {
		o.maxEarly = 16384
	}
	if _, ok := v.Get("max_early_data"); ok {
		o.maxEarly = uint32(min(max(v.Int("max_early_data", 0), 0), 1<<32-1))
	}
	if _, ok := v.Get("recv_max_early_data"); ok {
		o.recvMaxEarly = int(v.Int("recv_max_early_data", 0))
		if o.recvMaxEarly <= 0 {
			o.recvMaxEarly = -1
		}
	}
	if o.maxEarly > 0 && v.Last("anti_replay", "no_anti_replay") != "no_anti_replay" {
		// openssl keeps tickets that allow early data in its session
		// cache and takes each out when it resumes: one use each.
		o.ledger = &engine.TicketLedger{}
	}
	c.engine = o
	return nil
}

// loadPSKSession reads -psk_session, whose key then replaces -psk's.
func (o *engineSettings) loadPSKSession() error {
	if o.pskSession == "" {
		return nil
	}
	p, err := readPSKSession(o.pskSession, o.pskIdentity)
	if err != nil {
		return err
	}
	o.psks = []engine.PSK{p}
	return nil
}

// readPSKSession reads -psk_session: an openssl SSL SESSION PARAMETERS
// file whose master key is the PSK, expected under -psk_identity. Its
// failures are openssl's (measured with 3.0): a file that does not open
// is "Can't open PSK session file" and BIO_new_file's entries; one that
// does (a directory too) but holds no session is "Can't read PSK session
// file" and the PEM or ASN.1 reader's entries (see sessfile).
func readPSKSession(path, identity string) (engine.PSK, error) {
	o, err := sessfile.ReadFile(path)
	if err != nil {
		first := "Can't read PSK session file " + path
		var fe *sessfile.Error
		if errors.As(err, &fe) && fe.Open {
			first = "Can't open PSK session file " + path
		}
		lines := []string{first}
		if fe != nil {
			lines = fe.Lines(first)
		}
		return engine.PSK{}, &optgroups.ConfError{Lines: lines}
	}
	h := crypto.SHA256
	if o.Suite() == suites.AES256GCMSHA384 {
		h = crypto.SHA384
	}
	return engine.PSK{Identity: []byte(identity), Key: o.MasterKey, Hash: h}, nil
}

// engineConfig builds the engine's configuration for one connection.
func (s *server) engineConfig(tc *trackedConn) *engine.Config {
	c, o := s.c, s.c.engine
	cfg := &tc.engineCfg
	*cfg = engine.Config{
		MinVersion: o.lo, MaxVersion: o.hi,
		Suites13:         o.tp.Suites13,
		SignatureSchemes: o.tp.Sigalgs,
		ALPN:             c.alpn,
		ServerPreference: c.serverPref,
		PrioritizeChaCha: c.prioritizeChaCha,
		PSKs:             o.psks,
		AllowNoDHE:       o.tp.AllowNoDHE,
		NumTickets:       o.numTickets,
		Tickets12:        o.tickets12,
		RecordPadding:    o.tp.RecordPadding,
		MaxSendFragment:  c.maxSendFrag,
		NoMiddlebox:      o.tp.NoMiddlebox,
		MaxEarlyData:     o.maxEarly,
		AcceptEarlyData:  c.earlyData,
		RecvMaxEarlyData: o.recvMaxEarly,
		AntiReplay:       o.ledger,
		NoSessionCache:   c.noCache,
		StatefulTickets:  o.stateful,
		SessionContext:   o.sidCtx,
	}
	cfg.Suites12 = o.suites12
	if o.psk12 != nil {
		p := *o.psk12
		p.ServerKey = s.pskServerKey
		cfg.PSK12 = &p
	}
	cfg.DHParams = o.dh
	cfg.NoDHE = c.noDHE
	cfg.SecurityLevel = o.tp.SecLevel
	cfg.NoEncryptThenMAC = c.noETM
	cfg.NoEmptyFragments = o.tp.NoEmptyFragments
	if c.stateless {
		// Every TLS 1.3 client first gets a HelloRetryRequest with a
		// cookie; openssl's interactive server says "DELAY" then, as
		// its SSL_stateless returns to wait for the second ClientHello.
		cfg.Stateless = true
		if c.mode == modeInteractive {
			cfg.OnStatelessRetry = func() { fmt.Fprintln(s.out, "DELAY") }
		}
	}
	// The CertificateRequest's signature_algorithms, in the handshake
	// and for the c command; -sigalgs still chooses the server's own.
	cfg.ClientAuthSchemes = o.tp.ClientSigalgs
	for _, g := range c.groups {
		cfg.Groups = append(cfg.Groups, uint16(g))
	}
	cfg.Identities = s.tls.id.main
	cfg.ServerNameHook = func(name string) (engine.SNIAnswer, error) { return s.serverName(tc, name) }
	if len(s.tls.id.xcerts) > 0 {
		cfg.CertificateHook = s.xcertHook
	}
	if c.status {
		cfg.OCSPStaple = s.certStatus
	}
	cfg.RequestClientCert = c.verifyRequest
	cfg.RequireClientCert = c.verifyRequire
	// The CA names and the verify callback serve the c command's
	// post-handshake request too, -verify or not (as openssl's).
	cfg.CANames = s.clientCANames
	cfg.VerifyPeer = func(chain [][]byte, st *engine.State) error {
		peer := engine.ParseChain(chain)
		s.secDebugBeforeVerify(tc, peer, st)
		if err := s.verifyHook(tc, peer); err != nil {
			return errors.Join(&sslerr.Error{Kind: sslerr.ClientCertVerifyFailed, Err: err}, verify.Alert(tc.verifyCode))
		}
		return nil
	}
	if f := s.tls.keyLog; f != nil {
		cfg.KeyLog = keylog.Func(f)
	}
	switch {
	case tc.ob != nil:
		cfg.OnEvent = tc.ob.Event
	case tc.catch != nil:
		// The catcher takes the engine's parse of the ClientHello, and
		// looks at received handshake messages only for the client's
		// CertificateVerify: the engine then copies no record headers or
		// inner types for it.
		cfg.OnClientHello = tc.catch.Hello
		cfg.OnEvent = tc.catch.Event
		cfg.HandshakeEventsOnly = true
	}
	if c.mode == modeInteractive {
		cfg.OnPostHandshake = s.readBlock
	} else if tc.ob == nil {
		// A server that answers one request sends its tickets with the
		// answer when the request came with the client's Finished (one
		// transport write fewer per connection), or before it waits
		// for the request. Not under an observer: the -msg, -trace and
		// -debug lines come from the transport's writes, and stay in
		// the order and the writes they had.
		cfg.HoldTickets = true
	}
	if c.earlyData && tc.ob != nil {
		// Where the -msg lines show it; alone, nothing else prints
		// during the handshake, and writeEarlyData prints it all.
		cfg.OnEvent = s.earlyEvents(tc, cfg.OnEvent)
	}
	return cfg
}

// readBlock is what openssl's interactive server prints when its
// SSL_read returns without data, a post-handshake message handled (the
// client's KeyUpdate, its renegotiation ClientHello refused with a
// warning no_renegotiation, its answer to the c command's request): "Read
// BLOCK", after the -msg lines of the message and of any answer. A
// refused renegotiation still counts as one in the statistics, as
// openssl counts the ClientHello it read.
func (s *server) readBlock(typ msg.Type) {
	if typ == msg.TypeClientHello {
		s.stats.renegotiates.Add(1)
	}
	io.WriteString(s.out, "Read BLOCK\n")
}

// pskServerKey is openssl s_server's PSK callback for TLS 1.0–1.2: it
// says so under -debug, warns about an identity other than -psk_identity
// and answers with -psk's key all the same (the handshake then fails at
// the Finished if the client's key differs).
func (s *server) pskServerKey(identity []byte) ([]byte, error) {
	p := s.c.engine.psk12
	var b strings.Builder
	if s.c.debug {
		fmt.Fprintf(&b, "psk_server_cb\nidentity_len=%d identity=%s\n", len(identity), identity)
	}
	if string(identity) != string(p.Identity) {
		fmt.Fprintf(&b, "PSK warning: client identity not what we expected (got '%s' expected '%s')\n", identity, p.Identity)
	} else if s.c.debug {
		b.WriteString("PSK client identity found\n")
	}
	if s.c.debug {
		fmt.Fprintf(&b, "fetched PSK len=%d\n", len(p.Key))
	}
	io.WriteString(s.out, b.String())
	return p.Key, nil
}

// serverName is openssl s_server's servername callback, which it sets
// only with -servername: the name that matches switches to -cert2's
// certificate ("Switching server context.") and is acknowledged; another
// name gets a warning unrecognized_name alert (TLS 1.0–1.2 only), or with
// -servername_fatal a fatal one. Without -servername no name is
// acknowledged, as openssl's server without the callback does.
func (s *server) serverName(tc *trackedConn, name string) (engine.SNIAnswer, error) {
	a, err := s.sniAnswer(tc, name)
	if err == nil && !a.NoALPN {
		s.writeALPNNote(tc)
	}
	return a, err
}

// writeALPNNote prints what openssl's ALPN callback (set by -alpn)
// prints as it runs, after the servername callback: the client's list
// and, when one of ours is in it, the choice (ours in our order, as the
// engine chooses).
func (s *server) writeALPNNote(tc *trackedConn) {
	if len(s.c.alpn) == 0 || s.c.quiet {
		return
	}
	h := tc.clientHello()
	if h == nil || len(h.ALPN) == 0 {
		return
	}
	note := fmt.Sprintf("ALPN protocols advertised by the client: %s\n", strings.Join(h.ALPN, ", "))
	for _, p := range s.c.alpn {
		if slices.Contains(h.ALPN, p) {
			note += fmt.Sprintf("ALPN protocols selected: %s\n", p)
			break
		}
	}
	io.WriteString(s.out, note)
}

// sniAnswer is serverName's answer to the name.
func (s *server) sniAnswer(tc *trackedConn, name string) (engine.SNIAnswer, error) {
	c := s.c
	if c.servername == "" || name == "" {
		return engine.SNIAnswer{}, nil
	}
	tc.sniSeen = name
	// openssl's callback prints as it runs, between the ClientHello's and
	// the ServerHello's -msg lines.
	switched := equalFoldASCII(name, c.servername) && len(s.tls.id.sni) > 0
	note := fmt.Sprintf("Hostname in TLS extension: %q\n", name)
	if switched {
		note += "Switching server context.\n"
	}
	io.WriteString(s.out, note)
	if !equalFoldASCII(name, c.servername) {
		if c.servernameFatal {
			return engine.SNIAnswer{}, alert.Faultf(alert.UnrecognizedName, "callback failed")
		}
		return engine.SNIAnswer{Warn: true}, nil
	}
	a := engine.SNIAnswer{Ack: true}
	tc.sniAcked = true
	if len(s.tls.id.sni) > 0 {
		// openssl's second context has no ALPN callback: the switched
		// connection negotiates none.
		a.Identities, a.NoALPN = s.tls.id.sni, true
		// Under -no_dhe it has no DH group either: -ssl_config's
		// DHParameters went to the first context only (measured with
		// 3.0.22: a DHE-only client naming -servername gets
		// handshake_failure, no shared cipher).
		a.NoDHParams = c.noDHE
		tc.sniSwitched = true
	}
	return a, nil
}

// engineHandshake runs a handshake on the engine; tc's observer is fed
// the engine's events and gives the ClientHello for the report.
func (s *server) engineHandshake(tc *trackedConn) (*engine.SnapshotConn, error) {
	t := engine.WithSnapshot(engine.Server(tc, s.engineConfig(tc)))
	tc.export = t.ExportKeyingMaterial
	tc.keyUpdate = t.KeyUpdate
	tc.requestCert = t.RequestClientCert
	err := t.Handshake()
	if err != nil && tc.ob != nil {
		tc.ob.HandshakeFailed()
	}
	if ch := tc.clientHello(); ch != nil {
		tc.hello = ch
	}
	return t, err
}
