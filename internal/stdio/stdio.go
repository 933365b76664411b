// Package stdio holds the standard streams a command runs with, so tests can inject them.
package stdio

import "io"

// Stdio is the standard input, output and error of a command.
type Stdio struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer
}
