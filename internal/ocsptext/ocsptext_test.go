package ocsptext

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/testpeer"
	"golang.org/x/crypto/ocsp"
)

// TestWriteMatchesOpenSSL prints responses with and without response
// extensions (a nonce, a known and an unknown extension, critical or
// not) and compares the block with openssl ocsp -resp_text's, up to the
// responder certificates (which Write prints as PEM only).
func TestWriteMatchesOpenSSL(t *testing.T) {
	testpeer.Need(t, "openssl")
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().Truncate(time.Second)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "OCSP Test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	nonce := pkix.Extension{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 2}, Value: []byte{4, 4, 0xde, 0xad, 0xbe, 0xef}}
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		exts []pkix.Extension
	}{
		{"none", nil},
		{"nonce", []pkix.Extension{nonce}},
		{"nonce-critical", []pkix.Extension{{Id: nonce.Id, Critical: true, Value: nonce.Value}}},
		{"unknown", []pkix.Extension{{Id: asn1.ObjectIdentifier{1, 2, 3, 4}, Value: []byte("hello\x01world")}}},
		{"long-nonce", []pkix.Extension{{Id: nonce.Id, Value: append([]byte{4, 40}, make([]byte, 40)...)}}},
		{"long-unknown", []pkix.Extension{{Id: asn1.ObjectIdentifier{1, 2, 3}, Value: []byte(strings.Repeat("abcdefghij", 12))}}},
		{"unknown-controls", []pkix.Extension{{Id: asn1.ObjectIdentifier{1, 2, 3}, Value: []byte("a\tb\x7fc\x80d\x00e~\nf\rg")}}},
		{"unknown-critical-and-nonce", []pkix.Extension{{Id: asn1.ObjectIdentifier{1, 2, 3, 4, 5}, Critical: true, Value: []byte{0x30, 0x00}}, nonce}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			der, err := ocsp.CreateResponse(ca, ca, ocsp.Response{Status: ocsp.Good, SerialNumber: big.NewInt(4242),
				ThisUpdate: now, NextUpdate: now.Add(time.Hour), ExtraExtensions: tc.exts}, key)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, tc.name+".der")
			if err := os.WriteFile(path, der, 0o644); err != nil {
				t.Fatal(err)
			}
			compareWithOpenSSL(t, path, der)
		})
	}
}

// TestWriteResponseNonce has openssl ocsp answer a request carrying a
// nonce, which it copies into the response's own extensions ("Response
// Extensions", as a staple made this way shows in s_client -status).
func TestWriteResponseNonce(t *testing.T) {
	testpeer.Need(t, "openssl")
	pki := testpeer.NewPKI(t)
	d := pki.Dir
	serial, errs, code := testpeer.Run(t, 10*time.Second, "", "openssl", "x509", "-in", pki.Server, "-noout", "-serial")
	if code != 0 {
		t.Fatalf("openssl x509: exit %d\n%s", code, errs)
	}
	serial = strings.TrimPrefix(strings.TrimSpace(serial), "serial=")
	index := filepath.Join(d, "ocsp-index.txt")
	if err := os.WriteFile(index, []byte("V\t301231235959Z\t\t"+serial+"\tunknown\t/CN=localhost\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	req, resp := filepath.Join(d, "nonce-req.der"), filepath.Join(d, "nonce-resp.der")
	for _, args := range [][]string{
		{"ocsp", "-issuer", pki.CA, "-cert", pki.Server, "-reqout", req},
		{"ocsp", "-index", index, "-rsigner", pki.CA, "-rkey", pki.CAKey, "-CA", pki.CA, "-reqin", req, "-respout", resp, "-ndays", "1"},
	} {
		if _, errs, code := testpeer.Run(t, 10*time.Second, "", "openssl", args...); code != 0 {
			t.Fatalf("openssl %v: exit %d\n%s", args, code, errs)
		}
	}
	der, err := os.ReadFile(resp)
	if err != nil {
		t.Fatal(err)
	}
	got := compareWithOpenSSL(t, resp, der)
	if !strings.Contains(got, "\n    Response Extensions:\n        OCSP Nonce: \n            0410") {
		t.Errorf("no response nonce printed:\n%s", got)
	}
}

// compareWithOpenSSL compares Write's text of der with openssl ocsp
// -resp_text's of the same response in path, up to the responder
// certificates, and returns Write's.
func compareWithOpenSSL(t *testing.T, path string, der []byte) string {
	t.Helper()
	want, errs, code := testpeer.Run(t, 10*time.Second, "", "openssl", "ocsp", "-respin", path, "-resp_text", "-noverify")
	if code != 0 {
		t.Fatalf("openssl ocsp: exit %d\n%s", code, errs)
	}
	if i := strings.Index(want, "Certificate:\n"); i >= 0 {
		want = want[:i]
	}
	var b strings.Builder
	if err := Write(&b, der); err != nil {
		t.Fatal(err)
	}
	got := b.String()
	if i := strings.Index(got, "-----BEGIN CERTIFICATE-----"); i >= 0 {
		got = got[:i]
	}
	if i := strings.Index(got, "Certificate:\n"); i >= 0 {
		got = got[:i]
	}
	if got != want {
		t.Errorf("differs from openssl ocsp -resp_text\n--- ours\n%s--- openssl\n%s", got, want)
	}
	return got
}
