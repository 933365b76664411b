// Package interop holds end-to-end tests that run tlskit's commands against
// real openssl peers and compare what both sides print.
package interop

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/sclient"
	"github.com/tlskit/tlskit/internal/stdio"
	"github.com/tlskit/tlskit/internal/testpeer"
)

// buffer is testpeer.Buffer: a buffer safe for concurrent writes and reads.
type buffer = testpeer.Buffer

// msgLine matches a -msg line that names a handshake message or an alert.
var msgLine = regexp.MustCompile(`(?m)^(<<<|>>>) (?:TLS|SSL) [0-9.]+, (Handshake|Alert) \[length ([0-9a-f]{4})\], (.*)$`)

// messages returns the handshake and alert messages of a -msg transcript
// as "dir type length name", with the direction seen from the client.
func messages(out string, fromServer, post13 bool) []string {
	var seq []string
	for _, m := range msgLine.FindAllStringSubmatch(out, -1) {
		dir := m[1]
		if fromServer {
			dir = map[string]string{"<<<": ">>>", ">>>": "<<<"}[dir]
		}
		if m[2] == "Alert" || (post13 && m[4] == "NewSessionTicket") {
			continue // post-handshake traffic depends on when each side stops
		}
		seq = append(seq, strings.Join([]string{dir, m[2], m[3], m[4]}, " "))
	}
	return seq
}

var traceHeader = regexp.MustCompile(`(?m)^    (ClientHello|ServerHello|EncryptedExtensions|Certificate|CertificateVerify|Finished|ServerKeyExchange|ClientKeyExchange|ServerHelloDone|NewSessionTicket|CertificateRequest), Length=(\d+)$`)

// traced returns the handshake message headers of a -trace transcript.
func traced(out string, tls13 bool) []string {
	var seq []string
	for _, m := range traceHeader.FindAllStringSubmatch(out, -1) {
		if m[1] == "NewSessionTicket" && tls13 {
			continue // sent after the handshake; depends on when each side stops
		}
		seq = append(seq, m[1]+" "+m[2])
	}
	return seq
}

// TestClientMsgMatchesOpenSSLServer runs tlskit s_client -msg against
// openssl s_server -msg and checks both saw the same handshake messages,
// with the same lengths, in the same order.
func TestClientMsgMatchesOpenSSLServer(t *testing.T) {
	pki := testpeer.NewPKI(t)
	for _, tc := range []struct {
		name string
		cert string
		key  string
		args []string
	}{
		{"tls13-rsa", pki.Server, pki.ServerKey, nil},
		{"tls12-rsa", pki.Server, pki.ServerKey, []string{"-tls1_2"}},
		{"tls13-ecdsa", pki.ECServer, pki.ECServerKey, nil},
		{"tls12-ecdsa", pki.ECServer, pki.ECServerKey, []string{"-tls1_2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := testpeer.OpenSSLServer(t, "-cert", tc.cert, "-key", tc.key, "-msg", "-naccept", "1")
			var out, errb buffer
			args := append([]string{"-connect", srv.Addr, "-msg", "-CAfile", pki.CA}, tc.args...)
			done := make(chan int, 1)
			go func() { done <- sclient.Main(args, stdio.Stdio{In: strings.NewReader(""), Out: &out, Err: &errb}) }()
			select {
			case code := <-done:
				if code != 0 {
					t.Fatalf("s_client exit %d\n%s\n%s", code, out.String(), errb.String())
				}
			case <-time.After(30 * time.Second):
				t.Fatal("s_client did not finish in 30s")
			}
			ours := messages(out.String(), false, tc.args == nil)
			// Wait (bounded) for the server to print the client's Finished.
			var theirs []string
			for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
				theirs = messages(srv.Output(), true, tc.args == nil)
				if len(theirs) >= len(ours) {
					break
				}
			}
			if len(ours) < 4 {
				t.Fatalf("too few messages in our -msg output:\n%s", out.String())
			}
			if strings.Join(ours, "\n") != strings.Join(theirs, "\n") {
				t.Fatalf("message sequences differ\n tlskit s_client:\n  %s\n openssl s_server (mirrored):\n  %s", strings.Join(ours, "\n  "), strings.Join(theirs, "\n  "))
			}
		})
	}
}

// TestClientTraceMatchesOpenSSLServer does the same with -trace on both sides.
func TestClientTraceMatchesOpenSSLServer(t *testing.T) {
	pki := testpeer.NewPKI(t)
	for _, v := range []string{"-tls1_2", "-tls1_3"} {
		t.Run(v, func(t *testing.T) {
			srv := testpeer.OpenSSLServer(t, "-cert", pki.Server, "-key", pki.ServerKey, "-trace", "-naccept", "1")
			var out, errb buffer
			args := []string{"-connect", srv.Addr, "-trace", "-CAfile", pki.CA, "-no_ticket", v}
			if code := sclient.Main(args, stdio.Stdio{In: strings.NewReader(""), Out: &out, Err: &errb}); code != 0 {
				t.Fatalf("s_client exit %d\n%s", code, errb.String())
			}
			ours := traced(out.String(), v == "-tls1_3")
			var theirs []string
			for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
				if theirs = traced(srv.Output(), v == "-tls1_3"); len(theirs) >= len(ours) {
					break
				}
			}
			if len(ours) < 5 || strings.Join(ours, ",") != strings.Join(theirs, ",") {
				t.Fatalf("-trace message sequences differ\n tlskit: %q\nopenssl: %q", ours, theirs)
			}
		})
	}
}
