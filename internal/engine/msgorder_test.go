package engine

import (
	"crypto/ecdh"
	"crypto/rand"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/engine/alert"
	"github.com/tlskit/tlskit/internal/engine/kx"
	"github.com/tlskit/tlskit/internal/engine/msg"
	"github.com/tlskit/tlskit/internal/engine/sig"
	"github.com/tlskit/tlskit/internal/engine/suites"
	"github.com/tlskit/tlskit/internal/testpeer"
)

// pairBoth connects an own client to an own server, each with its own
// configuration and an optional rewrite of the handshake messages it
// sends (nil drops a message). It returns both handshake errors.
func pairBoth(t *testing.T, srvCfg, cliCfg *Config, mutServer, mutClient func([]byte) []byte) (cliErr, srvErr error) {
	t.Helper()
	errc := make(chan error, 1)
	addr := testpeer.ServeOne(t, 20*time.Second, func(c net.Conn) {
		defer c.Close()
		s := Server(c, srvCfg)
		s.testOnlyMutate = mutServer
		errc <- s.Handshake()
	})
	cli := dialOwn(t, addr, cliCfg)
	cli.testOnlyMutate = mutClient
	cliErr = cli.Handshake()
	cli.Close()
	return cliErr, <-errc
}

// TestServer12ClientCertificateMissing: a TLS 1.0-1.2 server that asked
// for a certificate takes only a Certificate message next (RFC 5246
// §7.4.6: a client without one sends it empty). Another message type, or
// the ClientKeyExchange in its place, is unexpected_message whether the
// certificate is required or only requested, as openssl s_server 3.0
// answers (measured: BoGo's WrongMessageType-ClientCertificate-TLS and
// SkipClientCertificate-TLS12 bytes against s_server -Verify 1 and
// -verify 1: "ossl_statem_server_read_transition:unexpected message"). The
// engine said handshake_failure "peer did not return a certificate" when
// one was required.
func TestServer12ClientCertificateMissing(t *testing.T) {
	id, _ := testIdentity(t, keysForTest(t)["ecdsa-p256"])
	retype := func(m []byte) []byte {
		if msg.Type(m[0]) == msg.TypeCertificate {
			m = append([]byte{byte(msg.TypeCertificate) + 42}, m[1:]...)
		}
		return m
	}
	drop := func(m []byte) []byte {
		if msg.Type(m[0]) == msg.TypeCertificate {
			return nil
		}
		return m
	}
	for _, v := range []uint16{VersionTLS10, VersionTLS12} {
		for _, require := range []bool{false, true} {
			srvCfg := &Config{MinVersion: v, MaxVersion: v, Identities: []Identity{id},
				RequestClientCert: true, RequireClientCert: require}
			cliCfg := &Config{MinVersion: v, MaxVersion: v, Identities: []Identity{id}}
			// Unchanged, the client's certificate is taken.
			if cliErr, srvErr := pairBoth(t, srvCfg, cliCfg, nil, nil); cliErr != nil || srvErr != nil {
				t.Fatalf("%#x require=%t: plain handshake: client %v, server %v", v, require, cliErr, srvErr)
			}
			for name, mut := range map[string]func([]byte) []byte{"wrong type": retype, "no Certificate": drop} {
				_, srvErr := pairBoth(t, srvCfg, cliCfg, nil, mut)
				if srvErr == nil {
					t.Fatalf("%#x require=%t %s: server took it", v, require, name)
				}
				wantSent(t, srvErr, alert.UnexpectedMessage)
			}
		}
	}
}

// TestClient12LeafCurveNotOffered: at TLS 1.2 the groups a client offers
// bind the server's ECDSA key too (RFC 8422 §5.1). A scripted server with
// a P-256 key answering a client that offers only P-384 gets
// illegal_parameter "wrong curve" from the own client and from openssl
// s_client 3.0 alike (its error: tls12_check_peer_sigalg:wrong curve),
// before the (bad) signature is looked at; the engine said decrypt_error.
func TestClient12LeafCurveNotOffered(t *testing.T) {
	openssl := testpeer.Need(t, "openssl")
	id, _ := testIdentity(t, keysForTest(t)["ecdsa-p256"])
	eph, err := ecdh.P384().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	reply := func(*msg.ClientHello) []byte {
		sh := serverHello12For(t, func(sh *msg.ServerHello) { sh.CipherSuite = suites.ECDHEECDSAAES128GCMSHA256 })
		cert, err := (&msg.Certificate12{Chain: id.Chain}).Marshal()
		if err != nil {
			t.Error(err)
		}
		ske, err := (&msg.ServerKeyExchange{Kind: msg.KxECDHE, Group: kx.Secp384r1, Public: eph.PublicKey().Bytes(),
			HasScheme: true, Scheme: sig.ECDSAP256SHA256, Signature: make([]byte, 70)}).Marshal()
		if err != nil {
			t.Error(err)
		}
		return slices.Concat(sh, cert, ske, msg.MarshalEmpty(msg.TypeServerHelloDone))
	}
	for _, groups := range []struct {
		own  []uint16
		ossl string
		want alert.Desc
	}{
		// Offered, the curve passes, and the bad signature fails.
		{[]uint16{kx.Secp384r1, kx.Secp256r1}, "P-384:P-256", alert.DecryptError},
		{[]uint16{kx.Secp384r1}, "P-384", alert.IllegalParameter},
	} {
		addr, got := scriptedServer(t, reply)
		testpeer.Run(t, 20*time.Second, "", openssl, "s_client", "-connect", addr, "-tls1_2", "-groups", groups.ossl, "-noservername")
		if sent := <-got; len(sent) != 2 || alert.Desc(sent[1]) != groups.want {
			t.Fatalf("groups %s: openssl sent %x, want %v", groups.ossl, sent, groups.want)
		}
		addr, got = scriptedServer(t, reply)
		conn := dialOwn(t, addr, &Config{MinVersion: VersionTLS12, MaxVersion: VersionTLS12, Groups: groups.own})
		err := conn.Handshake()
		conn.Close()
		if sent := <-got; len(sent) != 2 || alert.Desc(sent[1]) != groups.want {
			t.Fatalf("groups %s: own client sent %x (%v), want %v", groups.ossl, sent, err, groups.want)
		}
	}
}

// TestServerClientHelloOnRecordBoundary: a TLS 1.3 ClientHello ends its
// record. The first bytes of another message after it are
// unexpected_message "not on record boundary", whether the server then
// changes keys or sends a HelloRetryRequest (the retry case is BoGo's
// PartialSecondClientHelloAfterFirst; openssl s_server 3.0 answers it so,
// measured, before writing the retry; the engine wrote the retry and
// failed on the garbled second ClientHello).
func TestServerClientHelloOnRecordBoundary(t *testing.T) {
	id, _ := testIdentity(t, keysForTest(t)["ecdsa-p256"])
	trail := func(m []byte) []byte {
		if msg.Type(m[0]) == msg.TypeClientHello {
			// The start of a second ClientHello's header.
			return append(slices.Clone(m), byte(msg.TypeClientHello), 0, 1)
		}
		return m
	}
	for _, c := range []struct {
		name     string
		srvGroup []uint16
	}{
		{"key change", []uint16{kx.X25519}},
		{"retry", []uint16{kx.Secp256r1}},
	} {
		srvCfg := &Config{MinVersion: VersionTLS13, Identities: []Identity{id}, Groups: c.srvGroup}
		cliCfg := &Config{MinVersion: VersionTLS13, Groups: []uint16{kx.X25519, kx.Secp256r1}, KeyShares: []uint16{kx.X25519}}
		if cliErr, srvErr := pairBoth(t, srvCfg, cliCfg, nil, nil); cliErr != nil || srvErr != nil {
			t.Fatalf("%s: plain handshake: client %v, server %v", c.name, cliErr, srvErr)
		}
		_, srvErr := pairBoth(t, srvCfg, cliCfg, nil, trail)
		wantSent(t, srvErr, alert.UnexpectedMessage)
		if !strings.Contains(srvErr.Error(), "not on record boundary") {
			t.Errorf("%s: %v, want not on record boundary", c.name, srvErr)
		}
	}
}

// TestClientCertificateRequestContextInHandshake: a CertificateRequest
// with a context during the handshake (RFC 8446 §4.3.2: "SHALL be zero
// length") is decode_error "invalid context", as BoringSSL answers
// (BoGo's RequestContextInHandshake-TLS13; openssl s_client 3.0 takes it).
func TestClientCertificateRequestContextInHandshake(t *testing.T) {
	id, _ := testIdentity(t, keysForTest(t)["ecdsa-p256"])
	srvCfg := &Config{MinVersion: VersionTLS13, Identities: []Identity{id}, RequestClientCert: true}
	cliCfg := &Config{MinVersion: VersionTLS13, Identities: []Identity{id}}
	addContext := func(m []byte) []byte {
		if msg.Type(m[0]) != msg.TypeCertificateRequest || m[4] != 0 {
			return m
		}
		ctx := []byte("request context")
		body := slices.Concat([]byte{byte(len(ctx))}, ctx, m[5:])
		return slices.Concat([]byte{m[0], 0, byte(len(body) >> 8), byte(len(body))}, body)
	}
	if cliErr, srvErr := pairBoth(t, srvCfg, cliCfg, nil, nil); cliErr != nil || srvErr != nil {
		t.Fatalf("plain handshake: client %v, server %v", cliErr, srvErr)
	}
	cliErr, _ := pairBoth(t, srvCfg, cliCfg, addContext, nil)
	wantSent(t, cliErr, alert.DecodeError)
	if !strings.Contains(cliErr.Error(), "invalid context") {
		t.Errorf("client: %v, want invalid context", cliErr)
	}
}

// TestServerClientCertificateEntryExtension: a client's TLS 1.3
// certificate entry with an extension its CertificateRequest did not ask
// for (an OCSP response) is unsupported_extension "unsolicited
// extension" (RFC 8446 §4.4.2, §4.2), as openssl s_server 3.0 answers
// BoGo's SendExtensionOnClientCertificate-TLS13 (measured); the engine
// took it.
func TestServerClientCertificateEntryExtension(t *testing.T) {
	id, _ := testIdentity(t, keysForTest(t)["ecdsa-p256"])
	srvCfg := &Config{MinVersion: VersionTLS13, Identities: []Identity{id}, RequireClientCert: true, RequestClientCert: true}
	cliCfg := &Config{MinVersion: VersionTLS13, Identities: []Identity{id}}
	addOCSP := func(m []byte) []byte {
		if msg.Type(m[0]) != msg.TypeCertificate {
			return m
		}
		cert, err := msg.ParseCertificate(m[4:])
		if err != nil || len(cert.Entries) == 0 {
			t.Errorf("client Certificate: %v", err)
			return m
		}
		cert.Entries[0].Extensions = msg.Extensions{{Type: msg.ExtStatusRequest, Data: []byte{1, 0, 0, 1, 0}}}
		raw, err := cert.Marshal()
		if err != nil {
			t.Error(err)
		}
		return raw
	}
	if cliErr, srvErr := pairBoth(t, srvCfg, cliCfg, nil, nil); cliErr != nil || srvErr != nil {
		t.Fatalf("plain handshake: client %v, server %v", cliErr, srvErr)
	}
	_, srvErr := pairBoth(t, srvCfg, cliCfg, nil, addOCSP)
	wantSent(t, srvErr, alert.UnsupportedExtension)
}
