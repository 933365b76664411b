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
	testpeer.WaitOutput(t, ts.err.String, "Security callback: Shared Ciphersuite=TLS_", 10*time.Second)
	for _, want := range []string{
		"Security callback: Certificate chain EE key=, bits=2048, security bits=112: yes\n",
		"Security callback: Version=TLS 1.3: yes\n",
		"Security callback: Shared Curve=X25519, security bits=128: yes\n",
	} {
		if !strings.Contains(ts.err.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, ts.err)
		}
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
			testpeer.WaitOutput(t, ts.err.String, tc.want[len(tc.want)-1], 10*time.Second)
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
