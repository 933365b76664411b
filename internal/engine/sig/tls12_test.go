package sig

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"testing"
)

// TestSignVerify12 signs and checks with each TLS 1.2 scheme a key can
// make (an ECDSA scheme with a key of another curve included) and the
// TLS 1.0/1.1 fixed algorithms; a changed message must fail.
func TestSignVerify12(t *testing.T) {
	rk, _ := rsa.GenerateKey(rand.Reader, 2048)
	ek, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	msg := []byte("client random, server random, params")
	for _, c := range []struct {
		key    crypto.Signer
		scheme uint16
	}{
		{rk, RSAPKCS1SHA1}, {rk, RSAPKCS1SHA256}, {rk, RSAPKCS1SHA512}, {rk, RSAPSSRSAESHA256},
		{ek, ECDSASHA1}, {ek, ECDSAP256SHA256}, {ek, ECDSAP384SHA384},
	} {
		s, err := Sign12(rand.Reader, c.scheme, c.key, msg)
		if err != nil {
			t.Fatalf("%s: %v", Name(c.scheme), err)
		}
		if err := Verify12(c.scheme, c.key.Public(), msg, s); err != nil {
			t.Errorf("%s: %v", Name(c.scheme), err)
		}
		if Verify12(c.scheme, c.key.Public(), append(msg, 0), s) == nil {
			t.Errorf("%s: changed message verified", Name(c.scheme))
		}
	}
	if Verify12(ECDSAP256SHA256, rk.Public(), msg, nil) == nil {
		t.Error("an ECDSA scheme took an RSA key")
	}
	for _, k := range []crypto.Signer{rk, ek} {
		s, err := SignLegacy(rand.Reader, k, msg)
		if err != nil {
			t.Fatal(err)
		}
		if err := VerifyLegacy(k.Public(), msg, s); err != nil {
			t.Errorf("%T: %v", k, err)
		}
		if VerifyLegacy(k.Public(), msg[1:], s) == nil {
			t.Errorf("%T: changed message verified", k)
		}
	}
}
