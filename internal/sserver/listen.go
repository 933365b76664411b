package sserver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"

	"github.com/tlskit/tlskit/internal/engine"
	"github.com/tlskit/tlskit/internal/sslerr"
	"github.com/tlskit/tlskit/internal/transport"
	"github.com/tlskit/tlskit/internal/wire"
)

// listen opens the listening socket described by c.
func listen(c *config) (net.Listener, error) {
	if c.network == "unix" {
		if c.unlink {
			if fi, err := os.Lstat(c.addr); err == nil && fi.Mode()&os.ModeSocket != 0 {
				os.Remove(c.addr)
			}
		}
		ln, err := net.Listen("unix", c.addr)
		if err != nil {
			return nil, listenError(c.addr, err)
		}
		return ln, nil
	}
	// Accepted connections get no TCP keepalive, as openssl s_server's
	// (it sets only TCP_NODELAY on them): Go's default would add four
	// setsockopt calls to every accept.
	lc := net.ListenConfig{KeepAlive: -1}
	ln, err := lc.Listen(context.Background(), c.network, c.addr)
	if err != nil {
		return nil, listenError(c.addr, err)
	}
	return ln, nil
}

func listenError(addr string, err error) error {
	var errno syscall.Errno
	switch {
	case errors.As(err, &errno) && errno == syscall.EADDRINUSE:
		return fmt.Errorf("cannot listen on %s: address already in use", addr)
	case errors.As(err, &errno):
		return fmt.Errorf("cannot listen on %s: %v", addr, errno)
	}
	return fmt.Errorf("cannot listen on %s: %v", addr, err)
}

// acceptLine is what s_server prints once listening: "ACCEPT", or with the
// address when the port was chosen by the system (port 0) or the socket is a
// unix one, as openssl prints it ("ACCEPT [::]:40123", "ACCEPT 0.0.0.0:…").
func acceptLine(c *config, ln net.Listener) string {
	if c.network == "unix" {
		return "ACCEPT localhost:" + c.addr
	}
	_, port, _ := net.SplitHostPort(c.addr)
	if port != "0" {
		return "ACCEPT"
	}
	a, ok := ln.Addr().(*net.TCPAddr)
	if !ok {
		return "ACCEPT " + ln.Addr().String()
	}
	host := a.IP.String()
	if a.IP.IsUnspecified() {
		// A dual-stack wildcard listener is [::] to openssl; -4 gives 0.0.0.0.
		host = "::"
		if c.network == "tcp4" {
			host = "0.0.0.0"
		}
	}
	return "ACCEPT " + joinHostPort(host, fmt.Sprint(a.Port))
}

// trackedConn is an accepted connection with what the handshake learnt
// about it.
type trackedConn struct {
	net.Conn
	ob          *wire.Observer      // nil unless observing
	catch       *wire.HelloCatcher  // what the reports need when ob is nil
	eof         *transport.EOFWatch // the transport under TLS (and the observer)
	hello       *wire.ClientHello   // what the client offered, as the observer parsed it
	sniSeen     string
	sniSwitched bool
	sniAcked    bool // the servername callback accepted the name
	verifyCode  int  // the client certificate's verification result
	early       earlyWatch
	// secDebugSplit: the security checks made before the client's
	// certificate was verified are printed; secDebugDone: all are.
	secDebugSplit, secDebugDone bool
	// export and keyUpdate are the engine's exporter and KeyUpdate.
	export    func(label string, context []byte, length int) ([]byte, error)
	keyUpdate func(requestPeer bool) error
	// requestCert is the engine's post-handshake CertificateRequest
	// (the c command).
	requestCert func() error
	// catcher and engineCfg are catch's and the engine's Config, in the
	// connection's one allocation rather than two of their own.
	catcher   wire.HelloCatcher
	engineCfg engine.Config
}

// clientHello is the client's last ClientHello, nil before one parsed.
func (tc *trackedConn) clientHello() *wire.ClientHello {
	switch {
	case tc.ob != nil:
		return tc.ob.Summary().ClientHello
	case tc.catch != nil:
		return tc.catch.ClientHello()
	}
	return nil
}

// peerSigScheme is the scheme of the client's CertificateVerify, zero
// when none was seen.
func (tc *trackedConn) peerSigScheme() uint16 {
	switch {
	case tc.ob != nil:
		return tc.ob.Summary().PeerSigScheme
	case tc.catch != nil:
		return tc.catch.PeerSigScheme()
	}
	return 0
}

// handshakeFailure is openssl's error queue for a failed handshake.
func handshakeFailure(tc *trackedConn, err error) sslerr.Report {
	return sslerr.FromError(err, sslerr.Server)
}
