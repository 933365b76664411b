package engine

import (
	"bytes"
	"crypto"
	"crypto/aes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/engine/alert"
	"github.com/tlskit/tlskit/internal/engine/keys"
	"github.com/tlskit/tlskit/internal/engine/msg"
	"github.com/tlskit/tlskit/internal/engine/record"
	"github.com/tlskit/tlskit/internal/testpeer"
)

// v2Hello builds an SSL 2.0-format ClientHello record (RFC 5246 Appendix
// E.2) offering TLS 1.2 and TLS_RSA_WITH_AES_128_CBC_SHA with a challenge
// of n bytes, and returns it with the message (what the Finished hashes
// cover) and the client random the challenge stands for.
func v2Hello(t *testing.T, n int) (rec, body, random []byte) {
	t.Helper()
	challenge := make([]byte, n)
	rand.Read(challenge)
	specs := []byte{0, 0x00, 0x2f, 0, 0x00, 0xff, 0x01, 0x00, 0x80} // the last an SSL 2.0 kind
	body = []byte{1, 3, 3, 0, byte(len(specs)), 0, 0, 0, byte(n)}
	body = append(append(body, specs...), challenge...)
	rec = append([]byte{0x80 | byte(len(body)>>8), byte(len(body))}, body...)
	random = make([]byte, 32)
	c := challenge[:min(n, 32)]
	copy(random[32-len(c):], c)
	return rec, body, random
}

// v2HelloClient runs a TLS 1.2 handshake that opens with an SSL 2.0
// ClientHello over nc, by hand (RSA key exchange, AES-128-CBC-SHA), then
// sends line and returns the first application data that comes back.
func v2HelloClient(t *testing.T, nc net.Conn, challengeLen int, line string) (string, error) {
	t.Helper()
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	rec, body, cr := v2Hello(t, challengeLen)
	if _, err := nc.Write(rec); err != nil {
		return "", err
	}
	transcript := append([]byte{}, body...)
	rl := record.New(nc)
	var hs msg.Reassembler
	next := func() (msg.Message, error) {
		for {
			m, ok, err := hs.Next()
			if err != nil || ok {
				transcript = append(transcript, m.Raw...)
				return m, err
			}
			typ, data, err := rl.Read()
			if err != nil {
				return m, err
			}
			if typ == record.TypeAlert {
				return m, fmt.Errorf("alert %x", data)
			}
			if typ != record.TypeHandshake {
				return m, fmt.Errorf("record type %d", typ)
			}
			hs.Write(data)
		}
	}
	var sr []byte
	var pub *rsa.PublicKey
	for done := false; !done; {
		m, err := next()
		if err != nil {
			return "", err
		}
		switch m.Type {
		case msg.TypeServerHello:
			sh, err := msg.ParseServerHello(m.Body)
			if err != nil {
				return "", err
			}
			if sh.Version != VersionTLS12 || sh.CipherSuite != 0x002f {
				return "", fmt.Errorf("ServerHello version %#x suite %#x", sh.Version, sh.CipherSuite)
			}
			sr = sh.Random
		case msg.TypeCertificate:
			c, err := msg.ParseCertificate12(m.Body)
			if err != nil {
				return "", err
			}
			cert, err := x509.ParseCertificate(c.Chain[0])
			if err != nil {
				return "", err
			}
			pub, _ = cert.PublicKey.(*rsa.PublicKey)
		case msg.TypeServerHelloDone:
			done = true
		}
	}
	if pub == nil || sr == nil {
		return "", errors.New("no ServerHello or RSA certificate")
	}
	pm := append([]byte{3, 3}, make([]byte, 46)...)
	rand.Read(pm[2:])
	//lint:ignore SA1019 the test plays a client of RSA key exchange, which requires PKCS #1 v1.5
	enc, err := rsa.EncryptPKCS1v15(rand.Reader, pub, pm)
	if err != nil {
		return "", err
	}
	cke := append([]byte{byte(msg.TypeClientKeyExchange), 0, byte((len(enc) + 2) >> 8), byte(len(enc) + 2), byte(len(enc) >> 8), byte(len(enc))}, enc...)
	transcript = append(transcript, cke...)
	ms := keys.MasterSecret12(crypto.SHA256, pm, cr, sr)
	kb := keys.KeyBlock12(crypto.SHA256, ms, cr, sr, 2*20+2*16)
	cipherFor := func(mac, key []byte) *record.CBC {
		b, _ := aes.NewCipher(key)
		return record.NewCBC(b, crypto.SHA1, mac, VersionTLS12, false, nil)
	}
	rl.WriteVersion = VersionTLS12
	if err := rl.Write(record.TypeHandshake, cke); err != nil {
		return "", err
	}
	if err := rl.Write(record.TypeChangeCipherSpec, []byte{1}); err != nil {
		return "", err
	}
	rl.SetWriteCipher12(cipherFor(kb[:20], kb[40:56]))
	th := crypto.SHA256.New()
	th.Write(transcript)
	fin := append([]byte{byte(msg.TypeFinished), 0, 0, 12}, keys.Finished12(crypto.SHA256, ms, "client finished", th.Sum(nil))...)
	transcript = append(transcript, fin...)
	if err := rl.Write(record.TypeHandshake, fin); err != nil {
		return "", err
	}
	if typ, data, err := rl.Read(); err != nil || typ != record.TypeChangeCipherSpec {
		return "", fmt.Errorf("no ChangeCipherSpec: %d %x %v", typ, data, err)
	}
	rl.SetReadCipher12(cipherFor(kb[20:40], kb[56:72]))
	th.Reset()
	th.Write(transcript)
	want := keys.Finished12(crypto.SHA256, ms, "server finished", th.Sum(nil))
	m, err := next()
	if err != nil {
		return "", err
	}
	if m.Type != msg.TypeFinished || !bytes.Equal(m.Body, want) {
		return "", fmt.Errorf("server Finished %x, want %x", m.Raw, want)
	}
	if err := rl.Write(record.TypeApplicationData, []byte(line)); err != nil {
		return "", err
	}
	for {
		typ, data, err := rl.Read()
		if err != nil {
			return "", err
		}
		if typ == record.TypeApplicationData && len(data) > 0 {
			return string(data), nil
		}
	}
}

// TestV2ClientHelloAsOpenSSL: a server takes an SSL 2.0-format
// ClientHello to negotiate TLS 1.2 (RFC 5246 Appendix E.2), as openssl
// 3.0's s_server does, for challenges shorter and longer than the 32
// bytes of a random (the first 32 of a longer one, BoGo's
// SendV2ClientHello-33 and -48). The same hand-made handshake runs
// against openssl s_server first, then against the engine.
func TestV2ClientHelloAsOpenSSL(t *testing.T) {
	pki := testpeer.NewPKI(t)
	lens := []int{16, 32, 48}
	for _, n := range lens {
		srv := testpeer.OpenSSLServer(t, "-naccept", "1", "-rev", "-cert", pki.Server, "-key", pki.ServerKey,
			"-cipher", "AES128-SHA:@SECLEVEL=0")
		nc, err := net.Dial("tcp", srv.Addr)
		if err != nil {
			t.Fatal(err)
		}
		got, err := v2HelloClient(t, nc, n, "hello\n")
		nc.Close()
		if err != nil || got != "olleh\n" {
			t.Fatalf("openssl s_server, challenge %d: %q %v\n%s", n, got, err, srv.Output())
		}
	}
	id, _ := testIdentity(t, keysForTest(t)["rsa2048"])
	for _, n := range lens {
		cli, srvSide := net.Pipe()
		srv := Server(srvSide, &Config{Identities: []Identity{id}, MinVersion: VersionTLS12})
		errc := make(chan error, 1)
		go func() {
			buf := make([]byte, 100)
			k, err := srv.Read(buf)
			if err == nil {
				_, err = srv.Write(buf[:k])
			}
			errc <- err
		}()
		got, err := v2HelloClient(t, cli, n, "hello\n")
		cli.Close()
		if err != nil || got != "hello\n" {
			t.Fatalf("engine, challenge %d: %q %v (server: %v)", n, got, err, <-errc)
		}
		if err := <-errc; err != nil {
			t.Fatalf("engine server, challenge %d: %v", n, err)
		}
		if srv.v2Hello != nil {
			t.Errorf("engine server, challenge %d: the connection keeps the SSL 2.0 ClientHello after the handshake", n)
		}
		srv.Close()
	}
}

// TestV2ClientHelloRefused: the SSL 2.0 ClientHellos openssl 3.0's
// server refuses, with its alerts (measured with hand-made records
// against openssl s_server), and a v2 record anywhere but first.
func TestV2ClientHelloRefused(t *testing.T) {
	good, _, _ := v2Hello(t, 32)
	hello := func(sidLen, specLen int, extra int) []byte {
		body := []byte{1, 3, 3, 0, byte(specLen), 0, byte(sidLen), 0, 32}
		body = append(body, make([]byte, specLen+sidLen+32+extra)...)
		return append([]byte{0x80 | byte(len(body)>>8), byte(len(body))}, body...)
	}
	big := make([]byte, 2+16385)
	big[0], big[1], big[2] = 0x80|byte(16385>>8), byte(16385&0xff), 1
	huge := make([]byte, 2+16711)
	huge[0], huge[1], huge[2] = 0x80|byte(16711>>8), byte(16711&0xff), 1
	for _, tc := range []struct {
		name   string
		in     []byte
		desc   alert.Desc
		reason string
	}{
		{"short", []byte{0x80, 3, 1, 3, 3}, alert.DecodeError, "length too short"},
		{"trailing", hello(0, 3, 2), alert.DecodeError, "record length mismatch"},
		{"session-id-33", hello(33, 3, 0), alert.IllegalParameter, "length mismatch"},
		{"no-specs", hello(0, 0, 0), alert.IllegalParameter, "no ciphers specified"},
		{"specs-4", hello(0, 4, 0), alert.DecodeError, "error in received cipher list"},
		{"over-16384", big, alert.RecordOverflow, "data length too long"},
		{"over-16710", huge, alert.RecordOverflow, "packet length too long"},
		// An empty handshake record first: the v2 record is then no TLS.
		{"not-first", append([]byte{22, 3, 1, 0, 0}, good...), alert.ProtocolVersion, "wrong version number"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id, _ := testIdentity(t, keysForTest(t)["rsa2048"])
			cli, srvSide := net.Pipe()
			defer cli.Close()
			srv := Server(srvSide, &Config{Identities: []Identity{id}, MinVersion: VersionTLS12})
			defer srv.Close()
			srv.SetDeadline(time.Now().Add(10 * time.Second))
			cli.SetDeadline(time.Now().Add(10 * time.Second))
			go cli.Write(tc.in)
			go func() {
				b := make([]byte, 7)
				for {
					if _, err := cli.Read(b); err != nil {
						return
					}
				}
			}()
			err := srv.Handshake()
			var f *alert.Fault
			if !errors.As(err, &f) || f.Desc != tc.desc || !strings.Contains(f.Reason, tc.reason) {
				t.Fatalf("got %v, want %v %q", err, tc.desc, tc.reason)
			}
		})
	}
}
