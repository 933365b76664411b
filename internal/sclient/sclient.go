// Package sclient implements the s_client command: connect, verify and report like openssl s_client.
package sclient

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/tlskit/tlskit/internal/dn"
	"github.com/tlskit/tlskit/internal/opt"
	"github.com/tlskit/tlskit/internal/report"
	"github.com/tlskit/tlskit/internal/stdio"
	"github.com/tlskit/tlskit/internal/transport"
)

// Table is s_client's option table.
var Table = &opt.Table{Prog: "s_client", Usage: "[options] [host:port]", Options: options, MaxParams: 1}

// client is one run of s_client.
type client struct {
	set  *settings
	in   io.Reader
	out  io.Writer // stdout: the report and the peer's data
	errw io.Writer // stderr: verify lines, errors, -brief, DONE

	ticket chan struct{} // signalled when a session ticket arrives
}

// Main runs s_client with its arguments and returns the exit code.
func Main(args []string, s stdio.Stdio) int {
	v, code, ok := Table.ParseArgs(args, s.Err)
	if !ok {
		return code
	}
	set, err := buildSettings(v, s.Out)
	if err != nil {
		return startupError(s.Err, err)
	}
	c := &client{set: set, in: s.In, out: s.Out, errw: s.Err, ticket: make(chan struct{}, 1)}
	if set.verifyDepth > 0 {
		fmt.Fprintf(c.errw, "verify depth is %d\n", set.verifyDepth)
	}
	return c.run()
}

// startupError prints an error found before connecting and returns 1.
func startupError(w io.Writer, err error) int {
	var ue *opt.UsageError
	var ce *configError
	switch {
	case errors.As(err, &ue):
		ue.Print(w, "s_client")
	case errors.As(err, &ce):
		for _, l := range ce.lines {
			fmt.Fprintln(w, l)
		}
	default:
		fmt.Fprintf(w, "s_client: %v\n", err)
	}
	return 1
}

func (c *client) run() int {
	s := c.set
	cache := &singleCache{}
	if s.sessIn != "" {
		st, err := readSession(s.sessIn)
		if err != nil {
			fmt.Fprintf(c.errw, "s_client: %v\n", err)
			return 1
		}
		cache.state = st
	}
	nc, err := c.dial()
	if err != nil {
		fmt.Fprintf(c.errw, "s_client: %s\n", transportError(err))
		if en := transport.Errno(err); en != 0 || isDialError(err) {
			fmt.Fprintf(c.errw, "connect:errno=%d\n", en)
		}
		return 1
	}
	var ticketConn *conn
	cache.onPut = func(cs *tls.ClientSessionState) {
		// Wake an input loop waiting for the ticket (see interact), once
		// the ticket's session block is printed.
		defer func() {
			select {
			case c.ticket <- struct{}{}:
			default:
			}
		}()
		if s.sessOut != "" {
			if err := writeSession(s.sessOut, cs); err != nil {
				fmt.Fprintf(c.errw, "s_client: %v\n", err)
			}
		}
		// TLS 1.3 tickets arrive after the handshake: openssl prints the
		// session block each time one does.
		if cn := ticketConn; cn != nil && !s.quiet && !s.brief && cn.tls.ConnectionState().Version == tls.VersionTLS13 {
			rs := c.session(cn)
			fillTicket(rs, cs)
			report.WriteTicketArrived(c.out, rs)
		}
	}
	cn, err := c.handshake(nc, cache)
	if err != nil {
		c.printFailure(cn, err)
		nc.Close()
		return 1
	}
	ticketConn = cn
	if s.sessOut != "" && cn.tls.ConnectionState().Version != tls.VersionTLS13 {
		// TLS <= 1.2 sessions exist at the end of the handshake.
		if st, ok := cache.Get(""); ok {
			if err := writeSession(s.sessOut, st); err != nil {
				fmt.Fprintf(c.errw, "s_client: %v\n", err)
			}
		}
	}
	c.printConnection(cn)
	if s.reconnect {
		return c.reconnectLoop(cn, cache)
	}
	code := c.interact(cn)
	if s.prexit && !s.quiet {
		report.WriteSessionBlock(c.out, c.session(cn))
	}
	return code
}

// reconnectLoop drops the connection and resumes five times, as openssl's
// -reconnect does, printing each connection's report.
func (c *client) reconnectLoop(first *conn, cache *singleCache) int {
	c.waitTicket(first, cache)
	first.tls.Close()
	for i := 0; i < 5; i++ {
		fmt.Fprintln(c.out, "drop connection and then reconnect")
		nc, err := c.dial()
		if err != nil {
			fmt.Fprintf(c.errw, "s_client: %s\n", transportError(err))
			return 1
		}
		cn, err := c.handshake(nc, cache)
		if err != nil {
			c.printFailure(cn, err)
			nc.Close()
			return 1
		}
		c.printConnection(cn)
		c.waitTicket(cn, cache)
		cn.tls.Close()
	}
	return 0
}

func transportError(err error) string {
	return trimPrefix(err.Error(), "transport: ")
}

func isDialError(err error) bool {
	var de *transport.DialError
	return errors.As(err, &de)
}

func trimPrefix(s, p string) string {
	if len(s) >= len(p) && s[:len(p)] == p {
		return s[len(p):]
	}
	return s
}

func formatName(raw []byte, rs *report.Session) string { return dn.Format(raw, rs.NameOpt) }

var _ = os.Stdout
