package engine

import (
	"bufio"
	"bytes"
	"errors"
	"net"
	"slices"
	"sync"
	"testing"

	"github.com/tlskit/tlskit/internal/engine/alert"
	"github.com/tlskit/tlskit/internal/engine/keys"
	"github.com/tlskit/tlskit/internal/engine/msg"
	"github.com/tlskit/tlskit/internal/engine/sig"
	"github.com/tlskit/tlskit/internal/engine/suites"
)

// phaPair connects an own client to an own server (handshake done) for
// post-handshake authentication tests; the server has an ECDSA identity.
func phaPair(t *testing.T, ccfg, scfg *Config) (cli, srv *TLSConn) {
	t.Helper()
	id, _ := testIdentity(t, keysForTest(t)["ecdsa-p256"])
	scfg.Identities = []Identity{id}
	cli, srv, errc := ownPairWith(t, scfg, ccfg, nil, nil)
	cerr := cli.Handshake()
	if err := <-errc; err != nil {
		t.Fatalf("server handshake: %v", err)
	}
	if cerr != nil {
		t.Fatalf("client handshake: %v", cerr)
	}
	return cli, srv
}

// readLine reads one line, failing the test on error.
func readLine(t *testing.T, r *bufio.Reader) string {
	t.Helper()
	l, err := r.ReadString('\n')
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return l
}

// phaRound has the server ask for a certificate and the client answer:
// the server's "asked" line reaches the client after the request, so
// the client has answered when it reads it; the client's "ok" reaches
// the server after the answer; the server's "bye" follows its tickets.
func phaRound(t *testing.T, cli, srv *TLSConn, cr, sr *bufio.Reader) {
	t.Helper()
	if err := srv.RequestClientCert(); err != nil {
		t.Fatalf("RequestClientCert: %v", err)
	}
	if _, err := srv.Write([]byte("asked\n")); err != nil {
		t.Fatal(err)
	}
	if got := readLine(t, cr); got != "asked\n" {
		t.Fatalf("client read %q", got)
	}
	if _, err := cli.Write([]byte("ok\n")); err != nil {
		t.Fatal(err)
	}
	if got := readLine(t, sr); got != "ok\n" {
		t.Fatalf("server read %q", got)
	}
	if _, err := srv.Write([]byte("bye\n")); err != nil {
		t.Fatal(err)
	}
	if got := readLine(t, cr); got != "bye\n" {
		t.Fatalf("client read %q", got)
	}
}

// TestPostHandshakeAuth: the own server asks the own client for its
// certificate after the handshake (RFC 8446 §4.6.2), twice, with each
// key type, and without a certificate to give.
func TestPostHandshakeAuth(t *testing.T) {
	ks := keysForTest(t)
	for _, name := range []string{"ecdsa-p256", "rsa2048", "ed25519", "none"} {
		t.Run(name, func(t *testing.T) {
			var ccfg Config
			var want [][]byte
			if name != "none" {
				id, _ := testIdentity(t, ks[name])
				ccfg.Identities, want = []Identity{id}, id.Chain
			}
			ccfg.PostHandshakeAuth = true
			var mu sync.Mutex
			var verified [][][]byte
			var sent, received []msg.Type
			var contexts [][]byte
			started := false // the log starts after the handshake
			scfg := &Config{VerifyPeer: func(chain [][]byte, st *State) error {
				mu.Lock()
				defer mu.Unlock()
				verified = append(verified, chain)
				return nil
			}, OnEvent: func(e Event) {
				mu.Lock()
				defer mu.Unlock()
				if e.ContentType != 22 || !started {
					return
				}
				if e.Sent {
					sent = append(sent, msg.Type(e.Data[0]))
					if msg.Type(e.Data[0]) == msg.TypeCertificateRequest {
						cr, err := msg.ParseCertificateRequest(e.Data[4:])
						if err != nil {
							t.Errorf("our CertificateRequest: %v", err)
							return
						}
						contexts = append(contexts, cr.Context)
						// openssl's list for a TLS 1.3 CertificateRequest.
						d, _ := cr.Extensions.Find(msg.ExtSignatureAlgorithms)
						if got, _ := msg.ParseUint16List(d); !slices.Equal(got, sig.DefaultCertRequest13) {
							t.Errorf("CertificateRequest signature_algorithms %04x", got)
						}
					}
				} else {
					received = append(received, msg.Type(e.Data[0]))
				}
			}}
			cli, srv := phaPair(t, &ccfg, scfg)
			mu.Lock()
			started = true
			mu.Unlock()
			cr, sr := bufio.NewReader(cli), bufio.NewReader(srv)
			phaRound(t, cli, srv, cr, sr)
			phaRound(t, cli, srv, cr, sr)

			st := srv.State()
			if !slices.EqualFunc(st.PeerChain, want, bytes.Equal) {
				t.Errorf("server's PeerChain: %d certificates, want %d", len(st.PeerChain), len(want))
			}
			cst := cli.State()
			if !cst.ClientCertRequested || len(cst.PeerSignatureSchemes) == 0 {
				t.Errorf("client state: requested %v, schemes %v", cst.ClientCertRequested, cst.PeerSignatureSchemes)
			}
			// Two tickets after the handshake, two after each answer,
			// each with its own nonce and so its own PSK.
			if len(cst.Tickets) != 6 {
				t.Errorf("%d tickets, want 6", len(cst.Tickets))
			}
			psks := map[string]bool{}
			for _, tk := range cst.Tickets {
				psks[string(tk.PSK)] = true
			}
			if len(psks) != len(cst.Tickets) {
				t.Errorf("%d distinct PSKs over %d tickets", len(psks), len(cst.Tickets))
			}
			mu.Lock()
			defer mu.Unlock()
			wantRecv := []msg.Type{msg.TypeCertificate, msg.TypeCertificateVerify, msg.TypeFinished}
			wantVerified := 2
			if name == "none" {
				wantRecv = []msg.Type{msg.TypeCertificate, msg.TypeFinished}
				wantVerified = 0
			}
			wantSent := []msg.Type{msg.TypeCertificateRequest, msg.TypeNewSessionTicket, msg.TypeNewSessionTicket}
			if !slices.Equal(received, append(wantRecv, wantRecv...)) {
				t.Errorf("server received %v", received)
			}
			if !slices.Equal(sent, append(wantSent, wantSent...)) {
				t.Errorf("server sent %v", sent)
			}
			if len(verified) != wantVerified {
				t.Errorf("VerifyPeer ran %d times, want %d", len(verified), wantVerified)
			}
			if len(contexts) != 2 || len(contexts[0]) != phaContextLen || bytes.Equal(contexts[0], contexts[1]) {
				t.Errorf("request contexts %x, want two different ones of %d bytes", contexts, phaContextLen)
			}
		})
	}
}

// TestPostHandshakeAuthRefused: RequestClientCert's errors, sent nothing.
func TestPostHandshakeAuthRefused(t *testing.T) {
	t.Run("not offered", func(t *testing.T) {
		_, srv := phaPair(t, &Config{}, &Config{})
		if err := srv.RequestClientCert(); !errors.Is(err, ErrPHANotOffered) {
			t.Fatalf("got %v, want ErrPHANotOffered", err)
		}
	})
	t.Run("TLS 1.2", func(t *testing.T) {
		_, srv := phaPair(t, &Config{PostHandshakeAuth: true, MinVersion: VersionTLS12, MaxVersion: VersionTLS12},
			&Config{MinVersion: VersionTLS12, MaxVersion: VersionTLS13})
		if err := srv.RequestClientCert(); !errors.Is(err, ErrPHAWrongVersion) {
			t.Fatalf("got %v, want ErrPHAWrongVersion", err)
		}
	})
	t.Run("pending", func(t *testing.T) {
		_, srv := phaPair(t, &Config{PostHandshakeAuth: true}, &Config{})
		if err := srv.RequestClientCert(); err != nil {
			t.Fatal(err)
		}
		if err := srv.RequestClientCert(); !errors.Is(err, ErrPHAPending) {
			t.Fatalf("got %v, want ErrPHAPending", err)
		}
	})
	t.Run("client", func(t *testing.T) {
		cli, _ := phaPair(t, &Config{PostHandshakeAuth: true}, &Config{})
		if err := cli.RequestClientCert(); err == nil {
			t.Fatal("a client sent a CertificateRequest")
		}
	})
}

// TestPostHandshakeAuthOffer: post_handshake_auth goes where openssl
// 3.0 -enable_pha puts it (after extended_master_secret, before
// signature_algorithms), and only when TLS 1.3 is offered.
func TestPostHandshakeAuthOffer(t *testing.T) {
	ch := captureClientHello(t, func(addr string) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Error(err)
			return
		}
		Client(c, &Config{PostHandshakeAuth: true}).Handshake()
		c.Close()
	})
	order := extOrder(ch)
	i := slices.Index(order, msg.ExtPostHandshakeAuth)
	if i < 1 || order[i-1] != msg.ExtExtendedMasterSecret || order[i+1] != msg.ExtSignatureAlgorithms {
		t.Errorf("extension order %v", order)
	}
	if d, _ := ch.Extensions.Find(msg.ExtPostHandshakeAuth); len(d) != 0 {
		t.Errorf("post_handshake_auth carries %x", d)
	}
	ch = captureClientHello(t, func(addr string) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Error(err)
			return
		}
		Client(c, &Config{PostHandshakeAuth: true, MaxVersion: VersionTLS12, MinVersion: VersionTLS12}).Handshake()
		c.Close()
	})
	if ch.Extensions.Has(msg.ExtPostHandshakeAuth) {
		t.Error("post_handshake_auth offered without TLS 1.3")
	}
}

// TestPostHandshakeAuthAlerts: a broken answer to a post-handshake
// CertificateRequest, or a request nobody asked for, gets the alert RFC
// 8446 and OpenSSL choose, and the other side sees it as received.
func TestPostHandshakeAuthAlerts(t *testing.T) {
	flipLast := func(m []byte) []byte { m[len(m)-1] ^= 1; return m }
	ks := keysForTest(t)
	id, _ := testIdentity(t, ks["ecdsa-p256"])
	for _, c := range []struct {
		name      string
		noID      bool
		require   bool
		noOffer   bool // the client did not offer post_handshake_auth
		mutClient func([]byte) []byte
		mutServer func([]byte) []byte
		want      alert.Desc
		byClient  bool // the client detects it
	}{
		{name: "Finished wrong", mutClient: onType(msg.TypeFinished, flipLast), want: alert.DecryptError},
		{name: "Finished short", mutClient: onType(msg.TypeFinished, func(m []byte) []byte {
			m = m[:len(m)-1]
			m[3]--
			return m
		}), want: alert.DecodeError},
		{name: "CertificateVerify signature", mutClient: onType(msg.TypeCertificateVerify, func(m []byte) []byte {
			m[10] ^= 1
			return m
		}), want: alert.DecryptError},
		{name: "Certificate context", mutClient: onType(msg.TypeCertificate, func(m []byte) []byte {
			m[5] ^= 1 // the context's first byte
			return m
		}), want: alert.IllegalParameter},
		{name: "Certificate truncated", mutClient: onType(msg.TypeCertificate, func(m []byte) []byte {
			m = m[:len(m)-3]
			n := len(m) - 4
			m[1], m[2], m[3] = byte(n>>16), byte(n>>8), byte(n)
			return m
		}), want: alert.DecodeError},
		{name: "garbage certificate", mutClient: onType(msg.TypeCertificate, func(m []byte) []byte {
			cert, _ := msg.ParseCertificate(m[4:])
			cert.Entries = []msg.CertificateEntry{{Data: []byte("garbage!"), Extensions: msg.Extensions{}}}
			raw, _ := cert.Marshal()
			return raw
		}), want: alert.DecodeError},
		{name: "NewSessionTicket instead of Certificate", mutClient: onType(msg.TypeCertificate, func([]byte) []byte {
			return []byte{byte(msg.TypeNewSessionTicket), 0, 0, 0}
		}), want: alert.UnexpectedMessage},
		{name: "Finished instead of CertificateVerify", mutClient: onType(msg.TypeCertificateVerify, func([]byte) []byte {
			return []byte{byte(msg.TypeFinished), 0, 0, 32, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32}
		}), want: alert.UnexpectedMessage},
		{name: "empty Certificate when required", noID: true, require: true, want: alert.CertificateRequired},
		{name: "request not offered", noOffer: true, want: alert.UnexpectedMessage, byClient: true},
		{name: "request without signature_algorithms", mutServer: onType(msg.TypeCertificateRequest, func(m []byte) []byte {
			raw, _ := (&msg.CertificateRequest{Context: []byte{1}, Extensions: msg.Extensions{}}).Marshal()
			return raw
		}), want: alert.MissingExtension, byClient: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			ccfg := &Config{PostHandshakeAuth: !c.noOffer}
			if !c.noID {
				ccfg.Identities = []Identity{id}
			}
			scfg := &Config{}
			cli, srv := phaPair(t, ccfg, scfg)
			// Required from now on: the handshake did not ask.
			scfg.RequireClientCert = c.require
			cli.testOnlyMutate, srv.testOnlyMutate = c.mutClient, c.mutServer
			if c.noOffer {
				srv.peerPHA = true // a server that asks anyway
			}
			cerrc := make(chan error, 1)
			go func() {
				_, err := cli.Read(make([]byte, 1))
				cerrc <- err
			}()
			if err := srv.RequestClientCert(); err != nil {
				t.Fatal(err)
			}
			_, serr := srv.Read(make([]byte, 1))
			cerr := <-cerrc
			if c.byClient {
				wantSent(t, cerr, c.want)
				wantReceived(t, serr, c.want)
			} else {
				wantSent(t, serr, c.want)
				wantReceived(t, cerr, c.want)
			}
		})
	}
}

// phaFuzzServer is a TLS 1.3 server connection past its handshake with a
// post-handshake CertificateRequest pending (context 1..32), reading
// nothing from its transport: the test feeds it messages.
func phaFuzzServer(t testing.TB, cfg *Config) (*TLSConn, []byte) {
	c := Server(&fuzzConn{bytes.NewReader(nil)}, cfg)
	c.hsDone, c.st.Version, c.peerPHA = true, VersionTLS13, true
	c.suite, _ = suites.Lookup13(0x1301)
	c.inSecret = bytes.Repeat([]byte{7}, 32)
	c.hsTr = keys.NewTranscript(c.suite.Hash)
	c.hsTr.Write([]byte{byte(msg.TypeClientHello), 0, 0, 0})
	ctx := make([]byte, phaContextLen)
	for i := range ctx {
		ctx[i] = byte(i + 1)
	}
	tr, _ := c.hsTr.Clone()
	cr, err := c.certificateRequest13(ctx)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := cr.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	tr.Write(raw)
	c.pha.Store(&phaRequest{context: ctx, tr: tr})
	return c, ctx
}

// feedPHA hands b to c as received handshake bytes, message by message,
// until an error or the end of the whole messages.
func feedPHA(c *TLSConn, b []byte) error {
	c.hs.Write(b)
	for {
		m, ok, err := c.hs.Next()
		if err != nil || !ok {
			return err
		}
		if err := c.postHandshake(m); err != nil {
			return err
		}
	}
}

// FuzzServerClientAuthAnswer feeds arbitrary messages to a server
// waiting for the answer to its post-handshake CertificateRequest: an
// error or an accepted answer, never a panic. The seeds are an empty
// Certificate with a good Finished, and a certificate with a bad
// signature.
func FuzzServerClientAuthAnswer(f *testing.F) {
	id, _ := testIdentity(f, keysForTest(f)["ecdsa-p256"])
	cfg := &Config{NumTickets: -1}
	c, ctx := phaFuzzServer(f, cfg)
	empty, _ := (&msg.Certificate{Context: ctx}).Marshal()
	tr, _ := c.pha.Load().tr.Clone()
	tr.Write(empty)
	fin, _ := msg.Frame(msg.TypeFinished, keys.FinishedMAC(c.suite.Hash, c.inSecret, tr.Sum()))
	if err := feedPHA(c, append(append([]byte(nil), empty...), fin...)); err != nil || c.pha.Load() != nil {
		f.Fatalf("the seed answer was not accepted: %v", err)
	}
	f.Add(append(empty, fin...))
	full, _ := (&msg.Certificate{Context: ctx, Entries: []msg.CertificateEntry{{Data: id.Chain[0], Extensions: msg.Extensions{}}}}).Marshal()
	cv, _ := (&msg.CertificateVerify{Scheme: 0x0403, Signature: make([]byte, 70)}).Marshal()
	f.Add(append(full, cv...))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, _ := phaFuzzServer(t, cfg)
		feedPHA(c, b)
	})
}
