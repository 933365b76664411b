package consumers

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/testpeer"
)

// pki is a CA and leaf certificates of several lifetimes, made with the
// real openssl. Leaves are for localhost and 127.0.0.1.
type pki struct {
	dir, ca, caKey string
	leaf           map[string]string // name → certificate file; key is name+".key"
}

// leaves: name, key type, days of validity.
var leaves = []struct {
	name, newkey string
	days         string
}{
	{"valid", "ec", "300"}, // well within every threshold (and under 397 days)
	{"soon", "ec", "15"},   // inside a 30/20-day warning window
	{"dying", "ec", "3"},   // inside a 5-day critical window
	{"rsa", "rsa:2048", "300"},
}

func newPKI(t *testing.T) *pki {
	t.Helper()
	ossl := needOpenSSL(t)
	d := t.TempDir()
	p := &pki{dir: d, ca: filepath.Join(d, "ca.pem"), caKey: filepath.Join(d, "ca.key"), leaf: map[string]string{}}
	f := func(n string) string { return filepath.Join(d, n) }
	os.WriteFile(f("srv.ext"), []byte("subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n"), 0o644)
	cmds := [][]string{{"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
		"-keyout", p.caKey, "-out", p.ca, "-subj", "/C=US/O=tlskit tests/CN=tlskit Consumers Root", "-days", "3650"}}
	for _, l := range leaves {
		newkey := []string{"-newkey", l.newkey}
		if l.newkey == "ec" {
			newkey = append(newkey, "-pkeyopt", "ec_paramgen_curve:P-256")
		}
		cmds = append(cmds,
			append(append([]string{"req"}, newkey...), "-nodes", "-keyout", f(l.name+".key"), "-out", f(l.name+".csr"), "-subj", "/CN=localhost"),
			[]string{"x509", "-req", "-in", f(l.name + ".csr"), "-CA", p.ca, "-CAkey", p.caKey, "-CAcreateserial",
				"-out", f(l.name + ".pem"), "-days", l.days, "-extfile", f("srv.ext")})
		p.leaf[l.name] = f(l.name + ".pem")
	}
	for _, c := range cmds {
		if out, err := exec.Command(ossl, c...).CombinedOutput(); err != nil {
			t.Fatalf("openssl %s: %v\n%s", strings.Join(c, " "), err, out)
		}
	}
	return p
}

// server starts openssl s_server with the named leaf, plus extra options.
func (p *pki) server(t *testing.T, leaf string, extra ...string) *testpeer.Server {
	t.Helper()
	args := append([]string{"-cert", p.leaf[leaf], "-key", strings.TrimSuffix(p.leaf[leaf], ".pem") + ".key"}, extra...)
	return testpeer.OpenSSLServer(t, args...)
}

// both runs the same consumer command line twice, at once: with the real
// openssl and with tlskit as openssl. It returns openssl's result first.
func both(t *testing.T, timeout time.Duration, dir, stdin, prog string, args ...string) (ossl, tk result) {
	t.Helper()
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); ossl = runProg(timeout, env(false), dir, stdin, prog, args...) }()
	go func() { defer wg.Done(); tk = runProg(timeout, env(true), dir, stdin, prog, args...) }()
	wg.Wait()
	for _, r := range []result{ossl, tk} {
		if r.TimedOut {
			t.Fatalf("%s %s: timed out after %v\nstdout:\n%s\nstderr:\n%s", prog, strings.Join(args, " "), timeout, r.Stdout, r.Stderr)
		}
	}
	return ossl, tk
}

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	a := l.Addr().String()
	l.Close()
	return a
}

// TestSSLCertCheck runs Debian's ssl-cert-check (which pipes `echo "" |
// openssl s_client` into `openssl x509` and greps s_client's stderr for
// connection errors) and compares its report and exit status.
func TestSSLCertCheck(t *testing.T) {
	prog := need(t, "ssl-cert-check")
	p := newPKI(t)
	valid := p.server(t, "valid")
	soon := p.server(t, "soon")
	refused := closedPort(t)
	cases := []struct {
		name string
		addr string
		args []string
		want string // in openssl's report, to check the setup
	}{
		{"valid", valid.Addr, []string{"-x", "30"}, "Valid"},
		{"expiring", soon.Addr, []string{"-x", "30"}, "Expiring"},
		{"valid nagios", valid.Addr, []string{"-x", "30", "-n"}, "Valid"},
		{"expiring nagios", soon.Addr, []string{"-x", "30", "-n"}, "Expiring"},
		{"issuer", valid.Addr, []string{"-x", "30", "-i"}, "tlskit tests"},
		{"refused", refused, []string{"-x", "30"}, "Connection refused"},
		{"unresolvable", "nonexistent.invalid:443", []string{"-x", "30"}, "Unable to resolve the DNS name"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			host, port, _ := net.SplitHostPort(c.addr)
			args := append([]string{"-s", host, "-p", port}, c.args...)
			o, k := both(t, time.Minute, t.TempDir(), "", prog, args...)
			if o.Stdout != k.Stdout || o.Code != k.Code {
				t.Errorf("ssl-cert-check %s:\nwith openssl (exit %d):\n%s\nwith tlskit (exit %d):\n%s\ntlskit stderr:\n%s",
					strings.Join(args, " "), o.Code, o.Stdout, k.Code, k.Stdout, k.Stderr)
			}
			if !strings.Contains(o.Stdout, c.want) {
				t.Errorf("with openssl, ssl-cert-check's report lacks %q; the test setup is off:\n%s", c.want, o.Stdout)
			}
		})
	}
}

// TestCheckSSLCert runs the Nagios plugin check_ssl_cert (from
// monitoring-plugins-contrib), which calls s_client many times per check,
// and compares its status line and exit status (OK 0, WARNING 1,
// CRITICAL 2).
func TestCheckSSLCert(t *testing.T) {
	if testing.Short() {
		t.Skip("check_ssl_cert takes minutes; run without -short")
	}
	prog := "/usr/lib/nagios/plugins/check_ssl_cert"
	if _, err := os.Stat(prog); err != nil {
		prog = need(t, "check_ssl_cert")
	}
	p := newPKI(t)
	servers := map[string]*testpeer.Server{}
	for _, l := range []string{"valid", "soon", "dying", "rsa"} {
		servers[l] = p.server(t, l, "-www")
	}
	base := []string{"-H", "127.0.0.1", "--ignore-sct", "--ignore-ocsp", "-t", "20"}
	root := []string{"--rootcert-file", p.ca}
	cases := []struct {
		name, leaf string
		args       []string
		want       string // the verdict openssl gives, to check the setup ("": any)
	}{
		{"ok", "valid", root, "OK"},
		{"warning", "soon", append([]string{"-w", "20", "-c", "5"}, root...), "WARN"},
		{"critical expiry", "dying", append([]string{"-w", "20", "-c", "5"}, root...), "CRITICAL"},
		{"critical unknown ca", "valid", nil, "CRITICAL"},
		{"critical name", "valid", append([]string{"-n", "www.example.org"}, root...), "CRITICAL"},
		{"tls1.2 ok", "valid", append([]string{"--tls1_2"}, root...), "OK"},
		{"tls1.3 ok", "rsa", append([]string{"--tls1_3"}, root...), "OK"},
		{"tls1 refused", "valid", append([]string{"--tls1"}, root...), ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, port, _ := net.SplitHostPort(servers[c.leaf].Addr)
			args := append(append(append([]string{}, base...), "-p", port), c.args...)
			o, k := both(t, 2*time.Minute, t.TempDir(), "", prog, args...)
			ol, kl := normalise(firstLine(o.Stdout)), normalise(firstLine(k.Stdout))
			if c.want != "" && !strings.HasPrefix(ol, "SSL_CERT "+c.want) {
				t.Errorf("with openssl, check_ssl_cert says %q (exit %d), expected %s; the test setup is off\nstderr:\n%s", ol, o.Code, c.want, o.Stderr)
			}
			if ol != kl || o.Code != k.Code {
				t.Errorf("check_ssl_cert %s:\nwith openssl (exit %d): %s\nwith tlskit  (exit %d): %s\ntlskit stderr:\n%s",
					strings.Join(args, " "), o.Code, ol, k.Code, kl, k.Stderr)
			}
		})
	}
}

// errorLine matches openssl's error lines, whose thread id, source file
// and line may differ (OPENSSL-CONTRACT: tlskit prints its own).
var errorLine = regexp.MustCompile(`[0-9A-F]+:error:([0-9A-F]{8}:[^:]*:[^:]*:[^:]*):[^:]*:\d+:`)

// normalise masks what may legitimately differ between openssl and tlskit.
func normalise(s string) string {
	return errorLine.ReplaceAllString(s, "T:error:${1}:F:L:")
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}
