//go:build unix

package certs

import (
	"os"
	"syscall"
)

// readPassFD reads the first line from descriptor fd without closing it: the descriptor
// belongs to whoever started us. A duplicate is wrapped instead, so the os.File finaliser
// cannot close the original.
func readPassFD(fd int) (string, error) {
	dup, err := syscall.Dup(fd)
	if err != nil {
		return "", fileReason(err)
	}
	f := os.NewFile(uintptr(dup), "fd")
	defer f.Close()
	return readPassLine(f)
}
