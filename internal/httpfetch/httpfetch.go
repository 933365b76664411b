// Package httpfetch makes the few plain-HTTP requests tlskit needs (CRLs
// for -crl_download, OCSP responses for s_server -status): one HTTP/1.0
// request per connection, no proxy, no redirect, bounded in time and size.
// It exists so that the binary does not carry net/http, whose size and
// package initialisation every start of tlskit would pay (issue 9, item 10).
package httpfetch

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// Request is one HTTP request: GET when Body is nil, else POST.
type Request struct {
	URL         string
	ContentType string // of Body
	Accept      string
	Body        []byte
	Limit       int64 // largest response body accepted
}

// StatusError is a response other than 200, worded as net/http's Status
// ("404 Not Found").
type StatusError struct{ Status string }

func (e *StatusError) Error() string { return "HTTP " + e.Status }

// Fetch sends r and returns the body of a 200 response. ctx bounds the
// whole exchange, connection included.
func Fetch(ctx context.Context, r Request) ([]byte, error) {
	u, err := url.Parse(r.URL)
	if err != nil {
		return nil, err
	}
	if u.Scheme != "http" {
		return nil, fmt.Errorf("httpfetch: unsupported scheme %q (http only)", u.Scheme)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("httpfetch: no host in %q", r.URL)
	}
	addr := u.Host
	if u.Port() == "" {
		addr = net.JoinHostPort(u.Hostname(), "80")
	}
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	if dl, ok := ctx.Deadline(); ok {
		c.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()

	method := "GET"
	if r.Body != nil {
		method = "POST"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s HTTP/1.0\r\nHost: %s\r\n", method, u.RequestURI(), u.Host)
	if r.Accept != "" {
		fmt.Fprintf(&b, "Accept: %s\r\n", r.Accept)
	}
	if r.Body != nil {
		if r.ContentType != "" {
			fmt.Fprintf(&b, "Content-Type: %s\r\n", r.ContentType)
		}
		fmt.Fprintf(&b, "Content-Length: %d\r\n", len(r.Body))
	}
	b.WriteString("Connection: close\r\n\r\n")
	if _, err := io.WriteString(c, b.String()); err != nil {
		return nil, ctxErr(ctx, err)
	}
	if _, err := c.Write(r.Body); err != nil {
		return nil, ctxErr(ctx, err)
	}
	body, err := readResponse(bufio.NewReader(c), r.Limit)
	return body, ctxErr(ctx, err)
}

// ctxErr prefers the context's reason when it ended the exchange: the
// connection's deadline is the context's.
func ctxErr(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return context.DeadlineExceeded
	}
	return err
}

const maxHead = 64 << 10

var errHead = errors.New("httpfetch: malformed response head")

// readResponse reads a response (RFC 9112): status line, header fields,
// then a body delimited by Content-Length, chunked coding or the end of
// the connection.
func readResponse(br *bufio.Reader, limit int64) ([]byte, error) {
	head := 0
	line := func() (string, error) {
		l, err := br.ReadString('\n')
		head += len(l)
		if head > maxHead {
			return "", errHead
		}
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return "", err
		}
		return strings.TrimRight(l, "\r\n"), nil
	}
	status, err := line()
	if err != nil {
		return nil, err
	}
	proto, rest, ok := strings.Cut(status, " ")
	if !ok || !strings.HasPrefix(proto, "HTTP/1.") {
		return nil, errHead
	}
	rest = strings.TrimSpace(rest)
	code, _, _ := strings.Cut(rest, " ")
	if len(code) != 3 {
		return nil, errHead
	}
	length := int64(-1)
	chunked := false
	for {
		l, err := line()
		if err != nil {
			return nil, err
		}
		if l == "" {
			break
		}
		k, v, ok := strings.Cut(l, ":")
		if !ok {
			return nil, errHead
		}
		v = strings.TrimSpace(v)
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "content-length":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				return nil, errHead
			}
			length = n
		case "transfer-encoding":
			chunked = strings.EqualFold(v, "chunked")
		}
	}
	if code != "200" {
		return nil, &StatusError{Status: rest}
	}
	tooBig := fmt.Errorf("httpfetch: response larger than %d bytes", limit)
	switch {
	case chunked:
		var body []byte
		for {
			head = 0 // each chunk-size line is bounded alone
			l, err := line()
			if err != nil {
				return nil, err
			}
			size, _, _ := strings.Cut(l, ";")
			n, err := strconv.ParseInt(strings.TrimSpace(size), 16, 64)
			if err != nil || n < 0 {
				return nil, errors.New("httpfetch: malformed chunk size")
			}
			if n == 0 {
				return body, nil
			}
			if int64(len(body))+n > limit {
				return nil, tooBig
			}
			chunk := make([]byte, n)
			if _, err := io.ReadFull(br, chunk); err != nil {
				return nil, err
			}
			body = append(body, chunk...)
			if _, err := line(); err != nil { // CRLF after the chunk
				return nil, err
			}
		}
	case length >= 0:
		if length > limit {
			return nil, tooBig
		}
		body := make([]byte, length)
		if _, err := io.ReadFull(br, body); err != nil {
			return nil, err
		}
		return body, nil
	default:
		body, err := io.ReadAll(io.LimitReader(br, limit+1))
		if err != nil {
			return nil, err
		}
		if int64(len(body)) > limit {
			return nil, tooBig
		}
		return body, nil
	}
}
