package record

import (
	"crypto"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/subtle"
	"hash"
	"io"

	// The MAC hashes of the CBC suites, linked so crypto.Hash.New works.
	_ "crypto/sha1"
	_ "crypto/sha256"
	_ "crypto/sha512"
)

// CBC is TLS 1.0–1.2's block cipher protection with HMAC (RFC 5246
// §6.2.3.2): MAC-then-encrypt by default, encrypt-then-MAC when the
// extension was negotiated (RFC 7366). TLS 1.0 chains the IV from the
// previous record's last ciphertext block (RFC 2246 §6.2.3.2); TLS 1.1
// and later send a fresh random IV in each record (RFC 4346 §6.2.3.2).
type CBC struct {
	block   cipher.Block
	mac     hash.Hash
	macHash crypto.Hash
	version uint16
	etm     bool
	iv      []byte // TLS 1.0's chained IV
	seq     uint64
	ad      [13]byte
	scratch []byte
	// Rand supplies explicit IVs; nil means crypto/rand.
	Rand io.Reader
}

// NewCBC makes CBC protection for one direction: the block cipher keyed
// with the write key, the MAC hash and write MAC key, the negotiated
// version, whether encrypt-then-MAC is on, and (TLS 1.0 only) the write
// IV from the key block.
func NewCBC(block cipher.Block, macHash crypto.Hash, macKey []byte, version uint16, etm bool, iv []byte) *CBC {
	c := &CBC{block: block, mac: hmac.New(macHash.New, macKey), macHash: macHash, version: version, etm: etm}
	if version < 0x0302 {
		c.iv = append([]byte(nil), iv...)
	}
	return c
}

func (c *CBC) explicitIV() bool { return c.version >= 0x0302 }

func (c *CBC) rand() io.Reader {
	if c.Rand != nil {
		return c.Rand
	}
	return rand.Reader
}

// macOf is HMAC over seq_num, type, version, length and data.
func (c *CBC) macOf(dst []byte, typ uint8, version uint16, data ...[]byte) []byte {
	n := 0
	for _, d := range data {
		n += len(d)
	}
	c.mac.Reset()
	c.mac.Write(additionalData(c.ad[:0], c.seq, typ, version, n))
	for _, d := range data {
		c.mac.Write(d)
	}
	return c.mac.Sum(dst)
}

// pad appends RFC 5246 §6.2.3.2's padding to b, whose last n bytes are
// to be encrypted: padding_length+1 bytes, each holding padding_length,
// up to a whole block.
func pad(b []byte, n, bs int) []byte {
	p := bs - (n+1)%bs
	if p == bs {
		p = 0
	}
	for i := 0; i <= p; i++ {
		b = append(b, byte(p))
	}
	return b
}

// Seal implements Cipher12.
func (c *CBC) Seal(out []byte, typ uint8, version uint16, plain []byte) ([]byte, error) {
	bs := c.block.BlockSize()
	start := len(out)
	var iv []byte
	if c.explicitIV() {
		out = append(out, make([]byte, bs)...)
		if _, err := io.ReadFull(c.rand(), out[start:]); err != nil {
			return nil, err
		}
		iv = append([]byte(nil), out[start:]...)
	} else {
		iv = c.iv
	}
	ctStart := len(out)
	out = append(out, plain...)
	if !c.etm {
		out = c.macOf(out, typ, version, plain)
	}
	out = pad(out, len(out)-ctStart, bs)
	cipher.NewCBCEncrypter(c.block, iv).CryptBlocks(out[ctStart:], out[ctStart:])
	if !c.explicitIV() {
		c.iv = append(c.iv[:0], out[len(out)-bs:]...)
	}
	if c.etm {
		// RFC 7366 §3: the MAC covers the IV and the ciphertext, and
		// the length in its input is theirs.
		out = c.macOf(out, typ, version, out[start:])
	}
	c.seq++
	return out, nil
}

// Open implements Cipher12.
func (c *CBC) Open(typ uint8, version uint16, body []byte) ([]byte, error) {
	if c.etm {
		return c.openETM(typ, version, body)
	}
	return c.openMtE(typ, version, body)
}

// decrypt decrypts whole blocks in place, taking the explicit IV off the
// front or using (and advancing) TLS 1.0's chained one.
func (c *CBC) decrypt(body []byte) []byte {
	bs := c.block.BlockSize()
	var iv []byte
	if c.explicitIV() {
		iv, body = body[:bs], body[bs:]
	} else {
		iv = c.iv
		next := append([]byte(nil), body[len(body)-bs:]...)
		defer func() { c.iv = next }()
	}
	cipher.NewCBCDecrypter(c.block, iv).CryptBlocks(body, body)
	return body
}

// openETM checks the MAC over IV and ciphertext before decrypting (RFC
// 7366 §3), so padding is only looked at in authentic records.
func (c *CBC) openETM(typ uint8, version uint16, body []byte) ([]byte, error) {
	bs, ml := c.block.BlockSize(), c.macHash.Size()
	min := bs + ml
	if c.explicitIV() {
		min += bs
	}
	if len(body) < min || (len(body)-ml)%bs != 0 {
		return nil, badMAC()
	}
	ct, tag := body[:len(body)-ml], body[len(body)-ml:]
	c.scratch = c.macOf(c.scratch[:0], typ, version, ct)
	if !hmac.Equal(c.scratch, tag) {
		return nil, badMAC()
	}
	plain := c.decrypt(ct)
	p := int(plain[len(plain)-1])
	if p+1 > len(plain) {
		return nil, badMAC()
	}
	for _, b := range plain[len(plain)-1-p:] {
		if int(b) != p {
			return nil, badMAC()
		}
	}
	c.seq++
	return plain[:len(plain)-1-p], nil
}

// openMtE decrypts, then checks padding and MAC without branching or
// indexing on the padding length (RFC 5246 §6.2.3.2's implementation
// note; the Lucky Thirteen attack): the padding check reads the last 256
// bytes whatever the padding says, the MAC is copied out of every
// position it could occupy, and the HMAC work is topped up with dummy
// hash blocks to what the longest possible record would have cost.
func (c *CBC) openMtE(typ uint8, version uint16, body []byte) ([]byte, error) {
	bs, ml := c.block.BlockSize(), c.macHash.Size()
	min := (ml + 1 + bs - 1) / bs * bs
	if c.explicitIV() {
		min += bs
	}
	if len(body) < min || len(body)%bs != 0 {
		return nil, badMAC()
	}
	plain := c.decrypt(body)
	n := len(plain)
	padLen := int(plain[n-1])
	// good is all ones while the record still looks right.
	good := subtle.ConstantTimeLessOrEq(padLen+1+ml, n)
	check := min256(n)
	for i := 0; i < check; i++ {
		inPad := subtle.ConstantTimeLessOrEq(i, padLen)
		same := subtle.ConstantTimeByteEq(plain[n-1-i], byte(padLen))
		good &= same | (inPad ^ 1)
	}
	// A bad record is MACed as if it had no padding.
	padLen = subtle.ConstantTimeSelect(good, padLen, 0)
	dataLen := n - padLen - 1 - ml

	// Copy the received MAC out of position dataLen, touching every
	// position from the lowest it could be to the highest.
	recv := make([]byte, ml)
	lo := n - 1 - ml - 255
	if lo < 0 {
		lo = 0
	}
	for j := lo; j <= n-1-ml; j++ {
		m := byte(subtle.ConstantTimeEq(int32(j), int32(dataLen)) * 0xff)
		for k := 0; k < ml; k++ {
			recv[k] |= plain[j+k] & m
		}
	}
	c.scratch = c.macOf(c.scratch[:0], typ, version, plain[:dataLen])
	c.equalizeHMAC(dataLen, n-1-ml)
	good &= subtle.ConstantTimeCompare(c.scratch, recv)
	c.seq++
	if good != 1 {
		// openssl's provider checks padding and MAC of a MAC-then-
		// encrypt record and reports either (measured, a flipped bit in
		// the padding or in the IV).
		return nil, badMACFrom("ossl_cipher_generic_stream_update")
	}
	return plain[:dataLen], nil
}

func min256(n int) int {
	if n < 256 {
		return n
	}
	return 256
}

// equalizeHMAC runs as many extra hash compressions as the inner HMAC
// hash saved because the record's data was dataLen bytes rather than the
// maxLen it could have been.
func (c *CBC) equalizeHMAC(dataLen, maxLen int) {
	block, lenField := 64, 8
	if c.macHash == crypto.SHA384 || c.macHash == crypto.SHA512 {
		block, lenField = 128, 16
	}
	blocks := func(l int) int { return (block + 13 + l + 1 + lenField + block - 1) / block }
	extra := blocks(maxLen) - blocks(dataLen)
	if extra <= 0 {
		return
	}
	h := c.macHash.New()
	var buf [128]byte
	for i := 0; i < extra; i++ {
		h.Write(buf[:block])
	}
	h.Sum(c.ad[:0:0])
}
