package stdio

import "io"

// How much one read of standard input asks for, measured with openssl
// 3.0's -debug on piped input: s_client reads 8 KiB at a time (one
// 8192-byte record per read), s_server 16 KiB.
const (
	ClientReadSize = 8 * 1024
	ServerReadSize = 16 * 1024
)

// Reads reads r in the background, at most size bytes per read, and
// hands over what each read returns, raw and whole, as soon as it
// returns: no line buffering, no waiting for a newline, NUL bytes and all. openssl's connected commands look at the
// first byte of a read, so the boundaries matter and are kept. A terminal
// in canonical mode returns a line per read; a pipe returns what the
// writer has written so far.
//
// The channel is unbuffered, so at most one read is taken ahead of the
// consumer, and it is closed at end of input or on a read error. The
// goroutine ends then; while r blocks, it does too.
func Reads(r io.Reader, size int) <-chan []byte {
	ch := make(chan []byte)
	go func() {
		defer close(ch)
		if r == nil {
			return
		}
		for {
			buf := make([]byte, size)
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
