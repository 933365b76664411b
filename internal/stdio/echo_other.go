//go:build !linux

package stdio

import (
	"errors"
	"os"
)

// echoOff is only implemented on Linux; elsewhere the prompt is refused
// rather than showing the pass phrase (use -pass).
func echoOff(*os.File) (func(), error) {
	return nil, errors.New("not implemented on this system")
}
