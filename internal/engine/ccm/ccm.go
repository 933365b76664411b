// Package ccm is AES-CCM (RFC 3610, NIST SP 800-38C) as a cipher.AEAD,
// for TLS_AES_128_CCM_SHA256 and TLS_AES_128_CCM_8_SHA256 (RFC 8446 §B.4).
package ccm

import (
	"crypto/cipher"
	"crypto/subtle"
	"encoding/binary"
	"errors"
)

type ccm struct {
	b        cipher.Block
	nonceLen int
	tagLen   int
}

// New wraps a 16-byte block cipher in CCM with the given nonce length
// (7–13 bytes; the length field takes the rest of the 15) and tag length
// (4–16, even).
func New(b cipher.Block, nonceLen, tagLen int) (cipher.AEAD, error) {
	if b.BlockSize() != 16 {
		return nil, errors.New("ccm: block size must be 16")
	}
	if nonceLen < 7 || nonceLen > 13 || tagLen < 4 || tagLen > 16 || tagLen%2 != 0 {
		return nil, errors.New("ccm: invalid nonce or tag length")
	}
	return &ccm{b: b, nonceLen: nonceLen, tagLen: tagLen}, nil
}

func (c *ccm) NonceSize() int { return c.nonceLen }
func (c *ccm) Overhead() int  { return c.tagLen }

// lenField is L, the byte length of the message length (RFC 3610 §2).
func (c *ccm) lenField() int { return 15 - c.nonceLen }

func (c *ccm) maxLen() uint64 {
	l := c.lenField()
	if l >= 8 {
		return 1<<63 - 1
	}
	return 1<<(8*l) - 1
}

// mac is CBC-MAC over B0, the encoded additional data and the message,
// each part zero-padded to whole blocks (RFC 3610 §2.2).
func (c *ccm) mac(nonce, msg, ad []byte) [16]byte {
	var x, blk [16]byte
	flags := byte((c.tagLen-2)/2) << 3
	flags |= byte(c.lenField() - 1)
	if len(ad) > 0 {
		flags |= 0x40
	}
	blk[0] = flags
	copy(blk[1:], nonce)
	var ml [8]byte
	binary.BigEndian.PutUint64(ml[:], uint64(len(msg)))
	copy(blk[16-c.lenField():], ml[8-c.lenField():])
	c.b.Encrypt(x[:], blk[:])

	absorb := func(p []byte) {
		for len(p) > 0 {
			n := copy(blk[:], p)
			clear(blk[n:])
			subtle.XORBytes(x[:], x[:], blk[:])
			c.b.Encrypt(x[:], x[:])
			p = p[n:]
		}
	}
	if len(ad) > 0 {
		// The length of the additional data, then the data, padded
		// together.
		var hdr []byte
		switch {
		case len(ad) < 0xff00:
			hdr = []byte{byte(len(ad) >> 8), byte(len(ad))}
		case uint64(len(ad)) <= 0xffffffff:
			hdr = []byte{0xff, 0xfe, byte(len(ad) >> 24), byte(len(ad) >> 16), byte(len(ad) >> 8), byte(len(ad))}
		default:
			hdr = []byte{0xff, 0xff}
			hdr = binary.BigEndian.AppendUint64(hdr, uint64(len(ad)))
		}
		absorb(append(hdr, ad...))
	}
	absorb(msg)
	return x
}

// ctr XORs src into dst with the counter blocks A_1, A_2… and returns S_0
// (RFC 3610 §2.3).
func (c *ccm) ctr(nonce, dst, src []byte) [16]byte {
	var a, s0 [16]byte
	a[0] = byte(c.lenField() - 1)
	copy(a[1:], nonce)
	c.b.Encrypt(s0[:], a[:])
	a[15] = 1
	cipher.NewCTR(c.b, a[:]).XORKeyStream(dst, src)
	return s0
}

func (c *ccm) Seal(dst, nonce, plaintext, ad []byte) []byte {
	if len(nonce) != c.nonceLen || uint64(len(plaintext)) > c.maxLen() {
		panic("ccm: bad nonce length or message too long")
	}
	tag := c.mac(nonce, plaintext, ad)
	ret, out := sliceForAppend(dst, len(plaintext)+c.tagLen)
	s0 := c.ctr(nonce, out[:len(plaintext)], plaintext)
	subtle.XORBytes(out[len(plaintext):], tag[:c.tagLen], s0[:c.tagLen])
	return ret
}

var errOpen = errors.New("ccm: message authentication failed")

func (c *ccm) Open(dst, nonce, ciphertext, ad []byte) ([]byte, error) {
	if len(nonce) != c.nonceLen || len(ciphertext) < c.tagLen {
		return nil, errOpen
	}
	n := len(ciphertext) - c.tagLen
	if uint64(n) > c.maxLen() {
		return nil, errOpen
	}
	var got [16]byte
	copy(got[:], ciphertext[n:])
	ret, out := sliceForAppend(dst, n)
	s0 := c.ctr(nonce, out, ciphertext[:n])
	want := c.mac(nonce, out, ad)
	subtle.XORBytes(want[:c.tagLen], want[:c.tagLen], s0[:c.tagLen])
	if subtle.ConstantTimeCompare(want[:c.tagLen], got[:c.tagLen]) != 1 {
		clear(out)
		return nil, errOpen
	}
	return ret, nil
}

// sliceForAppend extends in by n bytes, reusing its capacity.
func sliceForAppend(in []byte, n int) (head, tail []byte) {
	if total := len(in) + n; cap(in) >= total {
		head = in[:total]
	} else {
		head = make([]byte, total)
		copy(head, in)
	}
	return head, head[len(in):]
}
