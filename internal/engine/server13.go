package engine

import "errors"

// serverHandshake is the TLS 1.3 server; it comes next.
func (c *TLSConn) serverHandshake() error {
	return errors.New("tls: the own engine has no server yet")
}
