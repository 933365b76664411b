// Package certs loads certificates, private keys, CRLs, CA stores and pass phrases the way the
// file options of openssl s_client and s_server (-cert, -key, -pass, -CAfile, -CRL…) expect.
package certs

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// LoadError reports a failure to load one input. Its message is a single line that names the
// kind of object, the file and the reason, so a command can print it after its own "prog: ".
type LoadError struct {
	What string // "certificate", "private key", "CRL", "CA certificates", "pass phrase"…
	Path string // the file, directory or URI as the user gave it; empty when echoing it could leak a secret
	Err  error  // the reason; one of the Err… values below, or a short description
}

func (e *LoadError) Error() string {
	if e.Path == "" {
		return fmt.Sprintf("certs: cannot load %s: %v", e.What, e.Err)
	}
	return fmt.Sprintf("certs: cannot load %s from %q: %v", e.What, e.Path, e.Err)
}

func (e *LoadError) Unwrap() error { return e.Err }

// reasonError is a user-facing reason that also matches a standard error with errors.Is,
// so callers can test for fs.ErrNotExist without the message carrying Go's wording.
type reasonError struct {
	msg    string
	target error
}

func (e *reasonError) Error() string        { return e.msg }
func (e *reasonError) Is(target error) bool { return target == e.target }

// Reasons carried by LoadError.Err; compare with errors.Is.
var (
	ErrNoSuchFile   error = &reasonError{"no such file", fs.ErrNotExist}
	ErrPermission   error = &reasonError{"permission denied", fs.ErrPermission}
	ErrWrongPass          = errors.New("wrong pass phrase")
	ErrPassRequired       = errors.New("pass phrase required (use -pass)")
	ErrKeyMismatch        = errors.New("key does not match certificate")
	ErrUnsupported        = errors.New("unsupported")
)

// Problem is how openssl's apps (s_client, s_server) report an input
// they failed to load, which decides the lines tlskit prints for a
// LoadError.
type Problem int

const (
	// ProblemOwn has no openssl wording of its own here: a pass phrase
	// that is wrong or missing, a permission refused, a format tlskit
	// does not support, a key of another certificate. tlskit's error
	// text is printed.
	ProblemOwn Problem = iota
	// ProblemMissing is a file that does not exist: "Could not open file
	// or uri for loading …" and the store's error lines.
	ProblemMissing
	// ProblemUnreadable is a file that opened but held nothing usable (a
	// directory, garbage, another kind of object): "Could not read … from
	// …".
	ProblemUnreadable
)

// Problem says how openssl reports e's failure. It follows the reasons
// above: a new reason that has its own wording belongs in ProblemOwn.
func (e *LoadError) Problem() Problem {
	switch {
	case errors.Is(e.Err, fs.ErrNotExist):
		return ProblemMissing
	case errors.Is(e.Err, ErrWrongPass), errors.Is(e.Err, ErrPassRequired), errors.Is(e.Err, ErrPermission),
		errors.Is(e.Err, ErrUnsupported), errors.Is(e.Err, ErrKeyMismatch):
		return ProblemOwn
	}
	return ProblemUnreadable
}

// ProblemOf is the Problem of err's LoadError; ProblemOwn when err is
// nil or holds none.
func ProblemOf(err error) Problem {
	var le *LoadError
	if errors.As(err, &le) {
		return le.Problem()
	}
	return ProblemOwn
}

// unsupportedf describes something we recognised but cannot handle; it matches ErrUnsupported.
func unsupportedf(format string, args ...any) error {
	return &reasonError{fmt.Sprintf(format, args...), ErrUnsupported}
}

// maxFileSize bounds what a loader reads, so a path such as /dev/zero cannot exhaust memory.
// The largest real inputs (system CA bundles) are well under a megabyte.
const maxFileSize = 64 << 20

// readFile reads a whole input file and turns OS errors into short reasons.
func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fileReason(err)
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return nil, errors.New("is a directory")
	}
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, fileReason(err)
	}
	if len(data) > maxFileSize {
		return nil, errors.New("file too large")
	}
	return data, nil
}

// fileReason strips the operation and path from an OS error: the LoadError already names the path.
func fileReason(err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return ErrNoSuchFile
	case errors.Is(err, fs.ErrPermission):
		return ErrPermission
	case errors.Is(err, syscall.EISDIR):
		return errors.New("is a directory")
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
