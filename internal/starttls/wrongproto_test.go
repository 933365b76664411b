package starttls_test

import (
	"bufio"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/sclient"
	"github.com/tlskit/tlskit/internal/starttls"
	"github.com/tlskit/tlskit/internal/stdio"
	"github.com/tlskit/tlskit/internal/testpeer"
)

// fakeServer serves every connection with handle on 127.0.0.1 until the
// test ends.
func fakeServer(t *testing.T, handle func(net.Conn)) string {
	t.Helper()
	return testpeer.ServeAll(t, time.Minute, handle)
}

// mailLike greets like an SMTP server and refuses every line it gets.
func mailLike(c net.Conn) {
	c.Write([]byte("220 fake.example ESMTP\r\n"))
	sc := bufio.NewScanner(c)
	for sc.Scan() {
		c.Write([]byte("502 5.5.2 Error: command not recognized\r\n"))
	}
}

// httpLike waits for a request, answers 400 and closes, like a web server.
func httpLike(c net.Conn) {
	buf := make([]byte, 4096)
	if _, err := c.Read(buf); err == nil {
		c.Write([]byte("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"))
	}
}

// TestWrongProtocol runs s_client -starttls with every keyword against
// servers that speak another protocol: one that talks first (an SMTP
// server), one that waits for the client (a web server). Each run must end
// by itself with an error on stderr and exit 1, never hang; openssl 3.0
// hangs for good on several of them (imap, xmpp, xmpp-server against the
// SMTP server), tlskit's waits are bounded by starttls.DefaultTimeout.
func TestWrongProtocol(t *testing.T) {
	servers := map[string]string{"smtp-server": fakeServer(t, mailLike), "web-server": fakeServer(t, httpLike)}
	type result struct {
		name     string
		code     int
		out, err string
	}
	// All at once (t.Parallel would run only GOMAXPROCS of them at a
	// time, and several wait out the timeout).
	results := make(chan result)
	n := 0
	for name, addr := range servers {
		for _, proto := range starttls.Protocols {
			n++
			go func() {
				var out, errb testpeer.Buffer
				code := sclient.Main([]string{"-connect", addr, "-starttls", proto},
					stdio.Stdio{In: strings.NewReader(""), Out: &out, Err: &errb})
				results <- result{name + "/" + proto, code, out.String(), errb.String()}
			}()
		}
	}
	timeout := time.After(3 * starttls.DefaultTimeout)
	for ; n > 0; n-- {
		select {
		case r := <-results:
			if r.code != 1 {
				t.Errorf("%s: exit %d, want 1\nstdout:\n%s\nstderr:\n%s", r.name, r.code, r.out, r.err)
			}
			if !strings.Contains(r.err, "s_client: ") && !strings.Contains(r.err, ":error:") {
				t.Errorf("%s: no error line on stderr:\n%s", r.name, r.err)
			}
		case <-timeout:
			t.Fatalf("%d runs of s_client -starttls still going after %v", n, 3*starttls.DefaultTimeout)
		}
	}
}

// TestNotFoundNotice: openssl prints "Didn't find STARTTLS in server
// response, trying anyway..." on stderr when the capabilities it reads
// (smtp and lmtp's EHLO/LHLO reply, imap's CAPABILITY, nntp's
// CAPABILITIES, sieve's greeting) do not list STARTTLS, then sends it
// anyway; tlskit prints the same line in the same places.
func TestNotFoundNotice(t *testing.T) {
	const notice = "Didn't find STARTTLS in server response, trying anyway...\n"
	for _, tc := range []struct {
		proto, script string
		want          bool
	}{
		{"smtp", "220 hi\r\n|250-hi\r\n250 SIZE 10\r\n|220 go\r\n", true},
		{"smtp", "220 hi\r\n|250-hi\r\n250 STARTTLS\r\n|220 go\r\n", false},
		{"lmtp", "220 hi\r\n|250 PIPELINING\r\n|220 go\r\n", true},
		{"imap", "* OK hi\r\n|* CAPABILITY IMAP4rev1\r\n. OK done\r\n|. OK go\r\n", true},
		{"imap", "* OK hi\r\n|* CAPABILITY IMAP4rev1 STARTTLS\r\n. OK done\r\n|. OK go\r\n", false},
		{"nntp", "200 hi\r\n|101 caps\r\nVERSION 2\r\n.\r\n|382 go\r\n", true},
		{"sieve", "\"IMPLEMENTATION\" \"x\"\r\nOK\r\n|OK\r\n", true},
		{"sieve", "\"IMPLEMENTATION\" \"x\"\r\n\"STARTTLS\"\r\nOK\r\n|OK\r\n", false},
	} {
		// The server sends each |-separated part after reading a line.
		parts := strings.Split(tc.script, "|")
		addr := fakeServer(t, func(c net.Conn) {
			r := bufio.NewReader(c)
			for i, p := range parts {
				if i > 0 {
					if _, err := r.ReadString('\n'); err != nil {
						return
					}
				}
				c.Write([]byte(p))
			}
		})
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		var warn strings.Builder
		_, err = starttls.Upgrade(c, tc.proto, starttls.Options{Timeout: 5 * time.Second, Warn: &warn})
		c.Close()
		if err != nil {
			t.Errorf("%s %q: %v", tc.proto, tc.script, err)
		}
		if got := warn.String() == notice; got != tc.want || (!tc.want && warn.Len() > 0) {
			t.Errorf("%s %q: notice %q, want it: %v", tc.proto, tc.script, warn.String(), tc.want)
		}
	}
}
