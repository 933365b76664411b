package verify

import (
	"context"
	"encoding/pem"
	"os"
	"path/filepath"
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

// TestRSAPSSChain: a chain whose CA has an RSASSA-PSS key and signs with
// RSASSA-PSS at the longest salt (openssl's default, which crypto/x509
// does not name) verifies as openssl verify says, at -auth_level 1 and
// 2; a leaf whose signature is altered is error 7 from both. tlskit took
// the signature for an unknown, 0-bit one (68) and could not check it.
func TestRSAPSSChain(t *testing.T) {
	needOpenSSL(t)
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for _, args := range [][]string{
		{"req", "-x509", "-newkey", "rsa-pss", "-pkeyopt", "rsa_keygen_bits:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
			"-subj", "/CN=pss ca", "-days", "2", "-addext", "basicConstraints=critical,CA:true", "-addext", "keyUsage=keyCertSign"},
		{"req", "-newkey", "rsa-pss", "-pkeyopt", "rsa_keygen_bits:2048", "-nodes", "-keyout", "leaf.key", "-out", "leaf.csr", "-subj", "/CN=localhost"},
		{"x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-set_serial", "2", "-out", "leaf.pem", "-days", "2"},
		{"x509", "-in", "leaf.pem", "-outform", "DER", "-out", "leaf.der"},
	} {
		if out, err := ossl(ctx, dir, args...); err != nil {
			t.Fatal(out)
		}
	}
	der, err := os.ReadFile(filepath.Join(dir, "leaf.der"))
	if err != nil {
		t.Fatal(err)
	}
	der[len(der)-1] ^= 1
	os.WriteFile(filepath.Join(dir, "bad.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	for _, c := range []struct {
		leaf, level string
		want        int
	}{{"leaf.pem", "1", 0}, {"leaf.pem", "2", 0}, {"bad.pem", "1", 7}} {
		args := []string{"-CAfile", "ca.pem", "-auth_level", c.level}
		out, _ := ossl(ctx, dir, append(append([]string{"verify"}, args...), c.leaf)...)
		want := 0
		if m := verifyErrLine.FindStringSubmatch(out); m != nil {
			want = atoi(m[1])
		}
		if want != c.want {
			t.Fatalf("openssl verify %s %v: %s (want code %d)", c.leaf, args, out, c.want)
		}
		if got := Verify(readPEM(t, dir, c.leaf), optionsFromArgs(t, dir, args)).Code; got != want {
			t.Errorf("%s at -auth_level %s: code %d, openssl %d", c.leaf, c.level, got, want)
		}
	}
}
