package sig

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"testing"

	"github.com/cloudflare/circl/sign/ed448"
	"github.com/tlskit/tlskit/internal/engine/alert"
)

func TestSignVerify(t *testing.T) {
	rk, _ := rsa.GenerateKey(rand.Reader, 2048)
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	p521, _ := ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	msg := Content13(true, make([]byte, 32))
	for _, c := range []struct {
		s   uint16
		key crypto.Signer
	}{
		{RSAPSSRSAESHA256, rk}, {RSAPSSRSAESHA384, rk}, {RSAPSSRSAESHA512, rk}, {RSAPKCS1SHA256, rk},
		{ECDSAP256SHA256, p256}, {ECDSAP384SHA384, p384}, {ECDSAP521SHA512, p521}, {Ed25519, ed},
	} {
		s, err := Sign(rand.Reader, c.s, c.key, msg)
		if err != nil {
			t.Fatalf("%s: %v", Name(c.s), err)
		}
		if err := Verify(c.s, c.key.Public(), msg, s); err != nil {
			t.Errorf("%s: %v", Name(c.s), err)
		}
		s[len(s)/2] ^= 1
		var d alert.Desc
		if err := Verify(c.s, c.key.Public(), msg, s); !errors.As(err, &d) || d != alert.DecryptError {
			t.Errorf("%s: corrupted signature: %v", Name(c.s), err)
		}
	}
	// Ed448 and an RSASSA-PSS key (which takes rsa_pss_pss_* only).
	pub448, priv448, _ := ed448.GenerateKey(rand.Reader)
	s448, err := Sign(rand.Reader, Ed448, priv448, msg)
	if err != nil || Verify(Ed448, pub448, msg, s448) != nil {
		t.Errorf("ed448: %v", err)
	}
	pssKey := PSSPublicKey{&rk.PublicKey}
	ps, _ := Sign(rand.Reader, RSAPSSRSAESHA256, rk, msg)
	if err := Verify(RSAPSSPSSSHA256, pssKey, msg, ps); err != nil {
		t.Errorf("rsa_pss_pss_sha256: %v", err)
	}
	if Fits(RSAPSSRSAESHA256, pssKey) || Fits(RSAPSSPSSSHA256, &rk.PublicKey) {
		t.Error("rsae and pss keys must not mix")
	}
	var d alert.Desc
	if err := Verify(ECDSAP384SHA384, p256.Public(), msg, []byte{0}); !errors.As(err, &d) || d != alert.IllegalParameter {
		t.Errorf("P-256 key under ecdsa_secp384r1_sha384: %v", err)
	}
	if Allowed13(RSAPKCS1SHA256) || !Allowed13(RSAPSSRSAESHA256) {
		t.Error("Allowed13")
	}
}
