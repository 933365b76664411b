package sserver

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"os"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/stdio"
	"github.com/tlskit/tlskit/internal/testpeer"
)

// benchServer starts an in-process -www server for benchmarks.
func benchServer(b *testing.B, args ...string) string {
	b.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan net.Addr, 1)
	done := make(chan struct{})
	pr, pw := io.Pipe()
	go func() {
		defer close(done)
		run(ctx, append([]string{"-accept", "127.0.0.1:0", "-quiet"}, args...), stdio.Stdio{In: pr, Out: io.Discard, Err: io.Discard}, func(a net.Addr) { ready <- a })
		close(ready)
	}()
	a, ok := <-ready
	if !ok {
		b.Fatal("server did not start")
	}
	b.Cleanup(func() { cancel(); pw.Close(); <-done })
	return a.String()
}

// BenchmarkFullHandshake measures full TLS 1.3 handshakes (ECDSA P-256,
// the zero-config certificate) and one -www page each, from parallel
// clients. Compare with a bare crypto/tls server to see tlskit's overhead.
func BenchmarkFullHandshake(b *testing.B) {
	b.Chdir(b.TempDir())
	addr := benchServer(b, "-www")
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			c, err := tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true})
			if err != nil {
				b.Error(err)
				return
			}
			io.WriteString(c, "GET / HTTP/1.0\r\n\r\n")
			io.Copy(io.Discard, c)
			c.Close()
		}
	})
}

// BenchmarkBareCryptoTLS is the baseline: the same work on a plain
// crypto/tls listener that writes a fixed page.
func BenchmarkBareCryptoTLS(b *testing.B) {
	b.Chdir(b.TempDir())
	cert, path, _, err := ephemeralCertificate()
	if err != nil {
		b.Fatal(err)
	}
	os.Remove(path)
	cfg := &tls.Config{Certificates: []tls.Certificate{{Certificate: cert.Chain, PrivateKey: cert.Key}}}
	addr := testpeer.ServeAll(b, 10*time.Second, func(c net.Conn) {
		tc := tls.Server(c, cfg)
		defer tc.Close()
		buf := make([]byte, 512)
		tc.Read(buf) // the request, one record
		io.WriteString(tc, "HTTP/1.0 200 ok\r\n\r\nhello\r\n")
	})
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			c, err := tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true})
			if err != nil {
				b.Error(err)
				return
			}
			io.WriteString(c, "GET / HTTP/1.0\r\n\r\n")
			io.Copy(io.Discard, c)
			c.Close()
		}
	})
}
