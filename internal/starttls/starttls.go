// Package starttls speaks the plaintext part of the protocols that upgrade a
// connection to TLS in-band (SMTP, IMAP, XMPP, PostgreSQL, LDAP and the rest
// of `openssl s_client -starttls`), checking every server reply on the way.
//
// Unlike OpenSSL, which ignores the server's answer to the upgrade command
// for several protocols, a refusal here fails at once and quotes the server;
// each reply is awaited for a bounded time, and the error says what was
// awaited.
package starttls

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"

	"github.com/tlskit/tlskit/internal/lazy"
	"github.com/tlskit/tlskit/internal/transport"
)

// Protocols lists the -starttls keywords, in the order in which OpenSSL 3.0
// lists them after "Value must be one of:".
var Protocols = []string{
	"smtp", "pop3", "imap", "ftp", "xmpp", "xmpp-server", "telnet", "irc",
	"mysql", "postgres", "lmtp", "nntp", "sieve", "ldap",
}

// dialogues maps each keyword in Protocols to the function that speaks it.
var dialogues = lazy.Value[map[string]func(*session) error]{Build: func() map[string]func(*session) error {
	return map[string]func(*session) error{
		"smtp":        smtp,
		"lmtp":        lmtp,
		"pop3":        pop3,
		"imap":        imap,
		"ftp":         ftp,
		"xmpp":        xmppClient,
		"xmpp-server": xmppServer,
		"telnet":      telnet,
		"irc":         irc,
		"mysql":       mysql,
		"postgres":    postgres,
		"nntp":        nntp,
		"sieve":       sieve,
		"ldap":        ldap,
	}
}}

// DefaultName is the EHLO/LHLO name sent when Options.Name is empty, as
// OpenSSL sends it.
const DefaultName = "mail.example.com"

// DefaultTimeout bounds the wait for each server reply when Options.Timeout
// is zero.
const DefaultTimeout = 10 * time.Second

// maxLine bounds one reply line so that a hostile server cannot make the
// client buffer without limit.
const maxLine = 64 << 10

// Options tunes the dialogue. The zero value is usable.
type Options struct {
	// Name is s_client's -name: the SMTP EHLO / LMTP LHLO argument
	// (DefaultName when empty) and the XMPP stream's 'to' address.
	Name string
	// XMPPHost is s_client's -xmpphost. OpenSSL keeps one value for -name
	// and -xmpphost, the last one given, and uses it for every protocol;
	// here XMPPHost, when set, takes the place of Name, so s_client should
	// pass the last of the two it parsed (or only that one).
	XMPPHost string
	// Host is the host being connected to; XMPP uses it as the 'to'
	// address when neither XMPPHost nor Name is set, as OpenSSL does.
	Host string
	// Timeout bounds the wait for each server reply (DefaultTimeout when
	// zero or negative).
	Timeout time.Duration
	// Warn, when set, receives the notices openssl prints on stderr during
	// the dialogue ("Didn't find STARTTLS in server response, trying
	// anyway..."); scripts grep for them.
	Warn io.Writer
	// Echo, when set, receives after a successful dialogue the bytes
	// openssl 3.0 keeps from it and writes on stderr once each handshake
	// is done: the last line of the EHLO/LHLO reply (smtp, lmtp), of the
	// CAPABILITY reply (imap) or of the greeting (ftp), or the reply to
	// STARTTLS (nntp, sieve, irc), line ending included; for pop3 the
	// greeting cut or NUL-padded to the length of the reply to STLS, as
	// openssl reuses its buffer. The other protocols keep nothing, and
	// Echo is not called.
	Echo func([]byte)
}

// Supported reports whether proto is one of Protocols.
func Supported(proto string) bool {
	_, ok := dialogues.Get()[proto]
	return ok
}

// Upgrade speaks the plaintext dialogue of proto over conn up to the point
// where the server expects a TLS ClientHello, checking each of the server's
// replies. It returns a connection ready for the TLS handshake: any bytes the
// server sent after its go-ahead are replayed by the returned conn before
// conn's own, so nothing buffered is lost (they reach the TLS layer, which
// rejects them unless they are genuine records, so plaintext injected before
// the handshake cannot pass as a protected reply).
//
// On error conn is left open; the caller closes it.
func Upgrade(conn net.Conn, proto string, o Options) (net.Conn, error) {
	speak, ok := dialogues.Get()[proto]
	if !ok {
		return nil, fmt.Errorf("starttls: unknown protocol %q (want one of %s)", proto, strings.Join(Protocols, ", "))
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	s := &session{proto: proto, conn: conn, r: bufio.NewReaderSize(conn, 4096), opts: o}
	err := speak(s)
	// Clear the per-reply deadlines; the TLS layer sets its own.
	conn.SetDeadline(time.Time{})
	if err != nil {
		return nil, err
	}
	if o.Echo != nil && len(s.echo) > 0 {
		o.Echo(s.echo)
	}
	rest, _ := s.r.Peek(s.r.Buffered())
	return transport.WithPending(conn, rest), nil
}

// protoHost returns the -name/-xmpphost value in force, or "".
func (o Options) protoHost() string {
	if o.XMPPHost != "" {
		return o.XMPPHost
	}
	return o.Name
}

// session carries the state shared by the dialogues: the buffered reader,
// the options and what the client is waiting for, for error messages.
type session struct {
	proto string
	conn  net.Conn
	r     *bufio.Reader
	opts  Options
	what  string // e.g. "reply to STARTTLS", completing "waiting for the server's …"
	// last is the last line readLine read, as received (line ending
	// included); echo is what Options.Echo receives.
	last, echo []byte
}

// notFound prints openssl's notice when the server's capabilities do not
// list STARTTLS (smtp, lmtp, imap, nntp and sieve, where openssl looks);
// STARTTLS is sent anyway and its reply decides.
func (s *session) notFound(offered bool) {
	if !offered && s.opts.Warn != nil {
		io.WriteString(s.opts.Warn, "Didn't find STARTTLS in server response, trying anyway...\n")
	}
}

// errorf returns an error prefixed with the package and protocol names.
func (s *session) errorf(format string, args ...any) error {
	return fmt.Errorf("starttls: "+s.proto+": "+format, args...)
}

// await starts the bounded wait for one server reply; what names the reply
// in error messages ("greeting", "reply to STARTTLS").
func (s *session) await(what string) {
	s.what = what
	s.conn.SetReadDeadline(time.Now().Add(s.opts.Timeout))
}

// send writes p, bounded by the timeout; cmd names it in errors.
func (s *session) send(cmd string, p []byte) error {
	s.conn.SetWriteDeadline(time.Now().Add(s.opts.Timeout))
	if _, err := s.conn.Write(p); err != nil {
		if isTimeout(err) {
			return s.errorf("timed out after %v sending %s", s.opts.Timeout, cmd)
		}
		return s.errorf("sending %s: %v", cmd, err)
	}
	return nil
}

// sendLine sends line followed by CRLF.
func (s *session) sendLine(line string) error {
	return s.send(line, []byte(line+"\r\n"))
}

// readErr turns a read error into one that says what was awaited.
func (s *session) readErr(err error) error {
	switch {
	case isTimeout(err):
		return s.errorf("timed out after %v waiting for the server's %s", s.opts.Timeout, s.what)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return s.errorf("server closed the connection while we waited for its %s", s.what)
	}
	return s.errorf("reading the server's %s: %v", s.what, err)
}

// readLine returns the next line without its CR LF (or bare LF).
func (s *session) readLine() (string, error) {
	var line []byte
	for {
		frag, err := s.r.ReadSlice('\n')
		if len(line)+len(frag) > maxLine {
			return "", s.errorf("server's %s has a line longer than %d bytes", s.what, maxLine)
		}
		line = append(line, frag...)
		if err == nil {
			break
		}
		if err != bufio.ErrBufferFull {
			if err == io.EOF && len(line) > 0 {
				err = io.ErrUnexpectedEOF
			}
			return "", s.readErr(err)
		}
	}
	s.last = line
	line = line[:len(line)-1]
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return string(line), nil
}

// readFull reads exactly len(p) bytes.
func (s *session) readFull(p []byte) error {
	if _, err := io.ReadFull(s.r, p); err != nil {
		return s.readErr(err)
	}
	return nil
}

// readByte reads one byte.
func (s *session) readByte() (byte, error) {
	b, err := s.r.ReadByte()
	if err != nil {
		return 0, s.readErr(err)
	}
	return b, nil
}

// isTimeout reports whether err is a deadline expiry.
func isTimeout(err error) bool {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// quote makes server reply lines safe to quote in an error.
func quote(lines ...string) string { return transport.Quote(strings.Join(lines, " / "), 512) }
