package starttls

import (
	"io"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// scriptedConn is a net.Conn that serves fixed bytes in chunks and
// swallows writes; it lets the fuzzer drive every reply parser without
// goroutines or sockets.
type scriptedConn struct {
	data  []byte
	chunk int
}

func (c *scriptedConn) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	n := min(len(p), c.chunk, len(c.data))
	copy(p, c.data[:n])
	c.data = c.data[n:]
	return n, nil
}
func (c *scriptedConn) Write(p []byte) (int, error)      { return len(p), nil }
func (c *scriptedConn) Close() error                     { return nil }
func (c *scriptedConn) LocalAddr() net.Addr              { return &net.TCPAddr{} }
func (c *scriptedConn) RemoteAddr() net.Addr             { return &net.TCPAddr{} }
func (c *scriptedConn) SetDeadline(time.Time) error      { return nil }
func (c *scriptedConn) SetReadDeadline(time.Time) error  { return nil }
func (c *scriptedConn) SetWriteDeadline(time.Time) error { return nil }

// FuzzUpgrade feeds arbitrary server bytes to every dialogue. Upgrade must
// not panic, must end (the data is finite), and must either succeed or
// return an error carrying the package and protocol prefix.
func FuzzUpgrade(f *testing.F) {
	for _, tr := range transcripts {
		var server strings.Builder
		for _, st := range tr.steps {
			server.WriteString(st.server)
		}
		f.Add(tr.proto, uint8(7), []byte(server.String()))
	}
	// Real daemons' replies, recorded by the live tests.
	recorded, _ := filepath.Glob("testdata/transcripts/*.txt")
	for _, path := range recorded {
		tr, err := loadTranscript(path)
		if err != nil {
			f.Fatal(err)
		}
		var server strings.Builder
		for _, st := range tr.steps {
			server.WriteString(st.server)
		}
		f.Add(tr.proto, uint8(64), []byte(server.String()))
	}
	f.Fuzz(func(t *testing.T, proto string, chunk uint8, data []byte) {
		if !Supported(proto) {
			return
		}
		c := &scriptedConn{data: data, chunk: int(chunk%64) + 1}
		conn, err := Upgrade(c, proto, Options{Host: "example.org"})
		if err != nil {
			if !strings.HasPrefix(err.Error(), "starttls: "+proto+": ") {
				t.Fatalf("error without prefix: %v", err)
			}
			return
		}
		if conn == nil {
			t.Fatal("nil conn without error")
		}
	})
}

// FuzzLDAPResponse checks the BER decoder on arbitrary input.
func FuzzLDAPResponse(f *testing.F) {
	f.Add([]byte(ldapResult(1, 0, "")))
	f.Add([]byte(ldapResult(1, 52, "TLS not configured")))
	f.Add([]byte("\x30\x84\x00\x00\x00\x0c\x02\x01\x01\x78\x07\x0a\x01\x00\x04\x00\x04\x00"))
	f.Fuzz(func(t *testing.T, p []byte) {
		r, err := parseLDAPResponse(p)
		if err == nil {
			_ = r.describe()
		}
	})
}

// FuzzMySQLGreeting checks the Initial Handshake parser.
func FuzzMySQLGreeting(f *testing.F) {
	f.Add([]byte(mysqlGreeting80[4:]))
	f.Add([]byte(mysqlGreetingNoSSL[4:]))
	f.Add([]byte("\xff\x6a\x04#HY000no"))
	f.Fuzz(func(t *testing.T, p []byte) {
		parseMySQLGreeting(p)
	})
}
