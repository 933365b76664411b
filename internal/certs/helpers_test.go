package certs

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/testpeer"
)

// openssl runs the real openssl in dir; every input of these tests is made this way, so the
// loaders are checked against what users actually feed them.
func openssl(t testing.TB, dir string, args ...string) {
	t.Helper()
	testpeer.Need(t, "openssl")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "openssl", args...)
	cmd.Dir = dir
	cmd.Stdin = strings.NewReader("")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// tryOpenSSL is openssl for optional inputs (algorithms a build may lack): it reports failure.
func tryOpenSSL(dir string, args ...string) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "openssl", args...)
	cmd.Dir = dir
	return cmd.Run() == nil
}

// fixtures holds one directory of keys and certificates made by openssl.
type fixtures struct {
	dir string
	// legacyP12 is false when this openssl cannot write pkcs12 -legacy.
	legacyP12 bool
	// pbeMD5DES is false when this openssl lacks the legacy provider for PBE-MD5-DES.
	pbeMD5DES bool
}

func (f *fixtures) path(name string) string { return filepath.Join(f.dir, name) }

const testPass = "s3cret pass"

// The fixtures are made once per test binary (RSA key generation is the slow part) in a
// temporary directory that TestMain removes.
var shared struct {
	once sync.Once
	f    *fixtures
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.f != nil {
		os.RemoveAll(shared.f.dir)
	}
	os.Exit(code)
}

func makeFixtures(t testing.TB) *fixtures {
	t.Helper()
	testpeer.Need(t, "openssl")
	shared.once.Do(func() {
		dir, err := os.MkdirTemp("", "certs-test-")
		if err != nil {
			shared.err = err
			return
		}
		shared.f = &fixtures{dir: dir}
		shared.err = buildFixtures(shared.f)
	})
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared.f
}

func buildFixtures(f *fixtures) (err error) {
	// o runs one openssl command; after the first failure the rest are skipped.
	o := func(args ...string) {
		if err != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, "openssl", args...)
		cmd.Dir = f.dir
		cmd.Stdin = strings.NewReader("")
		if out, e := cmd.CombinedOutput(); e != nil {
			err = fmt.Errorf("openssl %s: %v\n%s", strings.Join(args, " "), e, out)
		}
	}
	cat := func(dst string, srcs ...string) {
		if err != nil {
			return
		}
		var all []byte
		for _, s := range srcs {
			b, e := os.ReadFile(f.path(s))
			if e != nil {
				err = e
				return
			}
			all = append(all, b...)
		}
		err = os.WriteFile(f.path(dst), all, 0o600)
	}
	pw := "pass:" + testPass
	// Plain keys in each structure.
	o("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "rsa.pem")
	o("rsa", "-in", "rsa.pem", "-traditional", "-out", "rsa-pkcs1.pem")
	o("pkey", "-in", "rsa.pem", "-outform", "DER", "-out", "rsa-pkcs8.der")
	o("rsa", "-in", "rsa.pem", "-traditional", "-outform", "DER", "-out", "rsa-pkcs1.der")
	o("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "ec256.pem")
	o("ec", "-in", "ec256.pem", "-out", "ec256-sec1.pem")
	o("ec", "-in", "ec256.pem", "-outform", "DER", "-out", "ec256-sec1.der")
	o("ecparam", "-name", "secp384r1", "-genkey", "-out", "ec384-params.pem")
	o("pkey", "-in", "ec384-params.pem", "-out", "ec384.pem")
	o("genpkey", "-algorithm", "ED25519", "-out", "ed25519.pem")
	o("pkey", "-in", "ed25519.pem", "-outform", "DER", "-out", "ed25519.der")
	o("genpkey", "-algorithm", "ED448", "-out", "ed448.pem")
	o("genpkey", "-algorithm", "X25519", "-out", "x25519.pem")
	o("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:secp256k1", "-out", "k1.pem")
	o("ec", "-in", "k1.pem", "-out", "k1-sec1.pem")
	o("genpkey", "-algorithm", "RSA-PSS", "-pkeyopt", "rsa_keygen_bits:1024", "-out", "rsapss.pem")
	for _, k := range []string{"rsa", "ec256", "ec384", "ed25519"} {
		o("pkey", "-in", k+".pem", "-pubout", "-outform", "DER", "-out", k+".pub.der")
	}

	// Encrypted keys.
	o("pkey", "-in", "rsa.pem", "-aes256", "-passout", pw, "-out", "rsa-pbes2.pem")
	o("pkcs8", "-topk8", "-in", "rsa.pem", "-v2", "aes-256-cbc", "-scrypt", "-passout", pw, "-out", "rsa-scrypt.pem")
	o("pkcs8", "-topk8", "-in", "ec256.pem", "-v2", "des3", "-v2prf", "hmacWithSHA512", "-passout", pw, "-out", "ec256-3des-sha512.pem")
	// With hmacWithSHA1 openssl leaves the PRF out: the DEFAULT of RFC 8018 must apply.
	o("pkcs8", "-topk8", "-in", "ec384.pem", "-v2", "aes-256-cbc", "-v2prf", "hmacWithSHA1", "-passout", pw, "-out", "ec384-pbes2-sha1.pem")
	o("pkcs8", "-topk8", "-in", "ec256.pem", "-v2", "aes-128-cbc", "-outform", "DER", "-passout", pw, "-out", "ec256-pbes2.der")
	o("pkcs8", "-topk8", "-in", "ed25519.pem", "-v1", "PBE-SHA1-3DES", "-passout", pw, "-out", "ed25519-pbe3des.pem")
	o("pkey", "-in", "ed25519.pem", "-aes192", "-passout", pw, "-out", "ed25519-pbes2.pem")
	o("rsa", "-in", "rsa.pem", "-aes128", "-traditional", "-passout", pw, "-out", "rsa-legacy-aes128.pem")
	o("ec", "-in", "ec256.pem", "-des3", "-passout", pw, "-out", "ec256-legacy-des3.pem")
	o("ec", "-in", "ec384.pem", "-aes256", "-passout", pw, "-out", "ec384-legacy-aes256.pem")
	f.pbeMD5DES = tryOpenSSL(f.dir, "pkcs8", "-topk8", "-in", "rsa.pem", "-v1", "PBE-MD5-DES",
		"-provider", "legacy", "-provider", "default", "-passout", pw, "-out", "rsa-pbe-md5-des.pem")

	// A CA (EC) and a leaf (RSA) it signed, plus a second self-signed cert.
	o("req", "-x509", "-key", "ec256.pem", "-subj", "/CN=Test CA", "-days", "30", "-out", "ca.pem",
		"-addext", "basicConstraints=critical,CA:true", "-addext", "keyUsage=keyCertSign,cRLSign")
	o("req", "-new", "-key", "rsa.pem", "-subj", "/CN=leaf.test", "-out", "leaf.csr")
	o("x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ec256.pem", "-CAcreateserial", "-days", "30", "-out", "leaf.pem")
	o("x509", "-in", "leaf.pem", "-outform", "DER", "-out", "leaf.der")
	o("req", "-x509", "-key", "ed25519.pem", "-subj", "/CN=ed", "-days", "30", "-out", "ed.pem")
	o("x509", "-in", "ca.pem", "-trustout", "-addtrust", "serverAuth", "-out", "ca-trusted.pem")
	cat("combo.pem", "leaf.pem", "rsa-pkcs1.pem")
	cat("key-then-cert.pem", "rsa-pbes2.pem", "leaf.pem", "ca.pem")
	cat("bundle.pem", "ca.pem", "ed.pem")

	// CRLs from a minimal openssl ca setup: first empty, then with the leaf revoked.
	if err == nil {
		err = os.WriteFile(f.path("ca.cnf"), []byte("[ca]\ndefault_ca = d\n[d]\ndatabase = index.txt\n"+
			"crlnumber = crlnumber\ndefault_md = sha256\ndefault_crl_days = 30\n"), 0o600)
	}
	if err == nil {
		err = os.WriteFile(f.path("index.txt"), nil, 0o600)
	}
	if err == nil {
		err = os.WriteFile(f.path("crlnumber"), []byte("01\n"), 0o600)
	}
	o("ca", "-config", "ca.cnf", "-gencrl", "-keyfile", "ec256.pem", "-cert", "ca.pem", "-out", "crl-empty.pem")
	o("ca", "-config", "ca.cnf", "-revoke", "leaf.pem", "-keyfile", "ec256.pem", "-cert", "ca.pem")
	o("ca", "-config", "ca.cnf", "-gencrl", "-keyfile", "ec256.pem", "-cert", "ca.pem", "-out", "crl.pem")
	o("crl", "-in", "crl.pem", "-outform", "DER", "-out", "crl.der")

	// PKCS#12 with chain: OpenSSL 3.0's default (PBES2/AES-256-CBC, SHA-256 MAC) and -legacy.
	o("pkcs12", "-export", "-in", "leaf.pem", "-inkey", "rsa.pem", "-certfile", "ca.pem", "-passout", pw, "-out", "leaf.p12")
	f.legacyP12 = tryOpenSSL(f.dir, "pkcs12", "-export", "-legacy", "-in", "leaf.pem", "-inkey", "rsa.pem",
		"-certfile", "ca.pem", "-passout", pw, "-out", "leaf-legacy.p12")
	o("pkcs12", "-export", "-nokeys", "-in", "ca.pem", "-passout", pw, "-out", "ca-only.p12")
	o("pkcs12", "-export", "-in", "ed.pem", "-inkey", "ed25519.pem", "-passout", "pass:", "-out", "ed-nopass.p12")
	return err
}

func writeFile(t testing.TB, path string, data []byte) string {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// pubKey reads a DER public key written by openssl pkey -pubout.
func pubKey(t testing.TB, path string) any {
	t.Helper()
	der, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	k, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// checkLoadError asserts the one-line message names the file and contains the reason, and that
// the error is a *LoadError.
func checkLoadError(t *testing.T, err error, path, reason string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one naming %q with %q", path, reason)
	}
	var le *LoadError
	if !errors.As(err, &le) {
		t.Fatalf("error %v (%T) is not a *LoadError", err, err)
	}
	msg := err.Error()
	if strings.Contains(msg, "\n") {
		t.Errorf("error spans several lines: %q", msg)
	}
	if path != "" && !strings.Contains(msg, `"`+path+`"`) {
		t.Errorf("error %q does not name %q", msg, path)
	}
	if !strings.Contains(msg, reason) {
		t.Errorf("error %q does not say %q", msg, reason)
	}
	for _, noise := range []string{"asn1:", "x509:", "pkcs12:", "structure error", "open "} {
		if strings.Contains(msg, noise) {
			t.Errorf("error %q leaks Go-internal wording %q", msg, noise)
		}
	}
}
