// Package sclient implements the s_client command: connect, verify and report like openssl s_client.
package sclient

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/tlskit/tlskit/internal/dn"
	"github.com/tlskit/tlskit/internal/engine"
	"github.com/tlskit/tlskit/internal/opt"
	"github.com/tlskit/tlskit/internal/optgroups"
	"github.com/tlskit/tlskit/internal/proxy"
	"github.com/tlskit/tlskit/internal/report"
	"github.com/tlskit/tlskit/internal/secdebug"
	"github.com/tlskit/tlskit/internal/sslerr"
	"github.com/tlskit/tlskit/internal/stdio"
	"github.com/tlskit/tlskit/internal/transport"
)

// Table is s_client's option table.
var Table = &opt.Table{Prog: "s_client", Usage: "[options] [host:port]", Build: options, MaxParams: 1}

// client is one run of s_client.
type client struct {
	set *settings
	// sentEarly: -early_data's file went with a connection already.
	sentEarly bool
	// pskNoted: -debug's "PSK key given" line went out.
	pskNoted bool
	in       io.Reader
	out      io.Writer // stdout: the peer's data
	// info is where openssl's own stdout lines go (CONNECTED, the report,
	// "closed"): stdout, or nowhere under -quiet and -brief, as openssl
	// then swaps in a null BIO (unless -debug).
	info io.Writer
	errw io.Writer // stderr: verify lines, errors, -brief, DONE
	// preRead and preWritten count the last dial's STARTTLS dialogue.
	preRead, preWritten int64
	// starttlsEcho is what openssl keeps from the last dial's STARTTLS
	// dialogue and writes on stderr after the handshake (see
	// starttls.Options.Echo).
	starttlsEcho []byte

	ticket chan struct{} // signalled when a session ticket arrives
	// ticketFailed carries the errno of a TLS 1.3 ticket -sess_out
	// could not save: the read that took the ticket then fails (see
	// onTicket).
	ticketFailed chan int
	// sessMu serialises -sess_out writes, which run on the reading
	// goroutine as tickets arrive; Main takes it for good before
	// returning, so the process never exits half-way through a write
	// (leaving an empty file behind).
	sessMu sync.Mutex
	// sessWriteFailed is set, under sessMu, once a -sess_out write has
	// failed: openssl's error queue then holds the system's error, and
	// the next read that ends the session reports it instead (see
	// peerClosed).
	sessWriteFailed bool
	// ticketsStopped is set when a ticket's session could not be saved:
	// openssl's read fails there and takes no more. It is apart from
	// sessMu, which Main keeps when it returns, as the reading goroutine
	// looks at it after every read.
	ticketsStopped atomic.Bool
}

// saveSession writes the -sess_out file under sessMu and reports a
// failure as openssl does.
func (c *client) saveSession(write func() error) {
	if err := c.trySaveSession(write); err != nil {
		reportSessionError(c.errw, err)
	}
}

// trySaveSession writes the -sess_out file under sessMu and notes a
// failure to write it (sessWriteFailed).
func (c *client) trySaveSession(write func() error) error {
	c.sessMu.Lock()
	defer c.sessMu.Unlock()
	err := write()
	if _, ok := err.(*sessWriteError); ok {
		c.sessWriteFailed = true
	}
	return err
}

// Main runs s_client with its arguments and returns the exit code.
func Main(args []string, s stdio.Stdio) int {
	if err := checkArgs(args); err != nil {
		return startupError(s.Err, err)
	}
	v, code, ok := Table.ParseArgs(args, s.Err)
	if !ok {
		return code
	}
	if f, ok := v.Get("writerand"); ok {
		// openssl saves it as the command ends, however it ends (a
		// start-up error too, measured with 3.0).
		defer optgroups.WriteRand(f, s.Err)
	}
	if err := optgroups.CheckProviders(v); err != nil {
		return startupError(s.Err, err)
	}
	// openssl loads -rand's files once the options are read.
	if err := optgroups.LoadRand(v); err != nil {
		return startupError(s.Err, rawError(err))
	}
	if err := checkUsage(v); err != nil {
		return startupError(s.Err, err)
	}
	set, err := buildSettings(v, s.Out, s.Err)
	if err != nil {
		return startupError(s.Err, err)
	}
	c := &client{set: set, in: s.In, out: s.Out, errw: s.Err, ticket: make(chan struct{}, 1), ticketFailed: make(chan int, 1)}
	c.info = s.Out
	if (set.quiet || set.brief) && !set.debug {
		c.info = io.Discard
		if set.msgOut == s.Out {
			set.msgOut = io.Discard
		}
	}
	var msgFile *fileWriter
	if _, ok := v.Get("msgfile"); ok && set.msgOut != io.Discard {
		msgFile = &fileWriter{w: set.msgOut}
		set.msgOut = msgFile
	}
	if set.verifyDepth > 0 {
		fmt.Fprintf(c.errw, "verify depth is %d\n", set.verifyDepth)
	}
	code = c.run()
	// Let a session write in progress finish, and no other begin.
	c.sessMu.Lock()
	for _, n := range set.exitNotes {
		fmt.Fprintln(s.Err, n)
	}
	if msgFile != nil && msgFile.err != nil {
		// openssl finds the failed flushes of -msgfile in its error
		// queue at the end, prints them and exits 1.
		sslerr.FileWriteReport(sslerr.Errno(msgFile.err)).Write(c.errw)
		code = 1
	}
	return code
}

// fileWriter remembers the first failed write to an output file such as
// -msgfile (a full disk), for the report at exit; later writes are
// dropped.
type fileWriter struct {
	mu  sync.Mutex
	w   io.Writer
	err error
}

func (f *fileWriter) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return len(p), nil
	}
	if _, err := f.w.Write(p); err != nil {
		f.err = err
	}
	// The printers go on as openssl's do: the failure is reported once.
	return len(p), nil
}

// startupError prints an error found before connecting and returns 1.
func startupError(w io.Writer, err error) int {
	var ue *opt.UsageError
	var ce *configError
	switch {
	case errors.As(err, &ue):
		ue.Print(w, "s_client")
	case errors.As(err, &ce):
		for _, l := range ce.lines {
			fmt.Fprintln(w, l)
		}
	default:
		fmt.Fprintf(w, "s_client: %v\n", err)
	}
	return 1
}

func (c *client) run() int {
	s := c.set
	if s.handshakeErr != nil {
		return c.preHandshakeFailure(s.handshakeErr)
	}
	if s.secDebug != nil {
		secdebug.WriteSetup(c.errw, c.secDebugSetup())
	}
	nc, err := c.dial()
	if err != nil {
		c.dialFailure(err)
		return 1
	}
	if c.earlyDataUnreadable() {
		nc.Close()
		return 1
	}
	cn, err := c.handshake(nc)
	if err != nil {
		c.printFailure(cn, err)
		cn.drainFailed()
		nc.Close()
		return 1
	}
	// However the session ends, its connection goes with it (an
	// in-process run must not leave the server waiting).
	defer nc.Close()
	if s.sessOut != "" && cn.st.Version != engine.VersionTLS13 && !cn.st.Resumed {
		// A TLS 1.0–1.2 session exists at the end of the handshake (TLS
		// 1.3 tickets are saved as they arrive, see onTicket). openssl
		// 3.0 saves only a new one: a resumed session leaves the file as
		// it was, even when the server renewed the ticket (measured with
		// openssl s_server, -no_ticket, and a server that renews).
		c.saveSession12(cn)
	}
	c.printConnection(cn, false)
	if s.reconnect {
		return c.reconnectLoop(cn)
	}
	code := c.interact(cn)
	if s.prexit && !s.quiet && !s.brief {
		// openssl repeats the whole report at exit, its byte counts
		// then everything read and written (data, close_notify).
		rs := c.session(cn)
		if cn.obs != nil {
			rs.BytesRead, rs.BytesWritten = cn.obs.transferred()
		}
		report.WriteConnection(c.info, rs)
	}
	return code
}

// reconnectLoop drops the connection and resumes five times, as openssl's
// -reconnect does, printing each connection's short report, then carries
// on with the last connection.
//
// At TLS 1.3 openssl 3.0 drops each connection as soon as its handshake
// is done, before the server's tickets are read, and the session it
// holds then cannot be resumed: every reconnection is a full handshake
// ("New", the chain verified again), and tickets show only on the last
// connection. tlskit does the same.
func (c *client) reconnectLoop(first *conn) int {
	tls13 := first.st.Version == engine.VersionTLS13
	if !tls13 {
		c.waitTicket(first)
	}
	first.tls.Close()
	for i := 0; i < 5; i++ {
		if tls13 {
			c.set.engine.sess.mu.Lock()
			c.set.engine.sess.ticket = nil
			c.set.engine.sess.mu.Unlock()
		}
		fmt.Fprintln(c.info, "drop connection and then reconnect")
		nc, err := c.dial()
		if err != nil {
			c.dialFailure(err)
			return 1
		}
		cn, err := c.handshake(nc)
		if err != nil {
			c.printFailure(cn, err)
			cn.drainFailed()
			nc.Close()
			return 1
		}
		c.printConnection(cn, true)
		if i == 4 {
			// openssl goes on with the last connection as usual.
			defer nc.Close()
			return c.interact(cn)
		}
		if !tls13 {
			c.waitTicket(cn)
		}
		cn.tls.Close()
	}
	return 0
}

// dialFailure reports a failed connect as openssl does: its error queue
// (a refused or unreachable connect, a failed name lookup) and then
// "connect:errno=N"; failures openssl has no line for (a proxy's or a
// STARTTLS server's refusal) in tlskit's words.
func (c *client) dialFailure(err error) {
	var refused *proxy.RefusedError
	if errors.As(err, &refused) {
		// openssl has connected (to the proxy) by then: it says why the
		// tunnel failed and prints the short report of a handshake
		// never begun.
		fmt.Fprintf(c.errw, "s_client: HTTP CONNECT failed, reason=%s\n", refused.Reason)
		fmt.Fprintf(c.info, "CONNECTED(%08X)\n", refused.FD)
		report.WriteConnection(c.info, &report.Session{NameOpt: c.set.nameOpt, BytesRead: refused.Read, BytesWritten: refused.Written, Timeout: 7200})
		return
	}
	if r, ok := sslerr.ConnectFailure(err); ok {
		r.Write(c.errw)
		return
	}
	fmt.Fprintf(c.errw, "s_client: %s\n", transportError(err))
	if en := transport.Errno(err); en != 0 || isDialError(err) {
		fmt.Fprintf(c.errw, "connect:errno=%d\n", en)
	}
}

func transportError(err error) string {
	return strings.TrimPrefix(err.Error(), "transport: ")
}

func isDialError(err error) bool {
	var de *transport.DialError
	return errors.As(err, &de)
}

func formatName(raw []byte, rs *report.Session) string { return dn.Format(raw, rs.NameOpt) }
