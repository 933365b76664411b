package sserver

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
)

// stdinLines starts, once, the reader that turns stdin into lines. Like
// openssl, s_server only consumes stdin while a client is connected; the
// channel hands over one line at a time, so nothing is read ahead for
// long. The channel is closed at end of input.
func (s *server) stdinLines() <-chan []byte {
	s.stdinOnce.Do(func() {
		s.stdin = make(chan []byte)
		go func() {
			defer close(s.stdin)
			if s.in == nil {
				return
			}
			r := bufio.NewReaderSize(s.in, 16*1024)
			for {
				line, err := r.ReadSlice('\n')
				if len(line) > 0 {
					s.stdin <- bytes.Clone(line)
				}
				if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
					return
				}
			}
		}()
	})
	return s.stdin
}

// command returns the connected command a stdin line holds: openssl acts on
// a line that is a single command letter, and sends anything else.
func command(line []byte) byte {
	l := bytes.TrimRight(line, "\r\n")
	if len(l) == 1 && len(line) > 1 && bytes.IndexByte([]byte("qQrRPSkKc"), l[0]) >= 0 {
		return l[0]
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
		fmt.Fprintf(s.errw, "s_server: TLS handshake with %s failed: %v\n", conn.RemoteAddr(), err)
		fmt.Fprint(out, "shutting down SSL\nCONNECTION CLOSED\n")
		conn.Close()
		return false
	}
	ci := connInfo{state: t.ConnectionState(), hello: tc.hello, conn: tc}
	s.writeSecDebug(ci)
	var b bytes.Buffer
	if s.c.brief {
		var eb bytes.Buffer
		s.writeBrief(&eb, ci)
		s.errw.Write(eb.Bytes())
	} else {
		s.writeHandshakeNotes(&b, ci)
		s.writeConnReport(&b, ci)
	}
	out.Write(b.Bytes())

	// The client's data, read by its own goroutine.
	type chunk struct {
		data []byte
		err  error
	}
	fromClient := make(chan chunk)
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
		}
	}()
	defer close(done)

	closeConn := func(notify bool) {
		fmt.Fprintln(out, "shutting down SSL")
		if notify {
			t.CloseWrite()
		}
		conn.Close()
		fmt.Fprintln(out, "CONNECTION CLOSED")
	}
	lines := s.stdinLines()
	for {
		select {
		case <-stop:
			closeConn(true)
			return true
		case c := <-fromClient:
			if len(c.data) > 0 {
				s.data.Write(c.data)
			}
			if c.err != nil {
				// A client that closes without close_notify is an error
				// unless -ignore_unexpected_eof, as in openssl 3.0.
				unexpected := errors.Is(c.err, io.EOF) && tc.eof.TransportEnded() && !s.c.ignoreUnexpectedEOF
				if errors.Is(c.err, io.EOF) && !unexpected {
					fmt.Fprintln(out, "DONE")
				} else if unexpected {
					fmt.Fprintln(out, "ERROR")
					fmt.Fprintln(s.errw, "s_server: unexpected eof while reading: the client closed the connection without close_notify")
				} else {
					fmt.Fprintln(out, "ERROR")
					fmt.Fprintf(s.errw, "s_server: %v\n", c.err)
				}
				closeConn(true)
				return false
			}
		case line, ok := <-lines:
			if !ok {
				if s.c.ignEOF {
					lines = nil // keep serving this client; stdin has nothing more
					continue
				}
				fmt.Fprintln(out, "DONE")
				closeConn(true)
				return true
			}
			switch command(line) {
			case 'q':
				// End this connection without close_notify, keep accepting.
				closeConn(false)
				return false
			case 'Q':
				closeConn(false)
				return true
			case 'S':
				s.writeStats(out)
				continue
			case 'P':
				// Plain text straight down the TCP connection, outside TLS:
				// the client should treat it as a broken record.
				conn.Write([]byte("tlskit s_server: this text is not encrypted\n"))
				continue
			case 'r', 'R':
				fmt.Fprintln(out, "s_server: renegotiation is not supported by crypto/tls")
				continue
			case 'k', 'K':
				fmt.Fprintln(out, "s_server: key update requests are not supported by crypto/tls")
				continue
			case 'c':
				fmt.Fprintln(out, "s_server: post-handshake authentication is not supported by crypto/tls")
				continue
			}
			data := line
			if s.c.crlf && bytes.HasSuffix(data, []byte("\n")) && !bytes.HasSuffix(data, []byte("\r\n")) {
				data = append(data[:len(data)-1], '\r', '\n')
			}
			if _, err := t.Write(data); err != nil {
				fmt.Fprintln(out, "ERROR")
				fmt.Fprintf(s.errw, "s_server: %v\n", err)
				closeConn(false)
				return false
			}
		}
	}
}
