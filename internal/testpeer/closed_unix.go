//go:build unix

package testpeer

import (
	"strconv"
	"syscall"
	"testing"
)

// ClosedPort returns a TCP port on 127.0.0.1 that refuses connections
// until the test ends: a socket is bound to it and never listens, so no
// other program (a peer another test starts on port 0) can take it
// meanwhile, as it could a port FreePort handed out.
func ClosedPort(t testing.TB) string {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatalf("socket: %v", err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatalf("bind 127.0.0.1:0: %v", err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatalf("getsockname: %v", err)
	}
	in4, ok := sa.(*syscall.SockaddrInet4)
	if !ok {
		t.Fatalf("getsockname: %T", sa)
	}
	return strconv.Itoa(in4.Port)
}
