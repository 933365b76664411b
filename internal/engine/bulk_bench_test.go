package engine

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"io"
	"net"
	"testing"
)

// BenchmarkBulk13 is bytes through one TLS 1.3 connection over loopback
// TCP, server to client in 16 KiB writes: the own engine on both sides,
// and crypto/tls on both sides as the reference.
func BenchmarkBulk13(b *testing.B) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	id, pair := testIdentity(b, key)
	type pairFn func(c, s net.Conn) (client, server net.Conn, hs func() error)
	for _, tc := range []struct {
		name string
		mk   pairFn
	}{
		{"own", func(c, s net.Conn) (net.Conn, net.Conn, func() error) {
			cc := Client(c, &Config{ServerName: "localhost", VerifyPeer: func([][]byte, *State) error { return nil }})
			sc := Server(s, &Config{Identities: []Identity{id}})
			return cc, sc, sc.Handshake
		}},
		{"gotls", func(c, s net.Conn) (net.Conn, net.Conn, func() error) {
			cc := tls.Client(c, &tls.Config{InsecureSkipVerify: true})
			sc := tls.Server(s, &tls.Config{Certificates: []tls.Certificate{pair}})
			return cc, sc, sc.Handshake
		}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				b.Fatal(err)
			}
			defer l.Close()
			accepted := make(chan net.Conn, 1)
			go func() {
				s, err := l.Accept()
				if err != nil {
					close(accepted)
					return
				}
				accepted <- s
			}()
			craw, err := net.Dial("tcp", l.Addr().String())
			if err != nil {
				b.Fatal(err)
			}
			sraw, ok := <-accepted
			if !ok {
				b.Fatal("accept failed")
			}
			cc, sc, hs := tc.mk(craw, sraw)
			defer cc.Close()
			defer sc.Close()
			const chunk = 16384
			buf := make([]byte, chunk)
			done := make(chan error, 1)
			go func() {
				if err := hs(); err != nil {
					done <- err
					return
				}
				for i := 0; i < b.N; i++ {
					if _, err := sc.Write(buf); err != nil {
						done <- err
						return
					}
				}
				done <- nil
			}()
			b.SetBytes(chunk)
			b.ResetTimer()
			if _, err := io.CopyN(io.Discard, cc, int64(b.N)*chunk); err != nil {
				b.Fatal(err)
			}
			if err := <-done; err != nil {
				b.Fatal(err)
			}
		})
	}
}
