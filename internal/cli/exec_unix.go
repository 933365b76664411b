//go:build unix

package cli

import (
	"os/signal"
	"syscall"
)

// execProgram replaces the process with prog; it returns only on failure.
func execProgram(prog string, argv, env []string) error {
	return syscall.Exec(prog, argv, env)
}

// ignoreSIGPIPE makes a write to a closed pipe fail with EPIPE instead of
// ending the process, as openssl arranges for itself.
func ignoreSIGPIPE() { signal.Ignore(syscall.SIGPIPE) }
