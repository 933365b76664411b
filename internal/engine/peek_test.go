package engine

import (
	"io"
	"testing"

	"github.com/tlskit/tlskit/internal/testpeer"
)

// TestPeekAgainstOpenSSL: Peek returns the next application data without
// consuming it, past the server's NewSessionTickets (TLS 1.3), as
// OpenSSL's SSL_peek; Read then returns the same bytes, and after the
// server's close_notify Peek, like Read, reports io.EOF.
func TestPeekAgainstOpenSSL(t *testing.T) {
	pki := testpeer.NewPKI(t)
	for _, v := range []struct {
		name string
		flag string
	}{{"TLS 1.3", "-tls1_3"}, {"TLS 1.2", "-tls1_2"}} {
		t.Run(v.name, func(t *testing.T) {
			srv := testpeer.OpenSSLServer(t, v.flag, "-rev", "-naccept", "1", "-cert", pki.Server, "-key", pki.ServerKey)
			conn := dialOwn(t, srv.Addr, &Config{ServerName: "localhost", MinVersion: VersionTLS12, VerifyPeer: verifyWith(t, pki.CA)})
			if _, err := conn.Write([]byte("abcdef\n")); err != nil {
				t.Fatalf("write: %v\nserver:\n%s", err, srv.Output())
			}
			buf := make([]byte, 3)
			for i := range 2 {
				n, err := conn.Peek(buf)
				if err != nil || string(buf[:n]) != "fed" {
					t.Fatalf("peek %d: %q, %v; want \"fed\"", i, buf[:n], err)
				}
			}
			var got []byte
			for len(got) < len("fedcba\n") {
				b := make([]byte, 16)
				n, err := conn.Read(b)
				if err != nil {
					t.Fatalf("read after %q: %v", got, err)
				}
				got = append(got, b[:n]...)
			}
			if string(got) != "fedcba\n" {
				t.Fatalf("read %q after peeking, want \"fedcba\\n\"", got)
			}
			// -rev ends the connection on CLOSE.
			if _, err := conn.Write([]byte("CLOSE\n")); err != nil {
				t.Fatal(err)
			}
			if n, err := conn.Peek(buf); n != 0 || err != io.EOF {
				t.Fatalf("peek at the end: %d, %v; want io.EOF", n, err)
			}
			if n, err := conn.Read(buf); n != 0 || err != io.EOF {
				t.Fatalf("read at the end: %d, %v; want io.EOF", n, err)
			}
		})
	}
}
