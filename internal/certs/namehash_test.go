package certs

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestNameHash checks nameHash against `openssl x509 -hash` for names that exercise the
// canonical form: case, white space, multi-valued RDNs, and each string type openssl writes.
func TestNameHash(t *testing.T) {
	t.Parallel()
	f := makeFixtures(t)
	dir := t.TempDir()
	subjects := []struct{ subj, mask string }{
		{"/CN=Test CA", "utf8only"},
		{"/CN=  Mixed \t  Case  /O=ACME, Inc./C=US", "utf8only"},
		{"/CN=b+O=A+OU=a", "utf8only"},
		{"/CN=été/O=ÜBER Straße", "utf8only"},
		{"/CN=été/O=ÜBER", "pkix"},     // BMPString
		{"/CN=été/O=Mixed", "nombstr"}, // T61String and PrintableString
		{"/DC=COM/DC=Example/CN=x/emailAddress=A@B.example", "default"},
		{"/serialNumber=0042/CN=x", "utf8only"},
	}
	for i, s := range subjects {
		name := fmt.Sprintf("s%d.pem", i)
		cnf := writeFile(t, filepath.Join(dir, name+".cnf"), []byte("[req]\ndistinguished_name = dn\nstring_mask = "+s.mask+"\n[dn]\n"))
		openssl(t, dir, "req", "-x509", "-config", cnf, "-key", f.path("ec256.pem"), "-utf8",
			"-subj", s.subj, "-days", "1", "-out", name)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		out, err := exec.CommandContext(ctx, "openssl", "x509", "-in", filepath.Join(dir, name), "-hash", "-noout").Output()
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		certs, err := LoadCertificates(filepath.Join(dir, name), FormatPEM, "")
		if err != nil {
			t.Fatal(err)
		}
		got, err := nameHash(certs[0].RawSubject)
		if want := strings.TrimSpace(string(out)); err != nil || fmt.Sprintf("%08x", got) != want {
			t.Errorf("%s (%s): nameHash = %08x, %v; openssl says %s", s.subj, s.mask, got, err, want)
		}
	}
}
