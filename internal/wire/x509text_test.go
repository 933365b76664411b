package wire

import (
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCertTextMatchesOpenSSL compares our X509 text with
// openssl x509 -text for certificates openssl itself made, with the
// extensions s_server certificates usually carry.
func TestCertTextMatchesOpenSSL(t *testing.T) {
	bin := needOpenSSL(t)
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"ec-ca", []string{"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384",
			"-addext", "subjectAltName=DNS:localhost,DNS:example.com",
			"-addext", "keyUsage=critical,digitalSignature,keyCertSign",
			"-addext", "extendedKeyUsage=serverAuth,clientAuth"}},
		{"rsa-leaf", []string{"-newkey", "rsa:1024",
			"-addext", "basicConstraints=critical,CA:FALSE"}},
		{"ed25519", []string{"-newkey", "ed25519"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			crt := filepath.Join(dir, tc.name+".crt")
			args := append([]string{"req", "-x509", "-nodes", "-keyout", filepath.Join(dir, tc.name+".key"),
				"-out", crt, "-subj", "/C=US/ST=CA/O=Ex Org/OU=Unit/CN=localhost", "-days", "30"}, tc.args...)
			if out, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
				t.Fatalf("openssl req: %v\n%s", err, out)
			}
			want, err := exec.Command(bin, "x509", "-in", crt, "-text", "-noout").Output()
			if err != nil {
				t.Fatal(err)
			}
			p, _ := os.ReadFile(crt)
			blk, _ := pem.Decode(p)
			var sb strings.Builder
			traceCertDetails(&sb, blk.Bytes)
			got := strings.TrimPrefix(sb.String(), "------details-----\n")
			got = got[:strings.Index(got, "-----BEGIN")]
			if got != string(want) {
				t.Errorf("ours:\n%s\nopenssl:\n%s", got, want)
			}
		})
	}
}
