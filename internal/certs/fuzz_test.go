package certs

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// FuzzLoaders feeds arbitrary bytes to every parser behind the Load functions. They must not
// panic or hang, must return either a value or an error, and their errors must stay one clean
// line. The seed corpus in testdata/fuzz/FuzzLoaders holds small openssl-made keys (plain,
// PBES2/PBKDF2, PBES2/scrypt, PKCS#12 PBE, legacy PEM, all with pass phrase "x"), certificates,
// a CRL and a PKCS#12 file.
func FuzzLoaders(f *testing.F) {
	f.Add([]byte("-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIGvVKlx2VZt1GQ0xCEKlRrI9ADk8R7pf1s2g3qYtpwzK\n-----END PRIVATE KEY-----\n"))
	f.Add([]byte("-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF\n\nAAAAAAAAAAAAAAAAAAAAAA==\n-----END RSA PRIVATE KEY-----\n"))
	f.Add([]byte{0x30, 0x03, 0x02, 0x01, 0x03})
	f.Add([]byte(""))
	// Real files use 2048 iterations; a mutated count in the millions would only slow the fuzzer.
	defer func(old int) { maxIterations = old }(maxIterations)
	maxIterations = 100_000
	f.Fuzz(func(t *testing.T, data []byte) {
		check := func(what string, ok bool, err error) {
			if ok == (err != nil) {
				t.Fatalf("%s: value present %v with error %v", what, ok, err)
			}
			if err == nil {
				return
			}
			msg := err.Error()
			if strings.ContainsAny(msg, "\n\r") || strings.Contains(msg, "asn1:") || msg == "" {
				t.Fatalf("%s: error is not one clean line: %q", what, msg)
			}
		}
		for _, form := range []Format{FormatAuto, FormatPEM, FormatDER, FormatP12} {
			k, err := ParsePrivateKey(data, form, "x")
			check("ParsePrivateKey", k != nil, err)
			certs, err := ParseCertificates(data, form, "x")
			check("ParseCertificates", len(certs) > 0, err)
			crls, err := ParseCRLs(data, form)
			check("ParseCRLs", len(crls) > 0, err)
		}
		_ = parseCertificatesLenient(data)
		_, _ = nameHash(data)
	})
}

// TestFuzzSeedsLoad keeps the seed corpus useful: each seed must parse successfully, so the
// fuzzer starts from inputs that reach the decryption and decoding code.
func TestFuzzSeedsLoad(t *testing.T) {
	files, err := filepath.Glob("testdata/fuzz/FuzzLoaders/seed-*")
	if err != nil || len(files) == 0 {
		t.Fatalf("no seed corpus: %v", err)
	}
	for _, name := range files {
		raw, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		lit, ok := strings.CutPrefix(string(raw), "go test fuzz v1\n[]byte(")
		lit, ok2 := strings.CutSuffix(lit, ")\n")
		data, err := strconv.Unquote(lit)
		if !ok || !ok2 || err != nil {
			t.Fatalf("%s: not a go test fuzz v1 []byte entry", name)
		}
		b := []byte(data)
		_, kerr := ParsePrivateKey(b, FormatAuto, "x")
		_, cerr := ParseCertificates(b, FormatAuto, "x")
		_, lerr := ParseCRLs(b, FormatAuto)
		if kerr != nil && cerr != nil && lerr != nil {
			t.Errorf("%s loads as nothing: %v; %v; %v", name, kerr, cerr, lerr)
		}
	}
}
