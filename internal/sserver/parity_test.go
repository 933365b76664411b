package sserver

import (
	"bytes"
	"crypto/tls"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/testpeer"
)

var (
	hexDumpLine  = regexp.MustCompile(`(?m)^    ([0-9a-f]{2} )*[0-9a-f]{2}\n`)
	msgLength    = regexp.MustCompile(`\[length [0-9a-f]{4}\]`)
	acceptRE     = regexp.MustCompile(`(?m)^ACCEPT .*\n`)
	sessionBlock = regexp.MustCompile(`(?s)-----BEGIN SSL SESSION PARAMETERS-----\n.*?-----END SSL SESSION PARAMETERS-----\n`)
)

// sessionShape describes a PEM session by what does not change from one
// connection to the next: version, suite, the lengths of the session ID
// and master key, which optional fields are present.
func sessionShape(block string) string {
	p, _ := pem.Decode([]byte(block))
	if p == nil {
		return "<bad PEM>\n"
	}
	var seq asn1.RawValue
	if _, err := asn1.Unmarshal(p.Bytes, &seq); err != nil {
		return "<bad DER>\n"
	}
	var b strings.Builder
	b.WriteString("<session")
	for rest, i := seq.Bytes, 0; len(rest) > 0; i++ {
		var f asn1.RawValue
		var err error
		if rest, err = asn1.Unmarshal(rest, &f); err != nil {
			return "<bad field>\n"
		}
		switch {
		case f.Class == asn1.ClassContextSpecific:
			fmt.Fprintf(&b, " [%d]", f.Tag)
		case i == 1 || i == 2: // protocol version, cipher
			fmt.Fprintf(&b, " %X", f.Bytes)
		case i > 2: // session ID, master key
			fmt.Fprintf(&b, " %d", len(f.Bytes))
		}
	}
	return b.String() + ">\n"
}

// normalizeOutput removes what differs between two runs of the same
// server whatever its engine: -msg hex dumps and lengths (randoms, keys,
// tickets), the port, the serialized session's values.
func normalizeOutput(s string) string {
	s = hexDumpLine.ReplaceAllString(s, "")
	s = msgLength.ReplaceAllString(s, "[length]")
	s = acceptRE.ReplaceAllString(s, "ACCEPT\n")
	return sessionBlock.ReplaceAllStringFunc(s, sessionShape)
}

// TestOutputParity runs openssl s_server and tlskit's with the same
// options, has the same openssl s_client talk to each, and compares
// their stdout and stderr line by line, normalized: the servername
// callback's lines where openssl prints them (among the -msg lines),
// the client's data before the -msg lines of its close_notify, the
// -state lines, and the statistics of a connection that switched to
// -cert2's context.
func TestOutputParity(t *testing.T) {
	needTool(t, "openssl")
	dir := t.TempDir()
	ec, eck := writeCert(t, dir, "ec", "localhost", false)
	c2, k2 := writeCert(t, dir, "two", "other.example", false)
	rc, rk := writeCert(t, dir, "rsa", "localhost", true)
	sni := []string{"-servername", "other.example", "-cert2", c2, "-key2", k2}
	for _, tc := range []struct {
		name   string
		server []string
		client []string
	}{
		// openssl's -cert2 context has no ALPN callback: no ALPN lines
		// and none negotiated after the switch.
		{"tls13-sni-switch-msg-alpn", append([]string{"-msg", "-alpn", "h2"}, sni...), []string{"-tls1_3", "-servername", "other.example", "-alpn", "h2"}},
		{"tls12-sni-switch-alpn", append([]string{"-alpn", "h2"}, sni...), []string{"-tls1_2", "-servername", "other.example", "-alpn", "h2"}},
		{"tls12-sni-other-msg", append([]string{"-msg"}, sni...), []string{"-tls1_2", "-servername", "nope.example"}},
		{"tls12-sni-switch-state", append([]string{"-state"}, sni...), []string{"-tls1_2", "-servername", "other.example"}},
		{"tls12-msg", []string{"-msg"}, []string{"-tls1_2"}},
		{"tls13-state", []string{"-state"}, []string{"-tls1_3"}},
		{"tls13-msg-client-auth-alpn", []string{"-msg", "-Verify", "1", "-CAfile", ec, "-alpn", "h2"}, []string{"-tls1_3", "-cert", ec, "-key", eck, "-alpn", "h2"}},
		{"tls12-no-ticket-ems", []string{"-no_ticket"}, []string{"-tls1_2"}},
		// The default client offers SHA-224 and DSA schemes: shared at
		// TLS 1.2 (above), DSA left out at TLS 1.3.
		{"tls13-default-client", nil, nil},
		// -reconnect: five resumptions, by ticket and by session ID (the
		// server's Finished goes first and is reported twice); each
		// resumed session's PEM keeps the group of the full handshake.
		{"tls12-state-reconnect-ticket", []string{"-state", "-naccept", "6"}, []string{"-tls1_2", "-reconnect"}},
		{"tls12-state-reconnect-session-id", []string{"-state", "-naccept", "6", "-no_ticket"}, []string{"-tls1_2", "-reconnect"}},
		{"tls13-early-data-none", []string{"-early_data"}, []string{"-tls1_3"}},
		// -num_tickets counts TLS 1.3 tickets only: no ticket, an empty
		// session ID and key in the PEM; TLS 1.2 still gets a ticket
		// (empty session ID, nothing in the session cache).
		{"tls13-num-tickets-0", []string{"-num_tickets", "0"}, []string{"-tls1_3"}},
		{"tls12-num-tickets-0", []string{"-num_tickets", "0"}, []string{"-tls1_2"}},
		{"tls12-cbc-no-etm", []string{"-no_etm"}, []string{"-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA"}},
		// A TLS 1.2 session with no key exchange group (RSA and DHE key
		// exchange, a PSK suite) has kex_group 0, not none.
		{"tls12-rsa-kx", []string{"-dcert", rc, "-dkey", rk}, []string{"-tls1_2", "-cipher", "AES128-SHA"}},
		{"tls12-dhe", []string{"-dcert", rc, "-dkey", rk}, []string{"-tls1_2", "-cipher", "DHE-RSA-AES128-GCM-SHA256"}},
		{"tls12-psk", []string{"-psk", "1a2b3c"}, []string{"-tls1_2", "-psk", "1a2b3c", "-cipher", "PSK-AES128-CBC-SHA"}},
		// A TLS 1.1 server: its -msg line for the ClientHello says TLS
		// 1.3, as openssl's whatever its highest version, and it keeps
		// none of the client's signature algorithms.
		{"tls11-server-msg", []string{"-msg", "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"}, []string{"-cipher", "DEFAULT@SECLEVEL=0"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"-cert", ec, "-key", eck, "-naccept", "1"}, tc.server...)
			srv := testpeer.OpenSSLServerIn(t, dir, args...)
			opensslClientUntil(t, srv.Addr, "some data\n", printed(srv.Output, "some data\n"), tc.client...)
			wantOut, wantErr := srv.Wait(t, 20*time.Second)

			ts := startServer(t, dir, args...)
			opensslClientUntil(t, ts.addr, "some data\n", printed(ts.out.String, "some data\n"), tc.client...)
			ts.wait(10 * time.Second)
			for _, c := range []struct{ stream, got, want string }{
				{"stdout", ts.out.String(), wantOut},
				{"stderr", ts.err.String(), wantErr},
			} {
				got, want := normalizeOutput(c.got), normalizeOutput(c.want)
				if got != want {
					t.Errorf("%s differs from openssl s_server's\n--- tlskit\n%s\n--- openssl\n%s", c.stream, got, want)
				}
			}
		})
	}
}

// TestRevMatchesOpenSSL has openssl s_client send the same input to
// openssl s_server -rev and to tlskit's, and compares what the client got
// back and the servers' stderr: lines of 16384 bytes and more come back
// in 16384-byte pieces, each with its newline; a connection that ends in
// the middle of a line echoes nothing of it and prints no "CONNECTION
// CLOSED".
func TestRevMatchesOpenSSL(t *testing.T) {
	needTool(t, "openssl")
	dir := t.TempDir()
	ec, eck := writeCert(t, dir, "ec", "localhost", false)
	digits := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = '0' + byte(i%10)
		}
		return string(b)
	}
	for _, tc := range []struct {
		name, input string
		hangUp      bool // the client closes TCP without close_notify
	}{
		{"lines", "hello world\n\nabc\r\nCLOSE\n", false},
		{"line-16383", digits(16383) + "\nCLOSE\n", false},
		{"line-16384", digits(16384) + "\nCLOSE\n", false},
		{"line-40000", digits(40000) + "\nshort\nCLOSE\n", false},
		{"close-notify-mid-line", "abc\nno newline", false},
		{"close-notify-after-line", "abc\n", false},
		{"hang-up-mid-line", "abc\nno newline", true},
		{"hang-up-after-line", "abc\n", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := []string{"-cert", ec, "-key", eck, "-naccept", "1", "-rev"}
			client := func(addr string) string {
				if tc.hangUp {
					return hangUpClient(t, addr, tc.input)
				}
				// The client's input stays open until the server ends
				// the connection (a CLOSE line) or the first line's
				// reversal is back, not for a fixed time: a loaded
				// machine once took longer than 300 ms to echo 40000
				// bytes, and the output was cut short.
				var done func(string) bool
				if !strings.Contains(tc.input, "CLOSE\n") {
					done = func(out string) bool { return strings.Contains(out, "cba\n") }
				}
				return opensslClientUntil(t, addr, tc.input, done, "-quiet", "-no_ign_eof")
			}
			srv := testpeer.OpenSSLServerIn(t, dir, args...)
			want := client(srv.Addr)
			_, wantErr := srv.Wait(t, 20*time.Second)

			ts := startServer(t, dir, args...)
			got := client(ts.addr)
			ts.wait(10 * time.Second)
			if got != want {
				t.Errorf("client output differs (%d bytes, openssl's %d)\n--- tlskit\n%.300q\n--- openssl\n%.300q", len(got), len(want), got, want)
			}
			if gotErr := ts.err.String(); gotErr != wantErr {
				t.Errorf("stderr differs\n--- tlskit\n%s\n--- openssl\n%s", gotErr, wantErr)
			}
		})
	}
}

// hangUpClient is a crypto/tls client that sends input, reads what comes
// back, and closes the TCP connection without close_notify.
func hangUpClient(t *testing.T, addr, input string) string {
	t.Helper()
	raw, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	c := tls.Client(raw, &tls.Config{InsecureSkipVerify: true, CurvePreferences: []tls.CurveID{tls.X25519, tls.CurveP256}})
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, input); err != nil {
		t.Fatal(err)
	}
	// Each complete line comes back reversed: read until as many lines
	// are back as were sent (bounded by the deadline above), not for a
	// fixed time, which a loaded machine can overrun.
	var got []byte
	buf := make([]byte, 4096)
	for bytes.Count(got, []byte("\n")) < strings.Count(input, "\n") {
		n, err := c.Read(buf)
		got = append(got, buf[:n]...)
		if err != nil {
			break
		}
	}
	return string(got)
}
