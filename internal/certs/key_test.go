package certs

import (
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cloudflare/circl/sign/ed448"
	"github.com/tlskit/tlskit/internal/engine/sig"
)

func TestLoadPrivateKey(t *testing.T) {
	t.Parallel()
	f := makeFixtures(t)
	tests := []struct {
		name, file string
		form       Format
		pass       string
		pub        string // openssl's -pubout of the same key
		skip       *bool  // row needs an optional fixture
	}{
		{name: "RSA PKCS#8 PEM", file: "rsa.pem", pub: "rsa"},
		{name: "RSA PKCS#1 PEM (-traditional)", file: "rsa-pkcs1.pem", form: FormatPEM, pub: "rsa"},
		{name: "RSA PKCS#8 DER", file: "rsa-pkcs8.der", form: FormatDER, pub: "rsa"},
		{name: "RSA PKCS#1 DER", file: "rsa-pkcs1.der", form: FormatDER, pub: "rsa"},
		{name: "RSA DER without -keyform", file: "rsa-pkcs1.der", pub: "rsa"},
		{name: "EC P-256 PKCS#8", file: "ec256.pem", pub: "ec256"},
		{name: "EC P-256 SEC1", file: "ec256-sec1.pem", pub: "ec256"},
		{name: "EC P-256 SEC1 DER", file: "ec256-sec1.der", form: FormatDER, pub: "ec256"},
		{name: "EC P-384 SEC1 after EC PARAMETERS", file: "ec384-params.pem", pub: "ec384"},
		{name: "EC P-384 PKCS#8", file: "ec384.pem", pub: "ec384"},
		{name: "Ed25519 PKCS#8", file: "ed25519.pem", pub: "ed25519"},
		{name: "Ed25519 DER", file: "ed25519.der", form: FormatDER, pub: "ed25519"},
		{name: "PBES2 PBKDF2 AES-256 (pkey -aes256)", file: "rsa-pbes2.pem", pass: testPass, pub: "rsa"},
		{name: "PBES2 scrypt AES-256", file: "rsa-scrypt.pem", pass: testPass, pub: "rsa"},
		{name: "PBES2 PBKDF2-SHA512 3DES", file: "ec256-3des-sha512.pem", pass: testPass, pub: "ec256"},
		{name: "PBES2 default PRF (HMAC-SHA1)", file: "ec384-pbes2-sha1.pem", pass: testPass, pub: "ec384"},
		{name: "PBES2 AES-128 DER", file: "ec256-pbes2.der", form: FormatDER, pass: testPass, pub: "ec256"},
		{name: "PKCS#12 PBE SHA1 3DES", file: "ed25519-pbe3des.pem", pass: testPass, pub: "ed25519"},
		{name: "PBES2 AES-192 Ed25519", file: "ed25519-pbes2.pem", pass: testPass, pub: "ed25519"},
		{name: "PBES1 MD5 DES", file: "rsa-pbe-md5-des.pem", pass: testPass, pub: "rsa", skip: &f.pbeMD5DES},
		{name: "legacy PEM AES-128 (rsa -aes128 -traditional)", file: "rsa-legacy-aes128.pem", pass: testPass, pub: "rsa"},
		{name: "legacy PEM DES-EDE3 (ec -des3)", file: "ec256-legacy-des3.pem", pass: testPass, pub: "ec256"},
		{name: "legacy PEM AES-256 EC P-384", file: "ec384-legacy-aes256.pem", pass: testPass, pub: "ec384"},
		{name: "cert then key in one PEM", file: "combo.pem", pub: "rsa"},
		{name: "encrypted key then certs", file: "key-then-cert.pem", pass: testPass, pub: "rsa"},
		{name: "PKCS#12 default", file: "leaf.p12", form: FormatP12, pass: testPass, pub: "rsa"},
		{name: "PKCS#12 without -keyform", file: "leaf.p12", pass: testPass, pub: "rsa"},
		{name: "PKCS#12 -legacy", file: "leaf-legacy.p12", form: FormatP12, pass: testPass, pub: "rsa", skip: &f.legacyP12},
		{name: "PKCS#12 empty pass", file: "ed-nopass.p12", form: FormatP12, pub: "ed25519"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.skip != nil && !*tc.skip {
				t.Skipf("this openssl could not write %s", tc.file)
			}
			key, err := LoadPrivateKey(f.path(tc.file), tc.form, tc.pass)
			if err != nil {
				t.Fatal(err)
			}
			want := pubKey(t, f.path(tc.pub+".pub.der"))
			if !key.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(want) {
				t.Errorf("loaded key's public half differs from openssl's -pubout")
			}
		})
	}
}

// TestEd448Key loads an Ed448 key (RFC 8410 PKCS#8, made by openssl),
// signs with it, and matches it to its certificate but not to another.
func TestEd448Key(t *testing.T) {
	t.Parallel()
	f := makeFixtures(t)
	key, err := LoadPrivateKey(f.path("ed448.pem"), FormatPEM, "")
	if err != nil {
		t.Fatal(err)
	}
	priv, ok := key.(ed448.PrivateKey)
	if !ok {
		t.Fatalf("key is %T", key)
	}
	msg := []byte("tlskit")
	if !ed448.Verify(priv.Public().(ed448.PublicKey), msg, ed448.Sign(priv, msg, ""), "") {
		t.Error("signature does not verify")
	}
	dir := t.TempDir()
	openssl(t, dir, "req", "-x509", "-key", f.path("ed448.pem"), "-subj", "/CN=ed448", "-days", "3", "-out", "ed448-cert.pem")
	openssl(t, dir, "genpkey", "-algorithm", "ED448", "-out", "other.pem")
	certs, err := LoadCertificates(filepath.Join(dir, "ed448-cert.pem"), FormatPEM, "")
	if err != nil {
		t.Fatal(err)
	}
	other, err := LoadPrivateKey(filepath.Join(dir, "other.pem"), FormatPEM, "")
	if err != nil {
		t.Fatal(err)
	}
	if !CertMatchesKey(certs[0], key) || CertMatchesKey(certs[0], other) {
		t.Errorf("CertMatchesKey: own key %v, other key %v", CertMatchesKey(certs[0], key), CertMatchesKey(certs[0], other))
	}
	bad := writeFile(t, filepath.Join(dir, "bad.der"), []byte{0x30, 0x0e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x71, 0x04, 0x02, 0x04, 0x00})
	if _, err := LoadPrivateKey(bad, FormatDER, ""); err == nil || !strings.Contains(err.Error(), "malformed Ed448 private key") {
		t.Errorf("a short seed: %v", err)
	}
}

// TestRSAPSSKey loads an RSASSA-PSS key (PKCS#8 id-RSASSA-PSS, made by
// openssl genpkey -algorithm RSA-PSS), which crypto/x509 refuses: it
// signs with PSS only, its public half is a sig.PSSPublicKey, and it
// matches its certificate but not another one.
func TestRSAPSSKey(t *testing.T) {
	t.Parallel()
	f := makeFixtures(t)
	key, err := LoadPrivateKey(f.path("rsapss.pem"), FormatPEM, "")
	if err != nil {
		t.Fatal(err)
	}
	priv, ok := key.(sig.PSSPrivateKey)
	if !ok {
		t.Fatalf("key is %T", key)
	}
	if _, ok := priv.Public().(sig.PSSPublicKey); !ok {
		t.Fatalf("public key is %T", priv.Public())
	}
	d := sha256.Sum256([]byte("tlskit"))
	if _, err := priv.Sign(rand.Reader, d[:], crypto.SHA256); err == nil {
		t.Error("an RSASSA-PSS key signed PKCS#1 v1.5")
	}
	dir := t.TempDir()
	openssl(t, dir, "req", "-x509", "-key", f.path("rsapss.pem"), "-subj", "/CN=pss", "-days", "3", "-out", "pss-cert.pem")
	openssl(t, dir, "genpkey", "-algorithm", "RSA-PSS", "-pkeyopt", "rsa_keygen_bits:1024", "-out", "other.pem")
	certs, err := LoadCertificates(filepath.Join(dir, "pss-cert.pem"), FormatPEM, "")
	if err != nil {
		t.Fatal(err)
	}
	other, err := LoadPrivateKey(filepath.Join(dir, "other.pem"), FormatPEM, "")
	if err != nil {
		t.Fatal(err)
	}
	if !CertMatchesKey(certs[0], key) || CertMatchesKey(certs[0], other) {
		t.Errorf("CertMatchesKey: own key %v, other key %v", CertMatchesKey(certs[0], key), CertMatchesKey(certs[0], other))
	}
}

func TestLoadPrivateKeyErrors(t *testing.T) {
	t.Parallel()
	f := makeFixtures(t)
	tmp := t.TempDir()
	garbagePEM := writeFile(t, filepath.Join(tmp, "garbage.pem"), []byte("-----BEGIN PRIVATE KEY-----\nnot base64 at all!!\n-----END PRIVATE KEY-----\n"))
	badBody := writeFile(t, filepath.Join(tmp, "badbody.pem"), []byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"))
	dsa := writeFile(t, filepath.Join(tmp, "dsa.pem"), []byte("-----BEGIN DSA PRIVATE KEY-----\nMAA=\n-----END DSA PRIVATE KEY-----\n"))
	text := writeFile(t, filepath.Join(tmp, "text.txt"), []byte("hello\n"))
	rsaDER, err := os.ReadFile(f.path("rsa-pkcs8.der"))
	if err != nil {
		t.Fatal(err)
	}
	truncated := writeFile(t, filepath.Join(tmp, "truncated.der"), rsaDER[:len(rsaDER)/2])

	tests := []struct {
		name, path string
		form       Format
		pass       string
		reason     string
		is         error
	}{
		{"missing file", f.path("nope.pem"), FormatPEM, "", "no such file", ErrNoSuchFile},
		{"directory", f.dir, FormatPEM, "", "is a directory", nil},
		{"garbage PEM", garbagePEM, FormatPEM, "", "malformed PEM private key", nil},
		{"PEM with bad body", badBody, FormatPEM, "", "malformed PEM private key (PRIVATE KEY)", nil},
		{"cert only", f.path("leaf.pem"), FormatPEM, "", "no PEM private key found", nil},
		{"text with -keyform DER", text, FormatDER, "", "not a valid DER private key", nil},
		{"text", text, FormatAuto, "", "no private key found", nil},
		{"truncated DER", truncated, FormatDER, "", "not a valid DER private key", nil},
		{"PBES2 wrong pass", f.path("rsa-pbes2.pem"), FormatPEM, "wrong", "wrong pass phrase", ErrWrongPass},
		{"PBES2 no pass", f.path("rsa-pbes2.pem"), FormatPEM, "", "pass phrase required (use -pass)", ErrPassRequired},
		{"scrypt wrong pass", f.path("rsa-scrypt.pem"), FormatPEM, "wrong", "wrong pass phrase", ErrWrongPass},
		{"legacy wrong pass", f.path("rsa-legacy-aes128.pem"), FormatPEM, "wrong", "wrong pass phrase", ErrWrongPass},
		{"legacy no pass", f.path("ec256-legacy-des3.pem"), FormatPEM, "", "pass phrase required", ErrPassRequired},
		{"PKCS#12 PBE wrong pass", f.path("ed25519-pbe3des.pem"), FormatPEM, "wrong", "wrong pass phrase", ErrWrongPass},
		{"P12 wrong pass", f.path("leaf.p12"), FormatP12, "wrong", "wrong pass phrase", ErrWrongPass},
		{"P12 no pass", f.path("leaf.p12"), FormatP12, "", "pass phrase required", ErrPassRequired},
		{"P12 format on PEM cert", f.path("leaf.pem"), FormatP12, "", "no PEM private key found", nil},
		{"DSA", dsa, FormatPEM, "", "unsupported key type DSA", ErrUnsupported},
		{"secp256k1 PKCS#8", f.path("k1.pem"), FormatPEM, "", "unsupported elliptic curve", ErrUnsupported},
		{"secp256k1 SEC1", f.path("k1-sec1.pem"), FormatPEM, "", "unsupported elliptic curve", ErrUnsupported},
		{"P12 without key", f.path("ca-only.p12"), FormatP12, testPass, "PKCS#12 file has no private key", ErrUnsupported},
		{"X25519", f.path("x25519.pem"), FormatPEM, "", "X25519 key cannot sign", ErrUnsupported},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadPrivateKey(tc.path, tc.form, tc.pass)
			checkLoadError(t, err, tc.path, tc.reason)
			if !strings.HasPrefix(err.Error(), "certs: cannot load private key from ") {
				t.Errorf("message %q does not start with the object and file", err)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("errors.Is(%v, %v) = false", err, tc.is)
			}
		})
	}
}

func TestUnreadableFile(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("running as root: root reads a chmod 000 file anyway")
	}
	p := writeFile(t, t.TempDir()+"/key.pem", []byte("x"))
	if err := os.Chmod(p, 0); err != nil {
		t.Fatal(err)
	}
	_, err := LoadPrivateKey(p, FormatPEM, "")
	checkLoadError(t, err, p, "permission denied")
	if !errors.Is(err, ErrPermission) {
		t.Errorf("errors.Is(%v, ErrPermission) = false", err)
	}
	_, err = LoadCertificates(p, FormatPEM, "")
	checkLoadError(t, err, p, "permission denied")
}

func TestParseFormat(t *testing.T) {
	tests := []struct {
		in      string
		want    Format
		wantErr string
	}{
		{"PEM", FormatPEM, ""}, {"pem", FormatPEM, ""}, {"p", FormatPEM, ""},
		{"DER", FormatDER, ""}, {"der", FormatDER, ""}, {"d", FormatDER, ""},
		{"P12", FormatP12, ""}, {"pkcs12", FormatP12, ""},
		{"ENGINE", 0, "engines are not supported"}, {"engine", 0, "engines are not supported"},
		{"xyz", 0, `bad format "xyz"`}, {"", 0, "bad format"},
	}
	for _, tc := range tests {
		got, err := ParseFormat(tc.in)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("ParseFormat(%q) error = %v, want %q", tc.in, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseFormat(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}
