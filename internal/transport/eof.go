package transport

import (
	"net"
	"sync/atomic"
)

// EOFWatch wraps a connection and records whether the transport itself
// reported end of stream or an error on read: after the peer's
// close_notify a TLS connection stops reading, so only a stream that
// simply ended has the transport say so. That is the difference
// -ignore_unexpected_eof is about.
type EOFWatch struct {
	net.Conn
	ended atomic.Bool
}

// NewEOFWatch wraps c.
func NewEOFWatch(c net.Conn) *EOFWatch { return &EOFWatch{Conn: c} }

func (c *EOFWatch) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if err != nil {
		c.ended.Store(true)
	}
	return n, err
}

// TransportEnded reports whether a read of the transport failed or hit
// end of stream.
func (c *EOFWatch) TransportEnded() bool { return c.ended.Load() }

// NetConn returns the wrapped connection.
func (c *EOFWatch) NetConn() net.Conn { return c.Conn }
