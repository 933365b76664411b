package certs

import (
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

func cns(certs []*x509.Certificate) string {
	var out []string
	for _, c := range certs {
		out = append(out, c.Subject.CommonName)
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}

// hashDir makes a CApath directory with openssl rehash, plus entries that must be ignored.
func hashDir(t *testing.T, f *fixtures) string {
	t.Helper()
	dir := t.TempDir()
	for _, n := range []string{"ca.pem", "ed.pem", "crl.pem"} {
		b, err := os.ReadFile(f.path(n))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, n), b)
	}
	openssl(t, dir, "rehash", ".")
	links, _ := filepath.Glob(filepath.Join(dir, "????????.0"))
	if len(links) != 2 {
		t.Fatalf("openssl rehash made %d certificate links, want 2", len(links))
	}
	// A non-hash name holding a certificate is never read by openssl, so not by us either;
	// nor is a certificate filed under another subject's hash.
	b, _ := os.ReadFile(f.path("leaf.pem"))
	writeFile(t, filepath.Join(dir, "leaf.pem"), b)
	writeFile(t, filepath.Join(dir, strings.TrimSuffix(filepath.Base(links[0]), ".0")+".7"), b)
	writeFile(t, filepath.Join(dir, "01234567.0"), b)
	// Broken entries are tolerated.
	writeFile(t, filepath.Join(dir, "deadbeef.0"), []byte("garbage"))
	if err := os.Symlink(filepath.Join(dir, "gone"), filepath.Join(dir, "00000000.1")); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestLoadCAFile(t *testing.T) {
	t.Parallel()
	f := makeFixtures(t)
	for _, tc := range []struct{ file, want string }{
		{"bundle.pem", "Test CA,ed"},
		{"leaf.der", "leaf.test"},
		{"key-then-cert.pem", "Test CA,leaf.test"},
	} {
		certs, err := LoadCAFile(f.path(tc.file))
		if err != nil {
			t.Fatal(err)
		}
		if got := cns(certs); got != tc.want {
			t.Errorf("LoadCAFile(%s) = %s, want %s", tc.file, got, tc.want)
		}
	}
	_, err := LoadCAFile(f.path("missing.pem"))
	checkLoadError(t, err, f.path("missing.pem"), "cannot load CA certificates")
	if !errors.Is(err, ErrNoSuchFile) {
		t.Errorf("want ErrNoSuchFile, got %v", err)
	}
	_, err = LoadCAFile(f.path("rsa.pem"))
	checkLoadError(t, err, f.path("rsa.pem"), "no PEM certificate found")
}

func TestLoadCADir(t *testing.T) {
	t.Parallel()
	f := makeFixtures(t)
	dir := hashDir(t, f)
	certs, err := LoadCADir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := cns(certs); got != "Test CA,ed" {
		t.Errorf("LoadCADir = %s, want Test CA,ed", got)
	}
	crls, err := LoadCRLDir(dir)
	if err != nil || len(crls) != 1 {
		t.Errorf("LoadCRLDir = %d CRLs, %v; want 1", len(crls), err)
	}
	_, err = LoadCADir(filepath.Join(dir, "nope"))
	checkLoadError(t, err, filepath.Join(dir, "nope"), "no such file")
	_, err = LoadCADir(f.path("ca.pem"))
	checkLoadError(t, err, f.path("ca.pem"), "not a directory")
}

func TestLoadCAStore(t *testing.T) {
	t.Parallel()
	f := makeFixtures(t)
	dir := hashDir(t, f)
	for _, tc := range []struct{ uri, want string }{
		{"file://" + f.path("bundle.pem"), "Test CA,ed"},
		{"file://localhost" + f.path("bundle.pem"), "Test CA,ed"},
		{"file:" + f.path("bundle.pem"), "Test CA,ed"},
		{f.path("bundle.pem"), "Test CA,ed"},
		{"file://" + dir, "Test CA,ed"},
		{dir, "Test CA,ed"},
	} {
		certs, err := LoadCAStore(tc.uri)
		if err != nil {
			t.Errorf("LoadCAStore(%s): %v", tc.uri, err)
			continue
		}
		if got := cns(certs); got != tc.want {
			t.Errorf("LoadCAStore(%s) = %s, want %s", tc.uri, got, tc.want)
		}
	}
	for _, tc := range []struct{ uri, reason string }{
		{"http://example.com/ca.pem", `unsupported store URI scheme "http"`},
		{"org.openssl.winstore:", "unsupported store URI scheme"},
		{"file://otherhost/x", `remote host "otherhost"`},
		{"file://" + f.path("nope"), "no such file"},
		{"file://" + f.path("rsa.pem"), "no PEM certificate found"},
	} {
		_, err := LoadCAStore(tc.uri)
		checkLoadError(t, err, tc.uri, tc.reason)
	}
}

func TestSystemCAs(t *testing.T) {
	f := makeFixtures(t)
	empty := t.TempDir()
	t.Setenv("SSL_CERT_FILE", f.path("ca.pem"))
	t.Setenv("SSL_CERT_DIR", empty+":"+hashDir(t, f))
	certs, err := SystemCAs()
	if err != nil {
		t.Fatal(err)
	}
	// ca.pem comes from both the file and the directory: it must appear once.
	if got := cns(certs); got != "Test CA,ed" {
		t.Errorf("SystemCAs with SSL_CERT_FILE/SSL_CERT_DIR = %s, want Test CA,ed", got)
	}

	t.Setenv("SSL_CERT_FILE", filepath.Join(empty, "none.pem"))
	t.Setenv("SSL_CERT_DIR", empty)
	_, err = SystemCAs()
	if err == nil || !strings.Contains(err.Error(), "cannot load default CA certificates: none found in") {
		t.Errorf("SystemCAs with empty overrides: %v", err)
	}

	os.Unsetenv("SSL_CERT_FILE")
	os.Unsetenv("SSL_CERT_DIR")
	if _, err := os.Stat(filepath.Join(OpenSSLDir(), "cert.pem")); err != nil {
		t.Skipf("no default store on this machine (%v)", err)
	}
	certs, err = SystemCAs()
	if err != nil || len(certs) == 0 {
		t.Errorf("default SystemCAs() = %d certs, %v", len(certs), err)
	}
}

func TestStorePath(t *testing.T) {
	for in, want := range map[string]string{
		"file:///etc/ssl":          "/etc/ssl",
		"file://localhost/etc/ssl": "/etc/ssl",
		"file:/etc/ssl":            "/etc/ssl",
		"file:rel/dir":             "rel/dir",
		"/etc/ssl":                 "/etc/ssl",
		"rel/x:y":                  "rel/x:y",
		"./c:x":                    "./c:x",
	} {
		if got, err := storePath(in); err != nil || got != want {
			t.Errorf("storePath(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}
