package engine

import (
	"bytes"
	"crypto/tls"
	"net"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/engine/suites"
	"github.com/tlskit/tlskit/internal/testpeer"
)

// readTap records what a transport delivers.
type readTap struct {
	net.Conn
	got bytes.Buffer
}

func (r *readTap) Read(p []byte) (int, error) {
	n, err := r.Conn.Read(p)
	r.got.Write(p[:n])
	return n, err
}

// recordedServerFlight12 is what a crypto/tls TLS 1.2 server sent the own
// client in a whole handshake with the given suite.
func recordedServerFlight12(t testing.TB, suite uint16, key string) []byte {
	_, goCert := testIdentity(t, keysForTest(t)[key])
	addr := testpeer.ServeOne(t, 10*time.Second, func(c net.Conn) {
		defer c.Close()
		tls.Server(c, &tls.Config{Certificates: []tls.Certificate{goCert}, MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{suite}}).Handshake()
	})
	cfg := all12(Config{})
	got, err := recordedByClient(t, addr, &cfg)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// recordedByClient runs one own-client handshake with addr and returns
// what the client read, with the handshake's error; the connection is
// closed on return.
func recordedByClient(t testing.TB, addr string, cfg *Config) ([]byte, error) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	tap := &readTap{Conn: c}
	err = Client(tap, cfg).Handshake()
	return tap.got.Bytes(), err
}

// FuzzClient12Handshake feeds arbitrary server bytes to a client offering
// TLS 1.0–1.3, seeded with real TLS 1.2 server flights (ECDHE-ECDSA GCM,
// RSA key exchange with CBC): it must fail cleanly, never panic or hang.
// (The seeds cannot complete: the client's random differs each run, so
// the ServerKeyExchange signature or Finished no longer fits.)
func FuzzClient12Handshake(f *testing.F) {
	f.Add(recordedServerFlight12(f, suites.ECDHEECDSAAES128GCMSHA256, "ecdsa-p256"))
	f.Add(recordedServerFlight12(f, suites.RSAAES128SHA, "rsa2048"))
	cfg := all12(Config{})
	f.Fuzz(func(t *testing.T, b []byte) {
		c := Client(&fuzzConn{bytes.NewReader(b)}, &cfg)
		if c.Handshake() == nil {
			t.Fatal("a handshake completed against replayed bytes")
		}
	})
}

// recordedClientFlight12 is what a crypto/tls TLS 1.2 client sent the
// own server in a whole handshake with the given suite.
func recordedClientFlight12(t testing.TB, suite uint16, id Identity) []byte {
	got := make(chan []byte, 1)
	addr := testpeer.ServeOne(t, 10*time.Second, func(c net.Conn) {
		defer c.Close()
		tap := &readTap{Conn: c}
		Server(tap, &Config{MinVersion: VersionTLS12, MaxVersion: VersionTLS12, Identities: []Identity{id}}).Handshake()
		got <- tap.got.Bytes()
	})
	c, err := tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true, MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{suite}})
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	return <-got
}

// FuzzServer12Flights feeds arbitrary client bytes to a server taking
// TLS 1.0–1.3, seeded with real TLS 1.2 client flights (ECDHE-ECDSA GCM,
// RSA key exchange with CBC): it must fail cleanly, never panic or hang.
// (The seeds cannot complete: the server's random differs each run, so
// the client's Finished no longer fits.)
func FuzzServer12Flights(f *testing.F) {
	ks := keysForTest(f)
	ec, _ := testIdentity(f, ks["ecdsa-p256"])
	rsaID, _ := testIdentity(f, ks["rsa2048"])
	f.Add(recordedClientFlight12(f, suites.ECDHEECDSAAES128GCMSHA256, ec))
	f.Add(recordedClientFlight12(f, suites.RSAAES128SHA, rsaID))
	cfg := &Config{MinVersion: VersionTLS10, MaxVersion: VersionTLS13, Identities: []Identity{ec, rsaID}}
	f.Fuzz(func(t *testing.T, b []byte) {
		if Server(&fuzzConn{bytes.NewReader(b)}, cfg).Handshake() == nil {
			t.Fatal("a handshake completed against replayed bytes")
		}
	})
}
