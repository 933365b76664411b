package stdio

import (
	"bytes"
	"io"
	"testing"
	"time"
)

// TestReadsKeepsReadBoundaries: each read is handed over as it returns,
// without waiting for a newline, binary bytes untouched.
func TestReadsKeepsReadBoundaries(t *testing.T) {
	pr, pw := io.Pipe()
	ch := Reads(pr, ServerReadSize)
	next := func() []byte {
		t.Helper()
		select {
		case b, ok := <-ch:
			if !ok {
				t.Fatal("channel closed early")
			}
			return b
		case <-time.After(10 * time.Second):
			t.Fatal("no read handed over within 10s")
		}
		return nil
	}
	for _, w := range [][]byte{[]byte("abc"), {0, 'Q', 0xff, '\n', 0}, []byte("Q\nmore\n")} {
		go pw.Write(w)
		if got := next(); !bytes.Equal(got, w) {
			t.Fatalf("read %q, want %q", got, w)
		}
	}
	pw.Close()
	select {
	case b, ok := <-ch:
		if ok {
			t.Fatalf("after EOF got %q, want a closed channel", b)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("channel not closed at EOF")
	}
}

func TestReadsNil(t *testing.T) {
	select {
	case _, ok := <-Reads(nil, ClientReadSize):
		if ok {
			t.Fatal("nil reader yielded data")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("nil reader: channel not closed")
	}
}
