package sserver

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/stdio"
	"github.com/tlskit/tlskit/internal/testpeer"
)

// opensslSession has openssl s_client save the session of a full
// handshake with addr, keeping its input open until the ticket is saved
// (at end of input it would leave before the ticket came).
func opensslSession(t *testing.T, addr string) (path, out string) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "sess.pem")
	return path, opensslSessionOut(t, addr, path)
}

// TestEarlyDataServer: openssl s_client resumes with -early_data against
// s_server -early_data, which prints the data as openssl's does (on a
// pipe, the data ahead of its "Early data received:" header); the
// same session again gets a full handshake and a rejection (openssl's
// anti-replay), unless -no_anti_replay; -recv_max_early_data refuses too
// much as openssl does; tickets carry -max_early_data; gnutls-cli's
// --earlydata is read too.
func TestEarlyDataServer(t *testing.T) {
	pki := testpeer.NewPKI(t)
	id := []string{"-cert", pki.ECServer, "-key", pki.ECServerKey}
	early := filepath.Join(t.TempDir(), "early.txt")
	os.WriteFile(early, []byte("zero rtt\n"), 0o600)
	client := func(t *testing.T, addr, sess string) string {
		t.Helper()
		out, _ := runPeer(t, "", 20*time.Second, "openssl", "s_client", "-connect", addr, "-sess_in", sess, "-early_data", early)
		return out
	}
	must := func(t *testing.T, what, out string, res ...string) {
		t.Helper()
		for _, re := range res {
			if !regexp.MustCompile(re).MatchString(out) {
				t.Errorf("%s lacks %s:\n%s", what, re, out)
			}
		}
	}

	t.Run("anti-replay", func(t *testing.T) {
		ts := startServer(t, "", append(id, "-early_data")...)
		sess, out := opensslSession(t, ts.addr)
		must(t, "openssl's first connection", out, `(?m)^    Max Early Data: 16384$`)
		testpeer.WaitOutput(t, ts.out.String, "No early data received\n-----BEGIN SSL SESSION PARAMETERS-----", 5*time.Second)
		out = client(t, ts.addr, sess)
		must(t, "openssl s_client", out, `(?m)^Reused, TLSv1\.3, `, `(?m)^Early data was accepted$`)
		testpeer.WaitOutput(t, ts.out.String, "zero rtt\nEarly data received:\n\nEnd of early data\n-----BEGIN SSL SESSION PARAMETERS-----", 5*time.Second)
		out = client(t, ts.addr, sess)
		must(t, "openssl s_client, replayed", out, `(?m)^New, TLSv1\.3, `, `(?m)^Early data was rejected$`)
		testpeer.WaitOutput(t, ts.out.String, "Early data was rejected\n-----BEGIN SSL SESSION PARAMETERS-----", 5*time.Second)
	})

	t.Run("no_anti_replay", func(t *testing.T) {
		ts := startServer(t, "", append(id, "-early_data", "-no_anti_replay")...)
		sess, _ := opensslSession(t, ts.addr)
		for i := 1; i <= 2; i++ {
			out := client(t, ts.addr, sess)
			must(t, "openssl s_client", out, `(?m)^Reused, TLSv1\.3, `, `(?m)^Early data was accepted$`)
			testpeer.WaitOutputCount(t, ts.out.String, "zero rtt\nEarly data received:\n\nEnd of early data\n", i, 5*time.Second)
		}
	})

	t.Run("max_early_data without early_data", func(t *testing.T) {
		// Tickets allow 100 bytes, but the server does not read them.
		ts := startServer(t, "", append(id, "-max_early_data", "100")...)
		sess, out := opensslSession(t, ts.addr)
		must(t, "openssl's first connection", out, `(?m)^    Max Early Data: 100$`)
		out = client(t, ts.addr, sess)
		must(t, "openssl s_client", out, `(?m)^Reused, TLSv1\.3, `, `(?m)^Early data was rejected$`)
		if strings.Contains(ts.out.String(), "early data") {
			t.Errorf("the server talks of early data without -early_data:\n%s", ts.out)
		}
	})

	t.Run("recv_max_early_data", func(t *testing.T) {
		ts := startServer(t, "", append(id, "-early_data", "-recv_max_early_data", "4")...)
		sess, _ := opensslSession(t, ts.addr)
		out := client(t, ts.addr, sess)
		// openssl's client may leave at the end of its input before the
		// server's unexpected_message alert comes: its verdict on the
		// handshake is what it prints in either case.
		must(t, "openssl s_client", out, `(?m)^Early data was accepted$`)
		testpeer.WaitOutput(t, ts.err.String, "Error reading early data\n", 5*time.Second)
		must(t, "stderr", ts.err.String(), `(?m)^Error reading early data\n[0-9A-F]+:error:0A0000A4:SSL routines:early_data_count_ok:too much early data:`)
	})

	t.Run("gnutls-cli", func(t *testing.T) {
		ts := startServer(t, "", append(id, "-early_data")...)
		host, port, _ := net.SplitHostPort(ts.addr)
		// --waitresumption: gnutls-cli waits for the ticket before it
		// closes its first connection (else it leaves without one).
		out, err := runPeer(t, "", 20*time.Second, "gnutls-cli", "--insecure", "-p", port, "--resume", "--waitresumption", "--earlydata="+early, host)
		if err != nil || !strings.Contains(out, "This is a resumed session") {
			t.Fatalf("%v\n%s\nserver:\n%s", err, out, ts.out)
		}
		testpeer.WaitOutput(t, ts.out.String, "zero rtt\nEarly data received:\n\nEnd of early data\n", 5*time.Second)
	})

	t.Run("refused with -www", func(t *testing.T) {
		for _, mode := range []string{"-www", "-WWW", "-HTTP", "-rev"} {
			var o, e syncBuffer
			code := run(context.Background(), append(id, "-early_data", mode, "-accept", "127.0.0.1:0"), stdio.Stdio{In: strings.NewReader(""), Out: &o, Err: &e}, nil)
			if code != 1 || e.String() != "Can't use -early_data in combination with -www, -WWW, -HTTP, or -rev\n" {
				t.Errorf("%s: exit %d, stderr %q", mode, code, e.String())
			}
		}
	})
}
