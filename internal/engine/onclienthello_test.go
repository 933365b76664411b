package engine

import (
	"crypto/tls"
	"slices"
	"testing"

	"github.com/tlskit/tlskit/internal/engine/kx"
	"github.com/tlskit/tlskit/internal/engine/msg"
)

// TestOnClientHello: a server's OnClientHello sees each ClientHello it
// parses (two after a HelloRetryRequest: the second with the share asked
// for), as the client sent it, before the server name callback; in TLS
// 1.2 too.
func TestOnClientHello(t *testing.T) {
	ks := keysForTest(t)
	id, _ := testIdentity(t, ks["ecdsa-p256"])
	for _, c := range []struct {
		name   string
		v      uint16
		groups []uint16 // the server's; P-256 alone makes Go's X25519 share retry
		hellos int
	}{
		{"TLS1.3", VersionTLS13, nil, 1},
		{"TLS1.3 retry", VersionTLS13, []uint16{kx.Secp256r1}, 2},
		{"TLS1.2", VersionTLS12, nil, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			var seen []string // "hello NAME" and "sni NAME", in order
			var shares [][]uint16
			cfg := &Config{MinVersion: VersionTLS12, MaxVersion: VersionTLS13, Identities: []Identity{id}, Groups: c.groups,
				OnClientHello: func(m *msg.ClientHello) {
					d, _ := m.Extensions.Find(msg.ExtServerName)
					name, _ := msg.ParseServerName(d)
					seen = append(seen, "hello "+name)
					var groups []uint16
					if d, ok := m.Extensions.Find(msg.ExtKeyShare); ok {
						ks, _ := msg.ParseKeyShareClient(d)
						for _, k := range ks {
							groups = append(groups, k.Group)
						}
					}
					shares = append(shares, groups)
				},
				ServerNameHook: func(name string) (SNIAnswer, error) {
					seen = append(seen, "sni "+name)
					return SNIAnswer{}, nil
				},
			}
			addr, res := ownServer(t, cfg)
			gc := &tls.Config{InsecureSkipVerify: true, ServerName: "a.example", MinVersion: c.v, MaxVersion: c.v,
				CurvePreferences: []tls.CurveID{tls.X25519, tls.CurveP256}}
			_, _, err := goClientEcho(t, addr, gc)
			r := <-res
			if err != nil || r.err != nil {
				t.Fatalf("client %v, server %v", err, r.err)
			}
			// The server name callback runs for the first ClientHello.
			want := []string{"hello a.example", "sni a.example"}
			if c.hellos == 2 {
				want = append(want, "hello a.example")
			}
			if !slices.Equal(seen, want) {
				t.Errorf("saw %q, want %q", seen, want)
			}
			if c.v == VersionTLS13 && (len(shares) != c.hellos || shares[len(shares)-1][0] != map[bool]uint16{true: kx.Secp256r1, false: kx.X25519}[c.hellos == 2]) {
				t.Errorf("key shares offered %x", shares)
			}
		})
	}
}
