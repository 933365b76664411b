// Package sserver implements the s_server command: a TLS test server like openssl s_server that serves many clients at once.
package sserver

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/tlskit/tlskit/internal/dn"
	"github.com/tlskit/tlskit/internal/engine"
	"github.com/tlskit/tlskit/internal/engine/msg"
	"github.com/tlskit/tlskit/internal/opt"
	"github.com/tlskit/tlskit/internal/optgroups"
	"github.com/tlskit/tlskit/internal/secdebug"
	"github.com/tlskit/tlskit/internal/sslerr"
	"github.com/tlskit/tlskit/internal/stdio"
	"github.com/tlskit/tlskit/internal/tlsnames"
	"github.com/tlskit/tlskit/internal/wire"
)

// Table is s_server's option table.
var Table = &opt.Table{Prog: "s_server", Usage: "[options]", Build: options}

// maxConcurrent bounds the connections served at once in the concurrent
// modes, and so the server's memory; further clients wait in the kernel's
// accept queue.
const maxConcurrent = 1024

// Main runs s_server with its arguments and returns the exit code.
//
// SIGINT and SIGTERM end the server as they end openssl s_server, which
// they kill: nothing more is printed, connected clients get no
// close_notify (only the TCP close), the exit code is 128 plus the signal
// number. Before that the generated certificate and a -unix socket file
// are removed.
func Main(args []string, s stdio.Stdio) int {
	tuneGC()
	sigc := make(chan os.Signal, 1)
	signal.Notify(sigc, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigc)
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case sig := <-sigc:
			atKill.run()
			code := 1
			if n, ok := sig.(syscall.Signal); ok {
				code = 128 + int(n)
			}
			os.Exit(code)
		case <-done:
		}
	}()
	return run(context.Background(), args, s, nil)
}

// killCleanups holds the files a signal must still remove before the
// process exits: the deferred removals in run do not run then.
type killCleanups struct {
	mu   sync.Mutex
	next int
	fns  map[int]func()
	dead bool // run has started: nothing more is added
}

var atKill = &killCleanups{}

// add registers f and returns the function that unregisters it (once f
// is done another way).
func (k *killCleanups) add(f func()) (remove func()) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.dead {
		return func() {}
	}
	id := k.next
	k.next++
	if k.fns == nil {
		k.fns = map[int]func(){}
	}
	k.fns[id] = f
	return func() {
		k.mu.Lock()
		defer k.mu.Unlock()
		delete(k.fns, id)
	}
}

// run calls every registered function once, holding the lock so none is
// removed (or its file reused) meanwhile.
func (k *killCleanups) run() {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.dead = true
	for _, f := range k.fns {
		f()
	}
	clear(k.fns)
}

// run is Main with a context that stops the server and, for tests, a
// function told the listening address.
func run(ctx context.Context, args []string, s stdio.Stdio, listening func(net.Addr)) int {
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
		printErr(s.Err, err)
		return 1
	}
	c, err := newConfig(v, args)
	if err != nil {
		printErr(s.Err, err)
		return 1
	}
	v = c.values
	stdout := &lockedWriter{w: s.Out, hold: c.mode == modeInteractive && !stdio.IsTerminal(s.Out)}
	srv := &server{c: c, out: stdout, data: stdout, errw: &lockedWriter{w: s.Err}, in: s.In}
	if c.quiet {
		srv.out = &lockedWriter{w: io.Discard}
	}
	if err := srv.setupVerify(v); err != nil {
		printErr(s.Err, err)
		return 1
	}
	// openssl s_server's start-up order, measured with a failing file of
	// each kind: -msgfile, then the key and certificates, the CRLs, the
	// trust store and the chain store, then the DH parameters ("Using
	// default temp DH parameters"), then -serverinfo, the chains built
	// with -build_chain and -keylogfile.
	if c.msgFile != "" {
		f, err := openMsgFile(c.msgFile)
		if err != nil {
			fmt.Fprintf(s.Err, "Error writing file %s\n", c.msgFile)
			return 1
		}
		defer f.Close()
		srv.msgFile = f
	}
	// openssl opens -msgfile as it reads the options, and -rand's files
	// once it has read them all.
	if err := optgroups.LoadRand(v); err != nil {
		printErr(s.Err, err)
		return 1
	}
	id, err := loadIdentity(c)
	if err != nil {
		printErr(s.Err, err)
		return 1
	}
	if err := srv.loadVerify(v); err != nil {
		printErr(s.Err, err)
		return 1
	}
	if srv.chainStore, err = c.chainStore.Load(); err != nil {
		printErr(s.Err, err)
		return 1
	}
	if id.ephemeralPath != "" {
		p := id.ephemeralPath
		defer os.Remove(p)
		defer atKill.add(func() { os.Remove(p) })()
	}
	for _, n := range id.notes {
		fmt.Fprintln(s.Err, n)
	}
	if c.servername != "" && len(id.sni) > 0 {
		// openssl's second SSL_CTX, for the -servername clients.
		fmt.Fprintln(srv.out, "Setting secondary ctx parameters")
	}
	if c.engine != nil {
		// -no_dhe: openssl s_server 3.0 neither reads -dhparam nor
		// sets the automatic group, and says nothing about DH (a
		// missing -dhparam file is not reported either; measured).
		if c.confDHFile != "" {
			c.engine.loadConfDHParams(c.confDHFile)
		} else if !c.noDHE {
			if !c.engine.loadDHParams(c.dhparamFile, srv.out, s.Err) {
				return 1
			}
		}
		if c.engine.psk12 != nil && c.debug {
			fmt.Fprintln(srv.out, "PSK key given, setting server callback")
		}
		if len(c.engine.pskHint) > engine.MaxPSKIdentityLen {
			// SSL_CTX_use_psk_identity_hint refuses a hint longer than
			// PSK_MAX_IDENTITY_LEN, with or without -psk.
			fmt.Fprintln(s.Err, "error setting PSK identity hint to context")
			fmt.Fprintln(s.Err, sslerr.Entry{Code: 0x0A000092, Lib: "SSL routines", Func: "SSL_CTX_use_psk_identity_hint", Reason: "data length too long"})
			return 1
		}
	}
	if c.serverInfoFile != "" {
		// openssl reads it after the DH parameters, into -cert's key
		// slot: a client served -dcert's certificate of another key
		// type (or -cert2's) gets none (openssl 3.0.22, -cert RSA and
		// -dcert ECDSA), one served -dcert's in -cert's slot gets it
		// (-cert and -dcert RSA, measured).
		si, err := readServerInfo(c.serverInfoFile)
		if err != nil {
			printErr(s.Err, err)
			return 1
		}
		if id.certIdx >= 0 {
			id.main[id.certIdx].ServerInfo = si
		}
	}
	if f, ok := c.values.Get(optgroups.ConfServerInfoFile); ok {
		attachConfServerInfo(c, id, f)
	}
	if c.engine != nil {
		if err := c.engine.loadPSKSession(); err != nil {
			printErr(s.Err, err)
			return 1
		}
	}
	if err := srv.buildChains(id); err != nil {
		printErr(s.Err, err)
		return 1
	}
	srv.tls, err = newTLSSetup(c, id)
	if err != nil {
		fmt.Fprintf(s.Err, "Error writing keylog file %s\n", c.keyLogFile)
		return 1
	}
	if srv.secDebug = srv.secDebugConfig(id); srv.secDebug != nil {
		var b bytes.Buffer
		secdebug.WriteSetup(&b, *srv.secDebug)
		srv.errw.Write(b.Bytes())
	}
	if srv.tls.keyLog != nil {
		defer srv.tls.keyLog.Close()
	}
	ln, err := listen(c)
	if err != nil {
		printErr(s.Err, err)
		return 1
	}
	if c.network == "unix" {
		p := c.addr
		defer os.Remove(p)
		defer atKill.add(func() { os.Remove(p) })()
	}
	fmt.Fprintln(srv.out, acceptLine(c, ln))
	if listening != nil {
		listening(ln.Addr())
	}
	return srv.serve(ctx, ln)
}

// printErr prints a start-up error as openssl would: configuration errors
// keep openssl's own two-line wording, others get the "s_server: " prefix.
func printErr(w io.Writer, err error) {
	var ce *tlsnames.ConfError
	var oe *optgroups.ConfError
	var he *optgroups.HandshakeError
	var ue *opt.UsageError
	switch {
	case errors.As(err, &ce):
		for _, l := range ce.Lines() {
			fmt.Fprintln(w, l)
		}
	case errors.As(err, &oe):
		for _, l := range oe.Lines {
			fmt.Fprintln(w, l)
		}
	case errors.As(err, &he):
		// (openssl's server starts and fails each handshake; tlskit's
		// says so at start-up.)
		for _, l := range he.Lines {
			fmt.Fprintln(w, l)
		}
	case errors.As(err, &ue):
		ue.Print(w, "s_server")
	default:
		fmt.Fprintf(w, "s_server: %v\n", err)
	}
}

// server is one running s_server.
type server struct {
	c    *config
	tls  *tlsSetup
	out  *lockedWriter // stdout for reports, or nowhere under -quiet/-brief
	data *lockedWriter // stdout for the client's data, even under -quiet
	errw *lockedWriter // stderr
	in   io.Reader

	// client authentication
	// clientCANames are -CAfile's subjects in its order, for the
	// engine's CertificateRequest.
	clientCANames [][]byte
	roots         []*x509.Certificate
	crls          []*x509.RevocationList
	nameopt       dn.Options
	verifyOpts    verifyParams
	secDebug      *secdebug.Config    // nil unless -security_debug[_verbose]
	verifyParsed  verifyParams        // setupVerify's, for loadVerify
	chainStore    []*x509.Certificate // -chainCAfile… or the trust store, for buildChains

	// crlDownload fetches the client chain's CRLs (-crl_download).
	crlDownload bool
	// systemCAs, when set, are the default trust store's CAs, read on
	// first use (the c command without -verify).
	systemCAs func() []*x509.Certificate
	// statusIssuers, set under -status, are the certificates -status_url
	// looks the leaf's issuer up in: the trust store (-CAfile, -CApath,
	// -CAstore and openssl's defaults), even when -verifyCAfile… replace
	// it for verification.
	statusIssuers func() []*x509.Certificate

	msgFile *os.File // -msgfile

	stdinOnce sync.Once
	stdin     chan []byte // lines from stdin; closed at end of input

	stats stats

	// www is what the -www page and the reports show the same on every
	// connection, worked out once: the escaped command line, the
	// supported ciphers block and the set of our suites.
	www struct {
		once             sync.Once
		cmdline, ciphers string
		ours             map[uint16]bool
		// lastPage is the length of the last status page built (with
		// the room for its record header): the next one's buffer is
		// sized from it.
		lastPage atomic.Int64
		// lists is the page's block about the client's lists, kept
		// for the next client that offers the same (pageLists).
		lists atomic.Pointer[pageLists]
	}
}

// stats are the counters of the session statistics block. Only these
// are counted; the rest stay zero.
type stats struct {
	accepts  atomic.Int64 // handshakes started
	finished atomic.Int64 // handshakes completed
	hits     atomic.Int64 // resumed sessions
	// renegotiates: the clients' renegotiation ClientHellos, refused
	// (openssl counts them all the same).
	renegotiates atomic.Int64
	// misses: handshakes that looked a session up in openssl's cache
	// and found none.
	misses atomic.Int64
	cached atomic.Int64 // TLS 1.0–1.2 sessions given a session ID (openssl caches them)
}

// sessionCacheSize is the size openssl s_server gives its session cache
// ("cache full overflows (128 allowed)").
const sessionCacheSize = 128

// writeStats prints the session statistics block as openssl does. The
// cache counts the TLS 1.0–1.2 sessions the engine keeps by session ID
// (tickets and TLS 1.3 sessions live in no cache); a server makes no
// client connects.
func (s *server) writeStats(w io.Writer) {
	var b bytes.Buffer
	s.appendStats(&b)
	w.Write(b.Bytes())
}

// appendStats is writeStats into b (-www's page, without a buffer of its
// own).
func (s *server) appendStats(b *bytes.Buffer) {
	// "%4d %s\n" without fmt: -www's page has these lines for every
	// connection.
	line := func(n int64, what string) {
		num := strconv.FormatInt(n, 10)
		for i := len(num); i < 4; i++ {
			b.WriteByte(' ')
		}
		b.WriteString(num)
		b.WriteByte(' ')
		b.WriteString(what)
		b.WriteByte('\n')
	}
	line(min(s.stats.cached.Load(), sessionCacheSize), "items in the session cache")
	line(0, "client connects (SSL_connect())")
	line(0, "client renegotiates (SSL_connect())")
	line(0, "client connects that finished")
	line(s.stats.accepts.Load(), "server accepts (SSL_accept())")
	line(s.stats.renegotiates.Load(), "server renegotiates (SSL_accept())")
	line(s.stats.finished.Load(), "server accepts that finished")
	line(s.stats.hits.Load(), "session cache hits")
	line(s.stats.misses.Load(), "session cache misses")
	line(0, "session cache timeouts")
	line(0, "callback cache hits")
	if s.c.noCache {
		// openssl s_server sets its cache's size only when it uses
		// the cache: OpenSSL's default size shows.
		line(0, "cache full overflows (20480 allowed)")
	} else {
		line(0, "cache full overflows (128 allowed)")
	}
}

// serve accepts connections until -naccept is reached, the interactive
// client asks the server to stop, stdin ends, or ctx is done.
func (s *server) serve(ctx context.Context, ln net.Listener) int {
	stop := make(chan struct{})
	var stopOnce sync.Once
	stopNow := func() { stopOnce.Do(func() { close(stop); ln.Close() }) }

	// The connections being served concurrently, closed if ctx ends.
	var mu sync.Mutex
	active := map[net.Conn]struct{}{}
	go func() {
		select {
		case <-ctx.Done():
			stopNow()
			mu.Lock()
			for c := range active {
				c.Close()
			}
			mu.Unlock()
		case <-stop:
		}
	}()
	var wg sync.WaitGroup
	sem := make(chan struct{}, maxConcurrent)
	announced := false
accepting:
	for n := 0; s.c.naccept == 0 || n < s.c.naccept; n++ {
		if s.c.mode != modeInteractive {
			select {
			case sem <- struct{}{}:
			case <-stop:
				break accepting
			}
		}
		conn, err := acceptRetry(ln, stop)
		if err != nil {
			break
		}
		if testOnlyWrapConn != nil {
			conn = testOnlyWrapConn(conn)
		}
		if s.c.mode != modeInteractive {
			mu.Lock()
			active[conn] = struct{}{}
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				s.serveConcurrent(conn)
				mu.Lock()
				delete(active, conn)
				mu.Unlock()
			}()
			continue
		}
		if s.interactive(conn, stop) {
			announced = true
			break
		}
		// The connection's last lines, held by closeConn, go out now
		// that the server goes on (openssl keeps them in its stdout
		// buffer until its next flush: not followed).
		s.out.Flush()
	}
	stopNow()
	wg.Wait()
	if ctx.Err() != nil {
		// Stopped by a signal: openssl dies silently then.
		return 0
	}
	// On a pipe or a file, openssl's "shutting down SSL", "CONNECTION
	// CLOSED" and the statistics wait in its stdout buffer until it
	// exits, after "shutdown accept socket" on stderr (measured with
	// strace, Q and end of input); on a terminal they come line by line,
	// before it.
	s.writeStats(s.out.holder())
	if announced {
		fmt.Fprintln(s.errw, "shutdown accept socket")
	}
	s.out.Flush()
	return 0
}

// acceptRetry accepts one connection, riding out transient errors such as
// running out of file descriptors, until the listener is closed.
func acceptRetry(ln net.Listener, stop <-chan struct{}) (net.Conn, error) {
	delay := 5 * time.Millisecond
	for {
		conn, err := ln.Accept()
		if err == nil {
			return conn, nil
		}
		select {
		case <-stop:
			return nil, err
		default:
		}
		if errors.Is(err, net.ErrClosed) {
			return nil, err
		}
		time.Sleep(delay)
		if delay < time.Second {
			delay *= 2
		}
	}
}

// testOnlyWrapConn, set by tests, wraps each accepted connection, to
// watch what the server does with it (TestHandshakeCallDepth).
var testOnlyWrapConn func(net.Conn) net.Conn

// handshake runs the TLS handshake on an accepted connection under the
// handshake timeout, so a stalled client cannot hold a slot for ever.
func (s *server) handshake(conn net.Conn) (*engine.SnapshotConn, *trackedConn, error) {
	if s.c.nbio {
		// openssl s_server -nbio says so on stderr for each connection
		// it accepts; tlskit's I/O stays as it is.
		fmt.Fprintln(s.errw, "Turned on non blocking io")
	}
	tc := s.observe(conn)
	s.stats.accepts.Add(1)
	conn.SetDeadline(time.Now().Add(s.c.handshakeTO))
	t, err := s.engineHandshake(tc)
	conn.SetDeadline(time.Time{})
	if tc.sniSwitched {
		// openssl's connection moved to the -cert2 context, whose counters
		// s_server does not print: its report counts neither the accept
		// nor its end.
		s.stats.accepts.Add(-1)
	}
	if err != nil {
		return nil, tc, err
	}
	if tc.sniSwitched {
		return t, tc, nil
	}
	s.countHandshake(t, tc.clientHello())
	return t, tc, nil
}

// countHandshake counts a finished handshake in the statistics. Apart
// from handshake, and never inlined, for the reason serveEstablished is:
// its locals stay out of the frame under the handshake. It reads the
// handshake state in place (HandshakeStateRef), not a copy of it.
//
//go:noinline
func (s *server) countHandshake(t *engine.SnapshotConn, h *wire.ClientHello) {
	s.stats.finished.Add(1)
	st := t.HandshakeStateRef()
	if st.Resumed {
		s.stats.hits.Add(1)
	} else if st.Version < engine.VersionTLS13 && len(st.SessionID) > 0 {
		s.stats.cached.Add(1)
	}
	if !st.Resumed && h != nil && s.lookedUpInCache(st, h) {
		s.stats.misses.Add(1)
	}
	o := s.c.engine
	if st.HelloRetry && o != nil {
		// openssl's server looked the first ClientHello's ticket up too:
		// a hit (two for a resumption after the retry), or under
		// anti-replay a ticket taken out of the cache, which the second
		// ClientHello then misses; a stateful ticket not found, a miss
		// (a ticket it would not look up, such as another server's
		// stateless one, none).
		switch st.FirstHelloTicket {
		case engine.TicketFound:
			s.stats.hits.Add(1)
			if o.ledger != nil {
				s.stats.cached.Add(-1)
			}
		case engine.TicketNotFound:
			if o.ledger != nil || o.stateful {
				s.stats.misses.Add(1)
			}
		}
	}
	if s.c.noCache {
		// -no_cache: openssl keeps no session in its cache, and no ticket
		// it would keep there resumed (the engine's NoSessionCache).
		return
	}
	if st.Version >= engine.VersionTLS13 && o != nil && (o.ledger != nil || o.stateful) {
		// Under anti-replay openssl keeps the tickets that allow early
		// data in its cache, and a resumption takes its ticket out;
		// -no_ticket's stateful tickets are kept there too, and stay.
		if o.ledger != nil && st.Resumed && len(st.PSKIdentity) > 0 && !slices.ContainsFunc(o.psks, func(p engine.PSK) bool { return string(p.Identity) == string(st.PSKIdentity) }) {
			s.stats.cached.Add(-1)
		}
		switch {
		case o.numTickets < 0:
		case st.Resumed:
			s.stats.cached.Add(1) // one ticket after a PSK handshake
		case o.numTickets == 0:
			s.stats.cached.Add(2)
		default:
			s.stats.cached.Add(int64(o.numTickets))
		}
	}
}

// lookedUpInCache reports whether openssl's server would have looked the
// client's session up in its cache, for a handshake that resumed
// nothing: a miss. TLS 1.0-1.2: the session ID, when the client sent one
// (the random one of a TLS 1.3 ClientHello too) and no ticket to try
// instead (an empty session_ticket, or tickets off). TLS 1.3: a ticket
// (pre_shared_key) when openssl's tickets are stateful (-no_ticket, or
// -early_data's anti-replay), and only one it looks up in its cache (the
// engine's TicketNotFound: one of ours, or a session ID's 32 bytes); a
// stateless one that fails to decrypt is no miss. Measured with sessions
// openssl s_client saved from another server.
func (s *server) lookedUpInCache(st *engine.State, h *wire.ClientHello) bool {
	o := s.c.engine
	if st.Version < engine.VersionTLS13 {
		if s.c.noCache {
			// -no_cache: no session ID is looked up.
			return false
		}
		ticket, _ := msg.Extensions(h.Extensions).Find(msg.ExtSessionTicket)
		return len(h.SessionID) > 0 && (len(ticket) == 0 || o == nil || o.tickets12 == engine.Tickets12Off)
	}
	return o != nil && (o.ledger != nil || o.stateful) && st.HelloTicket == engine.TicketNotFound
}

// lockedWriter serialises writes from concurrent connections, so each
// block of report lines reaches the stream whole.
//
// It can also hold output back as the C library's buffer of openssl's
// stdout does when that is a pipe or a file: openssl s_server writes the
// client's data straight to the descriptor, while its -trace and -debug
// lines wait in the buffer (its -msg callback and its other output flush
// it). So on a pipe the lines of the records that carried data follow
// the data. What holder writes waits until the next Write or Flush, or
// until holdLimit bytes wait, as a full buffer is written out; WriteAhead
// passes it.
type lockedWriter struct {
	mu   sync.Mutex
	w    io.Writer
	hold bool   // holder holds (stdout is no terminal)
	held []byte // what holder wrote, not yet written to w
}

// holdLimit is the size of the C library's buffer of a pipe or a file
// (glibc takes the descriptor's block size, 4096 here).
const holdLimit = 4096

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.flushLocked()
	return l.w.Write(p)
}

// WriteAhead writes p before what is held: openssl's raw writes of the
// client's data.
func (l *lockedWriter) WriteAhead(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// Flush writes what is held.
func (l *lockedWriter) Flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.flushLocked()
}

func (l *lockedWriter) flushLocked() {
	if len(l.held) > 0 {
		l.w.Write(l.held)
		l.held = l.held[:0]
	}
}

// holder is l for output openssl leaves in its stdout buffer (-trace,
// -debug); l itself when nothing is held.
func (l *lockedWriter) holder() io.Writer {
	if !l.hold {
		return l
	}
	return heldWriter{l}
}

// heldWriter is lockedWriter.holder's writer.
type heldWriter struct{ l *lockedWriter }

func (h heldWriter) Write(p []byte) (int, error) {
	l := h.l
	l.mu.Lock()
	defer l.mu.Unlock()
	l.held = append(l.held, p...)
	if len(l.held) >= holdLimit {
		l.flushLocked()
	}
	return len(p), nil
}
