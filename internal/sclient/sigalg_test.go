package sclient

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/testpeer"
)

// TestChainSigalgNamesMatchOpenSSL serves a chain whose certificates use
// every kind of key and signature openssl names differently (RSA with
// SHA-256 and SHA-224 digests, ECDSA, DSA, Ed25519, Ed448, RSASSA-PSS
// keys and signatures) and compares the "a:PKEY: …; sigalg: …" lines of
// openssl s_client and tlskit (issue 9 item 4).
func TestChainSigalgNamesMatchOpenSSL(t *testing.T) {
	testpeer.Need(t, "openssl")
	dir := t.TempDir()
	p := func(n string) string { return filepath.Join(dir, n) }
	// Each CA is signed by the next; the last signs itself.
	openssl(t, "req", "-x509", "-newkey", "ed448", "-nodes", "-keyout", p("c5.key"), "-out", p("c5.crt"), "-subj", "/CN=ca5-ed448")
	openssl(t, "genpkey", "-genparam", "-algorithm", "DSA", "-pkeyopt", "dsa_paramgen_bits:2048", "-out", p("dsa.param"))
	openssl(t, "genpkey", "-paramfile", p("dsa.param"), "-out", p("c2.key"))
	for _, c := range []struct{ name, cn, signer, keyArgs, digest string }{
		{"c4", "ca4-pss", "c5", "rsa-pss,rsa_keygen_bits:2048", ""},
		{"c3", "ca3-ed25519", "c4", "ed25519", ""},
		{"c2", "ca2-dsa", "c3", "", ""},
		{"c1", "ca1-ec", "c2", "ec,ec_paramgen_curve:P-384", "-sha256"},
		{"c0", "ca0-rsa", "c1", "rsa,rsa_keygen_bits:2048", "-sha224"},
		{"leaf", "localhost", "c0", "rsa,rsa_keygen_bits:2048", "-sha256"},
	} {
		if c.keyArgs != "" {
			a := strings.Split(c.keyArgs, ",")
			args := []string{"genpkey", "-algorithm", a[0], "-out", p(c.name + ".key")}
			for _, o := range a[1:] {
				args = append(args, "-pkeyopt", o)
			}
			openssl(t, args...)
		}
		openssl(t, "req", "-new", "-key", p(c.name+".key"), "-subj", "/CN="+c.cn, "-out", p(c.name+".csr"))
		args := []string{"x509", "-req", "-in", p(c.name + ".csr"), "-CA", p(c.signer + ".crt"), "-CAkey", p(c.signer + ".key"), "-out", p(c.name + ".crt")}
		if c.digest != "" {
			args = append(args, c.digest)
		}
		openssl(t, args...)
	}
	var chain []byte
	for _, n := range []string{"c0", "c1", "c2", "c3", "c4", "c5"} {
		b, err := os.ReadFile(p(n + ".crt"))
		if err != nil {
			t.Fatal(err)
		}
		chain = append(chain, b...)
	}
	if err := os.WriteFile(p("chain.pem"), chain, 0o600); err != nil {
		t.Fatal(err)
	}
	srv := testpeer.OpenSSLServer(t, "-cert", p("leaf.crt"), "-key", p("leaf.key"), "-cert_chain", p("chain.pem"))
	args := []string{"-connect", srv.Addr}
	oOut, oErr, _ := testpeer.Run(t, 30*time.Second, "", "openssl", append([]string{"s_client"}, args...)...)
	tOut, tErr, _ := runClient(t, "", args...)
	re := regexp.MustCompile(`(?m)^   a:PKEY: .*$`)
	o, g := re.FindAllString(oOut, -1), re.FindAllString(tOut, -1)
	if len(o) != 7 {
		t.Fatalf("openssl printed %d chain lines, want 7:\n%s\n%s", len(o), oOut, oErr)
	}
	if strings.Join(o, "\n") != strings.Join(g, "\n") {
		t.Errorf("chain lines differ\nopenssl:\n%s\ntlskit:\n%s\n(tlskit's stderr:\n%s)", strings.Join(o, "\n"), strings.Join(g, "\n"), tErr)
	}
}
