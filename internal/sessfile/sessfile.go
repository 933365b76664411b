// Package sessfile reads and writes openssl's session files (PEM "SSL
// SESSION PARAMETERS" over the ASN.1 SSL_SESSION encoding), for s_client's
// -sess_in/-sess_out and both commands' -psk_session, and words a file it
// cannot use as openssl 3.0's error queue does.
package sessfile

import (
	"crypto/sha256"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"io"
	"os"
	"syscall"

	"github.com/tlskit/tlskit/internal/sslerr"
)

// PEMType labels a session in a PEM file, as openssl names it.
const PEMType = "SSL SESSION PARAMETERS"

// FlagEMS is openssl's session flag for an extended master secret
// (SSL_SESS_FLAG_EXTMS).
const FlagEMS = 1

// Session is openssl's SSL_SESSION encoding, field for field in
// openssl's order. A field left at its zero value is left out when it is
// marshalled (an empty but non-nil SIDCtx is written, as openssl writes
// it); Peer, ALPN, MaxFragLen and KexGroup are raw so that a writer
// chooses whether they appear (see SetALPN, SetMaxFragLen, SetKexGroup).
type Session struct {
	Version      int
	SSLVersion   int
	Cipher       []byte
	SessionID    []byte
	MasterKey    []byte
	KeyArg       asn1.RawValue `asn1:"tag:0,optional"`
	Time         int64         `asn1:"explicit,tag:1,optional"`
	Timeout      int64         `asn1:"explicit,tag:2,optional"`
	Peer         asn1.RawValue `asn1:"tag:3,optional"` // [3] EXPLICIT Certificate: the certificate is Peer.Bytes
	SIDCtx       []byte        `asn1:"explicit,tag:4,optional"`
	VerifyResult int64         `asn1:"explicit,tag:5,optional"`
	Hostname     []byte        `asn1:"explicit,tag:6,optional"`
	PSKHint      []byte        `asn1:"explicit,tag:7,optional"`
	PSKIdentity  []byte        `asn1:"explicit,tag:8,optional"`
	LifetimeHint int64         `asn1:"explicit,tag:9,optional"`
	Ticket       []byte        `asn1:"explicit,tag:10,optional"`
	CompID       asn1.RawValue `asn1:"explicit,tag:11,optional"`
	SRPUser      asn1.RawValue `asn1:"explicit,tag:12,optional"`
	Flags        int64         `asn1:"explicit,tag:13,optional"`
	AgeAdd       int64         `asn1:"explicit,tag:14,optional"`
	MaxEarlyData int64         `asn1:"explicit,tag:15,optional"`
	ALPN         asn1.RawValue `asn1:"explicit,tag:16,optional"`
	MaxFragLen   asn1.RawValue `asn1:"explicit,tag:17,optional"`
	AppData      asn1.RawValue `asn1:"explicit,tag:18,optional"`
	KexGroup     asn1.RawValue `asn1:"explicit,tag:19,optional"`
}

// Suite is the session's cipher suite; a parsed session always has one.
func (s *Session) Suite() uint16 {
	if len(s.Cipher) != 2 {
		return 0
	}
	return uint16(s.Cipher[0])<<8 | uint16(s.Cipher[1])
}

// SetSuite sets the session's cipher suite.
func (s *Session) SetSuite(suite uint16) { s.Cipher = []byte{byte(suite >> 8), byte(suite)} }

// SetPeer sets the peer's certificate (its DER), nil for none.
func (s *Session) SetPeer(der []byte) {
	s.Peer = asn1.RawValue{}
	if der != nil {
		s.Peer = asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 3, IsCompound: true, Bytes: der}
	}
}

// SetALPN fills alpn_selected ([16]), left out for "".
func (s *Session) SetALPN(alpn string) {
	s.ALPN = asn1.RawValue{}
	if alpn != "" {
		der, _ := asn1.Marshal([]byte(alpn))
		s.ALPN = asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 16, IsCompound: true, Bytes: der}
	}
}

// ALPNString is the session's alpn_selected, "" when it has none.
func (s *Session) ALPNString() string {
	var p []byte
	if _, err := asn1.Unmarshal(s.ALPN.Bytes, &p); err != nil {
		return ""
	}
	return string(p)
}

// SetMaxFragLen fills max_fragment_len_mode ([17]) with an RFC 6066 §4
// code (1 for 512 bytes to 4 for 4096), left out for 0.
func (s *Session) SetMaxFragLen(code uint8) {
	s.MaxFragLen = asn1.RawValue{}
	if code != 0 {
		der, _ := asn1.Marshal(int(code))
		s.MaxFragLen = asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 17, IsCompound: true, Bytes: der}
	}
}

// MaxFragLenCode is the session's max_fragment_len_mode, 0 when it has
// none or one that is no RFC 6066 code.
func (s *Session) MaxFragLenCode() uint8 {
	var code int
	if _, err := asn1.Unmarshal(s.MaxFragLen.Bytes, &code); err != nil || code < 1 || code > 4 {
		return 0
	}
	return uint8(code)
}

// SetKexGroup fills kex_group ([19]) with the handshake's key exchange
// group, 0 included (openssl s_client 3.0 writes it in every session).
func (s *Session) SetKexGroup(group uint16) {
	der, _ := asn1.Marshal(int(group))
	s.KexGroup = asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 19, IsCompound: true, Bytes: der}
}

// KexGroupID is the session's kex_group, 0 when it has none.
func (s *Session) KexGroupID() uint16 {
	var g int
	if _, err := asn1.Unmarshal(s.KexGroup.Bytes, &g); err != nil || g <= 0 || g > 0xffff {
		return 0
	}
	return uint16(g)
}

// IDOfTicket is the session ID openssl gives a session resumed by a
// ticket: the ticket's SHA-256.
func IDOfTicket(ticket []byte) []byte {
	id := sha256.Sum256(ticket)
	return id[:]
}

// Marshal is s's DER.
func (s *Session) Marshal() ([]byte, error) { return asn1.Marshal(*s) }

// EncodePEM is s as openssl writes a session file.
func (s *Session) EncodePEM() ([]byte, error) {
	der, err := s.Marshal()
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: PEMType, Bytes: der}), nil
}

// Error is a session file openssl could not use: Open is true when it
// did not open (BIO_new_file's failure), false when it opened but gave no
// session; Entries are openssl's error queue for it, possibly none.
type Error struct {
	Open    bool
	Entries []sslerr.Entry
}

func (e *Error) Error() string {
	if e.Open {
		return "sessfile: cannot open session file"
	}
	return "sessfile: no session in file"
}

// Lines are what openssl prints for e: the command's own first line
// (e.g. "Can't open session file x"), then the queue.
func (e *Error) Lines(first string) []string {
	return append([]string{first}, sslerr.Report{Entries: e.Entries}.Lines()...)
}

// ReadFile reads the first session of a PEM file as openssl's
// PEM_read_bio_SSL_SESSION does. A file that does not open fails as
// BIO_new_file does; a directory opens and reads as empty. Every failure
// is an *Error. At most MaxFile bytes are read: a session is a few
// kilobytes, and a path such as /dev/zero must not grow memory without
// end (what follows the limit is not looked at).
func ReadFile(path string) (*Session, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &Error{Open: true, Entries: sslerr.BIONewFile(sslerr.Errno(err), path, "r")}
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxFile))
	if err != nil && !errors.Is(err, syscall.EISDIR) {
		return nil, &Error{Open: true, Entries: sslerr.BIONewFile(sslerr.Errno(err), path, "r")}
	}
	return Decode(b)
}

// MaxFile is the most of a session file ReadFile reads.
const MaxFile = 4 << 20

// Decode reads the first session of PEM text: the first block labelled
// PEMType (blocks before it must be well formed), its DER parsed as
// openssl's d2i_SSL_SESSION parses it. Every failure is an *Error.
func Decode(text []byte) (*Session, error) {
	der, err := readPEM(text, PEMType)
	if err != nil {
		return nil, err
	}
	if len(der) == 0 {
		// openssl fails on an empty block without a word.
		return nil, &Error{}
	}
	s, entries := parse(der)
	if entries != nil {
		return nil, &Error{Entries: append(entries, pemASN1Lib)}
	}
	return s, nil
}
