package certs

import (
	"regexp"
	"testing"
)

// TestHashFileNameAndScheme checks the hand-written matchers against the
// regular expressions they replace, on names around every boundary.
func TestHashFileNameAndScheme(t *testing.T) {
	certRE := regexp.MustCompile(`^[0-9a-fA-F]{8}\.[0-9]+$`)
	crlRE := regexp.MustCompile(`^[0-9a-fA-F]{8}\.r[0-9]+$`)
	schemeRE := regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]+:`)
	names := []string{
		"", "1a2b3c4d.0", "1A2B3C4D.12", "1a2b3c4d.r0", "1a2b3c4d.r", "1a2b3c4d.", "1a2b3c4d",
		"1a2b3c4g.0", "1a2b3c4.0", "1a2b3c4d5.0", "1a2b3c4d.0a", "1a2b3c4d.r0a", "1a2b3c4d.rr0",
		"1a2b3c4d.0\n", "ffffffff.99999", "1a2b3c4d.-1", "1a2b3c4d_0", "é2b3c4d.0",
		"file:/x", "C:\\x", "c:", "ab:", "a1:", "1a:", "a+b.c-d:rest", "a b:", "org.openssl.winstore://",
		":x", "ab", "a:b:c", "pkcs11:token", "x_y:z",
	}
	for _, n := range names {
		if got, want := hashFileName(n, false), certRE.MatchString(n); got != want {
			t.Errorf("hashFileName(%q, false) = %v, want %v", n, got, want)
		}
		if got, want := hashFileName(n, true), crlRE.MatchString(n); got != want {
			t.Errorf("hashFileName(%q, true) = %v, want %v", n, got, want)
		}
		if got, want := hasURIScheme(n), schemeRE.MatchString(n); got != want {
			t.Errorf("hasURIScheme(%q) = %v, want %v", n, got, want)
		}
	}
}
