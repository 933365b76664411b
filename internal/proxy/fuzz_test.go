package proxy

import (
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// cannedConn serves fixed bytes and swallows writes.
type cannedConn struct{ data []byte }

func (c *cannedConn) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	n := copy(p, c.data[:min(len(c.data), 13)]) // small reads split the head
	c.data = c.data[n:]
	return n, nil
}
func (c *cannedConn) Write(p []byte) (int, error)      { return len(p), nil }
func (c *cannedConn) Close() error                     { return nil }
func (c *cannedConn) LocalAddr() net.Addr              { return &net.TCPAddr{} }
func (c *cannedConn) RemoteAddr() net.Addr             { return &net.TCPAddr{} }
func (c *cannedConn) SetDeadline(time.Time) error      { return nil }
func (c *cannedConn) SetReadDeadline(time.Time) error  { return nil }
func (c *cannedConn) SetWriteDeadline(time.Time) error { return nil }

// FuzzConnectAnswer feeds arbitrary proxy answers to the CONNECT exchange: no
// panic, errors carry the prefix, and on success every byte after the head
// reaches the caller.
func FuzzConnectAnswer(f *testing.F) {
	f.Add([]byte("HTTP/1.1 200 Connection established\r\n\r\n220 hi\r\n"))
	f.Add([]byte("HTTP/1.0 407 Proxy Authentication Required\r\n\r\n"))
	f.Add([]byte("HTTP/1.1 200\n\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := connect(&cannedConn{data: data}, "example.org:443", Options{Timeout: time.Second})
		if err != nil {
			if !strings.HasPrefix(err.Error(), "proxy: ") {
				t.Fatalf("error without prefix: %v", err)
			}
			return
		}
		rest, _ := io.ReadAll(c)
		if !strings.HasSuffix(string(data), string(rest)) {
			t.Fatalf("tunnel bytes %q are not the tail of the input", rest)
		}
		head := len(data) - len(rest)
		if !strings.HasSuffix(string(data[:head]), "\n\n") && !strings.HasSuffix(string(data[:head]), "\n\r\n") {
			t.Fatalf("tunnel starts at %d, not after the empty line: %q", head, data)
		}
	})
}
