package engine

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"net"
	"sync"
	"testing"

	"github.com/tlskit/tlskit/internal/testpeer"
)

// BenchmarkServer13 is the server's side of bench/engine.sh in process:
// the same crypto/tls client (TLS 1.3, X25519 first, as bench/loadgen)
// against the own engine's server and against crypto/tls's, over
// net.Pipe, for ECDSA P-256 and RSA-2048 leaves, full handshakes and
// resumptions with the tickets of the previous connection. The client's
// share of each op is the same for both servers, so the difference in
// ns/op and allocs/op is the servers'. Each server sends its default
// tickets (the own two, as openssl; crypto/tls one) and the client reads
// one byte of data after them; own-hold is own with Config.HoldTickets,
// the tickets leaving with that byte. cpu-ns/op is the process's CPU time per
// handshake, both sides and the garbage collector.
func BenchmarkServer13(b *testing.B) {
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		b.Fatal(err)
	}
	for _, k := range []struct {
		name string
		key  crypto.Signer
	}{{"ecdsa", ec}, {"rsa", rk}} {
		id, pair := testIdentity(b, k.key)
		servers := []struct {
			name string
			mk   func(net.Conn) (net.Conn, func() error)
		}{
			{"own", func() func(net.Conn) (net.Conn, func() error) {
				cfg := &Config{Identities: []Identity{id}}
				return func(s net.Conn) (net.Conn, func() error) {
					sc := Server(s, cfg)
					return sc, sc.Handshake
				}
			}()},
			{"own-hold", func() func(net.Conn) (net.Conn, func() error) {
				cfg := &Config{Identities: []Identity{id}, HoldTickets: true}
				return func(s net.Conn) (net.Conn, func() error) {
					sc := Server(s, cfg)
					return sc, sc.Handshake
				}
			}()},
			{"gotls", func() func(net.Conn) (net.Conn, func() error) {
				cfg := &tls.Config{Certificates: []tls.Certificate{pair}}
				return func(s net.Conn) (net.Conn, func() error) {
					sc := tls.Server(s, cfg)
					return sc, sc.Handshake
				}
			}()},
		}
		for _, resume := range []bool{false, true} {
			mode := "full"
			if resume {
				mode = "resumed"
			}
			for _, srv := range servers {
				b.Run(k.name+"/"+mode+"/"+srv.name, func(b *testing.B) {
					ccfg := &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS13, ServerName: "localhost",
						CurvePreferences: []tls.CurveID{tls.X25519, tls.CurveP256, tls.CurveP384}}
					if resume {
						ccfg.ClientSessionCache = tls.NewLRUClientSessionCache(4)
					}
					primed := false
					one := func() error {
						c, s := net.Pipe()
						defer c.Close()
						defer s.Close()
						sc, shs := srv.mk(s)
						var wg sync.WaitGroup
						var serr error
						wg.Add(1)
						go func() {
							defer wg.Done()
							if serr = shs(); serr == nil {
								_, serr = sc.Write([]byte{1})
							}
						}()
						cc := tls.Client(c, ccfg)
						cerr := cc.Handshake()
						if cerr == nil && resume && primed && !cc.ConnectionState().DidResume {
							cerr = errNotResumed
						}
						if cerr == nil {
							_, cerr = cc.Read(make([]byte, 1))
						}
						if cerr != nil {
							c.Close()
						}
						wg.Wait()
						if cerr != nil {
							return cerr
						}
						return serr
					}
					if err := one(); err != nil {
						b.Fatal(err)
					}
					primed = true
					b.ReportAllocs()
					b.ResetTimer()
					report := testpeer.CPUPerOp(b)
					for i := 0; i < b.N; i++ {
						if err := one(); err != nil {
							b.Fatal(err)
						}
					}
					report()
				})
			}
		}
	}
}

// BenchmarkTicketSealOpen is a resumption's ticket work on a server
// without Config.TicketKey (s_server's case): one ticket opened, two
// sealed.
func BenchmarkTicketSealOpen(b *testing.B) {
	c := &TLSConn{cfg: &Config{}}
	t := ticketState{suite: 0x1301, psk: make([]byte, 32)}
	sealed, err := c.sealTicket(t)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := c.openTicket(sealed); err != nil {
			b.Fatal(err)
		}
		for range 2 {
			if _, err := c.sealTicket(t); err != nil {
				b.Fatal(err)
			}
		}
	}
}
