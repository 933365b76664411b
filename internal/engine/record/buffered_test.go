package record

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// dribble hands out its bytes in reads of the given sizes, failing with
// errTimeout once before each read listed in failBefore.
type dribble struct {
	data       []byte
	sizes      []int
	failBefore map[int]bool
	reads      int
}

var errTimeout = errors.New("i/o timeout")

func (d *dribble) Read(p []byte) (int, error) {
	if d.failBefore[d.reads] {
		delete(d.failBefore, d.reads)
		return 0, errTimeout
	}
	if len(d.data) == 0 {
		return 0, io.EOF
	}
	n := len(d.data)
	if d.reads < len(d.sizes) {
		n = min(n, d.sizes[d.reads])
	}
	n = copy(p, d.data[:n])
	d.data = d.data[n:]
	d.reads++
	return n, nil
}

func (d *dribble) Write(p []byte) (int, error) { return len(p), nil }

// TestBufferedReads: records that arrive several to a read, or split
// across reads at any byte, come out whole and in order; a read error in
// the middle of a record (a deadline) loses nothing, and the next Read
// carries on from where the stream stopped; a stream cut inside a record
// is an unexpected EOF.
func TestBufferedReads(t *testing.T) {
	var p pipe
	w := New(&p)
	wc, _ := cipherPair(t, 0x1301)
	w.SetWriteCipher(wc)
	var want [][]byte
	for i, n := range []int{1, 300, MaxPlaintext, 17, MaxPlaintext - 1, 5000} {
		msg := bytes.Repeat([]byte{byte(i + 1)}, n)
		want = append(want, msg)
		if err := w.Write(TypeApplicationData, msg); err != nil {
			t.Fatal(err)
		}
	}
	stream := p.Bytes()
	for _, sizes := range [][]int{nil, {1, 1, 1, 1, 1, 2, 3}, {3, 7, 20000, 9}, {len(stream)}} {
		d := &dribble{data: append([]byte(nil), stream...), sizes: sizes, failBefore: map[int]bool{1: true, 3: true}}
		r := New(d)
		_, rc := cipherPair(t, 0x1301)
		r.SetReadCipher(rc)
		for i := 0; i < len(want); {
			typ, got, err := r.Read()
			if err == errTimeout {
				continue
			}
			if err != nil || typ != TypeApplicationData || !bytes.Equal(got, want[i]) {
				t.Fatalf("sizes %v: record %d: %v, %d bytes, %v", sizes, i, typ, len(got), err)
			}
			i++
		}
		if _, _, err := r.Read(); err != io.EOF {
			t.Fatalf("sizes %v: end: %v", sizes, err)
		}
	}
	// Cut inside the last record.
	r := New(&dribble{data: stream[:len(stream)-3]})
	_, rc := cipherPair(t, 0x1301)
	r.SetReadCipher(rc)
	var err error
	for err == nil {
		_, _, err = r.Read()
	}
	if err != io.ErrUnexpectedEOF {
		t.Fatalf("cut stream: %v", err)
	}
}
