package keys

import (
	"crypto"
	"hash"
	"sync"
)

// mac is HMAC (RFC 2104) over one digest that serves as the inner and the
// outer hash and, through a pool per hash function, every key of every
// connection. crypto/hmac.New allocates the HMAC, two digests and both
// padded keys for each key (its first Reset two saved states more), which
// for the two dozen HMACs of a TLS 1.3 handshake came to about a third of
// a server's allocations. The price is hashing the padded key again for
// each MAC: two compression-function calls per MAC, which crypto/hmac
// saves on a key's later uses.
type mac struct {
	h     crypto.Hash
	d     hash.Hash
	size  int // the hash's output length
	block int // its block length, that of the padded keys
	ipad  [maxBlock]byte
	opad  [maxBlock]byte
	// Scratch kept here: a slice of a local array written into d (an
	// interface) would escape into an allocation of its own each time.
	inner [maxSize]byte // the inner hash
	key   [maxSize]byte // a derived key (Finished's, an exporter's secret)
	info  [128]byte     // HKDF-Expand's info; longer ones are allocated
	ctr   [1]byte       // HKDF-Expand's block counter
}

const (
	maxBlock = 128 // SHA-384 and SHA-512's block, the largest of TLS's hashes
	maxSize  = 64  // SHA-512's output
)

// macPools hold idle macs by hash function.
var macPools [crypto.BLAKE2b_512 + 1]sync.Pool

// zeros is the all-zero input key of RFC 8446 §7.1 where there is no PSK
// or no (EC)DHE secret.
var zeros [maxSize]byte

// getMAC returns an idle mac for h; give it back with put.
func getMAC(h crypto.Hash) *mac {
	if m, ok := macPools[h].Get().(*mac); ok {
		return m
	}
	d := h.New()
	if d.Size() > maxSize || d.BlockSize() > maxBlock {
		panic("keys: hash too large for HMAC: " + h.String())
	}
	return &mac{h: h, d: d, size: d.Size(), block: d.BlockSize()}
}

// put clears the key material and returns m to its pool.
func (m *mac) put() {
	clear(m.ipad[:])
	clear(m.opad[:])
	clear(m.inner[:])
	clear(m.key[:])
	m.d.Reset()
	macPools[m.h].Put(m)
}

// setKey keys m with key and starts a MAC.
func (m *mac) setKey(key []byte) {
	if len(key) > m.block {
		m.d.Reset()
		m.d.Write(key)
		key = m.d.Sum(m.inner[:0])
	}
	for i := range m.block {
		m.ipad[i], m.opad[i] = 0x36, 0x5c
	}
	for i, b := range key {
		m.ipad[i] ^= b
		m.opad[i] ^= b
	}
	m.start()
}

// start begins a new MAC under the current key.
func (m *mac) start() {
	m.d.Reset()
	m.d.Write(m.ipad[:m.block])
}

// sum appends the MAC of what was written since start to out.
func (m *mac) sum(out []byte) []byte {
	in := m.d.Sum(m.inner[:0])
	m.d.Reset()
	m.d.Write(m.opad[:m.block])
	m.d.Write(in)
	return m.d.Sum(out)
}

// expandLabel appends HKDF-Expand-Label(key, label, context, length)
// (RFC 8446 §7.1, HKDF-Expand of RFC 5869 §2.3) to out, nil for a new
// slice of its own.
func (m *mac) expandLabel(out []byte, label string, context []byte, length int) []byte {
	size := m.size
	if length > 255*size {
		// RFC 5869 §2.3's limit, which no caller comes near; an
		// all-zero key would be worse than a loud stop.
		panic("keys: HKDF-Expand-Label: output too long")
	}
	info := append(m.info[:0], byte(length>>8), byte(length), byte(len("tls13 ")+len(label)))
	info = append(info, "tls13 "...)
	info = append(info, label...)
	info = append(info, byte(len(context)))
	info = append(info, context...)
	if out == nil {
		out = make([]byte, 0, (length+size-1)/size*size)
	}
	base := len(out)
	// T(i) = HMAC(key, T(i-1) | info | i), T(0) empty; the output is
	// T(1) | T(2) | … cut to length.
	for i := byte(1); len(out)-base < length; i++ {
		m.start()
		if i > 1 {
			m.d.Write(out[len(out)-size:])
		}
		m.d.Write(info)
		m.ctr[0] = i
		m.d.Write(m.ctr[:])
		out = m.sum(out)
	}
	return out[: base+length : base+length]
}
