package sserver

import (
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestSplitAccept(t *testing.T) {
	for _, tc := range []struct{ in, host, port, err string }{
		{"4433", "", "4433", ""},
		{"*:4433", "", "4433", ""},
		{":0", "", "0", ""},
		{"127.0.0.1:8443", "127.0.0.1", "8443", ""},
		{"[::1]:0", "::1", "0", ""},
		{"[::1]", "::1", "4433", ""},
		{"localhost:", "localhost", "4433", ""},
		{"::1:443", "", "", "malformed"},
		{"1.2.3.4:5:6", "", "", "malformed"},
		{"[::1", "", "", "malformed"},
		{"[::1]x", "", "", "malformed"},
	} {
		h, p, err := splitAccept(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: err %v, want %q", tc.in, err, tc.err)
			}
			// openssl refuses the same values with the same line.
			out, oerr := exec.Command("openssl", "s_server", "-accept", tc.in).CombinedOutput()
			if want := "s_server: " + err.Error() + "\n"; oerr == nil || string(out) != want {
				t.Errorf("%q: openssl says %q (%v), tlskit %q", tc.in, out, oerr, want)
			}
			continue
		}
		if err != nil || h != tc.host || p != tc.port {
			t.Errorf("%q: %q %q %v, want %q %q", tc.in, h, p, err, tc.host, tc.port)
		}
	}
}

// TestAcceptLine: the line printed once listening names the address only
// when the system chose the port, as openssl does.
func TestAcceptLine(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		re   string
	}{
		{[]string{"-accept", "0", "-4"}, "ACCEPT 0.0.0.0:"},
		{[]string{"-accept", "127.0.0.1:0"}, "ACCEPT 127.0.0.1:"},
		{[]string{"-accept", "[::1]:0"}, "ACCEPT [::1]:"},
	} {
		if strings.Contains(tc.args[1], "::1") {
			if ln, err := net.Listen("tcp6", "[::1]:0"); err != nil {
				t.Logf("no IPv6 loopback; skipping %v", tc.args)
				continue
			} else {
				ln.Close()
			}
		}
		ts := startServer(t, dir, append(tc.args, "-www")...)
		// openssl's DH line comes first.
		if !strings.HasPrefix(strings.TrimPrefix(ts.out.String(), dhLine), tc.re) {
			t.Errorf("%v: stdout %q, want prefix %q", tc.args, ts.out, tc.re)
		}
	}
	// A fixed port prints a bare ACCEPT.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	ts := startServer(t, dir, "-accept", "127.0.0.1:"+strconv.Itoa(port), "-www")
	if ts.out.String() != dhLine+"ACCEPT\n" {
		t.Errorf("fixed port: stdout %q", ts.out)
	}
}

// TestUnlink: -unlink replaces a stale socket file; without it the bind fails.
func TestUnlink(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "s.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	ln.Close() // leaves a stale socket file behind
	if _, err := os.Stat(sock); err != nil {
		t.Fatalf("no stale socket: %v", err)
	}
	var errb syncBuffer
	code := Main([]string{"-unix", sock, "-www"}, stdioFor(&errb))
	if code != 1 || !strings.Contains(errb.String(), "address already in use") {
		t.Errorf("without -unlink: code %d, stderr %q", code, errb.String())
	}
	ts := startServer(t, dir, "-unix", sock, "-unlink", "-www", "-naccept", "1")
	c, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	ts.wait(10 * time.Second)
}

func stdioFor(errw io.Writer) (s stdioT) {
	s.In, s.Out, s.Err = strings.NewReader(""), io.Discard, errw
	return s
}

// dhLine is what openssl s_server prints before ACCEPT without -dhparam.
const dhLine = "Using default temp DH parameters\n"
