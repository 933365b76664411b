package sig

import (
	"crypto"
	//lint:ignore SA1019 DSA keys, to test the TLS 1.2 verifier openssl 3.0 also has
	"crypto/dsa"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/asn1"
	"math/big"
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

// TestVerifyDSA12: the TLS 1.2 DSA schemes verify a DER (r, s) signature
// over the scheme's hash cut to the subgroup (SHA-512 over a 160-bit q);
// a changed message, another scheme's hash, a malformed encoding and a
// DSA scheme with another key fail, and no DSA scheme signs.
func TestVerifyDSA12(t *testing.T) {
	var k dsa.PrivateKey
	if err := dsa.GenerateParameters(&k.Parameters, rand.Reader, dsa.L1024N160); err != nil {
		t.Fatal(err)
	}
	if err := dsa.GenerateKey(&k, rand.Reader); err != nil {
		t.Fatal(err)
	}
	msg := []byte("client verify transcript")
	sign := func(h crypto.Hash) []byte {
		d := h.New()
		d.Write(msg)
		sum := d.Sum(nil)
		if len(sum) > 20 {
			sum = sum[:20]
		}
		r, s, err := dsa.Sign(rand.Reader, &k, sum)
		if err != nil {
			t.Fatal(err)
		}
		der, err := asn1.Marshal(struct{ R, S *big.Int }{r, s})
		if err != nil {
			t.Fatal(err)
		}
		return der
	}
	for scheme, h := range map[uint16]crypto.Hash{DSASHA1: crypto.SHA1, DSASHA224: crypto.SHA224,
		DSASHA256: crypto.SHA256, DSASHA384: crypto.SHA384, DSASHA512: crypto.SHA512} {
		s := sign(h)
		if err := Verify12(scheme, &k.PublicKey, msg, s); err != nil {
			t.Errorf("%s: %v", Name(scheme), err)
		}
		if Verify12(scheme, &k.PublicKey, append(msg, 0), s) == nil {
			t.Errorf("%s: changed message verified", Name(scheme))
		}
		if Verify12(scheme, &k.PublicKey, msg, append(s, 0)) == nil {
			t.Errorf("%s: trailing byte verified", Name(scheme))
		}
		if !Fits12(scheme, &k.PublicKey) || Fits12(ECDSASHA224, &k.PublicKey) {
			t.Errorf("%s: Fits12 wrong for a DSA key", Name(scheme))
		}
	}
	if Verify12(DSASHA256, &k.PublicKey, msg, sign(crypto.SHA1)) == nil {
		t.Error("a SHA-1 signature verified as dsa_sha256")
	}
	rk, _ := rsa.GenerateKey(rand.Reader, 2048)
	if Verify12(DSASHA256, rk.Public(), msg, nil) == nil || Fits12(DSASHA256, rk.Public()) {
		t.Error("a DSA scheme took an RSA key")
	}
	if _, err := Sign12(rand.Reader, DSASHA256, rk, msg); err == nil {
		t.Error("signed dsa_sha256 with an RSA key")
	}
}
