package sserver

import (
	"net"
	"syscall"
)

// ackNow makes the kernel acknowledge what it has received at once
// instead of delaying the ACK (TCP_QUICKACK, tcp(7)). When nothing the
// server sends after the client's Finished carries the ACK of it, a
// client with Nagle on (openssl s_client) holds its first request until
// the delayed ACK, ~40 ms (measured when s_server ran on crypto/tls, which
// sends its TLS 1.3 tickets before the client's Finished). openssl's
// server sends its tickets after the Finished, which acknowledges it, and
// so does the engine; serveEstablished skips ackNow while they are held
// back (engine.Config.HoldTickets), as they leave before the server waits
// for the request.
func ackNow(c net.Conn) {
	tc, ok := c.(*net.TCPConn)
	if !ok {
		return
	}
	rc, err := tc.SyscallConn()
	if err != nil {
		return
	}
	rc.Control(func(fd uintptr) {
		syscall.SetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_QUICKACK, 1)
	})
}
