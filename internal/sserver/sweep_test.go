package sserver

import (
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/testpeer"
)

// pageGet has openssl s_client send one GET for path to addr and returns
// what came back, from its "HTTP/" on (s_client's own lines before it
// left out).
func pageGet(t *testing.T, addr, path string, args ...string) string {
	t.Helper()
	out := opensslClientUntil(t, addr, "GET "+path+" HTTP/1.0\r\n\r\n", nil, append([]string{"-quiet", "-ign_eof"}, args...)...)
	if i := strings.Index(out, "HTTP/"); i >= 0 {
		return out[i:]
	}
	t.Fatalf("no HTTP answer:\n%s", out)
	return ""
}

// TestStatsOnlyWithWWW: "GET /stats" is the status page under -WWW, and
// under -HTTP a file named stats like any other, as openssl s_server
// 3.0 answers (tlskit sent the status page under -HTTP too). Each answer's
// head is compared with openssl's, and -HTTP's whole answer.
func TestStatsOnlyWithWWW(t *testing.T) {
	needTool(t, "openssl")
	dir := t.TempDir()
	ec, eck := writeCert(t, dir, "ec", "localhost", false)
	const file = "HTTP/1.0 200 ok\r\nContent-type: text/plain\r\n\r\nthe stats file\n"
	if err := os.WriteFile(filepath.Join(dir, "stats"), []byte(file), 0o644); err != nil {
		t.Fatal(err)
	}
	head := func(page string) string {
		l := strings.SplitN(page, "\n", 3)
		return strings.Join(l[:min(2, len(l))], "\n")
	}
	for _, mode := range []string{"-WWW", "-HTTP"} {
		t.Run(mode, func(t *testing.T) {
			args := []string{"-cert", ec, "-key", eck, "-naccept", "1", mode}
			srv := testpeer.OpenSSLServerIn(t, dir, args...)
			want := pageGet(t, srv.Addr, "/stats")
			srv.Wait(t, 20*time.Second)
			ts := startServer(t, dir, args...)
			got := pageGet(t, ts.addr, "/stats")
			ts.wait(10 * time.Second)
			if head(got) != head(want) {
				t.Errorf("answer begins\n%q\nopenssl's\n%q", head(got), head(want))
			}
			if mode == "-HTTP" && (got != want || got != file) {
				t.Errorf("-HTTP answer %q, openssl's %q, want the file", got, want)
			}
			if mode == "-WWW" && !strings.Contains(got, "</pre></BODY></HTML>") {
				t.Errorf("-WWW: no status page:\n%s", got)
			}
		})
	}
}

// TestWWWPageNoTickets: with -num_tickets 0 the -www page's session block
// is openssl's: in TLS 1.3 (no ticket sent) an empty Session-ID and an
// empty "Resumption PSK:" line; in TLS 1.2, where -num_tickets does not
// apply, an empty Session-ID since a ticket was issued. Hex values are
// compared by length.
func TestWWWPageNoTickets(t *testing.T) {
	needTool(t, "openssl")
	dir := t.TempDir()
	ec, eck := writeCert(t, dir, "ec", "localhost", false)
	fields := regexp.MustCompile(`(?m)^    (Session-ID|Resumption PSK|Master-Key): ?([0-9A-F]*)$`)
	shape := func(page string) string {
		var b strings.Builder
		for _, m := range fields.FindAllStringSubmatch(page, -1) {
			b.WriteString(m[1] + ": " + strings.Repeat("x", len(m[2])) + "\n")
		}
		return b.String()
	}
	for _, version := range []string{"-tls1_3", "-tls1_2"} {
		t.Run(version, func(t *testing.T) {
			args := []string{"-cert", ec, "-key", eck, "-naccept", "1", "-www", "-num_tickets", "0"}
			srv := testpeer.OpenSSLServerIn(t, dir, args...)
			want := shape(pageGet(t, srv.Addr, "/", version))
			srv.Wait(t, 20*time.Second)
			ts := startServer(t, dir, args...)
			got := shape(pageGet(t, ts.addr, "/", version))
			ts.wait(10 * time.Second)
			if want == "" || got != want {
				t.Errorf("session fields\n%s\nopenssl's\n%s", got, want)
			}
		})
	}
}

// TestTLS13TicketsLikeOpenSSL: a new TLS 1.3 connection gets -num_tickets
// tickets (2 by default) and a resumed one a single ticket, as from
// openssl s_server 3.0; -no_ticket leaves TLS 1.3 tickets and resumption
// on (openssl's become stateful and fill its session cache, as the
// statistics show). openssl s_client saves the first connection's session
// and resumes it; the servers' -state "write session ticket" lines and
// session cache statistics are compared.
func TestTLS13TicketsLikeOpenSSL(t *testing.T) {
	needTool(t, "openssl")
	dir := t.TempDir()
	ec, eck := writeCert(t, dir, "ec", "localhost", false)
	keep := func(stdout, stderr string) string {
		var b strings.Builder
		for _, l := range strings.Split(stderr, "\n") {
			if l == "SSL_accept:SSLv3/TLS write session ticket" {
				b.WriteString(l + "\n")
			}
		}
		for _, l := range strings.Split(stdout, "\n") {
			if strings.Contains(l, "session cache") || strings.HasPrefix(l, "Reused,") {
				b.WriteString(l + "\n")
			}
		}
		return b.String()
	}
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"default", nil},
		{"num-tickets-3", []string{"-num_tickets", "3"}},
		{"no-ticket", []string{"-no_ticket"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"-cert", ec, "-key", eck, "-naccept", "2", "-state"}, tc.args...)
			run := func(addr string, out func() string) {
				sess := filepath.Join(t.TempDir(), "sess.pem")
				opensslSessionOut(t, addr, sess, "-tls1_3")
				client := opensslClientUntil(t, addr, "some data\n", printed(out, "some data\n"), "-tls1_3", "-sess_in", sess)
				if !strings.Contains(client, "\nReused, TLSv1.3") {
					t.Fatalf("the session was not resumed:\n%s", client)
				}
			}
			gotOut, gotErr, wantOut, wantErr := bothServers(t, dir, args, run)
			if got, want := keep(gotOut, gotErr), keep(wantOut, wantErr); got != want {
				t.Errorf("tickets and cache\n%s\nopenssl's\n%s", got, want)
			}
		})
	}
}

// bothServers runs drive against openssl s_server, then tlskit's, both
// with args in dir and each until it ends by itself (-naccept), and
// returns tlskit's stdout and stderr, then openssl's. drive gets the
// server's address and what it printed so far (openssl's stdout and
// stderr together, tlskit's stdout).
func bothServers(t *testing.T, dir string, args []string, drive func(addr string, output func() string)) (gotOut, gotErr, wantOut, wantErr string) {
	t.Helper()
	srv := testpeer.OpenSSLServerIn(t, dir, args...)
	drive(srv.Addr, srv.Output)
	wantOut, wantErr = srv.Wait(t, 20*time.Second)
	ts := startServer(t, dir, args...)
	drive(ts.addr, ts.out.String)
	ts.wait(10 * time.Second)
	return ts.out.String(), ts.err.String(), wantOut, wantErr
}

// TestCommandsLikeOpenSSL types connected commands on s_server's input and
// compares what openssl s_server and tlskit's print from the handshake's
// "CIPHER is" line on, and on stderr. Each command goes in a read of its
// own (the server read it before the next is typed). r under TLS 1.3
// and k under TLS 1.2 fail quietly, "SSL_do_handshake -> 1", and their
// queued error ends the connection with "ERROR" when the client closes,
// close_notify still sent; a failing c prints the queue at once and
// clears it; q ends the connection with openssl's closing lines; a TLS
// 1.3 k is reported by -state as openssl's, its "finished" state once
// and then the KeyUpdate written.
func TestCommandsLikeOpenSSL(t *testing.T) {
	needTool(t, "openssl")
	dir := t.TempDir()
	ec, eck := writeCert(t, dir, "ec", "localhost", false)
	for _, tc := range []struct {
		name     string
		version  string
		commands []string // each read by the server before the next
		// clientDone tells when the client's input may close, from
		// what it and the server printed.
		clientDone func(client, server string) bool
	}{
		{"q", "-tls1_3", []string{"q\n"}, nil},
		{"k-tls12-then-close", "-tls1_2", []string{"k\n", "x\n"}, func(c, _ string) bool { return strings.Contains(c, "\nx\n") }},
		{"r-tls13-then-close", "-tls1_3", []string{"r\n", "x\n"}, func(c, _ string) bool { return strings.Contains(c, "\nx\n") }},
		{"k-tls12-then-c", "-tls1_2", []string{"k\n", "c\n"}, func(_, s string) bool { return strings.Contains(s, ":SSL_verify_client_post_handshake:") }},
		{"k-tls13-then-line", "-tls1_3", []string{"k\n", "x\n"}, func(c, _ string) bool { return strings.Contains(c, "\nx\n") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := []string{"-cert", ec, "-key", eck, "-naccept", "1", "-state"}
			// drive runs one client against a server: send types a
			// command and returns once the server read it.
			drive := func(addr string, send func(string), output func() string) string {
				var done func(string) bool
				if tc.clientDone != nil {
					done = func(c string) bool { return tc.clientDone(c, output()) }
				}
				client := goOpensslClient(t, addr, "", done, tc.version)
				testpeer.WaitOutput(t, output, "CIPHER is ", 20*time.Second)
				for _, c := range tc.commands {
					send(c)
				}
				return (<-client).get(t)
			}
			from := func(out string) string {
				if i := strings.Index(out, "CIPHER is "); i >= 0 {
					return out[i:]
				}
				return out
			}
			srv := testpeer.OpenSSLServerIn(t, dir, args...)
			drive(srv.Addr, func(c string) { srv.SendRead(t, c, 10*time.Second) }, srv.Output)
			wantOut, wantErr := srv.Wait(t, 20*time.Second)
			ts := startServer(t, dir, args...)
			drive(ts.addr, func(c string) { io.WriteString(ts.stdin, c) }, func() string { return ts.out.String() + ts.err.String() })
			ts.wait(10 * time.Second)
			if got, want := from(ts.out.String()), from(wantOut); got != want {
				t.Errorf("stdout differs\n--- tlskit\n%s\n--- openssl\n%s", got, want)
			}
			if got, want := normalizeErrLines(ts.err.String()), normalizeErrLines(wantErr); got != want {
				t.Errorf("stderr differs\n--- tlskit\n%s\n--- openssl\n%s", got, want)
			}
		})
	}
}

// TestShutdownTraceLikeOpenSSL: -trace, -msg and -debug as the server's
// connection ends. A client's close_notify is answered with the server's,
// whose record they show whole; q, Q and the end of the server's input
// make openssl close the socket before its SSL_shutdown, whose
// close_notify then fails to go out: -trace and -msg show the record's
// header (and TLS 1.3's inner content type) and no alert, -debug the
// failed write ("=> -1", no dump), where tlskit printed no record at all.
// stdout from the handshake's "CIPHER is" on is compared with openssl
// s_server's, against openssl s_client, -debug's pointers and dumped
// bytes left out.
func TestShutdownTraceLikeOpenSSL(t *testing.T) {
	needTool(t, "openssl")
	dir := t.TempDir()
	ec, eck := writeCert(t, dir, "ec", "localhost", false)
	from := fromCipherLine
	for _, c := range []struct{ flag, record string }{{"-trace", "Sent Record\n"}, {"-msg", ">>> "}, {"-debug", "write to "}} {
		for _, end := range []string{"client-closes", "q", "Q", "end-of-input"} {
			for _, version := range []string{"-tls1_3", "-tls1_2"} {
				t.Run(c.flag+"-"+end+version, func(t *testing.T) {
					args := []string{"-cert", ec, "-key", eck, "-naccept", "1", c.flag}
					// drive runs the client; stop ends the connection from
					// the server's side once the handshake is reported.
					drive := func(addr string, output func() string, stop func()) {
						handshaken := func(string) bool { return strings.Contains(output(), "CIPHER is ") }
						if end == "client-closes" {
							opensslClientUntil(t, addr, "", handshaken, version)
							return
						}
						client := goOpensslClient(t, addr, "", nil, version)
						testpeer.WaitOutputFunc(t, output, "the handshake", handshaken, 20*time.Second)
						stop()
						(<-client).get(t)
					}
					srv := testpeer.OpenSSLServerIn(t, dir, args...)
					drive(srv.Addr, srv.Output, func() {
						if end == "end-of-input" {
							srv.CloseInput()
						} else {
							srv.SendRead(t, end+"\n", 10*time.Second)
						}
					})
					wantOut, _ := srv.Wait(t, 20*time.Second)
					ts := startServer(t, dir, args...)
					drive(ts.addr, ts.out.String, func() {
						if end == "end-of-input" {
							ts.stdin.Close()
						} else {
							io.WriteString(ts.stdin, end+"\n")
						}
					})
					ts.wait(10 * time.Second)
					got, want := from(ts.out.String()), from(wantOut)
					if !strings.Contains(want, "shutting down SSL\n"+c.record) {
						t.Fatalf("openssl s_server sent no close_notify record:\n%s", want)
					}
					if got != want {
						t.Errorf("stdout differs\n%s", testpeer.LineDiff(got, want))
					}
				})
			}
		}
	}
}

// errLine is an openssl error queue line; its thread, file and line are
// openssl's own (tlskit's are fixed).
var errLine = regexp.MustCompile(`(?m)^[0-9A-F]+:error:([0-9A-F]{8}:[^:]*:[^:]*:[^:]*):[^:]*:\d+:`)

func normalizeErrLines(s string) string { return errLine.ReplaceAllString(s, "error:$1:") }

// TestResetLikeOpenSSL: a client that resets the connection (RST, no
// close_notify) after a line: the interactive server prints "ERROR"
// and no error line (a reset queues nothing in openssl), -rev prints no
// "CONNECTION CLOSED". Outputs are compared with openssl s_server's. The
// client is Go's, which offers ML-KEM hybrid groups: openssl 3.0 does not
// know them and prints "<NULL>" for each in "Supported groups".
func TestResetLikeOpenSSL(t *testing.T) {
	needTool(t, "openssl")
	dir := t.TempDir()
	ec, eck := writeCert(t, dir, "ec", "localhost", false)
	for _, mode := range []string{"interactive", "-rev"} {
		t.Run(mode, func(t *testing.T) {
			args := []string{"-cert", ec, "-key", eck, "-naccept", "1"}
			if mode != "interactive" {
				args = append(args, mode)
			}
			reset := func(addr string, output func() string) {
				raw, err := net.DialTimeout("tcp", addr, 5*time.Second)
				if err != nil {
					t.Fatal(err)
				}
				defer raw.Close()
				c := tls.Client(raw, &tls.Config{InsecureSkipVerify: true})
				c.SetDeadline(time.Now().Add(10 * time.Second))
				if _, err := io.WriteString(c, "abc\n"); err != nil {
					t.Fatal(err)
				}
				if mode == "interactive" {
					testpeer.WaitOutput(t, output, "abc\n", 20*time.Second)
				} else if _, err := io.ReadFull(c, make([]byte, 4)); err != nil { // "cba\n"
					t.Fatal(err)
				}
				raw.(*net.TCPConn).SetLinger(0) // close with RST
			}
			gotOut, gotErr, wantOut, wantErr := bothServers(t, dir, args, reset)
			if got, want := normalizeOutput(gotOut), normalizeOutput(wantOut); got != want {
				t.Errorf("stdout differs\n--- tlskit\n%s\n--- openssl\n%s", got, want)
			}
			if got := gotErr; got != wantErr {
				t.Errorf("stderr differs\n--- tlskit\n%s\n--- openssl\n%s", got, wantErr)
			}
		})
	}
}

// TestBadBinderLikeOpenSSL: a TLS 1.3 client whose -psk key differs from
// the server's fails the binder check, and the server prints openssl
// 3.0's tls_psk_do_binder line ("binder does not verify"); both servers'
// stderr is compared. openssl sends illegal_parameter there, the engine
// decrypt_error as BoringSSL (BoGo Resume-Server-InvalidPSKBinder checks
// it), so the alert is left out of the comparison.
func TestBadBinderLikeOpenSSL(t *testing.T) {
	needTool(t, "openssl")
	dir := t.TempDir()
	args := []string{"-nocert", "-psk", "0102030405060708090a0b0c0d0e0f10", "-naccept", "1"}
	client := func(addr string) {
		opensslClientUntil(t, addr, "", nil, "-psk", "0102030405060708090a0b0c0d0e0f11")
	}
	srv := testpeer.OpenSSLServerIn(t, dir, args...)
	client(srv.Addr)
	_, wantErr := srv.Wait(t, 20*time.Second)
	ts := startServer(t, dir, args...)
	client(ts.addr)
	ts.wait(10 * time.Second)
	if got, want := normalizeErrLines(ts.err.String()), normalizeErrLines(wantErr); got != want || !strings.Contains(want, "binder does not verify") {
		t.Errorf("stderr differs\n--- tlskit\n%s\n--- openssl\n%s", got, want)
	}
}

// TestWWWCipherListLikeOpenSSL: the -www page's "Ciphers supported in
// s_server binary" is openssl's own list for the cipher string, suites
// the engine lacks (SRP, in openssl's default) and the security level
// refuses (anonymous DH under ALL at level 1) included, as openssl 3.0's
// page shows them; tlskit left both out. Compared with openssl s_server.
func TestWWWCipherListLikeOpenSSL(t *testing.T) {
	needTool(t, "openssl")
	dir := t.TempDir()
	ec, eck := writeCert(t, dir, "ec", "localhost", false)
	block := regexp.MustCompile(`(?s)Ciphers supported in s_server binary\n.*?\n---\n`)
	for _, c := range []struct{ cipher, want string }{
		{"", "SRP-AES-128-CBC-SHA"},
		{"ALL", "ADH-AES256-GCM-SHA384"},
	} {
		t.Run("cipher="+c.cipher, func(t *testing.T) {
			args := []string{"-cert", ec, "-key", eck, "-www", "-naccept", "1"}
			if c.cipher != "" {
				args = append(args, "-cipher", c.cipher)
			}
			want := block.FindString(pageGet(t, testpeer.OpenSSLServer(t, args...).Addr, "/"))
			if !strings.Contains(want, c.want) {
				t.Fatalf("no %s in openssl's list:\n%s", c.want, want)
			}
			if got := block.FindString(pageGet(t, startServer(t, "", args...).addr, "/")); got != want {
				t.Errorf("lists differ\n--- tlskit\n%s\n--- openssl\n%s", got, want)
			}
		})
	}
}

// TestClientPostHandshakeLikeOpenSSL: the client's post-handshake
// messages, typed as openssl s_client's connected commands: a KeyUpdate
// (k, K) and, in TLS 1.2, a renegotiation (R), which the server refuses
// with a warning no_renegotiation. openssl s_server's SSL_read returns
// without data after each and prints "Read BLOCK" (tlskit printed
// nothing), and the refused renegotiation counts among the "server
// renegotiates" of the statistics (tlskit's stayed 0). Under -state,
// openssl reports its "finished" state twice before reading the message,
// and the refused ClientHello after the alert. stdout from the
// handshake's "CIPHER is" on, with -msg lines, and stderr with -state's
// are compared with openssl s_server's.
func TestClientPostHandshakeLikeOpenSSL(t *testing.T) {
	needTool(t, "openssl")
	dir := t.TempDir()
	ec, eck := writeCert(t, dir, "ec", "localhost", false)
	for _, tc := range []struct {
		name, version, command string
	}{
		{"K", "-tls1_3", "K\n"},
		{"k", "-tls1_3", "k\n"},
		{"R-tls12", "-tls1_2", "R\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := []string{"-cert", ec, "-key", eck, "-naccept", "1", "-msg", "-state"}
			drive := func(addr string, output func() string) {
				c := testpeer.OpenSSLClient(t, addr, tc.version)
				testpeer.WaitOutput(t, output, "CIPHER is ", 20*time.Second)
				c.SendRead(t, "aaa\n", 10*time.Second)
				testpeer.WaitOutput(t, output, "aaa\n", 20*time.Second)
				c.SendRead(t, tc.command, 10*time.Second)
				if tc.command != "R\n" { // the refused client gives up
					c.SendRead(t, "bbb\n", 10*time.Second)
					testpeer.WaitOutput(t, output, "bbb\n", 20*time.Second)
					c.CloseInput()
				}
				c.Wait(t, 20*time.Second)
			}
			gotOut, gotErr, wantOut, wantErr := bothServers(t, dir, args, drive)
			from := func(out string) string {
				if i := strings.Index(out, "CIPHER is "); i >= 0 {
					return normalizeOutput(out[i:])
				}
				return out
			}
			if !strings.Contains(wantOut, "Read BLOCK\n") {
				t.Fatalf("openssl s_server printed no Read BLOCK:\n%s", wantOut)
			}
			if got, want := from(gotOut), from(wantOut); got != want {
				t.Errorf("stdout differs\n%s", testpeer.LineDiff(got, want))
			}
			if got, want := normalizeErrLines(gotErr), normalizeErrLines(wantErr); got != want {
				t.Errorf("stderr differs\n--- tlskit\n%s\n--- openssl\n%s", got, want)
			}
		})
	}
}

// TestHeldTraceLikeOpenSSL: openssl s_server writes the client's data
// straight to stdout, while its -trace and -debug lines wait in the C
// library's buffer of a piped stdout until the server flushes it after
// the data: the lines of the record that brought the data follow it
// (tlskit printed them before). stdout from the handshake's "CIPHER is"
// on is compared with openssl s_server's, -debug's pointers and dumped
// bytes left out.
func TestHeldTraceLikeOpenSSL(t *testing.T) {
	needTool(t, "openssl")
	dir := t.TempDir()
	ec, eck := writeCert(t, dir, "ec", "localhost", false)
	from := fromCipherLine
	for _, flag := range []string{"-trace", "-debug"} {
		for _, version := range []string{"-tls1_3", "-tls1_2"} {
			t.Run(flag+version, func(t *testing.T) {
				args := []string{"-cert", ec, "-key", eck, "-naccept", "1", flag}
				drive := func(addr string, output func() string) {
					opensslClientUntil(t, addr, "aaa\n", printed(output, "aaa\n"), version)
				}
				gotOut, _, wantOut, _ := bothServers(t, dir, args, drive)
				got, want := from(gotOut), from(wantOut)
				if !strings.Contains(want, "supported\naaa\n") {
					t.Fatalf("openssl s_server did not print the data first:\n%s", want)
				}
				if got != want {
					t.Errorf("stdout differs\n%s", testpeer.LineDiff(got, want))
				}
			})
		}
	}
}

// TestEarlyDataMsgLikeOpenSSL: openssl's -early_data server prints what
// its SSL_read_early_data loop finds as the loop runs, and -msg shows
// where: "No early data received" once its Finished is out, before the
// client's next record; the early data, then "Early data received:",
// after the record that brought it and before the EndOfEarlyData; "Early
// data was rejected" once its Finished is out (tlskit printed them all
// after the handshake, after the tickets). A first client saves its
// session, a second resumes with early data, a third replays it (the
// session is single-use: a full handshake, and a cache miss); both
// servers' normalized stdout and stderr are compared.
func TestEarlyDataMsgLikeOpenSSL(t *testing.T) {
	needTool(t, "openssl")
	dir, ec, eck, early := earlySetup(t)
	args := []string{"-cert", ec, "-key", eck, "-naccept", "3", "-early_data", "-msg"}
	drive := func(addr string, output func() string) {
		sess := filepath.Join(t.TempDir(), "sess.pem")
		opensslSessionOut(t, addr, sess)
		opensslClientUntil(t, addr, "", printed(output, "End of early data\n"), "-sess_in", sess, "-early_data", early)
		opensslClientUntil(t, addr, "", printed(output, "Early data was rejected\n"), "-sess_in", sess, "-early_data", early)
	}
	gotOut, gotErr, wantOut, wantErr := bothServers(t, dir, args, drive)
	for _, want := range []string{"Finished\nNo early data received\n", "early hello\nEarly data received:\n", "Finished\nEarly data was rejected\n"} {
		if !strings.Contains(normalizeOutput(wantOut), want) {
			t.Fatalf("openssl s_server's output has no %q:\n%s", want, wantOut)
		}
	}
	if got, want := normalizeOutput(gotOut), normalizeOutput(wantOut); got != want {
		t.Errorf("stdout differs\n%s", testpeer.LineDiff(got, want))
	}
	if gotErr != wantErr {
		t.Errorf("stderr differs\n--- tlskit\n%s\n--- openssl\n%s", gotErr, wantErr)
	}
}

// TestCipherListsIgnoreVersionsLikeOpenSSL: openssl's cipher list holds
// -ciphersuites' TLS 1.3 suites and -cipher's others whatever versions
// the server allows, and its reports show that list: the -www page's
// "Ciphers supported in s_server binary" and "Ciphers common between
// both SSL end points", and the interactive "Shared ciphers". tlskit left
// out the TLS 1.3 suites under -tls1_2 (and the others under -tls1_3),
// and listed openssl's default TLS 1.3 suites whatever -ciphersuites
// said. Each is compared with openssl s_server's, for the default client.
func TestCipherListsIgnoreVersionsLikeOpenSSL(t *testing.T) {
	needTool(t, "openssl")
	dir := t.TempDir()
	ec, eck := writeCert(t, dir, "ec", "localhost", false)
	blocks := regexp.MustCompile(`(?s)Ciphers supported in s_server binary\n.*?\nSignature Algorithms`)
	shared := regexp.MustCompile(`(?m)^Shared ciphers:.*\n`)
	for _, extra := range [][]string{
		{"-tls1_2"},
		{"-max_protocol", "TLSv1.2"},
		{"-tls1_3"},
		{"-ciphersuites", "TLS_AES_128_GCM_SHA256", "-cipher", "ECDHE-ECDSA-AES128-SHA"},
	} {
		t.Run(strings.Join(extra, " "), func(t *testing.T) {
			args := append([]string{"-cert", ec, "-key", eck, "-naccept", "1"}, extra...)
			www := append(args, "-www")
			want := blocks.FindString(pageGet(t, testpeer.OpenSSLServer(t, www...).Addr, "/"))
			if want == "" {
				t.Fatal("no cipher blocks on openssl's page")
			}
			if got := blocks.FindString(pageGet(t, startServer(t, "", www...).addr, "/")); got != want {
				t.Errorf("-www blocks differ\n%s", testpeer.LineDiff(got, want))
			}
			gotOut, _, wantOut, _ := bothServers(t, dir, args, func(addr string, output func() string) {
				opensslClientUntil(t, addr, "x\n", printed(output, "x\n"))
			})
			if got, want := shared.FindString(gotOut), shared.FindString(wantOut); got != want {
				t.Errorf("Shared ciphers differ\n--- tlskit\n%s--- openssl\n%s", got, want)
			}
		})
	}
}

// TestSharedGroupsTLS12LikeOpenSSL: openssl 3.0's FFDHE groups are for
// TLS 1.3 only, so a TLS 1.2 connection's "Shared groups" leaves them
// out even when the client offers them (tlskit listed them). A default
// client, which offers ffdhe2048 and up, against -tls1_2: the
// interactive line and the -www page's are compared with openssl
// s_server's.
func TestSharedGroupsTLS12LikeOpenSSL(t *testing.T) {
	needTool(t, "openssl")
	dir := t.TempDir()
	ec, eck := writeCert(t, dir, "ec", "localhost", false)
	line := regexp.MustCompile(`(?m)^Shared groups: .*\n`)
	args := []string{"-cert", ec, "-key", eck, "-naccept", "1", "-tls1_2"}
	gotOut, _, wantOut, _ := bothServers(t, dir, args, func(addr string, output func() string) {
		opensslClientUntil(t, addr, "x\n", printed(output, "x\n"))
	})
	want := line.FindString(wantOut)
	if want == "" || strings.Contains(want, "ffdhe") {
		t.Fatalf("openssl's line is %q", want)
	}
	if got := line.FindString(gotOut); got != want {
		t.Errorf("interactive: %q, openssl's %q", got, want)
	}
	www := append(args, "-www")
	want = line.FindString(pageGet(t, testpeer.OpenSSLServer(t, www...).Addr, "/"))
	if got := line.FindString(pageGet(t, startServer(t, "", www...).addr, "/")); got != want {
		t.Errorf("-www: %q, openssl's %q", got, want)
	}
}

// TestSessionCacheMissesLikeOpenSSL: openssl's statistics count a
// "session cache miss" when a handshake looked a session up in the
// server's cache and found none (tlskit counted none): at TLS 1.2 a
// session ID with no ticket to try instead, also the random one a TLS
// 1.3-capable client sends; at TLS 1.3 a ticket when the tickets are
// stateful (-no_ticket, -early_data's anti-replay), not a stateless one
// that fails to decrypt. The sessions come from another openssl
// s_server, unknown to both servers compared.
func TestSessionCacheMissesLikeOpenSSL(t *testing.T) {
	needTool(t, "openssl")
	dir := t.TempDir()
	ec, eck := writeCert(t, dir, "ec", "localhost", false)
	stats := regexp.MustCompile(`(?m)^ +\d+ session cache (hits|misses)\n`)
	for _, tc := range []struct {
		name          string
		server        []string
		client        []string
		foreign, miss bool
	}{
		{"tls12-session-id", []string{"-no_ticket"}, []string{"-tls1_2"}, true, true},
		{"tls12-ticket", nil, []string{"-tls1_2"}, true, false},
		{"tls12-compat-session-id", []string{"-tls1_2"}, nil, false, true},
		{"tls13-stateless", nil, []string{"-tls1_3"}, true, false},
		{"tls13-stateful", []string{"-no_ticket"}, []string{"-tls1_3"}, true, true},
		{"tls13-anti-replay", []string{"-early_data"}, []string{"-tls1_3"}, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"-cert", ec, "-key", eck, "-naccept", "1"}, tc.server...)
			client := tc.client
			if tc.foreign {
				other := testpeer.OpenSSLServer(t, args...)
				sess := filepath.Join(t.TempDir(), "sess.pem")
				opensslSessionOut(t, other.Addr, sess, tc.client...)
				other.Wait(t, 20*time.Second)
				client = append([]string{"-sess_in", sess}, tc.client...)
			}
			gotOut, _, wantOut, _ := bothServers(t, dir, args, func(addr string, output func() string) {
				opensslClientUntil(t, addr, "x\n", printed(output, "x\n"), client...)
			})
			want := strings.Join(stats.FindAllString(wantOut, -1), "")
			if strings.Contains(want, "1 session cache misses") != tc.miss {
				t.Fatalf("openssl counted otherwise:\n%s", want)
			}
			if got := strings.Join(stats.FindAllString(gotOut, -1), ""); got != want {
				t.Errorf("counts\n%s, openssl's\n%s", got, want)
			}
		})
	}
}

// TestEESupportedGroupsLikeOpenSSL: a TLS 1.3 openssl server whose key
// share is not of its first group tells the client all its groups in
// the EncryptedExtensions (RFC 8446 §4.2.7), checking each under
// -security_debug_verbose ("Supported Curve" lines); with a share of its
// first group it sends none. tlskit never sent them. openssl s_client
// -tlsextdebug's "TLS server extension" lines and the servers' stderr
// are compared with openssl s_server's.
func TestEESupportedGroupsLikeOpenSSL(t *testing.T) {
	needTool(t, "openssl")
	dir := t.TempDir()
	ec, eck := writeCert(t, dir, "ec", "localhost", false)
	exts := regexp.MustCompile(`(?m)^TLS server extension .*\n`)
	for _, tc := range []struct {
		name   string
		client []string
		sent   bool
	}{
		{"share-of-another-group", []string{"-groups", "P-384"}, true},
		{"share-of-the-first-group", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := []string{"-cert", ec, "-key", eck, "-naccept", "1", "-security_debug_verbose"}
			var clients []string
			_, gotErr, _, wantErr := bothServers(t, dir, args, func(addr string, output func() string) {
				out := opensslClientUntil(t, addr, "x\n", printed(output, "x\n"), append([]string{"-tlsextdebug"}, tc.client...)...)
				clients = append(clients, strings.Join(exts.FindAllString(out, -1), ""))
			})
			want, got := clients[0], clients[1]
			if strings.Contains(want, `"supported_groups"`) != tc.sent {
				t.Fatalf("openssl s_server's extensions:\n%s", want)
			}
			if got != want {
				t.Errorf("server extensions\n%s", testpeer.LineDiff(got, want))
			}
			if gotErr != wantErr {
				t.Errorf("stderr differs\n%s", testpeer.LineDiff(gotErr, wantErr))
			}
		})
	}
}

// TestTraceEndOfEarlyDataLikeOpenSSL: openssl 3.0's -trace has no entry
// for EndOfEarlyData and says "Unsupported, hex dump follows:" under it
// (tlskit's trace printed nothing). The message's lines in s_server
// -early_data -trace's output, for a client resuming with early data,
// are compared with openssl s_server's.
func TestTraceEndOfEarlyDataLikeOpenSSL(t *testing.T) {
	needTool(t, "openssl")
	dir, ec, eck, early := earlySetup(t)
	block := regexp.MustCompile(`(?m)^    EndOfEarlyData, .*\n(.+\n)*`)
	args := []string{"-cert", ec, "-key", eck, "-naccept", "2", "-early_data", "-trace"}
	gotOut, _, wantOut, _ := bothServers(t, dir, args, func(addr string, output func() string) {
		sess := filepath.Join(t.TempDir(), "sess.pem")
		opensslSessionOut(t, addr, sess)
		opensslClientUntil(t, addr, "", printed(output, "End of early data\n"), "-sess_in", sess, "-early_data", early)
	})
	want := block.FindString(wantOut)
	if !strings.Contains(want, "Unsupported") {
		t.Fatalf("openssl's EndOfEarlyData lines: %q", want)
	}
	if got := block.FindString(gotOut); got != want {
		t.Errorf("EndOfEarlyData lines %q, openssl's %q", got, want)
	}
}

// TestSecDebugHelloRetryLikeOpenSSL: after a HelloRetryRequest openssl's
// server checks the suite, the group and the signature algorithms again
// for the second ClientHello, and -security_debug_verbose shows each
// check twice (tlskit's once). The default client's x25519 share against
// -groups P-384, with and without a client certificate; both servers'
// stderr is compared.
func TestSecDebugHelloRetryLikeOpenSSL(t *testing.T) {
	needTool(t, "openssl")
	dir := t.TempDir()
	ec, eck := writeCert(t, dir, "ec", "localhost", false)
	for _, tc := range []struct {
		name           string
		server, client []string
	}{
		{"no-client-cert", nil, nil},
		{"client-cert", []string{"-verify", "1", "-CAfile", ec}, []string{"-cert", ec, "-key", eck}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"-cert", ec, "-key", eck, "-naccept", "1", "-groups", "P-384", "-security_debug_verbose"}, tc.server...)
			_, gotErr, _, wantErr := bothServers(t, dir, args, func(addr string, output func() string) {
				opensslClientUntil(t, addr, "x\n", printed(output, "x\n"), tc.client...)
			})
			if strings.Count(wantErr, "Check Curve=P-384") != 2 {
				t.Fatalf("openssl's checks:\n%s", wantErr)
			}
			if got, want := normalizeErrLines(gotErr), normalizeErrLines(wantErr); got != want {
				t.Errorf("stderr differs\n%s", testpeer.LineDiff(got, want))
			}
		})
	}
}

// TestSecDebugPSKNoCertLikeOpenSSL: a TLS 1.3 server without a
// certificate (-nocert -psk) computes no shared signature algorithms,
// and -security_debug_verbose shows none of their checks (tlskit showed
// them); with a certificate it does. Both servers' stderr is compared
// for an openssl client using the same -psk.
func TestSecDebugPSKNoCertLikeOpenSSL(t *testing.T) {
	needTool(t, "openssl")
	dir := t.TempDir()
	ec, eck := writeCert(t, dir, "ec", "localhost", false)
	const key = "0102030405060708090a0b0c0d0e0f10"
	for _, tc := range []struct {
		name    string
		id      []string
		sigalgs bool
	}{
		{"nocert", []string{"-nocert"}, false},
		{"cert", []string{"-cert", ec, "-key", eck}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append(append([]string{}, tc.id...), "-naccept", "1", "-security_debug_verbose", "-psk", key)
			_, gotErr, _, wantErr := bothServers(t, dir, args, func(addr string, output func() string) {
				opensslClientUntil(t, addr, "x\n", printed(output, "x\n"), "-tls1_3", "-psk", key)
			})
			if strings.Contains(wantErr, "Shared Signature Algorithm") != tc.sigalgs {
				t.Fatalf("openssl's checks:\n%s", wantErr)
			}
			if gotErr != wantErr {
				t.Errorf("stderr differs\n%s", testpeer.LineDiff(gotErr, wantErr))
			}
		})
	}
}

// TestSecDebugResumptionTLS12LikeOpenSSL: a TLS 1.2 server resuming a
// session (by ticket, or by session ID under -no_ticket) chooses nothing
// anew: -security_debug_verbose shows its version checks and, with
// tickets on, the ClientHello's ticket check, nothing else (tlskit showed
// a full handshake's checks). A client saves its session and a second
// resumes it; both servers' stderr is compared.
func TestSecDebugResumptionTLS12LikeOpenSSL(t *testing.T) {
	needTool(t, "openssl")
	dir := t.TempDir()
	ec, eck := writeCert(t, dir, "ec", "localhost", false)
	for _, extra := range [][]string{nil, {"-no_ticket"}} {
		t.Run(fmt.Sprint(extra), func(t *testing.T) {
			args := append([]string{"-cert", ec, "-key", eck, "-naccept", "2", "-security_debug_verbose"}, extra...)
			_, gotErr, _, wantErr := bothServers(t, dir, args, func(addr string, output func() string) {
				sess := filepath.Join(t.TempDir(), "sess.pem")
				opensslSessionOut(t, addr, sess, "-tls1_2")
				opensslClientUntil(t, addr, "x\n", printed(output, "Reused session-id\n", "x\n"), "-tls1_2", "-sess_in", sess)
			})
			if gotErr != wantErr {
				t.Errorf("stderr differs\n%s", testpeer.LineDiff(gotErr, wantErr))
			}
		})
	}
}

// TestHelloRetryResumptionLikeOpenSSL: a client resuming with early data
// whose key share makes the server ask for another. Under openssl's
// anti-replay (-early_data without -no_anti_replay: stateful, single-use
// tickets) the first ClientHello's lookup uses the ticket up and the
// second misses it: a full handshake, one cache hit and one miss, and the
// ticket gone from the cache (tlskit resumed). Otherwise the retried
// handshake resumes, counting a hit for each ClientHello. A third client
// replays the session. Both clients' "New"/"Reused" and early data lines,
// and the servers' normalized stdout (statistics included), are compared.
func TestHelloRetryResumptionLikeOpenSSL(t *testing.T) {
	needTool(t, "openssl")
	dir, ec, eck, early := earlySetup(t)
	clientLines := regexp.MustCompile(`(?m)^(New|Reused), .*\n|^Early data .*\n`)
	for _, tc := range []struct {
		name    string
		server  []string
		resumed bool
	}{
		{"anti-replay", []string{"-early_data"}, false},
		{"anti-replay-one-ticket", []string{"-early_data", "-num_tickets", "1"}, false},
		{"anti-replay-no-ticket", []string{"-early_data", "-no_ticket"}, false},
		{"no-anti-replay", []string{"-early_data", "-no_anti_replay"}, true},
		{"stateless", nil, true},
		{"stateful", []string{"-no_ticket"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"-cert", ec, "-key", eck, "-naccept", "3", "-groups", "P-384"}, tc.server...)
			var clients []string
			gotOut, _, wantOut, _ := bothServers(t, dir, args, func(addr string, output func() string) {
				sess := filepath.Join(t.TempDir(), "sess.pem")
				opensslSessionOut(t, addr, sess)
				var b strings.Builder
				for n := 1; n <= 2; n++ {
					seen := func(string) bool { return strings.Count(output(), "\nx\n") >= n }
					out := opensslClientUntil(t, addr, "x\n", seen, "-sess_in", sess, "-early_data", early)
					b.WriteString(strings.Join(clientLines.FindAllString(out, -1), ""))
				}
				clients = append(clients, b.String())
			})
			want, got := clients[0], clients[1]
			if strings.HasPrefix(want, "Reused, ") != tc.resumed {
				t.Fatalf("openssl's clients:\n%s", want)
			}
			if got != want {
				t.Errorf("clients\n%s", testpeer.LineDiff(got, want))
			}
			if got, want := normalizeOutput(gotOut), normalizeOutput(wantOut); got != want {
				t.Errorf("stdout differs\n%s", testpeer.LineDiff(got, want))
			}
		})
	}
}

// TestSecDebugEarlyDataLikeOpenSSL: -security_debug_verbose for TLS 1.3
// resumptions, with early data. openssl's server checks no signature
// algorithms and no chain for a ClientHello that resumes a ticket (nor
// does it ask for a client certificate); a server reading early data
// (-early_data) checks TLS 1.3 once more when its first flight, a
// HelloRetryRequest or the flight up to its Finished, is out. tlskit
// checked a full handshake's and missed that line. A client saves its
// session, a second resumes it with early data and a third replays it;
// both servers' stderr is compared.
func TestSecDebugEarlyDataLikeOpenSSL(t *testing.T) {
	needTool(t, "openssl")
	dir, ec, eck, early := earlySetup(t)
	for _, tc := range []struct {
		name           string
		server, client []string
	}{
		{"early-data", []string{"-early_data"}, nil},
		{"early-data-retry", []string{"-early_data", "-groups", "P-384"}, nil},
		{"early-data-retry-no-anti-replay", []string{"-early_data", "-no_anti_replay", "-groups", "P-384"}, nil},
		{"no-early-data-retry", []string{"-groups", "P-384"}, nil},
		{"max-early-data", []string{"-max_early_data", "100"}, nil},
		{"early-data-client-cert", []string{"-early_data", "-verify", "1", "-CAfile", ec}, []string{"-cert", ec, "-key", eck}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"-cert", ec, "-key", eck, "-naccept", "3", "-security_debug_verbose"}, tc.server...)
			_, gotErr, _, wantErr := bothServers(t, dir, args, func(addr string, output func() string) {
				sess := filepath.Join(t.TempDir(), "sess.pem")
				opensslSessionOut(t, addr, sess, tc.client...)
				for n := 1; n <= 2; n++ {
					seen := func(string) bool { return strings.Count(output(), "\nx\n") >= n }
					opensslClientUntil(t, addr, "x\n", seen, append([]string{"-sess_in", sess, "-early_data", early}, tc.client...)...)
				}
			})
			if got, want := normalizeErrLines(gotErr), normalizeErrLines(wantErr); got != want {
				t.Errorf("stderr differs\n%s", testpeer.LineDiff(got, want))
			}
		})
	}
}

// TestHelloRetryResumptionWWWLikeOpenSSL: the -www page's statistics for
// resumptions after a HelloRetryRequest under anti-replay (-max_early_data
// makes the tickets single-use, -early_data being refused with -www): a
// client saves its session, three resume it with a key share the server
// (-groups P-384) retries. The last page's counters are compared with
// openssl s_server's.
func TestHelloRetryResumptionWWWLikeOpenSSL(t *testing.T) {
	needTool(t, "openssl")
	dir := t.TempDir()
	ec, eck := writeCert(t, dir, "ec", "localhost", false)
	stats := regexp.MustCompile(`(?m)^ +\d+ (items in the session cache|session cache (hits|misses))\n`)
	args := []string{"-cert", ec, "-key", eck, "-naccept", "4", "-www", "-max_early_data", "100", "-groups", "P-384"}
	counters := func(addr string) string {
		sess := filepath.Join(t.TempDir(), "sess.pem")
		opensslSessionOut(t, addr, sess)
		var page string
		for range 3 {
			page = pageGet(t, addr, "/", "-sess_in", sess)
		}
		return strings.Join(stats.FindAllString(page, -1), "")
	}
	srv := testpeer.OpenSSLServerIn(t, dir, args...)
	want := counters(srv.Addr)
	srv.Wait(t, 20*time.Second)
	ts := startServer(t, dir, args...)
	got := counters(ts.addr)
	ts.wait(10 * time.Second)
	if !strings.Contains(want, " 1 session cache hits\n") || !strings.Contains(want, " 5 session cache misses\n") {
		t.Fatalf("openssl's counters:\n%s", want)
	}
	if got != want {
		t.Errorf("counters\n%s, openssl's\n%s", got, want)
	}
}

// TestForeignTicketWWWLikeOpenSSL: the -www page's session cache
// counters after resumptions offering another server's TLS 1.3 tickets
// to a server keeping its tickets in its cache (anti-replay, -no_ticket),
// with and without a HelloRetryRequest: openssl s_server 3.0 counts a
// miss per ClientHello for another stateful server's ticket (its 32-byte
// session ID) and none for a stateless one, which it does not look up
// (tlskit counted a miss for it too, two after a retry). The last page's
// counters are compared with openssl s_server's.
func TestForeignTicketWWWLikeOpenSSL(t *testing.T) {
	needTool(t, "openssl")
	dir := t.TempDir()
	ec, eck := writeCert(t, dir, "ec", "localhost", false)
	var sessions []string
	for _, extra := range [][]string{nil, {"-no_ticket"}} {
		other := testpeer.OpenSSLServer(t, append([]string{"-cert", ec, "-key", eck}, extra...)...)
		sess := filepath.Join(dir, fmt.Sprintf("foreign%d.pem", len(sessions)))
		opensslSessionOut(t, other.Addr, sess)
		sessions = append(sessions, sess)
	}
	stats := regexp.MustCompile(`(?m)^ +\d+ (items in the session cache|session cache (hits|misses))\n`)
	counters := func(addr string) string {
		for _, sess := range sessions {
			pageGet(t, addr, "/", "-sess_in", sess)
		}
		return strings.Join(stats.FindAllString(pageGet(t, addr, "/"), -1), "")
	}
	for _, tc := range []struct {
		name   string
		server []string
		misses string
	}{
		{"anti-replay", []string{"-max_early_data", "100"}, " 1 session cache misses\n"},
		{"anti-replay-retry", []string{"-max_early_data", "100", "-groups", "P-384"}, " 2 session cache misses\n"},
		{"no-ticket", []string{"-no_ticket"}, " 1 session cache misses\n"},
		{"no-ticket-retry", []string{"-no_ticket", "-groups", "P-384"}, " 2 session cache misses\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"-cert", ec, "-key", eck, "-naccept", "3", "-www"}, tc.server...)
			srv := testpeer.OpenSSLServerIn(t, dir, args...)
			want := counters(srv.Addr)
			srv.Wait(t, 20*time.Second)
			ts := startServer(t, dir, args...)
			got := counters(ts.addr)
			ts.wait(10 * time.Second)
			if !strings.Contains(want, tc.misses) {
				t.Fatalf("openssl's counters:\n%s", want)
			}
			if got != want {
				t.Errorf("counters\n%s, openssl's\n%s", got, want)
			}
		})
	}
}

// earlySetup makes what the early-data comparisons share: a directory,
// an EC certificate and key for localhost in it, and a file of early
// data ("early hello") for openssl s_client -early_data.
func earlySetup(t *testing.T) (dir, cert, key, early string) {
	t.Helper()
	dir = t.TempDir()
	cert, key = writeCert(t, dir, "ec", "localhost", false)
	early = filepath.Join(dir, "early.txt")
	if err := os.WriteFile(early, []byte("early hello\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, cert, key, early
}

var (
	debugPointers = regexp.MustCompile(`(read from|write to) 0x[0-9a-f]+ \[0x[0-9a-f]+\]`)
	debugDump     = regexp.MustCompile(`(?m)^[0-9a-f]{4} - .*$`)
)

// fromCipherLine is stdout from the handshake's "CIPHER is" on, -debug's
// pointers and dumped bytes left out.
func fromCipherLine(out string) string {
	if i := strings.Index(out, "CIPHER is "); i >= 0 {
		out = out[i:]
	}
	return debugDump.ReplaceAllString(debugPointers.ReplaceAllString(out, "$1 P"), "<dump>")
}
