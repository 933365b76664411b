package engine

import (
	"bytes"
	"crypto/ecdh"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
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

// crypto/tls has no TLS 1.0–1.2 PSK suites, so the PSK suites have no
// in-process differential test: the own engine meets itself here and
// openssl and gnutls in the interop tests below.

// pskSuites12 are the PSK suites of the engine's table, in its order.
func pskSuites12() []suites.Suite12 {
	var out []suites.Suite12
	for _, id := range suites.DefaultPSK12 {
		if s, _ := suites.Lookup12(id); s.Kx.PSK() {
			out = append(out, s)
		}
	}
	return out
}

var testPSK12Key = []byte{0x1a, 0x2b, 0x3c, 0x4d}

// TestPSK12OwnPair runs every PSK suite between the own client and the
// own server, with and without an identity hint, at each version the
// suite allows: both sides must agree on the suite, the identity, the
// hint and the exporter.
func TestPSK12OwnPair(t *testing.T) {
	rsaID, _ := testIdentity(t, keysForTest(t)["rsa2048"])
	for _, su := range pskSuites12() {
		for _, v := range []uint16{VersionTLS10, VersionTLS11, VersionTLS12} {
			if su.TLS12 && v < VersionTLS12 {
				continue
			}
			for _, hint := range [][]byte{nil, []byte("a hint")} {
				name := fmt.Sprintf("%s/%x/hint=%q", su.Name, v, hint)
				t.Run(name, func(t *testing.T) {
					srv := &Config{MinVersion: VersionTLS10, MaxVersion: VersionTLS13, Identities: []Identity{rsaID},
						PSK12: &PSK12{Identity: []byte("Client_identity"), Key: testPSK12Key, Hint: hint}}
					addr, res := ownServer(t, srv)
					var gotHint []byte
					cli := &Config{MinVersion: v, MaxVersion: v, Suites12: []uint16{su.ID},
						PSK12: &PSK12{ClientKey: func(h []byte) ([]byte, []byte, error) {
							gotHint = h
							return []byte("Client_identity"), testPSK12Key, nil
						}}}
					conn := dialOwn(t, addr, cli)
					if err := conn.Handshake(); err != nil {
						t.Fatalf("handshake: %v", err)
					}
					if got := echoLine(t, conn, "psk"); got != "psk" {
						t.Fatalf("echo %q", got)
					}
					r := <-res
					if r.err != nil {
						t.Fatal(r.err)
					}
					st := conn.State()
					if st.Suite != su.ID || r.st.Suite != su.ID || st.Version != v {
						t.Errorf("suite %x/%x version %x", st.Suite, r.st.Suite, st.Version)
					}
					if string(st.PSKIdentity) != "Client_identity" || string(r.st.PSKIdentity) != "Client_identity" {
						t.Errorf("identities %q %q", st.PSKIdentity, r.st.PSKIdentity)
					}
					// A DHE_PSK or ECDHE_PSK server always sends a
					// ServerKeyExchange, so its hint is empty, not absent.
					wantHint := hint
					if hint == nil && su.Kx.Ephemeral() != 0 {
						wantHint = []byte{}
					}
					if !bytes.Equal(gotHint, wantHint) || (gotHint == nil) != (wantHint == nil) || !bytes.Equal(st.PSKIdentityHint, hint) {
						t.Errorf("hint: callback got %q, state %q, want %q", gotHint, st.PSKIdentityHint, wantHint)
					}
					if len(st.PeerChain) > 0 != (su.Kx == msg.KxRSAPSK) {
						t.Errorf("peer chain of %d certificates", len(st.PeerChain))
					}
					ekm, _ := conn.ExportKeyingMaterial("EXPERIMENTAL tlskit", []byte("ctx"), 32)
					if !bytes.Equal(ekm, r.ekm) || !bytes.Equal(st.MasterSecret, r.st.MasterSecret) {
						t.Error("exporters or master secrets differ")
					}
				})
			}
		}
	}
}

// TestPSK12ResumptionKeepsIdentity: a resumed PSK session exchanges no
// identity, yet both sides report the one of the handshake that made it
// (and the client the server's hint), as OpenSSL's sessions keep them;
// by session ID (the server's cache) and by ticket (sealed in it), and
// through a second resumption.
func TestPSK12ResumptionKeepsIdentity(t *testing.T) {
	for _, c := range []struct {
		name       string
		numTickets int
		suite      uint16
	}{
		{"session id", -1, suites.PSKAES128GCMSHA256},
		{"ticket", 0, suites.ECDHEPSKChaCha20Poly1305},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := &Config{MinVersion: VersionTLS12, MaxVersion: VersionTLS12, NumTickets: c.numTickets,
				PSK12: &PSK12{Identity: []byte("resume id"), Key: testPSK12Key, Hint: []byte("resume hint")}}
			cli := &Config{MinVersion: VersionTLS12, MaxVersion: VersionTLS12, Suites12: []uint16{c.suite},
				PSK12: &PSK12{Identity: []byte("resume id"), Key: testPSK12Key}}
			var sess *Session12
			for i := 0; i < 3; i++ {
				addr, res := ownServer(t, srv)
				cfg := *cli
				cfg.Session12 = sess
				conn := dialOwn(t, addr, &cfg)
				if got := echoLine(t, conn, "again"); got != "again" {
					t.Fatalf("echo %q", got)
				}
				r := <-res
				if r.err != nil {
					t.Fatal(r.err)
				}
				st := conn.State()
				conn.Close()
				if st.Resumed != (i > 0) || r.st.Resumed != (i > 0) || st.Suite != c.suite {
					t.Fatalf("connection %d: resumed %v/%v suite %x", i, st.Resumed, r.st.Resumed, st.Suite)
				}
				if string(st.PSKIdentity) != "resume id" || string(r.st.PSKIdentity) != "resume id" {
					t.Errorf("connection %d: identities %q (client) %q (server)", i, st.PSKIdentity, r.st.PSKIdentity)
				}
				if string(st.PSKIdentityHint) != "resume hint" {
					t.Errorf("connection %d: client's hint %q", i, st.PSKIdentityHint)
				}
				if s := r.st.Session12; s == nil || string(s.PSKIdentity) != "resume id" || s.PSKIdentityHint != nil {
					t.Errorf("connection %d: server session %+v", i, s)
				}
				if (len(st.Session12.Ticket) > 0) != (c.numTickets >= 0) {
					t.Fatalf("connection %d: ticket of %d bytes", i, len(st.Session12.Ticket))
				}
				sess = st.Session12
			}
		})
	}
}

// TestPSK12Selection: without PSK12 a client offers no PSK suite and a
// server takes none; a server with PSK12 and a certificate still serves
// certificate suites to a client that offers no PSK suite; a wrong key
// fails at the Finished (bad_record_mac, as openssl); an identity the
// server does not know is unknown_psk_identity.
func TestPSK12Selection(t *testing.T) {
	rsaID, _ := testIdentity(t, keysForTest(t)["rsa2048"])
	t.Run("no PSK, no PSK suites offered", func(t *testing.T) {
		cfg := &Config{MinVersion: VersionTLS10, MaxVersion: VersionTLS13}
		for _, id := range cfg.clientSuites() {
			if s, ok := suites.Lookup12(id); ok && s.Kx.PSK() {
				t.Errorf("offered %s", s.Name)
			}
		}
		cfg.PSK12 = &PSK12{Identity: []byte("i"), Key: testPSK12Key}
		n := 0
		for _, id := range cfg.clientSuites() {
			if s, ok := suites.Lookup12(id); ok && s.Kx.PSK() {
				n++
			}
		}
		if n != len(pskSuites12()) {
			t.Errorf("with a PSK: %d PSK suites offered, want %d", n, len(pskSuites12()))
		}
	})
	run := func(t *testing.T, srv, cli *Config) (State, State, error, error) {
		addr, res := ownServer(t, srv)
		conn := dialOwn(t, addr, cli)
		cerr := conn.Handshake()
		if cerr == nil {
			echoLine(t, conn, "x")
		}
		conn.Close()
		r := <-res
		return conn.State(), r.st, cerr, r.err
	}
	t.Run("certificate suites next to PSK", func(t *testing.T) {
		srv := &Config{MinVersion: VersionTLS12, MaxVersion: VersionTLS12, Identities: []Identity{rsaID},
			PSK12: &PSK12{Identity: []byte("Client_identity"), Key: testPSK12Key}}
		st, _, cerr, serr := run(t, srv, &Config{MinVersion: VersionTLS12, MaxVersion: VersionTLS12})
		if cerr != nil || serr != nil || st.Suite != suites.ECDHERSAAES256GCMSHA384 {
			t.Errorf("suite %x, %v %v", st.Suite, cerr, serr)
		}
	})
	t.Run("server without PSK refuses PSK suites", func(t *testing.T) {
		srv := &Config{MinVersion: VersionTLS12, MaxVersion: VersionTLS12, Identities: []Identity{rsaID}}
		_, _, cerr, serr := run(t, srv, &Config{MinVersion: VersionTLS12, MaxVersion: VersionTLS12,
			Suites12: []uint16{suites.PSKAES128GCMSHA256}, PSK12: &PSK12{Identity: []byte("i"), Key: testPSK12Key}})
		var ae *AlertError
		if !errors.As(cerr, &ae) || ae.Description != alert.HandshakeFailure || serr == nil {
			t.Errorf("client %v, server %v", cerr, serr)
		}
	})
	t.Run("wrong key", func(t *testing.T) {
		srv := &Config{MinVersion: VersionTLS12, MaxVersion: VersionTLS12,
			PSK12: &PSK12{Identity: []byte("Client_identity"), Key: testPSK12Key}}
		_, _, cerr, serr := run(t, srv, &Config{MinVersion: VersionTLS12, MaxVersion: VersionTLS12,
			Suites12: []uint16{suites.PSKAES128GCMSHA256}, PSK12: &PSK12{Identity: []byte("Client_identity"), Key: []byte{1}}})
		var ae *AlertError
		if !errors.As(cerr, &ae) || ae.Description != alert.BadRecordMAC || ae.Sent {
			t.Errorf("client: %v", cerr)
		}
		if serr == nil {
			t.Error("server: no error")
		}
	})
	t.Run("unknown identity", func(t *testing.T) {
		srv := &Config{MinVersion: VersionTLS12, MaxVersion: VersionTLS12,
			PSK12: &PSK12{Identity: []byte("Client_identity"), Key: testPSK12Key}}
		_, _, cerr, serr := run(t, srv, &Config{MinVersion: VersionTLS12, MaxVersion: VersionTLS12,
			Suites12: []uint16{suites.ECDHEPSKChaCha20Poly1305}, PSK12: &PSK12{Identity: []byte("someone"), Key: testPSK12Key}})
		// The client may still be writing its Finished when the alert
		// arrives, so it is the server's side that is checked.
		var ae *AlertError
		if !errors.As(serr, &ae) || ae.Description != alert.UnknownPSKIdentity || !ae.Sent || cerr == nil {
			t.Errorf("server: %v; client: %v", serr, cerr)
		}
	})
}

// TestPSK12AgainstOpenSSL runs the own client against `openssl s_server
// -psk` and `openssl s_client -psk` against the own server, for every
// PSK suite at TLS 1.2 and some at TLS 1.0 and 1.1: both sides must name
// the same suite, openssl its identity and hint lines, and the master
// secret must match openssl's key log.
func TestPSK12AgainstOpenSSL(t *testing.T) {
	pki := testpeer.NewPKI(t)
	openssl := testpeer.Need(t, "openssl")
	rsaID := loadIdentity(t, pki.Server, pki.ServerKey)
	key := hex.EncodeToString(testPSK12Key)
	type tc struct {
		su   suites.Suite12
		v    uint16
		flag string
		hint string
	}
	var cases []tc
	for _, su := range pskSuites12() {
		cases = append(cases, tc{su, VersionTLS12, "-tls1_2", "tlskit hint"})
	}
	for _, id := range []uint16{suites.PSKAES128CBCSHA, suites.ECDHEPSKAES256CBCSHA384, suites.DHEPSKAES128CBCSHA256, suites.RSAPSKAES256CBCSHA} {
		su, _ := suites.Lookup12(id)
		cases = append(cases, tc{su, VersionTLS10, "-tls1", ""}, tc{su, VersionTLS11, "-tls1_1", "h"})
	}
	vname := map[uint16]string{VersionTLS10: "TLSv1", VersionTLS11: "TLSv1.1", VersionTLS12: "TLSv1.2"}
	for i, c := range cases {
		name := fmt.Sprintf("%s/%s", c.su.Name, vname[c.v])
		cipher := c.su.Name
		if c.v < VersionTLS12 {
			cipher += ":@SECLEVEL=0"
		}
		cert := []string{"-nocert"}
		if c.su.Kx == msg.KxRSAPSK {
			cert = []string{"-cert", pki.Server, "-key", pki.ServerKey}
		}
		t.Run("own client/"+name, func(t *testing.T) {
			keylog := filepath.Join(t.TempDir(), fmt.Sprintf("keys%d.txt", i))
			args := append([]string{"-rev", "-naccept", "1", "-keylogfile", keylog, c.flag, "-cipher", cipher, "-psk", key}, cert...)
			if c.hint != "" {
				args = append(args, "-psk_hint", c.hint)
			}
			srv := testpeer.OpenSSLServer(t, args...)
			cfg := all12(Config{ServerName: "localhost", VerifyPeer: verifyWith(t, pki.CA),
				PSK12: &PSK12{Identity: []byte("Client_identity"), Key: testPSK12Key}})
			conn := dialEcho(t, srv, &cfg, "tlskit psk", "ksp tikslt")
			st := conn.State()
			if st.Version != c.v || st.Suite != c.su.ID || string(st.PSKIdentityHint) != c.hint {
				t.Errorf("version %x suite %x hint %q", st.Version, st.Suite, st.PSKIdentityHint)
			}
			conn.CloseWrite()
			waitOutput(t, srv, "Ciphersuite: "+c.su.Name)
			waitOutput(t, srv, "Protocol version: "+vname[c.v])
			if got := keylogMaster(t, keylog, st.ClientRandom); got != hex.EncodeToString(st.MasterSecret) {
				t.Errorf("master secret: own %x, openssl's key log %s", st.MasterSecret, got)
			}
		})
		t.Run("own server/"+name, func(t *testing.T) {
			p := &PSK12{Identity: []byte("Client_identity"), Key: testPSK12Key}
			if c.hint != "" {
				p.Hint = []byte(c.hint)
			}
			cfg := &Config{MinVersion: VersionTLS10, MaxVersion: VersionTLS13, Identities: []Identity{rsaID}, PSK12: p}
			addr, res := ownServer(t, cfg)
			keylog := filepath.Join(t.TempDir(), "keylog")
			args := []string{"s_client", "-connect", addr, "-CAfile", pki.CA, "-servername", "localhost", "-keylogfile", keylog,
				c.flag, "-cipher", cipher, "-psk", key}
			out, errOut, code := testpeer.Run(t, 20*time.Second, "hello\n", openssl, args...)
			r := <-res
			if r.err != nil || r.line != "hello\n" || code != 0 {
				t.Fatalf("server: %v %q; openssl exit %d:\n%s\n%s", r.err, r.line, code, out, errOut)
			}
			wantHint := "None"
			if c.hint != "" {
				wantHint = c.hint
			}
			for _, w := range []string{"Cipher    : " + c.su.Name, "Protocol  : " + vname[c.v] + "\n",
				"PSK identity: Client_identity\n", "PSK identity hint: " + wantHint + "\n"} {
				if !strings.Contains(out, w) {
					t.Errorf("openssl s_client did not print %q:\n%s", w, out)
				}
			}
			if r.st.Suite != c.su.ID || r.st.Version != c.v {
				t.Errorf("own server: version %x suite %x", r.st.Version, r.st.Suite)
			}
			if got := keylogMaster(t, keylog, r.st.ClientRandom); got != hex.EncodeToString(r.st.MasterSecret) {
				t.Errorf("master secret: openssl logged %q, own %x", got, r.st.MasterSecret)
			}
		})
	}
}

// TestPSK12FailuresAgainstOpenSSL: a wrong key fails at the Finished
// with bad_record_mac, as both openssl sides report it; the own server
// answers an identity it does not know with unknown_psk_identity.
func TestPSK12FailuresAgainstOpenSSL(t *testing.T) {
	openssl := testpeer.Need(t, "openssl")
	key := hex.EncodeToString(testPSK12Key)
	t.Run("own client, wrong key", func(t *testing.T) {
		srv := testpeer.OpenSSLServer(t, "-naccept", "1", "-nocert", "-psk", "ffee", "-tls1_2")
		cfg := all12(Config{PSK12: &PSK12{Identity: []byte("Client_identity"), Key: testPSK12Key}})
		err := dialOwn(t, srv.Addr, &cfg).Handshake()
		var ae *AlertError
		if !errors.As(err, &ae) || ae.Description != alert.BadRecordMAC || ae.Sent {
			t.Errorf("handshake: %v", err)
		}
		waitOutput(t, srv, "decryption failed or bad record mac")
	})
	for _, c := range []struct{ name, args, want string }{
		{"wrong key", "Client_identity " + "ffee", "alert bad record mac"},
		{"unknown identity", "someone " + key, "alert unknown psk identity"},
	} {
		t.Run("own server, "+c.name, func(t *testing.T) {
			cfg := &Config{MinVersion: VersionTLS12, MaxVersion: VersionTLS12,
				PSK12: &PSK12{Identity: []byte("Client_identity"), Key: testPSK12Key}}
			addr, res := ownServer(t, cfg)
			f := strings.Fields(c.args)
			out, errOut, code := testpeer.Run(t, 20*time.Second, "", openssl, "s_client", "-connect", addr,
				"-tls1_2", "-psk_identity", f[0], "-psk", f[1])
			r := <-res
			if code == 0 || !strings.Contains(errOut, c.want) || r.err == nil {
				t.Errorf("openssl exit %d, server %v:\n%s\n%s", code, r.err, out, errOut)
			}
		})
	}
}

// TestPSK12AgainstGnuTLS: the own client against gnutls-serv with a PSK
// password file, for plain PSK, ECDHE_PSK and DHE_PSK, asserting the
// suite on both sides.
func TestPSK12AgainstGnuTLS(t *testing.T) {
	dir := t.TempDir()
	passwd := filepath.Join(dir, "psk.passwd")
	if err := os.WriteFile(passwd, []byte("Client_identity:"+hex.EncodeToString(testPSK12Key)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		kx    string
		suite uint16
	}{
		{"PSK", suites.PSKAES256GCMSHA384},
		{"ECDHE-PSK", suites.ECDHEPSKChaCha20Poly1305},
		{"DHE-PSK", suites.DHEPSKAES128GCMSHA256},
	} {
		su, _ := suites.Lookup12(c.suite)
		t.Run(su.Name, func(t *testing.T) {
			srv := testpeer.GnuTLSServer(t, "--echo", "--pskpasswd", passwd, "--priority",
				"NORMAL:-VERS-TLS1.3:-KX-ALL:+"+c.kx)
			cfg := all12(Config{Suites12: []uint16{c.suite}, PSK12: &PSK12{Identity: []byte("Client_identity"), Key: testPSK12Key}})
			conn := dialEcho(t, srv, &cfg, "gnutls psk", "gnutls psk")
			if st := conn.State(); st.Suite != c.suite || st.Version != VersionTLS12 {
				t.Errorf("suite %x version %x", st.Suite, st.Version)
			}
		})
	}
}

// recordedPSK12 records, from one own-client/own-server handshake with
// a PSK suite, what the server sent and what the client sent.
func recordedPSK12(t testing.TB, suite uint16) (server, client []byte) {
	got := make(chan []byte, 1)
	addr := testpeer.ServeOne(t, 10*time.Second, func(c net.Conn) {
		defer c.Close()
		tap := &readTap{Conn: c}
		Server(tap, fuzzPSKConfig(nil)).Handshake()
		got <- tap.got.Bytes()
	})
	// The handshake's outcome does not matter: the bytes are seeds.
	server, _ = recordedByClient(t, addr, fuzzPSKConfig([]uint16{suite}))
	return server, <-got
}

func fuzzPSKConfig(ids []uint16) *Config {
	return &Config{MinVersion: VersionTLS10, MaxVersion: VersionTLS12, Suites12: ids,
		PSK12: &PSK12{Identity: []byte("Client_identity"), Key: testPSK12Key, Hint: []byte("hint")}}
}

// FuzzPSK12Client and FuzzPSK12Server feed arbitrary peer bytes to a PSK
// client and server, seeded with real flights of plain PSK, DHE_PSK and
// ECDHE_PSK handshakes (their hints, identities and key shares): they
// must fail cleanly, never panic or hang. (The seeds cannot complete: the
// randoms differ each run.)
func FuzzPSK12Client(f *testing.F) {
	for _, id := range []uint16{suites.PSKAES128GCMSHA256, suites.DHEPSKAES128CBCSHA, suites.ECDHEPSKChaCha20Poly1305} {
		srv, _ := recordedPSK12(f, id)
		f.Add(srv)
	}
	cfg := fuzzPSKConfig(nil)
	f.Fuzz(func(t *testing.T, b []byte) {
		if Client(&fuzzConn{bytes.NewReader(b)}, cfg).Handshake() == nil {
			t.Fatal("a handshake completed against replayed bytes")
		}
	})
}

func FuzzPSK12Server(f *testing.F) {
	for _, id := range []uint16{suites.PSKAES128GCMSHA256, suites.DHEPSKAES128CBCSHA, suites.ECDHEPSKChaCha20Poly1305} {
		_, cli := recordedPSK12(f, id)
		f.Add(cli)
	}
	cfg := fuzzPSKConfig(nil)
	f.Fuzz(func(t *testing.T, b []byte) {
		if Server(&fuzzConn{bytes.NewReader(b)}, cfg).Handshake() == nil {
			t.Fatal("a handshake completed against replayed bytes")
		}
	})
}

// TestPSK13ServerWithoutCertificate: a TLS 1.3 server with no
// certificate takes the first suite its PSK's hash fits, so the PSK can
// carry the handshake (openssl s_server -nocert -psk answers openssl's
// default list with TLS_CHACHA20_POLY1305_SHA256); with a certificate the
// client's first suite, and a full handshake.
func TestPSK13ServerWithoutCertificate(t *testing.T) {
	rsaID, _ := testIdentity(t, keysForTest(t)["rsa2048"])
	psk := []PSK{{Identity: []byte("Client_identity"), Key: testPSK12Key}}
	for _, c := range []struct {
		ids     []Identity
		suite   uint16
		resumed bool
	}{{nil, suites.ChaCha20Poly1305SHA256, true}, {[]Identity{rsaID}, suites.AES256GCMSHA384, false}} {
		addr, res := ownServer(t, &Config{Identities: c.ids, PSKs: psk})
		conn := dialOwn(t, addr, &Config{PSKs: psk})
		if err := conn.Handshake(); err != nil {
			t.Fatalf("%d identities: %v", len(c.ids), err)
		}
		echoLine(t, conn, "x")
		r := <-res
		if st := conn.State(); st.Suite != c.suite || st.Resumed != c.resumed || r.err != nil {
			t.Errorf("%d identities: suite %x resumed %v, server %v", len(c.ids), st.Suite, st.Resumed, r.err)
		}
	}
}

// TestPSK12IdentityLengthLimit: a PSK identity or identity hint longer
// than OpenSSL 3.0's PSK_MAX_IDENTITY_LEN (256) received ends the
// handshake as openssl ends it: a server answers the identity with
// decode_error, a client the hint with handshake_failure, both "data
// length too long" from the PSK preamble's function; 256 bytes pass.
// Checked both ways against openssl and between own client and server.
func TestPSK12IdentityLengthLimit(t *testing.T) {
	openssl := testpeer.Need(t, "openssl")
	key := hex.EncodeToString(testPSK12Key)
	long, max := bytes.Repeat([]byte("i"), MaxPSKIdentityLen+1), bytes.Repeat([]byte("m"), MaxPSKIdentityLen)
	sentFault := func(t *testing.T, err error, d alert.Desc, fn string) {
		t.Helper()
		var ae *AlertError
		if !errors.As(err, &ae) || !ae.Sent || ae.Description != d || ae.SSLReason() != "data length too long" || ae.SSLFunc() != fn {
			t.Errorf("error %v, want a sent %v 'data length too long' from %s", err, d, fn)
		}
	}
	client := func(id []byte) *Config {
		return &Config{MinVersion: VersionTLS12, MaxVersion: VersionTLS12, Suites12: []uint16{suites.PSKAES128GCMSHA256},
			PSK12: &PSK12{Identity: id, Key: testPSK12Key}}
	}
	server := func(hint []byte) *Config {
		return &Config{MinVersion: VersionTLS12, MaxVersion: VersionTLS12,
			PSK12: &PSK12{ServerKey: func([]byte) ([]byte, error) { return testPSK12Key, nil }, Hint: hint}}
	}
	t.Run("identity to openssl s_server", func(t *testing.T) {
		srv := testpeer.OpenSSLServer(t, "-nocert", "-psk", key, "-rev")
		conn := dialOwn(t, srv.Addr, client(max))
		if got := echoLine(t, conn, "256"); got != "652" {
			t.Fatalf("echo %q", got)
		}
		conn.Close() // -rev serves one connection at a time
		conn = dialOwn(t, srv.Addr, client(long))
		err := conn.Handshake()
		var ae *AlertError
		if !errors.As(err, &ae) || ae.Sent || ae.Description != alert.DecodeError {
			t.Errorf("handshake: %v, want openssl's decode_error", err)
		}
		waitOutput(t, srv, ":tls_process_cke_psk_preamble:data length too long:")
	})
	t.Run("identity to own server", func(t *testing.T) {
		addr, res := ownServer(t, server(nil))
		dialOwn(t, addr, client(long)).Handshake()
		sentFault(t, (<-res).err, alert.DecodeError, "tls_process_cke_psk_preamble")
	})
	t.Run("hint to openssl s_client", func(t *testing.T) {
		for _, hint := range [][]byte{max, long} {
			addr, res := ownServer(t, server(hint))
			out, errOut, code := testpeer.Run(t, 20*time.Second, "x\n", openssl, "s_client", "-connect", addr, "-tls1_2", "-psk", key, "-cipher", "PSK-AES128-GCM-SHA256")
			r := <-res
			if len(hint) == MaxPSKIdentityLen {
				if r.err != nil || code != 0 || !strings.Contains(out, "PSK identity hint: "+string(max)+"\n") {
					t.Errorf("256-byte hint: server %v, openssl exit %d:\n%s\n%s", r.err, code, out, errOut)
				}
				continue
			}
			var ae *AlertError
			if !errors.As(r.err, &ae) || ae.Sent || ae.Description != alert.HandshakeFailure ||
				!strings.Contains(errOut, ":tls_process_ske_psk_preamble:data length too long:") {
				t.Errorf("server %v; openssl exit %d:\n%s", r.err, code, errOut)
			}
		}
	})
	t.Run("hint to own client", func(t *testing.T) {
		addr, _ := ownServer(t, server(long))
		sentFault(t, dialOwn(t, addr, client([]byte("id"))).Handshake(), alert.HandshakeFailure, "tls_process_ske_psk_preamble")
	})
}

// TestPSK12CertificateRequest: a server that asks for a client
// certificate under a PSK or ECDHE_PSK suite (BoGo's ClientAuth-PSK,
// ClientAuth-ECDHE_PSK) is answered with unexpected_message by openssl
// s_client 3.0 and by the own client, which sent its flight before.
func TestPSK12CertificateRequest(t *testing.T) {
	openssl := testpeer.Need(t, "openssl")
	eph, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		suite uint16
		ske   *msg.ServerKeyExchange
	}{
		{"PSK-AES128-CBC-SHA", suites.PSKAES128CBCSHA, nil},
		{"ECDHE-PSK-AES128-CBC-SHA", suites.ECDHEPSKAES128CBCSHA,
			&msg.ServerKeyExchange{Kind: msg.KxECDHEPSK, Hint: []byte{}, Group: kx.X25519, Public: eph.PublicKey().Bytes()}},
	} {
		reply := func(*msg.ClientHello) []byte {
			sh := serverHello12For(t, func(sh *msg.ServerHello) {
				sh.CipherSuite = c.suite
				if c.ske == nil {
					// A PSK-only ClientHello offers no ec_point_formats.
					sh.Extensions = slices.DeleteFunc(sh.Extensions, func(e msg.Extension) bool { return e.Type == msg.ExtECPointFormats })
				}
			})
			var ske []byte
			if c.ske != nil {
				if ske, err = c.ske.Marshal(); err != nil {
					t.Error(err)
				}
			}
			cr, err := (&msg.CertificateRequest12{CertTypes: []uint8{1}, HasSchemes: true,
				Schemes: []uint16{sig.RSAPSSRSAESHA256}}).Marshal()
			if err != nil {
				t.Error(err)
			}
			return slices.Concat(sh, ske, cr, msg.MarshalEmpty(msg.TypeServerHelloDone))
		}
		addr, got := scriptedServer(t, reply)
		testpeer.Run(t, 20*time.Second, "", openssl, "s_client", "-connect", addr, "-tls1_2", "-cipher", c.name,
			"-psk", hex.EncodeToString(testPSK12Key), "-noservername")
		if sent := <-got; len(sent) != 2 || alert.Desc(sent[1]) != alert.UnexpectedMessage {
			t.Fatalf("%s: openssl sent %x, want unexpected_message", c.name, sent)
		}
		addr, got = scriptedServer(t, reply)
		conn := dialOwn(t, addr, &Config{MinVersion: VersionTLS12, MaxVersion: VersionTLS12, Suites12: []uint16{c.suite},
			PSK12: &PSK12{Identity: []byte("Client_identity"), Key: testPSK12Key}})
		err := conn.Handshake()
		conn.Close()
		if sent := <-got; len(sent) != 2 || alert.Desc(sent[1]) != alert.UnexpectedMessage {
			t.Fatalf("%s: own client sent %x (%v), want unexpected_message", c.name, sent, err)
		}
	}
}
