package verify_test

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

// The live layer of the differential test: a few chains of
// testdata/chains through both commands, next to openssl.
//
//   - client side: tlskit s_client and openssl s_client verify the same
//     openssl s_server, with and without -verify_return_error;
//   - server side: tlskit s_server and openssl s_server, each with the
//     same -Verify N, verify openssl s_client presenting the chain.
//
// Both must print the same verify callback lines and verdict, and end
// (exit status, accept or reject) the same way.

type liveCase struct {
	name  string
	leaf  string   // certificate presented, with its key
	key   string   //
	chain []string // presented after it
	ca    string   // the verifier's -CAfile
	args  []string // verification options for the verifying side
}

var liveCases = []liveCase{
	{"good", "leaf", "p256", []string{"int"}, "root", nil},
	{"unrelated-ca", "leaf", "p256", []string{"int"}, "ss", nil},
	{"negative-serial", "negserial", "p256", []string{"int"}, "root", nil},
	{"name-constraint-violation", "dns-evil", "p256", []string{"nc-dns"}, "root", nil},
	{"name-constraint-dirname", "dir-out", "p256", []string{"nc-dir"}, "root", nil},
	{"revoked-intermediate", "leaf", "p256", []string{"int"}, "root+revint", []string{"-crl_check_all"}},
	{"crl-scope-user-only", "leaf", "p256", []string{"int"}, "root+onlyuser", []string{"-crl_check_all"}},
	{"crl-delta-revokes", "revoked", "p256", []string{"int"}, "root+delta", []string{"-crl_check", "-use_deltas"}},
	{"crl-critical-extension", "leaf", "p256", []string{"int"}, "root+int-critext", []string{"-crl_check"}},
	{"ca-false-intermediate", "undernotca", "p256", []string{"notca"}, "root", nil},
	{"auth-level-2-rsa2000", "k-rsa2000", "rsa2000", []string{"int"}, "root", []string{"-auth_level", "2"}},
	{"auth-level-2-rsa1024", "k-rsa1024", "rsa1024", []string{"int"}, "root", []string{"-auth_level", "2"}},
	{"depth-0", "leaf", "p256", []string{"int"}, "root", []string{"-verify_depth", "0"}},
	{"partial-chain", "leaf", "p256", []string{"int"}, "int", []string{"-partial_chain"}},
	{"policy-mapping-print", "mapleaf", "p256", []string{"mapint"}, "root", []string{"-explicit_policy", "-policy", "1.2.3.4", "-policy_print"}},
	{"policy-explicit-mismatch", "polleaf", "p256", []string{"polint"}, "root", []string{"-explicit_policy", "-policy", "1.2.3.5"}},
	{"hostname-wildcard", "wild", "p256", []string{"int"}, "root", []string{"-verify_hostname", "www.example.com"}},
	{"hostname-mismatch", "leaf", "p256", []string{"int"}, "root", []string{"-verify_hostname", "other.example"}},
}

var liveLine = regexp.MustCompile(`^(depth=|verify error:|verify return:|notAfter=|notBefore=|issuer= |Verify return code:|Verification|Verified peername:|ERROR$)`)

func keepLines(s string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if liveLine.MatchString(l) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func chainsPath(name string) string {
	p, _ := filepath.Abs(filepath.Join("testdata", "chains", name))
	return p
}

func (c liveCase) presenter() []string {
	args := []string{"-cert", chainsPath(c.leaf + ".pem"), "-key", chainsPath(c.key + ".key")}
	if len(c.chain) > 0 {
		// One chain file per case keeps s_server's and s_client's
		// -cert_chain (a single file) simple: every case has one.
		args = append(args, "-cert_chain", chainsPath(c.chain[0]+".pem"))
	}
	return args
}

func (c liveCase) verifier() []string {
	return append([]string{"-CAfile", chainsPath(c.ca + ".pem"), "-no-CApath", "-no-CAstore"}, c.args...)
}

func TestLiveSClientMatchesOpenSSL(t *testing.T) {
	testpeer.Need(t, "openssl")
	for _, tc := range liveCases {
		t.Run(tc.name, func(t *testing.T) {
			srv := testpeer.OpenSSLServer(t, append(tc.presenter(), "-cipher", "ALL@SECLEVEL=0", "-naccept", "4")...)
			for _, strict := range []bool{false, true} {
				args := append([]string{"-connect", srv.Addr}, tc.verifier()...)
				if strict {
					args = append(args, "-verify_return_error")
				}
				stdout, stderr, code := testpeer.Run(t, 20*time.Second, "", "openssl", append([]string{"s_client"}, args...)...)
				want := keepLines(stderr + stdout)

				var out, errb testpeer.Buffer
				done := make(chan int, 1)
				go func() {
					done <- sclient.Main(args, stdio.Stdio{In: strings.NewReader(""), Out: &out, Err: &errb})
				}()
				var got int
				select {
				case got = <-done:
				case <-time.After(20 * time.Second):
					t.Fatalf("tlskit s_client %v did not finish", args)
				}
				if g := keepLines(errb.String() + out.String()); g != want {
					t.Errorf("-verify_return_error %v: verify lines differ\ntlskit:\n%s\nopenssl:\n%s", strict, g, want)
				}
				if got != code {
					t.Errorf("-verify_return_error %v: tlskit exit %d, openssl %d", strict, got, code)
				}
			}
		})
	}
}

// opensslServer runs openssl s_server for one connection, its stdout
// and stderr apart, and returns its address and a function that waits
// for it to exit and returns its stderr.
func opensslServer(t *testing.T, args ...string) (string, func() string) {
	t.Helper()
	prog := testpeer.Need(t, "openssl")
	cmd := exec.Command(prog, append([]string{"s_server", "-accept", "127.0.0.1:0", "-naccept", "1"}, args...)...)
	var errb testpeer.Buffer
	cmd.Stderr = &errb
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdin, err := cmd.StdinPipe() // open: s_server stops at the end of its input
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if f := strings.Fields(sc.Text()); len(f) == 2 && f[0] == "ACCEPT" {
				addr <- f[1]
			}
		}
		cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		cmd.Process.Kill() // by PID: only the server this test started
		stdin.Close()
		<-exited
	})
	select {
	case a := <-addr:
		return a, func() string {
			select {
			case <-exited:
			case <-time.After(15 * time.Second):
				t.Fatalf("openssl s_server did not finish; stderr:\n%s", errb.String())
			}
			return errb.String()
		}
	case <-exited:
	case <-time.After(15 * time.Second):
	}
	t.Fatalf("openssl s_server printed no ACCEPT; stderr:\n%s", errb.String())
	return "", nil
}

// tlskitServer runs tlskit's s_server in-process for one connection and
// returns its address and a function that waits for it to finish and
// returns its stderr.
func tlskitServer(t *testing.T, args ...string) (string, func() string) {
	t.Helper()
	outR, outW := io.Pipe()
	inR, inW := io.Pipe()
	var errb testpeer.Buffer
	done := make(chan int, 1)
	go func() {
		done <- sserver.Main(append([]string{"-accept", "127.0.0.1:0", "-naccept", "1"}, args...), stdio.Stdio{In: inR, Out: outW, Err: &errb})
		outW.Close()
	}()
	t.Cleanup(func() { inW.Close() })
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(outR)
		for sc.Scan() {
			if f := strings.Fields(sc.Text()); len(f) == 2 && f[0] == "ACCEPT" {
				addr <- f[1]
			}
		}
	}()
	select {
	case a := <-addr:
		return a, func() string {
			select {
			case <-done:
			case <-time.After(15 * time.Second):
				t.Fatalf("tlskit s_server did not finish; stderr:\n%s", errb.String())
			}
			return errb.String()
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("tlskit s_server printed no ACCEPT; stderr:\n%s", errb.String())
	}
	return "", nil
}

func TestLiveSServerMatchesOpenSSL(t *testing.T) {
	testpeer.Need(t, "openssl")
	for _, tc := range liveCases {
		for _, mode := range [][]string{{"-Verify", "0"}, {"-Verify", "3"}, {"-verify", "3", "-verify_return_error"}} {
			t.Run(tc.name+"/"+strings.Join(mode, ""), func(t *testing.T) {
				srvArgs := append(append([]string{"-cert", chainsPath("leaf.pem"), "-key", chainsPath("p256.key"), "-cert_chain", chainsPath("int.pem")},
					mode...), tc.verifier()...)
				// The presenting client may use an RSA-1024 key, which the
				// system's default security level refuses to load.
				client := append([]string{"s_client", "-CAfile", chainsPath("root.pem"), "-cipher", "ALL@SECLEVEL=0"}, tc.presenter()...)

				oaddr, owait := opensslServer(t, srvArgs...)
				testpeer.Run(t, 20*time.Second, "", "openssl", append(client, "-connect", oaddr)...)
				want := keepLines(owait())

				addr, wait := tlskitServer(t, srvArgs...)
				testpeer.Run(t, 20*time.Second, "", "openssl", append(client, "-connect", addr)...)
				got := keepLines(wait())
				if got != want {
					t.Errorf("s_server verify lines differ\ntlskit:\n%s\nopenssl:\n%s", got, want)
				}
			})
		}
	}
}

// TestLiveSClientVerifyDepth: "-verify N" stops the handshake at an error
// deeper than N (here 25 at depth 2), in tlskit as in openssl, and lets
// it pass at N = 2.
func TestLiveSClientVerifyDepth(t *testing.T) {
	testpeer.Need(t, "openssl")
	chain := filepath.Join(t.TempDir(), "chain.pem")
	var pemData []byte
	for _, n := range []string{"pl0sub.pem", "pl0int.pem"} {
		b, err := os.ReadFile(chainsPath(n))
		if err != nil {
			t.Fatal(err)
		}
		pemData = append(pemData, b...)
	}
	if err := os.WriteFile(chain, pemData, 0o644); err != nil {
		t.Fatal(err)
	}
	srv := testpeer.OpenSSLServer(t, "-cert", chainsPath("pl0leaf.pem"), "-key", chainsPath("p256.key"), "-cert_chain", chain, "-naccept", "4")
	for _, depth := range []string{"1", "2"} {
		args := []string{"-connect", srv.Addr, "-CAfile", chainsPath("root.pem"), "-no-CApath", "-no-CAstore", "-verify", depth}
		stdout, stderr, code := testpeer.Run(t, 20*time.Second, "", "openssl", append([]string{"s_client"}, args...)...)
		want := keepLines(stderr + stdout)
		var out, errb testpeer.Buffer
		got := sclient.Main(args, stdio.Stdio{In: strings.NewReader(""), Out: &out, Err: &errb})
		if g := keepLines(errb.String() + out.String()); g != want {
			t.Errorf("-verify %s: verify lines differ\ntlskit:\n%s\nopenssl:\n%s", depth, g, want)
		}
		if got != code {
			t.Errorf("-verify %s: tlskit exit %d, openssl %d", depth, got, code)
		}
	}
}
