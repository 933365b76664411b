//go:build !linux

package stdio

import "io"

// IsTerminal reports whether w is a terminal; only Linux can tell, and
// elsewhere the answer is no.
func IsTerminal(io.Writer) bool { return false }
