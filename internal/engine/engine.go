// Package engine is the seam between tlskit's commands and the TLS
// implementation underneath: crypto/tls today, a project-owned engine for
// what crypto/tls cannot do (renegotiation, KeyUpdate on request,
// post-handshake auth, external PSKs, DHE…) later.
package engine

import (
	"context"
	"crypto/tls"
	"net"
)

// Conn is one TLS connection as the commands use it.
type Conn interface {
	net.Conn
	Handshake() error
	HandshakeContext(ctx context.Context) error
	ConnectionState() tls.ConnectionState
	// CloseWrite sends close_notify and shuts the sending side.
	CloseWrite() error
}

// Engine makes TLS connections over established transports. The
// configuration is crypto/tls's: it is the vocabulary the commands already
// build, and an engine that can do more reads the fields it understands.
type Engine interface {
	Client(c net.Conn, cfg *tls.Config) Conn
	Server(c net.Conn, cfg *tls.Config) Conn
}

// Default is the engine the commands use.
var Default Engine = goTLS{}

// goTLS is crypto/tls.
type goTLS struct{}

func (goTLS) Client(c net.Conn, cfg *tls.Config) Conn { return tls.Client(c, cfg) }
func (goTLS) Server(c net.Conn, cfg *tls.Config) Conn { return tls.Server(c, cfg) }
