package sclient

import (
	"context"
	"crypto"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/tlskit/tlskit/internal/engine"
	"github.com/tlskit/tlskit/internal/engine/alert"
	"github.com/tlskit/tlskit/internal/opt"
	"github.com/tlskit/tlskit/internal/optgroups"
	"github.com/tlskit/tlskit/internal/report"
)

// ownSettings is what s_client hands tlskit's own engine beyond the
// crypto/tls configuration it shares with the other path.
type ownSettings struct {
	lo, hi      uint16
	tp          *optgroups.TLSParams
	psks        []engine.PSK
	pskIdentity string
	// sess is the session to resume: from -sess_in, then the last
	// ticket received.
	sess *ownSession
}

// chooseEngine decides which engine carries this run's connections (see
// engine.OwnCarries) and reads the options only the own engine honours,
// refusing them when crypto/tls carries the connection.
func chooseEngine(v *opt.Values, s *settings, tp *optgroups.TLSParams) error {
	tls13Only := len(tp.TLS13Options()) > 0 || v.Has("psk_session")
	if !engine.OwnCarries(tp.MinVersion, tp.MaxVersion, tls13Only) {
		var extra []string
		if v.Has("psk") {
			extra = append(extra, "-psk")
		}
		return tp.RefuseOwnEngineOptions(extra...)
	}
	o := &ownSettings{lo: max(tp.MinVersion, engine.OwnMinVersion), hi: tp.MaxVersion, tp: tp}
	// openssl's client names its PSK "Client_identity" unless told.
	o.pskIdentity = v.Str("psk_identity", "Client_identity")
	if k, ok := v.Get("psk"); ok {
		key, err := parsePSKHex(k)
		if err != nil {
			return err
		}
		o.psks = append(o.psks, engine.PSK{Identity: []byte(o.pskIdentity), Key: key})
	}
	if f, ok := v.Get("psk_session"); ok {
		p, err := readPSKSession(f, o.pskIdentity)
		if err != nil {
			return err
		}
		// openssl offers the session's key in place of -psk's.
		o.psks = []engine.PSK{p}
	}
	o.sess = &ownSession{}
	if s.sessIn != "" {
		if err := readOwnSession(s.sessIn, o.sess); err != nil {
			return err
		}
	}
	s.own = o
	return nil
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
// (openssl's psk_use_session_cb offers it under -psk_identity).
func readPSKSession(path, identity string) (engine.PSK, error) {
	o, err := readOpenSSLSession(path)
	if err != nil {
		return engine.PSK{}, &configError{[]string{fmt.Sprintf("Can't open PSK session file %s", path)}}
	}
	h := crypto.SHA256
	if len(o.Cipher) == 2 && uint16(o.Cipher[0])<<8|uint16(o.Cipher[1]) == tls.TLS_AES_256_GCM_SHA384 {
		h = crypto.SHA384
	}
	return engine.PSK{Identity: []byte(identity), Key: o.MasterKey, Hash: h}, nil
}

// ownSession is the TLS 1.3 session s_client resumes on the own engine:
// the last ticket and what openssl saves with it.
type ownSession struct {
	mu     sync.Mutex
	ticket *engine.Ticket
	leaf   *x509.Certificate // the server's certificate, for the report and the file
	verify int
	gen    int // counts tickets, for waitTicket
}

func (o *ownSession) get() (*engine.Ticket, *x509.Certificate, int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.ticket, o.leaf, o.gen
}

// engineConfig builds the own engine's configuration for one connection.
func (c *client) engineConfig(cn *conn, sess *ownSession) *engine.Config {
	s, o := c.set, c.set.own
	t := s.tls
	cfg := &engine.Config{
		MinVersion: o.lo, MaxVersion: o.hi,
		Suites13:          o.tp.Suites13,
		SignatureSchemes:  o.tp.Sigalgs,
		ClientAuthSchemes: o.tp.ClientSigalgs,
		ALPN:              t.NextProtos,
		ServerName:        s.sni,
		PSKs:              o.psks,
		AllowNoDHE:        o.tp.AllowNoDHE,
		RecordPadding:     o.tp.RecordPadding,
		NoMiddlebox:       o.tp.NoMiddlebox,
		RequestOCSP:       s.status,
	}
	for _, g := range t.CurvePreferences {
		cfg.Groups = append(cfg.Groups, uint16(g))
	}
	for _, kp := range t.Certificates {
		if k, ok := kp.PrivateKey.(crypto.Signer); ok && len(kp.Certificate) > 0 {
			cfg.Identities = append(cfg.Identities, engine.Identity{Chain: kp.Certificate, Key: k})
		}
	}
	if !t.SessionTicketsDisabled {
		if tk, _, _ := sess.get(); tk != nil {
			cfg.Session = tk
		}
	}
	if s.keyLog != nil {
		w := ignoreWriteErrors{s.keyLog}
		cfg.KeyLog = func(label string, random, secret []byte) {
			fmt.Fprintf(w, "%s %x %x\n", label, random, secret)
		}
	}
	cfg.OnEvent = cn.obs.w.Event
	verifyConn := c.verifyConnection(cn)
	cfg.VerifyPeer = func(chain [][]byte, st *engine.State) error {
		cs := engine.ConnectionStateOf(*st, engine.ParseChain(chain))
		if err := verifyConn(cs); err != nil {
			// openssl sends bad_certificate for a chain it refuses
			// here, as crypto/tls did; the error keeps openssl's line.
			return errors.Join(err, alert.BadCertificate)
		}
		return nil
	}
	cfg.OnTicket = func(tk engine.Ticket) { c.ownTicket(cn, sess, tk) }
	return cfg
}

// handshakeOwn runs the handshake on the own engine.
func (c *client) handshakeOwn(nc net.Conn, cn *conn) (*conn, error) {
	cn.obs.w.Events()
	sess := c.set.own.sess
	tc := engine.Seam(engine.Client(cn.obs.wrap(nc), c.engineConfig(cn, sess)))
	cn.tls = tc
	tc.SetDeadline(time.Now().Add(connectTimeout))
	err := tc.HandshakeContext(context.Background())
	tc.SetDeadline(time.Time{})
	return cn, err
}

// ownTicket takes a TLS 1.3 ticket as it arrives: it becomes the session
// to resume, is saved under -sess_out, and its session block is printed,
// as openssl prints one per ticket. It runs on the engine's reading
// goroutine, so it must not call the connection (its state was taken at
// the end of the handshake).
func (c *client) ownTicket(cn *conn, sess *ownSession, tk engine.Ticket) {
	defer func() {
		select {
		case c.ticket <- struct{}{}:
		default:
		}
	}()
	s := c.set
	sess.mu.Lock()
	sess.ticket = &tk
	sess.gen++
	if cert := cn.peerLeaf(); cert != nil {
		sess.leaf = cert
	}
	if cn.verified != nil {
		sess.verify = cn.verified.Code
	}
	leaf, verify := sess.leaf, sess.verify
	sess.mu.Unlock()
	if s.sessOut != "" {
		c.saveSession(func() error { return writeOwnSession(s.sessOut, &tk, leaf, verify, s.sni) })
	}
	if !s.quiet && !s.brief {
		rs := c.session(cn)
		rs.Ticket, rs.TicketLifetime, rs.ResumptionPSK = tk.Ticket, uint32(tk.Lifetime/time.Second), tk.PSK
		rs.StartTime = tk.Received
		// openssl names a TLS 1.3 ticket's session by the ticket's
		// SHA-256.
		id := sha256.Sum256(tk.Ticket)
		rs.SessionID = id[:]
		report.WriteTicketArrived(c.info, rs)
		// The read that took the ticket returned no data: openssl says so.
		fmt.Fprintln(c.info, "read R BLOCK")
	}
}

// peerLeaf is the server's certificate: the one it sent, or the resumed
// session's.
func (cn *conn) peerLeaf() *x509.Certificate {
	if len(cn.peerCerts) > 0 {
		return cn.peerCerts[0]
	}
	if cn.tls != nil {
		if pc := cn.tls.ConnectionState().PeerCertificates; len(pc) > 0 {
			return pc[0]
		}
	}
	return nil
}

// keyUpdater is a connection that sends KeyUpdate on request (the own
// engine's).
type keyUpdater interface{ KeyUpdate(requestPeer bool) error }

// exporter is a connection with its own RFC 5705/8446 exporter.
type exporter interface {
	ExportKeyingMaterial(label string, context []byte, length int) ([]byte, error)
}
