package optgroups_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/tlskit/tlskit/internal/testpeer"
)

// sslConfigCases reads testdata/ssl_config.txtar: the configuration file
// and, for each "s_client NAME" or "s_server NAME", openssl 3.0.22's
// start-up with -ssl_config NAME, recorded.
func sslConfigCases(t *testing.T) (env []string, cases []txtar.File) {
	t.Helper()
	ar, err := txtar.ParseFile("testdata/ssl_config.txtar")
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "openssl.cnf")
	for _, f := range ar.Files {
		if f.Name == "openssl.cnf" {
			if err := os.WriteFile(p, f.Data, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		cases = append(cases, f)
	}
	return []string{"OPENSSL_CONF=" + p}, cases
}

// startUp runs `prog s_client` against a closed port, or `prog s_server`
// until its ACCEPT line, under env, and says what the recording says:
// "ok" when it got that far, else its exit code and its stderr with the
// error lines' thread, file and line written T, F and L.
func startUp(t *testing.T, prog, cmdName string, env []string, args ...string) string {
	t.Helper()
	var all []string
	if cmdName == "s_client" {
		all = append([]string{"s_client", "-connect", "127.0.0.1:1"}, args...)
	} else {
		all = append([]string{"s_server", "-accept", "127.0.0.1:0", "-cert", certFile, "-key", keyFx}, args...)
	}
	accepted, stderr, code := runUntilAccept(t, prog, env, all)
	if accepted || strings.Contains(stderr, "connect:errno=") {
		return "ok\n"
	}
	return "exit " + strconv.Itoa(code) + "\n" + errLines.ReplaceAllString(stderr, "T:error:${1}:F:L:")
}

var errLines = regexp.MustCompile(`(?m)^[0-9A-F]+:error:([0-9A-F]{8}:[^:]*:[^:]*:[^:]*):[^:]*:\d+:`)

// TestSSLConfigStartUp: -ssl_config NAME at start-up, for sections that
// are missing, or carry unknown commands, bad values or one side's
// commands, under both commands: tlskit's exit code and stderr are
// openssl's (run live when it is installed, else as recorded).
func TestSSLConfigStartUp(t *testing.T) {
	env, cases := sslConfigCases(t)
	openssl, _ := testpeer.Find("openssl")
	for _, c := range cases {
		cmdName, name, _ := strings.Cut(c.Name, " ")
		t.Run(c.Name, func(t *testing.T) {
			want := string(c.Data)
			if openssl != "" {
				live := startUp(t, openssl, cmdName, env, "-ssl_config", name)
				if live != want {
					t.Logf("openssl %s differs from the recording:\n%s", c.Name, testpeer.LineDiff(live, want))
				}
				want = live
			}
			if got := startUp(t, tlskit, cmdName, env, "-ssl_config", name); got != want {
				t.Errorf("tlskit %s -ssl_config %s:\n%s", cmdName, name, testpeer.LineDiff(got, want))
			}
		})
	}
}

// TestSSLConfigRefusesWhatItCannotHonour: a command tlskit does not take
// from a section stops it at start-up, naming the command.
func TestSSLConfigRefusesWhatItCannotHonour(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "openssl.cnf")
	// An encrypted key: openssl would ask for its pass phrase.
	enc := filepath.Join(dir, "enc.key")
	if out, err := exec.Command("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-aes128", "-pass", "pass:secret", "-out", enc).CombinedOutput(); err != nil {
		t.Skipf("openssl genpkey: %v\n%s", err, out)
	}
	text := "openssl_conf = init\n[init]\nssl_conf = ssl_sect\n[ssl_sect]\ncert = cert\nopts = opts\n" +
		"[cert]\nPrivateKey = " + enc + "\nMaxProtocol = TLSv1.2\n[opts]\nOptions = -ExtendedMasterSecret\n"
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{"OPENSSL_CONF=" + p}
	for _, cmdName := range []string{"s_client", "s_server"} {
		got := startUp(t, tlskit, cmdName, env, "-ssl_config", "cert")
		want := "exit 1\nError using configuration \"cert\"\n-ssl_config cert: PrivateKey = " + enc + " is not supported by tlskit: " + enc + ": "
		if !strings.HasPrefix(got, want) || !strings.HasSuffix(got, " (openssl's reading of it is not matched)\n") {
			t.Errorf("%s:\n%s", cmdName, testpeer.LineDiff(got, want))
		}
		got = startUp(t, tlskit, cmdName, env, "-ssl_config", "opts")
		if !strings.HasPrefix(got, "exit 1\nError using configuration \"opts\"\n-ssl_config opts: Options = -ExtendedMasterSecret is not supported by tlskit: ") {
			t.Errorf("%s -ssl_config opts:\n%s", cmdName, got)
		}
	}
	// In system_default, openssl knows no file command (it skips them
	// as unknown): nothing to refuse, the command starts.
	sys := filepath.Join(t.TempDir(), "openssl.cnf")
	text = "openssl_conf = init\n[init]\nssl_conf = ssl_sect\n[ssl_sect]\nsystem_default = sys\n" +
		"[sys]\nMaxProtocol = TLSv1.2\nChainCAFile = " + certFile + "\nCertificate = /nonexistent.pem\n"
	if err := os.WriteFile(sys, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, cmdName := range []string{"s_client", "s_server"} {
		if got := startUp(t, tlskit, cmdName, []string{"OPENSSL_CONF=" + sys}); got != "ok\n" {
			t.Errorf("%s, system_default: %s", cmdName, got)
		}
	}
}

// TestSSLConfigConnects: a section's commands shape the handshake as the
// command-line options they stand for, with openssl's precedence: they
// override the command line's SSL_CONF options (-max_protocol, -cipher)
// and yield to the protocol flags (-tls1_3). Each case runs with openssl
// and tlskit as the configured side, against a real openssl peer.
func TestSSLConfigConnects(t *testing.T) {
	openssl := testpeer.Need(t, "openssl")
	pki := testpeer.NewPKI(t)
	env, _ := sslConfigCases(t)
	for _, tc := range []struct {
		name   string
		args   []string
		client string // what the client prints
		server string // what the openssl server prints
	}{
		{"max12", []string{"-ssl_config", "max12"}, `(?m)^New, TLSv1\.2, `, `(?m)^CIPHER is ECDHE-`},
		{"max12 over -max_protocol", []string{"-max_protocol", "TLSv1.3", "-ssl_config", "max12"}, `(?m)^New, TLSv1\.2, `, `(?m)^CIPHER is ECDHE-`},
		{"-tls1_3 over max12", []string{"-ssl_config", "max12", "-tls1_3"}, `(?m)^New, TLSv1\.3, `, `(?m)^CIPHER is TLS_AES_`},
		{"Protocol", []string{"-ssl_config", "proto"}, `(?m)^New, TLSv1\.2, `, `(?m)^CIPHER is ECDHE-`},
		// Protocol's "TLSv1.2" clears what -no_tls1_2 set.
		{"Protocol over -no_tls1_2", []string{"-no_tls1_2", "-ssl_config", "proto"}, `(?m)^New, TLSv1\.2, `, `(?m)^CIPHER is ECDHE-`},
	} {
		for _, prog := range []string{openssl, tlskit} {
			srv := testpeer.OpenSSLServer(t, "-cert", pki.Server, "-key", pki.ServerKey)
			out, errs, code := clientRun(t, prog, env, srv.Addr, tc.args...)
			if code != 0 || !regexp.MustCompile(tc.client).MatchString(out) {
				t.Errorf("%s: %s s_client: exit %d, stdout lacks %q:\n%s\nstderr:\n%s", tc.name, filepath.Base(prog), code, tc.client, out, errs)
			}
			testpeer.WaitOutput(t, srv.Output, "CIPHER is ", 10*time.Second)
			if !regexp.MustCompile(tc.server).MatchString(srv.Output()) {
				t.Errorf("%s: with %s s_client, openssl s_server printed no %q:\n%s", tc.name, filepath.Base(prog), tc.server, srv.Output())
			}
		}
	}
	// The section applies over system_default, and over the command
	// line's -max_protocol.
	combined := writeConf(t, "MaxProtocol = TLSv1.2", "[ssl_sect]", "up = up", "[up]", "MaxProtocol = TLSv1.3")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, `(?m)^New, TLSv1\.2, `},
		{[]string{"-ssl_config", "up"}, `(?m)^New, TLSv1\.3, `},
		{[]string{"-ssl_config", "up", "-max_protocol", "TLSv1.2"}, `(?m)^New, TLSv1\.3, `},
	} {
		for _, prog := range []string{openssl, tlskit} {
			srv := testpeer.OpenSSLServer(t, "-cert", pki.Server, "-key", pki.ServerKey)
			out, errs, code := clientRun(t, prog, combined, srv.Addr, tc.args...)
			if code != 0 || !regexp.MustCompile(tc.want).MatchString(out) {
				t.Errorf("system_default and %v: %s s_client: exit %d, stdout lacks %q:\n%s\nstderr:\n%s", tc.args, filepath.Base(prog), code, tc.want, out, errs)
			}
		}
	}
	// VerifyCAFile verifies the server, over -CAfile; the command line's
	// -verifyCAfile replaces it.
	// (system_default must not be empty, or openssl drops the module.)
	verifyConf := writeConf(t, "MinProtocol = TLSv1", "[ssl_sect]", "v = v", "[v]", "VerifyCAFile = "+pki.CA)
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"-ssl_config", "v", "-CAfile", pki.SelfSigned}, 0, "Verify return code: 0 (ok)"},
		{[]string{"-ssl_config", "v", "-verifyCAfile", pki.SelfSigned}, 1, "verify error:num=20:unable to get local issuer certificate"},
	} {
		for _, prog := range []string{openssl, tlskit} {
			srv := testpeer.OpenSSLServer(t, "-cert", pki.Server, "-key", pki.ServerKey)
			out, errs, code := clientRun(t, prog, verifyConf, srv.Addr, append(tc.args, "-verify_return_error")...)
			if code != tc.code || !strings.Contains(out+errs, tc.want) {
				t.Errorf("%v: %s s_client: exit %d (want %d), no %q:\n%s\nstderr:\n%s", tc.args, filepath.Base(prog), code, tc.code, tc.want, out, errs)
			}
		}
	}
	// s_server: the section's CipherString over -cipher.
	for _, prog := range []string{openssl, tlskit} {
		srv := testpeer.SServer(t, prog, env, "-cert", pki.Server, "-key", pki.ServerKey, "-cipher", "AES256-SHA", "-ssl_config", "ciphers")
		out, errs, code := clientRun(t, openssl, nil, srv.Addr, "-cipher", "AES256-SHA:AES128-SHA")
		if code != 0 || !regexp.MustCompile(`(?m)^New, \S+, Cipher is AES128-SHA$`).MatchString(out) {
			t.Errorf("%s s_server -ssl_config ciphers: openssl s_client exit %d:\n%s\nstderr:\n%s", filepath.Base(prog), code, out, errs)
		}
		testpeer.WaitOutput(t, srv.Output, "CIPHER is AES128-SHA", 10*time.Second)
	}
	// s_server: Options = -CANames as -no_ca_names.
	for _, prog := range []string{openssl, tlskit} {
		srv := testpeer.SServer(t, prog, env, "-cert", pki.Server, "-key", pki.ServerKey, "-verify", "1", "-CAfile", pki.CA, "-ssl_config", "nocanames")
		out, errs, code := clientRun(t, openssl, nil, srv.Addr)
		if code != 0 || !strings.Contains(out, "\nNo client certificate CA names sent\n") {
			t.Errorf("%s s_server -ssl_config nocanames: openssl s_client exit %d:\n%s\nstderr:\n%s", filepath.Base(prog), code, out, errs)
		}
	}
}

// TestSystemDefaultEmptyCipherString: a system_default CipherString that
// selects no suite leaves openssl with no TLS 1.2 suites (it set the empty
// list before failing the command, whose failure system_default skips):
// its client connects at TLS 1.3, fails at TLS 1.2 with "no ciphers
// available", and takes -cipher's list over it; its server fails TLS 1.2
// clients with a handshake_failure alert. tlskit beside openssl, each
// against an openssl peer.
func TestSystemDefaultEmptyCipherString(t *testing.T) {
	openssl := testpeer.Need(t, "openssl")
	pki := testpeer.NewPKI(t)
	env := writeConf(t, "CipherString = NOPE")
	for _, tc := range []struct {
		args []string
		code int
		want string // in the client's stdout and stderr
	}{
		{nil, 0, "New, TLSv1.3, Cipher is TLS_AES_"},
		{[]string{"-tls1_2"}, 1, ":error:0A0000B5:SSL routines:ssl_cipher_list_to_bytes:no ciphers available:"},
		{[]string{"-tls1_2", "-cipher", "AES128-SHA"}, 0, "Cipher is AES128-SHA"},
	} {
		for _, prog := range []string{openssl, tlskit} {
			srv := testpeer.OpenSSLServer(t, "-cert", pki.Server, "-key", pki.ServerKey)
			out, errs, code := clientRun(t, prog, env, srv.Addr, tc.args...)
			if code != tc.code || !strings.Contains(out+errs, tc.want) {
				t.Errorf("%v: %s s_client: exit %d (want %d), no %q:\n%s\nstderr:\n%s", tc.args, filepath.Base(prog), code, tc.code, tc.want, out, errs)
			}
		}
	}
	for _, prog := range []string{openssl, tlskit} {
		srv := testpeer.SServer(t, prog, env, "-cert", pki.Server, "-key", pki.ServerKey)
		out, errs, code := clientRun(t, openssl, nil, srv.Addr, "-tls1_2")
		if code != 1 || !strings.Contains(errs, "sslv3 alert handshake failure") {
			t.Errorf("%s s_server: openssl s_client -tls1_2: exit %d, no handshake_failure alert:\n%s\nstderr:\n%s", filepath.Base(prog), code, out, errs)
		}
		testpeer.WaitOutput(t, srv.Output, ":no shared cipher:", 10*time.Second)
		out, errs, code = clientRun(t, openssl, nil, srv.Addr)
		if code != 0 || !strings.Contains(out, "New, TLSv1.3, ") {
			t.Errorf("%s s_server: openssl s_client: exit %d:\n%s\nstderr:\n%s", filepath.Base(prog), code, out, errs)
		}
	}
}

// TestSSLConfigVerifyMode: openssl checks VerifyMode's flags, then s_server
// and s_client set the verify mode themselves: a server's Request, Once
// and RequirePostHandshake ask for no client certificate, and with -verify
// a client without one still connects. tlskit beside openssl.
func TestSSLConfigVerifyMode(t *testing.T) {
	openssl := testpeer.Need(t, "openssl")
	pki := testpeer.NewPKI(t)
	env, _ := sslConfigCases(t)
	for _, args := range [][]string{nil, {"-verify", "1"}} {
		for _, prog := range []string{openssl, tlskit} {
			srv := testpeer.SServer(t, prog, env, append([]string{"-cert", pki.Server, "-key", pki.ServerKey, "-ssl_config", "vmserver"}, args...)...)
			out, errs, code := clientRun(t, openssl, nil, srv.Addr, "-msg")
			asked := strings.Contains(out, ", CertificateRequest\n")
			if code != 0 || asked != (args != nil) {
				t.Errorf("%s s_server %v: openssl s_client exit %d, CertificateRequest %v:\n%s\nstderr:\n%s", filepath.Base(prog), args, code, asked, out, errs)
			}
		}
	}
}

// TestSystemDefaultSkipsFileCommands: openssl skips system_default's
// VerifyCAFile (a file command, unknown there), so a server its CA signed
// stays unverified; tlskit beside openssl.
func TestSystemDefaultSkipsFileCommands(t *testing.T) {
	openssl := testpeer.Need(t, "openssl")
	pki := testpeer.NewPKI(t)
	env := writeConf(t, "VerifyCAFile = "+pki.CA, "MaxProtocol = TLSv1.2")
	for _, prog := range []string{openssl, tlskit} {
		srv := testpeer.OpenSSLServer(t, "-cert", pki.Server, "-key", pki.ServerKey)
		out, errs, code := clientRun(t, prog, env, srv.Addr, "-verify_return_error")
		if code != 1 || !strings.Contains(out+errs, "verify error:num=20:unable to get local issuer certificate") {
			t.Errorf("%s s_client: exit %d, verified with system_default's VerifyCAFile:\n%s\nstderr:\n%s", filepath.Base(prog), code, out, errs)
		}
	}
}

// caNamesBlock is what openssl s_client prints of a CertificateRequest's
// CA names.
var caNamesBlock = regexp.MustCompile(`(?m)^(Acceptable client certificate CA names\n(?:.*\n)*?|No client certificate CA names sent\n)(?:Requested Signature|Client Certificate Types)`)

// traceCANames is the certificate_authorities extension openssl s_server
// -trace prints of a ClientHello, or "".
var traceCANames = regexp.MustCompile(`extension_type=certificate_authorities\(47\).*\n(?:\s+[0-9a-f]{4} - .*\n)+`)

// TestSSLConfigCANames: RequestCAFile and ClientCAFile make one list of
// CA names, in the order of the commands and of each file; s_server sends
// it in its CertificateRequest unless -CAfile's names replace it, or
// -no_ca_names drops it; s_client sends it in certificate_authorities
// unless -requestCAfile replaces it. tlskit beside openssl, each against
// an openssl peer, printing the same names.
func TestSSLConfigCANames(t *testing.T) {
	openssl := testpeer.Need(t, "openssl")
	pki := testpeer.NewPKI(t)
	// (A name set twice in a section keeps its last line only: the
	// repeated command is spelt in another case.)
	env := writeConf(t, "MinProtocol = TLSv1", "[ssl_sect]", "names = names", "cnames = cnames", "dirnames = dirnames",
		"[dirnames]", "ClientCAPath = "+pki.Dir, "[names]",
		"RequestCAFile = "+pki.SelfSigned, "ClientCAFile = "+pki.CA, "requestCAfile = "+pki.Dir,
		"[cnames]", "RequestCAFile = "+pki.SelfSigned, "requestcafile = "+pki.CA)
	// (dirnames: every certificate of the PKI's directory, in the order
	// the directory lists them.)
	for _, args := range [][]string{{}, {"-CAfile", pki.CA}, {"-no_ca_names"}, {"-tls1_2"}, {"-ssl_config", "dirnames"}} {
		var got [2]string
		for i, prog := range []string{openssl, tlskit} {
			srv := testpeer.SServer(t, prog, env, append([]string{"-cert", pki.Server, "-key", pki.ServerKey, "-verify", "1", "-ssl_config", "names"}, args...)...)
			out, errs, code := clientRun(t, openssl, nil, srv.Addr)
			if code != 0 {
				t.Fatalf("%s s_server %v: openssl s_client exit %d:\n%s\nstderr:\n%s", filepath.Base(prog), args, code, out, errs)
			}
			got[i] = caNamesBlock.FindString(out)
		}
		if got[0] == "" || got[0] != got[1] {
			t.Errorf("s_server %v: CA names: openssl %q, tlskit %q", args, got[0], got[1])
		}
		if len(args) == 0 && strings.Count(got[0], "\n") != 3 {
			t.Errorf("s_server: want both names: %q", got[0])
		}
	}
	// Three names of decreasing length: openssl's list is not in file
	// order (see optgroups.LoadCANames).
	var three []byte
	for _, f := range []string{pki.CA, pki.Client, pki.Server} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		three = append(three, b...)
	}
	threeFile := filepath.Join(t.TempDir(), "three.pem")
	if err := os.WriteFile(threeFile, three, 0o644); err != nil {
		t.Fatal(err)
	}
	// Names differing only in case or spacing: openssl compares CA
	// names' DER, and sends all three.
	caseFile := filepath.Join(t.TempDir(), "case.pem")
	if err := os.WriteFile(caseFile, namedCerts(t, "Foo", "foo", "Foo "), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{}, {"-requestCAfile", pki.CA}, {"-requestCAfile", threeFile}, {"-requestCAfile", caseFile}} {
		var got [2]string
		for i, prog := range []string{openssl, tlskit} {
			srv := testpeer.OpenSSLServer(t, "-cert", pki.Server, "-key", pki.ServerKey, "-trace")
			out, errs, code := clientRun(t, prog, env, srv.Addr, append([]string{"-ssl_config", "cnames"}, args...)...)
			if code != 0 {
				t.Fatalf("%s s_client %v: exit %d:\n%s\nstderr:\n%s", filepath.Base(prog), args, code, out, errs)
			}
			testpeer.WaitOutput(t, srv.Output, "CIPHER is ", 10*time.Second)
			got[i] = traceCANames.FindString(srv.Output())
		}
		if got[0] == "" || got[0] != got[1] {
			t.Errorf("s_client %v: certificate_authorities: openssl\n%s\ntlskit\n%s", args, got[0], got[1])
		}
	}
}

// namedCerts are self-signed certificates in PEM, one with each common
// name.
func namedCerts(t *testing.T, cns ...string) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	var out []byte
	for i, cn := range cns {
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(int64(i + 1)), Subject: pkix.Name{CommonName: cn},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})...)
	}
	return out
}

// TestSSLConfigDHParameters: s_server uses a section's DHParameters only
// under -no_dhe (it sets -dhparam's group or the automatic one otherwise,
// over the section's); tlskit beside openssl, the group an openssl client
// prints. A file tlskit cannot match openssl's reading of is refused.
func TestSSLConfigDHParameters(t *testing.T) {
	openssl := testpeer.Need(t, "openssl")
	pki := testpeer.NewPKI(t)
	dh := filepath.Join(t.TempDir(), "dh3072.pem")
	if out, err := exec.Command(openssl, "genpkey", "-genparam", "-algorithm", "DH", "-pkeyopt", "group:ffdhe3072", "-out", dh).CombinedOutput(); err != nil {
		t.Fatalf("openssl genpkey: %v\n%s", err, out)
	}
	env := writeConf(t, "MinProtocol = TLSv1", "[ssl_sect]", "dh = dh", "dhdir = dhdir", "[dh]", "DHParameters = "+dh,
		"[dhdir]", "DHParameters = "+pki.Dir)
	for _, tc := range []struct {
		args []string
		bits string
	}{
		{[]string{"-no_dhe"}, "3072"},
		{nil, "2048"},
	} {
		for _, prog := range []string{openssl, tlskit} {
			srv := testpeer.SServer(t, prog, env, append([]string{"-cert", pki.Server, "-key", pki.ServerKey, "-cipher", "DHE-RSA-AES128-SHA", "-ssl_config", "dh"}, tc.args...)...)
			out, errs, code := clientRun(t, openssl, nil, srv.Addr, "-tls1_2")
			if want := "Server Temp Key: DH, " + tc.bits + " bits"; code != 0 || !strings.Contains(out, want) {
				t.Errorf("%s s_server %v: openssl s_client exit %d, no %q:\n%s\nstderr:\n%s", filepath.Base(prog), tc.args, code, want, out, errs)
			}
		}
	}
	got := startUp(t, tlskit, "s_server", env, "-ssl_config", "dhdir")
	if want := "exit 1\nError using configuration \"dhdir\"\n-ssl_config dhdir: DHParameters = " + pki.Dir + " is not supported by tlskit: "; !strings.HasPrefix(got, want) {
		t.Errorf("a directory: %q, want %q…", got, want)
	}
}

// certSubjects are the subjects openssl s_client -showcerts lists.
var certSubjects = regexp.MustCompile(`(?m)^ *\d+ s:.*$`)

// TestSSLConfigChainCAFile: a section's ChainCAFile completes the
// certificate's chain as -chainCAfile does, and the command line's
// -chainCAfile replaces it (-verifyCAfile does not); on both sides,
// tlskit beside openssl: the chain an openssl client lists, and the
// client chain an openssl server traces.
func TestSSLConfigChainCAFile(t *testing.T) {
	openssl := testpeer.Need(t, "openssl")
	pki := testpeer.NewPKI(t)
	env := writeConf(t, "MinProtocol = TLSv1", "[ssl_sect]", "chain = chain", "[chain]", "ChainCAFile = "+pki.CA)
	for _, tc := range []struct {
		args []string
		n    int
	}{
		{nil, 2},
		{[]string{"-chainCAfile", pki.SelfSigned}, 1},
		{[]string{"-verifyCAfile", pki.SelfSigned}, 2},
	} {
		var got [2]string
		for i, prog := range []string{openssl, tlskit} {
			srv := testpeer.SServer(t, prog, env, append([]string{"-cert", pki.Server, "-key", pki.ServerKey, "-ssl_config", "chain"}, tc.args...)...)
			out, errs, code := clientRun(t, openssl, nil, srv.Addr, "-showcerts")
			got[i] = strings.Join(certSubjects.FindAllString(out, -1), "\n")
			if code != 0 || len(certSubjects.FindAllString(out, -1)) != tc.n {
				t.Errorf("%s s_server %v: openssl s_client exit %d, want %d certificates:\n%s\nstderr:\n%s", filepath.Base(prog), tc.args, code, tc.n, out, errs)
			}
		}
		if got[0] != got[1] {
			t.Errorf("s_server %v: chain: openssl\n%s\ntlskit\n%s", tc.args, got[0], got[1])
		}
	}
	var got [2]string
	for i, prog := range []string{openssl, tlskit} {
		srv := testpeer.OpenSSLServer(t, "-cert", pki.Server, "-key", pki.ServerKey, "-verify", "1", "-trace")
		out, errs, code := clientRun(t, prog, env, srv.Addr, "-cert", pki.Client, "-key", pki.ClientKey, "-ssl_config", "chain")
		if code != 0 {
			t.Fatalf("%s s_client: exit %d:\n%s\nstderr:\n%s", filepath.Base(prog), code, out, errs)
		}
		testpeer.WaitOutput(t, srv.Output, "CIPHER is ", 10*time.Second)
		// The client's Certificate comes after the server's flight.
		o := srv.Output()
		after := o[strings.LastIndex(o[:strings.LastIndex(o, "certificate_list")+1], "Received Record")+1:]
		got[i] = strings.Join(regexp.MustCompile(`(?m)^\s*(Subject|Issuer): .*$`).FindAllString(after, -1), "\n")
	}
	if got[0] == "" || got[0] != got[1] || strings.Count(got[0], "Subject: ") != 2 {
		t.Errorf("s_client's chain as openssl s_server traces it: openssl\n%s\ntlskit\n%s", got[0], got[1])
	}
}

// serverInfoPEM is a serverinfo file of one extension of type typ.
func serverInfoPEM(t *testing.T, typ byte, data string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "si.pem")
	b := append([]byte{0x03, typ, 0, byte(len(data))}, data...)
	text := "-----BEGIN SERVERINFO FOR TEST-----\n" + base64.StdEncoding.EncodeToString(b) + "\n-----END SERVERINFO FOR TEST-----\n"
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestSSLConfigServerInfoFile: a section's ServerInfoFile goes with the
// RSA certificate, -cert's or -dcert's, and -serverinfo (-cert's)
// replaces it when -cert is that one; an openssl client asking for both
// extensions prints the ones it gets, tlskit's server beside openssl's.
func TestSSLConfigServerInfoFile(t *testing.T) {
	openssl := testpeer.Need(t, "openssl")
	pki := testpeer.NewPKI(t)
	si, si2 := serverInfoPEM(t, 0xe8, "abcd"), serverInfoPEM(t, 0xe9, "wxyz") // types 1000, 1001
	env := writeConf(t, "MinProtocol = TLSv1", "[ssl_sect]", "si = si", "[si]", "ServerInfoFile = "+si)
	rsa := []string{"-cert", pki.Server, "-key", pki.ServerKey}
	ec := []string{"-cert", pki.ECServer, "-key", pki.ECServerKey}
	drsa := []string{"-dcert", pki.Server, "-dkey", pki.ServerKey}
	dec := []string{"-dcert", pki.ECServer, "-dkey", pki.ECServerKey}
	ext := regexp.MustCompile(`SERVERINFO FOR EXTENSION \d+`)
	for _, args := range [][]string{
		rsa,
		append(rsa, "-serverinfo", si2),
		ec,
		append(rsa, dec...),
		append(append(ec, drsa...), "-serverinfo", si2),
		// -dcert of -cert's key type takes -cert's slot with what was
		// set on it.
		append(rsa, drsa...),
		append(append(rsa, drsa...), "-serverinfo", si2),
	} {
		for _, cargs := range [][]string{{}, {"-sigalgs", "RSA+SHA256"}} {
			var got [2]string
			for i, prog := range []string{openssl, tlskit} {
				srv := testpeer.SServer(t, prog, env, append(append([]string{}, args...), "-ssl_config", "si")...)
				out, errs, code := clientRun(t, openssl, nil, srv.Addr, append([]string{"-tls1_2", "-serverinfo", "1000,1001"}, cargs...)...)
				// (Without an RSA certificate, -sigalgs RSA+SHA256 fails.)
				got[i] = "exit " + strconv.Itoa(code) + ": " + strings.Join(ext.FindAllString(out, -1), ", ")
				if code != 0 && errs == "" {
					t.Errorf("%s s_server %v: openssl s_client exit %d, no error", filepath.Base(prog), args, code)
				}
			}
			if got[0] != got[1] {
				t.Errorf("s_server %v, s_client %v: openssl sent %q, tlskit %q", args, cargs, got[0], got[1])
			}
		}
	}
}

// TestSSLConfigStores: a section's VerifyCAStore verifies the server as
// -verifyCAstore does, and the command line's -verifyCAfile replaces it;
// its ChainCAStore completes the server's chain as -chainCAstore does.
// tlskit beside openssl, against openssl peers.
func TestSSLConfigStores(t *testing.T) {
	openssl := testpeer.Need(t, "openssl")
	pki := testpeer.NewPKI(t)
	env := writeConf(t, "MinProtocol = TLSv1", "[ssl_sect]", "vs = vs", "cs = cs",
		"[vs]", "VerifyCAStore = file:"+pki.CA, "[cs]", "ChainCAStore = "+pki.CA)
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{nil, 0, "Verify return code: 0 (ok)"},
		{[]string{"-verifyCAfile", pki.SelfSigned}, 1, "verify error:num=20:unable to get local issuer certificate"},
	} {
		for _, prog := range []string{openssl, tlskit} {
			srv := testpeer.OpenSSLServer(t, "-cert", pki.Server, "-key", pki.ServerKey)
			out, errs, code := clientRun(t, prog, env, srv.Addr, append([]string{"-ssl_config", "vs", "-verify_return_error"}, tc.args...)...)
			if code != tc.code || !strings.Contains(out+errs, tc.want) {
				t.Errorf("%v: %s s_client: exit %d (want %d), no %q:\n%s\nstderr:\n%s", tc.args, filepath.Base(prog), code, tc.code, tc.want, out, errs)
			}
		}
	}
	for _, prog := range []string{openssl, tlskit} {
		srv := testpeer.SServer(t, prog, env, "-cert", pki.Server, "-key", pki.ServerKey, "-ssl_config", "cs")
		out, errs, code := clientRun(t, openssl, nil, srv.Addr, "-showcerts")
		if n := len(certSubjects.FindAllString(out, -1)); code != 0 || n != 2 {
			t.Errorf("%s s_server -ssl_config cs: openssl s_client exit %d, %d certificates, want 2:\n%s\nstderr:\n%s", filepath.Base(prog), code, n, out, errs)
		}
	}
}

// TestSSLConfigCAStoreNames: RequestCAStore and ClientCAStore add a
// store's names to the list RequestCAFile and ClientCAFile make, looked
// up and appended as they are: a file by its path or a file: URI, a
// directory's entries in the order it lists them, without its dot files
// and subdirectories. tlskit beside openssl, each against an openssl
// peer, printing the same names.
func TestSSLConfigCAStoreNames(t *testing.T) {
	openssl := testpeer.Need(t, "openssl")
	pki := testpeer.NewPKI(t)
	d := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(d, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// Names of decreasing length: the list's order is not the file's.
	three := write("three.pem", namedCerts(t, "ccc", "bb", "a"))
	dir := filepath.Join(d, "store")
	write("store/k.pem", namedCerts(t, "bb"))
	write("store/q.pem", namedCerts(t, "ccc"))
	write("store/b.pem", namedCerts(t, "a"))
	write("store/.hidden.pem", namedCerts(t, "hidden"))
	write("store/sub/x.pem", namedCerts(t, "sub"))
	env := writeConf(t, "MinProtocol = TLSv1", "[ssl_sect]",
		"file = file", "uri = uri", "dir = dir", "rdir = rdir", "two = two",
		"[file]", "ClientCAStore = "+three,
		"[uri]", "RequestCAStore = file:"+three,
		"[dir]", "ClientCAStore = "+dir, "[rdir]", "RequestCAStore = "+dir,
		"[two]", "ClientCAStore = "+pki.CA, "RequestCAFile = "+three)
	for _, section := range []string{"file", "uri", "dir", "two"} {
		var got [2]string
		for i, prog := range []string{openssl, tlskit} {
			srv := testpeer.SServer(t, prog, env, "-cert", pki.Server, "-key", pki.ServerKey, "-verify", "1", "-ssl_config", section)
			out, errs, code := clientRun(t, openssl, nil, srv.Addr)
			if code != 0 {
				t.Fatalf("%s s_server -ssl_config %s: openssl s_client exit %d:\n%s\nstderr:\n%s", filepath.Base(prog), section, code, out, errs)
			}
			got[i] = caNamesBlock.FindString(out)
		}
		if got[0] == "" || got[0] != got[1] || strings.Contains(got[0], "hidden") || strings.Contains(got[0], "sub") {
			t.Errorf("s_server -ssl_config %s: CA names: openssl %q, tlskit %q", section, got[0], got[1])
		}
	}
	for _, args := range [][]string{{"-ssl_config", "uri"}, {"-ssl_config", "rdir"}, {"-ssl_config", "uri", "-requestCAfile", pki.CA}} {
		var got [2]string
		for i, prog := range []string{openssl, tlskit} {
			srv := testpeer.OpenSSLServer(t, "-cert", pki.Server, "-key", pki.ServerKey, "-trace")
			out, errs, code := clientRun(t, prog, env, srv.Addr, args...)
			if code != 0 {
				t.Fatalf("%s s_client %v: exit %d:\n%s\nstderr:\n%s", filepath.Base(prog), args, code, out, errs)
			}
			testpeer.WaitOutput(t, srv.Output, "CIPHER is ", 10*time.Second)
			got[i] = traceCANames.FindString(srv.Output())
		}
		if got[0] == "" || got[0] != got[1] {
			t.Errorf("s_client %v: certificate_authorities: openssl\n%s\ntlskit\n%s", args, got[0], got[1])
		}
	}
}

// TestSSLConfigSecondStoreFile: a second VerifyCAFile (or ChainCAFile) in
// a section goes into the same store as the first, in either order, as in
// openssl; the command line's -verifyCAfile still replaces them all. A
// second VerifyCAStore stays refused. tlskit beside openssl, against
// openssl peers.
func TestSSLConfigSecondStoreFile(t *testing.T) {
	openssl := testpeer.Need(t, "openssl")
	pki := testpeer.NewPKI(t)
	// (A name set twice keeps its last line: the second is spelt in
	// lower case.)
	env := writeConf(t, "MinProtocol = TLSv1", "[ssl_sect]", "v1 = v1", "v2 = v2", "c2 = c2", "s2 = s2",
		"[v1]", "VerifyCAFile = "+pki.SelfSigned, "verifycafile = "+pki.CA,
		"[v2]", "VerifyCAFile = "+pki.CA, "verifycafile = "+pki.SelfSigned,
		"[c2]", "ChainCAFile = "+pki.SelfSigned, "chaincafile = "+pki.CA,
		"[s2]", "VerifyCAStore = "+pki.SelfSigned, "verifycastore = "+pki.CA)
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"-ssl_config", "v1"}, 0, "Verify return code: 0 (ok)"},
		{[]string{"-ssl_config", "v2"}, 0, "Verify return code: 0 (ok)"},
		{[]string{"-ssl_config", "v1", "-verifyCAfile", pki.SelfSigned}, 1, "verify error:num=20:unable to get local issuer certificate"},
	} {
		for _, prog := range []string{openssl, tlskit} {
			srv := testpeer.OpenSSLServer(t, "-cert", pki.Server, "-key", pki.ServerKey)
			out, errs, code := clientRun(t, prog, env, srv.Addr, append(tc.args, "-verify_return_error")...)
			if code != tc.code || !strings.Contains(out+errs, tc.want) {
				t.Errorf("%v: %s s_client: exit %d (want %d), no %q:\n%s\nstderr:\n%s", tc.args, filepath.Base(prog), code, tc.code, tc.want, out, errs)
			}
		}
	}
	for _, prog := range []string{openssl, tlskit} {
		srv := testpeer.SServer(t, prog, env, "-cert", pki.Server, "-key", pki.ServerKey, "-ssl_config", "c2")
		out, errs, code := clientRun(t, openssl, nil, srv.Addr, "-showcerts")
		if n := len(certSubjects.FindAllString(out, -1)); code != 0 || n != 2 {
			t.Errorf("%s s_server -ssl_config c2: openssl s_client exit %d, %d certificates, want 2:\n%s\nstderr:\n%s", filepath.Base(prog), code, n, out, errs)
		}
	}
	got := startUp(t, tlskit, "s_client", env, "-ssl_config", "s2")
	if want := "exit 1\nError using configuration \"s2\"\n-ssl_config s2: verifycastore = " + pki.CA + " is not supported by tlskit: "; !strings.HasPrefix(got, want) {
		t.Errorf("a second store: %q, want %q…", got, want)
	}
}
