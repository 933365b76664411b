package sserver

import (
	"bytes"
	"crypto/tls"
	"io"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/engine"
	"github.com/tlskit/tlskit/internal/testpeer"
)

// Clients that misbehave must not keep the server from its other
// clients. openssl s_server serves one connection at a time, so against
// it a client that stalls holds every other client for as long as it
// likes (measured with -www: a ClientHello sent a byte per 100 ms, or no
// byte at all, kept a second openssl s_client from connecting for 8 s and
// more); ours serves -www, -WWW, -HTTP and -rev clients concurrently and
// bounds each handshake in time (handshakeTimeout). Each test here runs
// a misbehaving client and, while it goes on, a normal openssl s_client
// that must complete its handshake.

// hostileServer runs our s_server -www with a short handshake timeout.
func hostileServer(t *testing.T, timeout time.Duration) *testServer {
	t.Helper()
	testpeer.Need(t, "openssl")
	dir := t.TempDir()
	cert, key := writeCert(t, dir, "srv", "localhost", false)
	old := handshakeTimeout
	handshakeTimeout = timeout
	defer func() { handshakeTimeout = old }()
	return startServer(t, "", "-cert", cert, "-key", key, "-www")
}

// secondClient runs openssl s_client against addr and fails the test
// unless its handshake completes.
func secondClient(t *testing.T, addr string) { secondClientWithin(t, addr, 15*time.Second) }

// secondClientWithin is secondClient, the client killed after limit.
func secondClientWithin(t *testing.T, addr string, limit time.Duration) {
	t.Helper()
	out, _ := runPeer(t, "", limit, "openssl", "s_client", "-connect", addr)
	if !strings.Contains(out, "New, TLSv1.3, Cipher is TLS_") {
		t.Errorf("the second client's handshake did not complete:\n%s", out)
	}
}

// firstRecord is the first record a client started on one end of a pipe
// writes: its ClientHello, whole.
func firstRecord(t *testing.T, client func(net.Conn)) []byte {
	t.Helper()
	a, b := net.Pipe()
	defer b.Close()
	go func() { client(a); a.Close() }()
	b.SetDeadline(time.Now().Add(10 * time.Second))
	h := make([]byte, 5)
	if _, err := io.ReadFull(b, h); err != nil {
		t.Fatal(err)
	}
	body := make([]byte, int(h[3])<<8|int(h[4]))
	if _, err := io.ReadFull(b, body); err != nil {
		t.Fatal(err)
	}
	return append(h, body...)
}

// goClientHelloRecord is crypto/tls's ClientHello with cfg in one record.
func goClientHelloRecord(t *testing.T, cfg *tls.Config) []byte {
	t.Helper()
	return firstRecord(t, func(c net.Conn) { tls.Client(c, cfg).Handshake() })
}

// clientHelloRecord is the engine client's ClientHello in one record.
func clientHelloRecord(t *testing.T) []byte {
	t.Helper()
	return firstRecord(t, func(c net.Conn) { engine.Client(c, &engine.Config{}).Handshake() })
}

// TestSlowClientHelloDoesNotHoldOthers: a client that sends its
// ClientHello one byte per 100 ms is dropped when the handshake timeout
// ends, without an alert (its record is not complete), and a second
// client completes its handshake meanwhile.
func TestSlowClientHelloDoesNotHoldOthers(t *testing.T) {
	const timeout = 2 * time.Second
	ts := hostileServer(t, timeout)
	hello := clientHelloRecord(t)
	c, err := net.DialTimeout("tcp", ts.addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(timeout + 10*time.Second))
	sent := make(chan int, 1)
	go func() {
		n := 0
		for ; n < len(hello); n++ {
			if _, err := c.Write(hello[n : n+1]); err != nil {
				break
			}
			time.Sleep(100 * time.Millisecond) // the slow client's pace
		}
		sent <- n
	}()
	secondClient(t, ts.addr)
	back, err := io.ReadAll(c)
	if err != nil || len(back) != 0 {
		t.Errorf("the slow client read %x, %v; want nothing, then the server's close", back, err)
	}
	c.Close()
	if n := <-sent; n >= len(hello) {
		t.Errorf("the slow client sent its whole ClientHello (%d bytes) before it was dropped", n)
	}
	testpeer.WaitOutput(t, ts.err.String, ":error:8000006E:system library:ssl3_read_n:Connection timed out:", 5*time.Second)
}

// TestIdleConnectionsDoNotHoldOthers: 200 connections that send nothing,
// or a record header and nothing more, hold no other client up and are
// all dropped once the handshake timeout ends: the second client is given
// until the first idle connection's timeout, so a server that holds it
// until idle ones are dropped fails. (Measured with the
// binary and 500 connections: about 11 KiB of VmRSS each when idle, 24
// KiB after a TLS 1.3 handshake; at most maxConcurrent are served.)
func TestIdleConnectionsDoNotHoldOthers(t *testing.T) {
	const timeout = 5 * time.Second
	ts := hostileServer(t, timeout)
	first := time.Now()
	var idle []net.Conn
	defer func() {
		for _, c := range idle {
			c.Close()
		}
	}()
	for i := range 200 {
		c, err := net.DialTimeout("tcp", ts.addr, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if i%2 == 1 {
			c.Write([]byte{0x16, 0x03, 0x01, 0x02, 0x00})
		}
		idle = append(idle, c)
	}
	secondClientWithin(t, ts.addr, time.Until(first.Add(timeout)))
	end := time.Now().Add(timeout + 10*time.Second)
	for i, c := range idle {
		c.SetReadDeadline(end)
		if back, err := io.ReadAll(c); err != nil || len(back) != 0 {
			t.Fatalf("idle connection %d read %x, %v; want nothing, then the server's close", i, back, err)
		}
	}
}

// TestHalfOpenLikeOpenSSL: a client that sends its ClientHello and then
// shuts its side (FIN), and one that shuts it at once, get from ours
// what openssl s_server -www gives them (the server's first flight, or a
// decode_error alert, then the close) and both servers print the same
// error line; a second client completes meanwhile.
func TestHalfOpenLikeOpenSSL(t *testing.T) {
	testpeer.Need(t, "openssl")
	dir := t.TempDir()
	cert, key := writeCert(t, dir, "srv", "localhost", false)
	args := []string{"-cert", cert, "-key", key, "-www"}
	hello := clientHelloRecord(t)
	halfOpen := func(addr string, first []byte) []byte {
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		c.Write(first)
		c.(*net.TCPConn).CloseWrite()
		back, err := io.ReadAll(c)
		if err != nil {
			t.Errorf("half-open client: %v after %x", err, back)
		}
		return back
	}
	for _, tc := range []struct {
		name  string
		first []byte
	}{{"ClientHello then FIN", hello}, {"FIN at once", nil}} {
		t.Run(tc.name, func(t *testing.T) {
			theirSrv := testpeer.OpenSSLServer(t, args...)
			theirs := halfOpen(theirSrv.Addr, tc.first)
			ourSrv := startServer(t, "", args...)
			ours := halfOpen(ourSrv.addr, tc.first)
			secondClient(t, ourSrv.addr)
			// The flight's length varies with its signature: compare
			// the first record's header and type.
			if len(ours) < 6 || len(theirs) < 6 || !bytes.Equal(ours[:3], theirs[:3]) || ours[5] != theirs[5] {
				t.Errorf("openssl answered %x, tlskit %x", theirs, ours)
			}
			if tc.first == nil && !bytes.Equal(ours, theirs) {
				t.Errorf("openssl answered %x, tlskit %x", theirs, ours)
			}
			o, g := waitErrorLine(t, theirSrv.Output), waitErrorLine(t, ourSrv.err.String)
			if o == "" || o != g {
				t.Errorf("server error lines differ\nopenssl: %s\ntlskit:  %s", o, g)
			}
		})
	}
}

// TestKeyUpdateFloodDoesNotHoldOthers: a TLS 1.3 client that sends 2000
// KeyUpdates asking for an answer, and no data, is served as openssl
// s_server serves it (measured: openssl 3.0 took 2000 of them with no
// limit); a second client completes its handshake meanwhile, and the
// flooding client then gets its page, with the server's single answering
// KeyUpdate before it.
func TestKeyUpdateFloodDoesNotHoldOthers(t *testing.T) {
	ts := hostileServer(t, 10*time.Second)
	raw, err := net.DialTimeout("tcp", ts.addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	raw.SetDeadline(time.Now().Add(30 * time.Second))
	var mu sync.Mutex
	answers := 0 // KeyUpdates received
	c := engine.Client(raw, &engine.Config{OnEvent: func(e engine.Event) {
		if !e.Sent && e.ContentType == 22 && len(e.Data) > 0 && e.Data[0] == 24 {
			mu.Lock()
			answers++
			mu.Unlock()
		}
	}})
	if err := c.Handshake(); err != nil {
		t.Fatal(err)
	}
	flooded := make(chan error, 1)
	go func() {
		for range 2000 {
			if err := c.KeyUpdate(true); err != nil {
				flooded <- err
				return
			}
		}
		flooded <- nil
	}()
	secondClient(t, ts.addr)
	if err := <-flooded; err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(c, "GET / HTTP/1.0\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	page, err := io.ReadAll(c)
	if err != nil || !bytes.HasPrefix(page, []byte("HTTP/1.0 200 ok\r\n")) {
		t.Errorf("page after the flood: %v\n%.200s", err, page)
	}
	mu.Lock()
	defer mu.Unlock()
	if answers != 1 {
		t.Errorf("the server sent %d KeyUpdates, want 1", answers)
	}
}

// TestRecordsAfterHelloLikeOpenSSL sends openssl s_server -msg and ours a
// ClientHello followed by records a client may not send there, or not
// that many, then FIN: both answer with the same alert
// (the last -msg line) and print the same error line. Runs of
// ChangeCipherSpec are bounded as openssl bounds them (32 pass, the 33rd
// is refused); a record that cannot decrypt is refused even when empty.
func TestRecordsAfterHelloLikeOpenSSL(t *testing.T) {
	testpeer.Need(t, "openssl")
	dir := t.TempDir()
	cert, key := writeCert(t, dir, "srv", "localhost", false)
	args := []string{"-cert", cert, "-key", key, "-msg"}
	hello := clientHelloRecord(t)
	hello12 := goClientHelloRecord(t, &tls.Config{MaxVersion: tls.VersionTLS12, InsecureSkipVerify: true})
	rec := func(typ byte, body ...byte) []byte {
		return append([]byte{typ, 3, 3, 0, byte(len(body))}, body...)
	}
	send := func(addr string, hello, after []byte) {
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		c.Write(append(slices.Clone(hello), after...))
		c.(*net.TCPConn).CloseWrite()
		io.Copy(io.Discard, c)
	}
	lastAlert := func(out string) string {
		i := strings.LastIndex(out, ", Alert [")
		i = strings.LastIndex(out[:max(i, 0)], ">>> ")
		if i < 0 {
			return ""
		}
		return strings.SplitN(out[i:], "\n", 2)[0]
	}
	for _, tc := range []struct {
		name         string
		hello, after []byte
	}{
		{"32 ChangeCipherSpec", hello, bytes.Repeat(rec(20, 1), 32)},
		{"33 ChangeCipherSpec", hello, bytes.Repeat(rec(20, 1), 33)},
		{"ChangeCipherSpec 02", hello, rec(20, 2)},
		{"ChangeCipherSpec of two bytes", hello, rec(20, 1, 1)},
		{"empty application data", hello, rec(23)},
		{"handshake in the clear", hello, rec(22, 11, 0, 0, 0)},
		{"TLS 1.2 ChangeCipherSpec", hello12, rec(20, 1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			theirSrv := testpeer.OpenSSLServer(t, args...)
			send(theirSrv.Addr, tc.hello, tc.after)
			ourSrv := startServer(t, "", args...)
			send(ourSrv.addr, tc.hello, tc.after)
			o, g := waitErrorLine(t, theirSrv.Output), waitErrorLine(t, ourSrv.err.String)
			if o == "" || o != g {
				t.Errorf("server error lines differ\nopenssl: %s\ntlskit:  %s", o, g)
			}
			if o, g := lastAlert(waitFor(t, theirSrv.Output, ", Alert [")), lastAlert(waitFor(t, ourSrv.out.String, ", Alert [")); o != g {
				t.Errorf("alerts sent differ\nopenssl: %s\ntlskit:  %s", o, g)
			}
		})
	}
}
