package engine

import (
	"net"
	"slices"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/engine/kx"
	"github.com/tlskit/tlskit/internal/engine/msg"
	"github.com/tlskit/tlskit/internal/engine/record"
	"github.com/tlskit/tlskit/internal/engine/sig"
	"github.com/tlskit/tlskit/internal/testpeer"
)

// captureClientHello accepts one connection, reads one ClientHello (over
// as many records as it takes) and hangs up.
func captureClientHello(t *testing.T, dial func(addr string)) *msg.ClientHello {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	got := make(chan *msg.ClientHello, 1)
	go func() {
		defer close(got)
		c, err := l.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		rl := record.New(c)
		var r msg.Reassembler
		for {
			_, data, err := rl.Read()
			if err != nil {
				t.Error(err)
				return
			}
			r.Write(data)
			if m, ok, _ := r.Next(); ok {
				ch, err := msg.ParseClientHello(m.Body)
				if err != nil {
					t.Errorf("parsing the ClientHello: %v", err)
				}
				got <- ch
				return
			}
		}
	}()
	dial(l.Addr().String())
	ch := <-got
	if ch == nil {
		t.Fatal("no ClientHello")
	}
	return ch
}

func extOrder(ch *msg.ClientHello) []msg.ExtType {
	var o []msg.ExtType
	for _, e := range ch.Extensions {
		o = append(o, e.Type)
	}
	return o
}

// TestClientHelloLikeOpenSSL compares the own client's ClientHello with
// openssl s_client -tls1_3's, both parsed by the codec: same extensions
// in the same order, same suites, and groups and signature algorithms
// that are openssl's in openssl's order less what the engine lacks.
func TestClientHelloLikeOpenSSL(t *testing.T) {
	openssl := testpeer.Need(t, "openssl")
	for _, c := range []struct {
		name string
		args []string
		cfg  Config
	}{
		{"no SNI", []string{"-noservername"}, Config{}},
		{"SNI and ALPN", []string{"-servername", "example.com", "-alpn", "h2,http/1.1"}, Config{ServerName: "example.com", ALPN: []string{"h2", "http/1.1"}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			want := captureClientHello(t, func(addr string) {
				testpeer.Run(t, 20*time.Second, "", openssl, append([]string{"s_client", "-connect", addr, "-tls1_3"}, c.args...)...)
			})
			cfg := c.cfg
			got := captureClientHello(t, func(addr string) {
				conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
				if err != nil {
					t.Fatal(err)
				}
				conn.SetDeadline(time.Now().Add(10 * time.Second))
				Client(conn, &cfg).Handshake()
				conn.Close()
			})
			if !slices.Equal(extOrder(got), extOrder(want)) {
				t.Errorf("extensions:\n own %v\nopenssl %v", extOrder(got), extOrder(want))
			}
			if !slices.Equal(got.CipherSuites, want.CipherSuites) {
				t.Errorf("suites: own %x, openssl %x", got.CipherSuites, want.CipherSuites)
			}
			if len(got.SessionID) != 32 || len(want.SessionID) != 32 {
				t.Errorf("session id lengths %d, %d", len(got.SessionID), len(want.SessionID))
			}
			for _, x := range []struct {
				ext       msg.ExtType
				supported func(uint16) bool
			}{
				{msg.ExtSupportedGroups, kx.Supported},
				{msg.ExtSignatureAlgorithms, func(s uint16) bool { return slices.Contains(sig.Default13, s) }},
			} {
				gd, _ := got.Extensions.Find(x.ext)
				wd, _ := want.Extensions.Find(x.ext)
				g, _ := msg.ParseUint16List(gd)
				w, _ := msg.ParseUint16List(wd)
				w = slices.DeleteFunc(w, func(v uint16) bool { return !x.supported(v) })
				if !slices.Equal(g, w) {
					t.Errorf("%v: own %x, openssl less the unsupported %x", x.ext, g, w)
				}
			}
			for _, e := range []msg.ExtType{msg.ExtServerName, msg.ExtALPN, msg.ExtECPointFormats, msg.ExtSupportedVersions, msg.ExtPSKKeyExchangeModes} {
				gd, _ := got.Extensions.Find(e)
				wd, _ := want.Extensions.Find(e)
				if string(gd) != string(wd) {
					t.Errorf("%v: own %x, openssl %x", e, gd, wd)
				}
			}
		})
	}
}

// TestPaddingLen: the padding extension's data length for each ClientHello
// size, as openssl s_client 3.0 -bugs pads (measured with -msg; the
// interop comparison is optgroups' TestBugs).
func TestPaddingLen(t *testing.T) {
	for _, c := range []struct{ size, want int }{
		{0x41, -1}, {0xff, -1}, {0x100, 0xfc}, {0x124, 0xd8}, {0x1fa, 2}, {0x1fb, 1},
		{0x1fc, 1}, {0x1ff, 1}, {0x200, -1}, {0x209, -1},
	} {
		if got := paddingLen(c.size); got != c.want {
			t.Errorf("paddingLen(%#x) = %d, want %d", c.size, got, c.want)
		}
	}
}
