//go:build amd64 && !race

package sserver

import (
	"crypto/tls"
	"net"
	"runtime"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/tlskit/tlskit/internal/testpeer"
)

// engineSServerDepth is internal/engine's sserverDepth (stack_test.go):
// how far below a connection goroutine's first return address
// TestServerHandshakeStack takes s_server to call the engine's
// Handshake, which it checks the ECDSA handshake still fits an 8 KiB
// stack under. The two must stay equal.
const engineSServerDepth = 456

// TestHandshakeCallDepth measures how far below its connection
// goroutine's first return address (runtime.goexit's) s_server -www
// calls the engine's Handshake, and fails when that is deeper than
// internal/engine's TestServerHandshakeStack assumes: that test checks
// the handshake against a fixed depth and cannot see s_server's frames
// (the connection closure in serve, serveConcurrent, handshake,
// engineHandshake) grow. It reads the depth off the stack itself: from
// the engine's first read of the connection it looks up the stack for
// the return address into engineHandshake (where Handshake's frame
// begins) and the one into runtime.goexit. amd64 without the race
// detector only, as the engine's test.
func TestHandshakeCallDepth(t *testing.T) {
	depth := make(chan int, 1)
	testOnlyWrapConn = func(c net.Conn) net.Conn { return &depthConn{Conn: c, depth: depth} }
	t.Cleanup(func() { testOnlyWrapConn = nil }) // after the server's own cleanup
	pki := testpeer.NewPKI(t)
	srv := startServer(t, "", "-www", "-cert", pki.ECServer, "-key", pki.ECServerKey)
	conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 10 * time.Second}, "tcp", srv.addr,
		&tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS13})
	if err != nil {
		t.Fatal(err)
	}
	conn.Close()
	var d int
	select {
	case d = <-depth:
	case <-time.After(10 * time.Second):
		t.Fatal("timed out waiting for the server's first read")
	}
	if d < 0 {
		t.Fatal("the return addresses into runtime.goexit and sserver's engineHandshake are not both on the connection goroutine's stack")
	}
	t.Logf("s_server calls the engine's Handshake %d bytes below its connection goroutine's first return address; internal/engine's TestServerHandshakeStack takes %d", d, engineSServerDepth)
	if d > engineSServerDepth {
		t.Errorf("s_server's frames above the handshake take %d bytes, more than the %d internal/engine's TestServerHandshakeStack checks the handshake under: set sserverDepth there (and engineSServerDepth here) to %d and run it, or shrink those frames", d, engineSServerDepth, d)
	}
}

// depthConn measures, at its first Read, handshakeDepth.
type depthConn struct {
	net.Conn
	once  sync.Once
	depth chan<- int
}

func (c *depthConn) Read(p []byte) (int, error) {
	c.once.Do(func() { c.depth <- handshakeDepth() })
	return c.Conn.Read(p)
}

// depthProbe holds handshakeDepth's program counters off the stack: in
// its frame they would be found by its own look up the stack.
var depthProbe struct {
	pcs [128]uintptr
	// want are the return addresses looked for, in their order up the
	// stack: handshakeDepth's own (pcs[1]), the one into
	// engineHandshake, the one into runtime.goexit, at the stack's top.
	want [3]uintptr
}

// handshakeDepth is the distance between the stack slots that hold the
// goroutine's return address into runtime.goexit and its return address
// into sserver's engineHandshake, found by looking up the stack above
// this frame (from the slot of its own return address); -1 when one is
// missing.
//
//go:noinline
func handshakeDepth() int {
	p := &depthProbe
	n := runtime.Callers(1, p.pcs[:])
	if n < 2 || runtime.FuncForPC(p.pcs[n-1]-1).Name() != "runtime.goexit" {
		return -1
	}
	p.want = [3]uintptr{p.pcs[1], 0, p.pcs[n-1]}
	for _, pc := range p.pcs[:n] {
		if runtime.FuncForPC(pc-1).Name() == "github.com/tlskit/tlskit/internal/sserver.(*server).engineHandshake" {
			p.want[1] = pc
			break
		}
	}
	if p.want[1] == 0 {
		return -1
	}
	var marker uintptr
	base := unsafe.Pointer(&marker)
	found, at := 0, uintptr(0)
	for off := uintptr(0); off < 64<<10; off += unsafe.Sizeof(marker) {
		if *(*uintptr)(unsafe.Add(base, off)) != p.want[found] {
			continue
		}
		switch found++; found {
		case 2:
			at = off
		case 3:
			return int(off - at)
		}
	}
	return -1
}
