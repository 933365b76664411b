package sclient

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync/atomic"
	"time"

	"github.com/tlskit/tlskit/internal/ct"
	"github.com/tlskit/tlskit/internal/engine"
	"github.com/tlskit/tlskit/internal/engine/suites"
	"github.com/tlskit/tlskit/internal/proxy"
	"github.com/tlskit/tlskit/internal/report"
	"github.com/tlskit/tlskit/internal/sslerr"
	"github.com/tlskit/tlskit/internal/starttls"
	"github.com/tlskit/tlskit/internal/tlsnames"
	"github.com/tlskit/tlskit/internal/transport"
	"github.com/tlskit/tlskit/internal/verify"
)

// crlFetchTimeout bounds each download of -crl_download.
var crlFetchTimeout = 10 * time.Second

// connectTimeout bounds a connect, a proxy exchange and a handshake, so an
// unreachable or silent peer gives an error instead of a hang.
var connectTimeout = 30 * time.Second

// conn is one established (or failed) TLS connection and what we learned.
type conn struct {
	raw net.Conn
	// wired is raw as the engine reads it: counted, shown by -debug.
	wired net.Conn
	tls   *engine.TLSConn
	// st is the connection's state as the handshake left it: taken once,
	// when it ended (only tickets come later, see onTicket), so reading
	// it never waits for a Read in progress.
	st engine.State
	// peer is the server's chain as st has it (on a TLS 1.2 resumption,
	// the session's).
	peer     []*x509.Certificate
	obs      *observer
	verified *verify.Result
	// shut is set once this client sent its close_notify on its own
	// (stdin's end, Q): what the reading goroutine takes in after it
	// (the server's close_notify) is not reported, as openssl leaves
	// without reading it.
	shut  atomic.Bool
	start time.Time
	// ocsp is the server's stapled OCSP response, for -status; ocspDue
	// says it is yet to be printed.
	ocsp    []byte
	ocspDue bool
	// externalPSK: the TLS 1.3 handshake was authenticated by -psk (or
	// -psk_session), not by a ticket.
	externalPSK bool
	// peerCerts are the certificates the server sent (none on a
	// resumption), kept for the report of a handshake that failed after
	// they arrived too.
	peerCerts []*x509.Certificate
}

// state is the connection's state: the handshake's once it completed,
// else as far as it went.
func (cn *conn) state() engine.State {
	if cn.st.HandshakeComplete || cn.tls == nil {
		return cn.st
	}
	return cn.tls.State()
}

// dial makes the transport connection: direct, through -proxy, or over a
// Unix socket; then runs the -starttls dialogue.
func (c *client) dial() (net.Conn, error) {
	s := c.set
	ctx, cancel := context.WithTimeout(context.Background(), connectTimeout)
	defer cancel()
	var nc net.Conn
	var err error
	switch {
	case s.network == "unix":
		nc, err = transport.Dial(ctx, s.unixPath, transport.DialOptions{Network: "unix"})
	case s.proxy != "":
		nc, err = proxy.Dial(s.proxy, net.JoinHostPort(s.host, s.port), proxy.Options{User: s.proxyUser, Pass: s.proxyPass, Timeout: connectTimeout})
	default:
		nc, err = transport.Dial(ctx, net.JoinHostPort(s.host, s.port), transport.DialOptions{Network: s.network, Bind: s.bind, Timeout: connectTimeout})
	}
	if err != nil {
		return nil, err
	}
	if s.engine != nil && s.engine.pskKey != nil && s.debug && !c.pskNoted {
		// Said once, as openssl sets up its callback before connecting.
		fmt.Fprintln(c.info, "PSK key given, setting client callback")
		c.pskNoted = true
	}
	fmt.Fprintf(c.info, "CONNECTED(%08X)\n", transport.FD(nc))
	if s.nbio {
		fmt.Fprintln(c.info, "Turned on non blocking io")
	}
	c.preRead, c.preWritten, c.starttlsEcho = 0, 0, nil
	if s.starttls != "" {
		cc := &countingConn{Conn: nc}
		echo := func(b []byte) { c.starttlsEcho = b }
		up, err := starttls.Upgrade(cc, s.starttls, starttls.Options{Name: s.starttlsName, Host: s.host, Warn: c.errw, Echo: echo})
		if err != nil {
			nc.Close()
			return nil, err
		}
		// openssl's socket BIO counts the dialogue too: its report's
		// "SSL handshake has read N bytes" includes it.
		c.preRead, c.preWritten = cc.read.Load(), cc.written.Load()
		nc = up
	}
	return nc, nil
}

// countingConn counts the bytes that cross it.
type countingConn struct {
	net.Conn
	read, written atomic.Int64
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.read.Add(int64(n))
	return n, err
}

func (c *countingConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.written.Add(int64(n))
	return n, err
}

// verifyConnection is the check of the server's chain, run once it
// arrived: openssl's servername complaint, the stapled OCSP response, the
// verification with its depth= lines, and the refusal of
// -verify_return_error.
func (c *client) verifyConnection(cn *conn) func(chain [][]byte, st *engine.State) error {
	s := c.set
	return func(chain [][]byte, st *engine.State) error {
		peer := engine.ParseChain(chain)
		cn.peerCerts = peer
		if s.status && !s.quiet && !st.Resumed {
			// openssl's status callback runs once the server's first
			// flight is in: printed at its end (see ocspDue).
			cn.ocsp, cn.ocspDue = st.OCSPResponse, true
		}
		vo := withIntermediates(s.verifyOpts, peer)
		if s.crlDownload {
			crls, errs := verify.DownloadCRLs(peer, crlFetchTimeout)
			for _, err := range errs {
				fmt.Fprintf(c.errw, "s_client: -crl_download: %v\n", err)
			}
			vo.CRLs = append(append([]*x509.RevocationList(nil), vo.CRLs...), crls...)
		}
		r := s.verifyPeer(peer, vo)
		cn.verified = &r
		if !st.Resumed {
			verify.WriteCallbackLines(c.errw, r, s.nameOpt, s.verifyQuiet)
		}
		if r.Stopped() || (r.Code != 0 && s.verifyReturn) {
			return sslerr.Errorf(sslerr.ServerCertVerifyFailed, "certificate verify failed: %s", verify.ErrorString(r.Code))
		}
		return nil
	}
}

func withIntermediates(o verify.Options, peer []*x509.Certificate) verify.Options {
	if len(peer) > 1 {
		o.Intermediates = append(append([]*x509.Certificate(nil), o.Intermediates...), peer[1:]...)
	}
	return o
}

// session assembles the report state for a connection.
func (c *client) session(cn *conn) *report.Session {
	s := c.set
	st := cn.state()
	rs := &report.Session{
		ShowCerts:   s.showCerts,
		NameOpt:     s.nameOpt,
		StartTime:   cn.start,
		Timeout:     7200,
		ALPNOffered: s.alpnOffered,
	}
	rs.Chain = cn.peer
	if cn.verified != nil {
		rs.VerifyCode = cn.verified.Code
		rs.VerifyError = verify.ErrorString(cn.verified.Code)
	}
	if st.Resumed && (len(rs.Chain) == 0 || cn.verified == nil) {
		// A resumption sends no certificate: openssl reports the
		// session's, and its verification result.
		if _, leaf, _ := s.engine.sess.get(); leaf != nil {
			if len(rs.Chain) == 0 {
				rs.Chain = []*x509.Certificate{leaf}
			}
			s.engine.sess.mu.Lock()
			rs.VerifyCode = s.engine.sess.verify
			s.engine.sess.mu.Unlock()
			rs.VerifyError = verify.ErrorString(rs.VerifyCode)
		}
	}
	if st.HandshakeComplete {
		rs.Version = tlsnames.VersionName(st.Version)
		rs.TLS13 = st.Version == engine.VersionTLS13
		if ci, ok := tlsnames.CipherByID(st.Suite); ok {
			rs.Cipher, rs.CipherVersion = ci.Name, ci.Version
			if rs.CipherVersion == "TLSv1" {
				// SSL_CIPHER_get_version says "TLSv1.0" where
				// `openssl ciphers -v` says "TLSv1".
				rs.CipherVersion = "TLSv1.0"
			}
		} else {
			rs.Cipher = fmt.Sprintf("0x%04X", st.Suite)
			rs.CipherVersion = rs.Version
		}
		rs.Resumed = st.Resumed
		rs.ALPN = st.ALPN
		if su, ok := suites.Lookup12(st.Suite); ok && su.Kx.PSK() && st.Version < engine.VersionTLS13 {
			rs.PSKIdentity, rs.PSKHint = string(st.PSKIdentity), string(st.PSKIdentityHint)
		}
		if st.Group != 0 {
			rs.TempKey = tlsnames.TempKeyString(st.Group)
		}
		if s.keymatLabel != "" {
			if m, err := cn.tls.ExportKeyingMaterial(s.keymatLabel, nil, s.keymatLen); err == nil {
				rs.KeyingMaterial = &report.Exported{Label: s.keymatLabel, Material: m}
			}
		}
		rs.OCSP = st.OCSPResponse
		if s.ct {
			rs.CT = c.ctReport(cn, st)
		}
		// A TLS 1.3 server always supports secure renegotiation's absence;
		// openssl 3.0 prints NOT for TLS 1.3.
		rs.SecureReneg = !rs.TLS13 && st.Version != 0
	}
	cn.obs.fill(rs, st)
	if st.HandshakeComplete && st.Version < engine.VersionTLS13 {
		c.fillReport12(rs, st)
	}
	if st.HandshakeComplete && st.Version == engine.VersionTLS13 {
		switch st.EarlyData {
		case engine.EarlyDataAccepted:
			rs.EarlyData = "accepted"
		case engine.EarlyDataRejected:
			rs.EarlyData = "rejected"
		}
	}
	if st.HandshakeComplete && st.Version < engine.VersionTLS12 && rs.PeerSigDigest == "" && len(rs.Chain) > 0 && hasServerKeyExchange(st.Suite) {
		// Before TLS 1.2 the ServerKeyExchange signature has a fixed
		// digest: MD5+SHA1 for RSA, SHA1 for ECDSA (RFC 4346 7.4.3).
		switch rs.Chain[0].PublicKeyAlgorithm {
		case x509.RSA:
			rs.PeerSigDigest, rs.PeerSigType = "MD5-SHA1", "RSA"
		case x509.ECDSA:
			rs.PeerSigDigest, rs.PeerSigType = "SHA1", "ECDSA"
		}
	}
	if s.verifyOpts.Hostname != "" && rs.VerifyCode == 0 && cn.verified != nil {
		// openssl names the certificate's name that matched ("*.example.com").
		rs.VerifiedPeername = cn.verified.PeerName
	}
	if s.keymatLabel != "" && rs.KeyingMaterial == nil && st.HandshakeComplete {
		// an exporter failure is reported as openssl does: no material
		rs.KeyingMaterial = &report.Exported{Label: s.keymatLabel, Failed: true, Length: s.keymatLen}
	}
	return rs
}

// hasServerKeyExchange reports whether a TLS <= 1.2 suite sends a signed
// ServerKeyExchange (the (EC)DHE suites do; RSA key exchange does not).
func hasServerKeyExchange(id uint16) bool {
	ci, ok := tlsnames.CipherByID(id)
	return ok && strings.Contains(ci.Name, "DHE-")
}

// printConnection writes the post-handshake report as openssl does; short
// is the shorter report of a -reconnect.
func (c *client) printConnection(cn *conn, short bool) {
	s := c.set
	c.writeSecDebug(cn)
	rs := c.session(cn)
	rs.Short = short
	switch {
	case s.brief:
		writeBrief(c.errw, rs)
	case !s.quiet:
		report.WriteConnection(c.info, rs)
	}
	// openssl then writes on stderr what it kept of the STARTTLS
	// dialogue (the last EHLO line for smtp…), after each handshake,
	// even under -quiet and -brief.
	c.errw.Write(c.starttlsEcho)
}

// writeBrief writes -brief's summary to stderr, in openssl 3.0's order:
// version, suite, the signature algorithms a CertificateRequest asked for,
// the peer and its verification, EC point formats (TLS <= 1.2), temp key.
// openssl prints no ALPN line here.
func writeBrief(w io.Writer, rs *report.Session) {
	var b strings.Builder
	b.WriteString("CONNECTION ESTABLISHED\n")
	fmt.Fprintf(&b, "Protocol version: %s\n", rs.Version)
	fmt.Fprintf(&b, "Ciphersuite: %s\n", rs.Cipher)
	if r := rs.CertRequest; r != nil && r.SigAlgs != "" {
		fmt.Fprintf(&b, "Requested Signature Algorithms: %s\n", r.SigAlgs)
	}
	if len(rs.Chain) > 0 {
		fmt.Fprintf(&b, "Peer certificate: %s\n", formatName(rs.Chain[0].RawSubject, rs))
		if rs.PeerSigDigest != "" {
			fmt.Fprintf(&b, "Hash used: %s\n", rs.PeerSigDigest)
		}
		if rs.PeerSigType != "" {
			fmt.Fprintf(&b, "Signature type: %s\n", rs.PeerSigType)
		}
		if rs.VerifyCode == 0 {
			b.WriteString("Verification: OK\n")
			if rs.VerifiedPeername != "" {
				fmt.Fprintf(&b, "Verified peername: %s\n", rs.VerifiedPeername)
			}
		} else {
			fmt.Fprintf(&b, "Verification error: %s\n", rs.VerifyError)
		}
	} else {
		b.WriteString("No peer certificate\n")
	}
	if rs.PointFormats != "" {
		fmt.Fprintf(&b, "Supported Elliptic Curve Point Formats: %s\n", rs.PointFormats)
	}
	if rs.TempKey != "" {
		fmt.Fprintf(&b, "Server Temp Key: %s\n", rs.TempKey)
	}
	io.WriteString(w, b.String())
}

// earlyDataTicket is the session's ticket when it allows early data:
// openssl then opens -early_data's file and writes it before the
// handshake.
func (c *client) earlyDataTicket() *engine.Ticket {
	if tk, _, _ := c.set.engine.sess.get(); tk != nil && tk.MaxEarlyData > 0 {
		return tk
	}
	return nil
}

// earlyDataUnreadable reports, once connected, an -early_data file that
// could not be read while the session allows early data: openssl says
// "Cannot open early data file", prints the report of the session it set
// and never used, and exits 1. Without such a session the file is never
// opened.
func (c *client) earlyDataUnreadable() bool {
	tk := c.earlyDataTicket()
	if c.set.engine.earlyDataErr == nil || tk == nil || c.sentEarly {
		return false
	}
	if !c.set.quiet && !c.set.brief {
		report.WriteConnection(c.info, c.unusedSessionReport(tk, nil))
	}
	fmt.Fprintln(c.errw, "Cannot open early data file")
	return true
}

// unusedSessionReport is the report of a connection that failed before
// the server answered, with a session set: openssl reports the session's
// version, cipher and server certificate (but "New", as none was reused).
func (c *client) unusedSessionReport(tk *engine.Ticket, cn *conn) *report.Session {
	s := c.set
	rs := &report.Session{NameOpt: s.nameOpt, ShowCerts: s.showCerts, Timeout: 7200, TLS13: true,
		Version: tlsnames.VersionName(engine.VersionTLS13), SessionCert: true}
	if cn != nil {
		rs.StartTime = cn.start
		rs.BytesRead, rs.BytesWritten = cn.obs.transferred()
	}
	if ci, ok := tlsnames.CipherByID(tk.Suite); ok {
		rs.Cipher, rs.CipherVersion = ci.Name, ci.Version
	}
	if _, leaf, _ := s.engine.sess.get(); leaf != nil {
		rs.Chain = []*x509.Certificate{leaf}
		s.engine.sess.mu.Lock()
		rs.VerifyCode = s.engine.sess.verify
		s.engine.sess.mu.Unlock()
		rs.VerifyError = verify.ErrorString(rs.VerifyCode)
	}
	return rs
}

// earlyWriteFailure reports whether err is one of the engine's refusals
// of -early_data's file before the handshake, where openssl's
// SSL_write_early_data fails and s_client says "Error writing early data".
func earlyWriteFailure(err error) bool {
	return errors.Is(err, engine.ErrTooMuchEarlyData) || errors.Is(err, engine.ErrEarlyDataSNI) ||
		errors.Is(err, engine.ErrEarlyDataALPN)
}

// printFailure reports a failed handshake: the error on stderr, then the
// report with "(NONE)" on stdout, as openssl does.
func (c *client) printFailure(cn *conn, err error) {
	if earlyWriteFailure(err) {
		// openssl's SSL_write_early_data failed before the handshake.
		fmt.Fprintln(c.errw, "Error writing early data")
		sslerr.FromError(err, sslerr.Client).Write(c.errw)
		if tk := c.earlyDataTicket(); tk != nil && !c.set.quiet && !c.set.brief {
			// openssl reports the session it set. Too much data fails
			// after the ClientHello went out, the data rejected; a
			// session this handshake does not continue, before it (only
			// the alert went out), the data not sent.
			rs := c.unusedSessionReport(tk, cn)
			if errors.Is(err, engine.ErrTooMuchEarlyData) {
				rs.EarlyData = "rejected"
			}
			report.WriteConnection(c.info, rs)
		}
		return
	}
	sslerr.FromError(err, sslerr.Client).Write(c.errw)
	if c.set.quiet || c.set.brief {
		return
	}
	rs := &report.Session{NameOpt: c.set.nameOpt, ShowCerts: c.set.showCerts, StartTime: cn.start, Timeout: 7200}
	cn.obs.fill(rs, engine.State{})
	if sum := cn.obs.w.Summary(); sum.Version == engine.VersionTLS13 && sum.CipherSuite != 0 {
		// A TLS 1.3 handshake that failed after the ServerHello: openssl's
		// session already has its version and suite, and it reports them.
		rs.Version, rs.TLS13 = tlsnames.VersionName(sum.Version), true
		if ci, ok := tlsnames.CipherByID(sum.CipherSuite); ok {
			rs.Cipher, rs.CipherVersion = ci.Name, ci.Version
		}
	} else if maxV := c.set.engine.hi; maxV < engine.VersionTLS13 {
		rs.NoneVersion = tlsnames.VersionName(maxV)
		// What the ServerHello said, if one came.
		sum := cn.obs.w.Summary()
		rs.SecureReneg, rs.EMS = sum.SecureRenegotiation, sum.ExtendedMasterSecret
	}
	verifyFailed := cn.verified != nil && (cn.verified.Stopped() || (cn.verified.Code != 0 && c.set.verifyReturn))
	if rs.TLS13 && !verifyFailed && len(cn.peerCerts) > 0 {
		// A TLS 1.3 handshake that failed once the server's certificate
		// was in (the certificate callback's failure, after its
		// CertificateVerify): openssl's session has the certificate and
		// its verification result (measured with -xchain_build).
		rs.Chain = cn.peerCerts
		if cn.verified != nil {
			rs.VerifyCode = cn.verified.Code
			rs.VerifyError = verify.ErrorString(cn.verified.Code)
		}
	}
	if cn.tls != nil && !verifyFailed {
		if st := cn.state(); st.Version >= engine.VersionTLS10 && st.Version <= engine.VersionTLS12 {
			// A TLS 1.0–1.2 handshake that failed after the ServerHello:
			// openssl's session has the negotiated version, what the
			// ServerHello and ServerKeyExchange said, and the server's
			// certificate with its verification result.
			rs.NoneVersion = tlsnames.VersionName(st.Version)
			rs.SecureReneg, rs.EMS = st.SecureRenegotiation, st.ExtendedMasterSecret
			// The ServerKeyExchange's signature scheme once it was
			// checked (openssl's peer_sigalg; measured: a TLS 1.2
			// -xchain_build failure at the CertificateRequest reports it).
			rs.PeerSigDigest, rs.PeerSigType = "", ""
			if sch := st.PeerSignatureScheme; sch != 0 {
				rs.PeerSigDigest, rs.PeerSigType = tlsnames.SigalgDigest(sch), tlsnames.SigalgType(sch)
			}
			if st.Group != 0 {
				rs.TempKey = tlsnames.TempKeyString(st.Group)
			} else if st.DHBits > 0 {
				rs.TempKey = fmt.Sprintf("DH, %d bits", st.DHBits)
			}
			if len(cn.peerCerts) > 0 {
				rs.Chain = cn.peerCerts
				if cn.verified != nil {
					rs.VerifyCode = cn.verified.Code
					rs.VerifyError = verify.ErrorString(cn.verified.Code)
				}
			}
			if ci, ok := tlsnames.CipherByID(st.Suite); ok && cn.obs.w.Summary().ChangeCipherSpecSent {
				// The client's ChangeCipherSpec went out (the server then
				// refused its certificate or Finished): openssl's session
				// has the suite and master secret from then on, and it
				// reports them as after a handshake (measured: openssl
				// s_server -Verify 1 and a client without a certificate,
				// and a wrong -psk).
				rs.NoneVersion = ""
				rs.Version, rs.Cipher, rs.CipherVersion = tlsnames.VersionName(st.Version), ci.Name, ci.Version
				if rs.CipherVersion == "TLSv1" {
					rs.CipherVersion = "TLSv1.0"
				}
				rs.MasterKey = st.MasterSecret
				if su, ok := suites.Lookup12(st.Suite); ok && su.Kx.PSK() {
					rs.PSKIdentity, rs.PSKHint = string(st.PSKIdentity), string(st.PSKIdentityHint)
				}
			}
		}
	}
	if cn.verified != nil && cn.verified.Code != 0 && len(rs.Chain) == 0 {
		// A chain that failed -verify_return_error: openssl lists what
		// the server sent, but has no verified peer certificate.
		rs.Received = cn.peerCerts
		// openssl stops at the certificate: the CertificateVerify the
		// observer may have seen in the same read was never processed.
		rs.PeerSigDigest, rs.PeerSigType = "", ""
		if !rs.TLS13 {
			// Nor the TLS 1.2 ServerKeyExchange (TLS 1.3's key share
			// came with the ServerHello).
			rs.TempKey = ""
		}
		rs.VerifyCode = cn.verified.Code
		rs.VerifyError = verify.ErrorString(cn.verified.Code)
	}
	report.WriteConnection(c.info, rs)
}

// ctReport is s_client -ct's block: the SCTs of the TLS extension, the
// staple and the certificate, each validated as openssl validates them
// once the chain verified with an issuer (else "not set"); openssl's -ct
// is permissive, so no status fails the handshake.
func (c *client) ctReport(cn *conn, st engine.State) string {
	var leaf, issuer *x509.Certificate
	if len(cn.peer) > 0 {
		leaf = cn.peer[0]
	}
	scts := ct.Collect(st.SCTList, st.OCSPResponse, leaf)
	var statuses []ct.Status
	if v := cn.verified; v != nil && v.Code == 0 && len(v.Chain) > 1 && leaf != nil {
		issuer = v.Chain[1]
		for i := range scts {
			statuses = append(statuses, ct.Check(&scts[i], leaf, issuer, c.set.ctLogs, time.Now()))
		}
	}
	var b strings.Builder
	ct.WriteReport(&b, scts, statuses, c.set.ctLogs)
	return b.String()
}
