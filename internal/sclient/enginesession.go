package sclient

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"

	"github.com/tlskit/tlskit/internal/engine"
	"github.com/tlskit/tlskit/internal/sslerr"
)

// A TLS 1.3 session of the engine is saved as openssl saves one
// (SSL SESSION PARAMETERS, see opensslSession): the resumption PSK as the
// master key, the ticket, its lifetime and age_add, the server's
// certificate, so that openssl resumes tlskit's sessions and tlskit
// resumes openssl's.

// writeSession13 writes tk as openssl's PEM session.
func writeSession13(path string, tk *engine.Ticket, leaf *x509.Certificate, verify int, group uint16) error {
	life := int64(tk.Lifetime / time.Second)
	o := opensslSession{
		Version: 1, SSLVersion: int(engine.VersionTLS13),
		Cipher:    []byte{byte(tk.Suite >> 8), byte(tk.Suite)},
		SessionID: sessionIDOf(tk.Ticket),
		MasterKey: tk.PSK, Time: tk.Received.Unix(), Timeout: life,
		SIDCtx:       []byte{},
		VerifyResult: int64(verify),
		LifetimeHint: life,
		Ticket:       tk.Ticket,
		AgeAdd:       int64(tk.AgeAdd),
		MaxEarlyData: int64(tk.MaxEarlyData),
		KexGroup:     kexGroup(group),
	}
	if leaf != nil {
		o.Peer = asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 3, IsCompound: true, Bytes: leaf.Raw}
	}
	o.setNames(tk.ServerName, tk.ALPN)
	o.setMaxFragLen(tk.MaxFragmentLength)
	der, err := asn1.Marshal(o)
	if err != nil {
		return fmt.Errorf("cannot save the session to %q: %v", path, err)
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: opensslSessionPEMType, Bytes: der}), 0o600); err != nil {
		return sessWriteError(path)
	}
	return nil
}

// setNames fills openssl's hostname ([6]) and alpn_selected ([16]):
// the server name the server acknowledged and the protocol it selected in
// the handshake that made the session, each left out when there is none
// (measured with openssl s_client 3.0: no hostname when the server did not
// acknowledge -servername's name, even though the client sent it).
func (o *opensslSession) setNames(host, alpn string) {
	if host != "" {
		o.Hostname = []byte(host)
	}
	if alpn != "" {
		der, _ := asn1.Marshal([]byte(alpn))
		o.ALPN = asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 16, IsCompound: true, Bytes: der}
	}
}

// setMaxFragLen fills openssl's max_fragment_len_mode ([17]): the
// max_fragment_length code the handshake negotiated (RFC 6066 §4: 1 for
// 512 bytes to 4 for 4096), left out when none was, as openssl s_client
// 3.0 writes it (measured: 2 after -maxfraglen 1024 at TLS 1.3, 1 after
// -maxfraglen 512 at TLS 1.2).
func (o *opensslSession) setMaxFragLen(code uint8) {
	if code != 0 {
		der, _ := asn1.Marshal(int(code))
		o.MaxFragLen = asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 17, IsCompound: true, Bytes: der}
	}
}

// maxFragLen is the session's max_fragment_len_mode, 0 when it has none
// or one that is no RFC 6066 code.
func (o *opensslSession) maxFragLen() uint8 {
	var code int
	if _, err := asn1.Unmarshal(o.MaxFragLen.Bytes, &code); err != nil || code < 1 || code > 4 {
		return 0
	}
	return uint8(code)
}

// alpn is the session's alpn_selected, "" when it has none (or it is not
// an OCTET STRING).
func (o *opensslSession) alpn() string {
	var p []byte
	if _, err := asn1.Unmarshal(o.ALPN.Bytes, &p); err != nil {
		return ""
	}
	return string(p)
}

// kexGroup is openssl's kex_group field ([19]): the handshake's key
// exchange group, 0 for none; openssl 3.0 writes it in every session
// (measured: X25519 29, after a HelloRetryRequest to P-384 24, an RSA key
// exchange 0).
func kexGroup(group uint16) asn1.RawValue {
	der, _ := asn1.Marshal(int(group))
	return asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 19, IsCompound: true, Bytes: der}
}

// sessionIDOf is the session ID openssl gives a TLS 1.3 ticket's
// session: the ticket's SHA-256.
func sessionIDOf(ticket []byte) []byte {
	id := sha256.Sum256(ticket)
	return id[:]
}

// sessionFileError is a -sess_in or -psk_session file that openssl
// could not use: open is false when the file opened but held no session
// (openssl's "Can't read" for -psk_session), entries are openssl's error
// queue for it.
type sessionFileError struct {
	open    bool
	entries []sslerr.Entry
}

func (e *sessionFileError) Error() string {
	if e.open {
		return "cannot open session file"
	}
	return "no session in file"
}

// lines are what openssl prints for e: the line it words for the option,
// then its queue.
func (e *sessionFileError) lines(first string) []string {
	return append([]string{first}, sslerr.Report{Entries: e.entries}.Lines()...)
}

// readOpenSSLSession reads the first SSL SESSION PARAMETERS block of a
// file. A file that does not open fails as openssl's BIO_new_file does; a
// directory or one with no such block, as PEM's "no start line".
func readOpenSSLSession(path string) (*opensslSession, error) {
	b, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, syscall.EISDIR) {
		return nil, &sessionFileError{open: true, entries: sslerr.BIONewFile(sslerr.Errno(err), path, "r")}
	}
	for rest := b; ; {
		var blk *pem.Block
		blk, rest = pem.Decode(rest)
		if blk == nil {
			return nil, &sessionFileError{entries: []sslerr.Entry{sslerr.PEMNoStartLine(opensslSessionPEMType)}}
		}
		if blk.Type != opensslSessionPEMType {
			continue
		}
		o, err := parseOpenSSLSession(blk.Bytes)
		if err != nil {
			return nil, fmt.Errorf("-sess_in file %q: malformed session", path)
		}
		return o, nil
	}
}

// readSessionFile reads a -sess_in file into the session to resume.
func readSessionFile(path string, sess *resumeSession) error {
	o, err := readOpenSSLSession(path)
	var fe *sessionFileError
	if errors.As(err, &fe) {
		// openssl's line whether the file did not open or held no
		// session.
		return &configError{fe.lines("Can't open session file " + path)}
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
func (sess *resumeSession) load(o *opensslSession) {
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
		Suite:        uint16(o.Cipher[0])<<8 | uint16(o.Cipher[1]),
		MaxEarlyData: uint32(o.MaxEarlyData),
		ALPN:         o.alpn(), ServerName: string(o.Hostname),
		MaxFragmentLength: o.maxFragLen(),
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
		id = sessionIDOf(s.Ticket)
	}
	o := opensslSession{
		Version: 1, SSLVersion: int(s.Version),
		Cipher:    []byte{byte(s.Suite >> 8), byte(s.Suite)},
		SessionID: id, MasterKey: s.MasterSecret,
		Time: s.Received.Unix(), Timeout: 7200,
		SIDCtx:       []byte{},
		VerifyResult: int64(verify),
		LifetimeHint: int64(s.LifetimeHint / time.Second),
		Ticket:       s.Ticket,
		KexGroup:     kexGroup(s.Group),
	}
	if s.ExtendedMasterSecret {
		o.Flags = flagEMS
	}
	if len(s.PSKIdentity) > 0 {
		o.PSKIdentity = s.PSKIdentity
	}
	if len(s.PSKIdentityHint) > 0 {
		o.PSKHint = s.PSKIdentityHint
	}
	if leaf != nil {
		o.Peer = asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 3, IsCompound: true, Bytes: leaf.Raw}
	}
	o.setNames(s.ServerName, s.ALPN)
	o.setMaxFragLen(s.MaxFragmentLength)
	der, err := asn1.Marshal(o)
	if err != nil {
		return fmt.Errorf("cannot save the session to %q: %v", path, err)
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: opensslSessionPEMType, Bytes: der}), 0o600); err != nil {
		return sessWriteError(path)
	}
	return nil
}

// readSession12 takes a TLS 1.0–1.2 session from openssl's format:
// resumed by its ticket when it has one, else by its session ID.
func readSession12(o *opensslSession, sess *resumeSession) {
	s := &engine.Session12{
		Version: uint16(o.SSLVersion), Suite: uint16(o.Cipher[0])<<8 | uint16(o.Cipher[1]),
		SessionID: o.SessionID, Ticket: o.Ticket, MasterSecret: o.MasterKey,
		LifetimeHint:         time.Duration(o.LifetimeHint) * time.Second,
		ExtendedMasterSecret: o.Flags&flagEMS != 0,
		Received:             time.Unix(o.Time, 0),
		PSKIdentity:          o.PSKIdentity, PSKIdentityHint: o.PSKHint,
		ALPN: o.alpn(), ServerName: string(o.Hostname),
		MaxFragmentLength: o.maxFragLen(),
	}
	if len(o.Peer.Bytes) > 0 {
		s.PeerChain = [][]byte{o.Peer.Bytes}
		if c, err := x509.ParseCertificate(o.Peer.Bytes); err == nil {
			sess.leaf = c
		}
	}
	var group int
	if _, err := asn1.Unmarshal(o.KexGroup.Bytes, &group); err == nil && group > 0 && group <= 0xffff {
		s.Group = uint16(group)
	}
	sess.sess12 = s
	sess.verify = int(o.VerifyResult)
}
