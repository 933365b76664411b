package kx

import (
	"bytes"
	"encoding/hex"
	"errors"
	"math/big"
	"testing"

	"github.com/tlskit/tlskit/internal/engine/alert"
)

// ffdhe2048P is RFC 7919's ffdhe2048 prime as openssl prints it on this
// machine: openssl genpkey -genparam -algorithm DH -pkeyopt group:ffdhe2048
// | openssl asn1parse.
const ffdhe2048P = "FFFFFFFFFFFFFFFFADF85458A2BB4A9AAFDC5620273D3CF1D8B9C583CE2D3695A9E13641146433FBCC939DCE249B3EF97D2FE363630C75D8F681B202AEC4617AD3DF1ED5D5FD65612433F51F5F066ED0856365553DED1AF3B557135E7F57C935984F0C70E0E68B77E2A689DAF3EFE8721DF158A136ADE73530ACCA4F483A797ABC0AB182B324FB61D108A94BB2C8E3FBB96ADAB760D7F4681D4F42A3DE394DF4AE56EDE76372BB190B07A7C8EE0A6D709E02FCE1CDF7E2ECC03404CD28342F619172FE9CE98583FF8E4F1232EEF28183C3FE3B1B4C6FAD733BB5FCBC2EC22005C58EF1837D1683B2C6F34A26C1B2EFFA886B423861285C97FFFFFFFFFFFFFFFF"

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
