package record

import (
	"bytes"
	"crypto"
	"crypto/aes"
	"fmt"
	"testing"

	"github.com/tlskit/tlskit/internal/engine/alert"
)

// kind12 names one TLS 1.0–1.2 protection for the tests.
type kind12 struct {
	name    string
	version uint16
	make    func() Cipher12
}

func kinds12(t testing.TB) []kind12 {
	key16, key32 := bytes.Repeat([]byte{3}, 16), bytes.Repeat([]byte{4}, 32)
	var ks []kind12
	ks = append(ks,
		kind12{"gcm128", 0x0303, func() Cipher12 { c, _ := NewGCM12(key16, []byte{1, 2, 3, 4}); return c }},
		kind12{"gcm256", 0x0303, func() Cipher12 { c, _ := NewGCM12(key32, []byte{1, 2, 3, 4}); return c }},
		kind12{"chacha", 0x0303, func() Cipher12 { c, _ := NewChaCha12(key32, bytes.Repeat([]byte{5}, 12)); return c }},
	)
	for _, v := range []uint16{0x0301, 0x0302, 0x0303} {
		for _, h := range []crypto.Hash{crypto.SHA1, crypto.SHA256, crypto.SHA384} {
			for _, etm := range []bool{false, true} {
				v, h, etm := v, h, etm
				ks = append(ks, kind12{fmt.Sprintf("cbc-%x-%v-etm=%v", v, h, etm), v, func() Cipher12 {
					b, err := aes.NewCipher(key32)
					if err != nil {
						t.Fatal(err)
					}
					return NewCBC(b, h, bytes.Repeat([]byte{6}, h.Size()), v, etm, bytes.Repeat([]byte{7}, 16))
				}})
			}
		}
	}
	return ks
}

// TestRoundTrip12 sends records of many sizes through each protection and
// reads them back, so sequence numbers, chained IVs and padding lengths
// of every residue are exercised.
func TestRoundTrip12(t *testing.T) {
	for _, k := range kinds12(t) {
		t.Run(k.name, func(t *testing.T) {
			var p pipe
			w, r := New(&p), New(&p)
			w.WriteVersion = k.version
			w.SetWriteCipher12(k.make())
			r.SetReadCipher12(k.make())
			for n := 0; n < 70; n++ {
				data := bytes.Repeat([]byte{byte(n)}, n)
				if err := w.Write(TypeApplicationData, data); err != nil {
					t.Fatal(err)
				}
				typ, got, err := r.Read()
				if err != nil || typ != TypeApplicationData || !bytes.Equal(got, data) {
					t.Fatalf("len %d: %v %d %x", n, err, typ, got)
				}
			}
			big := bytes.Repeat([]byte{9}, MaxPlaintext+100)
			if err := w.Write(TypeHandshake, big); err != nil {
				t.Fatal(err)
			}
			var all []byte
			for len(all) < len(big) {
				_, got, err := r.Read()
				if err != nil {
					t.Fatal(err)
				}
				all = append(all, got...)
			}
			if !bytes.Equal(all, big) {
				t.Fatal("fragmented record mismatch")
			}
		})
	}
}

// TestTamper12 flips each byte of a protected record in turn (header
// length aside): every change must fail as bad_record_mac.
func TestTamper12(t *testing.T) {
	for _, k := range kinds12(t) {
		t.Run(k.name, func(t *testing.T) {
			var p pipe
			w := New(&p)
			w.WriteVersion = k.version
			w.SetWriteCipher12(k.make())
			if err := w.Write(TypeApplicationData, []byte("attack at dawn, attack at dawn!")); err != nil {
				t.Fatal(err)
			}
			rec := append([]byte(nil), p.Bytes()...)
			for i := range rec {
				if i == 3 || i == 4 || i == 1 {
					continue
				}
				bad := append([]byte(nil), rec...)
				bad[i] ^= 0x40
				if i == 0 {
					bad[i] = TypeHandshake
				}
				var q pipe
				q.Write(bad)
				r := New(&q)
				r.SetReadCipher12(k.make())
				_, _, err := r.Read()
				wantAlert(t, err, alert.BadRecordMAC)
			}
		})
	}
}

// TestCBCBadPadding makes records whose MAC is right but whose padding is
// wrong or too long, which MAC-then-encrypt must reject like a bad MAC.
func TestCBCBadPadding(t *testing.T) {
	key := bytes.Repeat([]byte{4}, 16)
	macKey := bytes.Repeat([]byte{6}, 20)
	for _, c := range []struct {
		name  string
		mutil func([]byte) []byte
	}{
		{"pad byte differs", func(b []byte) []byte { b[len(b)-2] ^= 1; return b }},
		{"pad longer than record", func(b []byte) []byte { b[len(b)-1] = 255; return b }},
	} {
		t.Run(c.name, func(t *testing.T) {
			blk, _ := aes.NewCipher(key)
			w := NewCBC(blk, crypto.SHA1, macKey, 0x0303, false, nil)
			// Build plaintext||MAC||padding by hand, then encrypt it
			// without the sealer's own padding.
			plain := []byte("hello, padding oracle.")
			b := w.macOf(append([]byte(nil), plain...), TypeApplicationData, 0x0303, plain)
			b = append(b, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
			b = pad(b, len(b), 16)
			b = c.mutil(b)
			iv := make([]byte, 16)
			ct := append([]byte(nil), iv...)
			enc := append([]byte(nil), b...)
			cbcEncrypt(blk, iv, enc)
			ct = append(ct, enc...)
			r := NewCBC(blk, crypto.SHA1, macKey, 0x0303, false, nil)
			if _, err := r.Open(TypeApplicationData, 0x0303, ct); err == nil {
				t.Fatal("bad padding accepted")
			} else {
				wantAlert(t, err, alert.BadRecordMAC)
			}
		})
	}
}

// TestOverflow12 checks RFC 5246 §6.2.3's ciphertext limit (2^14+2048)
// and the 2^14 plaintext limit after decryption.
func TestOverflow12(t *testing.T) {
	key := bytes.Repeat([]byte{3}, 16)
	var p pipe
	p.Write([]byte{TypeApplicationData, 3, 3, 0x48, 0x01})
	p.Write(make([]byte, MaxPlaintext+2049))
	r := New(&p)
	c, _ := NewGCM12(key, []byte{1, 2, 3, 4})
	r.SetReadCipher12(c)
	_, _, err := r.Read()
	wantAlert(t, err, alert.RecordOverflow)

	// A plaintext of 2^14+1 bytes, sealed by hand.
	w, _ := NewGCM12(key, []byte{1, 2, 3, 4})
	body, _ := w.Seal(nil, TypeApplicationData, 0x0303, make([]byte, MaxPlaintext+1))
	p.Reset()
	p.Write([]byte{TypeApplicationData, 3, 3, byte(len(body) >> 8), byte(len(body))})
	p.Write(body)
	r = New(&p)
	c, _ = NewGCM12(key, []byte{1, 2, 3, 4})
	r.SetReadCipher12(c)
	_, _, err = r.Read()
	wantAlert(t, err, alert.RecordOverflow)
}

// FuzzOpen12 feeds arbitrary record bodies to every TLS ≤ 1.2
// decryptor: none may panic, and whatever opens must not exceed its input.
func FuzzOpen12(f *testing.F) {
	for _, k := range kinds12(f) {
		c := k.make()
		b, _ := c.Seal(nil, TypeApplicationData, k.version, []byte("seed record"))
		f.Add(b)
	}
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, k := range kinds12(t) {
			in := append([]byte(nil), body...)
			plain, err := k.make().Open(TypeApplicationData, k.version, in)
			if err == nil && len(plain) > len(body) {
				t.Fatalf("%s: %d bytes out of %d", k.name, len(plain), len(body))
			}
		}
	})
}

func cbcEncrypt(b interface {
	BlockSize() int
	Encrypt(dst, src []byte)
}, iv, data []byte) {
	prev := iv
	for i := 0; i < len(data); i += 16 {
		for j := 0; j < 16; j++ {
			data[i+j] ^= prev[j]
		}
		b.Encrypt(data[i:i+16], data[i:i+16])
		prev = data[i : i+16]
	}
}

// TestReadVersion12: once ReadVersion is set, a record of another
// version is protocol_version.
func TestReadVersion12(t *testing.T) {
	var p pipe
	p.Write([]byte{TypeHandshake, 3, 1, 0, 1, 0})
	r := New(&p)
	r.ReadVersion = 0x0303
	_, _, err := r.Read()
	wantAlert(t, err, alert.ProtocolVersion)
}

// countWrites is a pipe that counts the transport writes.
type countWrites struct {
	pipe
	n int
}

func (c *countWrites) Write(b []byte) (int, error) { c.n++; return c.pipe.Write(b) }

// TestEmptyFragments: with EmptyFragments, each application data Write
// under TLS 1.0 CBC starts with an empty record, in the same transport
// write as the first record of its data; not before other types, nor
// under TLS 1.1+ CBC (explicit IVs) or an AEAD, nor for no data.
func TestEmptyFragments(t *testing.T) {
	for _, k := range kinds12(t) {
		t.Run(k.name, func(t *testing.T) {
			var p countWrites
			w, r := New(&p), New(&p)
			w.WriteVersion = k.version
			w.EmptyFragments = true
			w.SetWriteCipher12(k.make())
			r.SetReadCipher12(k.make())
			_, cbc := k.make().(*CBC)
			empty := cbc && k.version == 0x0301
			big := bytes.Repeat([]byte{9}, MaxPlaintext+100)
			for _, c := range []struct {
				typ  uint8
				data []byte
			}{{TypeApplicationData, []byte("hello")}, {TypeHandshake, []byte{1, 2, 3}}, {TypeApplicationData, big}} {
				p.n = 0
				if err := w.Write(c.typ, c.data); err != nil {
					t.Fatal(err)
				}
				want := []int{len(c.data)}
				if len(c.data) > MaxPlaintext {
					want = []int{MaxPlaintext, 100}
				}
				writes := len(want)
				if empty && c.typ == TypeApplicationData {
					want = append([]int{0}, want...)
				}
				// A record more or fewer shows as a wrong size here or
				// in the next case.
				var recs []int
				for range want {
					typ, got, err := r.Read()
					if err != nil || typ != c.typ {
						t.Fatalf("%v %d", err, typ)
					}
					recs = append(recs, len(got))
				}
				if fmt.Sprint(recs) != fmt.Sprint(want) || p.n != writes {
					t.Errorf("type %d, %d bytes: records %v in %d writes, want %v in %d", c.typ, len(c.data), recs, p.n, want, writes)
				}
			}
		})
	}
}
