package sserver

import (
	"bytes"
	"encoding/hex"
	"io"
	"net"
	"os"
	"sync"

	"github.com/tlskit/tlskit/internal/sslerr"
	"github.com/tlskit/tlskit/internal/transport"
	"github.com/tlskit/tlskit/internal/wire"
)

// observing reports whether connections need a wire observer: for -msg,
// -trace, -debug, -state or -tlsextdebug output, or to learn the client's
// CertificateVerify algorithm, which crypto/tls does not reveal.
func (s *server) observing() bool {
	c := s.c
	// The own engine's connections always are: the observer prints its
	// events and keeps the ClientHello for the report.
	return c.msg || c.trace || c.debug || c.state || c.tlsextdebug || c.verifyRequest || c.securityDebug || c.securityDebugVerbose || c.own != nil
}

// observerOptions are the writers of one connection's observer. -msg and
// -trace go to -msgfile when given; -state goes to stderr, as openssl's
// info callback writes there.
func (s *server) observerOptions() wire.Options {
	c := s.c
	var o wire.Options
	msgw := io.Writer(s.out)
	if s.msgFile != nil {
		// A failed write (a full disk) is reported as openssl reports its
		// failed flush, once per connection; the server goes on.
		msgw = &msgFileWriter{w: s.msgFile, errw: s.errw}
	}
	if c.msg {
		o.Msg = msgw
	}
	if c.trace {
		o.Trace = msgw
	}
	if c.debug {
		o.Debug = s.out
	}
	if c.state {
		o.State = s.errw
	}
	if c.tlsextdebug {
		o.TLSExtDebug = s.out
	}
	if s.tls.keyLog != nil {
		o.KeyLog = ignoreWriteErrors{s.tls.keyLog}
	}
	o.MaxVersion = c.maxVersion
	return o
}

// observe wraps an accepted connection with an observer when one is needed.
func (s *server) observe(conn net.Conn) *trackedConn {
	eof := transport.NewEOFWatch(conn)
	if !s.observing() {
		return &trackedConn{Conn: eof, eof: eof}
	}
	ob := wire.New(s.observerOptions())
	return &trackedConn{Conn: ob.Wrap(eof), ob: ob, eof: eof}
}

// keyLogRouter is the tls.Config's KeyLogWriter. crypto/tls writes one
// NSS key log line per call (label, client random, secret); the router
// hands each to the observer of the connection with that client random,
// which needs the secrets to read the encrypted handshake, and otherwise to
// the -keylogfile.
type keyLogRouter struct {
	file io.Writer // -keylogfile, or nil

	mu       sync.Mutex
	byRandom map[string]*wire.Observer
}

func (r *keyLogRouter) Write(p []byte) (int, error) {
	if f := bytes.Fields(p); len(f) == 3 {
		r.mu.Lock()
		ob := r.byRandom[string(bytes.ToLower(f[1]))]
		r.mu.Unlock()
		if ob != nil {
			// The observer forwards the line to -keylogfile itself.
			return ob.KeyLogWriter().Write(p)
		}
	}
	if r.file != nil {
		return r.file.Write(p)
	}
	return len(p), nil
}

// register ties a connection's client random to its observer, until the
// returned function is called.
func (r *keyLogRouter) register(random []byte, ob *wire.Observer) func() {
	key := hex.EncodeToString(random)
	r.mu.Lock()
	if r.byRandom == nil {
		r.byRandom = map[string]*wire.Observer{}
	}
	r.byRandom[key] = ob
	r.mu.Unlock()
	return func() {
		r.mu.Lock()
		delete(r.byRandom, key)
		r.mu.Unlock()
	}
}

// openMsgFile opens -msgfile for writing.
func openMsgFile(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
}

// msgFileWriter is one connection's -msgfile: the first failed write
// prints openssl's error lines on stderr, later output is dropped.
type msgFileWriter struct {
	w      io.Writer
	errw   io.Writer
	mu     sync.Mutex // reads and writes of a connection may print at once
	failed bool
}

func (m *msgFileWriter) Write(p []byte) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.failed {
		return len(p), nil
	}
	if _, err := m.w.Write(p); err != nil {
		m.failed = true
		sslerr.FileWriteReport(sslerr.Errno(err)).Write(m.errw)
	}
	return len(p), nil
}
