package sserver

import (
	"crypto/tls"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/testpeer"
)

// TestUnexpectedEOF: a client that drops the TCP connection without
// close_notify is an ERROR in interactive mode, and a plain DONE with
// -ignore_unexpected_eof, as in openssl 3.0; close_notify is always DONE.
func TestUnexpectedEOF(t *testing.T) {
	dir := t.TempDir()
	cert, key := writeCert(t, dir, "srv", "localhost", false)
	for _, tc := range []struct {
		name   string
		args   []string
		notify bool
		want   string
	}{
		{"abrupt", nil, false, "ERROR\n"},
		{"abrupt-ignored", []string{"-ignore_unexpected_eof"}, false, "DONE\n"},
		{"close-notify", nil, true, "DONE\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := startServer(t, "", append([]string{"-cert", cert, "-key", key, "-naccept", "1"}, tc.args...)...)
			c, err := goClient(ts.addr, &tls.Config{InsecureSkipVerify: true})
			if err != nil {
				t.Fatal(err)
			}
			c.Write([]byte("hello\n"))
			testpeer.WaitOutput(t, ts.out.String, "hello\n", 5*time.Second)
			if tc.notify {
				c.Close()
			} else {
				// A FIN without close_notify. (A full close could be a
				// reset instead: the server's TLS 1.3 tickets, sent
				// after the client's Finished as openssl sends them, sit
				// unread in the client's socket.)
				c.NetConn().(*net.TCPConn).CloseWrite()
				defer c.NetConn().Close()
			}
			testpeer.WaitOutput(t, ts.out.String, "CONNECTION CLOSED", 5*time.Second)
			out := ts.out.String()
			if !strings.Contains(out, tc.want) {
				t.Errorf("stdout lacks %q:\n%s", tc.want, out)
			}
			if tc.want == "DONE\n" && strings.Contains(out, "ERROR") {
				t.Errorf("stdout has ERROR:\n%s", out)
			}
		})
	}
}
