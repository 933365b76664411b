package optgroups

import (
	"crypto/rand"
	"fmt"
	"io"
	"os"

	"github.com/tlskit/tlskit/internal/sslerr"
)

// WriteRand is -writerand: openssl saves random bytes to seed a later run.
// tlskit reads no seed file, but writes one so scripts find it, when the
// command ends by itself; ended by SIGINT or SIGTERM, neither writes it
// (measured with openssl 3.0 s_server). A file it cannot write gives
// openssl's lines (measured with 3.0): "Cannot write random bytes:" and
// RAND_write_file's entry, "Not a regular file" for a directory or
// device, "Cannot open file" otherwise; the exit code stays.
func WriteRand(path string, errw io.Writer) {
	b := make([]byte, 1024)
	rand.Read(b)
	reason, code := "Cannot open file", uint32(0x12000079)
	if st, err := os.Stat(path); err == nil && !st.Mode().IsRegular() {
		reason, code = "Not a regular file", 0x1200007A
	} else if err := os.WriteFile(path, b, 0o600); err == nil {
		return
	}
	fmt.Fprintln(errw, "Cannot write random bytes:")
	fmt.Fprintln(errw, sslerr.Entry{Code: code, Lib: "random number generator", Func: "RAND_write_file", Reason: reason, Data: "Filename=" + path}.String())
}
