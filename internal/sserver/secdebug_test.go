package sserver

import (
	"strings"
	"testing"
	"time"
)

// TestSecurityDebug checks that -security_debug_verbose prints the
// security-level checks on stderr for the setup and for each connection,
// and that -security_debug prints only refusals.
func TestSecurityDebug(t *testing.T) {
	dir := t.TempDir()
	cert, key := writeCert(t, dir, "srv", "localhost", true)
	ts := startServer(t, "", "-cert", cert, "-key", key, "-www", "-security_debug_verbose")
	opensslClient(t, ts.addr, "GET / HTTP/1.0\r\n\r\n", 0, "-tls1_3")
	waitFor(t, ts.err, "Security callback: Shared Ciphersuite=TLS_", 10*time.Second)
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
