package sserver

import (
	"net"
	"syscall"
)

// ackNow makes the kernel acknowledge what it has received at once
// instead of delaying the ACK (TCP_QUICKACK, tcp(7)). After the TLS 1.3
// handshake the engine has already sent its session tickets, so nothing
// carries the ACK of the client's Finished; a client with Nagle on (openssl
// s_client) then holds its first request until the delayed ACK, ~40 ms.
// openssl's server sends its tickets only then, which acknowledges it.
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
