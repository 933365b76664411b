package kx

import (
	"bytes"
	"crypto/ecdh"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/tlskit/tlskit/internal/engine/alert"
)

func TestAgreement(t *testing.T) {
	for _, g := range []uint16{X25519, X448, Secp256r1, Secp384r1, Secp521r1, X25519MLKEM768, SecP256r1MLKEM768, SecP384r1MLKEM1024} {
		s, err := Generate(g)
		if err != nil {
			t.Fatalf("%s: %v", Name(g), err)
		}
		pub, z1, err := Respond(g, s.Public())
		if err != nil {
			t.Fatalf("%s: respond: %v", Name(g), err)
		}
		z2, err := s.Shared(pub)
		if err != nil || !bytes.Equal(z1, z2) || len(z1) < 32 {
			t.Fatalf("%s: shared secrets differ: %v", Name(g), err)
		}
		// Truncated and corrupted peer shares are illegal_parameter.
		for _, peer := range [][]byte{pub[:len(pub)-1], append(append([]byte(nil), pub...), 0), make([]byte, len(pub))} {
			if g == X25519MLKEM768 && len(peer) == len(pub) {
				continue // ML-KEM decapsulation never fails; zero x25519 is checked below
			}
			_, err := s.Shared(peer)
			var d alert.Desc
			if !errors.As(err, &d) || d != alert.IllegalParameter {
				t.Errorf("%s: bad share (%d bytes): %v", Name(g), len(peer), err)
			}
		}
		if _, _, err := Respond(g, s.Public()[1:]); err == nil {
			t.Errorf("%s: a truncated client share was accepted", Name(g))
		}
	}
}

// TestRFC8448X25519 checks the x25519 exchange of RFC 8448 §3.
func TestRFC8448X25519(t *testing.T) {
	priv, _ := hex.DecodeString("49af42ba7f7994852d713ef2784bcbcaa7911de26adc5642cb634540e7ea5005")
	serverPub, _ := hex.DecodeString("c9828876112095fe66762bdbf7c672e156d6cc253b833df1dd69b1b04e751f0f")
	k, err := ecdh.X25519().NewPrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	s := &Share{group: X25519, ec: k, public: k.PublicKey().Bytes()}
	if got := hex.EncodeToString(s.Public()); got != "99381de560e4bd43d23d8e435a7dbafeb3c06e51c13cae4d5413691e529aaf2c" {
		t.Errorf("public %s", got)
	}
	z, err := s.Shared(serverPub)
	if err != nil || hex.EncodeToString(z) != "8bd4054fb55b9d63fdfbacf9f04b9f0d35e6d63f537563efd46272900f89492d" {
		t.Errorf("shared %x %v", z, err)
	}
	if _, err := s.Shared(make([]byte, 32)); err == nil {
		t.Error("the all-zero x25519 point was accepted")
	}
}

// TestFFDHE runs each RFC 7919 group both ways: the client's and the
// server's secrets agree and are as long as p (RFC 8446 §7.4.1).
func TestFFDHE(t *testing.T) {
	for _, g := range []uint16{FFDHE2048, FFDHE3072, FFDHE4096, FFDHE6144, FFDHE8192} {
		s, err := Generate(g)
		if err != nil {
			t.Fatal(Name(g), err)
		}
		pub, z1, err := Respond(g, s.Public())
		if err != nil {
			t.Fatal(Name(g), err)
		}
		z2, err := s.Shared(pub)
		if err != nil {
			t.Fatal(Name(g), err)
		}
		if string(z1) != string(z2) || len(z1) != len(ffdhePrimes()[g]) || len(pub) != len(z1) {
			t.Fatalf("%s: secrets differ or have the wrong length (%d, %d)", Name(g), len(z1), len(z2))
		}
		if _, err := s.Shared(pub[1:]); err == nil {
			t.Fatalf("%s: a short public value was taken", Name(g))
		}
	}
}
