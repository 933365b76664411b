package wire

import (
	"fmt"
	"strings"

	"github.com/tlskit/tlskit/internal/engine/msg"
)

// traceHelloLenient prints a ClientHello or ServerHello the codec
// rejected, as far as its framing can be read, the way openssl -trace
// walks a message: field by field, stopping at the first one that runs
// past the message. It only prints; the engine's strict parse decides
// the handshake. false means a field ran short or the extensions block
// does not fill the rest of the message: openssl then prints "Message
// length parse error!".
func traceHelloLenient(sb *strings.Builder, client bool, body []byte) bool {
	r := lenientReader{b: body}
	name := "server_version"
	if client {
		name = "client_version"
	}
	v, ok := r.u16()
	if !ok {
		return false
	}
	fmt.Fprintf(sb, "      %s=0x%x (%s)\n", name, v, versionName(v))
	rnd, ok := r.take(32)
	if !ok {
		return false
	}
	traceRandom(sb, rnd)
	sid, ok := r.vec8()
	if !ok {
		return false
	}
	traceOpaque(sb, 6, "session_id", sid)
	if client {
		n, ok := r.u16()
		if !ok {
			return false
		}
		fmt.Fprintf(sb, "      cipher_suites (len=%d)\n", n)
		cs, ok := r.take(int(n))
		if !ok || n%2 == 1 {
			return false
		}
		for i := 0; i < len(cs); i += 2 {
			fmt.Fprintf(sb, "        {0x%02X, 0x%02X} %s\n", cs[i], cs[i+1], cipherName(uint16(cs[i])<<8|uint16(cs[i+1])))
		}
		cm, ok := r.vec8()
		if !ok {
			return false
		}
		fmt.Fprintf(sb, "      compression_methods (len=%d)\n", len(cm))
		for _, c := range cm {
			if c == 0 {
				sb.WriteString("        No Compression (0x00)\n")
			} else {
				fmt.Fprintf(sb, "        UNKNOWN (0x%02X)\n", c)
			}
		}
	} else {
		c, ok := r.u16()
		if !ok {
			return false
		}
		fmt.Fprintf(sb, "      cipher_suite {0x%02X, 0x%02X} %s\n", c>>8, c&0xff, cipherName(c))
		cm, ok := r.take(1)
		if !ok {
			return false
		}
		if cm[0] == 0 {
			sb.WriteString("      compression_method: No Compression (0x00)\n")
		} else {
			fmt.Fprintf(sb, "      compression_method: UNKNOWN (0x%02X)\n", cm[0])
		}
	}
	typ := hsServerHello
	if client {
		typ = hsClientHello
	}
	return traceExtsLenient(sb, 6, typ, r.rest())
}

// traceExtsLenient prints an extensions block extension by extension, as
// openssl's trace does, whatever the codec thinks of the whole (a
// repeated extension, say). One that claims more bytes than are left is
// reported with its type and claimed length and the bytes left dumped,
// openssl's way; false then, and when the block's length is not the rest
// of the message.
func traceExtsLenient(sb *strings.Builder, indent int, msgType uint8, b []byte) bool {
	pad := strings.Repeat(" ", indent)
	sb.WriteString(pad)
	if len(b) == 0 {
		sb.WriteString("No extensions\n")
		return true
	}
	if len(b) < 2 || int(b[0])<<8|int(b[1]) != len(b)-2 {
		return false
	}
	b = b[2:]
	fmt.Fprintf(sb, "extensions, length = %d\n", len(b))
	for len(b) > 0 {
		if len(b) < 4 {
			return false
		}
		t, n := uint16(b[0])<<8|uint16(b[1]), int(b[2])<<8|int(b[3])
		if len(b) < n+4 {
			fmt.Fprintf(sb, "extensions, extype = %d, extlen = %d\n", t, n)
			writeDump(sb, b, indent+2)
			return false
		}
		e := Ext{Type: msg.ExtType(t), Data: b[4 : 4+n]}
		fmt.Fprintf(sb, "%s  extension_type=%s(%d), length=%d\n", pad, traceExtName(t), t, n)
		if !traceExt(sb, indent+4, msgType, e) {
			writeDump(sb, e.Data, indent+4)
		}
		b = b[4+n:]
	}
	return true
}

// lenientReader reads a message's fields without judging them.
type lenientReader struct{ b []byte }

func (r *lenientReader) take(n int) ([]byte, bool) {
	if n < 0 || len(r.b) < n {
		return nil, false
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v, true
}

func (r *lenientReader) u16() (uint16, bool) {
	v, ok := r.take(2)
	if !ok {
		return 0, false
	}
	return uint16(v[0])<<8 | uint16(v[1]), true
}

func (r *lenientReader) vec8() ([]byte, bool) {
	n, ok := r.take(1)
	if !ok {
		return nil, false
	}
	return r.take(int(n[0]))
}

func (r *lenientReader) rest() []byte { return r.b }
