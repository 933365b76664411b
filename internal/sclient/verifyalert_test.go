package sclient

import (
	"encoding/pem"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tlskit/tlskit/internal/testpeer"
)

// TestVerifyAlertLikeOpenSSL serves chains that fail verification in
// different ways from openssl s_server and compares the alert tlskit's
// s_client -verify_return_error sends with openssl s_client's: a path
// length exceeded and an intermediate that is no CA (unknown_ca), a bad
// signature (decrypt_error), an unhandled critical extension
// (certificate_unknown).
func TestVerifyAlertLikeOpenSSL(t *testing.T) {
	testpeer.Need(t, "openssl")
	d := t.TempDir()
	f := func(n string) string { return filepath.Join(d, n) }
	key := func(n string) {
		openssl(t, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", f(n+".key"))
	}
	root := func(n, constraints string) {
		key(n)
		openssl(t, "req", "-x509", "-new", "-key", f(n+".key"), "-out", f(n+".pem"), "-days", "30", "-subj", "/CN="+n,
			"-addext", "basicConstraints=critical,"+constraints, "-addext", "keyUsage=critical,keyCertSign")
	}
	sign := func(n, issuer, ext string) {
		key(n)
		openssl(t, "req", "-new", "-key", f(n+".key"), "-subj", "/CN=localhost", "-out", f(n+".csr"))
		if err := os.WriteFile(f(n+".ext"), []byte(ext), 0o644); err != nil {
			t.Fatal(err)
		}
		openssl(t, "x509", "-req", "-in", f(n+".csr"), "-CA", f(issuer+".pem"), "-CAkey", f(issuer+".key"),
			"-CAcreateserial", "-out", f(n+".pem"), "-days", "10", "-extfile", f(n+".ext"))
	}
	root("rootpl0", "CA:TRUE,pathlen:0")
	root("root", "CA:TRUE")
	sign("int", "rootpl0", "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign\n")
	sign("pathlen", "int", "subjectAltName=DNS:localhost\n")
	sign("noca", "root", "basicConstraints=critical,CA:FALSE\n")
	sign("undernoca", "noca", "subjectAltName=DNS:localhost\n")
	sign("critical", "root", "subjectAltName=DNS:localhost\n1.2.3.4=critical,ASN1:NULL\n")
	sign("badsig", "root", "subjectAltName=DNS:localhost\n")
	// Flip a bit of the signature.
	b, err := os.ReadFile(f("badsig.pem"))
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(b)
	blk.Bytes[len(blk.Bytes)-5] ^= 1
	if err := os.WriteFile(f("badsig.pem"), pem.EncodeToMemory(blk), 0o644); err != nil {
		t.Fatal(err)
	}
	alertLine := regexp.MustCompile(`^>>> .*Alert`)
	for _, tc := range []struct{ name, leaf, chain, root, want string }{
		{"path-length", "pathlen", "int", "rootpl0", "unknown_ca"},
		{"not-a-ca", "undernoca", "noca", "root", "unknown_ca"},
		{"bad-signature", "badsig", "", "root", "decrypt_error"},
		{"critical-extension", "critical", "", "root", "certificate_unknown"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := []string{"-cert", f(tc.leaf + ".pem"), "-key", f(tc.leaf + ".key")}
			if tc.chain != "" {
				args = append(args, "-cert_chain", f(tc.chain+".pem"))
			}
			srv := testpeer.OpenSSLServer(t, args...)
			o, g := mergedWithOpenSSL(t, alertLine, "-connect", srv.Addr, "-tls1_2", "-msg", "-verify_return_error", "-CAfile", f(tc.root+".pem"))
			if o != g || !strings.Contains(g, "fatal "+tc.want) {
				t.Errorf("openssl:\n%s\ntlskit:\n%s(want fatal %s)", o, g, tc.want)
			}
		})
	}
}
