package sclient

import (
	"fmt"
	"io"
)

// sessWriteError is a -sess_out file that cannot be written (a missing
// directory, a directory, a full disk): openssl says so in its words,
// with no "s_client: " prefix, and carries on; errno is the system's
// error, which openssl's next failed read reports (see sessWriteFailed).
type sessWriteError struct {
	path  string
	errno int
}

func (e *sessWriteError) Error() string { return "Error writing session file " + e.path }

// reportSessionError prints a failure to save the session as openssl
// would.
func reportSessionError(w io.Writer, err error) {
	if e, ok := err.(*sessWriteError); ok {
		fmt.Fprintln(w, e.Error())
		return
	}
	fmt.Fprintf(w, "s_client: %v\n", err)
}
