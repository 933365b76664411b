//go:build !unix

package certs

import "errors"

func readPassFD(fd int) (string, error) {
	return "", errors.New("fd: pass phrases are not supported on this system")
}
