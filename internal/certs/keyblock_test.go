package certs

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"testing"
)

// TestParsePEMKeyBlock: a key block parses to the key ParsePrivateKey
// reads from the same PEM, without encoding it again; a block that is not
// a key type is refused as ParsePrivateKey refuses it.
func TestParsePEMKeyBlock(t *testing.T) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	b := &pem.Block{Type: "PRIVATE KEY", Bytes: der}
	got, err := ParsePEMKeyBlock(b, "")
	if err != nil || !k.Equal(got) {
		t.Fatalf("key block: %v", err)
	}
	b.Type = "FOO PRIVATE KEY"
	_, err = ParsePEMKeyBlock(b, "")
	_, want := ParsePrivateKey(pem.EncodeToMemory(b), FormatPEM, "")
	if err == nil || want == nil || err.Error() != want.Error() {
		t.Errorf("FOO PRIVATE KEY block: %v, ParsePrivateKey: %v", err, want)
	}
}
