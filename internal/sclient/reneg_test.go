package sclient

import (
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/testpeer"
)

// TestHelloRequestLikeOpenSSL has openssl s_server ask for renegotiation
// (its r command, at TLS 1.2) of tlskit and of openssl s_client
// -no_renegotiation, which is what tlskit does: both refuse with a
// warning no_renegotiation, say "read R BLOCK", and end with exit 1 on
// the server's handshake_failure; the servers see the same error. tlskit
// does so with or without -no_renegotiation.
func TestHelloRequestLikeOpenSSL(t *testing.T) {
	pki := testpeer.NewPKI(t)
	server := []string{"-cert", pki.Server, "-key", pki.ServerKey, "-tls1_2", "-naccept", "1"}
	client := []string{"-CAfile", pki.CA, "-no_renegotiation"}
	lastBlock := func(stdout string) string {
		i := strings.LastIndex(stdout, "---\n")
		return stdout[i+len("---\n"):]
	}
	type outcome struct{ tail, clientErr, serverErr string }
	run := func(start func(addr string) (wait func() (stdout, stderr string, code int))) outcome {
		srv := testpeer.OpenSSLServer(t, server...)
		wait := start(srv.Addr)
		waitOutput(t, srv, "CIPHER is")
		srv.SendRead(t, "r\n", 10*time.Second)
		stdout, stderr, code := wait()
		_, serr := srv.Wait(t, 20*time.Second)
		if code != 1 {
			t.Errorf("exit %d, want 1\n%s\n%s", code, stdout, stderr)
		}
		var o outcome
		o.tail = lastBlock(stdout)
		if m := errLine.FindStringSubmatch(stderr); m != nil {
			o.clientErr = m[1]
		}
		if m := errLine.FindStringSubmatch(serr); m != nil {
			o.serverErr = m[1]
		}
		return o
	}
	theirs := run(func(addr string) func() (string, string, int) {
		c := testpeer.OpenSSLClient(t, addr, client...)
		return func() (string, string, int) {
			stdout, stderr := c.Wait(t, 20*time.Second)
			return stdout, stderr, c.ExitCode()
		}
	})
	if theirs.tail != "read R BLOCK\n" || !strings.Contains(theirs.serverErr, "no renegotiation") {
		t.Fatalf("openssl's outcome is not the one measured: %+v", theirs)
	}
	// openssl s_client renegotiates without -no_renegotiation, with or
	// without -legacy_server_connect and -no_legacy_server_connect
	// (measured); tlskit, which cannot, refuses as above whatever they
	// say, and ends.
	for _, opts := range [][]string{client, {"-CAfile", pki.CA}, {"-CAfile", pki.CA, "-legacy_server_connect"}, {"-CAfile", pki.CA, "-no_legacy_server_connect"}} {
		ours := run(func(addr string) func() (string, string, int) {
			// Its input stays open: it must end on the server's alert.
			type result struct {
				stdout, stderr string
				code           int
				err            error
			}
			ch := make(chan result, 1)
			go func() {
				o, e, code, err := clientUntil(func(string, string) bool { return false }, 20*time.Second, append([]string{"-connect", addr}, opts...)...)
				ch <- result{o, e, code, err}
			}()
			return func() (string, string, int) {
				r := <-ch // clientUntil gives up after 20 s
				if r.err != nil {
					t.Fatalf("s_client %v did not end on the server's alert: %v", opts, r.err)
				}
				return r.stdout, r.stderr, r.code
			}
		})
		if ours != theirs {
			t.Errorf("%v: tlskit:  %+v\nopenssl: %+v", opts, ours, theirs)
		}
	}
}
