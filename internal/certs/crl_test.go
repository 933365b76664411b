package certs

import (
	"os"
	"path/filepath"
	"testing"
)

// TestLoadCRLs reads CRLs that openssl ca made: one revoking the leaf, and an empty one.
func TestLoadCRLs(t *testing.T) {
	t.Parallel()
	f := makeFixtures(t)
	leaf, err := LoadCertificates(f.path("leaf.pem"), FormatPEM, "")
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	writeFile(t, filepath.Join(tmp, "two.pem"), append(mustRead(t, f.path("crl.pem")), mustRead(t, f.path("crl-empty.pem"))...))
	for _, tc := range []struct {
		name, path string
		form       Format
		n, revoked int
	}{
		{"PEM", f.path("crl.pem"), FormatPEM, 1, 1},
		{"DER", f.path("crl.der"), FormatDER, 1, 1},
		{"DER without -CRLform", f.path("crl.der"), FormatAuto, 1, 1},
		{"empty CRL", f.path("crl-empty.pem"), FormatPEM, 1, 0},
		{"two in one PEM", filepath.Join(tmp, "two.pem"), FormatPEM, 2, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			crls, err := LoadCRLs(tc.path, tc.form)
			if err != nil {
				t.Fatal(err)
			}
			if len(crls) != tc.n {
				t.Fatalf("got %d CRLs, want %d", len(crls), tc.n)
			}
			entries := crls[0].RevokedCertificateEntries
			if len(entries) != tc.revoked {
				t.Fatalf("got %d revoked entries, want %d", len(entries), tc.revoked)
			}
			if tc.revoked == 1 && entries[0].SerialNumber.Cmp(leaf[0].SerialNumber) != 0 {
				t.Errorf("revoked serial %v, want the leaf's %v", entries[0].SerialNumber, leaf[0].SerialNumber)
			}
		})
	}

	der := mustRead(t, f.path("crl.der"))
	trunc := writeFile(t, filepath.Join(tmp, "trunc.der"), der[:len(der)-5])
	for _, tc := range []struct {
		name, path string
		form       Format
		reason     string
	}{
		{"missing", f.path("nope.crl"), FormatPEM, "no such file"},
		{"a certificate", f.path("leaf.pem"), FormatPEM, "no PEM CRL found"},
		{"truncated DER", trunc, FormatDER, "not a valid DER CRL"},
		{"truncated DER, PEM form", trunc, FormatPEM, "no PEM CRL found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadCRLs(tc.path, tc.form)
			checkLoadError(t, err, tc.path, tc.reason)
		})
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
