package sserver

import (
	"os"

	"github.com/tlskit/tlskit/internal/keylog"
)

// tlsSetup is what every connection shares: the certificates and the
// -keylogfile.
type tlsSetup struct {
	id     *identity
	keyLog *os.File
}

func newTLSSetup(c *config, id *identity) (*tlsSetup, error) {
	t := &tlsSetup{id: id}
	if c.keyLogFile != "" {
		f, err := keylog.Open(c.keyLogFile)
		if err != nil {
			return nil, err
		}
		t.keyLog = f
	}
	return t, nil
}

func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
