package sslerr

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"strings"
	"syscall"
)

// Side says which end reports: a few failures are raised by different
// OpenSSL functions in a client and in a server.
type Side int

const (
	Client Side = iota
	Server
)

// Error is a failure that names its Kind; tlskit's own checks (a chain
// that fails -verify_return_error, a refused legacy signature) return it
// so that the report needs no guessing from text.
type Error struct {
	Kind Kind
	Data string // openssl's data field, often empty
	Err  error  // the cause in tlskit's words, for logs and the JSON report
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Err.Error()
	}
	return New(e.Kind, e.Data).Reason
}

func (e *Error) Unwrap() error { return e.Err }

// Kinder is an error that names its failure, such as Error. An engine of
// tlskit's own implements it on its handshake errors.
type Kinder interface{ SSLErrorKind() (Kind, string) }

// SSLErrorKind implements Kinder.
func (e *Error) SSLErrorKind() (Kind, string) { return e.Kind, e.Data }

// Alerter is an error that ended a connection with a fatal alert: the
// description, and whether this side sent it (false: received it). An
// engine of tlskit's own implements it on its alert errors.
type Alerter interface {
	TLSAlert() (description uint8, sent bool)
}

// FromError words err, a failed connect or handshake, as openssl reports
// the same failure on side's stderr.
func FromError(err error, side Side) Report {
	if err == nil {
		return Report{}
	}
	if r, ok := fromNet(err); ok {
		return r
	}
	var en syscall.Errno
	if side == Client && errors.As(err, &en) && !isTimeout(err) {
		// A reset during the handshake: s_client reports
		// SSL_ERROR_SYSCALL with the errno alone, e.g. "write:errno=104".
		return Report{Tail: []string{fmt.Sprintf("write:errno=%d", int(en))}}
	}
	var pr Providerer
	if errors.As(err, &pr) && pr.SSLProvider() != "" {
		return Report{Entries: []Entry{ProviderEntry(pr.SSLProvider()), HandshakeEntry(err, side)}}
	}
	var rp ReasonPreceder
	if errors.As(err, &rp) && len(rp.SSLPrecedingReasons()) > 0 {
		var es []Entry
		for _, fr := range rp.SSLPrecedingReasons() {
			e := byReason(fr[1], side)
			e.Func = fr[0]
			es = append(es, e)
		}
		return Report{Entries: append(es, HandshakeEntry(err, side))}
	}
	var pe Preceder
	if errors.As(err, &pe) {
		return Report{Entries: append(slices.Clip(pe.SSLPreceding()), HandshakeEntry(err, side))}
	}
	return Report{Entries: []Entry{HandshakeEntry(err, side)}}
}

// Preceder is an error behind which openssl queues entries of its own
// before the failure's line: a certificate callback's failure comes
// after the reason the callback met (ssl_build_cert_chain's).
type Preceder interface{ SSLPreceding() []Entry }

// ReasonPreceder is Preceder for an error that knows its preceding
// lines only by function and reason text (the engine's sent alerts).
type ReasonPreceder interface{ SSLPrecedingReasons() [][2]string }

// Providerer is an error that openssl's cipher provider reports first,
// with its own line, before libssl's: a record that does not decrypt
// under some ciphers (the engine's sent bad_record_mac).
type Providerer interface{ SSLProvider() string }

// ProviderEntry is the line openssl's provider function fn queues when a
// cipher operation fails.
func ProviderEntry(fn string) Entry {
	return Entry{Code: 0x1C800066, Lib: "Provider routines", Func: fn, Reason: "cipher operation failed"}
}

// ConnectFailure is the report of a failed name lookup or connect(2), and
// false when err is neither (a proxy's refusal, a STARTTLS dialogue).
func ConnectFailure(err error) (Report, bool) { return fromNet(err) }

// fromNet recognises errors of the connect itself: name lookup and
// connect(2).
func fromNet(err error) (Report, bool) {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return LookupReport(resolverText(dnsErr)), true
	}
	var addrErr *net.AddrError
	if errors.As(err, &addrErr) {
		// -4/-6 with an address of the other family: getaddrinfo's
		// EAI_ADDRFAMILY.
		return LookupReport("Address family for hostname not supported"), true
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		var en syscall.Errno
		if errors.As(err, &en) {
			return ConnectReport(int(en)), true
		}
		if isTimeout(err) {
			return ConnectReport(int(syscall.ETIMEDOUT)), true
		}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return ConnectReport(int(syscall.ETIMEDOUT)), true
	}
	return Report{}, false
}

// resolverText is gai_strerror's text for a failed lookup.
func resolverText(e *net.DNSError) string {
	switch {
	case e.IsNotFound:
		return "Name or service not known"
	case e.IsTimeout, e.IsTemporary:
		return "Temporary failure in name resolution"
	}
	return capitalize(e.Err)
}

// HandshakeEntry is the queue entry for a handshake that failed with err.
func HandshakeEntry(err error, side Side) Entry {
	var k Kinder
	if errors.As(err, &k) {
		kind, data := k.SSLErrorKind()
		return New(kind, data)
	}
	var al Alerter
	if errors.As(err, &al) {
		if d, sent := al.TLSAlert(); !sent {
			return AlertEntry(d)
		}
	}
	var re Reasoner
	if errors.As(err, &re) && re.SSLReason() != "" {
		e := byReason(re.SSLReason(), side)
		var fn Funcer
		if errors.As(err, &fn) && fn.SSLFunc() != "" {
			e.Func = fn.SSLFunc()
		}
		return e
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return New(UnexpectedEOF, "")
	}
	if isTimeout(err) {
		return New(HandshakeTimeout, "")
	}
	if k, ok := kindOfText(err.Error(), side); ok {
		return New(k, "")
	}
	var en syscall.Errno
	if errors.As(err, &en) {
		e := New(ConnectSyscall, "")
		e.Code |= uint32(en) & 0xFFFF
		e.Func, e.Reason = "ssl3_read_n", Strerror(int(en))
		return e
	}
	// No openssl wording is known: say internal error, with tlskit's
	// words as the data so that nothing is lost.
	return Entry{Code: 0x0A0C0103, Lib: libSSL, Func: "tlskit", Reason: "internal error", Data: strings.TrimPrefix(err.Error(), "tls: ")}
}

// Reasoner is an error that knows openssl's reason text for its fault
// (the engine's sent alerts).
type Reasoner interface{ SSLReason() string }

// Funcer is an error that knows the openssl function raising its fault,
// where the reason text is shared by several (the engine's PSK length
// checks and the record layer both say "data length too long").
type Funcer interface{ SSLFunc() string }

// byReason is the table's entry with openssl's reason text (the side's,
// where client and server differ), or an entry with that reason and no
// known function.
func byReason(reason string, side Side) Entry {
	prefer := map[Kind]bool{ServerCertVerifyFailed: side == Client, ClientCertVerifyFailed: side == Server,
		ClientUnsupportedProtocol: side == Client, ServerUnsupportedProtocol: side == Server,
		ServerCertNotParsed: side == Client, ClientCertNotParsed: side == Server,
		ClientInappropriateFallback: side == Client, ServerInappropriateFallback: side == Server,
		ClientInvalidMaxFragmentLength: side == Client, ServerInvalidMaxFragmentLength: side == Server,
		ClientPSKIdentityNotFound: side == Client, ServerPSKIdentityNotFound: side == Server}
	var found Entry
	ok := false
	for k, s := range table.Get() {
		if s.reason != reason {
			continue
		}
		if p, listed := prefer[k]; !ok || (listed && p) {
			found, ok = New(k, ""), true
		}
	}
	if ok {
		return found
	}
	return Entry{Code: errLibSSL, Lib: libSSL, Func: "tlskit", Reason: reason}
}

// kindOfText maps error texts that carry no type (Go library errors met
// while loading files or dialling) onto the table.
func kindOfText(msg string, side Side) (Kind, bool) {
	has := func(s string) bool { return strings.Contains(msg, s) }
	switch {
	case has("first record does not look like a TLS handshake"),
		has("received record with version"),
		has("unsupported SSLv2 handshake received"):
		return WrongVersionNumber, true
	case has("no cipher suite supported by both client and server"),
		has("no key exchanges supported by both client and server"):
		return NoSharedCipher, true
	case has("client offered only unsupported versions"),
		has("client offered TLS version older than TLS 1.3"):
		return ServerUnsupportedProtocol, true
	case has("server selected unsupported protocol version"):
		return ClientUnsupportedProtocol, true
	case has("no supported versions satisfy MinVersion and MaxVersion"):
		return NoProtocolsAvailable, true
	case has("peer doesn't support any of the certificate's signature algorithms"),
		has("peer doesn't support the certificate custom signature algorithms"),
		has("certificate RSA key size too small for supported signature algorithms"):
		return NoSuitableSigalg, true
	case has("client didn't provide a certificate"):
		return PeerDidNotReturnCertificate, true
	case has("client requested unsupported application protocols"):
		return NoApplicationProtocol, true
	case has("invalid signature by the"), has("invalid signature"):
		return BadSignature, true
	case has("certificate verify failed"), has("certificate verification failed"):
		if side == Server {
			return ClientCertVerifyFailed, true
		}
		return ServerCertVerifyFailed, true
	}
	return 0, false
}

// remoteAlert finds the alert the peer sent, when err is an Alerter.
func remoteAlert(err error) (uint8, bool) {
	var al Alerter
	if errors.As(err, &al) {
		if d, sent := al.TLSAlert(); !sent {
			return d, true
		}
	}
	return 0, false
}

// localAlert finds the alert this side sent, when err is an Alerter.
func localAlert(err error) (uint8, bool) {
	var al Alerter
	if errors.As(err, &al) {
		if d, sent := al.TLSAlert(); sent {
			return d, true
		}
	}
	return 0, false
}

// LocalAlert reports the alert this side sent, if err says which.
func LocalAlert(err error) (uint8, bool) { return localAlert(err) }

// RemoteAlert reports the alert the peer sent, if err says which.
func RemoteAlert(err error) (uint8, bool) { return remoteAlert(err) }

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

// Strerror is glibc's strerror text for errno, as openssl prints it:
// Go's own table has the same words in lower case.
func Strerror(errno int) string {
	return capitalize(syscall.Errno(errno).Error())
}

func capitalize(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

// Errorf is an Error of kind k with tlskit's explanation.
func Errorf(k Kind, format string, args ...any) *Error {
	return &Error{Kind: k, Err: fmt.Errorf(format, args...)}
}
