//go:build !linux

package testpeer

import (
	"errors"
	"os"
)

// pipeHolds is Linux-only: elsewhere it says it cannot tell.
func pipeHolds(*os.File) (int, error) {
	return 0, errors.New("FIONREAD on a pipe is only used on Linux")
}
