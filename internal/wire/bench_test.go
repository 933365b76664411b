package wire

import (
	"crypto/tls"
	"io"
	"net"
	"testing"

	"github.com/tlskit/tlskit/internal/engine"
)

// benchConn runs a TLS 1.3 session over net.Pipe, the own engine's
// client against a crypto/tls server: a handshake, then payload bytes
// from server to client. With observe set the client's conn is wrapped
// by an observer with no output options that also gets the events, which
// is how s_client runs without -msg/-trace: it should cost ~nothing.
func benchConn(b *testing.B, observe bool, payload int) {
	cf := sharedCert(b, "ecdsa")
	scfg := &tls.Config{Certificates: []tls.Certificate{cf.tc}, MinVersion: tls.VersionTLS13}
	buf := make([]byte, 32<<10)
	data := make([]byte, payload)
	b.SetBytes(int64(payload))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		cc, sc := net.Pipe()
		ccfg := &engine.Config{}
		var raw net.Conn = cc
		if observe {
			ob := New(Options{Client: true})
			raw = ob.Wrap(cc)
			ccfg.OnEvent = ob.Event
		}
		errc := make(chan error, 1)
		go func() {
			s := tls.Server(sc, scfg)
			_, err := s.Write(data)
			if err == nil && payload == 0 {
				err = s.Handshake()
			}
			sc.Close()
			errc <- err
		}()
		c := engine.Client(raw, ccfg)
		if err := c.Handshake(); err != nil {
			b.Fatal(err)
		}
		for n := 0; n < payload; {
			k, err := c.Read(buf)
			if err != nil {
				b.Fatal(err)
			}
			n += k
		}
		io.Copy(io.Discard, c)
		cc.Close()
		if err := <-errc; err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkHandshake(b *testing.B) {
	b.Run("plain", func(b *testing.B) { benchConn(b, false, 0) })
	b.Run("observed", func(b *testing.B) { benchConn(b, true, 0) })
}

func BenchmarkTransfer1MiB(b *testing.B) {
	b.Run("plain", func(b *testing.B) { benchConn(b, false, 1<<20) })
	b.Run("observed", func(b *testing.B) { benchConn(b, true, 1<<20) })
}
