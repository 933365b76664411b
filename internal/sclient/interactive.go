package sclient

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/tlskit/tlskit/internal/engine"
	"github.com/tlskit/tlskit/internal/sslerr"
	"github.com/tlskit/tlskit/internal/stdio"
)

// ticketWait is how long s_client waits, after its input ends, for the TLS
// 1.3 session ticket a server sends just after the handshake. openssl races
// here and scripts trip over it; a short wait makes the output stable.
var ticketWait = 500 * time.Millisecond

// interact copies stdin to the server and the server's data to stdout,
// handling openssl's connected commands, until one side ends the session.
func (c *client) interact(cn *conn) int {
	s := c.set
	tc := cn.tls
	readDone := make(chan error, 1)
	go func() {
		buf := make([]byte, 16*1024)
		for {
			n, err := tc.Read(buf)
			if n > 0 && !cn.shut.Load() && !c.ticketsHaveStopped() {
				c.out.Write(buf[:n])
			}
			if err != nil {
				readDone <- err
				return
			}
		}
	}()

	// stdin is forwarded raw, a read at a time, as openssl's loop does;
	// its connected commands are the first byte of a read.
	reads := stdio.Reads(c.in, stdio.ClientReadSize)
	commands := !s.nocommands && !s.ignEOF
	for {
		select {
		case err := <-readDone:
			if errno, ok := c.ticketFailure(); ok {
				return c.ticketReadFailed(cn, nil, errno)
			}
			return c.peerClosed(cn, err)
		case errno := <-c.ticketFailed:
			return c.ticketReadFailed(cn, readDone, errno)
		case data, ok := <-reads:
			if !ok {
				reads = nil // a nil channel blocks: input is over
				if s.ignEOF {
					continue
				}
				return c.inputEnded(cn, readDone)
			}
			if commands {
				switch data[0] {
				case 'Q':
					fmt.Fprintln(c.errw, "DONE")
					cn.shutdown(readDone)
					return 0
				case 'R':
					// openssl drops the rest of the read as well.
					fmt.Fprintln(c.errw, "RENEGOTIATING")
					if cn.st.Version >= engine.VersionTLS13 {
						// TLS 1.3 has no renegotiation: openssl fails
						// and exits 1.
						fmt.Fprintln(c.errw, sslerr.New(sslerr.RenegotiateWrongVersion, ""))
						return 1
					}
					fmt.Fprintln(c.errw, "s_client: renegotiation (R) is not supported: tlskit cannot renegotiate yet")
					continue
				case 'k', 'K':
					// k updates our keys, K asks the server to update its
					// own too (RFC 8446 section 4.6.3); openssl drops the
					// rest of the read.
					fmt.Fprintln(c.errw, "KEYUPDATE")
					if cn.st.Version < engine.VersionTLS13 {
						// KeyUpdate is TLS 1.3's: openssl fails and exits 1.
						fmt.Fprintln(c.errw, sslerr.New(sslerr.KeyUpdateWrongVersion, ""))
						return 1
					}
					if err := tc.KeyUpdate(data[0] == 'K'); err != nil {
						fmt.Fprintf(c.errw, "s_client: key update: %v\n", err)
						return 1
					}
					continue
				}
			}
			if s.crlf {
				data = toCRLF(data)
			}
			if _, err := tc.Write(data); err != nil {
				fmt.Fprintf(c.errw, "s_client: write: %v\n", err)
				return 1
			}
		}
	}
}

// inputEnded ends the session at the end of stdin, as openssl does without
// -ign_eof: DONE, then close_notify.
func (c *client) inputEnded(cn *conn, readDone <-chan error) int {
	// Give a TLS 1.3 ticket that is on its way a moment to arrive, so the
	// session block is printed, then end the session.
	if cn.st.Version == engine.VersionTLS13 {
		select {
		case err := <-readDone:
			if errno, ok := c.ticketFailure(); ok {
				return c.ticketReadFailed(cn, nil, errno)
			}
			return c.peerClosed(cn, err)
		case errno := <-c.ticketFailed:
			return c.ticketReadFailed(cn, readDone, errno)
		case <-c.ticket:
			// onTicket says whether its session failed to save
			// before it says a ticket arrived.
			if errno, ok := c.ticketFailure(); ok {
				return c.ticketReadFailed(cn, readDone, errno)
			}
		case <-time.After(ticketWait):
		}
	}
	fmt.Fprintln(c.errw, "DONE")
	cn.shutdown(readDone)
	return 0
}

// drainWait bounds how long s_client, having sent its close_notify, reads
// what the server still sends: openssl's s_client waits for the socket
// half a second at most.
var drainWait = 500 * time.Millisecond

// shutdown ends the session as openssl's s_client leaves: close_notify,
// its half of the TCP connection closed, then the socket drained until
// the server closes too or drainWait passes. What it drains (the
// server's close_notify) is read raw, outside TLS, so -msg and -state
// report nothing of it, but it counts as read (-prexit's report) and
// -debug shows the reads. readDone is the reading goroutine's end, nil
// when it has ended.
func (cn *conn) shutdown(readDone <-chan error) {
	cn.shut.Store(true)
	cn.obs.w.Drain()
	cn.tls.SetWriteDeadline(time.Now().Add(time.Second))
	cn.tls.CloseWrite()
	if hc, ok := cn.raw.(interface{ CloseWrite() error }); ok {
		hc.CloseWrite()
	}
	cn.tls.SetReadDeadline(time.Now().Add(drainWait))
	if readDone != nil {
		// The engine's reader takes the server's close_notify, and ends.
		<-readDone
	}
	if cn.wired != nil && !cn.obs.eof.TransportEnded() {
		buf := make([]byte, 8192)
		for {
			if _, err := cn.wired.Read(buf); err != nil {
				break
			}
		}
	}
	cn.obs.w.DrainEnd()
	cn.tls.Close()
}

// drainFailed leaves a connection whose handshake failed as openssl's
// s_client leaves it, after its error lines and report: its half of the
// TCP connection closed, then the socket drained until the server closes
// too or drainWait passes (measured with strace: shutdown(SHUT_WR), reads
// bounded by 500 ms). -debug shows those reads: the rest of the server's
// flight the handshake never took up, then the end of the stream.
func (cn *conn) drainFailed() {
	if cn == nil || cn.wired == nil {
		return
	}
	cn.obs.w.Drain()
	if hc, ok := cn.raw.(interface{ CloseWrite() error }); ok {
		hc.CloseWrite()
	}
	cn.raw.SetReadDeadline(time.Now().Add(drainWait))
	buf := make([]byte, 8192)
	for {
		if _, err := cn.wired.Read(buf); err != nil {
			break
		}
	}
	cn.obs.w.DrainEnd()
}

// ticketFailure takes onTicket's report of a ticket it could not save,
// if there is one. onTicket reports before its read returns and before
// it says a ticket arrived, so a reader of either sees the report.
func (c *client) ticketFailure() (int, bool) {
	select {
	case errno := <-c.ticketFailed:
		return errno, true
	default:
		return 0, false
	}
}

// ticketsHaveStopped reports whether a ticket could not be saved: the
// read that took it failed in openssl, and nothing read after it is
// shown.
func (c *client) ticketsHaveStopped() bool { return c.ticketsStopped.Load() }

// ticketReadFailed ends the session as openssl does when -sess_out
// could not save a TLS 1.3 ticket's session: the read that took the
// ticket fails with the system's error (see onTicket), openssl prints
// its errno on stderr, shuts the connection down and exits with it.
func (c *client) ticketReadFailed(cn *conn, readDone <-chan error, errno int) int {
	fmt.Fprintf(c.errw, "read:errno=%d\n", errno)
	cn.shutdown(readDone)
	return errno
}

// peerClosed reports how the server ended the session.
func (c *client) peerClosed(cn *conn, err error) int {
	c.sessMu.Lock()
	failed := c.sessWriteFailed
	c.sessMu.Unlock()
	if failed && (errors.Is(err, io.EOF) || isUnexpectedEOF(err)) {
		// A -sess_out write failed earlier (TLS 1.0–1.2: after the
		// handshake): its system error, still first in openssl's error
		// queue, turns the end of the session into a failed read
		// (SSL_ERROR_SYSCALL) with errno 0 by then. openssl prints
		// "read:errno=0" on stderr instead of "closed" or the
		// unexpected EOF's line, and exits 0 (measured with 3.0 at TLS
		// 1.2: s_server -www's close_notify, s_server's q).
		fmt.Fprintf(c.errw, "read:errno=%d\n", 0)
		if cn.obs.closeNotified() {
			cn.shutdown(nil)
		}
		return 0
	}
	switch {
	case errors.Is(err, io.EOF) && cn.obs.closeNotified():
		fmt.Fprintln(c.info, "closed")
		// openssl's SSL_shutdown answers the server's close_notify with
		// its own (-state: "SSL3 alert write:warning:close notify"), and
		// reads the end of the stream.
		cn.shutdown(nil)
		return 0
	case errors.Is(err, io.EOF) || isUnexpectedEOF(err):
		if c.set.ignoreUnexpectedEOF {
			fmt.Fprintln(c.info, "closed")
			return 0
		}
		// openssl's error line: ssl3_read_n's "unexpected eof while
		// reading" (-ignore_unexpected_eof accepts such an end).
		fmt.Fprintln(c.errw, sslerr.New(sslerr.UnexpectedEOF, ""))
		return 1
	}
	if _, ok := sslerr.RemoteAlert(err); ok {
		// A fatal alert after the handshake (a TLS 1.3 server's
		// certificate_required): openssl prints its error queue alone,
		// "ssl3_read_bytes:tlsv13 alert certificate required".
		sslerr.FromError(err, sslerr.Client).Write(c.errw)
		return 1
	}
	if _, ok := sslerr.LocalAlert(err); ok {
		// A fault the engine found after the handshake, its alert sent
		// (a record that does not decrypt): openssl prints its error
		// queue alone, e.g. "ssl3_get_record:decryption failed or bad
		// record mac", and no errno line.
		sslerr.FromError(err, sslerr.Client).Write(c.errw)
		return 1
	}
	fmt.Fprintf(c.errw, "s_client: read: %v\n", err)
	fmt.Fprintf(c.errw, "read:errno=%d\n", 0)
	return 1
}

func isUnexpectedEOF(err error) bool {
	return errors.Is(err, io.ErrUnexpectedEOF)
}

// waitTicket reads briefly so that a TLS 1.3 ticket sent after the
// handshake is processed (the engine handles post-handshake messages only
// while reading); any data is copied to stdout.
func (c *client) waitTicket(cn *conn) {
	if cn.st.Version != engine.VersionTLS13 {
		return
	}
	deadline := time.Now().Add(ticketWait)
	cn.tls.SetReadDeadline(deadline)
	defer cn.tls.SetReadDeadline(time.Time{})
	buf := make([]byte, 4096)
	_, _, gen := c.set.engine.sess.get()
	changed := func() bool {
		_, _, now := c.set.engine.sess.get()
		return now != gen
	}
	for time.Now().Before(deadline) {
		n, err := cn.tls.Read(buf)
		if n > 0 {
			c.out.Write(buf[:n])
		}
		if changed() || err != nil {
			return
		}
	}
}

// toCRLF is -crlf: openssl turns every LF of a read into CR LF, even one
// that a CR already precedes.
func toCRLF(data []byte) []byte {
	return bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n"))
}
