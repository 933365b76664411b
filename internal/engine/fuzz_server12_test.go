package engine

import (
	"bytes"
	"testing"
)

// recordedClientHello12 is the ClientHello record the own client sends
// offering TLS 1.0–1.2 only.
func recordedClientHello12(t testing.TB) []byte {
	var out bytes.Buffer
	c := Client(&recConn{fuzzConn{bytes.NewReader(nil)}, &out}, &Config{ServerName: "localhost", MinVersion: VersionTLS10, MaxVersion: VersionTLS12})
	c.Handshake()
	return out.Bytes()
}

// FuzzServer12Handshake feeds arbitrary client bytes to the own server
// with TLS 1.0–1.3 enabled, RSA and ECDSA identities: whatever arrives
// (a ClientHello for 1.2 followed by a client key exchange, garbage),
// the server ends with an error or a handshake, never a panic or a hang.
func FuzzServer12Handshake(f *testing.F) {
	keys := keysForTest(f)
	ec, _ := testIdentity(f, keys["ecdsa-p256"])
	rsa, _ := testIdentity(f, keys["rsa2048"])
	cfg := &Config{Identities: []Identity{rsa, ec}, MinVersion: VersionTLS10, MaxVersion: VersionTLS13, TicketKey: make([]byte, 32)}
	hello := recordedClientHello12(f)
	f.Add(hello)
	// The hello, then a ClientKeyExchange, a ChangeCipherSpec and a
	// Finished record of junk.
	f.Add(append(append([]byte(nil), hello...),
		22, 3, 3, 0, 37, 16, 0, 0, 33, 32, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32,
		20, 3, 3, 0, 1, 1,
		22, 3, 3, 0, 4, 20, 0, 0, 0))
	f.Fuzz(func(t *testing.T, b []byte) {
		s := Server(&fuzzConn{bytes.NewReader(b)}, cfg)
		if s.Handshake() == nil {
			s.Read(make([]byte, 16))
		}
	})
}
