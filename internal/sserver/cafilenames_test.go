package sserver

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCAfileNamesLikeOpenSSL: openssl s_server 3.0 sends as CA names
// every certificate's subject in -CAfile (SSL_load_client_CA_file), CA
// or not, in file order, dropping only a name whose DER repeats an
// earlier one (measured: case, spacing and string type make names
// differ). The openssl client's "Acceptable client certificate CA names"
// block against both servers, TLS 1.2 and 1.3.
func TestCAfileNamesLikeOpenSSL(t *testing.T) {
	needTool(t, "openssl")
	dir := t.TempDir()
	srvCert, srvKey := writeCert(t, dir, "srv", "localhost", false)
	const utf8, printable = 12, 19
	name := func(rdns ...[3]any) []byte {
		var seq pkix.RDNSequence
		for _, r := range rdns {
			seq = append(seq, pkix.RelativeDistinguishedNameSET{{Type: r[0].(asn1.ObjectIdentifier),
				Value: asn1.RawValue{Tag: r[1].(int), Bytes: []byte(r[2].(string))}}})
		}
		der, err := asn1.Marshal(seq)
		if err != nil {
			t.Fatal(err)
		}
		return der
	}
	cn, o := asn1.ObjectIdentifier{2, 5, 4, 3}, asn1.ObjectIdentifier{2, 5, 4, 10}
	leafName := name([3]any{o, printable, "Leaf Org"}, [3]any{cn, printable, "leaf.example"})
	caName := name([3]any{cn, printable, "Test CA"})
	var file []byte
	add := func(subject []byte, ca, bc bool) []byte {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), RawSubject: subject,
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
			IsCA: ca, BasicConstraintsValid: bc}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
		if err != nil {
			t.Fatal(err)
		}
		file = append(file, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})...)
		return der
	}
	leaf := add(leafName, false, true) // CA:FALSE
	add(caName, true, true)
	add(name([3]any{cn, printable, "Plain"}), false, false) // no basicConstraints
	file = append(file, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leaf})...)
	add(caName, true, true) // another certificate, the same name
	add(name([3]any{cn, printable, "test ca"}), true, true)
	add(name([3]any{cn, printable, "Test  CA"}), true, true)
	add(name([3]any{cn, utf8, "Test CA"}), true, true)
	caFile := filepath.Join(dir, "mixed.pem")
	if err := os.WriteFile(caFile, file, 0o644); err != nil {
		t.Fatal(err)
	}
	want := "Acceptable client certificate CA names\nO = Leaf Org, CN = leaf.example\nCN = Test CA\nCN = Plain\nCN = test ca\nCN = Test  CA\nCN = Test CA\n"
	block := func(out string) string {
		i := strings.Index(out, "Acceptable client certificate CA names\n")
		if i < 0 {
			return ""
		}
		out = out[i:]
		var b strings.Builder
		for _, l := range strings.SplitAfter(out, "\n") {
			if strings.HasPrefix(l, "Client Certificate Types") || strings.HasPrefix(l, "Requested Signature Algorithms") {
				break
			}
			b.WriteString(l)
		}
		return b.String()
	}
	for _, v := range []string{"-tls1_2", "-tls1_3"} {
		t.Run(v, func(t *testing.T) {
			args := []string{"-cert", srvCert, "-key", srvKey, "-naccept", "1", "-verify", "1", "-CAfile", caFile}
			var clients []string
			bothServers(t, dir, args, func(addr string, out func() string) {
				clients = append(clients, opensslClientUntil(t, addr, "hello\n", printed(out, "hello\n"), v))
			})
			if len(clients) != 2 {
				t.Fatalf("%d clients", len(clients))
			}
			if got := block(clients[0]); got != want {
				t.Errorf("against openssl s_server:\n%s\nthe test expects:\n%s", got, want)
			}
			if got, want := block(clients[1]), block(clients[0]); got != want {
				t.Errorf("against tlskit:\n%s\nagainst openssl:\n%s", got, want)
			}
		})
	}
}
