package sserver

import (
	"crypto/tls"
	"errors"
	"io"
	"net"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/testpeer"
)

// recordConn counts the TLS records a client receives after its handshake,
// by content type (RFC 5246 6.2.1): 21 alert, 23 application data.
type recordConn struct {
	net.Conn
	mu     sync.Mutex
	buf    []byte
	counts map[byte]int
	after  bool // counting started (the handshake is over)
}

func (c *recordConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.buf = append(c.buf, p[:n]...)
	for len(c.buf) >= 5 {
		l := int(c.buf[3])<<8 | int(c.buf[4])
		if len(c.buf) < 5+l {
			break
		}
		if c.after {
			c.counts[c.buf[0]]++
		}
		c.buf = c.buf[5+l:]
	}
	return n, err
}

// probeResult is what a TLS 1.2 client saw after its handshake.
type probeResult struct {
	alerts, data int   // records received
	body         int   // application bytes
	end          error // how reading ended: io.EOF after close_notify, or the alert
}

// probeServer handshakes TLS 1.2 with addr, then does what mode says:
// "closewrite" (close_notify, keep reading), "request" (GET /), "garbage"
// (a record no key can open, so the server sends bad_record_mac), "fin"
// (hang up the sending side without close_notify). Then it reads to the
// end.
func probeServer(t *testing.T, addr, mode string) probeResult {
	t.Helper()
	raw, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	rc := &recordConn{Conn: raw, counts: map[byte]int{}}
	c := tls.Client(rc, &tls.Config{InsecureSkipVerify: true, MaxVersion: tls.VersionTLS12})
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if err := c.Handshake(); err != nil {
		t.Fatalf("handshake: %v", err)
	}
	rc.mu.Lock()
	rc.after = true
	rc.mu.Unlock()
	switch mode {
	case "closewrite":
		c.CloseWrite()
	case "request":
		io.WriteString(c, "GET / HTTP/1.0\r\n\r\n")
	case "garbage":
		raw.Write(append([]byte{23, 3, 3, 0, 40}, make([]byte, 40)...))
	case "fin":
		raw.(*net.TCPConn).CloseWrite()
	}
	var r probeResult
	buf := make([]byte, 64*1024)
	for {
		n, err := c.Read(buf)
		r.body += n
		if err != nil {
			r.end = err
			break
		}
	}
	rc.mu.Lock()
	r.alerts, r.data = rc.counts[21], rc.counts[23]
	rc.mu.Unlock()
	return r
}

// sslErrorLines picks the SSL routines lines of openssl's error queue,
// without thread id, file and line.
func sslErrorLines(s string) string {
	re := regexp.MustCompile(`(?m)^[0-9A-F]+:error:([0-9A-F]{8}:SSL routines:[^:]*:[^:]*):[^:]*:\d+:(.*)$`)
	var out []string
	for _, m := range re.FindAllStringSubmatch(s, -1) {
		out = append(out, m[1]+":"+m[2])
	}
	return strings.Join(out, "\n")
}

// waitErrorLine waits until get() holds an SSL error line and returns
// its SSL error lines; it fails the test, saying it timed out, when none
// comes within 5 s.
func waitErrorLine(t *testing.T, get func() string) string {
	t.Helper()
	testpeer.WaitOutputFunc(t, get, "an SSL error line", func(s string) bool { return sslErrorLines(s) != "" }, 5*time.Second)
	return sslErrorLines(get())
}

// TestAlertsAndCloseLikeOpenSSL puts openssl s_server and ours through the
// same client behaviours and compares what the client receives after the
// handshake (alerts, close_notify, the number of records of a -www page)
// and the error lines on the server's stderr (issue 9 items 1 and 6).
func TestAlertsAndCloseLikeOpenSSL(t *testing.T) {
	testpeer.Need(t, "openssl")
	dir := t.TempDir()
	cert, key := writeCert(t, dir, "srv", "localhost", true)
	for _, tc := range []struct {
		name, mode string
		args       []string
		check      func(t *testing.T, ours, theirs probeResult)
		errLine    string // the server error line both must print, "" for none
	}{
		{"www-close-without-request", "closewrite", []string{"-www"}, func(t *testing.T, ours, theirs probeResult) {
			// close_notify back, and no HTTP error before it.
			if ours.end != io.EOF || ours.data != 0 || ours.alerts != 1 {
				t.Errorf("tlskit: %d data and %d alert records, then %v; want only close_notify", ours.data, ours.alerts, ours.end)
			}
		}, ""},
		{"www-page-in-one-record", "request", []string{"-www"}, func(t *testing.T, ours, theirs probeResult) {
			if ours.data != theirs.data || ours.data != 1 {
				t.Errorf("page in %d records (%d bytes); openssl uses %d (%d bytes)", ours.data, ours.body, theirs.data, theirs.body)
			}
		}, ""},
		{"www-bad-record", "garbage", []string{"-www"}, func(t *testing.T, ours, theirs probeResult) {
			if ours.alerts != theirs.alerts || ours.alerts != 1 || errors.Is(ours.end, io.EOF) {
				t.Errorf("tlskit sent %d alerts then %v; openssl %d then %v (no close_notify after a fatal alert)", ours.alerts, ours.end, theirs.alerts, theirs.end)
			}
		}, "0A000119:SSL routines:ssl3_get_record:decryption failed or bad record mac:"},
		{"interactive-bad-record", "garbage", nil, func(t *testing.T, ours, theirs probeResult) {
			if ours.alerts != theirs.alerts || ours.alerts != 1 || errors.Is(ours.end, io.EOF) {
				t.Errorf("tlskit sent %d alerts then %v; openssl %d then %v (no close_notify after a fatal alert)", ours.alerts, ours.end, theirs.alerts, theirs.end)
			}
		}, "0A000119:SSL routines:ssl3_get_record:decryption failed or bad record mac:"},
		{"interactive-hang-up", "fin", nil, func(t *testing.T, ours, theirs probeResult) {
			// openssl answers with a decode_error alert, which crypto/tls
			// cannot send; tlskit at least sends no close_notify.
			if ours.alerts != 0 {
				t.Errorf("tlskit sent %d alert records after the client hung up, want none", ours.alerts)
			}
		}, "0A000126:SSL routines:ssl3_read_n:unexpected eof while reading:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"-cert", cert, "-key", key}, tc.args...)
			theirSrv := testpeer.OpenSSLServer(t, args...)
			theirs := probeServer(t, theirSrv.Addr, tc.mode)
			ourSrv := startServer(t, "", args...)
			ours := probeServer(t, ourSrv.addr, tc.mode)
			tc.check(t, ours, theirs)
			if tc.errLine == "" {
				return
			}
			o := waitErrorLine(t, theirSrv.Output)
			g := waitErrorLine(t, ourSrv.err.String)
			if !strings.Contains(o, tc.errLine) {
				t.Fatalf("openssl printed %q, not %q", o, tc.errLine)
			}
			if o != g {
				t.Errorf("server error lines differ\nopenssl: %s\ntlskit:  %s\n(tlskit's stderr: %s)", o, g, ourSrv.err)
			}
		})
	}
}

// TestRefusalsLikeOpenSSL connects openssl s_client with -msg to openssl
// s_server and ours and compares the alert the client receives and the
// server's error line: TLS 1.0 at the default security level (internal
// error after the ClientHello), and a client with no usable signature
// algorithm for the certificate.
func TestRefusalsLikeOpenSSL(t *testing.T) {
	testpeer.Need(t, "openssl")
	dir := t.TempDir()
	cert, key := writeCert(t, dir, "srv", "localhost", true)
	for _, tc := range []struct {
		name             string
		server, client   []string
		alert, errorLine string
	}{
		{"tls1.0-at-level-2", []string{"-min_protocol", "TLSv1"}, []string{"-tls1", "-cipher", "DEFAULT@SECLEVEL=0"},
			"<<< TLS 1.0, Alert [length 0002], fatal internal_error", "0A000076:SSL routines:tls_choose_sigalg:no suitable signature algorithm:"},
		{"tls1.1-at-level-2", []string{"-min_protocol", "TLSv1"}, []string{"-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"},
			"<<< TLS 1.1, Alert [length 0002], fatal internal_error", "0A000076:SSL routines:tls_choose_sigalg:no suitable signature algorithm:"},
		// The default range takes TLS 1.0 and 1.1, and refuses them alike.
		{"tls1.0-default-range", nil, []string{"-tls1", "-cipher", "DEFAULT@SECLEVEL=0"},
			"<<< TLS 1.0, Alert [length 0002], fatal internal_error", "0A000076:SSL routines:tls_choose_sigalg:no suitable signature algorithm:"},
		{"tls1.1-default-range", nil, []string{"-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"},
			"<<< TLS 1.1, Alert [length 0002], fatal internal_error", "0A000076:SSL routines:tls_choose_sigalg:no suitable signature algorithm:"},
		{"no-shared-cipher", []string{"-cipher", "ECDHE-RSA-AES256-GCM-SHA384"}, []string{"-tls1_2", "-cipher", "AES128-SHA"},
			"<<< TLS 1.2, Alert [length 0002], fatal handshake_failure", "0A0000C1:SSL routines:tls_post_process_client_hello:no shared cipher:"},
		// No shared version: the alert's record carries the client's
		// legacy_version.
		{"no-shared-version", []string{"-tls1_2"}, []string{"-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"},
			"<<< TLS 1.1, RecordHeader [length 0005]\n    15 03 02 00 02\n<<< TLS 1.1, Alert [length 0002], fatal protocol_version",
			"0A000102:SSL routines:tls_early_post_process_client_hello:unsupported protocol:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"-cert", cert, "-key", key, "-www"}, tc.server...)
			theirSrv := testpeer.OpenSSLServer(t, args...)
			ourSrv := startServer(t, "", args...)
			for _, s := range []struct {
				who, addr string
				errs      func() string
			}{{"openssl", theirSrv.Addr, theirSrv.Output}, {"tlskit", ourSrv.addr, ourSrv.err.String}} {
				out, _ := runPeer(t, "", 20*time.Second, "openssl", append([]string{"s_client", "-connect", s.addr, "-msg"}, tc.client...)...)
				if !strings.Contains(out, tc.alert) {
					t.Errorf("%s s_server: the client did not see %q:\n%s", s.who, tc.alert, out)
				}
				if strings.Contains(out, "ServerHello") {
					t.Errorf("%s s_server sent a ServerHello before refusing", s.who)
				}
				if got := waitErrorLine(t, s.errs); !strings.Contains(got, tc.errorLine) {
					t.Errorf("%s s_server printed %q, want %q", s.who, got, tc.errorLine)
				}
			}
		})
	}
}

// TestHopelessSigalgsLikeOpenSSL: a TLS 1.2 client (gnutls-cli) whose
// signature algorithms cannot sign with the server's RSA key gets
// handshake_failure from both servers, which print openssl's
// "no suitable signature algorithm" line (issue 9 item 6).
func TestHopelessSigalgsLikeOpenSSL(t *testing.T) {
	testpeer.Need(t, "openssl")
	testpeer.Need(t, "gnutls-cli")
	dir := t.TempDir()
	cert, key := writeCert(t, dir, "srv", "localhost", true)
	args := []string{"-cert", cert, "-key", key, "-www"}
	theirSrv := testpeer.OpenSSLServer(t, args...)
	ourSrv := startServer(t, "", args...)
	for _, s := range []struct {
		who, addr string
		errs      func() string
	}{{"openssl", theirSrv.Addr, theirSrv.Output}, {"tlskit", ourSrv.addr, ourSrv.err.String}} {
		host, port, _ := net.SplitHostPort(s.addr)
		out, _ := runPeer(t, "", 20*time.Second, "gnutls-cli", "--insecure", "-p", port,
			"--priority", "NORMAL:-VERS-ALL:+VERS-TLS1.2:-SIGN-ALL:+SIGN-ECDSA-SHA256", host)
		if !strings.Contains(out, "Received alert [40]") {
			t.Errorf("%s s_server: gnutls-cli did not receive handshake_failure:\n%s", s.who, out)
		}
		want := "0A000076:SSL routines:tls_choose_sigalg:no suitable signature algorithm:"
		if got := waitErrorLine(t, s.errs); !strings.Contains(got, want) {
			t.Errorf("%s s_server printed %q, want %q", s.who, got, want)
		}
	}
}

// TestMsgFileFailureLikeOpenSSL: s_server with a -msgfile that cannot be
// written prints openssl's file_ctrl lines and completes the handshake; a
// -keylogfile that cannot be written does not fail the handshake.
func TestMsgFileFailureLikeOpenSSL(t *testing.T) {
	testpeer.Need(t, "openssl")
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skip("no /dev/full here")
	}
	dir := t.TempDir()
	cert, key := writeCert(t, dir, "srv", "localhost", true)
	for _, extra := range [][]string{{"-msg", "-msgfile", "/dev/full"}, {"-keylogfile", "/dev/full"}} {
		args := append([]string{"-cert", cert, "-key", key}, extra...)
		theirSrv := testpeer.OpenSSLServer(t, args...)
		ourSrv := startServer(t, "", args...)
		for _, s := range []struct {
			who, addr string
			errs      func() string
		}{{"openssl", theirSrv.Addr, theirSrv.Output}, {"tlskit", ourSrv.addr, ourSrv.err.String}} {
			probeServer(t, s.addr, "closewrite") // fails the test if the handshake fails
			if extra[0] == "-msg" {
				testpeer.WaitOutput(t, s.errs, ":error:8000001C:system library:file_ctrl:No space left on device:", 5*time.Second)
			}
		}
	}
}

// TestNotTLSLikeOpenSSL sends a first record that is not TLS (an HTTP
// request, a proxy request, text) to openssl s_server and ours: neither
// answers anything, and both print the same error line.
func TestNotTLSLikeOpenSSL(t *testing.T) {
	testpeer.Need(t, "openssl")
	dir := t.TempDir()
	cert, key := writeCert(t, dir, "srv", "localhost", true)
	args := []string{"-cert", cert, "-key", key}
	send := func(addr, in string) []byte {
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		io.WriteString(c, in)
		back, _ := io.ReadAll(c)
		return back
	}
	for _, in := range []string{"GET / HTTP/1.0\r\n\r\n", "CONNECT example.com:443 HTTP/1.1\r\n\r\n", "hello world\n"} {
		theirSrv := testpeer.OpenSSLServer(t, args...)
		theirs := send(theirSrv.Addr, in)
		ourSrv := startServer(t, "", args...)
		ours := send(ourSrv.addr, in)
		if len(theirs) != 0 || len(ours) != 0 {
			t.Errorf("%q: openssl answered %x, tlskit %x; want nothing from both", in, theirs, ours)
		}
		o := waitErrorLine(t, theirSrv.Output)
		g := waitErrorLine(t, ourSrv.err.String)
		if o == "" || o != g {
			t.Errorf("%q: server error lines differ\nopenssl: %s\ntlskit:  %s", in, o, g)
		}
	}
}

// TestRefusedRecordTypeLikeOpenSSL sends a first record of a type a
// ClientHello cannot come in (0x18, application data, an alert) to
// openssl s_server -msg and ours: openssl takes that record's version
// for its own, so its unexpected_message alert is written and labelled
// with it (0x0303 on the wire for 0x0304, "Not TLS data or unknown
// version" on -msg for 0x0305). An alert of any level or length is
// refused so before a ClientHello: a client cannot open with a run of
// warnings.
func TestRefusedRecordTypeLikeOpenSSL(t *testing.T) {
	for _, hdr := range []string{"\x18\x03\x00", "\x18\x03\x01", "\x18\x03\x03", "\x18\x03\x04", "\x18\x03\x05", "\x17\x03\x02"} {
		compareFirstRecord(t, append([]byte(hdr), 0, 5, 1, 2, 3, 4, 5))
	}
	for _, in := range []string{
		"\x15\x03\x01\x00\x02\x01\x5a", // warning user_canceled
		"\x15\x03\x03\x00\x02\x01\x00", // warning close_notify
		"\x15\x03\x01\x00\x02\x02\x28", // fatal handshake_failure
		"\x15\x03\x01\x00\x00",         // empty
		"\x15\x03\x03\x00\x01\x01",     // one byte
	} {
		compareFirstRecord(t, []byte(in))
	}
}

// TestMalformedFirstRecordLikeOpenSSL sends malformed first handshake
// records: openssl judges a message's type from its header, before its
// length and before its body is in (unexpected_message from
// ossl_statem_server_read_transition, the message not on -msg), then
// the length against the type's cap (illegal_parameter, "excessive
// message size"); a record longer than any may be is "packet length too
// long".
func TestMalformedFirstRecordLikeOpenSSL(t *testing.T) {
	for _, in := range []string{
		"\x16\x03\x09\x00\x05\xaa\xbb\xcc\xdd\xee", // unknown type, huge length
		"\x16\x03\x01\x00\x04\x10\x00\x00\xff",     // ClientKeyExchange, body missing
		"\x16\x03\x01\x00\x05\x02\x00\x00\x01\x00", // a whole ServerHello
		"\x16\x03\x01\x00\x04\x01\xff\xff\xff",     // ClientHello over its cap
		"\x16\x03\x01\x48\x01",                     // record over any limit
	} {
		compareFirstRecord(t, []byte(in))
	}
}

// compareFirstRecord sends in as a client's first bytes to openssl
// s_server -msg and ours and compares what each answers, its error line
// and its -msg lines.
func compareFirstRecord(t *testing.T, in []byte) {
	t.Helper()
	testpeer.Need(t, "openssl")
	dir := t.TempDir()
	cert, key := writeCert(t, dir, "srv", "localhost", false)
	args := []string{"-cert", cert, "-key", key, "-msg"}
	send := func(addr string) []byte {
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		c.Write(in)
		back, _ := io.ReadAll(c)
		return back
	}
	msgLines := func(s string) string {
		var keep []string
		for _, l := range strings.Split(s, "\n") {
			if strings.HasPrefix(l, ">>> ") || strings.HasPrefix(l, "<<< ") {
				keep = append(keep, l)
			}
		}
		return strings.Join(keep, "\n")
	}
	theirSrv := testpeer.OpenSSLServer(t, args...)
	theirs := send(theirSrv.Addr)
	ourSrv := startServer(t, "", args...)
	ours := send(ourSrv.addr)
	if len(theirs) != 7 || string(theirs) != string(ours) {
		t.Errorf("%x: openssl answered %x, tlskit %x", in, theirs, ours)
	}
	o, g := waitErrorLine(t, theirSrv.Output), waitErrorLine(t, ourSrv.err.String)
	if o == "" || o != g {
		t.Errorf("%x: server error lines differ\nopenssl: %s\ntlskit:  %s", in, o, g)
	}
	// openssl's stdout reaches the pipe after its stderr (stdio buffers
	// it): wait for the sent alert's -msg line, the last, on both (not
	// just its record header's, which comes first): two '>>> ' lines.
	sent := regexp.MustCompile(`(?m)^>>> `)
	alertSent := func(get func() string) string {
		testpeer.WaitOutputFunc(t, get, "the sent alert's -msg line", func(s string) bool { return len(sent.FindAllString(s, -1)) >= 2 }, 10*time.Second)
		return get()
	}
	if o, g := msgLines(alertSent(theirSrv.Output)), msgLines(alertSent(ourSrv.out.String)); o == "" || o != g {
		t.Errorf("%x: -msg differs\nopenssl:\n%s\ntlskit:\n%s", in, o, g)
	}
}
