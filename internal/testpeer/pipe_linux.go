package testpeer

import (
	"os"

	"golang.org/x/sys/unix"
)

// pipeHolds returns how many bytes wait in the pipe f is an end of
// (FIONREAD, spelled TIOCINQ on Linux; a pipe answers it on either end).
func pipeHolds(f *os.File) (int, error) {
	return unix.IoctlGetInt(int(f.Fd()), unix.TIOCINQ)
}
