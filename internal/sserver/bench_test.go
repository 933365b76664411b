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

// benchClient is bench/loadgen's client: TLS 1.3, X25519 first with its
// share (without CurvePreferences Go's client also sends an
// X25519MLKEM768 share, which s_server takes and openssl 3.0 does not).
func benchClient(resume bool) *tls.Config {
	cfg := &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS13, ServerName: "localhost",
		CurvePreferences: []tls.CurveID{tls.X25519, tls.CurveP256, tls.CurveP384}}
	if resume {
		cfg.ClientSessionCache = tls.NewLRUClientSessionCache(4)
	}
	return cfg
}

// benchGet runs bench/loadgen's connections from parallel clients: a
// handshake (a resumption of the client's previous session with resume),
// one GET, the whole answer. It reports cpu-ns/op, the process's CPU
// time per connection (clients, server and GC together).
func benchGet(b *testing.B, addr string, resume bool) {
	b.ReportAllocs()
	b.ResetTimer()
	report := testpeer.CPUPerOp(b)
	b.RunParallel(func(pb *testing.PB) {
		cfg := benchClient(resume)
		for first := true; pb.Next(); first = false {
			c, err := tls.Dial("tcp", addr, cfg)
			if err != nil {
				b.Error(err)
				return
			}
			if resume && !first && !c.ConnectionState().DidResume {
				b.Error("a connection after the first was not resumed")
				c.Close()
				return
			}
			io.WriteString(c, "GET / HTTP/1.0\r\n\r\n")
			io.Copy(io.Discard, c)
			c.Close()
		}
	})
	report()
}

// BenchmarkFullHandshake measures full TLS 1.3 handshakes (ECDSA P-256,
// the zero-config certificate) and one -www page each, from parallel
// clients. Compare with a bare crypto/tls server to see tlskit's overhead.
func BenchmarkFullHandshake(b *testing.B) {
	b.Chdir(b.TempDir())
	benchGet(b, benchServer(b, "-www"), false)
}

// BenchmarkResumedHandshake is BenchmarkFullHandshake with each client
// resuming its previous session (TLS 1.3 tickets), as bench/engine.sh's
// resumption run.
func BenchmarkResumedHandshake(b *testing.B) {
	b.Chdir(b.TempDir())
	benchGet(b, benchServer(b, "-www"), true)
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
	benchGet(b, addr, false)
}
