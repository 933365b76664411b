package engine

import (
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/engine/alert"
	"github.com/tlskit/tlskit/internal/engine/kx"
	"github.com/tlskit/tlskit/internal/engine/msg"
	"github.com/tlskit/tlskit/internal/engine/record"
)

// scriptedServer reads the client's ClientHello and answers with what
// reply makes of it, as plaintext handshake records, then returns the
// alert the client sent.
func scriptedServer(t *testing.T, reply func(ch *msg.ClientHello) []byte) (addr string, got <-chan []byte) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	out := make(chan []byte, 1)
	go func() {
		defer close(out)
		c, err := l.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		rl := record.New(c)
		var r msg.Reassembler
		for {
			typ, data, err := rl.Read()
			if err != nil || typ != record.TypeHandshake {
				return
			}
			r.Write(data)
			if m, ok, _ := r.Next(); ok {
				ch, err := msg.ParseClientHello(m.Body)
				if err != nil {
					return
				}
				rl.Write(record.TypeHandshake, reply(ch))
				break
			}
		}
		for {
			typ, data, err := rl.Read()
			if err != nil {
				return
			}
			if typ == record.TypeAlert {
				out <- append([]byte(nil), data...)
				return
			}
		}
	}()
	return l.Addr().String(), out
}

// serverHelloFor builds a valid-looking ServerHello for ch that mutate
// then spoils.
func serverHelloFor(t *testing.T, ch *msg.ClientHello, mutate func(sh *msg.ServerHello)) []byte {
	d, _ := ch.Extensions.Find(msg.ExtKeyShare)
	ks, _ := msg.ParseKeyShareClient(d)
	pub, _, err := kx.Respond(ks[0].Group, ks[0].Data)
	if err != nil {
		t.Error(err)
	}
	sh := &msg.ServerHello{Version: VersionTLS12, Random: make([]byte, 32), SessionID: ch.SessionID,
		CipherSuite: ch.CipherSuites[0], Extensions: msg.Extensions{
			{Type: msg.ExtSupportedVersions, Data: msg.MarshalUint16(VersionTLS13)},
			{Type: msg.ExtKeyShare, Data: msg.MarshalKeyShareServer(msg.KeyShare{Group: ks[0].Group, Data: pub})},
		}}
	mutate(sh)
	raw, err := sh.Marshal()
	if err != nil {
		t.Error(err)
	}
	return raw
}

// TestClientAlerts checks the alert the client sends for each malformed
// ServerHello (RFC 8446 §4.1.3, §4.2, §6.2).
func TestClientAlerts(t *testing.T) {
	for _, c := range []struct {
		name   string
		mutate func(sh *msg.ServerHello)
		want   alert.Desc
	}{
		{"session id not echoed", func(sh *msg.ServerHello) { sh.SessionID = []byte{1} }, alert.IllegalParameter},
		{"suite not offered", func(sh *msg.ServerHello) { sh.CipherSuite = 0x1305 }, alert.IllegalParameter},
		{"compression", func(sh *msg.ServerHello) { sh.CompressionMethod = 1 }, alert.IllegalParameter},
		{"TLS 1.2 ServerHello", func(sh *msg.ServerHello) { sh.Extensions = nil }, alert.ProtocolVersion},
		{"downgrade sentinel", func(sh *msg.ServerHello) {
			sh.Extensions = nil
			copy(sh.Random[24:], "DOWNGRD\x01")
		}, alert.IllegalParameter},
		{"supported_versions TLS 1.2", func(sh *msg.ServerHello) {
			sh.Extensions[0].Data = msg.MarshalUint16(VersionTLS12)
		}, alert.IllegalParameter},
		{"legacy_version not 1.2", func(sh *msg.ServerHello) { sh.Version = VersionTLS13 }, alert.IllegalParameter},
		{"unsolicited extension", func(sh *msg.ServerHello) {
			sh.Extensions = append(sh.Extensions, msg.Extension{Type: msg.ExtALPN, Data: msg.MarshalALPN([]string{"h2"})})
		}, alert.UnsupportedExtension},
		{"offered extension not allowed here", func(sh *msg.ServerHello) {
			sh.Extensions = append(sh.Extensions, msg.Extension{Type: msg.ExtSupportedGroups, Data: msg.MarshalUint16List([]uint16{29})})
		}, alert.IllegalParameter},
		{"key share for another group", func(sh *msg.ServerHello) {
			sh.Extensions[1].Data = msg.MarshalKeyShareServer(msg.KeyShare{Group: kx.Secp256r1, Data: make([]byte, 65)})
		}, alert.IllegalParameter},
		{"bad x25519 point", func(sh *msg.ServerHello) {
			sh.Extensions[1].Data = msg.MarshalKeyShareServer(msg.KeyShare{Group: kx.X25519, Data: make([]byte, 32)})
		}, alert.IllegalParameter},
	} {
		t.Run(c.name, func(t *testing.T) {
			addr, got := scriptedServer(t, func(ch *msg.ClientHello) []byte { return serverHelloFor(t, ch, c.mutate) })
			conn := dialOwn(t, addr, &Config{})
			err := conn.Handshake()
			var ae *AlertError
			if !errors.As(err, &ae) || !ae.Sent || ae.Description != c.want {
				t.Fatalf("handshake error %v, want sent %v", err, c.want)
			}
			a := <-got
			if len(a) != 2 || a[0] != byte(alert.Fatal) || alert.Desc(a[1]) != c.want {
				t.Fatalf("server saw alert %x, want fatal %v", a, c.want)
			}
		})
	}
}

// TestClientUnexpectedMessage: a Finished in place of the ServerHello is
// unexpected_message; an EOF mid-handshake is reported as such.
func TestClientUnexpectedMessage(t *testing.T) {
	addr, got := scriptedServer(t, func(*msg.ClientHello) []byte { return []byte{20, 0, 0, 1, 0} })
	conn := dialOwn(t, addr, &Config{})
	var ae *AlertError
	if err := conn.Handshake(); !errors.As(err, &ae) || ae.Description != alert.UnexpectedMessage {
		t.Fatalf("got %v", err)
	}
	if a := <-got; len(a) != 2 || alert.Desc(a[1]) != alert.UnexpectedMessage {
		t.Fatalf("server saw %x", a)
	}

	l, _ := net.Listen("tcp", "127.0.0.1:0")
	defer l.Close()
	go func() {
		c, err := l.Accept()
		if err == nil {
			// Read the whole ClientHello record so closing sends FIN,
			// not RST.
			record.New(c).Read()
			c.Close()
		}
	}()
	if err := dialOwn(t, l.Addr().String(), &Config{}).Handshake(); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("EOF: %v", err)
	}
}
