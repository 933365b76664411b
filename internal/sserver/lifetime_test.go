package sserver

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/testpeer"
)

// lifetimeLines are the lines of openssl sess_id -text that say how long
// a session lasts.
var lifetimeLines = regexp.MustCompile(`(?m)^\s*(TLS session ticket lifetime hint|Timeout\s*):.*$`)

// sessionLifetimes prints a PEM session (a -sess_out file, or what the
// server printed) with openssl sess_id and returns its lifetime lines.
func sessionLifetimes(t *testing.T, pemText string) string {
	t.Helper()
	i := strings.Index(pemText, "-----BEGIN SSL SESSION PARAMETERS-----")
	j := strings.Index(pemText, "-----END SSL SESSION PARAMETERS-----")
	if i < 0 || j < i {
		t.Fatalf("no session in:\n%s", pemText)
	}
	out, err := runPeer(t, pemText[i:j+36]+"\n", 10*time.Second, "openssl", "sess_id", "-noout", "-text")
	if err != nil {
		t.Fatalf("openssl sess_id: %v\n%s", err, out)
	}
	return strings.Join(lifetimeLines.FindAllString(out, -1), "\n")
}

// TestTicketLifetimeLikeOpenSSL: a TLS 1.3 session an external PSK
// authenticated lasts 304 s at openssl 3.0's s_server, not its default
// 7200: its ticket carries that lifetime, its printed session and -www
// page say so, and a resumption of that ticket keeps it. tlskit sent 7200
// throughout. Each figure is compared with openssl's, which must show 304.
func TestTicketLifetimeLikeOpenSSL(t *testing.T) {
	needTool(t, "openssl")
	const key = "0102030405060708090a0b0c0d0e0f10"
	args := []string{"-nocert", "-psk", key, "-num_tickets", "1"}
	type figures struct{ server, ticket, resumed, page string }
	measure := func(addr string, out func() string, wwwAddr string) figures {
		dir := t.TempDir()
		first, second := filepath.Join(dir, "first.pem"), filepath.Join(dir, "second.pem")
		var f figures
		opensslSessionOut(t, addr, first, "-psk", key)
		testpeer.WaitOutput(t, out, "-----END SSL SESSION PARAMETERS-----", 10*time.Second)
		f.server = sessionLifetimes(t, out())
		f.ticket = sessionLifetimes(t, readFile(t, first))
		// The resumption offers only the ticket: a server without a
		// certificate can do nothing else.
		if got := opensslSessionOut(t, addr, second, "-sess_in", first); !strings.Contains(got, "Reused, TLSv1.3") {
			t.Fatalf("the ticket was not resumed:\n%s", got)
		}
		f.resumed = sessionLifetimes(t, readFile(t, second))
		page := pageGet(t, wwwAddr, "/", "-psk", key)
		f.page = strings.Join(lifetimeLines.FindAllString(page, -1), "\n")
		return f
	}
	osrv := testpeer.OpenSSLServer(t, args...)
	owww := testpeer.OpenSSLServer(t, append(args, "-www")...)
	want := measure(osrv.Addr, osrv.Output, owww.Addr)
	for _, s := range []string{want.server, want.ticket, want.resumed, want.page} {
		if !strings.Contains(s, "304") {
			t.Fatalf("openssl's session does not last 304 s: %+v", want)
		}
	}
	ts := startServer(t, "", args...)
	www := startServer(t, "", append(args, "-www")...)
	if got := measure(ts.addr, ts.out.String, www.addr); got != want {
		t.Errorf("lifetimes differ\n--- tlskit\n%+v\n--- openssl\n%+v", got, want)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// ticketNonces are the ticket_nonce lines of openssl s_client -trace.
var ticketNonces = regexp.MustCompile(`(?m)^\s*ticket_nonce \(len=\d+\): \S*$`)

// TestTicketNonceLikeOpenSSL: a TLS 1.3 server's tickets number their
// nonces in 8 bytes from 0, as openssl 3.0's s_server does (s_client
// -trace shows them); tlskit wrote one byte.
func TestTicketNonceLikeOpenSSL(t *testing.T) {
	needTool(t, "openssl")
	dir := t.TempDir()
	ec, eck := writeCert(t, dir, "ec", "localhost", false)
	args := []string{"-cert", ec, "-key", eck, "-naccept", "1", "-www"}
	nonces := func(addr string) string {
		// The tickets come before the answer to the request, and the
		// server hangs up after it: s_client has read both tickets when it
		// leaves. (Closing its input after the handshake raced the
		// tickets: s_client could leave before they came.)
		out := opensslClientUntil(t, addr, "GET / HTTP/1.0\r\n\r\n", nil, "-trace")
		return strings.Join(ticketNonces.FindAllString(out, -1), "\n")
	}
	want := nonces(testpeer.OpenSSLServer(t, args...).Addr)
	if !strings.Contains(want, "(len=8): 0000000000000001") {
		t.Fatalf("openssl's nonces:\n%s", want)
	}
	if got := nonces(startServer(t, "", args...).addr); got != want {
		t.Errorf("nonces differ\n--- tlskit\n%s\n--- openssl\n%s", got, want)
	}
}

// TestKeyLogLikeOpenSSL: s_server -keylogfile starts a new or empty file
// with openssl's comment line, and a file it appends to gets none, as
// openssl 3.0's s_server does; the TLS 1.3 secrets come in openssl's
// server order (its own handshake secret first; the exporter before the
// application secrets, the server's first). The comment lines and the
// labels of both servers' files are compared after one connection to a
// new file and one to that file again.
func TestKeyLogLikeOpenSSL(t *testing.T) {
	needTool(t, "openssl")
	dir := t.TempDir()
	ec, eck := writeCert(t, dir, "ec", "localhost", false)
	comments := func(start func(args ...string) string, name string) string {
		path := filepath.Join(dir, name)
		for range 2 {
			addr := start("-cert", ec, "-key", eck, "-naccept", "1", "-keylogfile", path)
			opensslClientUntil(t, addr, "", clientPrinted("Verify return code"))
		}
		// The comment lines and each secret's label, in order.
		var out []string
		for _, l := range strings.Split(strings.TrimSuffix(readFile(t, path), "\n"), "\n") {
			if strings.HasPrefix(l, "#") {
				out = append(out, l)
			} else {
				out = append(out, strings.Fields(l)[0])
			}
		}
		return strings.Join(out, "\n")
	}
	want := comments(func(args ...string) string {
		s := testpeer.OpenSSLServer(t, args...)
		t.Cleanup(func() { s.Wait(t, 20*time.Second) })
		return s.Addr
	}, "openssl.keys")
	if !strings.HasPrefix(want, "# SSL/TLS secrets log file, generated by OpenSSL\nSERVER_HANDSHAKE_TRAFFIC_SECRET\n") {
		t.Fatalf("openssl's comments: %q", want)
	}
	if got := comments(func(args ...string) string { return startServer(t, "", args...).addr }, "tlskit.keys"); got != want {
		t.Errorf("key log:\n%s\nopenssl's:\n%s", got, want)
	}
}
