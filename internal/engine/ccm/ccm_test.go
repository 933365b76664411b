package ccm

import (
	"bytes"
	"crypto/aes"
	"encoding/hex"
	"testing"
)

func h(s string) []byte { b, _ := hex.DecodeString(s); return b }

// The first vector is RFC 3610's Packet Vector #1; the TLS-shaped ones
// (12-byte nonce, 16- and 8-byte tags) come from the Python
// cryptography package's AESCCM, an independent implementation.
func TestVectors(t *testing.T) {
	pt2 := make([]byte, 100)
	for i := range pt2 {
		pt2[i] = byte(i * 7)
	}
	for _, v := range []struct {
		key, nonce, ad, pt []byte
		tag                int
		want               string
	}{
		{h("c0c1c2c3c4c5c6c7c8c9cacbcccdcecf"), h("00000003020100a0a1a2a3a4a5"), h("0001020304050607"),
			h("08090a0b0c0d0e0f101112131415161718191a1b1c1d1e"), 8,
			"588c979a61c663d2f066d0c2c0f989806d5f6b61dac38417e8d12cfdf926e0"},
		{h("000102030405060708090a0b0c0d0e0f"), h("0102030405060708090a0b0c"), h("1703030123"), pt2, 16,
			"02f6531e952cee7708a8385fa342c4a73d6f860691b8ac3e20bb90544675f07f23034660cffe536c0e1af120d1446398ab859d6333c57ff54bd3e1435098048e7b199cf5f82f0f4ce0f66217ea29fb383a5f3882e651f8108a111d3829a8021d4e3a6b38bb6f522cb8c9c85aeacdb7182fa1e5c0"},
		{h("000102030405060708090a0b0c0d0e0f"), h("0102030405060708090a0b0c"), h("1703030123"), pt2, 8,
			"02f6531e952cee7708a8385fa342c4a73d6f860691b8ac3e20bb90544675f07f23034660cffe536c0e1af120d1446398ab859d6333c57ff54bd3e1435098048e7b199cf5f82f0f4ce0f66217ea29fb383a5f3882e651f8108a111d3829a8021d4e3a6b385244af033f212293"},
		{h("000102030405060708090a0b0c0d0e0f"), h("0102030405060708090a0b0c"), nil, nil, 16, "a25ea3adea10053e3d3aeae032bb204d"},
	} {
		b, _ := aes.NewCipher(v.key)
		a, err := New(b, len(v.nonce), v.tag)
		if err != nil {
			t.Fatal(err)
		}
		got := a.Seal(nil, v.nonce, v.pt, v.ad)
		if hex.EncodeToString(got) != v.want {
			t.Errorf("seal:\n got %x\nwant %s", got, v.want)
		}
		pt, err := a.Open(nil, v.nonce, got, v.ad)
		if err != nil || !bytes.Equal(pt, v.pt) {
			t.Errorf("open: %v", err)
		}
		got[0] ^= 1
		if _, err := a.Open(nil, v.nonce, got, v.ad); err == nil {
			t.Error("a corrupted message opened")
		}
	}
}
