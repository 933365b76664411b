package kx

import (
	"bytes"
	"encoding/hex"
	"errors"
	"math/big"
	"testing"

	"github.com/tlskit/tlskit/internal/engine/alert"
)

// ffdhe2048P (ffdhe.go) is RFC 7919's ffdhe2048 prime as openssl prints
// it on this machine.

// TestDHAgreesWithMathBig runs two keys against each other and checks the
// public values and the shared secret with math/big.
func TestDHAgreesWithMathBig(t *testing.T) {
	p, _ := hex.DecodeString(ffdhe2048P)
	params := DHParams{P: p, G: []byte{2}}
	a, err := NewDHKey(params, 1024, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewDHKey(params, 1024, nil)
	if err != nil {
		t.Fatal(err)
	}
	pb := new(big.Int).SetBytes(p)
	want := new(big.Int).Exp(big.NewInt(2), new(big.Int).SetBytes(a.x), pb)
	if want.Cmp(new(big.Int).SetBytes(a.Public)) != 0 {
		t.Fatal("public value differs from math/big's")
	}
	za, err := a.Shared(b.Public, true)
	if err != nil {
		t.Fatal(err)
	}
	zb, err := b.Shared(a.Public, true)
	if err != nil || !bytes.Equal(za, zb) {
		t.Fatalf("shared secrets differ: %v", err)
	}
	if z, _ := a.Shared(b.Public, false); len(z) != len(p) {
		t.Errorf("padded secret is %d bytes", len(z))
	}
	wz := new(big.Int).Exp(new(big.Int).SetBytes(b.Public), new(big.Int).SetBytes(a.x), pb)
	if !bytes.Equal(wz.Bytes(), za) {
		t.Fatal("shared secret differs from math/big's")
	}
}

// TestDHRejects checks the peer value range and the parameter checks.
func TestDHRejects(t *testing.T) {
	p, _ := hex.DecodeString(ffdhe2048P)
	k, err := NewDHKey(DHParams{P: p, G: []byte{2}}, 1024, nil)
	if err != nil {
		t.Fatal(err)
	}
	pm1 := new(big.Int).Sub(new(big.Int).SetBytes(p), big.NewInt(1)).Bytes()
	for _, v := range [][]byte{{0}, {1}, pm1, p, append([]byte{1}, p...)} {
		_, err := k.Shared(v, true)
		var d alert.Desc
		if !errors.As(err, &d) || d != alert.IllegalParameter {
			t.Errorf("peer %x: %v", v[:min(4, len(v))], err)
		}
	}
	if _, err := NewDHKey(DHParams{P: p[:64], G: []byte{2}}, 1024, nil); err == nil {
		t.Error("512-bit group taken with a 1024-bit minimum")
	}
	if _, err := NewDHKey(DHParams{P: p, G: []byte{1}}, 1024, nil); err == nil {
		t.Error("g = 1 taken")
	}
}

func TestAutoDHParams(t *testing.T) {
	for bits, want := range map[int]int{112: 2048, 128: 3072} {
		p := AutoDHParams(bits)
		if got := BitLen(p.P); got != want || len(p.G) != 1 || p.G[0] != 2 {
			t.Errorf("AutoDHParams(%d): %d-bit p, g %x; want %d bits, g 2", bits, got, p.G, want)
		}
	}
	if _, err := ParseDHParamsPEM([]byte("junk")); err == nil {
		t.Error("junk parsed as DH parameters")
	}
}
