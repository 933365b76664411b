package engine

import (
	"errors"
	"io"
	"net"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/engine/alert"
	"github.com/tlskit/tlskit/internal/engine/msg"
	"github.com/tlskit/tlskit/internal/testpeer"
)

// spoilProxyV sits between a client and a real server: it passes the
// client's bytes on untouched and re-frames the server's handshake
// messages one per record until the server's ChangeCipherSpec, letting
// spoil rewrite each; encrypted is applied to the first protected record
// after it. It also labels the records of handshake messages after
// ServerHello with version relabel (when non-zero). It serves one
// connection.
func spoilProxyV(t *testing.T, backend string, spoil func(m []byte) []byte, encrypted func(body []byte), relabel uint16) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		c, err := l.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		s, err := net.DialTimeout("tcp", backend, 5*time.Second)
		if err != nil {
			return
		}
		defer s.Close()
		c.SetDeadline(time.Now().Add(15 * time.Second))
		s.SetDeadline(time.Now().Add(15 * time.Second))
		go func() { io.Copy(s, c); s.Close() }()
		var r msg.Reassembler
		ccs, done := false, false
		hdr := make([]byte, 5)
		for {
			if _, err := io.ReadFull(s, hdr); err != nil {
				return
			}
			body := make([]byte, int(hdr[3])<<8|int(hdr[4]))
			if _, err := io.ReadFull(s, body); err != nil {
				return
			}
			switch {
			case !ccs && hdr[0] == 22:
				r.Write(body)
				for {
					m, ok, _ := r.Next()
					if !ok {
						break
					}
					out := spoil(m.Raw)
					v1, v2 := hdr[1], hdr[2]
					if relabel != 0 && m.Type != msg.TypeServerHello {
						v1, v2 = byte(relabel>>8), byte(relabel)
					}
					c.Write(append([]byte{22, v1, v2, byte(len(out) >> 8), byte(len(out))}, out...))
				}
				continue
			case hdr[0] == 20:
				ccs = true
			case ccs && !done:
				done = true
				if encrypted != nil {
					encrypted(body)
				}
			}
			c.Write(append(append([]byte(nil), hdr...), body...))
		}
	}()
	return l.Addr().String()
}

var sentAlertRE = regexp.MustCompile(`>>> [^\n]*Alert \[length 0002\][^\n]*\n\s+02 ([0-9a-f]{2})`)

// TestClient12HandshakeFaults spoils what a real TLS 1.2 server sends
// (openssl s_server, through spoilProxy) and expects from the own client
// the fatal alert openssl s_client sends for the same fault (read from its
// -msg output).
func TestClient12HandshakeFaults(t *testing.T) {
	pki := testpeer.NewPKI(t)
	openssl := testpeer.Need(t, "openssl")
	onType := func(typ msg.Type, f func(m []byte) []byte) func([]byte) []byte {
		return func(m []byte) []byte {
			if msg.Type(m[0]) == typ {
				return f(append([]byte(nil), m...))
			}
			return m
		}
	}
	pass := func(m []byte) []byte { return m }
	for _, c := range []struct {
		name      string
		server    []string
		spoil     func([]byte) []byte
		encrypted func([]byte)
		want      alert.Desc
		relabel   uint16
	}{
		{"record version changes after ServerHello", nil, pass, nil, alert.ProtocolVersion, 0x0301},
		{"ServerKeyExchange signature", nil, onType(msg.TypeServerKeyExchange, func(m []byte) []byte { m[len(m)-1] ^= 1; return m }), nil, alert.DecryptError, 0},
		{"ServerKeyExchange curve not offered", nil, onType(msg.TypeServerKeyExchange, func(m []byte) []byte { m[6] = 0x15; return m }), nil, alert.IllegalParameter, 0},
		{"ServerKeyExchange truncated", nil, onType(msg.TypeServerKeyExchange, func(m []byte) []byte {
			m = m[:len(m)-1]
			m[3]--
			return m
		}), nil, alert.DecodeError, 0},
		{"DHE value out of range", []string{"-cipher", "DHE-RSA-AES128-GCM-SHA256"}, onType(msg.TypeServerKeyExchange, func(m []byte) []byte {
			// Ys = 1: p and g keep their lengths, Ys's last byte is 1
			// and the rest zero.
			p := int(m[4])<<8 | int(m[5])
			g := int(m[6+p])<<8 | int(m[7+p])
			y := 8 + p + g
			n := int(m[y])<<8 | int(m[y+1])
			for i := y + 2; i < y+2+n; i++ {
				m[i] = 0
			}
			m[y+1+n] = 1
			return m
		}), nil, alert.IllegalParameter, 0},
		{"ServerHelloDone with a body", nil, onType(msg.TypeServerHelloDone, func(m []byte) []byte { return []byte{14, 0, 0, 1, 0} }), nil, alert.IllegalParameter, 0},
		{"Certificate empty", nil, onType(msg.TypeCertificate, func(m []byte) []byte { return []byte{11, 0, 0, 3, 0, 0, 0} }), nil, alert.DecodeError, 0},
		{"Finished record", nil, pass, func(b []byte) { b[len(b)-1] ^= 1 }, alert.BadRecordMAC, 0},
		{"Finished record CBC", []string{"-cipher", "ECDHE-RSA-AES128-SHA"}, pass, func(b []byte) { b[len(b)-1] ^= 1 }, alert.BadRecordMAC, 0},
		{"Finished record CBC no_etm", []string{"-cipher", "ECDHE-RSA-AES128-SHA", "-no_etm"}, pass, func(b []byte) { b[20] ^= 1 }, alert.BadRecordMAC, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			args := append([]string{"-tls1_2", "-naccept", "2", "-cert", pki.Server, "-key", pki.ServerKey, "-no_ticket"}, c.server...)
			srv := testpeer.OpenSSLServer(t, args...)
			out, errOut, _ := testpeer.Run(t, 20*time.Second, "", openssl, "s_client", "-connect",
				spoilProxyV(t, srv.Addr, c.spoil, c.encrypted, c.relabel), "-msg", "-noservername")
			m := sentAlertRE.FindStringSubmatch(out)
			if m == nil {
				t.Fatalf("openssl sent no alert:\n%s\n%s", out, errOut)
			}
			want, _ := strconv.ParseUint(m[1], 16, 8)
			if alert.Desc(want) != c.want {
				t.Errorf("openssl sent %v, the table says %v", alert.Desc(want), c.want)
			}
			cfg := all12(Config{})
			conn := dialOwn(t, spoilProxyV(t, srv.Addr, c.spoil, c.encrypted, c.relabel), &cfg)
			err := conn.Handshake()
			var ae *AlertError
			if !errors.As(err, &ae) || !ae.Sent || ae.Description != alert.Desc(want) {
				t.Errorf("own client: %v, openssl sent %v", err, alert.Desc(want))
			}
		})
	}
}
