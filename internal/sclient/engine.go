package sclient

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"net"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tlskit/tlskit/internal/engine"
	"github.com/tlskit/tlskit/internal/engine/alert"
	"github.com/tlskit/tlskit/internal/engine/msg"
	"github.com/tlskit/tlskit/internal/engine/record"
	"github.com/tlskit/tlskit/internal/engine/sig"
	"github.com/tlskit/tlskit/internal/engine/suites"
	"github.com/tlskit/tlskit/internal/keylog"
	"github.com/tlskit/tlskit/internal/opt"
	"github.com/tlskit/tlskit/internal/optgroups"
	"github.com/tlskit/tlskit/internal/report"
	"github.com/tlskit/tlskit/internal/secdebug"
	"github.com/tlskit/tlskit/internal/sessfile"
	"github.com/tlskit/tlskit/internal/sslerr"
	"github.com/tlskit/tlskit/internal/verify"
)

// engineSettings is what s_client hands the engine: the shared
// TLS options and what only s_client has.
type engineSettings struct {
	lo, hi uint16
	tp     *optgroups.TLSParams
	// groups are -groups/-curves as the security level leaves them (nil:
	// the engine's defaults, openssl's).
	groups []uint16
	// identities are -ssl_config's certificates, -cert/-key and
	// -xcert/-xkey.
	identities []engine.Identity
	// current12 is the index in identities of openssl's current
	// certificate (-cert's, else the section's last), -1 without one;
	// with a section's certificates, a TLS 1.0-1.2 client offers it
	// and -xcert's alone.
	current12 int
	// sectionCerts: the section gave certificates. firstX is the index
	// of -xcert's in identities (len(identities) without).
	sectionCerts bool
	firstX       int
	// xcerts are the -xcerts, in order; xstore is the store their
	// chains are built from under -xchain_build: the chain store, else
	// the trust store.
	xcerts []xcert
	xstore []*x509.Certificate
	psks   []engine.PSK
	// pskKey is -psk's key, for the TLS 1.0–1.2 PSK suites (nil
	// without -psk, as openssl sets its PSK callback only then).
	pskKey      []byte
	pskIdentity string
	// noETM, fallbackSCSV and pha are -no_etm, -fallback_scsv and
	// -enable_pha.
	noETM, fallbackSCSV, pha bool
	// sess is the session to resume: from -sess_in, then the last
	// ticket received.
	sess *resumeSession
	// earlyData is -early_data's file, sent as 0-RTT data on the first
	// connection when its session's ticket allows it.
	earlyData []byte
	// earlyDataErr is why -early_data's file could not be read.
	earlyDataErr error
	// maxSendFrag is -max_send_frag (0: not given).
	maxSendFrag int
	// maxFragLen is -maxfraglen's max_fragment_length code (0: none).
	maxFragLen uint8
	// caNames are -requestCAfile's subjects (DER), in file order.
	caNames [][]byte
	// serverInfo are -serverinfo's extension types.
	serverInfo []uint16
}

// engineOptions reads the options the engine's configuration takes beyond
// the shared TLS options: -no_etm, -fallback_scsv, the PSKs, -sess_in.
// The engine carries every connection: TLS 1.0–1.3, openssl's
// default ClientHello.
func engineOptions(v *opt.Values, s *settings, tp *optgroups.TLSParams) error {
	o := &engineSettings{lo: tp.MinVersion, hi: tp.MaxVersion, tp: tp}
	o.noETM = v.Has("no_etm")
	o.fallbackSCSV = v.Has("fallback_scsv")
	o.pha = v.Has("enable_pha")
	if v.Has("max_send_frag") {
		n, err := optgroups.MaxSendFrag(v, "s_client")
		if err != nil {
			return err
		}
		o.maxSendFrag = n
	}
	if v.Has("maxfraglen") {
		n := v.Int("maxfraglen", 0)
		switch n {
		case 512, 1024, 2048, 4096:
			o.maxFragLen = uint8(bits.Len(uint(n)) - 9)
		default:
			// openssl's message has no newline before its hint.
			return &opt.UsageError{Lines: []string{fmt.Sprintf("Max Fragment Len %d is out of permitted valuess_client: Use -help for summary.", n)}}
		}
	}
	if l, ok := v.Get("serverinfo"); ok {
		o.serverInfo, s.warnings = serverInfoTypes(l)
	}
	if f, ok := v.Get("requestCAfile"); ok {
		names, err := requestCANames(f)
		if err != nil {
			return err
		}
		o.caNames = names
	} else if names, ok := optgroups.SectionCANames(v); ok {
		// -ssl_config's RequestCAFile, which -requestCAfile replaces.
		o.caNames = names
	}
	o.pskIdentity = v.Str("psk_identity", "Client_identity")
	if k, ok := v.Get("psk"); ok {
		key, err := parsePSKHex(k)
		if err != nil {
			return err
		}
		o.psks = append(o.psks, engine.PSK{Identity: []byte(o.pskIdentity), Key: key})
		o.pskKey = key
	}
	if f, ok := v.Get("psk_session"); ok {
		p, err := readPSKSession(f, o.pskIdentity)
		if err != nil {
			return err
		}
		// openssl offers the session's key in place of -psk's.
		o.psks = []engine.PSK{p}
	}
	if f, ok := v.Get("early_data"); ok {
		// openssl opens the file only once connected, and only when the
		// session allows early data (see earlyDataUnreadable).
		b, err := os.ReadFile(f)
		if b == nil {
			b = []byte{}
		}
		o.earlyData, o.earlyDataErr = b, err
	}
	o.sess = &resumeSession{}
	if s.sessIn != "" {
		if err := readSessionFile(s.sessIn, o.sess); err != nil {
			return err
		}
	}
	s.engine = o
	return nil
}

// pskClientKey is openssl s_client's PSK callback for the TLS 1.0–1.2
// PSK suites: -psk_identity and -psk's key, saying so under -debug. An
// empty hint is no hint to it (openssl keeps none). Its identity buffer
// holds PSK_MAX_IDENTITY_LEN bytes with the terminating NUL, so an
// identity of 256 bytes or more fails the callback: handshake_failure,
// "psk identity not found" (its "Error in PSK client callback" only
// under -debug, as openssl's).
func (c *client) pskClientKey(hint []byte) (identity, key []byte, err error) {
	o := c.set.engine
	var b strings.Builder
	if c.set.debug {
		b.WriteString("psk_client_cb\n")
		if len(hint) == 0 {
			b.WriteString("NULL received PSK identity hint, continuing anyway\n")
		} else {
			fmt.Fprintf(&b, "Received PSK identity hint '%s'\n", hint)
		}
	}
	if len(o.pskIdentity) >= engine.MaxPSKIdentityLen {
		io.WriteString(c.info, b.String())
		if c.set.debug {
			fmt.Fprintln(c.errw, "Error in PSK client callback")
		}
		return nil, nil, &sslerr.Error{Kind: sslerr.ClientPSKIdentityNotFound, Err: alert.HandshakeFailure}
	}
	if c.set.debug {
		fmt.Fprintf(&b, "created identity '%s' len=%d\n", o.pskIdentity, len(o.pskIdentity))
		fmt.Fprintf(&b, "created PSK len=%d\n", len(o.pskKey))
		io.WriteString(c.info, b.String())
	}
	return []byte(o.pskIdentity), o.pskKey, nil
}

// parsePSKHex reads -psk's hex as openssl does: a non-hex digit fails at
// start-up ("Not a hex number"), an odd length when the key is used.
func parsePSKHex(s string) ([]byte, error) {
	for _, r := range s {
		if !('0' <= r && r <= '9' || 'a' <= r && r <= 'f' || 'A' <= r && r <= 'F') {
			return nil, &configError{[]string{fmt.Sprintf("Not a hex number '%s'", s)}}
		}
	}
	key, err := hex.DecodeString(s)
	if err != nil || len(key) == 0 {
		return nil, &configError{[]string{fmt.Sprintf("Could not convert PSK key '%s' to buffer", s)}}
	}
	return key, nil
}

// readPSKSession reads -psk_session: an openssl SSL SESSION PARAMETERS
// file whose master key is the PSK and whose TLS 1.3 suite names its hash
// (openssl's psk_use_session_cb offers it under -psk_identity). A file
// that does not open is openssl's "Can't open PSK session file", one
// without a session "Can't read PSK session file", each with openssl's
// error queue.
func readPSKSession(path, identity string) (engine.PSK, error) {
	o, err := sessfile.ReadFile(path)
	var fe *sessfile.Error
	switch {
	case errors.As(err, &fe) && fe.Open:
		return engine.PSK{}, &configError{fe.Lines("Can't open PSK session file " + path)}
	case errors.As(err, &fe):
		return engine.PSK{}, &configError{fe.Lines("Can't read PSK session file " + path)}
	case err != nil:
		return engine.PSK{}, &configError{[]string{fmt.Sprintf("Can't read PSK session file %s", path)}}
	}
	h := crypto.SHA256
	if o.Suite() == suites.AES256GCMSHA384 {
		h = crypto.SHA384
	}
	return engine.PSK{Identity: []byte(identity), Key: o.MasterKey, Hash: h}, nil
}

// resumeSession is the session s_client resumes: the last
// TLS 1.3 ticket or TLS 1.0–1.2 session, and what openssl saves with it.
type resumeSession struct {
	mu     sync.Mutex
	ticket *engine.Ticket
	// sess12 is the TLS 1.0–1.2 session (by ticket, or by ID with
	// -no_ticket).
	sess12 *engine.Session12
	leaf   *x509.Certificate // the server's certificate, for the report and the file
	verify int
	gen    int // counts tickets, for waitTicket
}

func (o *resumeSession) get() (*engine.Ticket, *x509.Certificate, int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.ticket, o.leaf, o.gen
}

// engineConfig builds the engine's configuration for one connection.
func (c *client) engineConfig(cn *conn, sess *resumeSession) *engine.Config {
	s, o := c.set, c.set.engine
	cfg := &engine.Config{
		MinVersion: o.lo, MaxVersion: o.hi,
		Suites13:          o.tp.Suites13,
		Suites12:          o.tp.Suites12,
		NoTicket:          o.tp.NoTicket,
		NoEncryptThenMAC:  o.noETM,
		FallbackSCSV:      o.fallbackSCSV,
		PostHandshakeAuth: o.pha,
		MinDHBits:         minDHBits(s.secLevel),
		SecurityLevel:     s.secLevel,
		SignatureSchemes:  o.tp.Sigalgs,
		ClientAuthSchemes: o.tp.ClientSigalgs,
		ALPN:              o.tp.ALPN,
		ServerName:        s.sni,
		PSKs:              o.psks,
		AllowNoDHE:        o.tp.AllowNoDHE,
		RecordPadding:     o.tp.RecordPadding,
		PadClientHello:    o.tp.Bugs,
		NoEmptyFragments:  o.tp.NoEmptyFragments,
		MaxSendFragment:   o.maxSendFrag,
		MaxFragmentLength: o.maxFragLen,
		RequestCANames:    o.caNames,
		CustomExtensions:  o.serverInfo,

		RequireSecureRenegotiation: !o.tp.LegacyServerConnect,
		NoMiddlebox:                o.tp.NoMiddlebox,
		RequestOCSP:                s.status || s.ct, // -ct "also enables OCSP stapling"
		RequestSCT:                 s.ct,
	}
	if cfg.SignatureSchemes == nil && s.secLevel <= 0 && o.lo <= engine.VersionTLS12 {
		// At security level 0 openssl offers the SHA-1 schemes too.
		cfg.SignatureSchemes = sig.DefaultClient12SHA1
	}
	if o.pskKey != nil {
		cfg.PSK12 = &engine.PSK12{ClientKey: c.pskClientKey}
	}
	if len(o.serverInfo) > 0 {
		cfg.OnCustomExtension = func(t uint16, d []byte) { printServerInfo(c.info, t, d) }
	}
	cfg.Groups = o.groups
	cfg.Identities = o.identities
	if len(o.xcerts) > 0 {
		cfg.ClientCertificateHook = c.xcertHook(o.identities)
	}
	if o.sectionCerts {
		cfg.UseClientIdentities12 = true
		for i, id := range o.identities {
			if i == o.current12 || i >= o.firstX {
				cfg.ClientIdentities12 = append(cfg.ClientIdentities12, id)
			}
		}
	}
	// -no_ticket only keeps the session_ticket extension out of a TLS
	// 1.0-1.2 ClientHello: openssl 3.0 still offers, prints and keeps
	// TLS 1.3 tickets with it (measured: -sess_out writes the ticket,
	// -sess_in -no_ticket resumes with it).
	if tk, _, _ := sess.get(); tk != nil {
		cfg.Session = tk
	}
	if !c.sentEarly {
		// openssl sends -early_data's file on the first connection only.
		cfg.EarlyData, c.sentEarly = o.earlyData, true
		if o.earlyDataErr != nil {
			// Unreadable, and the session allows none (or there is no
			// session): openssl never opens it.
			cfg.EarlyData = nil
		}
	}
	sess.mu.Lock()
	cfg.Session12 = sess.sess12
	sess.mu.Unlock()
	if s.keyLog != nil {
		cfg.KeyLog = keylog.Func(s.keyLog)
	}
	cfg.OnEvent = c.secDebugEvents(cn, cn.obs.w.Event)
	if s.sni == "" && !s.noServername {
		// openssl's servername callback complains when no SNI went out,
		// on every handshake, as it runs: after a TLS 1.0–1.2 ServerHello
		// or the TLS 1.3 EncryptedExtensions (and its -msg line), before
		// -state's line, which the observer holds back until openssl's
		// state machine would move on.
		printEvent := cfg.OnEvent
		cfg.OnEvent = func(e engine.Event) {
			printEvent(e)
			if servernameCallbackRuns(e) {
				fmt.Fprintln(c.errw, "Can't use SSL_get_servername")
			}
		}
	}
	if !s.quiet && !s.brief {
		// The read that answered a post-handshake CertificateRequest
		// (RFC 8446 §4.6.2) returned no data: openssl says so after the
		// answer's Finished, as after a ticket. The handshake's Finished
		// is the first this client sends.
		var finished atomic.Int32
		prev := cfg.OnEvent
		cfg.OnEvent = func(e engine.Event) {
			prev(e)
			if e.Sent && e.ContentType == int(record.TypeHandshake) && len(e.Data) > 0 &&
				msg.Type(e.Data[0]) == msg.TypeFinished && finished.Add(1) > 1 {
				fmt.Fprintln(c.info, "read R BLOCK")
			}
			// So did the read that took a TLS 1.2 server's HelloRequest,
			// refused with a warning no_renegotiation (openssl s_client
			// -no_renegotiation, measured).
			if e.Sent && e.ContentType == int(record.TypeAlert) && len(e.Data) == 2 &&
				alert.Level(e.Data[0]) == alert.Warning && alert.Desc(e.Data[1]) == alert.NoRenegotiation {
				fmt.Fprintln(c.info, "read R BLOCK")
			}
		}
	}
	report := cfg.OnEvent
	cfg.OnEvent = func(e engine.Event) {
		if !e.Sent && cn.shut.Load() {
			return
		}
		report(e)
		if cn.ocspDue && serverFlightEnds(e) {
			// openssl's status callback runs when the server's first
			// flight is in: after its ServerHelloDone, or in TLS 1.3 its
			// Finished (measured with -status -msg), not as the
			// certificate arrives.
			cn.ocspDue = false
			writeOCSP(c.info, cn.ocsp)
		}
	}
	verifyConn := c.verifyConnection(cn)
	cfg.VerifyPeer = func(chain [][]byte, st *engine.State) error {
		if err := verifyConn(chain, st); err != nil {
			// openssl's alert for the verification's code; the error
			// keeps openssl's line.
			desc := alert.BadCertificate
			if cn.verified != nil {
				desc = verify.Alert(cn.verified.Code)
			}
			return errors.Join(err, desc)
		}
		return nil
	}
	cfg.OnTicket = func(tk engine.Ticket) { c.onTicket(cn, sess, tk) }
	return cfg
}

// serverFlightEnds reports whether e is the server's message that ends
// its first flight: a TLS 1.0-1.2 ServerHelloDone or a TLS 1.3 server's
// Finished (the only Finished a client receives that early).
func serverFlightEnds(e engine.Event) bool {
	if e.Sent || e.ContentType != int(record.TypeHandshake) || len(e.Data) < 4 {
		return false
	}
	t := msg.Type(e.Data[0])
	return t == msg.TypeServerHelloDone || t == msg.TypeFinished
}

// servernameCallbackRuns reports whether e is the received message after
// which openssl's client runs its servername callback: a TLS 1.0–1.2
// ServerHello (one without supported_versions) or the EncryptedExtensions.
func servernameCallbackRuns(e engine.Event) bool {
	if e.Sent || e.ContentType != int(record.TypeHandshake) || len(e.Data) < 4 {
		return false
	}
	switch msg.Type(e.Data[0]) {
	case msg.TypeEncryptedExtensions:
		return true
	case msg.TypeServerHello:
		sh, err := msg.ParseServerHello(e.Data[4:])
		return err == nil && !sh.Extensions.Has(msg.ExtSupportedVersions)
	}
	return false
}

// handshake runs the TLS handshake over nc, with our verifier and
// observer.
func (c *client) handshake(nc net.Conn) (*conn, error) {
	cn := &conn{raw: nc, start: time.Now()}
	cn.obs = newObserver(c, c.set)
	cn.obs.preRead, cn.obs.preWritten = c.preRead, c.preWritten
	sess := c.set.engine.sess
	cn.wired = cn.obs.wrap(nc)
	tc := engine.Client(cn.wired, c.engineConfig(cn, sess))
	cn.tls = tc
	tc.SetDeadline(time.Now().Add(connectTimeout))
	err := tc.Handshake()
	if err != nil {
		cn.obs.w.HandshakeFailed()
		// openssl reads a record at a time and stops at the failure:
		// its count is the records taken up, plus the header of a record
		// refused for its header alone. The engine's record layer reads
		// ahead of both.
		sum := cn.obs.w.Summary()
		cn.obs.failRead = sum.RecordBytesRead
		if e := sslerr.FromError(err, sslerr.Client).Entries; len(e) > 0 && e[0].Func == "ssl3_get_record" {
			cn.obs.failRead += min(record.HeaderLen, sum.BytesRead-sum.RecordBytesRead)
		}
	}
	tc.SetDeadline(time.Time{})
	if err == nil {
		cn.st = tc.State()
		cn.peer = engine.ParseChain(cn.st.PeerChain)
		cn.externalPSK = cn.st.Version == engine.VersionTLS13 && cn.st.Resumed &&
			slices.ContainsFunc(c.set.engine.psks, func(p engine.PSK) bool { return bytes.Equal(p.Identity, cn.st.PSKIdentity) })
	}
	if err == nil {
		if st := cn.st; st.Session12 != nil {
			// A TLS 1.0–1.2 session exists at the end of the handshake:
			// -reconnect resumes it.
			sess.mu.Lock()
			sess.sess12 = st.Session12
			if len(cn.peerCerts) > 0 {
				sess.leaf = cn.peerCerts[0]
			}
			if cn.verified != nil {
				sess.verify = cn.verified.Code
			}
			sess.mu.Unlock()
		}
	}
	return cn, err
}

// minDHBits is the smallest DHE group openssl accepts at a security
// level (SSL_CTX_set_security_level(3): 1024, 2048, 3072, 7680 and
// 15360 bits for levels 1–5; level 0 takes what the engine can use).
func minDHBits(level int) int {
	switch {
	case level <= 0:
		return 512
	case level == 1:
		return 1024
	case level == 2:
		return 2048
	case level == 3:
		return 3072
	case level == 4:
		return 7680
	}
	return 15360
}

// onTicket takes a TLS 1.3 ticket as it arrives: it becomes the session
// to resume, is saved under -sess_out, and its session block is printed,
// as openssl prints one per ticket. It runs on the engine's reading
// goroutine, so it must not call the connection (its state was taken at
// the end of the handshake).
func (c *client) onTicket(cn *conn, sess *resumeSession, tk engine.Ticket) {
	defer func() {
		select {
		case c.ticket <- struct{}{}:
		default:
		}
	}()
	s := c.set
	if c.ticketsStopped.Load() {
		return
	}
	if s.secDebug != nil {
		secdebug.WriteClientTicket(c.errw, *s.secDebug)
	}
	sess.mu.Lock()
	sess.ticket = &tk
	sess.gen++
	leaf, code := sess.notePeerLocked(cn)
	sess.mu.Unlock()
	var saveErr error
	if s.sessOut != "" {
		saveErr = c.trySaveSession(func() error { return writeSession13(s.sessOut, &tk, leaf, code, cn.st.Group) })
	}
	if saveErr != nil {
		// openssl prints the ticket's session, then the failure; its
		// system error, left in the error queue, fails the read that
		// took the ticket (SSL_ERROR_SYSCALL): "read:errno=N", the
		// session ends and N is the exit code (measured with 3.0 and a
		// missing directory: read:errno=2, exit 2, no more tickets).
		defer func() {
			reportSessionError(c.errw, saveErr)
			var we *sessWriteError
			if errors.As(saveErr, &we) {
				c.ticketsStopped.Store(true)
				select {
				case c.ticketFailed <- we.errno:
				default:
				}
			}
		}()
	}
	if !s.quiet && !s.brief {
		rs := c.session(cn)
		rs.Ticket, rs.TicketLifetime, rs.ResumptionPSK = tk.Ticket, uint32(tk.Lifetime/time.Second), tk.PSK
		rs.MaxEarlyData = tk.MaxEarlyData
		rs.StartTime = tk.Received
		rs.VerifyCode, rs.VerifyError = code, verify.ErrorString(code)
		if life := int(tk.Lifetime / time.Second); life > 0 && life < rs.Timeout {
			// openssl's session times out with its ticket when that is
			// sooner (measured: a lifetime of 304 s gives "Timeout   :
			// 304 (sec)", 604800 s leaves 7200).
			rs.Timeout = life
		}
		// openssl names a TLS 1.3 ticket's session by the ticket's
		// SHA-256.
		rs.SessionID = sessfile.IDOfTicket(tk.Ticket)
		report.WriteTicketArrived(c.info, rs)
		if saveErr == nil {
			// The read that took the ticket returned no data: openssl
			// says so.
			fmt.Fprintln(c.info, "read R BLOCK")
		}
	}
}

// notePeerLocked keeps cn's server certificate (when it has one) and
// verify result (when it was verified) in the session, for the report
// and the -sess_out file, and returns what the session then holds.
// o.mu is held.
func (o *resumeSession) notePeerLocked(cn *conn) (*x509.Certificate, int) {
	if leaf := cn.peerLeaf(); leaf != nil {
		o.leaf = leaf
	}
	if cn.verified != nil {
		o.verify = cn.verified.Code
	} else if cn.externalPSK {
		// openssl's session for an external PSK is a new one, never
		// verified (X509_V_ERR_UNSPECIFIED), and the tickets of that
		// handshake inherit it.
		o.verify = verify.ErrUnspecified
	}
	return o.leaf, o.verify
}

// peerLeaf is the server's certificate: the one it sent, or the resumed
// session's.
func (cn *conn) peerLeaf() *x509.Certificate {
	if len(cn.peerCerts) > 0 {
		return cn.peerCerts[0]
	}
	if len(cn.peer) > 0 {
		return cn.peer[0]
	}
	return nil
}

// fillReport12 adds what a TLS 1.0–1.2 connection of the engine knows
// and the event stream does not carry: the master secret, a DHE group's
// size, and the ticket of a session resumed without a new one.
func (c *client) fillReport12(rs *report.Session, st engine.State) {
	rs.MasterKey = st.MasterSecret
	if st.Group == 0 && st.DHBits > 0 {
		rs.TempKey = fmt.Sprintf("DH, %d bits", st.DHBits)
	}
	rs.SecureReneg, rs.EMS = st.SecureRenegotiation, st.ExtendedMasterSecret
	if sess := st.Session12; sess != nil && len(rs.Ticket) == 0 && len(sess.Ticket) > 0 && !c.set.engine.tp.NoTicket {
		// A session resumed by ticket shows the ticket, as openssl's
		// session keeps it.
		rs.Ticket, rs.TicketLifetime = sess.Ticket, uint32(sess.LifetimeHint/time.Second)
	}
	if len(rs.Ticket) > 0 {
		// openssl names a session that has a ticket by the ticket's
		// SHA-256, in TLS 1.2 as in TLS 1.3.
		rs.SessionID = sessfile.IDOfTicket(rs.Ticket)
	}
}

// saveSession12 writes the TLS 1.0–1.2 session the handshake left to
// -sess_out.
func (c *client) saveSession12(cn *conn) {
	sess := c.set.engine.sess
	sess.mu.Lock()
	s12 := sess.sess12
	leaf, verify := sess.notePeerLocked(cn)
	sess.mu.Unlock()
	if s12 == nil {
		return
	}
	c.saveSession(func() error { return writeSession12(c.set.sessOut, s12, leaf, verify) })
}

// requestCANames reads -requestCAfile as openssl's
// SSL_add_file_cert_subjects_to_stack does (optgroups.LoadCANames); a
// file that cannot be opened is "Error loading CA names".
func requestCANames(path string) ([][]byte, error) {
	names, lines, err := optgroups.LoadCANames(nil, path)
	if err != nil {
		return nil, &configError{append([]string{"Error loading CA names"}, lines...)}
	}
	return names, nil
}

// serverInfoTypes reads -serverinfo's comma-separated types as openssl
// does (atoi, at most 100, kept as 16 bits). A type the engine handles
// itself, or one already listed, is skipped with openssl's warning;
// signed_certificate_timestamp (18) is allowed, as in openssl.
func serverInfoTypes(list string) (types []uint16, warnings []string) {
	for i, f := range strings.Split(list, ",") {
		if i == 100 {
			break
		}
		t := uint16(opt.Atoi(f))
		if msg.OpenSSLReserves(msg.ExtType(t)) || slices.Contains(types, t) {
			warnings = append(warnings, fmt.Sprintf("Warning: Unable to add custom extension %d, skipping", t))
			continue
		}
		types = append(types, t)
	}
	return types, warnings
}

// printServerInfo prints a server's answer to a -serverinfo type as
// openssl does: a PEM block "SERVERINFO FOR EXTENSION N" holding the
// type, the length and the data.
func printServerInfo(w io.Writer, typ uint16, data []byte) {
	b := make([]byte, 0, 4+len(data))
	b = append(b, byte(typ>>8), byte(typ), byte(len(data)>>8), byte(len(data)))
	b = append(b, data...)
	pem.Encode(w, &pem.Block{Type: fmt.Sprintf("SERVERINFO FOR EXTENSION %d", typ), Bytes: b})
}
