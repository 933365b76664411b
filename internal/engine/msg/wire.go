// Package msg is tlskit's codec for TLS handshake messages and extensions
// (RFC 8446 §4, RFC 5246 §7.4): strict parsing that names the alert a
// malformed input deserves (RFC 8446 §6.2), marshalling, and linear-time
// reassembly of handshake messages from record fragments. The engine and
// the -msg/-trace printers share it.
package msg

import "github.com/tlskit/tlskit/internal/engine/alert"

// reader consumes big-endian TLS vectors (RFC 8446 §3.4). The first short
// read marks it failed; callers check ok once at the end, and every later
// read returns zero values so that a failed parse never indexes past the
// input.
type reader struct {
	b   []byte
	bad bool
}

func (r *reader) ok() bool    { return !r.bad }
func (r *reader) empty() bool { return len(r.b) == 0 }

func (r *reader) take(n int) []byte {
	if r.bad || n < 0 || n > len(r.b) {
		r.bad = true
		return nil
	}
	v := r.b[:n:n]
	r.b = r.b[n:]
	return v
}

func (r *reader) u8() uint8 {
	v := r.take(1)
	if v == nil {
		return 0
	}
	return v[0]
}

func (r *reader) u16() uint16 {
	v := r.take(2)
	if v == nil {
		return 0
	}
	return uint16(v[0])<<8 | uint16(v[1])
}

func (r *reader) u24() int {
	v := r.take(3)
	if v == nil {
		return 0
	}
	return int(v[0])<<16 | int(v[1])<<8 | int(v[2])
}

func (r *reader) u32() uint32 {
	v := r.take(4)
	if v == nil {
		return 0
	}
	return uint32(v[0])<<24 | uint32(v[1])<<16 | uint32(v[2])<<8 | uint32(v[3])
}

// vec8, vec16 and vec24 read an opaque vector with a 1, 2 or 3 byte length.
func (r *reader) vec8() []byte  { return r.take(int(r.u8())) }
func (r *reader) vec16() []byte { return r.take(int(r.u16())) }
func (r *reader) vec24() []byte { return r.take(r.u24()) }

// sub reads a length-prefixed vector as a reader of its own.
//
//lint:ignore U1000 one of the vector readers, kept with its siblings
func (r *reader) sub8() *reader  { return &reader{b: r.vec8(), bad: r.bad} }
func (r *reader) sub16() *reader { return &reader{b: r.vec16(), bad: r.bad} }
func (r *reader) sub24() *reader { return &reader{b: r.vec24(), bad: r.bad} }

// done reports decode_error unless the reader failed nowhere and consumed
// everything: trailing bytes are as malformed as missing ones.
func (r *reader) done() error {
	if r.bad || len(r.b) != 0 {
		return alert.DecodeError
	}
	return nil
}

// builder appends big-endian TLS vectors. A vector longer than its length
// field can say marks the builder failed instead of wrapping around.
type builder struct {
	b   []byte
	bad bool
}

func (b *builder) u8(v uint8)   { b.b = append(b.b, v) }
func (b *builder) u16(v uint16) { b.b = append(b.b, byte(v>>8), byte(v)) }

//lint:ignore U1000 one of the integer writers, kept with its siblings
func (b *builder) u24(v int) { b.b = append(b.b, byte(v>>16), byte(v>>8), byte(v)) }
func (b *builder) u32(v uint32) {
	b.b = append(b.b, byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
}
func (b *builder) raw(p []byte) { b.b = append(b.b, p...) }

// vec writes a vector with an n-byte length in front of what f appends.
func (b *builder) vec(n int, f func(*builder)) {
	start := len(b.b)
	b.b = append(b.b, make([]byte, n)...)
	f(b)
	l := len(b.b) - start - n
	if l >= 1<<(8*n) {
		b.bad = true
		return
	}
	for i := 0; i < n; i++ {
		b.b[start+i] = byte(l >> (8 * (n - 1 - i)))
	}
}

func (b *builder) vec8(p []byte)  { b.vec(1, func(b *builder) { b.raw(p) }) }
func (b *builder) vec16(p []byte) { b.vec(2, func(b *builder) { b.raw(p) }) }
func (b *builder) vec24(p []byte) { b.vec(3, func(b *builder) { b.raw(p) }) }

func (b *builder) bytes() ([]byte, error) {
	if b.bad {
		return nil, alert.InternalError
	}
	return b.b, nil
}
