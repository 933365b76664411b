// Package transport dials and listens for tlskit: host:port parsing as
// OpenSSL does it, -4/-6/-bind, Unix sockets, and time-bounded connects.
package transport

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"
	"time"
)

// ErrMalformed is an address openssl's host:port parser refuses: a '['
// without its ']', something other than ":port" after it, or an IPv6
// address without brackets (which colon would start the port?).
var ErrMalformed = errors.New("transport: address malformed or ambiguous")

// SplitHostPort splits an OpenSSL-style address: "host:port", "[v6]:port",
// "host", "[v6]" or ":port", with defHost and defPort filling what is
// missing. Like openssl it refuses an unbracketed IPv6 address
// (ErrMalformed).
func SplitHostPort(addr, defHost, defPort string) (host, port string, err error) {
	switch {
	case addr == "":
		return defHost, defPort, nil
	case strings.HasPrefix(addr, "["):
		end := strings.IndexByte(addr, ']')
		if end < 0 {
			return "", "", fmt.Errorf("%w: missing ']' in %q", ErrMalformed, addr)
		}
		host, rest := addr[1:end], addr[end+1:]
		switch {
		case rest == "" || rest == ":":
			return host, defPort, nil
		case strings.HasPrefix(rest, ":"):
			return host, rest[1:], nil
		}
		return "", "", fmt.Errorf("%w: %q", ErrMalformed, addr)
	case strings.Count(addr, ":") > 1:
		return "", "", fmt.Errorf("%w: %q (write an IPv6 address in brackets: [addr]:port)", ErrMalformed, addr)
	}
	host, port, found := strings.Cut(addr, ":")
	if !found || port == "" {
		port = defPort
	}
	if host == "" {
		host = defHost
	}
	return host, port, nil
}

// DialOptions says how to reach the peer.
type DialOptions struct {
	Network string        // "tcp", "tcp4", "tcp6" or "unix"
	Bind    string        // local address to bind, "host:port" (OpenSSL -bind)
	Timeout time.Duration // bound on the whole connect, including name lookup
}

// Dial connects to addr ("host:port", or a socket path for unix). Its errors
// name the address and the cause in words, with the errno kept for the
// "connect:errno=N" line openssl prints.
func Dial(ctx context.Context, addr string, o DialOptions) (net.Conn, error) {
	network := o.Network
	if network == "" {
		network = "tcp"
	}
	d := net.Dialer{Timeout: o.Timeout}
	if o.Bind != "" && network != "unix" {
		host, port, err := SplitHostPort(o.Bind, "", "0")
		if err != nil {
			return nil, err
		}
		la, err := net.ResolveTCPAddr(network, net.JoinHostPort(host, port))
		if err != nil {
			return nil, &DialError{Addr: o.Bind, Op: "bind", Err: err}
		}
		d.LocalAddr = la
	}
	c, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, &DialError{Addr: addr, Op: "connect", Err: err}
	}
	return c, nil
}

// DialError is a failed connect or bind.
type DialError struct {
	Addr string
	Op   string
	Err  error
}

func (e *DialError) Error() string {
	return fmt.Sprintf("transport: %s to %s: %s", e.Op, e.Addr, Cause(e.Err))
}

func (e *DialError) Unwrap() error { return e.Err }

// Errno returns the system error number behind err, or 0.
func Errno(err error) int {
	var en syscall.Errno
	if errors.As(err, &en) {
		return int(en)
	}
	return 0
}

// Cause returns a short human description of a network error's root cause,
// without Go's "dial tcp ...:" prefixes.
func Cause(err error) string {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		if dnsErr.IsNotFound {
			return fmt.Sprintf("cannot resolve %s: name or service not known", dnsErr.Name)
		}
		return fmt.Sprintf("cannot resolve %s: %s", dnsErr.Name, dnsErr.Err)
	}
	var en syscall.Errno
	if errors.As(err, &en) {
		return en.Error()
	}
	if errors.Is(err, context.DeadlineExceeded) || isTimeout(err) {
		return "timed out"
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		return op.Err.Error()
	}
	return err.Error()
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// FD returns the file descriptor number of a socket connection, for the
// CONNECTED(0000000N) line, or 3 (what openssl usually shows) when unknown.
func FD(c net.Conn) int {
	// Wrappers that replay buffered bytes (proxy, starttls) expose the
	// connection underneath.
	for {
		u, ok := c.(interface{ NetConn() net.Conn })
		if !ok {
			break
		}
		c = u.NetConn()
	}
	sc, ok := c.(syscall.Conn)
	if !ok {
		return 3
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return 3
	}
	fd := 3
	raw.Control(func(f uintptr) { fd = int(f) })
	return fd
}
