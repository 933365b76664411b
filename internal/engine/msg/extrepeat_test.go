package msg

import (
	"errors"
	"testing"

	"github.com/tlskit/tlskit/internal/engine/alert"
)

// extBlock is n extensions of types 1000, 1001, ... with one byte of
// data each; with repeat the last one takes the first one's type.
func extBlock(n int, repeat bool) []byte {
	var b []byte
	for i := 0; i < n; i++ {
		t := 1000 + i
		if repeat && i == n-1 {
			t = 1000
		}
		b = append(b, byte(t>>8), byte(t), 0, 1, byte(i))
	}
	return b
}

// TestExtensionRepeats: a type that comes twice in an extension block is
// illegal_parameter whether the block is checked by scanning (up to
// maxScannedExtensions) or with a map (more), blocks without repeats
// parse whole, and a hello-sized block costs one allocation, the list.
func TestExtensionRepeats(t *testing.T) {
	for _, n := range []int{2, 20, maxScannedExtensions, maxScannedExtensions + 1, 5000} {
		r := &reader{b: extBlock(n, false)}
		ext, err := parseExtensions(r)
		if err != nil || len(ext) != n || ext[n-1].Type != ExtType(1000+n-1) {
			t.Fatalf("%d distinct extensions: %d parsed, %v", n, len(ext), err)
		}
		_, err = parseExtensions(&reader{b: extBlock(n, true)})
		if !errors.Is(err, alert.IllegalParameter) {
			t.Errorf("%d extensions, the last repeating the first: %v, want illegal_parameter", n, err)
		}
	}
	block := extBlock(20, false)
	if a := testing.AllocsPerRun(100, func() { parseExtensions(&reader{b: block}) }); a > 1 {
		t.Errorf("%.0f allocations to parse 20 extensions, want 1", a)
	}
}
