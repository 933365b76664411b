package sserver

import (
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/testpeer"
)

// TestMsgTraceLastWins: -msg and -trace choose one message callback and
// the later on the command line wins, as in openssl s_server 3.0
// (measured: "-msg -trace" prints only Sent/Received Record blocks,
// "-trace -msg" only <<< and >>> lines).
func TestMsgTraceLastWins(t *testing.T) {
	pki := testpeer.NewPKI(t)
	for _, c := range []struct {
		args       []string
		msg, trace bool
	}{
		{[]string{"-msg", "-trace"}, false, true},
		{[]string{"-trace", "-msg"}, true, false},
	} {
		ts := startServer(t, "", append([]string{"-cert", pki.ECServer, "-key", pki.ECServerKey, "-naccept", "1"}, c.args...)...)
		opensslClientUntil(t, ts.addr, "", func(out string) bool { return strings.Contains(out, "Verify return code") })
		ts.wait(10 * time.Second)
		out := ts.out.String()
		m, tr := strings.Contains(out, "<<< TLS 1.3, Handshake [length"), strings.Contains(out, "Received Record\n")
		if m != c.msg || tr != c.trace {
			t.Errorf("tlskit s_server %v: msg %v trace %v, want %v %v", c.args, m, tr, c.msg, c.trace)
		}
	}
}
