package sserver

import (
	"io"
	"os"
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
		f, err := os.OpenFile(c.keyLogFile, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
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

// ignoreWriteErrors drops its writer's errors, as openssl's file BIOs do
// for the key log: a key log that cannot be written (a full disk) must not
// fail the handshake.
type ignoreWriteErrors struct{ w io.Writer }

func (i ignoreWriteErrors) Write(p []byte) (int, error) {
	i.w.Write(p)
	return len(p), nil
}
