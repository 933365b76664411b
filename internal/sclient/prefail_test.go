package sclient

import (
	"bytes"
	"io"
	"net"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/testpeer"
)

// recorder accepts one connection at a time and hands over everything
// the client wrote before closing.
func recorder(t *testing.T) (addr string, got chan []byte) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	got = make(chan []byte, 1)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.SetDeadline(time.Now().Add(10 * time.Second))
			b, _ := io.ReadAll(c)
			c.Close()
			got <- b
		}
	}()
	return l.Addr().String(), got
}

// TestHandshakeTimeConfigErrors: with no protocol version left, or no
// cipher suite for the highest one, openssl's client still connects,
// sends a fatal alert, prints its error line and the short report of a
// handshake that never began, and exits 1. tlskit does the same: same
// bytes on the wire, same stdout (but the descriptor number), same
// stderr (error lines normalised), same exit code.
func TestHandshakeTimeConfigErrors(t *testing.T) {
	testpeer.Need(t, "openssl")
	addr, got := recorder(t)
	connected := regexp.MustCompile(`CONNECTED\([0-9A-F]+\)`)
	for _, args := range [][]string{
		{"-min_protocol", "TLSv1.3", "-max_protocol", "TLSv1.2"},
		{"-no_tls1_3", "-no_tls1_2", "-no_tls1_1", "-no_tls1"},
		{"-tls1_3", "-ciphersuites", ""},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			all := append([]string{"-connect", addr}, args...)
			oOut, oErr, oCode := testpeer.Run(t, 20*time.Second, "", "openssl", append([]string{"s_client"}, all...)...)
			oWire := recorded(t, got)
			tOut, tErr, tCode := runClient(t, "", all...)
			tWire := recorded(t, got)
			if oCode != 1 || tCode != oCode {
				t.Errorf("exit code: openssl %d, tlskit %d", oCode, tCode)
			}
			if !bytes.Equal(oWire, tWire) || len(oWire) != 7 {
				t.Errorf("on the wire: openssl % x, tlskit % x", oWire, tWire)
			}
			if a, b := connected.ReplaceAllString(oOut, "CONNECTED"), connected.ReplaceAllString(tOut, "CONNECTED"); a != b {
				t.Errorf("stdout:\nopenssl:\n%s\ntlskit:\n%s", a, b)
			}
			if a, b := normalizeErrLines(oErr), normalizeErrLines(tErr); a != b {
				t.Errorf("stderr:\nopenssl:\n%s\ntlskit:\n%s", a, b)
			}
		})
	}
}

// recorded is what a recording peer got from one connection; the zero
// value when none came.
func recorded[T any](t *testing.T, got chan T) T {
	select {
	case b := <-got:
		return b
	case <-time.After(5 * time.Second):
		t.Error("the client did not connect")
		var zero T
		return zero
	}
}

// TestCommandsOnTheWrongVersion: k/K on a TLS 1.2 connection and R on a
// TLS 1.3 one are errors in openssl: its line on stderr, exit 1. And
// each TLS 1.3 ticket's session block is followed by "read R BLOCK", as
// the read that took it returned no data.
func TestCommandsOnTheWrongVersion(t *testing.T) {
	testpeer.Need(t, "openssl")
	pki := testpeer.NewPKI(t)
	srv := testpeer.OpenSSLServer(t, "-cert", pki.Server, "-key", pki.ServerKey, "-www")
	verifyNoise := regexp.MustCompile(`(?m)^(depth=|verify ).*\n`)
	for _, tc := range []struct{ version, input string }{
		{"-tls1_2", "K\n"}, {"-tls1_2", "k\n"}, {"-tls1_3", "R\n"},
	} {
		t.Run(tc.version+"/"+strings.TrimSpace(tc.input), func(t *testing.T) {
			args := []string{"-connect", srv.Addr, tc.version}
			_, oErr, oCode := testpeer.Run(t, 20*time.Second, tc.input, "openssl", append([]string{"s_client"}, args...)...)
			_, tErr, tCode := runClient(t, tc.input, args...)
			if oCode != 1 || tCode != oCode {
				t.Errorf("exit code: openssl %d, tlskit %d", oCode, tCode)
			}
			a := normalizeErrLines(verifyNoise.ReplaceAllString(oErr, ""))
			b := normalizeErrLines(verifyNoise.ReplaceAllString(tErr, ""))
			if a != b {
				t.Errorf("stderr:\nopenssl:\n%s\ntlskit:\n%s", a, b)
			}
		})
	}
	t.Run("read R BLOCK", func(t *testing.T) {
		out, _, code := runClient(t, "", "-connect", srv.Addr, "-tls1_3")
		if code != 0 {
			t.Fatalf("exit %d", code)
		}
		tickets := strings.Count(out, "Post-Handshake New Session Ticket arrived:")
		if n := strings.Count(out, "\nread R BLOCK\n"); tickets == 0 || n != tickets {
			t.Errorf("%d tickets, %d read R BLOCK lines:\n%s", tickets, n, out)
		}
	})
}

// refusingProxy answers every CONNECT with answer and hands over the
// request head it read.
func refusingProxy(t *testing.T, answer string) (addr string, heads chan string) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	heads = make(chan string, 4)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.SetDeadline(time.Now().Add(10 * time.Second))
			var head []byte
			buf := make([]byte, 1024)
			for !bytes.Contains(head, []byte("\r\n\r\n")) {
				n, err := c.Read(buf)
				head = append(head, buf[:n]...)
				if err != nil {
					break
				}
			}
			c.Write([]byte(answer))
			c.Close()
			heads <- string(head)
		}
	}()
	return l.Addr().String(), heads
}

// TestProxyRefusedAsOpenSSL: a proxy that answers CONNECT with 403 gets
// openssl's request, byte for byte, and s_client then prints openssl's
// line, CONNECTED and the short report with the bytes exchanged, and
// exits 1.
func TestProxyRefusedAsOpenSSL(t *testing.T) {
	testpeer.Need(t, "openssl")
	addr, heads := refusingProxy(t, "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
	connected := regexp.MustCompile(`CONNECTED\([0-9A-F]+\)`)
	for _, args := range [][]string{
		{"-proxy", addr, "-connect", "example.com:443"},
		{"-proxy", addr, "-proxy_user", "bob", "-proxy_pass", "pass:secret", "-connect", "[::1]:8443"},
	} {
		t.Run(strings.Join(args[2:], " "), func(t *testing.T) {
			oOut, oErr, oCode := testpeer.Run(t, 20*time.Second, "", "openssl", append([]string{"s_client"}, args...)...)
			oHead := recorded(t, heads)
			tOut, tErr, tCode := runClient(t, "", args...)
			tHead := recorded(t, heads)
			if oCode != 1 || tCode != oCode {
				t.Errorf("exit code: openssl %d, tlskit %d", oCode, tCode)
			}
			if oHead != tHead {
				t.Errorf("request: openssl %q, tlskit %q", oHead, tHead)
			}
			if a, b := connected.ReplaceAllString(oOut, "CONNECTED"), connected.ReplaceAllString(tOut, "CONNECTED"); a != b {
				t.Errorf("stdout:\nopenssl:\n%s\ntlskit:\n%s", a, b)
			}
			if oErr != tErr {
				t.Errorf("stderr:\nopenssl:\n%s\ntlskit:\n%s", oErr, tErr)
			}
		})
	}
}
