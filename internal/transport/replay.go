package transport

import (
	"fmt"
	"net"
	"strings"
)

// WithPending returns a net.Conn whose first reads return pending, bytes
// read ahead of the point where the connection changes hands (a proxy's
// answer, a STARTTLS reply), before reading from c. Nothing is lost when a
// server's first bytes arrive glued to the previous exchange.
func WithPending(c net.Conn, pending []byte) net.Conn {
	if len(pending) == 0 {
		return c
	}
	return &replayConn{Conn: c, pending: append([]byte(nil), pending...)}
}

type replayConn struct {
	net.Conn
	pending []byte
}

func (c *replayConn) Read(p []byte) (int, error) {
	if len(c.pending) > 0 {
		n := copy(p, c.pending)
		c.pending = c.pending[n:]
		return n, nil
	}
	return c.Conn.Read(p)
}

// NetConn returns the wrapped connection (as tls.Conn.NetConn does), for
// callers that need the socket itself, e.g. its file descriptor.
func (c *replayConn) NetConn() net.Conn { return c.Conn }

// Quote makes a peer's reply safe to put in an error message: control
// characters are escaped and the text is cut after max bytes.
func Quote(s string, max int) string {
	var b strings.Builder
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			fmt.Fprintf(&b, "\\x%02x", r)
			continue
		}
		b.WriteRune(r)
	}
	if b.Len() > max {
		return b.String()[:max] + "…"
	}
	return b.String()
}
