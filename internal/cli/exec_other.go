//go:build !unix

package cli

// execProgram cannot replace the process here; the caller runs a child.
func execProgram(string, []string, []string) error { return errNoExec }

// ignoreSIGPIPE: there is no SIGPIPE to ignore here.
func ignoreSIGPIPE() {}
