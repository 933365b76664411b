package engine

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"io"
	"slices"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/engine/alert"
	"github.com/tlskit/tlskit/internal/engine/kx"
	"github.com/tlskit/tlskit/internal/testpeer"
)

// firstTickets runs one full handshake with an echo and returns the
// tickets the client got.
func firstTickets(t *testing.T, addr string, cfg *Config) []Ticket {
	t.Helper()
	conn := dialOwn(t, addr, cfg)
	if err := conn.Handshake(); err != nil {
		t.Fatal(err)
	}
	conn.Write([]byte("one\n"))
	if _, err := bufio.NewReader(conn).ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	st := conn.State()
	if st.Resumed {
		t.Fatal("the first handshake resumed")
	}
	conn.Close()
	if len(st.Tickets) == 0 {
		t.Fatal("no tickets")
	}
	return st.Tickets
}

// TestResumeOwnOwn: tickets from the own server resume with the own
// client, with (EC)DHE and, when both allow it, without.
func TestResumeOwnOwn(t *testing.T) {
	id, _ := testIdentity(t, keysForTest(t)["ecdsa-p256"])
	for _, c := range []struct {
		name      string
		noDHE     bool
		wantGroup uint16
	}{{"psk_dhe_ke", false, kx.X25519},
		// Both allow psk_ke, but the client offers psk_dhe_ke too and the
		// server prefers it.
		{"psk_ke allowed, psk_dhe_ke preferred", true, kx.X25519}} {
		t.Run(c.name, func(t *testing.T) {
			scfg := &Config{Identities: []Identity{id}, AllowNoDHE: c.noDHE}
			addr, res := ownServer(t, scfg)
			tickets := firstTickets(t, addr, &Config{})
			<-res
			if len(tickets) != 2 || tickets[0].Lifetime != 7200*time.Second {
				t.Errorf("tickets %+v", tickets)
			}
			addr, res = ownServer(t, scfg)
			conn := dialOwn(t, addr, &Config{Session: &tickets[1], AllowNoDHE: c.noDHE})
			r := echoed(t, conn, "two\n", res)
			st := conn.State()
			if !st.Resumed || !r.st.Resumed || len(st.PeerChain) != 0 || st.Group != c.wantGroup || r.st.Group != c.wantGroup {
				t.Errorf("client resumed %v group %s chain %d; server resumed %v", st.Resumed, kx.Name(st.Group), len(st.PeerChain), r.st.Resumed)
			}
			ekm, _ := conn.ExportKeyingMaterial("EXPERIMENTAL tlskit", []byte("ctx"), 32)
			if !bytes.Equal(ekm, r.ekm) {
				t.Error("exporters differ after resumption")
			}
		})
	}
}

// TestResumeBadBinder: a ticket offered with the wrong PSK fails the
// binder check: decrypt_error.
func TestResumeBadBinder(t *testing.T) {
	id, _ := testIdentity(t, keysForTest(t)["ecdsa-p256"])
	scfg := &Config{Identities: []Identity{id}}
	addr, res := ownServer(t, scfg)
	tk := firstTickets(t, addr, &Config{})[0]
	<-res
	tk.PSK = append([]byte(nil), tk.PSK...)
	tk.PSK[0] ^= 1
	addr, res = ownServer(t, scfg)
	err := dialOwn(t, addr, &Config{Session: &tk}).Handshake()
	wantReceived(t, err, alert.DecryptError)
	wantSent(t, (<-res).err, alert.DecryptError)
}

// TestResumeWithCryptoTLS: crypto/tls resumes with the own server's
// tickets, and the own client with crypto/tls's.
func TestResumeWithCryptoTLS(t *testing.T) {
	id, goCert := testIdentity(t, keysForTest(t)["ecdsa-p256"])
	leaf, _ := x509.ParseCertificate(goCert.Certificate[0])
	pool := x509.NewCertPool()
	pool.AddCert(leaf)

	t.Run("crypto/tls client", func(t *testing.T) {
		scfg := &Config{Identities: []Identity{id}}
		gcfg := &tls.Config{RootCAs: pool, ServerName: "localhost", ClientSessionCache: tls.NewLRUClientSessionCache(4)}
		for i, wantResumed := range []bool{false, true} {
			addr, res := ownServer(t, scfg)
			conn, err := tls.Dial("tcp", addr, gcfg)
			if err != nil {
				t.Fatal(err)
			}
			conn.SetDeadline(time.Now().Add(20 * time.Second))
			r := echoed(t, conn, "x\n", res)
			if conn.ConnectionState().DidResume != wantResumed || r.st.Resumed != wantResumed {
				t.Errorf("connection %d: crypto/tls resumed %v, own server %v", i, conn.ConnectionState().DidResume, r.st.Resumed)
			}
			conn.Close()
		}
	})
	t.Run("own client", func(t *testing.T) {
		gs := &tls.Config{Certificates: []tls.Certificate{goCert}}
		addr, res := goServer(t, gs)
		tickets := firstTickets(t, addr, &Config{})
		<-res
		addr, res = goServer(t, gs)
		conn := dialOwn(t, addr, &Config{Session: &tickets[0]})
		conn.Write([]byte("y\n"))
		if _, err := bufio.NewReader(conn).ReadString('\n'); err != nil {
			t.Fatal(err)
		}
		conn.CloseWrite()
		r := <-res
		if r.err != nil {
			t.Fatal(r.err)
		}
		if !conn.State().Resumed || !r.st.DidResume {
			t.Errorf("own client resumed %v, crypto/tls server %v", conn.State().Resumed, r.st.DidResume)
		}
	})
}

// TestResumeAndPSKWithOpenSSL: resumption and external PSKs with the
// real openssl s_server (the own server against s_client -psk/-sess_in
// is not covered yet).
func TestResumeAndPSKWithOpenSSL(t *testing.T) {
	pki := testpeer.NewPKI(t)
	testpeer.Need(t, "openssl")
	key := "0123456789abcdef0123456789abcdef"
	keyBytes, _ := hex.DecodeString(key)

	t.Run("own client resumes with s_server", func(t *testing.T) {
		srv := testpeer.OpenSSLServer(t, "-tls1_3", "-rev", "-naccept", "2", "-cert", pki.ECServer, "-key", pki.ECServerKey)
		tickets := firstTickets(t, srv.Addr, &Config{})
		conn := dialOwn(t, srv.Addr, &Config{Session: &tickets[0]})
		if got := echoLine(t, conn, "ab"); got != "ba" {
			t.Fatalf("echo %q", got)
		}
		if st := conn.State(); !st.Resumed || len(st.PeerChain) != 0 {
			t.Errorf("resumed %v, chain %d", st.Resumed, len(st.PeerChain))
		}
	})
	t.Run("own client external PSK with s_server -psk", func(t *testing.T) {
		srv := testpeer.OpenSSLServer(t, "-tls1_3", "-rev", "-naccept", "1", "-nocert", "-psk", key, "-psk_identity", "tlskit-id")
		conn := dialOwn(t, srv.Addr, &Config{PSKs: []PSK{{Identity: []byte("tlskit-id"), Key: keyBytes}}, Suites13: []uint16{0x1301}})
		if got := echoLine(t, conn, "psk"); got != "ksp" {
			t.Fatalf("echo %q", got)
		}
		if st := conn.State(); !st.Resumed || string(st.PSKIdentity) != "tlskit-id" {
			t.Errorf("state %+v", st)
		}
	})
}

// TestExternalPSKTicketLifetime: the tickets of a handshake an external
// PSK authenticated carry 304 s, as openssl 3.0's s_server gives that
// session, and so do those of its resumption; a full handshake's carry
// 7200. The server resumes such a ticket for 304 s only (a client whose
// clock lags offers it later).
func TestExternalPSKTicketLifetime(t *testing.T) {
	id, _ := testIdentity(t, keysForTest(t)["ecdsa-p256"])
	psk := PSK{Identity: []byte("Client_identity"), Key: bytes.Repeat([]byte{7}, 16)}
	start := time.Unix(1_800_000_000, 0)
	at := func(d time.Duration) func() time.Time { return func() time.Time { return start.Add(d) } }
	// handshake runs one connection with the server's clock at d and
	// returns the client's tickets and whether both sides resumed.
	handshake := func(d time.Duration, ccfg *Config) ([]Ticket, bool) {
		t.Helper()
		addr, res := ownServer(t, &Config{Identities: []Identity{id}, PSKs: []PSK{psk}, Time: at(d)})
		// One SHA-256 suite, that of the external PSK and its tickets.
		ccfg.Time, ccfg.Suites13 = at(0), []uint16{0x1301}
		conn := dialOwn(t, addr, ccfg)
		r := echoed(t, conn, "x\n", res)
		conn.Close()
		st := conn.State()
		if st.Resumed != r.st.Resumed {
			t.Fatalf("client resumed %v, server %v", st.Resumed, r.st.Resumed)
		}
		return st.Tickets, st.Resumed
	}
	lifetimes := func(ts []Ticket) []time.Duration {
		var out []time.Duration
		for _, tk := range ts {
			out = append(out, tk.Lifetime)
		}
		return out
	}
	full, _ := handshake(0, &Config{})
	ext, resumed := handshake(0, &Config{PSKs: []PSK{psk}})
	if !resumed {
		t.Fatal("the external PSK was not used")
	}
	again, resumed := handshake(0, &Config{Session: &ext[0]})
	if !resumed {
		t.Fatal("the external PSK's ticket was not resumed")
	}
	if got := [][]time.Duration{lifetimes(full), lifetimes(ext), lifetimes(again)}; !slices.EqualFunc(got,
		[][]time.Duration{{7200 * time.Second, 7200 * time.Second}, {304 * time.Second}, {304 * time.Second}}, slices.Equal) {
		t.Errorf("ticket lifetimes %v", got)
	}
	if _, resumed := handshake(304*time.Second, &Config{Session: &again[0]}); !resumed {
		t.Error("a ticket 304 s old was not resumed")
	}
	if _, resumed := handshake(305*time.Second, &Config{Session: &again[0]}); resumed {
		t.Error("a ticket 305 s old was resumed")
	}
	if _, resumed := handshake(305*time.Second, &Config{Session: &full[0]}); !resumed {
		t.Error("a full handshake's ticket 305 s old was not resumed")
	}
}

// TestTicketSealing: a ticket opens with what was sealed, lifetime
// included; one of the version before the lifetime (3) does not.
func TestTicketSealing(t *testing.T) {
	c := &TLSConn{cfg: &Config{TicketKey: bytes.Repeat([]byte{1}, 32)}}
	s := ticketState{suite: 0x1302, created: time.UnixMilli(1_800_000_000_123), ageAdd: 9, maxEarly: 16384,
		alpn: "h2", sidCtx: []byte{1, 0, 0, 0}, lifetime: 304, psk: bytes.Repeat([]byte{5}, 48)}
	b, err := c.sealTicket(s)
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.openTicket(b)
	if err != nil || got.suite != s.suite || !got.created.Equal(s.created) || got.ageAdd != s.ageAdd ||
		got.maxEarly != s.maxEarly || got.alpn != s.alpn || !bytes.Equal(got.sidCtx, s.sidCtx) ||
		got.lifetime != s.lifetime || !bytes.Equal(got.psk, s.psk) {
		t.Fatalf("opened %+v, %v", got, err)
	}
	// Version 3's layout: no lifetime after max_early_data_size.
	a, _ := c.ticketAEAD()
	old := []byte{3, 0x13, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0x40, 0, 2, 'h', '2', 4, 1, 0, 0, 0}
	old = append(old, s.psk...)
	nonce := make([]byte, a.NonceSize())
	if _, err := c.openTicket(a.Seal(nonce, nonce, old, nil)); err != errBadTicket {
		t.Errorf("a version 3 ticket: %v", err)
	}
	for n := range b {
		if _, err := c.openTicket(b[:n]); err == nil {
			t.Fatalf("truncated to %d bytes: opened", n)
		}
	}
	// Version 4's layout, byte for byte: the fixed fields, then ALPN
	// and session context after their lengths, then the PSK.
	want := []byte{4, 0x13, 0x02, 0, 0, 1, 163, 24, 92, 80, 123, 0, 0, 0, 9, 0, 0, 0x40, 0, 0, 0, 0x01, 0x30,
		2, 'h', '2', 4, 1, 0, 0, 0}
	want = append(want, s.psk...)
	if plain, _, ok := c.openTicketPlain(b); !ok || !bytes.Equal(plain, want) {
		t.Errorf("sealed plaintext %x, want %x", plain, want)
	}
	// A plaintext cut inside its fixed fields or its lengths' vectors
	// does not open; cut inside the PSK it opens with a shorter one.
	for n := range want {
		_, err := c.openTicket(a.Seal(nonce, nonce, want[:n], nil))
		if short := n < ticketHeader+1+2+1+4; short != (err != nil) {
			t.Errorf("plaintext cut to %d bytes: %v", n, err)
		}
	}
}

// echoed writes line to conn, reads the server's echo of it and returns
// how the server's connection ended, failing the test on an error.
func echoed(t *testing.T, conn io.ReadWriter, line string, res <-chan ownResult) ownResult {
	t.Helper()
	conn.Write([]byte(line))
	if _, err := bufio.NewReader(conn).ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	r := <-res
	if r.err != nil {
		t.Fatal(r.err)
	}
	return r
}

// TestTicket12Sealing: a TLS 1.2 ticket opens with what was sealed,
// byte for byte in version 5's layout; a plaintext cut short, or
// longer than its master secret, does not open.
func TestTicket12Sealing(t *testing.T) {
	c := &TLSConn{cfg: &Config{TicketKey: bytes.Repeat([]byte{1}, 32)}}
	s := &session12{version: VersionTLS12, suite: 0xc02f, created: time.UnixMilli(1_800_000_000_123), ems: true,
		master: bytes.Repeat([]byte{7}, 48), sidCtx: []byte{1, 0, 0, 0}, group: 0x001d, pskIdentity: []byte("id")}
	b, err := c.sealTicket12(s)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := c.openTicket12(b)
	if got == nil || got.version != s.version || got.suite != s.suite || !got.created.Equal(s.created) ||
		got.ems != s.ems || !bytes.Equal(got.master, s.master) || !bytes.Equal(got.sidCtx, s.sidCtx) ||
		got.group != s.group || !bytes.Equal(got.pskIdentity, s.pskIdentity) {
		t.Fatalf("opened %+v", got)
	}
	want := []byte{5, 0x03, 0x03, 0xc0, 0x2f, 0, 0, 1, 163, 24, 92, 80, 123, 1, 0x00, 0x1d,
		4, 1, 0, 0, 0, 0, 2, 'i', 'd'}
	want = append(want, s.master...)
	if plain, _, ok := c.openTicketPlain(b); !ok || !bytes.Equal(plain, want) {
		t.Errorf("sealed plaintext %x, want %x", plain, want)
	}
	a, _ := c.ticketAEAD()
	nonce := make([]byte, a.NonceSize())
	for n := range len(want) + 2 {
		p := append(slices.Clone(want), 7)[:n]
		if got, _ := c.openTicket12(a.Seal(nonce, nonce, p, nil)); (got != nil) != (n == len(want)) {
			t.Errorf("plaintext of %d bytes (of %d): opened %v", n, len(want), got != nil)
		}
	}
	// No PSK identity: nil, not empty.
	s.pskIdentity = nil
	if b, err = c.sealTicket12(s); err != nil {
		t.Fatal(err)
	}
	if got, _ := c.openTicket12(b); got == nil || got.pskIdentity != nil {
		t.Errorf("without a PSK identity: opened %+v", got)
	}
}
