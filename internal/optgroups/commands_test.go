package optgroups_test

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/opt"
	"github.com/tlskit/tlskit/internal/optgroups"
	"github.com/tlskit/tlskit/internal/testpeer"
)

// The commands are run as a built binary, as users run them: stdout,
// stderr and exit codes are the contract.
var (
	tlskit          string
	certFile, keyFx string
	caDir           string
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "optgroups-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	tlskit = filepath.Join(dir, "tlskit")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	out, err := exec.CommandContext(ctx, "go", "build", "-o", tlskit, "github.com/tlskit/tlskit/cmd/tlskit").CombinedOutput()
	cancel()
	if err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	certFile, keyFx, err = selfSigned(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	caDir = filepath.Join(dir, "cadir")
	os.Mkdir(caDir, 0o755)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// selfSigned writes a P-256 certificate for localhost and its key.
func selfSigned(dir string) (string, string, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", "", err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		DNSNames: []string{"localhost"}, BasicConstraintsValid: true, IsCA: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return "", "", err
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return "", "", err
	}
	c, k := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(c, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		return "", "", err
	}
	return c, k, os.WriteFile(k, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), 0o600)
}

// verdict is how a command took its options: accepted (it went on to
// connect or listen) or rejected with a first stderr line and exit code.
type verdict struct {
	accepted bool
	first    string // first stderr line, normalised
	code     int
}

func (v verdict) String() string {
	if v.accepted {
		return "accepted"
	}
	return fmt.Sprintf("rejected (exit %d): %q", v.code, v.first)
}

// errLine normalises an OpenSSL error-stack line: the thread id, source
// file and line are each program's own.
var errLine = regexp.MustCompile(`^[0-9A-F]+:error:([0-9A-F]{8}:[^:]*:[^:]*:[^:]*):[^:]*:\d+:`)

// noise are lines printed before option errors that say nothing of them.
var noise = regexp.MustCompile(`^(Using default temp DH parameters|CONNECTED\(.*|Can't use SSL_get_servername)$`)

func firstLine(stderr, prog string) string {
	for _, l := range strings.Split(stderr, "\n") {
		if l == "" || noise.MatchString(l) {
			continue
		}
		l = errLine.ReplaceAllString(l, "T:error:${1}:F:L:")
		return strings.Replace(l, prog+": ", "PROG: ", 1)
	}
	return ""
}

// runClient runs `prog s_client args` against a port nobody listens on:
// options it accepts end in a connection error.
func runClient(t *testing.T, prog string, args []string) verdict {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	all := append(append([]string{"s_client"}, args...), "-connect", "127.0.0.1:1")
	cmd := exec.CommandContext(ctx, prog, all...)
	cmd.Stdin = strings.NewReader("")
	var errb strings.Builder
	cmd.Stdout, cmd.Stderr = io.Discard, &errb
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("%s %v: timed out", prog, all)
	}
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	}
	if strings.Contains(errb.String(), "connect:errno=") {
		return verdict{accepted: true}
	}
	return verdict{first: firstLine(errb.String(), "s_client"), code: code}
}

// runServer runs `prog s_server args` on a free port: options it accepts
// end in its ACCEPT line (then it is killed); others in an exit.
func runServer(t *testing.T, prog string, args []string) verdict {
	t.Helper()
	all := append([]string{"s_server", "-accept", "127.0.0.1:0", "-naccept", "1", "-cert", certFile, "-key", keyFx}, args...)
	accepted, stderr, code := runUntilAccept(t, prog, nil, all)
	if accepted {
		return verdict{accepted: true}
	}
	return verdict{first: firstLine(stderr, "s_server"), code: code}
}

// runUntilAccept runs prog with args (its environment plus env) for at
// most 20 s: a server that prints its ACCEPT line is killed there
// (accepted); otherwise it is waited for, and its stderr and exit code
// come back. stdin stays open for a server, which must not see EOF, and
// is closed at once for a client.
func runUntilAccept(t *testing.T, prog string, env, args []string) (accepted bool, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, prog, args...)
	cmd.Env = append(os.Environ(), env...)
	stdin, _ := cmd.StdinPipe()
	defer stdin.Close()
	pr, pw := io.Pipe()
	cmd.Stdout = pw
	var errb testpeer.Buffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	seen := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		found := false
		for sc.Scan() {
			if !found && strings.HasPrefix(sc.Text(), "ACCEPT") {
				found = true
				seen <- true
			}
		}
		if !found {
			seen <- false
		}
	}()
	done := make(chan error, 1)
	go func() { err := cmd.Wait(); pw.Close(); done <- err }()
	if args[0] == "s_client" {
		stdin.Close()
	}
	if <-seen {
		cmd.Process.Kill()
		<-done
		return true, errb.String(), 0
	}
	err := <-done
	if ctx.Err() != nil {
		t.Fatalf("%s %v: timed out\nstderr:\n%s", prog, args, errb.String())
	}
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	}
	return false, errb.String(), code
}

// sharedOptions is the one table both commands go through: every option
// of the shared groups with a good value, and the bad values whose
// wording must be one. differs names a deliberate difference from openssl.
var sharedOptions = []struct {
	args []string
	// differs names a deliberate difference from openssl: the row is
	// not compared with openssl.
	differs string
	// oneCommand names why the commands may differ from each other.
	oneCommand string
}{
	// Protocol flags and TLS/SSL options.
	{args: []string{"-tls1"}},
	{args: []string{"-tls1_1"}},
	{args: []string{"-tls1_2"}},
	{args: []string{"-tls1_3"}},
	{args: []string{"-tls1_2", "-tls1_3"}},
	{args: []string{"-tls1_2", "-tls1_2"}},
	{args: []string{"-tls1_2", "-no_tls1_3"}},
	{args: []string{"-no_tls1", "-tls1_3"}},
	{args: []string{"-no_ssl3"}},
	{args: []string{"-no_tls1"}},
	{args: []string{"-no_tls1_1"}},
	{args: []string{"-no_tls1_2"}},
	{args: []string{"-no_tls1_3"}},
	{args: []string{"-bugs"}},
	{args: []string{"-no_comp"}},
	{args: []string{"-no_ticket"}},
	{args: []string{"-serverpref"}},
	{args: []string{"-client_renegotiation"}, differs: "s_server: the TLS engine cannot renegotiate, so tlskit refuses it", oneCommand: "server only"},
	{args: []string{"-no_renegotiation"}},
	{args: []string{"-legacy_server_connect"}},
	{args: []string{"-no_resumption_on_reneg"}},
	{args: []string{"-prioritize_chacha"}},
	{args: []string{"-no_etm"}},
	{args: []string{"-min_protocol", "TLSv1.2"}},
	{args: []string{"-min_protocol", "None"}},
	{args: []string{"-max_protocol", "None"}},
	{args: []string{"-max_protocol", "TLSv1.3"}},
	{args: []string{"-min_protocol", "TLSv1.0"}},
	{args: []string{"-max_protocol", "FOO"}},
	{args: []string{"-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256"}},
	{args: []string{"-cipher", "DEFAULT@SECLEVEL=1"}},
	{args: []string{"-cipher", "FOO"}},
	{args: []string{"-cipher", "FOO", "-cipher", "ALL"}},
	{args: []string{"-cipher", "ALL:FOO["}},
	{args: []string{"-ciphersuites", "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256"}},
	{args: []string{"-ciphersuites", ""}, differs: "openssl fails at the handshake, tlskit s_client at start-up", oneCommand: "s_server serves TLS 1.2"},
	{args: []string{"-ciphersuites", "", "-max_protocol", "TLSv1.2"}},
	{args: []string{"-ciphersuites", "FOO"}},
	{args: []string{"-ciphersuites", "TLS_AES_128_GCM_SHA256"}},
	{args: []string{"-ciphersuites", "TLS_AES_128_CCM_SHA256:TLS_AES_256_GCM_SHA384", "-tls1_3"}},
	{args: []string{"-groups", "X25519:P-256"}},
	{args: []string{"-curves", "P-384"}},
	{args: []string{"-named_curve", "P-256"}},
	{args: []string{"-groups", "FOO"}},
	{args: []string{"-curves", "FOO"}},
	{args: []string{"-curves", "FOO", "-groups", "P-256"}},
	{args: []string{"-groups", "P-256", "-curves", "X25519"}},
	{args: []string{"-groups", "P-256:P-256"}},
	{args: []string{"-alpn", "h2,http/1.1"}},
	{args: []string{"-alpn", "a,,b"}},
	{args: []string{"-alpn", ","}, differs: "openssl's s_server exits 1 without a word; tlskit prints s_client's line"},
	{args: []string{"-alpn", strings.Repeat("x", 256)}, differs: "openssl's s_server exits 1 without a word; tlskit prints s_client's line"},
	// Validation options.
	{args: []string{"-purpose", "sslserver"}},
	{args: []string{"-purpose", "nope"}},
	{args: []string{"-verify_name", "ssl_server"}},
	{args: []string{"-verify_name", "nope"}},
	{args: []string{"-verify_depth", "3"}},
	{args: []string{"-verify_depth", "x"}},
	{args: []string{"-auth_level", "1"}},
	{args: []string{"-auth_level", "x"}},
	{args: []string{"-attime", "1700000000"}},
	{args: []string{"-attime", "x"}},
	{args: []string{"-verify_hostname", "example.com"}},
	{args: []string{"-verify_email", "a@example.com"}},
	{args: []string{"-verify_ip", "192.0.2.1"}},
	{args: []string{"-ignore_critical"}},
	{args: []string{"-issuer_checks"}},
	{args: []string{"-crl_check"}},
	{args: []string{"-crl_check_all"}},
	{args: []string{"-x509_strict"}},
	{args: []string{"-check_ss_sig"}},
	{args: []string{"-trusted_first"}},
	{args: []string{"-partial_chain"}},
	{args: []string{"-no_alt_chains"}},
	{args: []string{"-no_check_time"}},
	// CA stores.
	{args: []string{"-CAfile", "@cert"}},
	{args: []string{"-CAfile", "/nonexistent/ca.pem", "-CAfile", "@cert"}},
	{args: []string{"-CAfile", "/nonexistent/ca.pem"}},
	{args: []string{"-CAfile", "@key"}},
	{args: []string{"-chainCAfile", "@key"}},
	{args: []string{"-verifyCAfile", "/nonexistent/ca.pem"}},
	{args: []string{"-CApath", "@cadir"}},
	{args: []string{"-CApath", "/nonexistent"}},
	{args: []string{"-no-CAfile"}},
	{args: []string{"-no-CApath"}},
	{args: []string{"-no-CAstore"}},
	{args: []string{"-chainCAfile", "@cert"}},
	{args: []string{"-chainCApath", "@cadir"}},
	{args: []string{"-verifyCAfile", "@cert"}},
	{args: []string{"-verifyCApath", "@cadir"}},
	{args: []string{"-CAfile", "@cert", "-build_chain"}},
	{args: []string{"-CAstore", "@certuri"}},
	{args: []string{"-chainCAstore", "@certuri"}},
	{args: []string{"-verifyCAstore", "@certuri"}},
	// The certificate and key.
	{args: []string{"-cert", "@cert", "-key", "@key", "-certform", "PEM", "-keyform", "PEM", "-pass", "pass:x"}},
	{args: []string{"-cert", "@cert", "-key", "@key", "-cert_chain", "@cert"}},
	{args: []string{"-certform", "XYZ"}},
	{args: []string{"-cert", "/nonexistent/cert.pem"}, oneCommand: "openssl names the side: client or server certificate"},
	{args: []string{"-cert", "@cert", "-key", "/nonexistent/key.pem"}, oneCommand: "openssl names the side"},
	{args: []string{"-cert", "/nonexistent/cert.pem", "-key", "@key"}, oneCommand: "openssl names the side"},
	{args: []string{"-cert", "@key", "-key", "@key"}, oneCommand: "openssl names the side"},
	// Extended certificates.
	{args: []string{"-xcert", "@cert", "-xkey", "@key"}},
	{args: []string{"-xcert", "@cert", "-xkey", "@key", "-xchain", "@cert", "-xcertform", "PEM", "-xkeyform", "PEM"}},
	{args: []string{"-xcert", "@cert", "-xkey", "@key", "-xchain_build", "-CAfile", "@cert"}},
	// What the TLS engines cannot do yet: refused alike by both commands.
	{args: []string{"-comp"}, differs: "unsupported"},
	{args: []string{"-legacy_renegotiation"}, differs: "unsupported"},
	{args: []string{"-no_legacy_server_connect"}, differs: "unsupported", oneCommand: "client only"},
	{args: []string{"-allow_no_dhe_kex"}},
	{args: []string{"-strict"}, differs: "unsupported"},
	// Both commands' own engines carry TLS 1.0–1.3.
	{args: []string{"-sigalgs", "ECDSA+SHA256"}},
	{args: []string{"-sigalgs", "ECDSA+SHA256", "-tls1_3"}},
	{args: []string{"-sigalgs", "nope", "-tls1_3"}},
	{args: []string{"-client_sigalgs", "ECDSA+SHA256"}},
	{args: []string{"-client_sigalgs", "ECDSA+SHA256", "-min_protocol", "TLSv1.3"}},
	{args: []string{"-record_padding", "16"}},
	{args: []string{"-record_padding", "16385"}},
	{args: []string{"-debug_broken_protocol"}, differs: "unsupported"},
	{args: []string{"-no_middlebox"}},
	{args: []string{"-policy", "1.2.3.4"}, differs: "unsupported"},
	{args: []string{"-policy_check"}, differs: "unsupported"},
	{args: []string{"-explicit_policy"}, differs: "unsupported"},
	{args: []string{"-inhibit_any"}, differs: "unsupported"},
	{args: []string{"-inhibit_map"}, differs: "unsupported"},
	{args: []string{"-policy_print"}, differs: "unsupported"},
	{args: []string{"-extended_crl"}, differs: "unsupported"},
	{args: []string{"-use_deltas"}, differs: "unsupported"},
	{args: []string{"-suiteB_128_only"}, differs: "unsupported"},
	{args: []string{"-suiteB_128"}, differs: "unsupported"},
	{args: []string{"-suiteB_192"}, differs: "unsupported"},
	{args: []string{"-allow_proxy_certs"}, differs: "unsupported"},
	// Random state and provider options.
	{args: []string{"-rand", "/dev/null"}},
	{args: []string{"-writerand", "@rand"}},
	{args: []string{"-provider-path", "/nonexistent"}},
	{args: []string{"-provider", "default"}},
	{args: []string{"-provider", "default", "-provider", "default"}},
	{args: []string{"-provider", "default", "-provider", "legacy"}},
	{args: []string{"-provider", "base", "-provider", "default"}},
	{args: []string{"-provider", "legacy"}, differs: "refused by tlskit; openssl then finds no ciphers"},
	{args: []string{"-provider", "nosuch"}, differs: "refused by tlskit; openssl cannot load it"},
	{args: []string{"-propquery", "x"}, differs: "refused by tlskit, which has no providers to query; openssl then finds no ciphers"},
	{args: []string{"-propquery", ""}},
}

// TestBugs: s_client -bugs pads a ClientHello of 256 to 511 bytes with
// the padding extension (RFC 7685), as openssl s_client 3.0 -bugs does:
// against one openssl s_server, both clients' ClientHellos have the same
// length and extensions in the same order (-trace), padding included, with
// and without -bugs, for hellos of 0x0041 to 0x0209 bytes (the server name
// sets the size), for a TLS 1.3 resumption (padding before
// pre_shared_key) and through -ssl_config's Options = Bugs. openssl
// s_client -bugs completes a handshake with tlskit's s_server.
func TestBugs(t *testing.T) {
	openssl := testpeer.Need(t, "openssl")
	srv := testpeer.OpenSSLServer(t, "-cert", certFile, "-key", keyFx, "-www")
	dir := t.TempDir()
	conf := filepath.Join(dir, "openssl.cnf")
	if err := os.WriteFile(conf, []byte("openssl_conf = init\n[init]\nssl_conf = ssl_sect\n[ssl_sect]\nbugs = bugs\n[bugs]\nOptions = Bugs\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	lenRE := regexp.MustCompile(`>>> TLS 1\.[0-3], Handshake \[length ([0-9a-f]{4})\], ClientHello`)
	extRE := regexp.MustCompile(`(?m)^ +extension_type=(.*)$`)
	// hello is the ClientHello's length (-msg) and its extensions
	// (-trace; openssl prints only the last of the two).
	hello := func(prog string, env []string, args ...string) string {
		t.Helper()
		sent := func(flag, answer string) string {
			out, errOut, _ := testpeer.RunEnv(t, 20*time.Second, env, "", prog, append([]string{"s_client", "-connect", srv.Addr, flag}, args...)...)
			i := strings.Index(out, answer)
			if i < 0 {
				t.Fatalf("%s %s %v: no answer in:\n%s%s", prog, flag, args, out, errOut)
			}
			return out[:i]
		}
		m := lenRE.FindStringSubmatch(sent("-msg", "<<< "))
		if m == nil {
			t.Fatalf("%s %v: no ClientHello", prog, args)
		}
		exts := []string{m[1]}
		for _, e := range extRE.FindAllStringSubmatch(sent("-trace", "Received Record"), -1) {
			exts = append(exts, e[1])
		}
		return strings.Join(exts, " ")
	}
	small := []string{"-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA", "-sigalgs", "ECDSA+SHA256", "-groups", "X25519", "-no_ticket"}
	name := func(n int) []string { return []string{"-servername", strings.Repeat("a", n)} }
	cases := [][]string{
		small, append(name(181), small...), append(name(182), small...), // 0x00ff, 0x0100
		nil, name(206), name(207), name(210), name(211), name(220), // 0x0124, 0x01fb, 0x01fc, 0x01ff, 0x0200, 0x0209
	}
	padded := 0
	for _, args := range cases {
		for _, bugs := range []bool{false, true} {
			a := args
			if bugs {
				a = append(slices.Clone(args), "-bugs")
			}
			want, got := hello(openssl, nil, a...), hello(tlskit, nil, a...)
			if got != want {
				t.Errorf("%v:\ntlskit  %s\nopenssl %s", a, got, want)
			}
			if strings.Contains(want, "padding(21)") {
				padded++
			}
		}
	}
	if padded != 6 {
		t.Errorf("openssl padded %d ClientHellos, want 6", padded)
	}
	env := []string{"OPENSSL_CONF=" + conf}
	if want, got := hello(openssl, env, "-ssl_config", "bugs"), hello(tlskit, env, "-ssl_config", "bugs"); got != want || !strings.HasPrefix(got, "0200 ") {
		t.Errorf("Options = Bugs:\ntlskit  %s\nopenssl %s", got, want)
	}

	// A TLS 1.3 resumption: pre_shared_key stays last, its length counts
	// (padded to 0x0200 before it by openssl).
	tls13 := []string{"-tls1_3", "-ciphersuites", "TLS_AES_128_GCM_SHA256", "-groups", "X25519", "-sigalgs", "ecdsa_secp256r1_sha256"}
	var resumed []string
	for _, prog := range []string{openssl, tlskit} {
		sess := filepath.Join(dir, filepath.Base(prog)+".sess")
		c := testpeer.SClient(t, prog, srv.Addr, append(slices.Clone(tls13), "-sess_out", sess)...)
		testpeer.WaitOutputFunc(t, func() string { s, _ := os.ReadFile(sess); return string(s) }, "a session file", func(s string) bool { return strings.Contains(s, "END SSL SESSION") }, 10*time.Second)
		c.CloseInput()
		c.Wait(t, 10*time.Second)
		resumed = append(resumed, hello(prog, nil, append(slices.Clone(tls13), "-sess_in", sess, "-bugs")...))
	}
	if resumed[1] != resumed[0] || !strings.HasSuffix(resumed[0], "padding(21), length=97 psk(41), length=235") {
		t.Errorf("-sess_in -bugs:\ntlskit  %s\nopenssl %s", resumed[1], resumed[0])
	}

	// The server side: openssl s_client -bugs against tlskit s_server.
	own := testpeer.SServer(t, tlskit, nil, "-accept", "127.0.0.1:0", "-cert", certFile, "-key", keyFx, "-www")
	out, _, code := testpeer.Run(t, 20*time.Second, "GET / HTTP/1.0\r\n\r\n", openssl, "s_client", "-connect", own.Addr, "-bugs", "-msg", "-servername", "localhost", "-ign_eof")
	if code != 0 || !lenRE.MatchString(out) || !strings.Contains(out, "[length 0200], ClientHello") || !strings.Contains(out, "HTTP/1.0 200 ok") {
		t.Errorf("openssl s_client -bugs against tlskit s_server (exit %d):\n%s", code, out)
	}
}

// TestEmptyFragments: without -bugs, both commands put an empty
// application data record before the data of each write under a TLS 1.0
// CBC suite, as openssl 3.0 does (its BEAST countermeasure; -bugs sets
// SSL_OP_DONT_INSERT_EMPTY_FRAGMENTS); TLS 1.1 has explicit IVs and
// none. Compared with -debug, pointers aside: tlskit's and openssl's
// s_client against one openssl s_server -www, and openssl s_client (with
// -bugs, sending none itself) against tlskit's and openssl's s_server
// -www, with and without -bugs, with and without encrypt-then-MAC. Without
// the record layer's empty records the TLS 1.0 rows without -bugs fail.
func TestEmptyFragments(t *testing.T) {
	openssl := testpeer.Need(t, "openssl")
	// RSA: the handshake's sizes do not vary as ECDSA signatures do.
	dir := t.TempDir()
	cert, key := filepath.Join(dir, "rsa.pem"), filepath.Join(dir, "rsa.key")
	if out, _, code := testpeer.Run(t, 60*time.Second, "", openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-subj", "/CN=localhost", "-days", "2"); code != 0 {
		t.Fatalf("openssl req: %s", out)
	}
	const suite = "ECDHE-RSA-AES128-SHA@SECLEVEL=0"
	ptr := regexp.MustCompile(` 0x[0-9a-f]+ \[0x[0-9a-f]+\]`)
	// io is the client's -debug transport lines.
	// ioEnv is io with env added to the client's environment.
	ioEnv := func(env []string, addr string, args ...string) string {
		t.Helper()
		all := append([]string{"s_client", "-connect", addr, "-cipher", suite, "-debug", "-ign_eof"}, args...)
		prog := openssl
		if args[0] == "tlskit" {
			prog, all = tlskit, append(all[:len(all)-len(args)], args[1:]...)
		}
		out, errOut, code := testpeer.RunEnv(t, 20*time.Second, env, "GET / HTTP/1.0\r\n\r\n", prog, all...)
		if code != 0 || !strings.Contains(out, "HTTP/1.0 200 ok") {
			t.Fatalf("%s %v: exit %d\n%s%s", prog, all, code, out, errOut)
		}
		var lines []string
		for _, l := range strings.Split(out, "\n") {
			// The last read, the end of the connection, may be a
			// reset (-1) rather than an end of file (0) depending on
			// when the server's close meets the client's close_notify.
			if strings.HasSuffix(l, " => 0)") || strings.HasSuffix(l, " => -1)") {
				continue
			}
			if strings.HasPrefix(l, "write to ") || strings.HasPrefix(l, "read from ") {
				lines = append(lines, ptr.ReplaceAllString(l, " PTR"))
			}
		}
		return strings.Join(lines, "\n")
	}
	io := func(addr string, args ...string) string {
		t.Helper()
		return ioEnv(nil, addr, args...)
	}
	for _, v := range [][]string{{"-tls1"}, {"-tls1", "-no_etm"}, {"-tls1_1"}} {
		srv := testpeer.OpenSSLServer(t, append([]string{"-cert", cert, "-key", key, "-www", "-cipher", suite}, v...)...)
		var seen []string
		for _, bugs := range [][]string{nil, {"-bugs"}} {
			a := append(slices.Clone(v), bugs...)
			want := io(srv.Addr, a...)
			if got := io(srv.Addr, append([]string{"tlskit"}, a...)...); got != want {
				t.Errorf("s_client %v against openssl s_server:\n%s", a, testpeer.LineDiff(got, want))
			}
			seen = append(seen, want)
		}
		// The record is there, in the client's request write, exactly
		// when TLS 1.0 and no -bugs.
		if empty := seen[0] != seen[1]; empty != (v[0] == "-tls1") {
			t.Errorf("%v: openssl s_client's empty record %v", v, empty)
		}
		for _, bugs := range [][]string{nil, {"-bugs"}} {
			a := append(slices.Clone(v), bugs...)
			// -no_ticket: the servers' tickets differ in size.
			sargs := append([]string{"-cert", cert, "-key", key, "-www", "-cipher", suite, "-no_ticket"}, a...)
			want := io(testpeer.OpenSSLServer(t, sargs...).Addr, append(slices.Clone(v), "-bugs")...)
			got := io(testpeer.SServer(t, tlskit, nil, sargs...).Addr, append(slices.Clone(v), "-bugs")...)
			if got != want {
				t.Errorf("s_server %v, openssl s_client:\n%s", a, testpeer.LineDiff(got, want))
			}
		}
	}
	// Options = EmptyFragments sets openssl's empty records alone, in
	// order with Bugs (which clears them) and after the command line's
	// -bugs (measured: "Bugs,EmptyFragments" sends them,
	// "EmptyFragments,Bugs" does not, -Bugs brings them back after
	// -EmptyFragments). Both clients against one openssl s_server, both
	// servers for openssl s_client -bugs, each with the section.
	srv := testpeer.OpenSSLServer(t, "-cert", cert, "-key", key, "-www", "-cipher", suite, "-tls1")
	seen := map[string]string{}
	for i, o := range []string{"EmptyFragments", "-EmptyFragments", "Bugs,EmptyFragments", "EmptyFragments,Bugs", "-EmptyFragments,-Bugs"} {
		conf := filepath.Join(dir, fmt.Sprintf("openssl%d.cnf", i))
		if err := os.WriteFile(conf, []byte("openssl_conf = init\n[init]\nssl_conf = ssl_sect\n[ssl_sect]\nx = x\n[x]\nOptions = "+o+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		env := []string{"OPENSSL_CONF=" + conf}
		for _, bugs := range [][]string{nil, {"-bugs"}} {
			a := append([]string{"-tls1", "-ssl_config", "x"}, bugs...)
			want := ioEnv(env, srv.Addr, a...)
			if got := ioEnv(env, srv.Addr, append([]string{"tlskit"}, a...)...); got != want {
				t.Errorf("s_client %v, Options = %s, against openssl s_server:\n%s", a, o, testpeer.LineDiff(got, want))
			}
			seen[o+strings.Join(bugs, "")] = want
		}
		if i > 2 {
			continue
		}
		sargs := []string{"-cert", cert, "-key", key, "-www", "-cipher", suite, "-no_ticket", "-tls1", "-ssl_config", "x"}
		want := io(testpeer.SServer(t, openssl, env, sargs...).Addr, "-tls1", "-bugs")
		got := io(testpeer.SServer(t, tlskit, env, sargs...).Addr, "-tls1", "-bugs")
		if got != want {
			t.Errorf("s_server Options = %s, openssl s_client:\n%s", o, testpeer.LineDiff(got, want))
		}
	}
	if seen["EmptyFragments"] == seen["-EmptyFragments"] || seen["EmptyFragments-bugs"] != seen["EmptyFragments"] {
		t.Errorf("openssl s_client's empty records do not follow Options = EmptyFragments (the measurement changed?)")
	}
}

// TestProviderRefusals: what CheckProviders refuses makes openssl 3.0
// fail too (exit 1: -provider legacy alone and -propquery fips=yes leave
// it no ciphers, an unknown provider does not load), and tlskit says
// which option it cannot honour and why. -provider default, and base or
// legacy next to it, are accepted by both (TestSharedOptionsBothCommands).
func TestProviderRefusals(t *testing.T) {
	openssl := testpeer.Need(t, "openssl")
	for _, args := range [][]string{{"-provider", "legacy"}, {"-provider", "base"}, {"-provider", "nosuch"}, {"-provider", "default", "-provider", "nosuch"}, {"-propquery", "fips=yes"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			if v := runClient(t, openssl, args); v.accepted || v.code != 1 {
				t.Errorf("openssl s_client %s", v)
			}
			bad := args[len(args)-2] + " " + args[len(args)-1]
			for _, v := range []verdict{runClient(t, tlskit, args), runServer(t, tlskit, args)} {
				if want := "PROG: " + bad + " is not supported by tlskit: "; v.accepted || v.code != 1 || !strings.HasPrefix(v.first, want) {
					t.Errorf("tlskit %s, want %q", v, want)
				}
			}
		})
	}
}

// TestTableCoversEveryOption guards the table: every option of the shared
// groups appears in it.
func TestTableCoversEveryOption(t *testing.T) {
	seen := map[string]bool{}
	for _, tc := range sharedOptions {
		for _, a := range tc.args {
			seen[strings.TrimPrefix(a, "-")] = true
		}
	}
	groups := opt.Concat(optgroups.Random(), optgroups.TLS(), optgroups.Validation(), optgroups.ExtendedCert(), optgroups.Provider())
	for _, o := range groups {
		if o.Name != "" && !seen[o.Name] {
			t.Errorf("-%s is a shared option missing from sharedOptions", o.Name)
		}
	}
	for _, name := range []string{"tls1", "tls1_1", "tls1_2", "tls1_3", "alpn", "CAfile", "CApath", "no-CAfile", "no-CApath",
		"no-CAstore", "chainCAfile", "chainCApath", "verifyCAfile", "verifyCApath", "build_chain"} {
		if !seen[name] {
			t.Errorf("-%s is a shared option missing from sharedOptions", name)
		}
	}
}

// oneSided reports whether args hold an option of one side only, which
// the other command refuses.
func oneSided(args []string) bool {
	for _, a := range args {
		switch a {
		case "-serverpref", "-client_renegotiation", "-no_resumption_on_reneg", "-prioritize_chacha",
			"-named_curve", "-legacy_server_connect", "-no_legacy_server_connect":
			return true
		}
	}
	return false
}

func expand(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		switch a {
		case "@cert":
			a = certFile
		case "@cadir":
			a = caDir
		case "@certuri":
			a = "file:" + certFile
		case "@key":
			a = keyFx
		case "@rand":
			a = filepath.Join(caDir, "..", "rand.bin")
		}
		out[i] = a
	}
	return out
}

// TestSharedOptionsBothCommands drives s_client and s_server through every
// shared option: both must take it alike (accepted, or refused with one
// wording and exit code), and as openssl 3.0 takes it when openssl is here.
func TestSharedOptionsBothCommands(t *testing.T) {
	openssl := ""
	if p, err := testpeer.Find("openssl"); err == nil {
		openssl = p
	} else if testpeer.InCI() {
		t.Fatalf("CI=true and %v", err)
	}
	for _, tc := range sharedOptions {
		args := expand(tc.args)
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			c, s := runClient(t, tlskit, args), runServer(t, tlskit, args)
			if c != s && !oneSided(tc.args) && tc.oneCommand == "" {
				t.Errorf("s_client %s, s_server %s", c, s)
			}
			if openssl == "" || tc.differs != "" {
				return
			}
			if oc := runClient(t, openssl, args); oc != c {
				t.Errorf("s_client: tlskit %s, openssl %s", c, oc)
			}
			if os := runServer(t, openssl, args); os != s {
				t.Errorf("s_server: tlskit %s, openssl %s", s, os)
			}
		})
	}
}
