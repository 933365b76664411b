package engine

import (
	"bytes"
	"io"
	"net"
	"testing"
	"time"
)

// fuzzConn is a transport whose peer is a fixed byte string: reads drain
// it, writes are dropped, and the end of the input is EOF.
type fuzzConn struct {
	r *bytes.Reader
}

func (f *fuzzConn) Read(p []byte) (int, error)       { return f.r.Read(p) }
func (f *fuzzConn) Write(p []byte) (int, error)      { return len(p), nil }
func (f *fuzzConn) Close() error                     { return nil }
func (f *fuzzConn) LocalAddr() net.Addr              { return &net.TCPAddr{} }
func (f *fuzzConn) RemoteAddr() net.Addr             { return &net.TCPAddr{} }
func (f *fuzzConn) SetDeadline(time.Time) error      { return nil }
func (f *fuzzConn) SetReadDeadline(time.Time) error  { return nil }
func (f *fuzzConn) SetWriteDeadline(time.Time) error { return nil }

// recordedClientHello is a ClientHello record as the own client sends it.
func recordedClientHello(t testing.TB) []byte {
	var out bytes.Buffer
	c := Client(&recConn{fuzzConn{bytes.NewReader(nil)}, &out}, &Config{ServerName: "localhost", ALPN: []string{"h2"}})
	c.Handshake()
	return out.Bytes()
}

type recConn struct {
	fuzzConn
	w io.Writer
}

func (r *recConn) Write(p []byte) (int, error) { return r.w.Write(p) }

// FuzzServerHandshake feeds arbitrary client bytes to the own server: it
// must end with an error or a handshake, never a panic or a hang (the
// input ends, so every read ends).
func FuzzServerHandshake(f *testing.F) {
	id, _ := testIdentity(f, keysForTest(f)["ecdsa-p256"])
	cfg := &Config{Identities: []Identity{id}, ALPN: []string{"h2"}, Groups: []uint16{0x1d, 0x17}}
	f.Add(recordedClientHello(f))
	// An SSL 2.0-format ClientHello (TLS 1.2; ECDHE-ECDSA-AES128-SHA and
	// the renegotiation SCSV; a 16-byte challenge), which a server takes
	// as its first record.
	v2 := []byte{0x80, 31, 1, 3, 3, 0, 6, 0, 0, 0, 16, 0, 0xc0, 0x09, 0, 0, 0xff}
	for i := range 16 {
		v2 = append(v2, byte(i+1))
	}
	f.Add(v2)
	f.Fuzz(func(t *testing.T, b []byte) {
		s := Server(&fuzzConn{bytes.NewReader(b)}, cfg)
		if s.Handshake() == nil {
			s.Read(make([]byte, 16))
		}
	})
}

// FuzzClientHandshake feeds arbitrary server bytes to the own client.
func FuzzClientHandshake(f *testing.F) {
	f.Add([]byte{22, 3, 3, 0, 4, 2, 0, 0, 0})
	f.Add([]byte{21, 3, 3, 0, 2, 2, 40})
	f.Fuzz(func(t *testing.T, b []byte) {
		c := Client(&fuzzConn{bytes.NewReader(b)}, &Config{})
		if c.Handshake() == nil {
			t.Fatal("a handshake completed against random bytes")
		}
	})
}
