package httpfetch

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// serve answers one connection on loopback with answer, after reading the
// request head (and body, by Content-Length), which it returns on got.
func serve(t *testing.T, answer string) (url string, got chan string) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	got = make(chan string, 1)
	go func() {
		c, err := l.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		br := bufio.NewReader(c)
		var req strings.Builder
		n := 0
		for {
			line, err := br.ReadString('\n')
			req.WriteString(line)
			if err != nil || line == "\r\n" {
				break
			}
			if v, ok := strings.CutPrefix(line, "Content-Length: "); ok {
				for _, ch := range strings.TrimSpace(v) {
					n = n*10 + int(ch-'0')
				}
			}
		}
		body := make([]byte, n)
		io.ReadFull(br, body)
		req.Write(body)
		got <- req.String()
		io.WriteString(c, answer)
	}()
	return "http://" + l.Addr().String() + "/path/x.crl?q=1", got
}

func fetch(t *testing.T, r Request) ([]byte, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if r.Limit == 0 {
		r.Limit = 1 << 20
	}
	return Fetch(ctx, r)
}

func TestBodies(t *testing.T) {
	for _, c := range []struct{ name, answer, want string }{
		{"content-length", "HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nhelloIGNORED", "hello"},
		{"close-delimited", "HTTP/1.1 200 OK\r\nContent-Type: x\r\n\r\nuntil the end", "until the end"},
		{"chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", "hello world"},
		{"empty", "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			u, got := serve(t, c.answer)
			b, err := fetch(t, Request{URL: u})
			if err != nil || string(b) != c.want {
				t.Fatalf("got %q, %v; want %q", b, err, c.want)
			}
			req := <-got
			if !strings.HasPrefix(req, "GET /path/x.crl?q=1 HTTP/1.0\r\nHost: 127.0.0.1:") {
				t.Errorf("request:\n%s", req)
			}
		})
	}
}

func TestPost(t *testing.T) {
	u, got := serve(t, "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok")
	body := []byte{0x30, 0x00, 0xff}
	b, err := fetch(t, Request{URL: u, ContentType: "application/ocsp-request", Accept: "application/ocsp-response", Body: body})
	if err != nil || string(b) != "ok" {
		t.Fatalf("got %q, %v", b, err)
	}
	req := <-got
	for _, want := range []string{"POST /path/x.crl?q=1 HTTP/1.0\r\n", "Content-Type: application/ocsp-request\r\n",
		"Accept: application/ocsp-response\r\n", "Content-Length: 3\r\n", "\r\n\r\n" + string(body)} {
		if !strings.Contains(req, want) {
			t.Errorf("request lacks %q:\n%q", want, req)
		}
	}
}

func TestErrors(t *testing.T) {
	for _, c := range []struct {
		name, answer string
		limit        int64
		want         string
	}{
		{"status", "HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\n\r\nnop", 0, "HTTP 404 Not Found"},
		{"redirect not followed", "HTTP/1.1 302 Found\r\nLocation: http://elsewhere/\r\n\r\n", 0, "HTTP 302 Found"},
		{"too big by length", "HTTP/1.0 200 OK\r\nContent-Length: 11\r\n\r\nhello world", 10, "larger than 10 bytes"},
		{"too big until close", "HTTP/1.0 200 OK\r\n\r\nhello world", 10, "larger than 10 bytes"},
		{"too big chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nb\r\nhello world\r\n0\r\n\r\n", 10, "larger than 10 bytes"},
		{"short body", "HTTP/1.0 200 OK\r\nContent-Length: 50\r\n\r\nhello", 0, "unexpected EOF"},
		{"not http", "SSH-2.0-OpenSSH\r\n", 0, "malformed response head"},
		{"no head end", "HTTP/1.0 200 OK\r\nX: y", 0, "unexpected EOF"},
		{"bad length", "HTTP/1.0 200 OK\r\nContent-Length: -1\r\n\r\n", 0, "malformed response head"},
	} {
		t.Run(c.name, func(t *testing.T) {
			u, _ := serve(t, c.answer)
			b, err := fetch(t, Request{URL: u, Limit: c.limit})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %q, %v; want an error with %q", b, err, c.want)
			}
		})
	}
	var se *StatusError
	u, _ := serve(t, "HTTP/1.0 500 Internal Server Error\r\n\r\n")
	if _, err := fetch(t, Request{URL: u}); !errors.As(err, &se) || se.Status != "500 Internal Server Error" {
		t.Errorf("got %v, want a StatusError", err)
	}
	for _, bad := range []string{"https://127.0.0.1/x", "ldap://host/x", "http:///x"} {
		if _, err := fetch(t, Request{URL: bad}); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

// TestDeadline: a server that never answers costs no more than the
// context allows.
func TestDeadline(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		if c, err := l.Accept(); err == nil {
			accepted <- c // held open, silent, until the test ends
		}
	}()
	defer func() {
		select {
		case c := <-accepted:
			c.Close()
		default:
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err = Fetch(ctx, Request{URL: "http://" + l.Addr().String() + "/", Limit: 10})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want the context's deadline", err)
	}
}
