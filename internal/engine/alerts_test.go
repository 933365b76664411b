package engine

import (
	"bytes"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/engine/alert"
	"github.com/tlskit/tlskit/internal/engine/msg"
	"github.com/tlskit/tlskit/internal/engine/record"
)

// ownPair connects an own client to an own server over loopback;
// mutate functions, when set, corrupt what one side sends.
func ownPair(t *testing.T, mutServer, mutClient func([]byte) []byte) (cli, srv *TLSConn, srvErr <-chan error) {
	t.Helper()
	id, _ := testIdentity(t, keysForTest(t)["ecdsa-p256"])
	return ownPairWith(t, &Config{Identities: []Identity{id}}, &Config{}, mutServer, mutClient)
}

func wantSent(t *testing.T, err error, d alert.Desc) {
	t.Helper()
	var ae *AlertError
	if !errors.As(err, &ae) || !ae.Sent || ae.Description != d {
		t.Fatalf("got %v, want %v sent", err, d)
	}
}

func wantReceived(t *testing.T, err error, d alert.Desc) {
	t.Helper()
	var ae *AlertError
	if !errors.As(err, &ae) || ae.Sent || ae.Description != d {
		t.Fatalf("got %v, want %v received", err, d)
	}
}

// onType applies f to messages of type typ only.
func onType(typ msg.Type, f func([]byte) []byte) func([]byte) []byte {
	return func(m []byte) []byte {
		if msg.Type(m[0]) == typ {
			return f(append([]byte(nil), m...))
		}
		return m
	}
}

// TestHandshakeAlerts: a broken encrypted flight gets the alert RFC 8446
// §6.2 and OpenSSL choose, and the other side sees it as received.
func TestHandshakeAlerts(t *testing.T) {
	flipLast := func(m []byte) []byte { m[len(m)-1] ^= 1; return m }
	for _, c := range []struct {
		name      string
		mutServer func([]byte) []byte
		mutClient func([]byte) []byte
		want      alert.Desc
		byServer  bool // the server detects it
	}{
		{"server Finished wrong", onType(msg.TypeFinished, flipLast), nil, alert.DecryptError, false},
		{"server Finished short", onType(msg.TypeFinished, func(m []byte) []byte {
			m = m[:len(m)-1]
			m[3]--
			return m
		}), nil, alert.DecodeError, false},
		{"CertificateVerify signature", onType(msg.TypeCertificateVerify, func(m []byte) []byte {
			m[10] ^= 1
			return m
		}), nil, alert.DecryptError, false},
		{"CertificateVerify with rsa_pkcs1_sha256", onType(msg.TypeCertificateVerify, func(m []byte) []byte {
			m[4], m[5] = 0x04, 0x01
			return m
		}), nil, alert.IllegalParameter, false},
		{"empty Certificate", onType(msg.TypeCertificate, func([]byte) []byte {
			return []byte{11, 0, 0, 4, 0, 0, 0, 0}
		}), nil, alert.DecodeError, false},
		{"key_share in EncryptedExtensions", onType(msg.TypeEncryptedExtensions, func([]byte) []byte {
			raw, _ := (&msg.EncryptedExtensions{Extensions: msg.Extensions{{Type: msg.ExtKeyShare, Data: []byte{0, 29, 0, 1, 1}}}}).Marshal()
			return raw
		}), nil, alert.IllegalParameter, false},
		{"ALPN nobody offered", onType(msg.TypeEncryptedExtensions, func([]byte) []byte {
			raw, _ := (&msg.EncryptedExtensions{Extensions: msg.Extensions{{Type: msg.ExtALPN, Data: msg.MarshalALPN([]string{"h2"})}}}).Marshal()
			return raw
		}), nil, alert.UnsupportedExtension, false},
		{"client Finished wrong", nil, onType(msg.TypeFinished, flipLast), alert.DecryptError, true},
		{"second ClientHello", nil, nil, alert.UnexpectedMessage, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			cli, srv, srvErr := ownPair(t, c.mutServer, c.mutClient)
			if c.name == "second ClientHello" {
				// A client that sends its Finished, then a ClientHello.
				cli.testOnlyMutate = func(m []byte) []byte {
					if msg.Type(m[0]) == msg.TypeFinished {
						return append(m, 1, 0, 0, 1, 0)
					}
					return m
				}
			}
			cerr := cli.Handshake()
			serr := <-srvErr
			if c.byServer {
				wantSent(t, serr, c.want)
				if cerr == nil {
					// The client finished first; the alert reaches its
					// next read.
					_, cerr = cli.Read(make([]byte, 1))
				}
				wantReceived(t, cerr, c.want)
			} else {
				wantSent(t, cerr, c.want)
				if serr == nil {
					_, serr = srv.Read(make([]byte, 1))
				}
				wantReceived(t, serr, c.want)
			}
		})
	}
}

// rawRecord writes one record of type typ below the connection's
// message layer, with the current write keys.
func rawRecord(t *testing.T, c *TLSConn, typ uint8, data []byte) {
	t.Helper()
	c.outMu.Lock()
	defer c.outMu.Unlock()
	if err := c.rl.Write(typ, data); err != nil {
		t.Fatal(err)
	}
}

// TestPostHandshakeAlerts: what a client answers to broken
// post-handshake records.
func TestPostHandshakeAlerts(t *testing.T) {
	for _, c := range []struct {
		name string
		typ  uint8
		data []byte
		want alert.Desc
	}{
		{"KeyUpdate value 2", record.TypeHandshake, []byte{24, 0, 0, 1, 2}, alert.IllegalParameter},
		{"KeyUpdate too long", record.TypeHandshake, []byte{24, 0, 0, 2, 0, 0}, alert.DecodeError},
		{"KeyUpdate not on a record boundary", record.TypeHandshake, []byte{24, 0, 0, 1, 0, 24, 0}, alert.UnexpectedMessage},
		{"ChangeCipherSpec after the handshake", record.TypeChangeCipherSpec, []byte{1}, alert.UnexpectedMessage},
		{"message over 128 KiB", record.TypeHandshake, []byte{4, 0x02, 0x00, 0x01}, alert.IllegalParameter},
		{"ServerHello after the handshake", record.TypeHandshake, []byte{2, 0, 0, 0}, alert.UnexpectedMessage},
	} {
		t.Run(c.name, func(t *testing.T) {
			cli, srv, srvErr := ownPair(t, nil, nil)
			if err := cli.Handshake(); err != nil {
				t.Fatal(err)
			}
			if err := <-srvErr; err != nil {
				t.Fatal(err)
			}
			rawRecord(t, srv, c.typ, c.data)
			_, err := cli.Read(make([]byte, 1))
			wantSent(t, err, c.want)
			_, err = srv.Read(make([]byte, 1))
			wantReceived(t, err, c.want)
		})
	}
}

// TestKeyUpdateNoCap: far more KeyUpdates than crypto/tls's cap of 16,
// requested each time, all answered.
func TestKeyUpdateNoCap(t *testing.T) {
	cli, srv, srvErr := ownPair(t, nil, nil)
	if err := cli.Handshake(); err != nil {
		t.Fatal(err)
	}
	if err := <-srvErr; err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		buf := make([]byte, 1)
		for i := 0; i < 100; i++ {
			if _, err := srv.Read(buf); err != nil {
				done <- err
				return
			}
			if _, err := srv.Write(buf); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	buf := make([]byte, 1)
	for i := 0; i < 100; i++ {
		if err := cli.KeyUpdate(true); err != nil {
			t.Fatal(err)
		}
		cli.Write([]byte{byte(i)})
		if _, err := cli.Read(buf); err != nil || buf[0] != byte(i) {
			t.Fatalf("round %d: %v", i, err)
		}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(cli.outSec, srv.inSecret) || !bytes.Equal(cli.inSecret, srv.outSec) {
		t.Error("traffic secrets out of step")
	}
}

// TestNotTLSNoAlert: a first record that is not TLS at all (an HTTP
// request, an HTTP answer, a record of version 2.0) ends the handshake
// without an alert, on both sides, as openssl 3.0 s_server and s_client
// do (measured: nothing comes back on the wire), with openssl's reason.
func TestNotTLSNoAlert(t *testing.T) {
	id, _ := testIdentity(t, keysForTest(t)["ecdsa-p256"])
	for _, c := range []struct {
		name, in, reason string
		client           bool
	}{
		{"server GET", "GET / HTTP/1.0\r\n\r\n", "http request", false},
		{"server CONNECT", "CONNECT example.com:443 HTTP/1.1\r\n\r\n", "https proxy request", false},
		{"server garbage", "hello world\n", "wrong version number", false},
		{"server version 2.0", "\x16\x02\x00\x00\x05hello", "wrong version number", false},
		{"client HTTP answer", "HTTP/1.0 400 Bad Request\r\n\r\n", "wrong version number", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			a, b := net.Pipe()
			defer a.Close()
			defer b.Close()
			deadline := time.Now().Add(10 * time.Second)
			a.SetDeadline(deadline)
			b.SetDeadline(deadline)
			var tc *TLSConn
			if c.client {
				tc = Client(a, &Config{})
			} else {
				tc = Server(a, &Config{Identities: []Identity{id}})
			}
			errc := make(chan error, 1)
			go func() { errc <- tc.Handshake(); a.Close() }()
			if c.client {
				// Drain the ClientHello record before answering.
				hdr := make([]byte, 5)
				if _, err := io.ReadFull(b, hdr); err != nil {
					t.Fatal(err)
				}
				if _, err := io.ReadFull(b, make([]byte, int(hdr[3])<<8|int(hdr[4]))); err != nil {
					t.Fatal(err)
				}
			}
			go io.WriteString(b, c.in)
			back, _ := io.ReadAll(b)
			err := <-errc
			if len(back) != 0 {
				t.Errorf("sent %x, want nothing", back)
			}
			var fe *FaultError
			if !errors.As(err, &fe) || fe.SSLReason() != c.reason {
				t.Fatalf("got %v, want a FaultError %q", err, c.reason)
			}
			var ae *AlertError
			if errors.As(err, &ae) {
				t.Fatalf("%v claims an alert", err)
			}
		})
	}
}

// prefixConn writes pre before its first write.
type prefixConn struct {
	net.Conn
	pre []byte
}

func (p *prefixConn) Write(b []byte) (int, error) {
	if p.pre != nil {
		pre := p.pre
		p.pre = nil
		if _, err := p.Conn.Write(pre); err != nil {
			return 0, err
		}
	}
	return p.Conn.Write(b)
}

// TestServerSkipsEmptyHandshakeRecords: up to 32 empty handshake records
// before the ClientHello are skipped, as openssl 3.0 s_server does
// (measured with a scripted client, TLS 1.2 and 1.3 ClientHellos); the
// 33rd is unexpected_message "record too small".
func TestServerSkipsEmptyHandshakeRecords(t *testing.T) {
	id, _ := testIdentity(t, keysForTest(t)["ecdsa-p256"])
	for _, c := range []struct {
		n      int
		maxVer uint16
		fail   bool
	}{{32, 0x0304, false}, {32, 0x0303, false}, {33, 0x0304, true}} {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		errc := make(chan error, 1)
		go func() {
			a, err := l.Accept()
			l.Close()
			if err != nil {
				errc <- err
				return
			}
			defer a.Close()
			a.SetDeadline(time.Now().Add(10 * time.Second))
			errc <- Server(a, &Config{Identities: []Identity{id}, MinVersion: 0x0303}).Handshake()
		}()
		b, err := net.DialTimeout("tcp", l.Addr().String(), 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		b.SetDeadline(time.Now().Add(10 * time.Second))
		cli := Client(&prefixConn{Conn: b, pre: bytes.Repeat([]byte{22, 3, 1, 0, 0}, c.n)}, &Config{MinVersion: c.maxVer, MaxVersion: c.maxVer})
		cerr := cli.Handshake()
		serr := <-errc
		b.Close()
		if !c.fail {
			if cerr != nil || serr != nil {
				t.Errorf("%d empty records, version %x: client %v, server %v", c.n, c.maxVer, cerr, serr)
			}
			continue
		}
		wantSent(t, serr, alert.UnexpectedMessage)
		if !strings.Contains(serr.Error(), "record too small") {
			t.Errorf("%d empty records: %v, want record too small", c.n, serr)
		}
		wantReceived(t, cerr, alert.UnexpectedMessage)
	}
}
