package sserver

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/tlskit/tlskit/internal/engine"
	"github.com/tlskit/tlskit/internal/lazy"
	"github.com/tlskit/tlskit/internal/report"
	"github.com/tlskit/tlskit/internal/sslerr"
	"github.com/tlskit/tlskit/internal/tlsnames"
	"github.com/tlskit/tlskit/internal/verify"
)

// Limits that keep one HTTP client from holding memory or a slot for long.
const (
	maxRequestLine = 8 * 1024  // bytes in the request line
	maxHeaderBytes = 64 * 1024 // bytes in all header lines together
	requestTimeout = 30 * time.Second
	writeTimeout   = 5 * time.Minute // for a whole response
)

// serveConcurrent serves one connection in -www, -WWW, -HTTP or -rev mode.
// Any failure only ends this connection.
func (s *server) serveConcurrent(conn net.Conn) {
	defer conn.Close()
	defer func() {
		// A bug must cost one connection, not every client's server.
		if r := recover(); r != nil {
			fmt.Fprintf(s.errw, "s_server: internal error serving %s: %v\n", conn.RemoteAddr(), r)
		}
	}()
	t, tc, err := s.handshake(conn)
	if err != nil {
		s.reportHandshakeFailure(tc, err)
		return
	}
	s.serveEstablished(conn, t, tc)
}

// reportHandshakeFailure prints a failed handshake's error lines, unless
// -quiet. Not inlined, for serveEstablished's reason.
//
//go:noinline
func (s *server) reportHandshakeFailure(tc *trackedConn, err error) {
	if !s.c.quiet {
		handshakeFailure(tc, err).Write(s.errw)
	}
}

// serveEstablished is serveConcurrent after the handshake. It is a
// function of its own, never inlined, so that its locals (the connection
// state for the reports, about 1 KiB) are not in the frame that sits
// under the handshake: with them there the deepest handshake call path
// (the signature) outgrew a goroutine's 8 KiB starting stack, and every
// connection's stack doubled to 16 KiB.
//
//go:noinline
func (s *server) serveEstablished(conn net.Conn, t *engine.SnapshotConn, tc *trackedConn) {
	if !t.TicketsHeld() {
		// Held tickets carry the ACK: they leave before the server
		// waits for the request, or with the answer.
		ackNow(conn)
	}
	// close_notify ends a connection, unless a fatal alert (sent or
	// received) or a vanished client ended it first: openssl sends
	// nothing after those.
	notify := true
	defer func() {
		if notify {
			t.Close()
		}
	}()
	ci := connInfo{state: connStateOf(t), hello: tc.hello, conn: tc}
	s.writeSecDebug(ci)
	if s.c.mode == modeRev {
		if err := s.serveRev(t, ci); err != nil {
			notify = isEOF(err) && !tc.eof.TransportEnded()
		}
		return
	}
	conn.SetReadDeadline(time.Now().Add(requestTimeout))
	// A request is a line or a few: 256 bytes hold the request line and
	// most header lines whole (a benchmark's or curl's whole request),
	// and readRequest carries longer lines across refills.
	br := bufio.NewReaderSize(t, 256)
	method, target, err := readRequest(br)
	conn.SetReadDeadline(time.Time{})
	if err != nil && !errors.Is(err, errTooLong) && !errors.Is(err, errMalformed) {
		// The client went away without a request: with close_notify it
		// gets close_notify back and no HTTP error, as from openssl;
		// after a fatal alert or a bare hang-up, nothing.
		notify = isEOF(err) && !tc.eof.TransportEnded()
		if !isEOF(err) && !s.c.quiet {
			// A fatal alert sent or received: openssl prints its queue
			// (a bare hang-up it passes over in silence).
			sslerr.FromError(err, sslerr.Server).Write(s.errw)
		}
		return
	}
	conn.SetWriteDeadline(time.Now().Add(writeTimeout))
	// -WWW answers "GET /stats" with the status page; -HTTP looks for a
	// file named stats, as openssl 3.0's s_server does.
	if err == nil && method == "GET" && (s.c.mode == modeWWW || (target == "/stats" && s.c.mode == modeFiles)) {
		// The page is built whole in one buffer and leaves with the
		// close_notify that ends the connection, in one write: no 16 KiB
		// writer to allocate and one system call fewer per connection.
		// The buffer has room for the record around the page, which is
		// then encrypted in it rather than in a copy.
		page := s.statusPage(ci, "HTTP/1.0 200 ok\r\nContent-type: text/html\r\n\r\n")
		t.WriteCloseInPlace(page.Bytes())
		putPage(page)
		return
	}
	w := bufio.NewWriterSize(t, 16*1024)
	defer w.Flush()
	if err != nil {
		httpError(w, "400 Bad Request", err.Error())
		return
	}
	if method != "GET" {
		httpError(w, "501 Not Implemented", fmt.Sprintf("method %s is not supported", method))
		return
	}
	s.serveFile(w, target)
}

// readRequest reads an HTTP/1.x request line and skips its headers, within
// the size limits. It returns the method and the request target.
func readRequest(br *bufio.Reader) (method, target string, err error) {
	line, err := readLimitedLine(br, maxRequestLine)
	if err != nil {
		return "", "", err
	}
	f := strings.Fields(line)
	if len(f) < 2 || len(f) > 3 {
		return "", "", errMalformed
	}
	method, target = f[0], f[1]
	if len(f) == 3 {
		// HTTP/1.0 and 1.1 send headers; read them up to the blank line.
		total := 0
		for {
			h, err := readLimitedLine(br, maxHeaderBytes-total)
			if err != nil {
				return "", "", err
			}
			total += len(h) + 2
			if h == "" {
				break
			}
		}
	}
	return method, target, nil
}

var (
	errTooLong   = errors.New("request line or headers too long")
	errMalformed = errors.New("malformed request line")
)

// readLimitedLine reads one line of at most max bytes, without its CRLF.
func readLimitedLine(br *bufio.Reader, max int) (string, error) {
	var b []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if b == nil && err == nil {
			// The whole line was in the reader's buffer, as usual: one
			// copy, none for the blank line ending the headers.
			if len(chunk) > max {
				return "", errTooLong
			}
			return string(bytes.TrimRight(chunk, "\r\n")), nil
		}
		b = append(b, chunk...)
		if len(b) > max {
			return "", errTooLong
		}
		if err == nil {
			break
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			return "", fmt.Errorf("incomplete request: %w", err)
		}
	}
	return strings.TrimRight(string(b), "\r\n"), nil
}

func httpError(w io.Writer, status, msg string) {
	fmt.Fprintf(w, "HTTP/1.0 %s\r\nContent-type: text/plain\r\n\r\n%s\r\n", status, msg)
}

// serveFile answers -WWW and -HTTP requests from the current directory.
// Files are opened through an os.Root, so neither "..", absolute paths,
// percent-encoded traversal nor symbolic links can reach anything outside
// the directory the server was started in.
func (s *server) serveFile(w io.Writer, target string) {
	p := target
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		p = p[:i]
	}
	dec, err := url.PathUnescape(p)
	if err != nil {
		httpError(w, "400 Bad Request", fmt.Sprintf("'%s' is not a valid path", p))
		return
	}
	name := strings.TrimPrefix(dec, "/")
	if name == "" {
		httpError(w, "404 Not Found", "no file named in the request")
		return
	}
	if strings.ContainsAny(name, "\x00\\:") || hasDotDot(name) || strings.HasPrefix(name, "/") {
		httpError(w, "403 Forbidden", fmt.Sprintf("'%s' contains '..', ':' or is not a file below the served directory", name))
		return
	}
	root, err := os.OpenRoot(s.c.docRoot)
	if err != nil {
		httpError(w, "500 Internal Server Error", "cannot open the served directory")
		return
	}
	defer root.Close()
	// Look before opening, without following a link out of the root: a
	// FIFO or device would block the open or the read for good. The
	// open is non-blocking too, in case the name changes in between.
	if li, err := root.Lstat(name); err == nil && !li.Mode().IsRegular() && !li.IsDir() {
		if li.Mode()&fs.ModeSymlink == 0 {
			httpError(w, "403 Forbidden", fmt.Sprintf("'%s' is not a regular file", name))
			return
		}
		if fi, err := root.Stat(name); err == nil && !fi.Mode().IsRegular() && !fi.IsDir() {
			httpError(w, "403 Forbidden", fmt.Sprintf("'%s' is not a regular file", name))
			return
		}
	}
	f, err := root.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		switch {
		case errors.Is(err, fs.ErrNotExist):
			httpError(w, "404 Not Found", fmt.Sprintf("Error opening '%s'", name))
		default:
			httpError(w, "403 Forbidden", fmt.Sprintf("Error opening '%s'", name))
		}
		return
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || fi.IsDir() {
		httpError(w, "403 Forbidden", fmt.Sprintf("'%s' is a directory", name))
		return
	}
	if !fi.Mode().IsRegular() {
		httpError(w, "403 Forbidden", fmt.Sprintf("'%s' is not a regular file", name))
		return
	}
	if !s.c.quiet {
		fmt.Fprintf(s.errw, "FILE:%s\n", name)
	}
	if s.c.mode == modeFiles {
		ct := "text/plain"
		for _, ext := range []string{".html", ".htm", ".php"} {
			if strings.HasSuffix(name, ext) {
				ct = "text/html"
			}
		}
		fmt.Fprintf(w, "HTTP/1.0 200 ok\r\nContent-type: %s\r\n\r\n", ct)
	}
	if s.c.sendfile {
		// openssl s_server 3.0 without kernel TLS, even under -quiet
		// (measured); the file then goes as any other.
		fmt.Fprintln(s.errw, "Warning: sendfile requested but KTLS is not available")
	}
	copyBounded(w, f, fileReadTimeout)
}

// fileReadTimeout bounds each read of a served file, so a file that
// stalls (a hung network file system) costs one connection for a while,
// not a thread for ever.
var fileReadTimeout = 30 * time.Second

// copyBounded copies f to w, giving up when one read of f takes longer
// than d. The reader goroutine ends when f is closed or done. Two buffers
// take turns, so one is read into while the other is written out and a
// large file costs no allocation per chunk.
func copyBounded(w io.Writer, f io.Reader, d time.Duration) {
	type chunk struct {
		b   []byte
		err error
	}
	const bufSize = 64 * 1024
	ch := make(chan chunk)
	free := make(chan []byte, 2)
	free <- make([]byte, bufSize)
	free <- make([]byte, bufSize)
	done := make(chan struct{})
	defer close(done)
	go func() {
		for {
			var buf []byte
			select {
			case buf = <-free:
			case <-done:
				return
			}
			n, err := f.Read(buf)
			select {
			case ch <- chunk{buf[:n], err}:
			case <-done:
				return
			}
			if err != nil {
				return
			}
		}
	}()
	timer := time.NewTimer(d)
	defer timer.Stop()
	for {
		select {
		case c := <-ch:
			if len(c.b) > 0 {
				if _, err := w.Write(c.b); err != nil {
					return
				}
			}
			if c.err != nil {
				return
			}
			free <- c.b[:cap(c.b)]
			timer.Reset(d)
		case <-timer.C:
			return
		}
	}
}

// hasDotDot reports whether a slash-separated path has a ".." element.
func hasDotDot(p string) bool {
	for _, e := range strings.Split(p, "/") {
		if e == ".." {
			return true
		}
	}
	return false
}

// pages are idle status-page buffers: a page is built, encrypted in place
// and sent by each -www connection, and its 4 KiB buffer was the largest
// allocation a connection made after the handshake.
var pages = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledPage bounds the buffers kept in pages: a page that grew past it
// (a client offering a great many ciphers) is left to the collector.
const maxPooledPage = 16 * 1024

// putPage gives a page statusPage built back to pages once it is sent.
func putPage(b *bytes.Buffer) {
	if b.Cap() <= maxPooledPage {
		b.Reset()
		pages.Put(b)
	}
}

// statusPage is -www's HTML page about this connection, with the sections
// openssl's page has, after header (the HTTP response's head), for
// engine.TLSConn.WriteCloseInPlace: after engine.RecordHeadroom bytes of
// room, and with engine.RecordTailroom bytes of spare capacity. The
// buffer comes from pages; give it back with putPage once sent.
func (s *server) statusPage(ci connInfo, header string) *bytes.Buffer {
	// Its length follows what the client offered (3.8 KB for Go's client,
	// over 4 KiB for curl's ciphers): sized from the last page, with room
	// for counters to grow and the record's tail, so it is built and
	// encrypted without growing. (4 KiB, a size class of Go's allocator,
	// holds Go's client's page with both.)
	b := pages.Get().(*bytes.Buffer)
	b.Grow(max(4096, int(s.www.lastPage.Load())+engine.RecordTailroom+64))
	b.Write(make([]byte, engine.RecordHeadroom))
	b.WriteString(header)
	b.WriteString("<HTML><BODY BGCOLOR=\"#ffffff\">\n<pre>\n\n")
	b.WriteString(s.wwwCmdline())
	b.WriteString(" \n")
	if secureRenegotiation(ci) {
		b.WriteString("Secure Renegotiation IS supported\n")
	} else {
		b.WriteString("Secure Renegotiation IS NOT supported\n")
	}
	b.WriteString(s.wwwCiphers())
	// A resumption has no new lists (as in writeConnReport): openssl's
	// page has no shared ciphers, signature algorithms or groups for a
	// TLS 1.0–1.2 one, and no signature algorithms for a TLS 1.3 one.
	resumed, tls13 := ci.state.DidResume, ci.state.Version >= engine.VersionTLS13
	if resumed && !tls13 {
		ci.hello = nil
	} else if resumed {
		ci.noSigalgs = true
	}
	s.writeListsBlock(b, ci)
	b.WriteString("---\n")
	// Written piece by piece: Fprintf's arguments cost three allocations
	// a page.
	b.WriteString(newOrReused(ci))
	b.WriteString(", ")
	b.WriteString(cipherVersion(ci.state.CipherSuite))
	b.WriteString(", Cipher is ")
	b.WriteString(cipherName(ci.state.CipherSuite))
	b.WriteString("\n")
	s.writeSessionBlock(b, ci)
	b.WriteString("---\n")
	s.appendStats(b)
	b.WriteString("---\n")
	if len(ci.state.PeerCertificates) > 0 {
		b.WriteString("Client certificate\n")
		var cb bytes.Buffer
		s.writeClientCert(&cb, ci.state.PeerCertificates)
		// Drop the title line writeClientCert adds; the page has its own.
		b.WriteString(htmlEscape(strings.TrimPrefix(cb.String(), "Client certificate\n")))
	} else {
		b.WriteString("no client certificate available\n")
	}
	b.WriteString("</pre></BODY></HTML>\r\n\r\n")
	s.www.lastPage.Store(int64(b.Len()))
	return b
}

// pageLists is the status page's block about what the client offered:
// the ciphers common to both ends, the signature algorithms and the
// groups, with the lists and connection facts it was written from. It
// follows from those alone, so a client that offers what the last one
// did gets the same block, copied rather than worked out again (a load
// of one kind of client, as bench/engine.sh's, always does).
type pageLists struct {
	suites, sigalgs, groups []uint16
	version                 uint16
	noSigalgs               bool
	text                    string
}

// writeListsBlock writes the page's block about the client's lists, or
// nothing when there is no ClientHello to report (a TLS 1.0-1.2
// resumption). A block with lines about the client's certificate is not
// kept for the next client.
func (s *server) writeListsBlock(b *bytes.Buffer, ci connInfo) {
	h := ci.hello
	if h == nil {
		return
	}
	reuse := len(ci.state.PeerCertificates) == 0
	if p := s.www.lists.Load(); reuse && p != nil && p.version == ci.state.Version && p.noSigalgs == ci.noSigalgs &&
		slices.Equal(p.suites, h.CipherSuites) && slices.Equal(p.sigalgs, h.SignatureSchemes) && slices.Equal(p.groups, h.SupportedGroups) {
		b.WriteString(p.text)
		return
	}
	start := b.Len()
	b.WriteString("---\n")
	b.WriteString("Ciphers common between both SSL end points:\n")
	shared := s.sharedCipherNames(h)
	for i, n := range shared {
		b.WriteString(n)
		if i == len(shared)-1 {
			break
		}
		for k := len(n); k < 26; k++ {
			b.WriteByte(' ')
		}
		if i%3 == 2 {
			b.WriteString("\n")
		} else {
			b.WriteString(" ")
		}
	}
	b.WriteString("\n")
	s.writeSigalgsAndGroups(b, ci, false, false)
	if reuse {
		s.www.lists.Store(&pageLists{
			suites: slices.Clone(h.CipherSuites), sigalgs: slices.Clone(h.SignatureSchemes), groups: slices.Clone(h.SupportedGroups),
			version: ci.state.Version, noSigalgs: ci.noSigalgs, text: string(b.Bytes()[start:]),
		})
	}
}

// wwwCmdline is the page's escaped command line, the same for every
// connection: worked out once.
func (s *server) wwwCmdline() string {
	s.www.once.Do(s.wwwStatic)
	return s.www.cmdline
}

// wwwCiphers is the page's "Ciphers supported in s_server binary"
// block, the same for every connection: worked out once.
func (s *server) wwwCiphers() string {
	s.www.once.Do(s.wwwStatic)
	return s.www.ciphers
}

func (s *server) wwwStatic() {
	s.www.cmdline = htmlEscape(s.c.cmdline)
	// openssl's cipher list has -ciphersuites' suites and -cipher's
	// whatever the protocol versions allowed (-tls1_2, -tls1_3,
	// -max_protocol): both the page's list and "Shared ciphers" show
	// them all (measured with openssl 3.0 s_server).
	s.www.ours = map[uint16]bool{}
	for _, id := range s.c.engine.suites12s() { // -cipher
		s.www.ours[id] = true
	}
	var ours []tlsnames.Cipher
	for _, id := range s.c.engine.suites13() { // -ciphersuites
		s.www.ours[id] = true
		if c, ok := tlsnames.CipherByID(id); ok {
			ours = append(ours, c)
		}
	}
	ours = append(ours, s.c.ciphers...)
	var b strings.Builder
	b.WriteString("Ciphers supported in s_server binary\n")
	for i, c := range ours {
		v := c.Version
		if v == "TLSv1" {
			v = "TLSv1.0"
		}
		fmt.Fprintf(&b, "%-11s:%-25s ", v, c.Name)
		if i%2 == 1 {
			b.WriteString("\n")
		}
	}
	if len(ours)%2 == 1 {
		b.WriteString("\n")
	}
	s.www.ciphers = b.String()
}

func newOrReused(ci connInfo) string {
	if ci.state.DidResume {
		return "Reused"
	}
	return "New"
}

// cipherVersion is the protocol version a suite belongs to as openssl's
// "New, …, Cipher is" line names it (not the negotiated version).
func cipherVersion(id uint16) string {
	c, ok := tlsnames.CipherByID(id)
	if !ok {
		return "(NONE)"
	}
	if c.Version == "TLSv1" {
		return "TLSv1.0"
	}
	return c.Version
}

// writeSessionBlock prints the SSL-Session block, through the report
// package s_client uses. Session IDs, master keys and resumption secrets
// are not shown, so those fields are empty.
func (s *server) writeSessionBlock(w io.Writer, ci connInfo) {
	rs := &report.Session{
		Version:   tlsnames.VersionName(ci.state.Version),
		Cipher:    cipherName(ci.state.CipherSuite),
		StartTime: time.Now(),
		Timeout:   ci.state.Timeout,
		TLS13:     ci.state.Version >= engine.VersionTLS13,
	}
	if ci.conn != nil && ci.conn.verifyCode != 0 {
		rs.VerifyCode = ci.conn.verifyCode
		rs.VerifyError = verify.ErrorString(ci.conn.verifyCode)
	}
	rs.EMS = !rs.TLS13 && ci.state.ExtendedMasterSecret
	rs.PSKIdentity = string(ci.state.PSKIdentity)
	// openssl's session: in TLS 1.0–1.2 the ServerHello's session ID
	// (empty when a ticket is issued) and the master secret; in TLS 1.3 a
	// random session ID and the last ticket's PSK.
	if rs.TLS13 {
		// No ticket (-num_tickets 0): no session ID and no PSK either.
		rs.ResumptionPSK = ci.state.TicketPSK
		if len(rs.ResumptionPSK) > 0 {
			rs.SessionID = make([]byte, 32)
			if _, err := rand.Read(rs.SessionID); err != nil {
				rs.SessionID = nil
			}
		}
	} else {
		rs.SessionID, rs.MasterKey = ci.state.SessionID, ci.state.MasterSecret
	}
	if s.c.engine != nil {
		rs.SessionIDCtx = s.c.engine.sidCtx
	}
	report.WriteSessionBlock(w, rs)
}

var htmlEscaper = lazy.Value[*strings.Replacer]{Build: func() *strings.Replacer {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
}}

func htmlEscape(s string) string { return htmlEscaper.Get().Replace(s) }

// serveRev is -rev: each line the client sends comes back reversed, and a
// line "CLOSE" ends the connection. Lines are bounded as openssl's are: a
// line of 16384 bytes or more comes back in 16384-byte pieces, each
// reversed and ended with a newline. A client that hangs up (no
// close_notify) within a line, or resets the connection, gets nothing of
// it back and, as with openssl, no "CONNECTION CLOSED" is printed; after
// close_notify it is.
// It returns the read or write error that ended the connection, nil
// after CLOSE.
func (s *server) serveRev(t io.ReadWriter, ci connInfo) error {
	var eb bytes.Buffer
	eb.WriteString("CONNECTION ESTABLISHED\n")
	s.writeBrief(&eb, ci)
	s.errw.Write(eb.Bytes())
	closed := "CONNECTION CLOSED\n"
	defer func() { io.WriteString(s.errw, closed) }()
	br := bufio.NewReaderSize(t, 16*1024)
	for {
		line, err := br.ReadSlice('\n')
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
			if len(line) > 0 && ci.conn != nil && ci.conn.eof.TransportEnded() || errors.Is(err, syscall.ECONNRESET) {
				// openssl's BIO_gets failed rather than ended.
				closed = ""
			}
			return err
		}
		l := bytes.TrimRight(line, "\r\n")
		if err == nil && string(l) == "CLOSE" {
			return nil
		}
		out := make([]byte, 0, len(l)+1)
		for i := len(l) - 1; i >= 0; i-- {
			out = append(out, l[i])
		}
		out = append(out, '\n')
		if d, ok := t.(interface{ SetWriteDeadline(time.Time) error }); ok {
			// A client that never reads cannot hold the connection for ever.
			d.SetWriteDeadline(time.Now().Add(writeTimeout))
		}
		if _, werr := t.Write(out); werr != nil {
			return werr
		}
	}
}
