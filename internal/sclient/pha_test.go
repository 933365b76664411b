package sclient

import (
	"io"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/stdio"
	"github.com/tlskit/tlskit/internal/testpeer"
)

// TestEnablePHA runs -enable_pha against openssl s_server, whose c
// command asks for a certificate after the handshake: tlskit answers with
// -cert's (verified by the server), or with an empty Certificate, and the
// connection carries on; without -enable_pha the server cannot ask.
func TestEnablePHA(t *testing.T) {
	pki := testpeer.NewPKI(t)
	withCert := []string{"-cert", pki.Client, "-key", pki.ClientKey}
	sentAfterRequest := func(types ...string) *regexp.Regexp {
		re := `<<< TLS 1\.3, Handshake \[length [0-9a-f]{4}\], CertificateRequest\n`
		for _, t := range types {
			re += `(?:.*\n)*?>>> TLS 1\.3, Handshake \[length [0-9a-f]{4}\], ` + t + `\n`
		}
		return regexp.MustCompile(re)
	}
	for _, tc := range []struct {
		name       string
		server     []string
		args       []string
		serverSees []string // in order of appearance
		wantOurs   *regexp.Regexp
		lacksOurs  *regexp.Regexp
		depth0     int // times the server verified our leaf
	}{
		{name: "cert", args: append([]string{"-enable_pha", "-msg", "-state"}, withCert...),
			serverSees: []string{"SSL_do_handshake -> 1"}, depth0: 1,
			wantOurs: sentAfterRequest("Certificate", "CertificateVerify", "Finished")},
		{name: "no-cert", args: []string{"-enable_pha", "-msg"},
			serverSees: []string{"SSL_do_handshake -> 1"},
			wantOurs:   sentAfterRequest("Certificate", "Finished"),
			lacksOurs:  regexp.MustCompile(`>>> TLS 1\.3, Handshake \[length [0-9a-f]{4}\], CertificateVerify`)},
		{name: "verify-in-handshake-too", server: []string{"-verify", "1"}, args: append([]string{"-enable_pha"}, withCert...),
			serverSees: []string{"SSL_do_handshake -> 1"}, depth0: 2},
		{name: "not-offered", args: withCert,
			// (openssl's "Failed to initiate request" sits in its
			// stdout buffer until later.)
			serverSees: []string{":SSL_verify_client_post_handshake:extension not received:"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := testpeer.OpenSSLServer(t, append([]string{"-cert", pki.Server, "-key", pki.ServerKey, "-CAfile", pki.CA}, tc.server...)...)
			pr, pw := io.Pipe()
			var o, e testpeer.Buffer
			done := make(chan int, 1)
			args := append([]string{"-connect", srv.Addr, "-CAfile", pki.CA}, tc.args...)
			go func() { done <- Main(args, stdio.Stdio{In: pr, Out: &o, Err: &e}) }()
			waitOutput(t, srv, "CIPHER is")
			if err := srv.Send("c\n"); err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.serverSees {
				waitOutput(t, srv, w)
			}
			// openssl writes "depth=0 " at once, the name in pieces that
			// its stdout may come between: only the former is counted.
			waitCount(t, srv, "depth=0 ", tc.depth0)
			// Our answer went before this line; the connection carries on.
			go io.WriteString(pw, "after c\n")
			waitOutput(t, srv, "after c\n")
			pw.Close()
			select {
			case code := <-done:
				if code != 0 {
					t.Errorf("exit %d\n%s\n%s", code, o.String(), e.String())
				}
			case <-time.After(30 * time.Second):
				t.Fatal("s_client did not end at the end of its input")
			}
			ours := o.String() + e.String()
			if tc.wantOurs != nil && !tc.wantOurs.MatchString(ours) {
				t.Errorf("our output lacks %s:\n%s", tc.wantOurs, ours)
			}
			if slices.Contains(tc.args, "-state") {
				// openssl s_client -enable_pha -state prints these lines.
				const want = "SSL_connect:SSL negotiation finished successfully\nSSL_connect:SSL negotiation finished successfully\n" +
					"SSL_connect:SSLv3/TLS read server certificate request\nSSL_connect:SSLv3/TLS write client certificate\n" +
					"SSL_connect:SSLv3/TLS write certificate verify\nSSL_connect:SSLv3/TLS write finished\n"
				var st strings.Builder
				for _, l := range strings.SplitAfter(ours, "\n") {
					if strings.HasPrefix(l, "SSL_connect:") {
						st.WriteString(l)
					}
				}
				if !strings.Contains(st.String(), want) {
					t.Errorf("our -state lines lack\n%s\nthey are:\n%s", want, st.String())
				}
			}
			// One "read R BLOCK" per ticket, and one for the read that
			// answered the request, as openssl prints them.
			answered := 0
			if slices.Contains(tc.args, "-enable_pha") {
				answered = 1
			}
			if r, tk := len(regexp.MustCompile(`(?m)^read R BLOCK$`).FindAllString(ours, -1)), strings.Count(ours, "Post-Handshake New Session Ticket arrived:"); r != tk+answered {
				t.Errorf("%d read R BLOCK lines for %d tickets and %d answers:\n%s", r, tk, answered, ours)
			}
			if tc.lacksOurs != nil && tc.lacksOurs.MatchString(ours) {
				t.Errorf("our output has %s:\n%s", tc.lacksOurs, ours)
			}
			if n := strings.Count(srv.Output(), "depth=0 "); n != tc.depth0 {
				t.Errorf("the server verified our certificate %d times, want %d:\n%s", n, tc.depth0, srv.Output())
			}
		})
	}
}

// waitCount polls a server's output until want occurs n times (bounded).
func waitCount(t *testing.T, srv *testpeer.Server, want string, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for strings.Count(srv.Output(), want) < n {
		if time.Now().After(deadline) {
			t.Fatalf("server output has %q fewer than %d times; it is:\n%s", want, n, srv.Output())
		}
		time.Sleep(20 * time.Millisecond) // polling the output, not waiting for readiness
	}
}
