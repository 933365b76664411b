package kx

import (
	"bytes"
	"crypto/ecdh"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"slices"
	"testing"

	"github.com/cloudflare/circl/dh/x25519"

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
	var k, pub x25519.Key
	copy(k[:], priv)
	x25519.KeyGen(&pub, &k)
	s := &Share{group: X25519, x25519: &k, public: pub[:]}
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

// TestX25519LikeCryptoECDH checks the X25519 exchange against
// crypto/ecdh's both ways (its public keys and secrets are RFC 7748's), and
// that every peer key giving the all-zero secret is illegal_parameter:
// the low-order points on the curve and its twist, in canonical and
// non-canonical encodings (RFC 7748 §5: u is taken mod p, the top bit
// masked).
func TestX25519LikeCryptoECDH(t *testing.T) {
	for i := 0; i < 20; i++ {
		ref, err := ecdh.X25519().GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		s, err := Generate(X25519)
		if err != nil {
			t.Fatal(err)
		}
		mine, err := ecdh.X25519().NewPublicKey(s.Public())
		if err != nil {
			t.Fatal(err)
		}
		want, err := ref.ECDH(mine)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Shared(ref.PublicKey().Bytes())
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("client side: %x, crypto/ecdh %x (%v)", got, want, err)
		}
		pub, z, err := Respond(X25519, ref.PublicKey().Bytes())
		if err != nil {
			t.Fatal(err)
		}
		theirs, err := ecdh.X25519().NewPublicKey(pub)
		if err != nil {
			t.Fatal(err)
		}
		if want, err := ref.ECDH(theirs); err != nil || !bytes.Equal(z, want) {
			t.Fatalf("server side: %x, crypto/ecdh %x (%v)", z, want, err)
		}
	}
	// u values of order 1, 2, 4 and 8 (curve and twist), little-endian.
	le := func(h string) []byte {
		b, _ := hex.DecodeString(h)
		slices.Reverse(b)
		return b
	}
	p := "7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffed"
	lowOrder := [][]byte{
		make([]byte, 32), // 0
		le("0000000000000000000000000000000000000000000000000000000000000001"),
		le("7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffec"), // p-1
		le(p), // p ≡ 0
		le("7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffee"), // p+1 ≡ 1
		le("00b8495f16056286fdb1329ceb8d09da6ac49ff1fae35616aeb8413b7c7aebe0"),
		le("57119fd0dd4e22d8868e1c58c45c44045bef839c55b1d0b1248c50a3bc959c5f"),
	}
	for _, u := range lowOrder {
		for _, top := range []byte{0, 0x80} {
			peer := slices.Clone(u)
			peer[31] |= top
			var d alert.Desc
			if _, _, err := Respond(X25519, peer); !errors.As(err, &d) || d != alert.IllegalParameter {
				t.Errorf("Respond took low-order u %x: %v", peer, err)
			}
			s, err := Generate(X25519)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.Shared(peer); !errors.As(err, &d) || d != alert.IllegalParameter {
				t.Errorf("Shared took low-order u %x: %v", peer, err)
			}
		}
	}
}

// BenchmarkX25519 is a server's X25519 share (key pair and shared
// secret, Respond) and, as the reference, the same with crypto/ecdh.
func BenchmarkX25519(b *testing.B) {
	peer, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	pp := peer.PublicKey().Bytes()
	b.Run("kx", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if _, _, err := Respond(X25519, pp); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ecdh", func(b *testing.B) {
		b.ReportAllocs()
		pk, err := ecdh.X25519().NewPublicKey(pp)
		if err != nil {
			b.Fatal(err)
		}
		for i := 0; i < b.N; i++ {
			k, err := ecdh.X25519().GenerateKey(rand.Reader)
			if err != nil {
				b.Fatal(err)
			}
			_ = k.PublicKey().Bytes()
			if _, err := k.ECDH(pk); err != nil {
				b.Fatal(err)
			}
		}
	})
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
		if string(z1) != string(z2) || len(z1) != len(ffdhePrimes.Get()[g]) || len(pub) != len(z1) {
			t.Fatalf("%s: secrets differ or have the wrong length (%d, %d)", Name(g), len(z1), len(z2))
		}
		if _, err := s.Shared(pub[1:]); err == nil {
			t.Fatalf("%s: a short public value was taken", Name(g))
		}
	}
}
