package sserver

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/testpeer"
)

// TestCertFileSendsLeafOnly: of a certificate file holding more than
// one certificate (a PEM chain, a PEM with the key between, a PKCS#12
// with its CA), only the first is sent, for -cert, -dcert, -cert2 and
// -xcert alike; -cert_chain's certificates follow it as they are, a copy
// of the leaf included. openssl s_server and tlskit s_server run side by
// side on the same files, and openssl s_client -showcerts must see the
// same certificates from both, and those listed here.
func TestCertFileSendsLeafOnly(t *testing.T) {
	needTool(t, "openssl")
	dir := t.TempDir()
	p := func(n string) string { return filepath.Join(dir, n) }
	sh := func(args ...string) {
		t.Helper()
		if out, err := runPeer(t, "", 20*time.Second, "openssl", args...); err != nil {
			t.Fatalf("openssl %v: %v\n%s", args, err, out)
		}
	}
	ec := []string{"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"}
	sh(append(append([]string{"req", "-x509"}, ec...), "-keyout", p("ca.key"), "-out", p("ca.pem"), "-subj", "/CN=Leaf Only CA", "-days", "2")...)
	sh(append(append([]string{"req"}, ec...), "-keyout", p("leaf.key"), "-out", p("leaf.csr"), "-subj", "/CN=localhost")...)
	sh("x509", "-req", "-in", p("leaf.csr"), "-CA", p("ca.pem"), "-CAkey", p("ca.key"), "-CAcreateserial", "-out", p("leaf.pem"), "-days", "2")
	// An RSA certificate for -cert where -dcert or -xcert is tested: the
	// client's ECDSA-only signature algorithms make the server pick the
	// other one.
	sh("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", p("other.key"), "-out", p("other.pem"), "-subj", "/CN=Other", "-days", "2")
	// An empty pass phrase: openssl s_server reads a PKCS#12 -cert
	// without -pass.
	sh("pkcs12", "-export", "-in", p("leaf.pem"), "-inkey", p("leaf.key"), "-certfile", p("ca.pem"), "-passout", "pass:", "-out", p("leaf.p12"))
	cat := func(name string, parts ...string) {
		var b []byte
		for _, part := range parts {
			d, err := os.ReadFile(p(part))
			if err != nil {
				t.Fatal(err)
			}
			b = append(b, d...)
		}
		if err := os.WriteFile(p(name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cat("chain.pem", "leaf.pem", "ca.pem")
	cat("all.pem", "leaf.pem", "leaf.key", "ca.pem")

	subjects := regexp.MustCompile(`(?m)^ *\d+ s:.*$`)
	leafOnly := []string{" 0 s:CN = localhost"}
	ecdsaOnly := []string{"-sigalgs", "ecdsa_secp256r1_sha256"}
	tests := []struct {
		name   string
		args   []string
		client []string
		want   []string
	}{
		{"PEM chain", []string{"-cert", p("chain.pem"), "-key", p("leaf.key")}, nil, leafOnly},
		{"PEM with key", []string{"-cert", p("all.pem")}, nil, leafOnly},
		{"PKCS#12 with CA", []string{"-cert", p("leaf.p12")}, nil, leafOnly},
		{"-cert_chain", []string{"-cert", p("chain.pem"), "-key", p("leaf.key"), "-cert_chain", p("ca.pem")}, nil,
			[]string{" 0 s:CN = localhost", " 1 s:CN = Leaf Only CA"}},
		{"-cert_chain holding the leaf", []string{"-cert", p("leaf.pem"), "-key", p("leaf.key"), "-cert_chain", p("chain.pem")}, nil,
			[]string{" 0 s:CN = localhost", " 1 s:CN = localhost", " 2 s:CN = Leaf Only CA"}},
		{"-dcert", []string{"-cert", p("other.pem"), "-key", p("other.key"), "-dcert", p("chain.pem"), "-dkey", p("leaf.key")}, ecdsaOnly, leafOnly},
		{"-xcert", []string{"-cert", p("other.pem"), "-key", p("other.key"), "-xcert", p("chain.pem"), "-xkey", p("leaf.key")}, ecdsaOnly, leafOnly},
		{"-cert2", []string{"-cert", p("other.pem"), "-key", p("other.key"), "-servername", "localhost", "-cert2", p("chain.pem"), "-key2", p("leaf.key")},
			[]string{"-servername", "localhost"}, leafOnly},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			client := append([]string{"-showcerts", "-no-CAfile", "-no-CApath", "-no-CAstore"}, tc.client...)
			done := clientPrinted("Verify return code:")
			ossl := testpeer.OpenSSLServer(t, tc.args...)
			want := strings.Join(subjects.FindAllString(opensslClientUntil(t, ossl.Addr, "", done, client...), -1), "\n")
			ts := startServer(t, "", tc.args...)
			got := strings.Join(subjects.FindAllString(opensslClientUntil(t, ts.addr, "", done, client...), -1), "\n")
			if got != want {
				t.Errorf("s_client -showcerts saw from tlskit:\n%s\nfrom openssl:\n%s", got, want)
			}
			if want != strings.Join(tc.want, "\n") {
				t.Errorf("openssl sent:\n%s\nwant:\n%s", want, strings.Join(tc.want, "\n"))
			}
		})
	}
}
