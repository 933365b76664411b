// Package proxy opens a tunnel through an HTTP proxy with the CONNECT
// method (RFC 9110 section 9.3.6), as s_client's -proxy, -proxy_user and
// -proxy_pass do.
package proxy

import (
	"bufio"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"

	"github.com/tlskit/tlskit/internal/transport"
)

// DefaultTimeout bounds the connection to the proxy and the wait for its
// answer when Options.Timeout is zero.
const DefaultTimeout = 10 * time.Second

// maxHeader bounds the proxy's response head, so a hostile proxy cannot
// make the client buffer without limit.
const maxHeader = 64 << 10

// Options configures Dial. The zero value is usable.
type Options struct {
	// User and Pass, when User is set, are sent as Basic credentials in a
	// Proxy-Authorization header (RFC 7617). They cross the network in
	// the clear, as with OpenSSL.
	User, Pass string
	// Timeout bounds the TCP connect and the wait for the proxy's answer
	// (DefaultTimeout when zero or negative).
	Timeout time.Duration
}

// Dial connects to the HTTP proxy at proxyAddr ("host:port") and asks it to
// open a tunnel to target ("host:port"). A non-2xx answer is an error that
// quotes the proxy's status line. Bytes that arrive after the proxy's
// answer, even in the same read (a server's greeting), are replayed by the
// returned conn before anything else.
func Dial(proxyAddr, target string, o Options) (net.Conn, error) {
	if _, _, err := net.SplitHostPort(target); err != nil {
		return nil, fmt.Errorf("proxy: bad target %q: %v", target, err)
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	conn, err := net.DialTimeout("tcp", proxyAddr, o.Timeout)
	if err != nil {
		return nil, fmt.Errorf("proxy: connecting to proxy %s: %w", proxyAddr, err)
	}
	c, err := connect(conn, target, o)
	if err != nil {
		conn.Close()
		return nil, err
	}
	return c, nil
}

// connect speaks CONNECT over an open connection to the proxy.
func connect(conn net.Conn, target string, o Options) (net.Conn, error) {
	var req strings.Builder
	// The request target of CONNECT is authority-form (RFC 9112 3.2.3).
	// The request is openssl's, byte for byte: HTTP/1.0, no Host.
	fmt.Fprintf(&req, "CONNECT %s HTTP/1.0\r\nProxy-Connection: Keep-Alive\r\n", target)
	if o.User != "" {
		cred := base64.StdEncoding.EncodeToString([]byte(o.User + ":" + o.Pass))
		fmt.Fprintf(&req, "Proxy-Authorization: Basic %s\r\n", cred)
	}
	req.WriteString("\r\n")

	conn.SetDeadline(time.Now().Add(o.Timeout))
	defer conn.SetDeadline(time.Time{})
	written, err := io.WriteString(conn, req.String())
	if err != nil {
		return nil, readErr(err, o.Timeout, "sending CONNECT")
	}
	cr := &countingReader{r: conn}
	br := bufio.NewReaderSize(cr, 4096)
	status, err := readHead(br)
	if err != nil {
		return nil, readErr(err, o.Timeout, "")
	}
	code, ok := statusCode(status)
	if !ok {
		return nil, fmt.Errorf("proxy: malformed answer to CONNECT: %s", quote(status))
	}
	if code < 200 || code > 299 {
		_, reason, _ := strings.Cut(status, "/")
		if i := strings.IndexByte(reason, ' '); i >= 0 {
			reason = reason[i:]
		}
		return nil, &RefusedError{Status: status, Reason: reason, FD: transport.FD(conn), Read: cr.n, Written: int64(written)}
	}
	if n := br.Buffered(); n > 0 {
		rest, _ := br.Peek(n)
		return transport.WithPending(conn, rest), nil
	}
	return conn, nil
}

// readHead reads the status line and the header fields up to the empty
// line, and returns the status line. A 2xx answer to CONNECT has no body
// (RFC 9110 9.3.6); the tunnel starts right after the head.
func readHead(br *bufio.Reader) (string, error) {
	var status string
	total := 0
	for first := true; ; first = false {
		line, err := br.ReadSlice('\n')
		total += len(line)
		if total > maxHeader || err == bufio.ErrBufferFull {
			return "", errHeadTooLong
		}
		if err != nil {
			if err == io.EOF && total > 0 {
				err = io.ErrUnexpectedEOF
			}
			return "", err
		}
		// One line ending, LF or CRLF, is removed: "\r\r\n" is not an
		// empty line.
		l := strings.TrimSuffix(strings.TrimSuffix(string(line), "\n"), "\r")
		if first {
			status = l
			continue
		}
		if l == "" {
			return status, nil
		}
	}
}

var errHeadTooLong = errors.New("head too long")

// statusCode parses "HTTP/1.x NNN reason".
func statusCode(line string) (int, bool) {
	proto, rest, ok := strings.Cut(line, " ")
	if !ok || !strings.HasPrefix(proto, "HTTP/") || len(rest) < 3 {
		return 0, false
	}
	code := 0
	for i := 0; i < 3; i++ {
		c := rest[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		code = code*10 + int(c-'0')
	}
	if len(rest) > 3 && rest[3] != ' ' {
		return 0, false
	}
	return code, true
}

// readErr words an I/O error met while talking to the proxy.
func readErr(err error, timeout time.Duration, doing string) error {
	var ne net.Error
	switch {
	case doing != "" && (errors.Is(err, os.ErrDeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()):
		return fmt.Errorf("proxy: timed out after %v %s", timeout, doing)
	case doing != "":
		return fmt.Errorf("proxy: %s: %v", doing, err)
	case errors.Is(err, os.ErrDeadlineExceeded) || errors.As(err, &ne) && ne.Timeout():
		return fmt.Errorf("proxy: timed out after %v waiting for the proxy's answer to CONNECT", timeout)
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("proxy: proxy closed the connection before answering CONNECT")
	case err == errHeadTooLong:
		return fmt.Errorf("proxy: proxy's answer to CONNECT is longer than %d bytes", maxHeader)
	}
	return fmt.Errorf("proxy: reading the proxy's answer to CONNECT: %v", err)
}

// quote makes the proxy's answer safe to quote in an error.
func quote(s string) string { return transport.Quote(s, 256) }

// RefusedError is a proxy's answer other than 2xx to CONNECT.
type RefusedError struct {
	Status string // the status line
	// Reason is the status line after the HTTP version, with its leading
	// space, as openssl quotes it.
	Reason string
	// FD is the descriptor the connection had; Read and Written count
	// the bytes exchanged with the proxy (openssl's short report shows
	// them).
	FD            int
	Read, Written int64
}

func (e *RefusedError) Error() string {
	return "proxy: proxy refused CONNECT: " + quote(e.Status)
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
