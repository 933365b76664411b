package verify

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestEd448AndPSSKeyStrength: Ed448 and RSASSA-PSS leaf keys, which
// crypto/x509 leaves unparsed, are rated as openssl verify rates them at
// -auth_level 1 and 4 (Ed448: 224 bits, RSA-PSS 2048: 112); they were
// taken for 0-bit keys ("EE certificate key too weak" at every level).
func TestEd448AndPSSKeyStrength(t *testing.T) {
	needOpenSSL(t)
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for _, alg := range []string{"ed448", "rsa-pss"} {
		if out, err := ossl(ctx, dir, "req", "-x509", "-newkey", alg, "-nodes", "-keyout", alg+".key", "-out", alg+".pem",
			"-subj", "/CN=localhost", "-days", "2"); err != nil {
			t.Fatal(out)
		}
		for _, level := range []string{"1", "4"} {
			args := []string{"-CAfile", alg + ".pem", "-auth_level", level}
			out, _ := ossl(ctx, dir, append(append([]string{"verify"}, args...), alg+".pem")...)
			want := 0
			if m := verifyErrLine.FindStringSubmatch(out); m != nil {
				want = atoi(m[1])
			} else if !strings.Contains(out, ": OK") {
				t.Fatalf("openssl verify %v: %s", args, out)
			}
			got := Verify(readPEM(t, dir, alg+".pem"), optionsFromArgs(t, dir, args)).Code
			if got != want {
				t.Errorf("%s at -auth_level %s: code %d, openssl %d (%s)", alg, level, got, want, strings.TrimSpace(out))
			}
		}
	}
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}
