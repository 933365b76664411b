package engine

import (
	"bytes"
	"testing"

	"github.com/tlskit/tlskit/internal/engine/sig"
)

// TestClientIdentityChoice: a TLS 1.3 client answers a CertificateRequest
// with the identity that makes the first of the server's schemes it can
// (openssl's client walks the server's list for a key slot), whatever
// the order of its Identities; a TLS 1.2 client with
// UseClientIdentities12 offers ClientIdentities12 alone (openssl's
// current certificate), none when there are none (nil or empty alike),
// and without it ClientIdentities12 is not looked at.
func TestClientIdentityChoice(t *testing.T) {
	ks := keysForTest(t)
	rsaID, _ := testIdentity(t, ks["rsa2048"])
	ecID, _ := testIdentity(t, ks["ecdsa-p256"])
	for _, c := range []struct {
		name    string
		max     uint16
		schemes []uint16 // the server's CertificateRequest
		ids     []Identity
		use12   bool
		ids12   []Identity
		want    *Identity // nil: no certificate
		own     bool      // ClientIdentitiesInOwnOrder
	}{
		{"TLS 1.3, server prefers RSA", VersionTLS13, []uint16{sig.RSAPSSRSAESHA256, sig.ECDSAP256SHA256}, []Identity{ecID, rsaID}, false, nil, &rsaID, false},
		{"TLS 1.3, server prefers ECDSA", VersionTLS13, []uint16{sig.ECDSAP256SHA256, sig.RSAPSSRSAESHA256}, []Identity{rsaID, ecID}, false, nil, &ecID, false},
		{"TLS 1.2, Identities", VersionTLS12, nil, []Identity{rsaID, ecID}, false, nil, &rsaID, false},
		{"TLS 1.2, ClientIdentities12", VersionTLS12, nil, []Identity{rsaID, ecID}, true, []Identity{ecID}, &ecID, false},
		{"TLS 1.2, none current", VersionTLS12, nil, []Identity{rsaID, ecID}, true, nil, nil, false},
		{"TLS 1.2, none current, empty", VersionTLS12, nil, []Identity{rsaID, ecID}, true, []Identity{}, nil, false},
		{"TLS 1.2, ClientIdentities12 not used", VersionTLS12, nil, []Identity{rsaID, ecID}, false, []Identity{ecID}, &rsaID, false},
		{"TLS 1.3 ignores ClientIdentities12", VersionTLS13, []uint16{sig.RSAPSSRSAESHA256}, []Identity{ecID, rsaID}, true, nil, &rsaID, false},
		{"TLS 1.3, own order over server's", VersionTLS13, []uint16{sig.RSAPSSRSAESHA256, sig.ECDSAP256SHA256}, []Identity{ecID, rsaID}, false, nil, &ecID, true},
		{"TLS 1.3, own order skips what cannot sign", VersionTLS13, []uint16{sig.RSAPSSRSAESHA256}, []Identity{ecID, rsaID}, false, nil, &rsaID, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			var seen [][]byte
			srv := &Config{MinVersion: VersionTLS12, MaxVersion: VersionTLS13, Identities: []Identity{rsaID},
				RequestClientCert: true, ClientAuthSchemes: c.schemes,
				VerifyPeer: func(ch [][]byte, _ *State) error { seen = ch; return nil }}
			cli := &Config{MinVersion: VersionTLS12, MaxVersion: c.max, Identities: c.ids, UseClientIdentities12: c.use12, ClientIdentities12: c.ids12,
				ClientIdentitiesInOwnOrder: c.own}
			addr, res := ownServer(t, srv)
			conn := dialOwn(t, addr, cli)
			if got := echoLine(t, conn, "id"); got != "id" {
				t.Fatalf("echo %q", got)
			}
			if r := <-res; r.err != nil {
				t.Fatal(r.err)
			}
			switch {
			case c.want == nil && seen != nil:
				t.Errorf("the client sent a certificate")
			case c.want != nil && (len(seen) == 0 || !bytes.Equal(seen[0], c.want.Chain[0])):
				t.Errorf("the client sent another certificate (%d)", len(seen))
			}
		})
	}
}
