package consumers

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// staple makes an OCSP response ("good") for the named leaf with the real
// openssl's responder, for s_server -status_file.
func (p *pki) staple(t *testing.T, leaf string) string {
	t.Helper()
	ossl := needOpenSSL(t)
	cert := p.leaf[leaf]
	f := func(n string) string { return filepath.Join(p.dir, leaf+n) }
	out, err := exec.Command(ossl, "x509", "-in", cert, "-noout", "-serial", "-enddate").Output()
	if err != nil {
		t.Fatal(err)
	}
	var serial, end string
	for _, l := range strings.Split(string(out), "\n") {
		if v, ok := strings.CutPrefix(l, "serial="); ok {
			serial = v
		}
		if v, ok := strings.CutPrefix(l, "notAfter="); ok {
			end = v
		}
	}
	notAfter, err := time.Parse("Jan _2 15:04:05 2006 MST", end)
	if err != nil {
		t.Fatalf("notAfter %q: %v", end, err)
	}
	index := "V\t" + notAfter.UTC().Format("060102150405Z") + "\t\t" + serial + "\tunknown\t/CN=localhost\n"
	if err := os.WriteFile(f(".index"), []byte(index), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range [][]string{
		{"ocsp", "-issuer", p.ca, "-cert", cert, "-reqout", f(".ocspreq"), "-no_nonce"},
		{"ocsp", "-index", f(".index"), "-rsigner", p.ca, "-rkey", p.caKey, "-CA", p.ca,
			"-reqin", f(".ocspreq"), "-respout", f(".ocsp"), "-ndays", "2"},
	} {
		if out, err := exec.Command(ossl, c...).CombinedOutput(); err != nil {
			t.Fatalf("openssl %s: %v\n%s", strings.Join(c, " "), err, out)
		}
	}
	return f(".ocsp")
}

// TestOneLiners runs the classic shell one-liners around `openssl s_client`
// with bash, once with the real openssl and once with tlskit as openssl
// (the x509 half of a pipeline then goes through tlskit's pass-through to
// the real openssl), and compares what the pipeline prints and its exit
// status. $A is the server, $CA its root, $DEAD a closed port.
func TestOneLiners(t *testing.T) {
	bash := need(t, "bash")
	p := newPKI(t)
	// -serverpref: openssl and crypto/tls order their TLS 1.3 suites
	// differently; the server's choice keeps the one-liners comparable.
	servers := map[string]string{
		"rsa": p.server(t, "rsa", "-serverpref", "-cert_chain", p.ca).Addr,
		"ec":  p.server(t, "valid", "-serverpref", "-status_file", p.staple(t, "valid")).Addr,
	}
	dead := closedPort(t)
	lines := []struct{ name, script, want string }{
		{"x509 dates", `echo | openssl s_client -connect "$A" -servername localhost 2>/dev/null | openssl x509 -noout -dates`, "notAfter="},
		{"x509 fields", `openssl s_client -connect "$A" </dev/null 2>/dev/null | openssl x509 -noout -subject -issuer -serial -fingerprint -sha256`, "subject="},
		{"verify return code ok", `echo | openssl s_client -connect "$A" -CAfile "$CA" 2>&1 | grep 'Verify return code'`, "Verify return code: 0 (ok)"},
		{"verify return code unknown ca", `echo | openssl s_client -connect "$A" 2>&1 | grep 'Verify return code'`, "Verify return code: "},
		{"verify error lines", `echo | openssl s_client -connect "$A" 2>&1 | grep -E '^(depth|verify)'`, "depth="},
		{"pipefail grep -q", `set -o pipefail; echo | openssl s_client -connect "$A" -CAfile "$CA" 2>&1 | grep -q 'Verify return code: 0'; echo "status $?"`, "status 0"},
		{"brief", `echo | openssl s_client -brief -connect "$A" -CAfile "$CA" 2>&1; echo "status $?"`, "CONNECTION ESTABLISHED"},
		{"status", `echo | openssl s_client -status -connect "$A" -CAfile "$CA" 2>/dev/null | sed -n '/^OCSP response:/,/^---$/p'`, "OCSP response"},
		{"showcerts", `echo | openssl s_client -showcerts -connect "$A" 2>/dev/null | sed -n '/BEGIN/,/END/p'`, "-----BEGIN CERTIFICATE-----"},
		{"showcerts count", `echo | openssl s_client -showcerts -connect "$A" 2>/dev/null | grep -c 'BEGIN CERTIFICATE'`, ""},
		{"protocol and cipher", `echo | openssl s_client -connect "$A" 2>/dev/null | grep -E '^(New, |Server Temp Key|Peer signature type)'`, "New, TLSv1.3"},
		{"tls1.2 cipher", `echo | openssl s_client -tls1_2 -connect "$A" 2>/dev/null | grep -E '^(New, |    Cipher)'`, "Cipher"},
		{"enddate with -servername", `echo | openssl s_client -servername localhost -connect "$A" 2>/dev/null | openssl x509 -noout -enddate | cut -d= -f2`, "GMT"},
		{"checkend", `echo | openssl s_client -connect "$A" 2>/dev/null | openssl x509 -noout -checkend 86400; echo "status $?"`, "will not expire"},
		{"refused", `echo | openssl s_client -connect "$DEAD" 2>&1 | grep -ci 'connection refused'; echo | openssl s_client -connect "$DEAD" >/dev/null 2>&1; echo "status $?"`, "status 1"},
	}
	for _, l := range lines {
		for _, kind := range []string{"rsa", "ec"} {
			t.Run(l.name+"/"+kind, func(t *testing.T) {
				t.Parallel()
				script := "A=" + servers[kind] + " CA=" + p.ca + " DEAD=" + dead + "\n" + l.script
				o, k := both(t, 30*time.Second, t.TempDir(), "", bash, "-c", script)
				if !strings.Contains(o.Stdout, l.want) {
					t.Errorf("with openssl, %q printed no %q; the test setup is off:\n%s\nstderr:\n%s", l.script, l.want, o.Stdout, o.Stderr)
				}
				ot, kt := normalise(o.Stdout), normalise(k.Stdout)
				if strings.Contains(l.script, "grep 'Verify return code'") {
					// openssl prints the line once more in each TLS 1.3
					// session block, for each ticket that won the race
					// with end of input: compare the distinct lines.
					ot, kt = lineSet(ot), lineSet(kt)
				}
				if ot != kt || o.Code != k.Code {
					t.Errorf("%s\nwith openssl (exit %d):\n%s\nwith tlskit (exit %d):\n%s\ntlskit stderr:\n%s",
						l.script, o.Code, o.Stdout, k.Code, k.Stdout, k.Stderr)
				}
			})
		}
	}
}

// lineSet returns the distinct lines of s, trimmed and sorted.
func lineSet(s string) string {
	seen := map[string]bool{}
	var out []string
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimSpace(l)
		if l != "" && !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	slices.Sort(out)
	return strings.Join(out, "\n")
}
