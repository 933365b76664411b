package sserver

import (
	"io"
	"net"
	"os"
	"sync"

	"github.com/tlskit/tlskit/internal/sslerr"
	"github.com/tlskit/tlskit/internal/transport"
	"github.com/tlskit/tlskit/internal/wire"
)

// observing reports whether connections need a wire observer: for -msg,
// -trace, -debug, -state or -tlsextdebug output. Without one a
// wire.HelloCatcher keeps what the reports need (the ClientHello and the
// client's CertificateVerify algorithm), and the transport is not
// wrapped.
func (s *server) observing() bool {
	c := s.c
	return c.msg || c.trace || c.debug || c.state || c.tlsextdebug
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
		if s.msgFile == nil {
			o.Trace = s.out.holder()
		}
	}
	if c.debug {
		o.Debug = s.out.holder()
	}
	if c.state {
		o.State = s.errw
	}
	if c.tlsextdebug {
		o.TLSExtDebug = s.out
	}
	// MaxVersion stays 0: openssl s_server labels what comes before the
	// ServerHello TLS 1.3 whatever its highest enabled version (measured:
	// -msg under -tls1_1 and -no_tls1_3 prints "<<< TLS 1.3, Handshake
	// [...], ClientHello").

	return o
}

// observe wraps an accepted connection with an observer when one is needed.
func (s *server) observe(conn net.Conn) *trackedConn {
	eof := transport.NewEOFWatch(conn)
	if !s.observing() {
		tc := &trackedConn{Conn: eof, eof: eof}
		tc.catch = &tc.catcher
		return tc
	}
	ob := wire.New(s.observerOptions())
	return &trackedConn{Conn: ob.Wrap(eof), ob: ob, eof: eof}
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
