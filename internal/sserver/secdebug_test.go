package sserver

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/testpeer"
)

// TestSecurityDebug checks that -security_debug_verbose prints the
// security-level checks on stderr for the setup and for each connection,
// and that -security_debug prints only refusals.
func TestSecurityDebug(t *testing.T) {
	dir := t.TempDir()
	cert, key := writeCert(t, dir, "srv", "localhost", true)
	ts := startServer(t, "", "-cert", cert, "-key", key, "-www", "-security_debug_verbose")
	opensslClient(t, ts.addr, "GET / HTTP/1.0\r\n\r\n", 0, "-tls1_3")
	// The server prints the connection's checks as its handshake goes on,
	// after the client may have left: wait for each (the shared curve's
	// lines come well after the shared suite's).
	for _, want := range []string{
		"Security callback: Certificate chain EE key=, bits=2048, security bits=112: yes\n",
		"Security callback: Version=TLS 1.3: yes\n",
		"Security callback: Shared Ciphersuite=TLS_",
		"Security callback: Shared Curve=X25519, security bits=128: yes\n",
	} {
		testpeer.WaitOutput(t, ts.err.String, want, 10*time.Second)
	}
	if strings.Contains(ts.out.String(), "Security callback") {
		t.Errorf("security lines on stdout:\n%s", ts.out)
	}

	// At level 3 the 2048-bit RSA key (112 bits) is refused: -security_debug
	// must print that refusal and no accepted check.
	quiet := startServer(t, "", "-cert", cert, "-key", key, "-www", "-security_debug", "-cipher", "DEFAULT@SECLEVEL=3")
	opensslClient(t, quiet.addr, "GET / HTTP/1.0\r\n\r\n", 0, "-tls1_3")
	if !strings.Contains(quiet.err.String(), "Security callback: Certificate chain EE key=, bits=2048, security bits=112: no\n") {
		t.Errorf("-security_debug did not print the refused key:\n%s", quiet.err)
	}
	// The connection's refusals (the client's TLS 1.0 among them), so
	// that what follows looks at its checks too, not only the setup's.
	testpeer.WaitOutput(t, quiet.err.String, "Security callback: Version=TLS 1.0: no\n", 10*time.Second)
	for _, l := range strings.Split(quiet.err.String(), "\n") {
		if strings.HasPrefix(l, "Security callback:") && !strings.HasSuffix(l, ": no") {
			t.Errorf("-security_debug printed an accepted check: %q", l)
		}
	}
}

// TestSecurityDebugPSK: s_server -nocert -psk's checks match openssl
// s_server -security_debug_verbose's for the same openssl s_client -psk
// (their "Shared Ciphersuite" and "Temp DH key" lines, as sets): at TLS
// 1.2 the shared DHE_PSK suite and the server's own DH prime; at TLS 1.3
// every suite of the client's list it walks before the one its SHA-256
// key is bound to (TLS_AES_256_GCM_SHA384, then
// TLS_CHACHA20_POLY1305_SHA256).
func TestSecurityDebugPSK(t *testing.T) {
	testpeer.Need(t, "openssl")
	args := []string{"-nocert", "-psk", "1a2b3c4d", "-security_debug_verbose", "-naccept", "1"}
	pick := func(out string) []string {
		return testpeer.LineSet(out, "Security callback: Shared Ciphersuite=", "Security callback: Temp DH key")
	}
	for _, tc := range []struct {
		name, version string
		want          []string
	}{
		{"TLS 1.2", "-tls1_2", []string{"Security callback: Temp DH key bits=, security bits=128: yes",
			"Security callback: Shared Ciphersuite=DHE-PSK-AES256-GCM-SHA384, security bits=256: yes"}},
		{"TLS 1.3", "-tls1_3", []string{"Security callback: Shared Ciphersuite=TLS_AES_256_GCM_SHA384, security bits=256: yes",
			"Security callback: Shared Ciphersuite=TLS_CHACHA20_POLY1305_SHA256, security bits=256: yes"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := startServer(t, "", args...)
			opensslClient(t, ts.addr, "", 0, "-psk", "1a2b3c4d", tc.version)
			// -naccept 1: the server's checks are all printed once it
			// has ended (at TLS 1.2 its Temp DH key comes after the
			// shared suite, and the client may have left before either).
			if code := ts.wait(10 * time.Second); code != 0 {
				t.Errorf("tlskit s_server exit %d", code)
			}
			ref := testpeer.OpenSSLServer(t, args...)
			opensslClient(t, ref.Addr, "", 0, "-psk", "1a2b3c4d", tc.version)
			_, refErr := ref.Wait(t, 10*time.Second)
			got, want := pick(ts.err.String()), pick(refErr)
			for _, w := range tc.want {
				if !slices.Contains(want, w) {
					t.Errorf("openssl s_server did not print %q", w)
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("checks:\n%s\nopenssl s_server's:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

// TestSecurityDebugLikeOpenSSL runs openssl s_client against openssl
// s_server and then tlskit's, each with the same options, and compares
// their whole stderr: every "Security callback" line, as often and in the
// order openssl prints it (the version walks, the two ticket checks of a
// TLS 1.2 server, the shared schemes computed twice, the shared groups
// walked again for each line of the "Shared groups" summary), and the
// verify callback's lines between them.
func TestSecurityDebugLikeOpenSSL(t *testing.T) {
	needTool(t, "openssl")
	pki := testpeer.NewPKI(t)
	rsa := []string{"-cert", pki.Server, "-key", pki.ServerKey}
	ec := []string{"-cert", pki.ECServer, "-key", pki.ECServerKey}
	verify := []string{"-verify", "1", "-CAfile", pki.CA}
	clientCert := []string{"-cert", pki.Client, "-key", pki.ClientKey}
	rsa2, rsa2Key := writeCert(t, t.TempDir(), "r2", "localhost", true)
	cat := func(l ...[]string) []string { return slices.Concat(l...) }
	for _, tc := range []struct {
		name           string
		server, client []string
	}{
		{"tls12", rsa, []string{"-tls1_2"}},
		{"tls12-no_ticket", cat(rsa, []string{"-no_ticket"}), []string{"-tls1_2"}},
		{"tls12-no_resume_ephemeral", cat(rsa, []string{"-no_resume_ephemeral"}), []string{"-tls1_2"}},
		{"tls12-client-no_ticket", ec, []string{"-tls1_2", "-no_ticket"}},
		{"tls12-verify", cat(rsa, verify), cat([]string{"-tls1_2"}, clientCert)},
		{"tls12-serverpref-groups", cat(rsa, []string{"-serverpref", "-groups", "P-384:X25519"}), []string{"-tls1_2"}},
		{"tls12-server-only", cat(rsa, []string{"-tls1_2"}), nil},
		{"tls13", rsa, []string{"-tls1_3"}},
		{"tls13-verify-sigalgs", cat(rsa, verify, []string{"-sigalgs", "RSA-PSS+SHA256:ECDSA+SHA256"}), cat([]string{"-tls1_3"}, clientCert)},
		{"tls13-groups", cat(rsa, []string{"-groups", "X448:P-384:X25519", "-num_tickets", "3"}), []string{"-groups", "X25519:P-384"}},
		{"tls12-level3-quiet", cat(ec, []string{"-cipher", "DEFAULT@SECLEVEL=3"}), []string{"-tls1_2", "-cipher", "DEFAULT@SECLEVEL=3"}},
		{"tls13-level3", cat(ec, []string{"-cipher", "DEFAULT@SECLEVEL=3"}), []string{"-tls1_3", "-cipher", "DEFAULT@SECLEVEL=3"}},
		// Each certificate is checked as it is loaded; the client is
		// served -dcert's (RSA, self-signed) in -cert's slot.
		{"tls13-dcert-same-type", cat(rsa, []string{"-dcert", rsa2, "-dkey", rsa2Key}), []string{"-tls1_3"}},
		// A -dcert of another type: the chain checked is the one served
		// (the ECDSA one, or -cert's RSA one to an RSA-only client), and
		// at TLS 1.2 the ECDSA certificate's curve is checked either way.
		{"tls13-dcert-other-type", cat(rsa, []string{"-dcert", pki.ECServer, "-dkey", pki.ECServerKey}), []string{"-tls1_3"}},
		{"tls12-dcert-other-type", cat(rsa, []string{"-dcert", pki.ECServer, "-dkey", pki.ECServerKey}), []string{"-tls1_2"}},
		{"tls12-dcert-other-type-rsa", cat(rsa, []string{"-dcert", pki.ECServer, "-dkey", pki.ECServerKey}), []string{"-tls1_2", "-sigalgs", "RSA+SHA256"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			flag := "-security_debug_verbose"
			if strings.HasSuffix(tc.name, "-quiet") {
				flag = "-security_debug"
			}
			args := cat(tc.server, []string{flag, "-naccept", "1"})
			_, got, _, want := bothServers(t, "", args, func(addr string, output func() string) {
				opensslClientUntil(t, addr, "", printed(output, "CIPHER is"), tc.client...)
			})
			if !strings.Contains(want, "Security callback: ") {
				t.Fatalf("openssl s_server printed no checks:\n%s", want)
			}
			if got != want {
				t.Errorf("stderr differs from openssl s_server's:\n%s", testpeer.LineDiff(got, want))
			}
		})
	}
}
