package transport

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"
)

func TestSplitHostPort(t *testing.T) {
	for _, tc := range []struct{ in, host, port string }{
		{"", "localhost", "4433"},
		{"example.com:443", "example.com", "443"},
		{"example.com", "example.com", "4433"},
		{":8443", "localhost", "8443"},
		{"[::1]:443", "::1", "443"},
		{"[::1]", "::1", "4433"},
		{"[::1]:", "::1", "4433"},
		{"host:", "host", "4433"},
	} {
		h, p, err := SplitHostPort(tc.in, "localhost", "4433")
		if err != nil || h != tc.host || p != tc.port {
			t.Errorf("SplitHostPort(%q) = %q, %q, %v; want %q, %q", tc.in, h, p, err, tc.host, tc.port)
		}
	}
	// openssl 3.0's s_client -connect refuses these as "malformed or ambiguous".
	for _, bad := range []string{"[::1", "[::1]x", "::1", "::1:443", "fe80::1:2", "a:b:c"} {
		if _, _, err := SplitHostPort(bad, "localhost", "4433"); !errors.Is(err, ErrMalformed) {
			t.Errorf("SplitHostPort(%q): %v, want ErrMalformed", bad, err)
		}
	}
}

func TestDialErrors(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // now refused
	_, err = Dial(context.Background(), addr, DialOptions{Timeout: 5 * time.Second})
	if err == nil || !strings.Contains(err.Error(), "connect to "+addr+": connection refused") || Errno(err) != 111 {
		t.Errorf("refused: %v (errno %d)", err, Errno(err))
	}
	_, err = Dial(context.Background(), "127.0.0.1:1", DialOptions{Bind: "256.0.0.1:0", Timeout: time.Second})
	if err == nil || !strings.HasPrefix(err.Error(), "transport: bind to 256.0.0.1:0: ") {
		t.Errorf("bad bind address: %v", err)
	}
	_, err = Dial(context.Background(), "/nonexistent/sock", DialOptions{Network: "unix"})
	if err == nil || !strings.Contains(err.Error(), "no such file or directory") {
		t.Errorf("unix: %v", err)
	}
}

func TestDialBindAndFD(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	c, err := Dial(context.Background(), l.Addr().String(), DialOptions{Network: "tcp4", Bind: "127.0.0.1:0", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if FD(c) < 3 {
		t.Errorf("FD = %d", FD(c))
	}
	if a := c.LocalAddr().(*net.TCPAddr); !a.IP.Equal(net.IPv4(127, 0, 0, 1)) {
		t.Errorf("local address %v", a)
	}
}
