package sclient

import (
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/testpeer"
)

// TestMsgTraceLastWins: -msg and -trace choose one message callback and
// the later on the command line wins, as openssl s_client 3.0's does
// (run beside it against the same openssl s_server).
func TestMsgTraceLastWins(t *testing.T) {
	pki := testpeer.NewPKI(t)
	openssl := testpeer.Need(t, "openssl")
	srv := testpeer.OpenSSLServer(t, "-cert", pki.ECServer, "-key", pki.ECServerKey, "-naccept", "4")
	kinds := func(out string) (msg, trace bool) {
		return strings.Contains(out, "\n>>> TLS 1.3, Handshake [length"), strings.Contains(out, "\nSent Record\n")
	}
	for _, c := range []struct {
		args       []string
		msg, trace bool
	}{
		{[]string{"-msg", "-trace"}, false, true},
		{[]string{"-trace", "-msg"}, true, false},
	} {
		args := append([]string{"-connect", srv.Addr}, c.args...)
		out, _, _ := testpeer.Run(t, 20*time.Second, "", openssl, append([]string{"s_client"}, args...)...)
		if m, tr := kinds(out); m != c.msg || tr != c.trace {
			t.Fatalf("openssl s_client %v: msg %v trace %v, want %v %v", c.args, m, tr, c.msg, c.trace)
		}
		out, _, _ = runClient(t, "", args...)
		if m, tr := kinds(out); m != c.msg || tr != c.trace {
			t.Errorf("tlskit s_client %v: msg %v trace %v, want %v %v", c.args, m, tr, c.msg, c.trace)
		}
	}
}
