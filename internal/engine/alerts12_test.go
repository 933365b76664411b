package engine

import (
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/engine/alert"
	"github.com/tlskit/tlskit/internal/engine/msg"
	"github.com/tlskit/tlskit/internal/engine/suites"
	"github.com/tlskit/tlskit/internal/testpeer"
)

// serverHello12For builds a plausible TLS 1.2 ServerHello (ECDHE-RSA-
// AES128-GCM-SHA256, renegotiation_info, EMS, point formats) that mutate
// then spoils.
func serverHello12For(t *testing.T, mutate func(sh *msg.ServerHello)) []byte {
	sh := &msg.ServerHello{Version: VersionTLS12, Random: make([]byte, 32), SessionID: nil,
		CipherSuite: suites.ECDHERSAAES128GCMSHA256, Extensions: msg.Extensions{
			{Type: msg.ExtRenegotiationInfo, Data: []byte{0}},
			{Type: msg.ExtECPointFormats, Data: msg.MarshalUint8List([]uint8{0})},
			{Type: msg.ExtExtendedMasterSecret, Data: []byte{}},
		}}
	mutate(sh)
	raw, err := sh.Marshal()
	if err != nil {
		t.Error(err)
	}
	return raw
}

// TestClient12AlertsLikeOpenSSL sends the same malformed TLS 1.0–1.2
// ServerHello to `openssl s_client` (offering TLS 1.0–1.3) and to the own
// client configured the same way, and expects the same alert from both,
// or none from both (openssl then waits for the Certificate until the
// scripted server hangs up, which takes its 10 s deadline).
func TestClient12AlertsLikeOpenSSL(t *testing.T) {
	openssl := testpeer.Need(t, "openssl")
	ext := func(typ msg.ExtType, data []byte) func(sh *msg.ServerHello) {
		return func(sh *msg.ServerHello) { sh.Extensions = append(sh.Extensions, msg.Extension{Type: typ, Data: data}) }
	}
	for _, c := range []struct {
		name   string
		mutate func(sh *msg.ServerHello)
	}{
		{"TLS 1.3 downgrade sentinel", func(sh *msg.ServerHello) { copy(sh.Random[24:], "DOWNGRD\x01") }},
		{"TLS 1.2 downgrade sentinel at 1.1", func(sh *msg.ServerHello) {
			sh.Version, sh.CipherSuite = VersionTLS11, suites.ECDHERSAAES128SHA
			copy(sh.Random[24:], "DOWNGRD\x00")
		}},
		{"TLS 1.3 downgrade sentinel at 1.0", func(sh *msg.ServerHello) {
			sh.Version, sh.CipherSuite = VersionTLS10, suites.ECDHERSAAES128SHA
			copy(sh.Random[24:], "DOWNGRD\x01")
		}},
		{"TLS 1.2 downgrade sentinel at 1.2", func(sh *msg.ServerHello) { copy(sh.Random[24:], "DOWNGRD\x00") }},
		{"SSL 3.0", func(sh *msg.ServerHello) { sh.Version = 0x0300 }},
		{"TLS 1.3 suite", func(sh *msg.ServerHello) { sh.CipherSuite = suites.AES128GCMSHA256 }},
		{"suite not offered", func(sh *msg.ServerHello) { sh.CipherSuite = 0x000a }},
		{"TLS 1.2 suite at 1.1", func(sh *msg.ServerHello) { sh.Version = VersionTLS11 }},
		{"compression", func(sh *msg.ServerHello) { sh.CompressionMethod = 1 }},
		{"renegotiation_info not empty", func(sh *msg.ServerHello) { sh.Extensions[0].Data = []byte{1, 7} }},
		{"renegotiation_info malformed", func(sh *msg.ServerHello) { sh.Extensions[0].Data = []byte{} }},
		{"unsolicited ALPN", ext(msg.ExtALPN, msg.MarshalALPN([]string{"h2"}))},
		{"unknown extension", ext(0x7777, nil)},
		{"key_share in TLS 1.2", ext(msg.ExtKeyShare, []byte{0, 0x1d, 0, 1, 9})},
		{"supported_groups in ServerHello", ext(msg.ExtSupportedGroups, msg.MarshalUint16List([]uint16{29}))},
		{"duplicate extension", ext(msg.ExtExtendedMasterSecret, []byte{})},
		{"session_ticket with data", ext(msg.ExtSessionTicket, []byte{1})},
	} {
		t.Run(c.name, func(t *testing.T) {
			reply := func(*msg.ClientHello) []byte { return serverHello12For(t, c.mutate) }
			addr, got := scriptedServer(t, reply)
			testpeer.Run(t, 20*time.Second, "", openssl, "s_client", "-connect", addr, "-min_protocol", "TLSv1",
				"-cipher", "DEFAULT:@SECLEVEL=0", "-noservername")
			want := <-got
			addr, gotOwn := scriptedServer(t, reply)
			cfg := all12(Config{})
			conn := dialOwn(t, addr, &cfg)
			if len(want) != 2 {
				// openssl took the ServerHello and waits for the
				// Certificate: so must the own client.
				conn.SetDeadline(time.Now().Add(time.Second))
			}
			err := conn.Handshake()
			conn.Close()
			own := <-gotOwn
			if len(want) != 2 {
				if len(own) != 0 {
					t.Errorf("openssl took the ServerHello; own client sent %x (%v)", own, err)
				}
				return
			}
			if len(own) != 2 || own[1] != want[1] || own[0] != want[0] {
				t.Errorf("own client sent %x (%v), openssl %x (%v %v)", own, err, want, alert.Level(want[0]), alert.Desc(want[1]))
			}
		})
	}
}
