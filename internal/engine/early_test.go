package engine

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/engine/alert"
	"github.com/tlskit/tlskit/internal/engine/kx"
	"github.com/tlskit/tlskit/internal/testpeer"
)

// earlyRun resumes tk against a fresh own server with scfg, the client
// sending early as 0-RTT data and then late after the handshake; the
// server echoes the first line it reads.
func earlyRun(t *testing.T, scfg *Config, tk Ticket, early, late string, ccfg *Config) (State, ownResult, string, error) {
	t.Helper()
	addr, res := ownServer(t, scfg)
	if ccfg == nil {
		ccfg = &Config{}
	}
	ccfg.Session, ccfg.EarlyData = &tk, []byte(early)
	conn := dialOwn(t, addr, ccfg)
	if err := conn.Handshake(); err != nil {
		r := <-res
		return conn.State(), r, "", err
	}
	if late != "" {
		conn.Write([]byte(late))
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	r := <-res
	return conn.State(), r, line, err
}

// TestEarlyDataOwnOwn runs 0-RTT between the own client and server:
// accepted, rejected by a server that does not read early data, by a
// HelloRetryRequest and by the anti-replay ledger; too much early data on
// either side.
func TestEarlyDataOwnOwn(t *testing.T) {
	id, _ := testIdentity(t, keysForTest(t)["ecdsa-p256"])
	base := func() *Config {
		return &Config{Identities: []Identity{id}, MaxEarlyData: 16384, AcceptEarlyData: true}
	}
	tickets := func(t *testing.T, scfg *Config) []Ticket {
		addr, res := ownServer(t, scfg)
		tks := firstTickets(t, addr, &Config{})
		<-res
		if tks[0].MaxEarlyData != scfg.MaxEarlyData {
			t.Fatalf("ticket max_early_data %d, want %d", tks[0].MaxEarlyData, scfg.MaxEarlyData)
		}
		return tks
	}

	t.Run("accepted", func(t *testing.T) {
		scfg := base()
		var clientKeys, serverKeys [][]byte
		tk := tickets(t, scfg)[0]
		scfg.KeyLog = func(label string, _, secret []byte) {
			if label == "CLIENT_EARLY_TRAFFIC_SECRET" {
				serverKeys = append(serverKeys, secret)
			}
		}
		var events []Event
		ccfg := &Config{
			KeyLog: func(label string, _, secret []byte) {
				if label == "CLIENT_EARLY_TRAFFIC_SECRET" {
					clientKeys = append(clientKeys, secret)
				}
			},
			OnEvent: func(e Event) { events = append(events, e) },
		}
		st, r, line, err := earlyRun(t, scfg, tk, "early ", "and late\n", ccfg)
		if err != nil || r.err != nil {
			t.Fatal(err, r.err)
		}
		if line != "early and late\n" || r.line != line {
			t.Errorf("echo %q, server read %q", line, r.line)
		}
		if st.EarlyData != EarlyDataAccepted || r.st.EarlyData != EarlyDataAccepted || r.st.EarlyDataLen != 6 || !r.st.Resumed {
			t.Errorf("client %v, server %v (%d bytes, resumed %v)", st.EarlyData, r.st.EarlyData, r.st.EarlyDataLen, r.st.Resumed)
		}
		if len(clientKeys) != 1 || len(serverKeys) != 1 || !bytes.Equal(clientKeys[0], serverKeys[0]) {
			t.Errorf("CLIENT_EARLY_TRAFFIC_SECRET client %x server %x", clientKeys, serverKeys)
		}
		// The client's events: ClientHello, CCS, the early data, …,
		// EndOfEarlyData before Finished.
		var seq []string
		for _, e := range events {
			if !e.Sent {
				continue
			}
			switch e.ContentType {
			case 22:
				seq = append(seq, map[byte]string{1: "CH", 5: "EOED", 20: "FIN"}[e.Data[0]])
			case 20:
				seq = append(seq, "CCS")
			case 23:
				seq = append(seq, "APP:"+string(e.Data))
			}
		}
		if got := fmtSeq(seq); got != "CH CCS APP:early  EOED FIN APP:and late\n" {
			t.Errorf("sent %q", got)
		}
	})

	t.Run("server does not read early data", func(t *testing.T) {
		scfg := base()
		scfg.AcceptEarlyData = false
		st, r, line, err := earlyRun(t, scfg, tickets(t, scfg)[0], "lost\n", "late\n", nil)
		if err != nil || r.err != nil {
			t.Fatal(err, r.err)
		}
		if line != "late\n" || st.EarlyData != EarlyDataRejected || r.st.EarlyData != EarlyDataRejected || !st.Resumed {
			t.Errorf("echo %q, client %v, server %v, resumed %v", line, st.EarlyData, r.st.EarlyData, st.Resumed)
		}
	})

	t.Run("hello retry", func(t *testing.T) {
		scfg := base()
		tk := tickets(t, scfg)[0]
		scfg.Groups = []uint16{kx.Secp256r1}
		st, r, line, err := earlyRun(t, scfg, tk, "lost\n", "late\n", nil)
		if err != nil || r.err != nil {
			t.Fatal(err, r.err)
		}
		if line != "late\n" || !st.HelloRetry || st.EarlyData != EarlyDataRejected || r.st.EarlyData != EarlyDataRejected || !st.Resumed {
			t.Errorf("echo %q, retry %v, client %v, server %v, resumed %v", line, st.HelloRetry, st.EarlyData, r.st.EarlyData, st.Resumed)
		}
		if r.st.FirstHelloTicket != TicketFound {
			t.Errorf("server's first ClientHello ticket %v, want found", r.st.FirstHelloTicket)
		}
	})

	t.Run("hello retry under anti-replay", func(t *testing.T) {
		// The first ClientHello uses the ticket up, so the second gets
		// a full handshake, as from openssl s_server 3.0 -early_data;
		// a replay finds the ticket in neither ClientHello.
		scfg := base()
		scfg.AntiReplay = &TicketLedger{}
		tk := tickets(t, scfg)[0]
		scfg.Groups = []uint16{kx.Secp256r1}
		for _, want := range []TicketLookup{TicketFound, TicketNotFound} {
			st, r, line, err := earlyRun(t, scfg, tk, "lost\n", "late\n", nil)
			if err != nil || r.err != nil {
				t.Fatal(err, r.err)
			}
			if line != "late\n" || !st.HelloRetry || st.EarlyData != EarlyDataRejected || r.st.EarlyData != EarlyDataRejected || st.Resumed || r.st.Resumed {
				t.Errorf("echo %q, retry %v, client %v, server %v, resumed %v", line, st.HelloRetry, st.EarlyData, r.st.EarlyData, st.Resumed)
			}
			if r.st.FirstHelloTicket != want {
				t.Errorf("server's first ClientHello ticket %v, want %v", r.st.FirstHelloTicket, want)
			}
		}
	})

	t.Run("hello retry with tickets not looked up", func(t *testing.T) {
		// Another server's ticket is no identity a server keeping its
		// tickets in a cache looks up, nor is it counted a miss there,
		// unless it has a session ID's 32 bytes (as openssl s_server
		// 3.0 under anti-replay counts, measured).
		other := base()
		other.TicketKey = bytes.Repeat([]byte{1}, ticketKeyLen)
		tk := tickets(t, other)[0]
		scfg := base()
		scfg.AntiReplay = &TicketLedger{}
		scfg.Groups = []uint16{kx.Secp256r1}
		id32 := tk
		id32.Ticket = bytes.Repeat([]byte{7}, 32)
		for _, tc := range []struct {
			tk   Ticket
			want TicketLookup
		}{{tk, TicketNotLookedUp}, {id32, TicketNotFound}} {
			st, r, line, err := earlyRun(t, scfg, tc.tk, "lost\n", "late\n", nil)
			if err != nil || r.err != nil {
				t.Fatal(err, r.err)
			}
			if line != "late\n" || !st.HelloRetry || st.Resumed || r.st.Resumed {
				t.Errorf("echo %q, retry %v, resumed %v", line, st.HelloRetry, st.Resumed)
			}
			if r.st.FirstHelloTicket != tc.want || r.st.HelloTicket != tc.want {
				t.Errorf("%d-byte identity: server's ClientHello tickets %v then %v, want %v", len(tc.tk.Ticket), r.st.FirstHelloTicket, r.st.HelloTicket, tc.want)
			}
		}
	})

	t.Run("anti-replay", func(t *testing.T) {
		scfg := base()
		scfg.AntiReplay = &TicketLedger{}
		tk := tickets(t, scfg)[0]
		st, r, _, err := earlyRun(t, scfg, tk, "first\n", "", nil)
		if err != nil || r.err != nil || st.EarlyData != EarlyDataAccepted || r.line != "first\n" {
			t.Fatalf("first use: %v %v %v %q", err, r.err, st.EarlyData, r.line)
		}
		st, r, line, err := earlyRun(t, scfg, tk, "again\n", "late\n", nil)
		if err != nil || r.err != nil {
			t.Fatal(err, r.err)
		}
		if st.Resumed || st.EarlyData != EarlyDataRejected || line != "late\n" {
			t.Errorf("replay: resumed %v, early %v, echo %q", st.Resumed, st.EarlyData, line)
		}
		// Without the ledger the same ticket resumes again with 0-RTT.
		scfg.AntiReplay = nil
		st, _, line, err = earlyRun(t, scfg, tk, "third\n", "", nil)
		if err != nil || !st.Resumed || st.EarlyData != EarlyDataAccepted || line != "third\n" {
			t.Errorf("no anti-replay: %v resumed %v early %v echo %q", err, st.Resumed, st.EarlyData, line)
		}
	})

	t.Run("server limit", func(t *testing.T) {
		scfg := base()
		scfg.RecvMaxEarlyData = 4
		_, r, _, err := earlyRun(t, scfg, tickets(t, scfg)[0], "12345\n", "", nil)
		var ae *AlertError
		if !errors.As(r.err, &ae) || !ae.Sent || ae.Description != alert.UnexpectedMessage || ae.Reason != "too much early data" || !errors.Is(r.err, ErrTooMuchEarlyData) {
			t.Errorf("server: %v", r.err)
		}
		// The client may be writing its Finished when the server's
		// alert and close arrive: the alert or a broken pipe.
		if err == nil || errors.As(err, &ae) && (ae.Sent || ae.Description != alert.UnexpectedMessage) {
			t.Errorf("client: %v", err)
		}
	})

	t.Run("client limit", func(t *testing.T) {
		scfg := base()
		scfg.MaxEarlyData = 4
		tk := tickets(t, scfg)[0]
		_, r, _, err := earlyRun(t, scfg, tk, "12345\n", "", nil)
		var ae *AlertError
		if !errors.As(err, &ae) || !ae.Sent || ae.Description != alert.InternalError || ae.Reason != "too much early data" || !errors.Is(err, ErrTooMuchEarlyData) {
			t.Errorf("client: %v", err)
		}
		if !errors.As(r.err, &ae) || ae.Sent || ae.Description != alert.InternalError {
			t.Errorf("server: %v", r.err)
		}
	})

	t.Run("accepted under another ALPN protocol", func(t *testing.T) {
		// A server that takes early data under a protocol other than
		// the ticket's (here: the client's ticket says "foo", the server
		// negotiates none) is illegal_parameter "bad extension", as
		// OpenSSL's client answers it. The alert goes under the early
		// key, where the server reads, with AlertsUnderHandshakeKey too.
		for _, hsKey := range []bool{false, true} {
			scfg := base()
			tk := tickets(t, scfg)[0]
			tk.ALPN = "foo"
			_, r, _, err := earlyRun(t, scfg, tk, "early\n", "", &Config{ALPN: []string{"foo"}, AlertsUnderHandshakeKey: hsKey})
			var ae *AlertError
			if !errors.As(err, &ae) || !ae.Sent || ae.Description != alert.IllegalParameter || ae.Reason != "bad extension" {
				t.Errorf("handshake key %v: client: %v", hsKey, err)
			}
			if !errors.As(r.err, &ae) || ae.Sent || ae.Description != alert.IllegalParameter {
				t.Errorf("handshake key %v: server: %v", hsKey, r.err)
			}
		}
	})

	t.Run("ticket without early data", func(t *testing.T) {
		scfg := base()
		scfg.MaxEarlyData = 0
		st, _, line, err := earlyRun(t, scfg, tickets(t, scfg)[0], "never\n", "late\n", nil)
		if err != nil || st.EarlyData != EarlyDataNotSent || line != "late\n" {
			t.Errorf("%v early %v echo %q", err, st.EarlyData, line)
		}
	})
}

func fmtSeq(s []string) string {
	var b bytes.Buffer
	for i, x := range s {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(x)
	}
	return b.String()
}

// TestEarlyDataOpenSSLClient: openssl s_client resumes a session of the
// own server with -early_data; the server reads the data as the start of
// the application data and openssl reports it accepted. A server that
// does not read early data makes openssl report it rejected.
func TestEarlyDataOpenSSLClient(t *testing.T) {
	pki := testpeer.NewPKI(t)
	openssl := testpeer.Need(t, "openssl")
	dir := t.TempDir()
	sess, early := filepath.Join(dir, "sess.pem"), filepath.Join(dir, "early.txt")
	os.WriteFile(early, []byte("zero rtt\n"), 0o600)
	for _, c := range []struct {
		name   string
		accept bool
		want   string
	}{{"accepted", true, "Early data was accepted"}, {"rejected", false, "Early data was rejected"}} {
		t.Run(c.name, func(t *testing.T) {
			cfg := &Config{Identities: []Identity{loadIdentity(t, pki.ECServer, pki.ECServerKey)},
				MaxEarlyData: 16384, AcceptEarlyData: c.accept}
			addr, res := ownServer(t, cfg)
			out, errOut, code := testpeer.Run(t, 20*time.Second, "first\n", openssl, "s_client", "-connect", addr,
				"-CAfile", pki.CA, "-servername", "localhost", "-ign_eof", "-sess_out", sess)
			if r := <-res; code != 0 || r.err != nil || !strings.Contains(out, "Max Early Data: 16384") {
				t.Fatalf("first: exit %d, server %v\n%s\n%s", code, r.err, out, errOut)
			}
			addr, res = ownServer(t, cfg)
			stdin := ""
			if !c.accept {
				stdin = "late\n"
			}
			out, errOut, code = testpeer.Run(t, 20*time.Second, stdin, openssl, "s_client", "-connect", addr,
				"-CAfile", pki.CA, "-servername", "localhost", "-ign_eof", "-sess_in", sess, "-early_data", early)
			r := <-res
			if code != 0 || r.err != nil || !strings.Contains(out, c.want) || !strings.Contains(out, "Reused, TLSv1.3") {
				t.Fatalf("exit %d, server %v\n%s\n%s", code, r.err, out, errOut)
			}
			wantLine, wantStatus := "zero rtt\n", EarlyDataAccepted
			if !c.accept {
				wantLine, wantStatus = "late\n", EarlyDataRejected
			}
			if r.line != wantLine || r.st.EarlyData != wantStatus {
				t.Errorf("server read %q, status %v", r.line, r.st.EarlyData)
			}
		})
	}
}

// TestEarlyDataOpenSSLServer: the own client resumes with openssl
// s_server -early_data, which prints the data as early data; a replayed
// ticket gets a full handshake under openssl's anti-replay, and
// -max_early_data 0 sends tickets without early data.
func TestEarlyDataOpenSSLServer(t *testing.T) {
	pki := testpeer.NewPKI(t)
	srv := testpeer.OpenSSLServer(t, "-cert", pki.ECServer, "-key", pki.ECServerKey, "-early_data")
	tks := opensslTickets(t, srv.Addr)
	if tks[0].MaxEarlyData != 16384 {
		t.Fatalf("openssl's ticket allows %d bytes of early data", tks[0].MaxEarlyData)
	}
	run := func(tk Ticket) State {
		conn := dialOwn(t, srv.Addr, &Config{ServerName: "localhost", Session: &tk, EarlyData: []byte("zero rtt\n")})
		if err := conn.Handshake(); err != nil {
			t.Fatal(err)
		}
		st := conn.State()
		conn.Close()
		return st
	}
	if st := run(tks[0]); st.EarlyData != EarlyDataAccepted || !st.Resumed {
		t.Fatalf("early data %v, resumed %v", st.EarlyData, st.Resumed)
	}
	// openssl writes the data itself unbuffered, its own lines through a
	// buffer: through a pipe they come out of order.
	for _, w := range []string{"Early data received:\n", "zero rtt\n", "\nEnd of early data\n"} {
		waitOutput(t, srv, w)
	}
	if st := run(tks[0]); st.EarlyData != EarlyDataRejected || st.Resumed {
		t.Fatalf("replay: early data %v, resumed %v", st.EarlyData, st.Resumed)
	}
	waitOutput(t, srv, "Early data was rejected\n")
}

// opensslTickets makes a full handshake with a server that does not
// answer and returns the first ticket it sends.
func opensslTickets(t *testing.T, addr string) []Ticket {
	t.Helper()
	got := make(chan Ticket, 4)
	conn := dialOwn(t, addr, &Config{ServerName: "localhost", OnTicket: func(tk Ticket) { got <- tk }})
	go conn.Read(make([]byte, 1))
	select {
	case tk := <-got:
		conn.Close()
		return []Ticket{tk}
	case <-time.After(10 * time.Second):
		t.Fatal("no ticket")
	}
	return nil
}

// TestEarlyDataALPNOpenSSLServer: a ticket keeps the ALPN protocol of its
// connection; early data under it with a list that lacks that protocol
// fails before the ClientHello, internal_error "inconsistent early data
// alpn", as openssl s_client 3.0 fails (measured: -alpn bar -sess_in of
// a session that negotiated foo, -early_data: "Error writing early
// data", SSL routines "inconsistent early data alpn"); with the protocol
// offered openssl s_server takes the data.
func TestEarlyDataALPNOpenSSLServer(t *testing.T) {
	pki := testpeer.NewPKI(t)
	srv := testpeer.OpenSSLServer(t, "-cert", pki.ECServer, "-key", pki.ECServerKey, "-early_data", "-alpn", "foo,bar")
	got := make(chan Ticket, 4)
	first := dialOwn(t, srv.Addr, &Config{ServerName: "localhost", ALPN: []string{"foo"}, OnTicket: func(tk Ticket) { got <- tk }})
	go first.Read(make([]byte, 1))
	var tk Ticket
	select {
	case tk = <-got:
		first.Close()
	case <-time.After(10 * time.Second):
		t.Fatal("no ticket")
	}
	if tk.ALPN != "foo" || tk.MaxEarlyData == 0 {
		t.Fatalf("ticket ALPN %q, max_early_data %d; want foo and early data", tk.ALPN, tk.MaxEarlyData)
	}
	conn := dialOwn(t, srv.Addr, &Config{ServerName: "localhost", ALPN: []string{"bar"}, Session: &tk, EarlyData: []byte("zero rtt\n")})
	var ae *AlertError
	if err := conn.Handshake(); !errors.As(err, &ae) || !ae.Sent || ae.Description != alert.InternalError || ae.Reason != "inconsistent early data alpn" || !errors.Is(err, ErrEarlyDataALPN) {
		t.Fatalf("early data under another protocol: %v", err)
	}
	conn = dialOwn(t, srv.Addr, &Config{ServerName: "localhost", ALPN: []string{"bar", "foo"}, Session: &tk, EarlyData: []byte("zero rtt\n")})
	if err := conn.Handshake(); err != nil {
		t.Fatal(err)
	}
	if st := conn.State(); st.EarlyData != EarlyDataAccepted || st.ALPN != "foo" {
		t.Fatalf("early data %v, ALPN %q; want accepted under foo", st.EarlyData, st.ALPN)
	}
	waitOutput(t, srv, "zero rtt\n")
}

// TestEarlyDataSNIOpenSSLServer: a ticket keeps the server name the
// server acknowledged (openssl s_server -servername with -cert2 does);
// early data under it with another name, or none, fails before the
// ClientHello, internal_error "inconsistent early data sni", as openssl
// s_client 3.0 fails (measured: -sess_in of a session made under
// example.com, -early_data, -servername other.com, none, or
// -noservername); under the same name openssl s_server takes the data. A
// server that acknowledges no name leaves the ticket's empty.
func TestEarlyDataSNIOpenSSLServer(t *testing.T) {
	pki := testpeer.NewPKI(t)
	keys := []string{"-cert", pki.ECServer, "-key", pki.ECServerKey, "-early_data"}
	srv := testpeer.OpenSSLServer(t, append(keys, "-servername", "example.com", "-cert2", pki.ECServer, "-key2", pki.ECServerKey)...)
	plain := testpeer.OpenSSLServer(t, keys...)
	ticket := func(addr string) Ticket {
		t.Helper()
		got := make(chan Ticket, 4)
		first := dialOwn(t, addr, &Config{ServerName: "example.com", OnTicket: func(tk Ticket) { got <- tk }})
		defer first.Close()
		go first.Read(make([]byte, 1))
		select {
		case tk := <-got:
			return tk
		case <-time.After(10 * time.Second):
			t.Fatal("no ticket")
		}
		return Ticket{}
	}
	if tk := ticket(plain.Addr); tk.ServerName != "" {
		t.Errorf("ticket of a server that acknowledged no name has %q", tk.ServerName)
	}
	tk := ticket(srv.Addr)
	if tk.ServerName != "example.com" || tk.MaxEarlyData == 0 {
		t.Fatalf("ticket server name %q, max_early_data %d; want example.com and early data", tk.ServerName, tk.MaxEarlyData)
	}
	for _, name := range []string{"other.com", ""} {
		conn := dialOwn(t, srv.Addr, &Config{ServerName: name, Session: &tk, EarlyData: []byte("zero rtt\n")})
		var ae *AlertError
		if err := conn.Handshake(); !errors.As(err, &ae) || !ae.Sent || ae.Description != alert.InternalError || ae.Reason != "inconsistent early data sni" || !errors.Is(err, ErrEarlyDataSNI) {
			t.Fatalf("early data under name %q: %v", name, err)
		}
	}
	conn := dialOwn(t, srv.Addr, &Config{ServerName: "example.com", Session: &tk, EarlyData: []byte("zero rtt\n")})
	if err := conn.Handshake(); err != nil {
		t.Fatal(err)
	}
	if st := conn.State(); st.EarlyData != EarlyDataAccepted {
		t.Fatalf("early data %v under the session's name; want accepted", st.EarlyData)
	}
	waitOutput(t, srv, "zero rtt\n")
}

// TestMaxEarlyDataLikeOpenSSL: a server holds 0-RTT data to its tickets'
// max_early_data, as openssl s_server -early_data -max_early_data 14336
// (BoringSSL's server's limit, the BoGo shim's) does: a client whose
// ticket was made to allow more gets 14336 bytes taken and 14337 answered
// with unexpected_message, from both servers.
func TestMaxEarlyDataLikeOpenSSL(t *testing.T) {
	pki := testpeer.NewPKI(t)
	scfg := &Config{Identities: []Identity{loadIdentity(t, pki.ECServer, pki.ECServerKey)},
		MaxEarlyData: 14336, AcceptEarlyData: true}
	own, _ := ownServerMany(t, scfg)
	srv := testpeer.OpenSSLServer(t, "-cert", pki.ECServer, "-key", pki.ECServerKey, "-early_data", "-max_early_data", "14336")
	for _, peer := range []struct{ name, addr string }{{"openssl", srv.Addr}, {"own", own}} {
		for _, n := range []int{14336, 14337} {
			tk := opensslTickets(t, peer.addr)[0]
			if tk.MaxEarlyData != 14336 {
				t.Fatalf("%s: ticket allows %d bytes", peer.name, tk.MaxEarlyData)
			}
			tk.MaxEarlyData = 16384
			conn := dialOwn(t, peer.addr, &Config{ServerName: "localhost", Session: &tk, EarlyData: bytes.Repeat([]byte{'a'}, n)})
			err := conn.Handshake()
			if st := conn.State(); err == nil && st.EarlyData != EarlyDataAccepted {
				t.Errorf("%s, %d bytes: early data %v", peer.name, n, st.EarlyData)
			}
			if n > 14336 && err == nil {
				_, err = conn.Read(make([]byte, 1))
			}
			conn.Close()
			var ae *AlertError
			if n <= 14336 && err != nil {
				t.Errorf("%s, %d bytes: %v", peer.name, n, err)
			}
			if n > 14336 && (!errors.As(err, &ae) || ae.Sent || ae.Description != alert.UnexpectedMessage) {
				t.Errorf("%s, %d bytes: %v, want unexpected_message received", peer.name, n, err)
			}
		}
	}
}
