package engine

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/engine/alert"
	"github.com/tlskit/tlskit/internal/engine/msg"
	"github.com/tlskit/tlskit/internal/engine/record"
	"github.com/tlskit/tlskit/internal/engine/sig"
	"github.com/tlskit/tlskit/internal/engine/suites"
)

// pair12 connects an own client to an own server, both with their own
// configuration; mutServer, when set, rewrites each handshake message the
// server sends. It returns the client's and the server's handshake errors.
func pair12(t *testing.T, srvCfg, cliCfg *Config, mutServer func([]byte) []byte) (cliErr, srvErr error) {
	t.Helper()
	cli, srv, errc := ownPairWith(t, srvCfg, cliCfg, mutServer, nil)
	cliErr = cli.Handshake()
	cli.Close()
	srvErr = <-errc
	srv.Close()
	return cliErr, srvErr
}

// TestClient12TicketPromisedNotSent: a ServerHello with session_ticket
// promises a NewSessionTicket (RFC 5077 §3.3); a ChangeCipherSpec in its
// place is unexpected_message, not a handshake without a ticket.
func TestClient12TicketPromisedNotSent(t *testing.T) {
	id, _ := testIdentity(t, keysForTest(t)["ecdsa-p256"])
	srvCfg := &Config{MinVersion: VersionTLS12, MaxVersion: VersionTLS12, Identities: []Identity{id}}
	cliCfg := &Config{MinVersion: VersionTLS12, MaxVersion: VersionTLS12}
	skip := func(m []byte) []byte {
		if msg.Type(m[0]) == msg.TypeNewSessionTicket {
			return nil
		}
		return m
	}
	// Without the rewrite the handshake works.
	if cliErr, srvErr := pair12(t, srvCfg, cliCfg, nil); cliErr != nil || srvErr != nil {
		t.Fatalf("plain handshake: client %v, server %v", cliErr, srvErr)
	}
	cliErr, _ := pair12(t, srvCfg, cliCfg, skip)
	var ae *AlertError
	if !errors.As(cliErr, &ae) || !ae.Sent || ae.Description != alert.UnexpectedMessage {
		t.Fatalf("client: %v (%+v), want unexpected_message sent", cliErr, ae)
	}
}

// TestClient12ResumeMismatch: a server that echoes the session ID of the
// offered session but not its version is protocol_version "ssl session
// version mismatch", and not its suite illegal_parameter "old session
// cipher not returned", as openssl s_client 3.0 answers a scripted server
// resuming its TLS 1.2 ECDHE-RSA-AES128-SHA session at TLS 1.1, or at TLS
// 1.2 with ECDHE-RSA-AES128-GCM-SHA256.
func TestClient12ResumeMismatch(t *testing.T) {
	sess := &Session12{Version: VersionTLS12, Suite: suites.ECDHERSAAES128SHA,
		SessionID: bytes.Repeat([]byte{7}, 32), MasterSecret: make([]byte, 48), ExtendedMasterSecret: true,
		Received: time.Now()}
	for _, c := range []struct {
		name    string
		version uint16
		suite   uint16
		want    alert.Desc
	}{
		{"version", VersionTLS11, suites.ECDHERSAAES128SHA, alert.ProtocolVersion},
		{"suite", VersionTLS12, suites.ECDHERSAAES128GCMSHA256, alert.IllegalParameter},
	} {
		t.Run(c.name, func(t *testing.T) {
			addr, got := scriptedServer(t, func(ch *msg.ClientHello) []byte {
				sh := &msg.ServerHello{Version: c.version, Random: make([]byte, 32), SessionID: ch.SessionID,
					CipherSuite: c.suite, Extensions: msg.Extensions{
						{Type: msg.ExtRenegotiationInfo, Data: []byte{0}},
						{Type: msg.ExtExtendedMasterSecret, Data: []byte{}},
					}}
				raw, err := sh.Marshal()
				if err != nil {
					t.Error(err)
				}
				return raw
			})
			cfg := all12(Config{Session12: sess})
			conn := dialOwn(t, addr, &cfg)
			err := conn.Handshake()
			conn.Close()
			sent := <-got
			if len(sent) != 2 || alert.Desc(sent[1]) != c.want {
				t.Fatalf("client sent %x (%v), want %v", sent, err, c.want)
			}
		})
	}
}

// TestServer12OmitsEmptyExtensions: a ClientHello without extensions, or
// with an empty block, gets a ServerHello that ends after the compression
// method, without an empty extensions block, as openssl s_server 3.0
// answers both.
func TestServer12OmitsEmptyExtensions(t *testing.T) {
	id, _ := testIdentity(t, keysForTest(t)["rsa2048"])
	cfg := &Config{MinVersion: VersionTLS10, MaxVersion: VersionTLS13, Identities: []Identity{id}}
	for _, c := range []struct {
		name string
		ext  msg.Extensions
	}{{"no block", nil}, {"empty block", msg.Extensions{}}} {
		t.Run(c.name, func(t *testing.T) {
			addr, _ := ownServer(t, cfg)
			nc, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer nc.Close()
			nc.SetDeadline(time.Now().Add(10 * time.Second))
			ch := &msg.ClientHello{Version: VersionTLS12, Random: make([]byte, 32),
				CipherSuites: []uint16{suites.RSAAES128SHA}, CompressionMethods: []byte{0}, Extensions: c.ext}
			raw, err := ch.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			rl := record.New(nc)
			rl.WriteVersion = VersionTLS10
			if err := rl.Write(record.TypeHandshake, raw); err != nil {
				t.Fatal(err)
			}
			typ, data, err := rl.Read()
			if err != nil || typ != record.TypeHandshake || len(data) < 4 || msg.Type(data[0]) != msg.TypeServerHello {
				t.Fatalf("reply %d %x %v, want a ServerHello", typ, data, err)
			}
			// version, random, 32-byte session ID, suite, compression.
			if n := int(data[1])<<16 | int(data[2])<<8 | int(data[3]); n != 2+32+1+32+2+1 {
				t.Errorf("ServerHello body is %d bytes, want %d (no extensions block)", n, 2+32+1+32+2+1)
			}
		})
	}
}

// TestClientIgnoresWarningBeforeServerHello: a TLS 1.2 server's warning
// unrecognized_name ahead of its ServerHello (what openssl s_server
// -servername sends for another name) does not stop a client that also
// offers TLS 1.3, as openssl s_client 3.0 goes on past it.
func TestClientIgnoresWarningBeforeServerHello(t *testing.T) {
	id, _ := testIdentity(t, keysForTest(t)["ecdsa-p256"])
	warned := false
	srvCfg := &Config{MinVersion: VersionTLS12, MaxVersion: VersionTLS12, Identities: []Identity{id},
		ServerNameHook: func(name string) (SNIAnswer, error) {
			warned = name == "other.example"
			return SNIAnswer{Warn: warned}, nil
		}}
	cliCfg := all12(Config{ServerName: "other.example"})
	cliErr, srvErr := pair12(t, srvCfg, &cliCfg, nil)
	if cliErr != nil || srvErr != nil || !warned {
		t.Fatalf("client %v, server %v, warning sent %t", cliErr, srvErr, warned)
	}
}

// TestServerGarbageClientCertificate: a client certificate that does not
// parse is decode_error "ASN1 lib" at TLS 1.2 and 1.3, as openssl s_server
// 3.0 answers a scripted client's Certificate of eight garbage bytes.
func TestServerGarbageClientCertificate(t *testing.T) {
	id, _ := testIdentity(t, keysForTest(t)["ecdsa-p256"])
	garbage := Identity{Chain: [][]byte{[]byte("garbage!")}, Key: id.Key}
	for _, v := range []uint16{VersionTLS12, VersionTLS13} {
		t.Run(fmt.Sprintf("%#x", v), func(t *testing.T) {
			srvCfg := &Config{MinVersion: v, MaxVersion: v, Identities: []Identity{id}, RequestClientCert: true}
			cliCfg := &Config{MinVersion: v, MaxVersion: v, Identities: []Identity{garbage}}
			_, srvErr := pair12(t, srvCfg, cliCfg, nil)
			var ae *AlertError
			if !errors.As(srvErr, &ae) || !ae.Sent || ae.Description != alert.DecodeError || ae.Reason != "ASN1 lib" {
				t.Fatalf("server: %v, want decode_error 'ASN1 lib' sent", srvErr)
			}
		})
	}
}

// TestClientGarbageServerCertificate: a server certificate that does not
// parse is bad_certificate "ASN1 lib", as openssl s_client 3.0 answers a
// scripted TLS 1.2 server sending one (its error line is
// tls_process_server_certificate:ASN1 lib; the engine said "certificate
// verify failed").
func TestClientGarbageServerCertificate(t *testing.T) {
	id, _ := testIdentity(t, keysForTest(t)["ecdsa-p256"])
	garbage := Identity{Chain: [][]byte{[]byte("garbage!")}, Key: id.Key}
	for _, v := range []uint16{VersionTLS12, VersionTLS13} {
		t.Run(fmt.Sprintf("%#x", v), func(t *testing.T) {
			srvCfg := &Config{MinVersion: v, MaxVersion: v, Identities: []Identity{garbage}}
			cliCfg := &Config{MinVersion: v, MaxVersion: v}
			cliErr, _ := pair12(t, srvCfg, cliCfg, nil)
			var ae *AlertError
			if !errors.As(cliErr, &ae) || !ae.Sent || ae.Description != alert.BadCertificate || ae.Reason != "ASN1 lib" {
				t.Fatalf("client: %v, want bad_certificate 'ASN1 lib' sent", cliErr)
			}
		})
	}
}

// TestClient12CertificateTypeMismatch: an ECDSA certificate under an
// ECDHE-RSA suite is illegal_parameter "wrong certificate type", as
// openssl s_client 3.0 answers a scripted server sending one.
func TestClient12CertificateTypeMismatch(t *testing.T) {
	ecID, _ := testIdentity(t, keysForTest(t)["ecdsa-p256"])
	addr, got := scriptedServer(t, func(*msg.ClientHello) []byte {
		sh := serverHello12For(t, func(*msg.ServerHello) {})
		cert, err := (&msg.Certificate12{Chain: ecID.Chain}).Marshal()
		if err != nil {
			t.Error(err)
		}
		return append(sh, cert...)
	})
	cfg := all12(Config{})
	conn := dialOwn(t, addr, &cfg)
	err := conn.Handshake()
	conn.Close()
	if sent := <-got; len(sent) != 2 || alert.Desc(sent[1]) != alert.IllegalParameter {
		t.Fatalf("client sent %x (%v), want illegal_parameter", sent, err)
	}
}

// TestClient11RefusesEdDSACertificate: TLS 1.0/1.1 have no EdDSA
// signatures, so an Ed25519 certificate under an ECDHE-ECDSA suite at TLS
// 1.1 stays illegal_parameter "wrong certificate type" (BoGo
// NoEd25519-TLS11-ServerAuth-Verify), while TLS 1.2 takes it.
func TestClient11RefusesEdDSACertificate(t *testing.T) {
	edID, _ := testIdentity(t, keysForTest(t)["ed25519"])
	addr, got := scriptedServer(t, func(*msg.ClientHello) []byte {
		sh := serverHello12For(t, func(sh *msg.ServerHello) {
			sh.Version, sh.CipherSuite = VersionTLS11, suites.ECDHEECDSAAES128SHA
		})
		cert, err := (&msg.Certificate12{Chain: edID.Chain}).Marshal()
		if err != nil {
			t.Error(err)
		}
		return append(sh, cert...)
	})
	cfg := all12(Config{})
	cfg.Suites12 = []uint16{suites.ECDHEECDSAAES128SHA}
	conn := dialOwn(t, addr, &cfg)
	err := conn.Handshake()
	conn.Close()
	if sent := <-got; len(sent) != 2 || alert.Desc(sent[1]) != alert.IllegalParameter || !strings.Contains(err.Error(), "wrong certificate type") {
		t.Fatalf("client sent %x (%v), want illegal_parameter wrong certificate type", sent, err)
	}
}

// TestUnknownAlertLevel: an alert whose level is neither warning nor
// fatal is illegal_parameter "unknown alert type", as openssl s_server 3.0
// answers level 66.
func TestUnknownAlertLevel(t *testing.T) {
	cli, srv, srvErr := ownPair(t, nil, nil)
	if err := cli.Handshake(); err != nil {
		t.Fatal(err)
	}
	if err := <-srvErr; err != nil {
		t.Fatal(err)
	}
	srv.outMu.Lock()
	srv.sendAlertLocked(alert.Level(66), alert.UnexpectedMessage)
	srv.outMu.Unlock()
	cli.SetDeadline(time.Now().Add(5 * time.Second))
	_, err := cli.Read(make([]byte, 1))
	var ae *AlertError
	if !errors.As(err, &ae) || !ae.Sent || ae.Description != alert.IllegalParameter || ae.Reason != "unknown alert type" {
		t.Fatalf("client: %v, want illegal_parameter 'unknown alert type' sent", err)
	}
}

// TestServer12PeerSignatureSchemes: a TLS 1.2 server reports the client's
// signature_algorithms in State.PeerSignatureSchemes, as a TLS 1.3 one
// does.
func TestServer12PeerSignatureSchemes(t *testing.T) {
	id, _ := testIdentity(t, keysForTest(t)["ecdsa-p256"])
	addr, res := ownServer(t, &Config{MinVersion: VersionTLS12, MaxVersion: VersionTLS12, Identities: []Identity{id}})
	offered := []uint16{sig.ECDSAP256SHA256, sig.RSAPSSRSAESHA256}
	conn := dialOwn(t, addr, &Config{MinVersion: VersionTLS12, MaxVersion: VersionTLS12, SignatureSchemes: offered})
	conn.Write([]byte("hi\n"))
	if _, err := bufio.NewReader(conn).ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	r := <-res
	if r.err != nil || !slices.Equal(r.st.PeerSignatureSchemes, offered) {
		t.Fatalf("server: %v, peer schemes %x, want %x", r.err, r.st.PeerSignatureSchemes, offered)
	}
}

// TestClientDropsExpiredTicket: a TLS 1.3 ticket older than its lifetime
// is not offered (RFC 8446 §4.6.1; openssl 3.0's client leaves it out
// too): the handshake is a full one. One second younger, it resumes.
func TestClientDropsExpiredTicket(t *testing.T) {
	id, _ := testIdentity(t, keysForTest(t)["ecdsa-p256"])
	scfg := &Config{Identities: []Identity{id}}
	addr, res := ownServer(t, scfg)
	tickets := firstTickets(t, addr, &Config{})
	<-res
	if len(tickets) == 0 {
		t.Fatal("no ticket")
	}
	tk := tickets[len(tickets)-1]
	for _, c := range []struct {
		age    time.Duration
		resume bool
	}{{tk.Lifetime, true}, {tk.Lifetime + time.Second, false}} {
		addr, res := ownServer(t, scfg)
		at := tk.Received.Add(c.age)
		conn := dialOwn(t, addr, &Config{Session: &tk, Time: func() time.Time { return at }})
		conn.Write([]byte("two\n"))
		if _, err := bufio.NewReader(conn).ReadString('\n'); err != nil {
			t.Fatal(err)
		}
		r := <-res
		if r.err != nil || conn.State().Resumed != c.resume || r.st.Resumed != c.resume {
			t.Errorf("age %v: client resumed %t, server %t (%v), want %t", c.age, conn.State().Resumed, r.st.Resumed, r.err, c.resume)
		}
	}
}
