package wire

import (
	"bufio"
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/engine"
	"github.com/tlskit/tlskit/internal/testpeer"
)

// The golden tests replay recorded engine event streams (one file per
// side of a handshake between the own client and the own server) into an
// observer and compare what -msg, -trace, -state and -tlsextdebug print,
// and the Summary, with the output recorded next to them. The outputs
// were made by the printers as they stood before they moved onto
// internal/engine/msg; -update-golden records new sessions.
var updateGolden = flag.Bool("update-golden", false, "record new golden event streams and outputs")

// -update-golden-out rewrites only the outputs from the recorded streams,
// for a deliberate change of the printers.
var updateGoldenOut = flag.Bool("update-golden-out", false, "rewrite the golden outputs from the recorded event streams")

const goldenDir = "testdata/golden"

// goldenScenario is one recorded handshake.
type goldenScenario struct {
	name     string
	client   func(*engine.Config)
	server   func(*engine.Config)
	after    func(c *engine.TLSConn) error // client, after the handshake
	rsa      bool
	clientID bool
}

var goldenScenarios = []goldenScenario{
	{name: "tls13", client: func(c *engine.Config) { c.ALPN = []string{"h2", "http/1.1"}; c.ServerName = "localhost" },
		server: func(c *engine.Config) { c.ALPN = []string{"http/1.1"}; c.NumTickets = 2 }},
	{name: "tls13-hrr-clientauth", client: func(c *engine.Config) { c.KeyShares = []uint16{0x001d} },
		server: func(c *engine.Config) {
			c.Groups = []uint16{0x0017}
			c.RequestClientCert, c.RequireClientCert = true, true
			c.VerifyPeer = func([][]byte, *engine.State) error { return nil }
		}, clientID: true},
	{name: "tls13-keyupdate", after: func(c *engine.TLSConn) error { return c.KeyUpdate(true) }},
	{name: "tls12-ecdhe", client: func(c *engine.Config) { c.MinVersion, c.MaxVersion = 0x0303, 0x0303 },
		server: func(c *engine.Config) { c.MinVersion, c.MaxVersion = 0x0303, 0x0303 }},
	{name: "tls12-dhe-clientauth", rsa: true, clientID: true,
		client: func(c *engine.Config) { c.MinVersion, c.MaxVersion = 0x0303, 0x0303; c.Suites12 = []uint16{0x009f} },
		server: func(c *engine.Config) {
			c.MinVersion, c.MaxVersion = 0x0303, 0x0303
			c.RequestClientCert = true
			c.VerifyPeer = func([][]byte, *engine.State) error { return nil }
		}},
	{name: "tls12-rsa", rsa: true,
		client: func(c *engine.Config) {
			c.MinVersion, c.MaxVersion = 0x0303, 0x0303
			c.Suites12 = []uint16{0x009d}
			c.NoTicket = true
		},
		server: func(c *engine.Config) { c.MinVersion, c.MaxVersion = 0x0303, 0x0303; c.NoTicket = true }},
	{name: "tls11-ecdhe-cbc", client: func(c *engine.Config) {
		c.MinVersion, c.MaxVersion, c.SecurityLevel = 0x0302, 0x0302, 0
	}, server: func(c *engine.Config) { c.MinVersion, c.MaxVersion, c.SecurityLevel = 0x0302, 0x0302, 0 }},
}

func goldenIdentity(t testing.TB, rsaKey bool) engine.Identity {
	t.Helper()
	var key crypto.Signer
	var err error
	if rsaKey {
		key, err = rsa.GenerateKey(rand.Reader, 2048)
	} else {
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	}
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(0x1234),
		Subject:      pkix.Name{CommonName: "localhost", Organization: []string{"tlskit test"}},
		NotBefore:    time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:     time.Date(2036, 1, 1, 0, 0, 0, 0, time.UTC),
		DNSNames:     []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	return engine.Identity{Chain: [][]byte{der}, Key: key}
}

// recordGolden runs one scenario between the own client and server over
// loopback and returns both sides' events.
func recordGolden(t *testing.T, sc goldenScenario) (client, server []engine.Event) {
	var mu sync.Mutex
	rec := func(dst *[]engine.Event) func(engine.Event) {
		return func(e engine.Event) {
			if e.ContentType == 23 {
				return
			}
			mu.Lock()
			*dst = append(*dst, engine.Event{Sent: e.Sent, Version: e.Version, ContentType: e.ContentType, Data: bytes.Clone(e.Data)})
			mu.Unlock()
		}
	}
	ccfg := &engine.Config{OnEvent: rec(&client), SecurityLevel: 1}
	scfg := &engine.Config{OnEvent: rec(&server), SecurityLevel: 1,
		Identities: []engine.Identity{goldenIdentity(t, sc.rsa)}}
	ccfg.VerifyPeer = func([][]byte, *engine.State) error { return nil }
	if sc.clientID {
		ccfg.Identities = []engine.Identity{goldenIdentity(t, false)}
	}
	if sc.client != nil {
		sc.client(ccfg)
	}
	if sc.server != nil {
		sc.server(scfg)
	}
	done := make(chan error, 1)
	addr := testpeer.ServeOne(t, 20*time.Second, func(c net.Conn) {
		defer c.Close()
		s := engine.Server(c, scfg)
		if err := s.Handshake(); err != nil {
			done <- err
			return
		}
		if _, err := s.Write([]byte("hello\n")); err != nil {
			done <- err
			return
		}
		io.Copy(io.Discard, s)
		s.Close()
		done <- nil
	})
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	nc.SetDeadline(time.Now().Add(20 * time.Second))
	c := engine.Client(nc, ccfg)
	if err := c.Handshake(); err != nil {
		t.Fatalf("%s: client handshake: %v", sc.name, err)
	}
	if _, err := bufio.NewReader(c).ReadString('\n'); err != nil {
		t.Fatalf("%s: read: %v", sc.name, err)
	}
	if sc.after != nil {
		if err := sc.after(c); err != nil {
			t.Fatalf("%s: %v", sc.name, err)
		}
		c.Write([]byte("x"))
	}
	c.Close()
	nc.Close()
	if err := <-done; err != nil && sc.after == nil {
		t.Fatalf("%s: server: %v", sc.name, err)
	}
	mu.Lock()
	defer mu.Unlock()
	return client, server
}

func writeEvents(t testing.TB, path string, evs []engine.Event) {
	var sb strings.Builder
	for _, e := range evs {
		d := "R"
		if e.Sent {
			d = "S"
		}
		fmt.Fprintf(&sb, "%s %04x %d %x\n", d, e.Version, e.ContentType, e.Data)
	}
	if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readEvents(t testing.TB, path string) []engine.Event {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []engine.Event
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		f := strings.Fields(l)
		if len(f) < 3 {
			t.Fatalf("%s: bad line %q", path, l)
		}
		v, _ := strconv.ParseUint(f[1], 16, 16)
		ct, _ := strconv.Atoi(f[2])
		var data []byte
		if len(f) == 4 {
			if data, err = hex.DecodeString(f[3]); err != nil {
				t.Fatal(err)
			}
		}
		out = append(out, engine.Event{Sent: f[0] == "S", Version: uint16(v), ContentType: ct, Data: data})
	}
	return out
}

// renderGolden replays events into an observer and returns everything it
// printed, section by section, and its Summary as JSON.
func renderGolden(t *testing.T, evs []engine.Event, client bool) string {
	var msg, trace, state, ext bytes.Buffer
	ob := New(Options{Client: client, Msg: &msg, Trace: &trace, State: &state, TLSExtDebug: &ext})
	for _, e := range evs {
		ob.Event(e)
	}
	sum, err := json.MarshalIndent(ob.Summary(), "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return "== msg\n" + msg.String() + "== trace\n" + trace.String() + "== state\n" + state.String() +
		"== tlsextdebug\n" + ext.String() + "== summary\n" + string(sum) + "\n"
}

func TestGoldenPrinters(t *testing.T) {
	for _, sc := range goldenScenarios {
		for _, side := range []string{"client", "server"} {
			base := filepath.Join(goldenDir, sc.name+"."+side)
			if *updateGolden || *updateGoldenOut {
				if side == "client" && *updateGolden {
					c, s := recordGolden(t, sc)
					if err := os.MkdirAll(goldenDir, 0o755); err != nil {
						t.Fatal(err)
					}
					writeEvents(t, filepath.Join(goldenDir, sc.name+".client.events"), c)
					writeEvents(t, filepath.Join(goldenDir, sc.name+".server.events"), s)
				}
				out := renderGolden(t, readEvents(t, base+".events"), side == "client")
				if err := os.WriteFile(base+".out", []byte(out), 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			t.Run(sc.name+"/"+side, func(t *testing.T) {
				want, err := os.ReadFile(base + ".out")
				if err != nil {
					t.Fatal(err)
				}
				got := renderGolden(t, readEvents(t, base+".events"), side == "client")
				if got != string(want) {
					gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
					for i := range min(len(gl), len(wl)) {
						if gl[i] != wl[i] {
							t.Fatalf("line %d differs:\n got %q\nwant %q", i+1, gl[i], wl[i])
						}
					}
					t.Fatalf("output has %d lines, golden %d", len(gl), len(wl))
				}
			})
		}
	}
}
