package certs

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestSystemCAsForMatchesSystemCAs checks, on this machine's default store, that the lazy
// lookup finds every certificate SystemCAs loads when asked for its subject, and nothing
// SystemCAs would not load.
func TestSystemCAsForMatchesSystemCAs(t *testing.T) {
	all, err := SystemCAs()
	if err != nil {
		t.Skipf("no default store here: %v", err)
	}
	in := map[string]bool{}
	for _, c := range all {
		in[string(c.Raw)] = true
	}
	for _, c := range all {
		// A certificate issued by c names c's subject as its issuer.
		child := &x509.Certificate{RawIssuer: c.RawSubject}
		got := SystemCAsFor([]*x509.Certificate{child})
		found := false
		for _, g := range got {
			if !in[string(g.Raw)] {
				t.Fatalf("SystemCAsFor found %s, which SystemCAs does not load", g.Subject)
			}
			found = found || bytes.Equal(g.Raw, c.Raw)
		}
		if !found {
			t.Errorf("SystemCAsFor misses %s", c.Subject)
		}
	}
}

// TestFastPEM compares the fast decoder with encoding/pem.
func TestFastPEM(t *testing.T) {
	file, _ := systemPaths()
	bundle, _ := os.ReadFile(file)
	for name, data := range map[string][]byte{
		"bundle":   bundle,
		"crlf":     []byte("x\r\n-----BEGIN CERTIFICATE-----\r\nAAEC\r\nAwQ=\r\n-----END CERTIFICATE-----\r\ntrailing"),
		"two":      []byte("-----BEGIN A-----\nAAEC\n-----END A-----\n-----BEGIN B B-----\nAwQ=\n-----END B B-----\n"),
		"headers":  []byte("-----BEGIN X-----\nProc-Type: 4,ENCRYPTED\n\nAAEC\n-----END X-----\n"),
		"mismatch": []byte("-----BEGIN A-----\nAAEC\n-----END B-----\n"),
		"bad b64":  []byte("-----BEGIN A-----\nA!EC\n-----END A-----\n"),
	} {
		fast, ok := fastPEM(data)
		if !ok {
			if name == "bundle" || name == "two" || name == "crlf" {
				t.Errorf("%s: the fast decoder gave up", name)
			}
			continue // the caller falls back to encoding/pem
		}
		var slow []*pem.Block
		for rest := data; ; {
			var b *pem.Block
			if b, rest = pem.Decode(rest); b == nil {
				break
			}
			slow = append(slow, b)
		}
		if len(fast) != len(slow) {
			t.Errorf("%s: %d blocks, encoding/pem %d", name, len(fast), len(slow))
			continue
		}
		for i := range fast {
			if fast[i].Type != slow[i].Type || !bytes.Equal(fast[i].Bytes, slow[i].Bytes) || len(slow[i].Headers) != 0 {
				t.Errorf("%s: block %d differs", name, i)
			}
		}
	}
}

// TestSystemCAsForChain builds root → intermediate → leaf, with the intermediate in the
// bundle file and the root only in a hash directory: the lookup must follow the issuer of
// what it found, and leave out an unrelated CA.
func TestSystemCAsForChain(t *testing.T) {
	d := t.TempDir()
	mk := func(cn string, parent *x509.Certificate, parentKey *ecdsa.PrivateKey) (*x509.Certificate, *ecdsa.PrivateKey) {
		k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true}
		if parent == nil {
			parent, parentKey = tmpl, k
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &k.PublicKey, parentKey)
		if err != nil {
			t.Fatal(err)
		}
		c, _ := x509.ParseCertificate(der)
		return c, k
	}
	root, rootKey := mk("Root", nil, nil)
	inter, interKey := mk("Intermediate", root, rootKey)
	leaf, _ := mk("leaf", inter, interKey)
	other, _ := mk("Unrelated", nil, nil)
	pemOf := func(cs ...*x509.Certificate) []byte {
		var b bytes.Buffer
		for _, c := range cs {
			pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
		}
		return b.Bytes()
	}
	os.WriteFile(filepath.Join(d, "bundle.pem"), pemOf(inter, other), 0o644)
	dir := filepath.Join(d, "certs")
	os.Mkdir(dir, 0o755)
	for _, c := range []*x509.Certificate{root, other} {
		h, _ := nameHash(c.RawSubject)
		os.WriteFile(filepath.Join(dir, fmt.Sprintf("%08x.0", h)), pemOf(c), 0o644)
	}
	t.Setenv("SSL_CERT_FILE", filepath.Join(d, "bundle.pem"))
	t.Setenv("SSL_CERT_DIR", dir)
	got := SystemCAsFor([]*x509.Certificate{leaf})
	names := map[string]bool{}
	for _, c := range got {
		names[c.Subject.CommonName] = true
	}
	if !names["Root"] || !names["Intermediate"] || names["Unrelated"] || len(got) != 2 {
		t.Errorf("got %v, want Intermediate (bundle) and Root (directory) only", names)
	}
}
