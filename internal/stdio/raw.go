package stdio

import "io"

// ReadSize is how much one read of standard input asks for: openssl's
// s_client and s_server read their input 16 KiB at a time.
const ReadSize = 16 * 1024

// Reads reads r in the background and hands over what each read returns,
// raw and whole, as soon as it returns: no line buffering, no waiting for
// a newline, NUL bytes and all. openssl's connected commands look at the
// first byte of a read, so the boundaries matter and are kept. A terminal
// in canonical mode returns a line per read; a pipe returns what the
// writer has written so far.
//
// The channel is unbuffered, so at most one read is taken ahead of the
// consumer, and it is closed at end of input or on a read error. The
// goroutine ends then; while r blocks, it does too.
func Reads(r io.Reader) <-chan []byte {
	ch := make(chan []byte)
	go func() {
		defer close(ch)
		if r == nil {
			return
		}
		for {
			buf := make([]byte, ReadSize)
			n, err := r.Read(buf)
			if n > 0 {
				ch <- buf[:n]
			}
			if err != nil {
				return
			}
		}
	}()
	return ch
}
