package certs

import (
	"bytes"
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadCertificates(t *testing.T) {
	t.Parallel()
	f := makeFixtures(t)
	tests := []struct {
		name, file string
		form       Format
		pass       string
		wantCN     []string
		skip       *bool
	}{
		{name: "one PEM", file: "leaf.pem", form: FormatPEM, wantCN: []string{"leaf.test"}},
		{name: "PEM bundle", file: "bundle.pem", wantCN: []string{"Test CA", "ed"}},
		{name: "cert + key PEM skips the key", file: "combo.pem", wantCN: []string{"leaf.test"}},
		{name: "key then certs", file: "key-then-cert.pem", wantCN: []string{"leaf.test", "Test CA"}},
		{name: "DER", file: "leaf.der", form: FormatDER, wantCN: []string{"leaf.test"}},
		{name: "DER without -certform", file: "leaf.der", wantCN: []string{"leaf.test"}},
		{name: "DER with -certform PEM (openssl 3 detects it)", file: "leaf.der", form: FormatPEM, wantCN: []string{"leaf.test"}},
		{name: "TRUSTED CERTIFICATE", file: "ca-trusted.pem", wantCN: []string{"Test CA"}},
		{name: "PKCS#12 leaf + chain", file: "leaf.p12", form: FormatP12, pass: testPass, wantCN: []string{"leaf.test", "Test CA"}},
		{name: "PKCS#12 -legacy", file: "leaf-legacy.p12", form: FormatP12, pass: testPass, wantCN: []string{"leaf.test", "Test CA"}, skip: &f.legacyP12},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.skip != nil && !*tc.skip {
				t.Skipf("this openssl could not write %s", tc.file)
			}
			certs, err := LoadCertificates(f.path(tc.file), tc.form, tc.pass)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range certs {
				got = append(got, c.Subject.CommonName)
			}
			if strings.Join(got, ",") != strings.Join(tc.wantCN, ",") {
				t.Errorf("got certificates %q, want %q", got, tc.wantCN)
			}
		})
	}
}

func TestLoadCertificatesErrors(t *testing.T) {
	t.Parallel()
	f := makeFixtures(t)
	tmp := t.TempDir()
	der, err := os.ReadFile(f.path("leaf.der"))
	if err != nil {
		t.Fatal(err)
	}
	truncated := writeFile(t, filepath.Join(tmp, "trunc.der"), der[:len(der)-10])
	garbage := writeFile(t, filepath.Join(tmp, "garbage.pem"), []byte("-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n"))
	pemBytes, _ := os.ReadFile(f.path("leaf.pem"))
	corrupt := writeFile(t, filepath.Join(tmp, "corrupt.pem"), bytes.Replace(pemBytes, []byte("MII"), []byte("MIA"), 1))
	tests := []struct {
		name, path string
		form       Format
		pass       string
		reason     string
	}{
		{"missing", f.path("nope.pem"), FormatPEM, "", "no such file"},
		{"key only", f.path("rsa.pem"), FormatPEM, "", "no PEM certificate found"},
		{"garbage PEM", garbage, FormatPEM, "", "malformed PEM certificate"},
		{"corrupt PEM body", corrupt, FormatPEM, "", "malformed PEM certificate (number 1 in the file)"},
		{"truncated DER", truncated, FormatDER, "", "not a valid DER certificate"},
		{"truncated DER, no form", truncated, FormatAuto, "", "no certificate found (neither PEM nor DER)"},
		{"P12 wrong pass", f.path("leaf.p12"), FormatP12, "nope", "wrong pass phrase"},
		{"P12 no pass", f.path("leaf.p12"), FormatP12, "", "pass phrase required (use -pass)"},
		{"P12 without key", f.path("ca-only.p12"), FormatP12, testPass, "certificate-only PKCS#12 files are not supported"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadCertificates(tc.path, tc.form, tc.pass)
			checkLoadError(t, err, tc.path, tc.reason)
			if !strings.HasPrefix(err.Error(), "certs: cannot load certificate from ") {
				t.Errorf("message %q does not start with the object and file", err)
			}
		})
	}
}

func TestLoadKeyPair(t *testing.T) {
	t.Parallel()
	f := makeFixtures(t)
	leaf, err := LoadCertificates(f.path("leaf.pem"), FormatPEM, "")
	if err != nil {
		t.Fatal(err)
	}
	ca, err := LoadCertificates(f.path("ca.pem"), FormatPEM, "")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		spec KeyPairSpec
		want []*x509.Certificate
	}{
		{"cert and key", KeyPairSpec{Cert: f.path("leaf.pem"), Key: f.path("rsa-pkcs1.pem")}, leaf},
		{"key defaults to cert", KeyPairSpec{Cert: f.path("combo.pem")}, leaf},
		{"chain file", KeyPairSpec{Cert: f.path("leaf.pem"), Key: f.path("rsa.pem"), Chain: f.path("ca.pem")}, append(leaf[:1:1], ca...)},
		{"extra certs in the cert file are not sent", KeyPairSpec{Cert: f.path("key-then-cert.pem"), Pass: testPass}, leaf},
		{"extra certs in cert file, chain file's sent", KeyPairSpec{Cert: f.path("key-then-cert.pem"), Pass: testPass, Chain: f.path("ca.pem")}, append(leaf[:1:1], ca...)},
		{"chain file's duplicate of the leaf kept", KeyPairSpec{Cert: f.path("leaf.pem"), Key: f.path("rsa.pem"), Chain: f.path("key-then-cert.pem"), Pass: testPass}, append(leaf[:1:1], leaf[0], ca[0])},
		{"encrypted DER key", KeyPairSpec{Cert: f.path("ca.pem"), Key: f.path("ec256-pbes2.der"), KeyForm: FormatDER, Pass: testPass}, ca},
		{"PKCS#12: its chain is not sent", KeyPairSpec{Cert: f.path("leaf.p12"), CertForm: FormatP12, Pass: testPass}, leaf},
		{"PKCS#12 as chain file: all its certificates", KeyPairSpec{Cert: f.path("leaf.pem"), Key: f.path("rsa.pem"), Chain: f.path("leaf.p12"), Pass: testPass}, append(leaf[:1:1], leaf[0], ca[0])},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			kp, err := LoadKeyPair(tc.spec)
			if err != nil {
				t.Fatal(err)
			}
			if len(kp.Chain) != len(tc.want) {
				t.Fatalf("got %d certificates, want %d", len(kp.Chain), len(tc.want))
			}
			for i := range tc.want {
				if !bytes.Equal(kp.Chain[i], tc.want[i].Raw) {
					t.Errorf("certificate %d differs", i)
				}
			}
			if kp.Key == nil || !CertMatchesKey(tc.want[0], kp.Key.Public()) {
				t.Errorf("Key not set to the leaf's key")
			}
		})
	}

	t.Run("mismatch", func(t *testing.T) {
		_, err := LoadKeyPair(KeyPairSpec{Cert: f.path("leaf.pem"), Key: f.path("ec256.pem")})
		checkLoadError(t, err, f.path("ec256.pem"), `key does not match certificate "`+f.path("leaf.pem")+`"`)
		if !errors.Is(err, ErrKeyMismatch) {
			t.Errorf("errors.Is(%v, ErrKeyMismatch) = false", err)
		}
	})
	t.Run("missing chain", func(t *testing.T) {
		_, err := LoadKeyPair(KeyPairSpec{Cert: f.path("combo.pem"), Chain: f.path("nochain.pem")})
		checkLoadError(t, err, f.path("nochain.pem"), "certificate chain")
	})
	t.Run("missing pass for the key in the cert file", func(t *testing.T) {
		_, err := LoadKeyPair(KeyPairSpec{Cert: f.path("key-then-cert.pem")})
		checkLoadError(t, err, f.path("key-then-cert.pem"), "pass phrase required")
	})
}

func TestCertMatchesKey(t *testing.T) {
	t.Parallel()
	f := makeFixtures(t)
	leaf, err := LoadCertificates(f.path("leaf.pem"), FormatPEM, "")
	if err != nil {
		t.Fatal(err)
	}
	rsaKey, err := LoadPrivateKey(f.path("rsa.pem"), FormatPEM, "")
	if err != nil {
		t.Fatal(err)
	}
	ecKey, err := LoadPrivateKey(f.path("ec256.pem"), FormatPEM, "")
	if err != nil {
		t.Fatal(err)
	}
	if !CertMatchesKey(leaf[0], rsaKey) || !CertMatchesKey(leaf[0], rsaKey.Public()) {
		t.Error("leaf does not match its own key")
	}
	if CertMatchesKey(leaf[0], ecKey) || CertMatchesKey(leaf[0], nil) || CertMatchesKey(nil, rsaKey) {
		t.Error("leaf matches a foreign or nil key")
	}
}

// TestProblem: each way a load fails falls in the Problem the commands
// word it by (openssl's "Could not open", "Could not read", or tlskit's
// own text).
func TestProblem(t *testing.T) {
	t.Parallel()
	f := makeFixtures(t)
	garbage := writeFile(t, f.path("garbage.pem"), []byte("garbage\n"))
	loadKey := func(path, pass string) func() error {
		return func() error { _, err := LoadPrivateKey(path, FormatAuto, pass); return err }
	}
	for _, tc := range []struct {
		name string
		load func() error
		want Problem
	}{
		{"missing", loadKey(f.path("nothere.pem"), ""), ProblemMissing},
		{"directory", loadKey(f.dir, ""), ProblemUnreadable},
		{"garbage", loadKey(garbage, ""), ProblemUnreadable},
		{"certificate as key", loadKey(f.path("leaf.pem"), ""), ProblemUnreadable},
		{"pass required", loadKey(f.path("key-then-cert.pem"), ""), ProblemOwn},
		{"wrong pass", loadKey(f.path("key-then-cert.pem"), "wrong"), ProblemOwn},
		{"key as chain", func() error { _, err := LoadChain(f.path("rsa.pem"), ""); return err }, ProblemUnreadable},
		{"mismatch", func() error {
			_, err := LoadKeyPair(KeyPairSpec{Cert: f.path("leaf.pem"), Key: f.path("ec256.pem")})
			return err
		}, ProblemOwn},
		{"not a LoadError", func() error { return errors.New("other") }, ProblemOwn},
		{"no error", func() error { return nil }, ProblemOwn},
	} {
		if got := ProblemOf(tc.load()); got != tc.want {
			t.Errorf("%s: ProblemOf = %d, want %d", tc.name, got, tc.want)
		}
	}
}
