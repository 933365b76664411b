package optgroups_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/testpeer"
)

// sectionPKI are certificates of distinct names for the Certificate and
// PrivateKey tests: rsa1 and rsa2 (RSA) and ec1 (ECDSA P-256), signed by
// the PKI's CA, their keys, rsa1 followed by the CA (a chain file) and
// rsa1 followed by its key (one file for both).
type sectionPKI struct {
	*testpeer.PKI
	rsa1, rsa1Key, rsa2, rsa2Key, ec1, ec1Key string
	rsa1Chain, rsa1Both                       string
}

func newSectionPKI(t *testing.T) *sectionPKI {
	t.Helper()
	p := &sectionPKI{PKI: testpeer.NewPKI(t)}
	d := t.TempDir()
	for _, c := range []struct {
		name      string
		cert, key *string
		newkey    []string
	}{
		{"rsa1", &p.rsa1, &p.rsa1Key, []string{"-newkey", "rsa:2048"}},
		{"rsa2", &p.rsa2, &p.rsa2Key, []string{"-newkey", "rsa:2048"}},
		{"ec1", &p.ec1, &p.ec1Key, []string{"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"}},
	} {
		*c.cert, *c.key = filepath.Join(d, c.name+".pem"), filepath.Join(d, c.name+".key")
		csr := filepath.Join(d, c.name+".csr")
		for _, args := range [][]string{
			append(append([]string{"req"}, c.newkey...), "-nodes", "-keyout", *c.key, "-out", csr, "-subj", "/CN="+c.name),
			{"x509", "-req", "-in", csr, "-CA", p.CA, "-CAkey", p.CAKey, "-CAcreateserial", "-out", *c.cert, "-days", "3"},
		} {
			if out, err := exec.Command("openssl", args...).CombinedOutput(); err != nil {
				t.Fatalf("openssl %v: %v\n%s", args, err, out)
			}
		}
	}
	cat := func(name string, files ...string) string {
		var b []byte
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			b = append(b, data...)
		}
		out := filepath.Join(d, name)
		if err := os.WriteFile(out, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return out
	}
	p.rsa1Chain = cat("rsa1chain.pem", p.rsa1, p.CA)
	p.rsa1Both = cat("rsa1both.pem", p.rsa1, p.rsa1Key)
	return p
}

// leafLine is the leaf's subject as openssl s_client -showcerts lists it.
var leafLine = regexp.MustCompile(`(?m)^ *0 s:.*$`)

// TestSSLConfigCertificateServer: a section's Certificate and PrivateKey
// fill the key slots, -cert's and -dcert's certificates then take their
// key type's slot (a chain of the section's stays with a -cert that
// brings none), -nocert leaves the section's alone, and the section does
// not reach -cert2's context; the server picks among the slots by the
// client's signature schemes. tlskit's s_server beside openssl's, the
// certificates an openssl client lists.
func TestSSLConfigCertificateServer(t *testing.T) {
	openssl := testpeer.Need(t, "openssl")
	p := newSectionPKI(t)
	env := writeConf(t, "MinProtocol = TLSv1", "[ssl_sect]",
		"r1 = r1", "r1e1 = r1e1", "r1chain = r1chain", "r1both = r1both", "e1max12 = e1max12",
		"[r1]", "Certificate = "+p.rsa1, "PrivateKey = "+p.rsa1Key,
		// (A name set twice keeps its last line: the second pair is
		// spelt in lower case.)
		"[r1e1]", "Certificate = "+p.rsa1, "PrivateKey = "+p.rsa1Key, "certificate = "+p.ec1, "privatekey = "+p.ec1Key,
		"[r1chain]", "Certificate = "+p.rsa1Chain, "PrivateKey = "+p.rsa1Key,
		"[r1both]", "Certificate = "+p.rsa1Both,
		"[e1max12]", "Certificate = "+p.ec1, "PrivateKey = "+p.ec1Key, "MaxProtocol = TLSv1.2")
	rsaOnly := []string{"-sigalgs", "RSA-PSS+SHA256:RSA+SHA256"}
	for _, tc := range []struct {
		server, client []string
		want           string // the leaf's common name
		n              int    // certificates sent
	}{
		{[]string{"-nocert", "-ssl_config", "r1"}, nil, "rsa1", 1},
		{[]string{"-nocert", "-ssl_config", "r1both"}, nil, "rsa1", 1},
		{[]string{"-nocert", "-ssl_config", "r1chain"}, nil, "rsa1", 2},
		{[]string{"-cert", p.ec1, "-key", p.ec1Key, "-ssl_config", "r1"}, nil, "ec1", 1},
		{[]string{"-cert", p.ec1, "-key", p.ec1Key, "-ssl_config", "r1"}, rsaOnly, "rsa1", 1},
		{[]string{"-cert", p.rsa2, "-key", p.rsa2Key, "-ssl_config", "r1"}, nil, "rsa2", 1},
		{[]string{"-cert", p.rsa2, "-key", p.rsa2Key, "-ssl_config", "r1chain"}, nil, "rsa2", 2},
		{[]string{"-cert", p.rsa2, "-key", p.rsa2Key, "-ssl_config", "r1chain", "-tls1_2"}, nil, "rsa2", 2},
		{[]string{"-nocert", "-ssl_config", "r1e1"}, nil, "ec1", 1},
		{[]string{"-nocert", "-ssl_config", "r1e1"}, rsaOnly, "rsa1", 1},
		{[]string{"-nocert", "-ssl_config", "r1e1", "-tls1_2"}, []string{"-cipher", "ECDHE-RSA-AES128-GCM-SHA256"}, "rsa1", 1},
		// Without a section: -dcert of -cert's key type takes its slot.
		{[]string{"-cert", p.rsa1, "-key", p.rsa1Key, "-dcert", p.rsa2, "-dkey", p.rsa2Key}, nil, "rsa2", 1},
		// -cert2's context has -cert2's certificate alone; the
		// section's MaxProtocol holds in both.
		{[]string{"-cert", p.rsa2, "-key", p.rsa2Key, "-ssl_config", "e1max12", "-servername", "foo", "-cert2", p.rsa1, "-key2", p.rsa1Key},
			[]string{"-servername", "foo"}, "rsa1", 1},
		{[]string{"-cert", p.rsa2, "-key", p.rsa2Key, "-ssl_config", "e1max12", "-servername", "foo", "-cert2", p.rsa1, "-key2", p.rsa1Key},
			[]string{"-servername", "bar"}, "ec1", 1},
	} {
		var got [2]string
		for i, prog := range []string{openssl, tlskit} {
			srv := testpeer.SServer(t, prog, env, tc.server...)
			out, errs, code := clientRun(t, openssl, nil, srv.Addr, append([]string{"-showcerts"}, tc.client...)...)
			version := regexp.MustCompile(`(?m)^New, \S+`).FindString(out)
			got[i] = leafLine.FindString(out) + " " + version + " n=" + strconv.Itoa(len(certSubjects.FindAllString(out, -1)))
			if code != 0 {
				t.Errorf("%s s_server %v: openssl s_client %v: exit %d:\n%s\nstderr:\n%s", filepath.Base(prog), tc.server, tc.client, code, out, errs)
			}
		}
		want := " 0 s:CN = " + tc.want
		if got[0] != got[1] || !strings.HasPrefix(strings.TrimSpace(got[0]), strings.TrimSpace(want)+" ") || !strings.HasSuffix(got[0], " n="+strconv.Itoa(tc.n)) {
			t.Errorf("s_server %v, s_client %v: openssl %q, tlskit %q, want %s and %d certificates", tc.server, tc.client, got[0], got[1], tc.want, tc.n)
		}
	}
}

// clientSubject and clientVerifyErr are what openssl s_server -verify
// prints of a client's certificate: its subject, and verification errors
// (the first num=19 when the client sent the CA as its chain, 20 when it
// sent its leaf alone).
var (
	clientSubject   = regexp.MustCompile(`(?m)^subject=.*$`)
	clientVerifyErr = regexp.MustCompile(`(?m)^verify error:num=\d+`)
)

// TestSSLConfigCertificateClient: s_client's certificates from a section
// beside -cert's: a TLS 1.3 client takes the slot of the first of the
// server's signature schemes it can make, a TLS 1.2 client its current
// certificate alone (-cert's, else the section's last), sending none when
// the server takes no scheme of it; a section's chain stays with -cert's
// certificate of its type. tlskit's s_client beside openssl's, against
// openssl s_server -verify.
func TestSSLConfigCertificateClient(t *testing.T) {
	openssl := testpeer.Need(t, "openssl")
	p := newSectionPKI(t)
	env := writeConf(t, "MinProtocol = TLSv1", "[ssl_sect]",
		"r1 = r1", "e1 = e1", "r1e1 = r1e1", "r1chain = r1chain",
		"[r1]", "Certificate = "+p.rsa1, "PrivateKey = "+p.rsa1Key,
		"[e1]", "Certificate = "+p.ec1, "PrivateKey = "+p.ec1Key,
		"[r1e1]", "Certificate = "+p.rsa1, "PrivateKey = "+p.rsa1Key, "certificate = "+p.ec1, "privatekey = "+p.ec1Key,
		"[r1chain]", "Certificate = "+p.rsa1Chain, "PrivateKey = "+p.rsa1Key)
	rsaFirst := []string{"-sigalgs", "RSA-PSS+SHA256:ECDSA+SHA256"}
	for _, tc := range []struct {
		server, client []string
		want           string // the client certificate's common name, "" for none
	}{
		{nil, []string{"-ssl_config", "r1"}, "rsa1"},
		{nil, []string{"-ssl_config", "r1", "-cert", p.ec1, "-key", p.ec1Key}, "ec1"},
		{[]string{"-sigalgs", "RSA-PSS+SHA256"}, []string{"-ssl_config", "r1", "-cert", p.ec1, "-key", p.ec1Key}, "rsa1"},
		{nil, []string{"-ssl_config", "r1e1", "-cert", p.rsa2, "-key", p.rsa2Key}, "ec1"},
		{rsaFirst, []string{"-ssl_config", "r1e1"}, "rsa1"},
		{nil, []string{"-ssl_config", "r1chain", "-cert", p.rsa2, "-key", p.rsa2Key}, "rsa2"},
		{[]string{"-sigalgs", "RSA+SHA256"}, []string{"-tls1_2", "-ssl_config", "r1", "-cert", p.ec1, "-key", p.ec1Key}, ""},
		{nil, []string{"-tls1_2", "-ssl_config", "e1", "-cert", p.rsa2, "-key", p.rsa2Key}, "rsa2"},
		{nil, []string{"-tls1_2", "-ssl_config", "r1e1"}, "ec1"},
		{[]string{"-sigalgs", "RSA+SHA256"}, []string{"-tls1_2", "-ssl_config", "r1e1"}, ""},
	} {
		var got [2]string
		for i, prog := range []string{openssl, tlskit} {
			srv := testpeer.OpenSSLServer(t, append([]string{"-cert", p.Server, "-key", p.ServerKey, "-verify", "1"}, tc.server...)...)
			out, errs, code := clientRun(t, prog, env, srv.Addr, tc.client...)
			if code != 0 {
				t.Errorf("%s s_client %v: exit %d:\n%s\nstderr:\n%s", filepath.Base(prog), tc.client, code, out, errs)
				continue
			}
			// The server cannot verify a client certificate (it has no
			// -CAfile): with one, wait for its verify error too, which
			// comes on the other stream.
			testpeer.WaitOutputFunc(t, srv.Output, "CIPHER is, and a verify error with a subject", func(o string) bool {
				return strings.Contains(o, "CIPHER is ") && (!strings.Contains(o, "subject=") || clientVerifyErr.MatchString(o))
			}, 10*time.Second)
			o := srv.Output()
			got[i] = clientSubject.FindString(o) + "; " + clientVerifyErr.FindString(o)
		}
		ok := got[0] == got[1] && strings.HasPrefix(got[0], "subject=CN = "+tc.want+";")
		if tc.want == "" {
			ok = got[0] == got[1] && strings.HasPrefix(got[0], "; ")
		}
		if !ok {
			t.Errorf("s_server %v, s_client %v: openssl s_server saw %q from openssl, %q from tlskit; want %q", tc.server, tc.client, got[0], got[1], tc.want)
		}
	}
}

// TestSSLConfigCertificateStartUp: a section's certificates and keys that
// do not load fail at start-up as in openssl: a missing file, a file
// without a certificate or a key, a key of another certificate (which the
// certificate then reads from its own file), a certificate loaded after
// another's key (which it drops), the first of two certificates without
// a key. tlskit's stderr and exit code beside openssl's, both commands.
func TestSSLConfigCertificateStartUp(t *testing.T) {
	openssl := testpeer.Need(t, "openssl")
	p := newSectionPKI(t)
	sections := []struct{ name, lines string }{
		{"nokey", "Certificate = " + p.rsa1},
		{"mismatch", "Certificate = " + p.rsa1 + "\nPrivateKey = " + p.rsa2Key},
		{"othertype", "Certificate = " + p.rsa1 + "\nPrivateKey = " + p.ec1Key},
		{"keyfirst", "PrivateKey = " + p.rsa2Key + "\nCertificate = " + p.rsa1},
		{"certmiss", "Certificate = /nonexistent.pem"},
		{"keymiss", "Certificate = " + p.rsa1 + "\nPrivateKey = /nonexistent.key"},
		{"certdir", "Certificate = " + p.Dir},
		{"keyascert", "Certificate = " + p.rsa1Key + "\nPrivateKey = " + p.rsa1Key},
		{"keydir", "Certificate = " + p.rsa1 + "\nPrivateKey = " + p.Dir},
		{"twonokey", "Certificate = " + p.rsa1 + "\ncertificate = " + p.ec1},
		{"keyonly", "PrivateKey = " + p.rsa1Key},
		{"both", "Certificate = " + p.rsa1Both},
		{"badmin", "Certificate = /nonexistent.pem\nMinProtocol = TLSv9\nPrivateKey = " + p.rsa1Key},
	}
	lines := []string{"MinProtocol = TLSv1", "[ssl_sect]"}
	for _, s := range sections {
		lines = append(lines, s.name+" = "+s.name)
	}
	for _, s := range sections {
		lines = append(lines, "["+s.name+"]", s.lines)
	}
	env := writeConf(t, lines...)
	for _, cmdName := range []string{"s_server", "s_client"} {
		for _, s := range sections {
			want := startUp(t, openssl, cmdName, env, "-ssl_config", s.name)
			if got := startUp(t, tlskit, cmdName, env, "-ssl_config", s.name); got != want {
				t.Errorf("%s -ssl_config %s:\n%s", cmdName, s.name, testpeer.LineDiff(got, want))
			}
		}
	}
}

// TestSSLConfigSecondContext: -servername's second context (-cert2) under
// -no_dhe has no DH group: a section's DHParameters reaches the first
// context only, so a DHE-only client naming -servername gets no shared
// cipher, one naming another name the section's group. tlskit's s_server
// beside openssl's, against openssl clients.
func TestSSLConfigSecondContext(t *testing.T) {
	openssl := testpeer.Need(t, "openssl")
	p := newSectionPKI(t)
	dh := filepath.Join(t.TempDir(), "dh3072.pem")
	if out, err := exec.Command(openssl, "genpkey", "-genparam", "-algorithm", "DH", "-pkeyopt", "group:ffdhe3072", "-out", dh).CombinedOutput(); err != nil {
		t.Fatalf("openssl genpkey: %v\n%s", err, out)
	}
	env := writeConf(t, "MinProtocol = TLSv1", "[ssl_sect]", "dh = dh", "[dh]", "DHParameters = "+dh)
	server := []string{"-cert", p.rsa2, "-key", p.rsa2Key, "-servername", "foo", "-cert2", p.rsa1, "-key2", p.rsa1Key, "-ssl_config", "dh"}
	for _, tc := range []struct {
		server, client []string
		code           int
		want           string
	}{
		{[]string{"-no_dhe"}, []string{"-servername", "foo"}, 1, "alert handshake failure"},
		{[]string{"-no_dhe"}, []string{"-servername", "bar"}, 0, "Server Temp Key: DH, 3072 bits"},
		{nil, []string{"-servername", "foo"}, 0, "Server Temp Key: DH, 2048 bits"},
	} {
		for _, prog := range []string{openssl, tlskit} {
			srv := testpeer.SServer(t, prog, env, append(append([]string{}, server...), tc.server...)...)
			out, errs, code := clientRun(t, openssl, nil, srv.Addr, append([]string{"-tls1_2", "-cipher", "DHE-RSA-AES128-SHA"}, tc.client...)...)
			if code != tc.code || !strings.Contains(out+errs, tc.want) {
				t.Errorf("%s s_server %v, s_client %v: exit %d (want %d), no %q:\n%s\nstderr:\n%s", filepath.Base(prog), tc.server, tc.client, code, tc.code, tc.want, out, errs)
			}
		}
	}
}
