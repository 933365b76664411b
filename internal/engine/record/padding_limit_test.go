package record

import (
	"testing"

	"github.com/tlskit/tlskit/internal/engine/alert"
	"github.com/tlskit/tlskit/internal/engine/suites"
)

// TestPaddedInnerPlaintextLimit: a protected record whose content fits in
// 2^14 bytes but whose padding takes the inner plaintext past 2^14 + 1 is
// record_overflow (RFC 8446 §5.4; found by BoGo's LargePlaintext-TLS13-
// Padded tests); exactly 2^14 + 1 passes.
func TestPaddedInnerPlaintextLimit(t *testing.T) {
	for _, c := range []struct {
		content, inner int
		ok             bool
	}{{8192, MaxPlaintext + 1, true}, {8192, MaxPlaintext + 2, false}, {1, MaxPlaintext + 2, false}} {
		var p pipe
		wc, rc := cipherPair(t, suites.AES128GCMSHA256)
		r := New(&p)
		r.SetReadCipher(rc)
		inner := make([]byte, c.inner)
		for i := 0; i < c.content; i++ {
			inner[i] = 'x'
		}
		inner[c.content] = TypeApplicationData
		n := len(inner) + wc.aead.Overhead()
		hdr := []byte{TypeApplicationData, 3, 3, byte(n >> 8), byte(n)}
		p.Write(wc.aead.Seal(append([]byte(nil), hdr...), wc.nonce(), inner, hdr))
		typ, data, err := r.Read()
		if c.ok {
			if err != nil || typ != TypeApplicationData || len(data) != c.content {
				t.Errorf("%d in %d: %v", c.content, c.inner, err)
			}
			continue
		}
		wantAlert(t, err, alert.RecordOverflow)
	}
}
