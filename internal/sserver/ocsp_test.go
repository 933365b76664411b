package sserver

import (
	"bytes"
	"crypto"
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
	"testing/iotest"
	"time"

	"golang.org/x/crypto/ocsp"
)

// TestReadOCSPResponse: -status_file is read whole however the reads
// come, and a file past maxOCSPResponse is refused by name.
func TestReadOCSPResponse(t *testing.T) {
	want := bytes.Repeat([]byte("0123456789"), 1000)
	got, err := readOCSPResponse(iotest.OneByteReader(bytes.NewReader(want)))
	if err != nil || !bytes.Equal(got, want) {
		t.Errorf("one byte a read: %d bytes, %v; want %d bytes", len(got), err, len(want))
	}
	got, err = readOCSPResponse(bytes.NewReader(make([]byte, maxOCSPResponse)))
	if err != nil || len(got) != maxOCSPResponse {
		t.Errorf("exactly the limit: %d bytes, %v", len(got), err)
	}
	_, err = readOCSPResponse(bytes.NewReader(make([]byte, maxOCSPResponse+1)))
	if err == nil || !strings.Contains(err.Error(), "larger than 1048576 bytes") {
		t.Errorf("one byte past the limit: %v", err)
	}
}

// stapleFiles writes a leaf, its key and a good OCSP response for it,
// whose responder certificate carries pad bytes in an extension (to make
// the response as large as a test needs), to dir.
func stapleFiles(t *testing.T, dir string, pad int) (certPath, keyPath string, resp []byte) {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
	if pad > 0 {
		caTmpl.ExtraExtensions = []pkix.Extension{{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 55555, 1}, Value: make([]byte, pad)}}
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	leafTmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "localhost"}, DNSNames: []string{"localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), KeyUsage: x509.KeyUsageDigitalSignature}
	leafDER, _ := x509.CreateCertificate(rand.Reader, leafTmpl, ca, &key.PublicKey, caKey)
	resp, err = ocsp.CreateResponse(ca, ca, ocsp.Response{Status: ocsp.Good, SerialNumber: big.NewInt(2), Certificate: ca,
		ThisUpdate: time.Now().Add(-time.Minute), NextUpdate: time.Now().Add(time.Hour)}, crypto.Signer(caKey))
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalPKCS8PrivateKey(key)
	certPath, keyPath = filepath.Join(dir, "c.pem"), filepath.Join(dir, "k.pem")
	os.WriteFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leafDER}), 0o644)
	os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), 0o600)
	return certPath, keyPath, resp
}

// TestOCSPStapleFileTooLarge: a -status_file past maxOCSPResponse is not
// read; the handshake goes on without a staple and stderr says why.
func TestOCSPStapleFileTooLarge(t *testing.T) {
	needTool(t, "openssl")
	dir := t.TempDir()
	certPath, keyPath, resp := stapleFiles(t, dir, 0)
	big := filepath.Join(dir, "big.der")
	os.WriteFile(big, append(resp, make([]byte, maxOCSPResponse)...), 0o644)
	ts := startServer(t, "", "-cert", certPath, "-key", keyPath, "-status_file", big, "-naccept", "1")
	out := opensslClientUntil(t, ts.addr, "", clientPrinted("OCSP response: no response sent"), "-status")
	if !strings.Contains(out, "OCSP response: no response sent") {
		t.Errorf("s_client -status:\n%s", out)
	}
	ts.wait(10 * time.Second)
	want := "cert_status: Error reading OCSP response\ns_server: " + big + ": larger than 1048576 bytes, the most an OCSP response may have here\n"
	if !strings.Contains(ts.err.String(), want) {
		t.Errorf("stderr lacks %q:\n%s", want, ts.err)
	}
}
