//go:build unix

package testpeer

import (
	"errors"
	"net"
	"syscall"
	"testing"
	"time"
)

// TestClosedPort: a connection to the port is refused, and the port
// cannot be listened on by anyone else while the test runs.
func TestClosedPort(t *testing.T) {
	p := ClosedPort(t)
	c, err := net.DialTimeout("tcp", "127.0.0.1:"+p, 5*time.Second)
	if err == nil {
		c.Close()
		t.Fatalf("a connection to closed port %s was accepted", p)
	}
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("dial %s: %v, want connection refused", p, err)
	}
	if l, err := net.Listen("tcp", "127.0.0.1:"+p); err == nil {
		l.Close()
		t.Errorf("port %s could be listened on while held", p)
	}
}
