package sserver

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"time"

	"github.com/tlskit/tlskit/internal/engine"
	"github.com/tlskit/tlskit/internal/sslerr"
	"github.com/tlskit/tlskit/internal/stdio"
)

// stdinReads starts, once, the reader of stdin. Like openssl, s_server
// forwards stdin raw, a read at a time (its connected commands are the
// first bytes of a read), and only consumes it while a client is
// connected: the unbuffered channel takes little ahead. The channel is
// closed at end of input.
func (s *server) stdinReads() <-chan []byte {
	s.stdinOnce.Do(func() {
		s.stdin = make(chan []byte)
		go func() {
			defer close(s.stdin)
			for b := range stdio.Reads(s.in, stdio.ServerReadSize) {
				s.stdin <- b
			}
		}()
	})
	return s.stdin
}

// command returns the connected command a read of stdin holds, as
// openssl's s_server sees them: q, Q, P and S as the read's first byte;
// r, R, k, K and c only when a CR or LF follows at once. Anything else is
// data.
func command(data []byte) byte {
	if len(data) == 0 {
		return 0
	}
	switch data[0] {
	case 'q', 'Q', 'P', 'S':
		return data[0]
	case 'r', 'R', 'k', 'K', 'c':
		if len(data) > 1 && (data[1] == '\n' || data[1] == '\r') {
			return data[0]
		}
	}
	return 0
}

// interactive serves one client in openssl's default mode: the client's
// data goes to stdout, stdin lines go to the client. It reports whether
// the server should stop (Q, or end of stdin).
func (s *server) interactive(conn net.Conn, stop <-chan struct{}) (exit bool) {
	out := s.out
	t, tc, err := s.handshake(conn)
	if err != nil {
		if s.c.earlyData && errors.Is(err, engine.ErrTooMuchEarlyData) {
			// openssl's SSL_read_early_data failed, not its handshake.
			fmt.Fprintln(s.errw, "Error reading early data")
		} else {
			s.writeHandshakeError(tc)
		}
		handshakeFailure(tc, err).Write(s.errw)
		fmt.Fprint(out, "shutting down SSL\nCONNECTION CLOSED\n")
		conn.Close()
		return false
	}
	if s.c.stateless && t.HandshakeState().Version < engine.VersionTLS13 {
		// openssl's SSL_stateless completes a TLS 1.2 handshake but,
		// having seen no cookie, fails it: "ERROR" without a reason, and
		// the connection is dropped without close_notify.
		s.writeHandshakeError(tc)
		fmt.Fprint(out, "shutting down SSL\nCONNECTION CLOSED\n")
		conn.Close()
		return false
	}
	ackNow(conn)
	ci := connInfo{state: connStateOf(t), hello: tc.hello, conn: tc}
	s.writeSecDebug(ci)
	if s.c.brief {
		var eb bytes.Buffer
		s.writeBrief(&eb, ci)
		s.errw.Write(eb.Bytes())
	}
	if s.c.earlyData {
		s.writeEarlyData(t, &tc.early)
	}
	if !s.c.brief {
		var b bytes.Buffer
		s.writeConnReport(&b, ci, t.HandshakeState())
		out.Write(b.Bytes())
	}

	// The client's data, read by its own goroutine.
	type chunk struct {
		data []byte
		err  error
	}
	// The next read waits until the chunk is printed, so that the -msg
	// lines of the records after it (a close_notify) follow the data, as
	// in openssl's single loop.
	fromClient := make(chan chunk)
	printed := make(chan struct{})
	done := make(chan struct{})
	go func() {
		buf := make([]byte, 16*1024)
		for {
			n, err := t.Read(buf)
			c := chunk{data: bytes.Clone(buf[:n]), err: err}
			select {
			case fromClient <- c:
			case <-done:
				return
			}
			if err != nil {
				return
			}
			select {
			case <-printed:
			case <-done:
				return
			}
		}
	}()
	defer close(done)

	// stale holds the error of a command that failed without ending
	// anything (r or R under TLS 1.3, k or K under TLS 1.2): openssl's
	// SSL_renegotiate or SSL_key_update refuses it, leaves its error
	// queued and SSL_do_handshake still says 1. The queued error turns
	// the end of the client's data into "ERROR" (SSL_get_error finds it)
	// and is printed then, or with the next error printed; a TLS 1.3
	// k, K or c that starts the handshake machine clears it.
	var stale []sslerr.Entry
	tls13 := t.HandshakeState().Version >= engine.VersionTLS13
	// closeConn ends the connection: "shutting down SSL", then by mode
	// close_notify sent (closeNotify), none (closeQuiet), or one tried
	// and failing (closeDropped: openssl's q, Q and end of input close
	// the socket, then SSL_shutdown tries to send close_notify and fails:
	// -trace and -msg show the record's header, and TLS 1.3's inner
	// content type, but no alert, and the client gets none; a write
	// deadline already past makes the engine's write fail as surely,
	// while its reader goes on until the socket closes), then the socket
	// closed and "CONNECTION CLOSED".
	closeConn := func(mode closeMode) {
		// Held on a pipe or a file, as openssl's stdout buffer holds
		// them: serve writes them (after "shutdown accept socket" when
		// the server stops).
		out := out.holder()
		fmt.Fprintln(out, "shutting down SSL")
		if mode == closeDropped {
			conn.SetWriteDeadline(time.Unix(1, 0))
		}
		if mode != closeQuiet {
			t.CloseWrite()
		}
		conn.Close()
		fmt.Fprintln(out, "CONNECTION CLOSED")
	}
	reads := s.stdinReads()
	for {
		select {
		case <-stop:
			closeConn(closeNotify)
			return true
		case c := <-fromClient:
			if len(c.data) > 0 {
				// Straight to stdout, then the -trace and -debug lines
				// of the records that brought it, as openssl's
				// raw_write_stdout and BIO_flush.
				s.data.WriteAhead(c.data)
				s.out.Flush()
			}
			if c.err == nil {
				printed <- struct{}{}
			}
			if c.err != nil {
				// A client that closes without close_notify is an error
				// unless -ignore_unexpected_eof, as in openssl 3.0.
				unexpected := isEOF(c.err) && tc.eof.TransportEnded() && !s.c.ignoreUnexpectedEOF
				if isEOF(c.err) && !unexpected {
					if len(stale) > 0 {
						// Not fatal: close_notify goes out all the same.
						fmt.Fprintln(out, "ERROR")
						sslerr.Report{Entries: stale}.Write(s.errw)
						closeConn(closeNotify)
						return false
					}
					fmt.Fprintln(out, "DONE")
					closeConn(closeNotify)
					return false
				}
				// A fatal error, sent or received: openssl prints its
				// queue and sends no close_notify after it.
				fmt.Fprintln(out, "ERROR")
				sslerr.Report{Entries: stale}.Write(s.errw)
				switch {
				case unexpected:
					sslerr.Report{Entries: []sslerr.Entry{sslerr.New(sslerr.UnexpectedEOF, "")}}.Write(s.errw)
				case errors.Is(c.err, syscall.ECONNRESET):
					// A reset is SSL_ERROR_SYSCALL with nothing queued:
					// openssl prints no line for it.
				default:
					sslerr.FromError(c.err, sslerr.Server).Write(s.errw)
				}
				closeConn(closeQuiet)
				return false
			}
		case data, ok := <-reads:
			// -quiet and -brief turn the commands off, and the end of
			// input then only stops the reading (openssl: "-ign_eof,
			// default when -quiet"); otherwise it ends the server as Q
			// does, whatever -ign_eof says: openssl 3.0 ignores it here.
			if !ok {
				if testOnlyStdinEnded != nil {
					testOnlyStdinEnded()
				}
				if s.c.quiet {
					reads = nil // keep serving this client; stdin has nothing more
					continue
				}
				fmt.Fprintln(out, "DONE")
				closeConn(closeDropped)
				return true
			}
			cmd := byte(0)
			if !s.c.quiet {
				cmd = command(data)
			}
			switch cmd {
			case 'q':
				// End this connection without close_notify (openssl
				// closes the socket before its shutdown), keep accepting.
				fmt.Fprintln(out, "DONE")
				closeConn(closeDropped)
				return false
			case 'Q':
				fmt.Fprintln(out, "DONE")
				closeConn(closeDropped)
				return true
			case 'S':
				// The statistics, and the read is still sent.
				s.writeStats(out)
			case 'P':
				// Plain text straight down the TCP connection, outside TLS
				// (the client sees a broken record), then the read itself.
				conn.Write([]byte("Lets print some clear text\n"))
			case 'r', 'R':
				if tls13 {
					// RFC 8446 has no renegotiation.
					fmt.Fprintln(out, "SSL_do_handshake -> 1")
					stale = append(stale, sslerr.New(sslerr.RenegotiateWrongVersion, ""))
					continue
				}
				fmt.Fprintln(out, "s_server: renegotiation is not supported by tlskit's server")
				continue
			case 'k', 'K':
				if !tls13 {
					fmt.Fprintln(out, "SSL_do_handshake -> 1")
					stale = append(stale, sslerr.New(sslerr.KeyUpdateWrongVersion, ""))
					continue
				}
				stale = nil
				if tc.keyUpdate != nil {
					// RFC 8446 section 4.6.3; K asks the client to
					// update its keys too. openssl's server then
					// prints what SSL_do_handshake returned.
					if err := tc.keyUpdate(cmd == 'K'); err != nil {
						fmt.Fprintln(out, "ERROR")
						fmt.Fprintf(s.errw, "s_server: key update: %v\n", err)
						closeConn(closeQuiet)
						return false
					}
					fmt.Fprintln(out, "SSL_do_handshake -> 1")
					continue
				}
				fmt.Fprintln(out, "s_server: key update requests need TLS 1.3")
				continue
			case 'c':
				s.requestCert(tc, stale)
				stale = nil
				continue
			}
			if s.c.crlf {
				data = bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n"))
			}
			if _, err := t.Write(data); err != nil {
				fmt.Fprintln(out, "ERROR")
				fmt.Fprintf(s.errw, "s_server: %v\n", err)
				closeConn(closeQuiet)
				return false
			}
		}
	}
}

// testOnlyStdinEnded, set by tests, is called when a session sees the
// end of stdin, before it acts on it (TestIgnEOF).
var testOnlyStdinEnded func()

// isEOF reports the end of the client's data: io.EOF after close_notify,
// or the engine's io.ErrUnexpectedEOF for a transport that ended without
// close_notify (tc.eof tells the two apart either way).
func isEOF(err error) bool { return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) }

// requestCert is the c command: a TLS 1.3 post-handshake
// CertificateRequest (RFC 8446 §4.6.2). As openssl's s_server, it says
// "SSL_do_handshake -> 1" once the request is sent; the client's answer
// comes through the reading goroutine, which verifies it with the verify
// callback (depth= lines) and fails the connection on a fatal error. A
// request that cannot be sent (TLS 1.2, no post_handshake_auth from the
// client) is "Failed to initiate request" and openssl's error line, and
// the connection goes on.
func (s *server) requestCert(tc *trackedConn, stale []sslerr.Entry) {
	if tc.requestCert == nil {
		fmt.Fprintln(s.out, "s_server: post-handshake authentication is not available on this connection")
		return
	}
	err := tc.requestCert()
	if err == nil {
		fmt.Fprintln(s.out, "SSL_do_handshake -> 1")
		return
	}
	fmt.Fprintln(s.out, "Failed to initiate request")
	sslerr.Report{Entries: stale}.Write(s.errw) // openssl prints its whole queue
	switch {
	case errors.Is(err, engine.ErrPHAWrongVersion):
		fmt.Fprintln(s.errw, sslerr.New(sslerr.PHAWrongVersion, ""))
	case errors.Is(err, engine.ErrPHANotOffered):
		fmt.Fprintln(s.errw, sslerr.New(sslerr.PHAExtensionNotReceived, ""))
	default:
		fmt.Fprintf(s.errw, "s_server: %v\n", err)
	}
}

// closeMode is how the interactive loop's closeConn ends a connection.
type closeMode int

const (
	closeQuiet   closeMode = iota // no close_notify
	closeNotify                   // close_notify sent
	closeDropped                  // close_notify tried after the socket closed: not sent
)
