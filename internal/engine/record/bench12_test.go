package record

import (
	"bytes"
	"crypto"
	"crypto/aes"
	"testing"
)

// BenchmarkOpen12 measures opening one full 16 KiB record with each TLS
// 1.2 protection (b.SetBytes gives MB/s).
func BenchmarkOpen12(b *testing.B) {
	data := bytes.Repeat([]byte{1}, MaxPlaintext)
	for _, k := range kinds12(b) {
		if k.version != 0x0303 {
			continue
		}
		b.Run(k.name, func(b *testing.B) {
			w := k.make()
			rec, _ := w.Seal(nil, TypeApplicationData, 0x0303, data)
			buf := make([]byte, len(rec))
			b.SetBytes(int64(len(data)))
			for i := 0; i < b.N; i++ {
				r := k.make()
				copy(buf, rec)
				if _, err := r.Open(TypeApplicationData, 0x0303, buf); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCBCOpenPadding compares MAC-then-encrypt opening times for a
// record with no padding, one with 255 bytes of padding, and one whose
// padding is bad: the constant-time check should make them cost alike
// (a Lucky Thirteen timing oracle shows as a gap).
func BenchmarkCBCOpenPadding(b *testing.B) {
	key, macKey := bytes.Repeat([]byte{4}, 16), bytes.Repeat([]byte{6}, 20)
	blk, _ := aes.NewCipher(key)
	mk := func(padLen int, spoil bool) []byte {
		c := NewCBC(blk, crypto.SHA1, macKey, 0x0303, false, nil)
		plain := make([]byte, 1024-20-1-padLen)
		body := c.macOf(append([]byte(nil), plain...), TypeApplicationData, 0x0303, plain)
		for i := 0; i <= padLen; i++ {
			body = append(body, byte(padLen))
		}
		if spoil {
			body[len(body)-2] ^= 1
		}
		iv := make([]byte, 16)
		enc := append([]byte(nil), body...)
		cbcEncrypt(blk, iv, enc)
		return append(iv, enc...)
	}
	for _, c := range []struct {
		name   string
		padLen int
		spoil  bool
	}{{"pad0", 15, false}, {"pad255", 255, false}, {"badpad", 255, true}} {
		rec := mk(c.padLen, c.spoil)
		buf := make([]byte, len(rec))
		b.Run(c.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				r := NewCBC(blk, crypto.SHA1, macKey, 0x0303, false, nil)
				copy(buf, rec)
				r.Open(TypeApplicationData, 0x0303, buf)
			}
		})
	}
}
