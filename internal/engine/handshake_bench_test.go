package engine

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"net"
	"sync"
	"testing"
)

// BenchmarkHandshake13 is full and resumed TLS 1.3 handshakes (ECDSA
// P-256, x25519) over net.Pipe, both sides in process: the own engine on
// both sides and crypto/tls on both sides as the reference. Each op is one
// handshake, client and server CPU together.
func BenchmarkHandshake13(b *testing.B) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	id, pair := testIdentity(b, key)
	run := func(b *testing.B, hs func() error) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if err := hs(); err != nil {
				b.Fatal(err)
			}
		}
	}
	// both runs the two sides; a client failure closes its end so that
	// the server does not wait for ever.
	both := func(c net.Conn, client, server func() error) error {
		var wg sync.WaitGroup
		var serr error
		wg.Add(1)
		go func() { defer wg.Done(); serr = server() }()
		cerr := client()
		if cerr != nil {
			c.Close()
		}
		wg.Wait()
		if cerr != nil {
			return cerr
		}
		return serr
	}
	for _, resume := range []bool{false, true} {
		name := "full"
		if resume {
			name = "resumed"
		}
		b.Run("own/"+name, func(b *testing.B) {
			scfg := &Config{Identities: []Identity{id}, TicketKey: make([]byte, 32)}
			var mu sync.Mutex
			var last *Ticket
			ccfg := &Config{ServerName: "localhost", VerifyPeer: func([][]byte, *State) error { return nil },
				OnTicket: func(t Ticket) { mu.Lock(); last = &t; mu.Unlock() }}
			var primed bool
			one := func() error {
				c, s := net.Pipe()
				defer c.Close()
				defer s.Close()
				cfg := *ccfg
				if resume {
					mu.Lock()
					cfg.Session = last
					mu.Unlock()
				}
				cc, sc := Client(c, &cfg), Server(s, scfg)
				return both(c, func() error {
					if err := cc.Handshake(); err != nil {
						return err
					}
					if resume && primed && !cc.State().Resumed {
						return errNotResumed
					}
					// Read until the ticket has been taken.
					buf := make([]byte, 1)
					_, err := cc.Read(buf)
					return err
				}, func() error {
					if err := sc.Handshake(); err != nil {
						return err
					}
					_, err := sc.Write([]byte{1})
					return err
				})
			}
			if err := one(); err != nil {
				b.Fatal(err)
			}
			primed = true
			b.ResetTimer()
			run(b, one)
		})
		b.Run("gotls/"+name, func(b *testing.B) {
			scfg := &tls.Config{Certificates: []tls.Certificate{pair}}
			ccfg := &tls.Config{InsecureSkipVerify: true, ClientSessionCache: tls.NewLRUClientSessionCache(1)}
			if !resume {
				ccfg.ClientSessionCache = nil
			}
			var primed bool
			one := func() error {
				c, s := net.Pipe()
				defer c.Close()
				defer s.Close()
				cc, sc := tls.Client(c, ccfg), tls.Server(s, scfg)
				return both(c, func() error {
					if err := cc.Handshake(); err != nil {
						return err
					}
					if resume && primed && !cc.ConnectionState().DidResume {
						return errNotResumed
					}
					buf := make([]byte, 1)
					_, err := cc.Read(buf)
					return err
				}, func() error {
					if err := sc.Handshake(); err != nil {
						return err
					}
					_, err := sc.Write([]byte{1})
					return err
				})
			}
			if err := one(); err != nil {
				b.Fatal(err)
			}
			primed = true
			b.ResetTimer()
			run(b, one)
		})
	}
}

var errNotResumed = errors.New("the session was not resumed")
