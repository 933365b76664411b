package sserver

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestWWWRefusesFIFO: -WWW must not open a FIFO (or a link to one), which
// would block the open for good (issue 9 item 11); a regular file is
// still served.
func TestWWWRefusesFIFO(t *testing.T) {
	dir := t.TempDir()
	cert, key := writeCert(t, dir, "srv", "localhost", false)
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o644); err != nil {
		t.Skipf("cannot make a FIFO here: %v", err)
	}
	if err := os.Symlink("fifo", filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "page.txt"), []byte("hello\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ts := startServer(t, dir, "-cert", cert, "-key", key, "-WWW")
	get := func(path string) string {
		t.Helper()
		c, err := goClient(ts.addr, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		io.WriteString(c, "GET /"+path+" HTTP/1.0\r\n\r\n")
		b, err := io.ReadAll(c)
		if err != nil && len(b) == 0 {
			t.Fatalf("GET /%s: %v", path, err)
		}
		return string(b)
	}
	for _, p := range []string{"fifo", "link"} {
		if got := get(p); !strings.HasPrefix(got, "HTTP/1.0 403 ") || !strings.Contains(got, "is not a regular file") {
			t.Errorf("GET /%s answered %q, want a 403 naming a non-regular file", p, got)
		}
	}
	if got := get("page.txt"); !strings.HasPrefix(got, "HTTP/1.0 200 ok\r\n") || !strings.HasSuffix(got, "\r\n\r\nhello\n") {
		t.Errorf("GET /page.txt answered %q", got)
	}
}

// TestCopyBoundedGivesUp: a file read that stalls ends the copy after the
// bound instead of holding the connection for ever.
func TestCopyBoundedGivesUp(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	go pw.Write([]byte("first"))
	var out strings.Builder
	done := make(chan struct{})
	go func() {
		copyBounded(&out, pr, 100*time.Millisecond)
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("copyBounded did not give up on a stalled reader")
	}
	if out.String() != "first" {
		t.Errorf("copied %q, want what was readable before the stall", out.String())
	}
	pr.Close()
}

// TestWWWLongRequest: a request longer than the 256 bytes the request reader
// buffers, its line and one header each several times that, still gets
// the page; a line past maxRequestLine still gets no page.
func TestWWWLongRequest(t *testing.T) {
	ts := startServer(t, t.TempDir(), "-www")
	get := func(req string) string {
		t.Helper()
		c, err := goClient(ts.addr, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(20 * time.Second))
		if _, err := io.WriteString(c, req); err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(c)
		return string(body)
	}
	long := "GET /?" + strings.Repeat("q", 3000) + " HTTP/1.0\r\nX-Pad: " + strings.Repeat("p", 5000) + "\r\n\r\n"
	if page := get(long); !strings.HasPrefix(page, "HTTP/1.0 200 ok\r\n") || !strings.Contains(page, "</HTML>") {
		t.Errorf("long request: got %.200q, want the status page", page)
	}
	tooLong := "GET /?" + strings.Repeat("q", maxRequestLine) + " HTTP/1.0\r\n\r\n"
	if page := get(tooLong); strings.HasPrefix(page, "HTTP/1.0 200 ok\r\n") {
		t.Errorf("request line over %d bytes got the page", maxRequestLine)
	}
}
