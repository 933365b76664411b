package engine

import (
	"errors"
	"testing"

	"github.com/tlskit/tlskit/internal/engine/alert"
	"github.com/tlskit/tlskit/internal/engine/kx"
	"github.com/tlskit/tlskit/internal/engine/suites"
)

// TestServerNoDHE: a server with NoDHE chooses no DHE or DHE_PSK suite
// unless DHParams is set (openssl s_server -no_dhe, measured with 3.0: a
// client offering only DHE suites gets handshake_failure, "no shared
// cipher"; one offering DHE first and ECDHE after gets ECDHE); TLS 1.3's
// ffdhe groups still work.
func TestServerNoDHE(t *testing.T) {
	rsaID, _ := testIdentity(t, keysForTest(t)["rsa2048"])
	dh := kx.AutoDHParams(112)
	psk := func() *PSK12 { return &PSK12{Identity: []byte("Client_identity"), Key: testPSK12Key} }
	cases := []struct {
		name      string
		noDHE     bool
		dh        *kx.DHParams
		max       uint16
		suites    []uint16
		groups    []uint16
		psk       bool
		sniNoDH   bool   // the ServerNameHook takes DHParams away
		want      uint16 // suite; 0 for handshake_failure
		wantGroup uint16
	}{
		{name: "DHE only", noDHE: true, suites: []uint16{suites.DHERSAAES128GCMSHA256}},
		{name: "DHE only without NoDHE", suites: []uint16{suites.DHERSAAES128GCMSHA256}, want: suites.DHERSAAES128GCMSHA256},
		{name: "DHE then ECDHE", noDHE: true, suites: []uint16{suites.DHERSAAES128GCMSHA256, suites.ECDHERSAAES128GCMSHA256},
			want: suites.ECDHERSAAES128GCMSHA256},
		{name: "DHParams set", noDHE: true, dh: &dh, suites: []uint16{suites.DHERSAAES128GCMSHA256}, want: suites.DHERSAAES128GCMSHA256},
		{name: "DHParams taken away by the hook", noDHE: true, dh: &dh, sniNoDH: true, suites: []uint16{suites.DHERSAAES128GCMSHA256}},
		{name: "DHParams taken away without NoDHE", dh: &dh, sniNoDH: true, suites: []uint16{suites.DHERSAAES128GCMSHA256}, want: suites.DHERSAAES128GCMSHA256},
		{name: "DHE_PSK only", noDHE: true, psk: true, suites: []uint16{suites.DHEPSKAES128GCMSHA256}},
		{name: "DHE_PSK then PSK", noDHE: true, psk: true, suites: []uint16{suites.DHEPSKAES128GCMSHA256, suites.PSKAES128GCMSHA256},
			want: suites.PSKAES128GCMSHA256},
		{name: "TLS 1.3 ffdhe2048", noDHE: true, max: VersionTLS13, groups: []uint16{kx.FFDHE2048},
			want: suites.AES128GCMSHA256, wantGroup: kx.FFDHE2048},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := &Config{MinVersion: VersionTLS12, MaxVersion: VersionTLS13, Identities: []Identity{rsaID},
				NoDHE: c.noDHE, DHParams: c.dh, Groups: c.groups}
			cli := &Config{MinVersion: VersionTLS12, MaxVersion: VersionTLS12, Suites12: c.suites, Groups: c.groups}
			if c.max != 0 {
				cli.MaxVersion = c.max
				cli.Suites13 = []uint16{suites.AES128GCMSHA256}
			}
			if c.psk {
				srv.PSK12, cli.PSK12 = psk(), psk()
			}
			if c.sniNoDH {
				srv.ServerNameHook = func(string) (SNIAnswer, error) { return SNIAnswer{NoDHParams: true}, nil }
				cli.ServerName = "foo"
			}
			addr, res := ownServer(t, srv)
			conn := dialOwn(t, addr, cli)
			err := conn.Handshake()
			if c.want == 0 {
				var ae *AlertError
				if !errors.As(err, &ae) || ae.Description != alert.HandshakeFailure {
					t.Errorf("client: %v", err)
				}
				conn.Close() // a server that wrongly finished stops waiting
				r := <-res
				if !errors.As(r.err, &ae) || ae.Description != alert.HandshakeFailure || ae.Reason != "no shared cipher" {
					t.Errorf("server: %v", r.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("handshake: %v", err)
			}
			if got := echoLine(t, conn, "dh"); got != "dh" {
				t.Fatalf("echo %q", got)
			}
			r := <-res
			if r.err != nil {
				t.Fatal(r.err)
			}
			if st := conn.State(); st.Suite != c.want || r.st.Suite != c.want {
				t.Errorf("suite %x/%x, want %x", st.Suite, r.st.Suite, c.want)
			}
			if c.wantGroup != 0 && r.st.Group != c.wantGroup {
				t.Errorf("group %x, want %x", r.st.Group, c.wantGroup)
			}
		})
	}
}
