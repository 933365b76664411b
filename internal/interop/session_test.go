package interop

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/sclient"
	"github.com/tlskit/tlskit/internal/sserver"
	"github.com/tlskit/tlskit/internal/stdio"
	"github.com/tlskit/tlskit/internal/testpeer"
)

// sessionServer is a server the session test resumes against: where it
// listens, what it printed so far, and the line it prints for each
// resumed connection.
type sessionServer struct {
	addr   string
	output func() string
	reused string
}

// tlskitServer runs tlskit's s_server in process until the test ends.
func tlskitServer(t *testing.T, args ...string) sessionServer {
	t.Helper()
	outR, outW := io.Pipe()
	inR, inW := io.Pipe()
	var all testpeer.Buffer
	go sserver.Main(append([]string{"-accept", "127.0.0.1:0"}, args...), stdio.Stdio{In: inR, Out: outW, Err: &all})
	t.Cleanup(func() { inW.Close() })
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(outR)
		for sc.Scan() {
			all.Write([]byte(sc.Text() + "\n"))
			if f := strings.Fields(sc.Text()); len(f) == 2 && f[0] == "ACCEPT" {
				addr <- f[1]
			}
		}
	}()
	select {
	case a := <-addr:
		return sessionServer{addr: a, output: all.String, reused: "Reused session-id\n"}
	case <-time.After(15 * time.Second):
		t.Fatalf("tlskit s_server never printed ACCEPT:\n%s", all.String())
	}
	return sessionServer{}
}

// waitCount waits until the server has printed its reuse line n times.
func (s sessionServer) waitCount(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for strings.Count(s.output(), s.reused) < n {
		if time.Now().After(deadline) {
			t.Fatalf("the server reported %d resumptions, want %d; it printed:\n%s", strings.Count(s.output(), s.reused), n, s.output())
		}
		time.Sleep(20 * time.Millisecond) // polling the output, not waiting for readiness
	}
}

// opensslSessOut runs openssl s_client -sess_out file, holding its input
// open until the file is written (a TLS 1.3 session is saved when the
// ticket arrives, after the handshake).
func opensslSessOut(t *testing.T, file string, args ...string) {
	t.Helper()
	cmd := exec.Command(testpeer.Need(t, "openssl"), append([]string{"s_client", "-sess_out", file}, args...)...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// A bound on the whole run, the Wait below included: s_client ends
	// at the end of its input unless the server holds it.
	kill := time.AfterFunc(30*time.Second, func() { cmd.Process.Kill() }) // by PID: the client this test started
	defer kill.Stop()
	defer cmd.Wait()
	defer stdin.Close()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) { // polling for the file
		if st, err := os.Stat(file); err == nil && st.Size() > 0 {
			return
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("openssl s_client wrote no session")
		}
	}
}

func runTLSKitClient(t *testing.T, args ...string) string {
	t.Helper()
	var out, errb testpeer.Buffer
	done := make(chan int, 1)
	go func() { done <- sclient.Main(args, stdio.Stdio{In: strings.NewReader(""), Out: &out, Err: &errb}) }()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("tlskit s_client %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, out.String(), errb.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("tlskit s_client %s did not finish in 30s", strings.Join(args, " "))
	}
	return out.String()
}

var ticketLine = regexp.MustCompile(`(?m)^    TLS session ticket:$`)

// checkSessionFile reads a session file with openssl sess_id: its
// protocol, and whether it holds a ticket (else the server's session ID
// is what resumes it).
func checkSessionFile(t *testing.T, who, file, version string, ticket bool) {
	t.Helper()
	text, errs, code := testpeer.Run(t, 10*time.Second, "", "openssl", "sess_id", "-in", file, "-noout", "-text")
	if code != 0 {
		t.Fatalf("openssl sess_id cannot read %s session: %s", who, errs)
	}
	if !strings.Contains(text, "    Protocol  : "+version+"\n") {
		t.Fatalf("%s session is not %s:\n%s", who, version, text)
	}
	if got := ticketLine.MatchString(text); got != ticket {
		t.Fatalf("%s session: ticket %v, want %v:\n%s", who, got, ticket, text)
	}
}

// TestSessionFilesResumeBothWays: a session openssl s_client saved with
// -sess_out resumes with tlskit s_client -sess_in, and one tlskit saved
// resumes with openssl s_client, in TLS 1.2 by ticket and (-no_ticket)
// by session ID, and in TLS 1.3, against openssl s_server, gnutls-serv
// and tlskit s_server. Both clients must say "Reused," and the server
// must count the resumption as its own ("Reused session-id", gnutls'
// "This is a resumed session").
func TestSessionFilesResumeBothWays(t *testing.T) {
	pki := testpeer.NewPKI(t)
	servers := []struct {
		name  string
		start func(t *testing.T) sessionServer
	}{
		{"openssl", func(t *testing.T) sessionServer {
			s := testpeer.OpenSSLServer(t, "-cert", pki.Server, "-key", pki.ServerKey)
			return sessionServer{addr: s.Addr, output: s.Output, reused: "Reused session-id\n"}
		}},
		{"gnutls", func(t *testing.T) sessionServer {
			s := testpeer.GnuTLSServer(t, "--x509certfile", pki.Server, "--x509keyfile", pki.ServerKey)
			return sessionServer{addr: s.Addr, output: s.Output, reused: "*** This is a resumed session\n"}
		}},
		{"tlskit", func(t *testing.T) sessionServer {
			return tlskitServer(t, "-cert", pki.Server, "-key", pki.ServerKey)
		}},
	}
	modes := []struct {
		name, version string
		args          []string
		ticket        bool
	}{
		{"tls12-ticket", "TLSv1.2", []string{"-tls1_2"}, true},
		{"tls12-session-id", "TLSv1.2", []string{"-tls1_2", "-no_ticket"}, false},
		{"tls13", "TLSv1.3", []string{"-tls1_3"}, true},
	}
	for _, sv := range servers {
		t.Run(sv.name, func(t *testing.T) {
			srv := sv.start(t)
			n := 0
			for _, m := range modes {
				t.Run(m.name, func(t *testing.T) {
					dir := t.TempDir()
					theirs, ours := filepath.Join(dir, "openssl.pem"), filepath.Join(dir, "tlskit.pem")
					common := append([]string{"-connect", srv.addr, "-CAfile", pki.CA}, m.args...)
					reused := regexp.MustCompile(`(?m)^Reused, ` + regexp.QuoteMeta(m.version) + `, Cipher is `)

					opensslSessOut(t, theirs, common...)
					checkSessionFile(t, "openssl's", theirs, m.version, m.ticket)
					if out := runTLSKitClient(t, append(common, "-sess_in", theirs)...); !reused.MatchString(out) {
						t.Fatalf("tlskit -sess_in openssl's session did not resume:\n%s", out)
					}
					n++
					srv.waitCount(t, n)

					runTLSKitClient(t, append(common, "-sess_out", ours)...)
					checkSessionFile(t, "tlskit's", ours, m.version, m.ticket)
					out, errs, _ := testpeer.Run(t, 30*time.Second, "", "openssl", append([]string{"s_client", "-sess_in", ours}, common...)...)
					if !reused.MatchString(out) {
						t.Fatalf("openssl -sess_in tlskit's session did not resume:\n%s\n%s", out, errs)
					}
					n++
					srv.waitCount(t, n)
				})
			}
		})
	}
}
