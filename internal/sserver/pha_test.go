package sserver

import (
	"context"
	"io"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/testpeer"
)

// peerClient is a client program (openssl s_client, gnutls-cli) running
// with its input held open.
type peerClient struct {
	stdin io.WriteCloser
	out   *syncBuffer
	done  chan struct{}
}

func startPeerClient(t *testing.T, prog string, args ...string) *peerClient {
	t.Helper()
	path := needTool(t, prog)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	cmd := exec.CommandContext(ctx, path, args...)
	pc := &peerClient{out: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = pc.out, pc.out
	cmd.WaitDelay = time.Second
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	pc.stdin = stdin
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { cmd.Wait(); close(pc.done) }()
	t.Cleanup(func() {
		stdin.Close()
		select {
		case <-pc.done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-pc.done
		}
		cancel()
	})
	return pc
}

// TestPostHandshakeAuthCommand is the c command against openssl s_client
// -enable_pha and gnutls-cli --post-handshake-auth: the request goes out
// after the handshake ("SSL_do_handshake -> 1"), the client's answer is
// verified through the shared callback (depth= lines), more tickets
// follow, and the connection carries on; a client that cannot be asked
// gets openssl's refusal and the connection carries on too.
func TestPostHandshakeAuthCommand(t *testing.T) {
	pki := testpeer.NewPKI(t)
	id := []string{"-cert", pki.Server, "-key", pki.ServerKey, "-CAfile", pki.CA, "-naccept", "1"}
	withCert := []string{"-cert", pki.Client, "-key", pki.ClientKey}
	const clientDepth0 = "depth=0 CN = tlskit client\nverify return:1\n"
	for _, tc := range []struct {
		name       string
		server     []string
		gnutls     bool
		client     []string
		wantOut    []string // tlskit's stdout, in order
		wantErr    []string // tlskit's stderr
		depthLines int      // how many times the client's leaf is verified
		peerSees   []*regexp.Regexp
		peerLacks  []*regexp.Regexp
		fails      bool   // the connection ends with the answer
		wantState  string // tlskit's -state lines include these
	}{
		{name: "cert", server: []string{"-state"}, client: append([]string{"-enable_pha", "-msg"}, withCert...),
			wantOut: []string{"SSL_do_handshake -> 1\n"}, depthLines: 1,
			// openssl s_server -state prints these lines (on stderr).
			wantState: "SSL_accept:SSLv3/TLS write certificate request\n" +
				"SSL_accept:SSL negotiation finished successfully\nSSL_accept:SSL negotiation finished successfully\n" +
				"SSL_accept:SSLv3/TLS read client certificate\nSSL_accept:SSLv3/TLS read certificate verify\n" +
				"SSL_accept:SSLv3/TLS read finished\nSSL_accept:SSLv3/TLS write session ticket\nSSL_accept:SSLv3/TLS write session ticket\n",
			peerSees: []*regexp.Regexp{regexp.MustCompile(`<<< TLS 1\.3, Handshake \[length 00[0-9a-f]{2}\], CertificateRequest\n(.*\n)*>>> TLS 1\.3, Handshake \[length [0-9a-f]{4}\], Certificate\n(.*\n)*>>> TLS 1\.3, Handshake \[length [0-9a-f]{4}\], CertificateVerify\n(.*\n)*>>> TLS 1\.3, Handshake \[length 00[0-9a-f]{2}\], Finished\n`)}},
		{name: "no-cert", client: []string{"-enable_pha", "-msg"},
			wantOut:   []string{"SSL_do_handshake -> 1\n"},
			peerSees:  []*regexp.Regexp{regexp.MustCompile(`CertificateRequest\n(.*\n)*>>> TLS 1\.3, Handshake \[length 0028\], Certificate\n`)},
			peerLacks: []*regexp.Regexp{regexp.MustCompile(`>>> TLS 1\.3, Handshake \[length [0-9a-f]{4}\], CertificateVerify`)}},
		{name: "Verify", server: []string{"-Verify", "1"}, client: append([]string{"-enable_pha"}, withCert...),
			wantOut: []string{"SSL_do_handshake -> 1\n"}, wantErr: []string{"verify depth is 1, must return a certificate\n"}, depthLines: 2},
		{name: "not-offered", client: withCert,
			wantOut: []string{"Failed to initiate request\n"},
			wantErr: []string{":error:0A000117:SSL routines:SSL_verify_client_post_handshake:extension not received:"}},
		{name: "tls1_2", client: append([]string{"-enable_pha", "-tls1_2"}, withCert...),
			wantOut: []string{"Failed to initiate request\n"},
			wantErr: []string{":error:0A00010A:SSL routines:SSL_verify_client_post_handshake:wrong ssl version:"}},
		{name: "verify_return_error", server: []string{"-verify_return_error"},
			client:  []string{"-enable_pha", "-cert", pki.SelfSigned, "-key", pki.SelfSignedKey},
			wantOut: []string{"SSL_do_handshake -> 1\n", "ERROR\n"}, fails: true,
			wantErr: []string{"depth=0 CN = localhost\nverify error:num=18:self-signed certificate\n",
				":error:0A000086:SSL routines:tls_process_client_certificate:certificate verify failed:"},
			peerSees: []*regexp.Regexp{regexp.MustCompile(`:SSL routines:ssl3_read_bytes:tlsv1 alert unknown ca:.*SSL alert number 48`)}},
		{name: "gnutls", gnutls: true, client: []string{"--post-handshake-auth", "--x509certfile", pki.Client, "--x509keyfile", pki.ClientKey},
			wantOut: []string{"SSL_do_handshake -> 1\n"}, depthLines: 1,
			peerSees: []*regexp.Regexp{regexp.MustCompile(`Re-authentication was requested by the peer\.\n- Successfully sent 1 certificate\(s\) to server\.\n\*\*\* Re-auth was performed\.`)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := startServer(t, "", append(append([]string(nil), id...), tc.server...)...)
			var pc *peerClient
			if tc.gnutls {
				pc = startPeerClient(t, "gnutls-cli", append([]string{"--x509cafile", pki.CA, "--verify-hostname", "localhost",
					"-p", ts.port(), "127.0.0.1"}, tc.client...)...)
			} else {
				pc = startPeerClient(t, "openssl", append([]string{"s_client", "-connect", ts.addr, "-CAfile", pki.CA}, tc.client...)...)
			}
			testpeer.WaitOutput(t, ts.out.String, "CIPHER is", 15*time.Second)
			ts.stdin.Write([]byte("c\n"))
			for _, w := range tc.wantOut {
				testpeer.WaitOutput(t, ts.out.String, w, 10*time.Second)
			}
			for _, w := range tc.wantErr {
				testpeer.WaitOutput(t, ts.err.String, w, 10*time.Second)
			}
			if tc.depthLines > 0 {
				testpeer.WaitOutputCount(t, ts.err.String, clientDepth0, tc.depthLines, 10*time.Second)
			}
			if !tc.fails {
				// The answer, if any, went before this line: the
				// connection still works after it.
				io.WriteString(pc.stdin, "after c\n")
				testpeer.WaitOutput(t, ts.out.String, "after c\n", 10*time.Second)
			}
			pc.stdin.Close()
			select {
			case <-pc.done:
			case <-time.After(15 * time.Second):
				t.Fatalf("the client did not end; it printed:\n%s", pc.out)
			}
			out := pc.out.String()
			for _, re := range tc.peerSees {
				if !re.MatchString(out) {
					t.Errorf("the client's output lacks %s:\n%s", re, out)
				}
			}
			for _, re := range tc.peerLacks {
				if re.MatchString(out) {
					t.Errorf("the client's output has %s:\n%s", re, out)
				}
			}
			var st strings.Builder
			for _, l := range strings.SplitAfter(ts.err.String(), "\n") {
				if strings.HasPrefix(l, "SSL_accept:") {
					st.WriteString(l)
				}
			}
			if !strings.Contains(st.String(), tc.wantState) {
				t.Errorf("the -state lines lack\n%s\nthey are:\n%s", tc.wantState, st.String())
			}
			if n := strings.Count(ts.err.String(), clientDepth0); n != tc.depthLines {
				t.Errorf("the client's leaf verified %d times, want %d:\n%s", n, tc.depthLines, ts.err)
			}
		})
	}
}
