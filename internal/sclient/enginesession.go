package sclient

import (
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/tlskit/tlskit/internal/engine"
	"github.com/tlskit/tlskit/internal/sessfile"
	"github.com/tlskit/tlskit/internal/sslerr"
)

// A TLS 1.3 session of the engine is saved as openssl saves one
// (sessfile.Session): the resumption PSK as the master key, the ticket,
// its lifetime and age_add, the server's certificate, so that openssl
// resumes tlskit's sessions and tlskit resumes openssl's.

// writeSession13 writes tk as openssl's PEM session.
func writeSession13(path string, tk *engine.Ticket, leaf *x509.Certificate, verify int, group uint16) error {
	life := int64(tk.Lifetime / time.Second)
	o := sessfile.Session{
		Version: 1, SSLVersion: int(engine.VersionTLS13),
		SessionID: sessfile.IDOfTicket(tk.Ticket),
		MasterKey: tk.PSK, Time: tk.Received.Unix(), Timeout: life,
		SIDCtx:       []byte{},
		VerifyResult: int64(verify),
		LifetimeHint: life,
		Ticket:       tk.Ticket,
		AgeAdd:       int64(tk.AgeAdd),
		MaxEarlyData: int64(tk.MaxEarlyData),
	}
	o.SetSuite(tk.Suite)
	// openssl s_client 3.0 writes kex_group in every session (measured:
	// X25519 29, after a HelloRetryRequest to P-384 24, an RSA key
	// exchange 0).
	o.SetKexGroup(group)
	setCommon(&o, leaf, tk.ServerName, tk.ALPN, tk.MaxFragmentLength)
	return writeSessionFile(path, &o)
}

// setCommon fills what sessions of every version carry: the server's
// certificate; the server name the server acknowledged and the protocol
// it selected, each left out when there is none (measured with openssl
// s_client 3.0: no hostname when the server did not acknowledge
// -servername's name, even though the client sent it); the
// max_fragment_length code the handshake negotiated, left out when none
// was (measured: 2 after -maxfraglen 1024 at TLS 1.3, 1 after -maxfraglen
// 512 at TLS 1.2).
func setCommon(o *sessfile.Session, leaf *x509.Certificate, host, alpn string, mfl uint8) {
	if leaf != nil {
		o.SetPeer(leaf.Raw)
	}
	if host != "" {
		o.Hostname = []byte(host)
	}
	o.SetALPN(alpn)
	o.SetMaxFragLen(mfl)
}

// writeSessionFile writes o to -sess_out's path.
func writeSessionFile(path string, o *sessfile.Session) error {
	b, err := o.EncodePEM()
	if err != nil {
		return fmt.Errorf("cannot save the session to %q: %v", path, err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return &sessWriteError{path: path, errno: sslerr.Errno(err)}
	}
	return nil
}

// readSessionFile reads a -sess_in file into the session to resume.
func readSessionFile(path string, sess *resumeSession) error {
	o, err := sessfile.ReadFile(path)
	var fe *sessfile.Error
	if errors.As(err, &fe) {
		// openssl's line whether the file did not open or held no
		// session.
		return &configError{fe.Lines("Can't open session file " + path)}
	}
	if err != nil {
		return err
	}
	sess.load(o)
	return nil
}

// load takes the session to resume from openssl's format: a TLS 1.3
// ticket, or a TLS 1.0–1.2 session. One without a master key, or a TLS
// 1.3 one without a ticket, gives nothing to resume: the handshake is
// then a full one, as openssl's would be.
func (sess *resumeSession) load(o *sessfile.Session) {
	if len(o.MasterKey) == 0 {
		return
	}
	if o.SSLVersion < int(engine.VersionTLS13) {
		readSession12(o, sess)
		return
	}
	if len(o.Ticket) == 0 {
		return
	}
	life := o.LifetimeHint
	if life == 0 {
		life = o.Timeout
	}
	tk := &engine.Ticket{
		Lifetime: time.Duration(life) * time.Second, AgeAdd: uint32(o.AgeAdd),
		Ticket: o.Ticket, PSK: o.MasterKey, Received: time.Unix(o.Time, 0),
		Suite:        o.Suite(),
		MaxEarlyData: uint32(o.MaxEarlyData),
		ALPN:         o.ALPNString(), ServerName: string(o.Hostname),
		MaxFragmentLength: o.MaxFragLenCode(),
	}
	sess.ticket = tk
	if len(o.Peer.Bytes) > 0 {
		if c, err := x509.ParseCertificate(o.Peer.Bytes); err == nil {
			sess.leaf = c
		}
	}
	sess.verify = int(o.VerifyResult)
}

// writeSession12 writes a TLS 1.0–1.2 session of the engine as
// openssl's PEM session: the master secret, the server's session ID (or,
// with a ticket, the ticket's SHA-256, as openssl names it), the ticket
// and its lifetime hint, the EMS flag, the server's certificate and a PSK
// suite's identity and hint (none is left out, as openssl leaves it).
func writeSession12(path string, s *engine.Session12, leaf *x509.Certificate, verify int) error {
	id := s.SessionID
	if len(s.Ticket) > 0 {
		id = sessfile.IDOfTicket(s.Ticket)
	}
	o := sessfile.Session{
		Version: 1, SSLVersion: int(s.Version),
		SessionID: id, MasterKey: s.MasterSecret,
		Time: s.Received.Unix(), Timeout: 7200,
		SIDCtx:       []byte{},
		VerifyResult: int64(verify),
		LifetimeHint: int64(s.LifetimeHint / time.Second),
		Ticket:       s.Ticket,
	}
	o.SetSuite(s.Suite)
	o.SetKexGroup(s.Group)
	if s.ExtendedMasterSecret {
		o.Flags = sessfile.FlagEMS
	}
	if len(s.PSKIdentity) > 0 {
		o.PSKIdentity = s.PSKIdentity
	}
	if len(s.PSKIdentityHint) > 0 {
		o.PSKHint = s.PSKIdentityHint
	}
	setCommon(&o, leaf, s.ServerName, s.ALPN, s.MaxFragmentLength)
	return writeSessionFile(path, &o)
}

// readSession12 takes a TLS 1.0–1.2 session from openssl's format:
// resumed by its ticket when it has one, else by its session ID.
func readSession12(o *sessfile.Session, sess *resumeSession) {
	s := &engine.Session12{
		Version: uint16(o.SSLVersion), Suite: o.Suite(),
		SessionID: o.SessionID, Ticket: o.Ticket, MasterSecret: o.MasterKey,
		LifetimeHint:         time.Duration(o.LifetimeHint) * time.Second,
		ExtendedMasterSecret: o.Flags&sessfile.FlagEMS != 0,
		Received:             time.Unix(o.Time, 0),
		PSKIdentity:          o.PSKIdentity, PSKIdentityHint: o.PSKHint,
		ALPN: o.ALPNString(), ServerName: string(o.Hostname),
		MaxFragmentLength: o.MaxFragLenCode(),
		Group:             o.KexGroupID(),
	}
	if len(o.Peer.Bytes) > 0 {
		s.PeerChain = [][]byte{o.Peer.Bytes}
		if c, err := x509.ParseCertificate(o.Peer.Bytes); err == nil {
			sess.leaf = c
		}
	}
	sess.sess12 = s
	sess.verify = int(o.VerifyResult)
}
