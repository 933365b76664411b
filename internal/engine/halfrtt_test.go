package engine

import (
	"bufio"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/testpeer"
)

// halfRTTResult is what halfRTTServer's connection saw.
type halfRTTResult struct {
	early string // the 0-RTT data ReadEarlyData returned
	line  string // the first line Read returned after it
	st    State
	err   error
}

// halfRTTServer serves one connection the way openssl's
// SSL_read_early_data loop does: each piece of 0-RTT data is answered at
// once with WriteEarlyData ("half: " and the data), before the client's
// Finished; then the handshake ends and the first line read is echoed.
func halfRTTServer(t *testing.T, cfg *Config) (string, <-chan halfRTTResult) {
	t.Helper()
	res := make(chan halfRTTResult, 1)
	addr := testpeer.ServeOne(t, 20*time.Second, func(c net.Conn) {
		s := Server(c, cfg)
		defer s.Close()
		var r halfRTTResult
		defer func() { r.st = s.State(); res <- r }()
		buf := make([]byte, 100)
		for {
			n, err := s.ReadEarlyData(buf)
			if err == io.EOF {
				break
			}
			if err != nil {
				r.err = err
				return
			}
			r.early += string(buf[:n])
			if _, r.err = s.WriteEarlyData([]byte("half: " + string(buf[:n]))); r.err != nil {
				return
			}
		}
		if _, err := s.WriteEarlyData([]byte("too late")); !errors.Is(err, ErrNotEarly) {
			r.err = errors.New("WriteEarlyData after the 0-RTT phase did not fail")
			return
		}
		if r.err = s.Handshake(); r.err != nil {
			return
		}
		if r.line, r.err = bufio.NewReader(s).ReadString('\n'); r.err != nil {
			return
		}
		_, r.err = s.Write([]byte("echo: " + r.line))
	})
	return addr, res
}

// within receives from ch, failing the test when nothing comes within d
// (a server whose client never connected).
func within[T any](t *testing.T, ch <-chan T, d time.Duration) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(d):
		t.Fatalf("no result within %v", d)
		panic("unreachable")
	}
}

// TestHalfRTTOwnOwn: a server answers the own client's 0-RTT data with
// half-RTT data (RFC 8446 §2.3) before the client's Finished: the client
// reads the answer first, then the echo of what it sent after the
// handshake. Without early data ReadEarlyData is io.EOF at once, with the
// handshake done.
func TestHalfRTTOwnOwn(t *testing.T) {
	id, _ := testIdentity(t, keysForTest(t)["ecdsa-p256"])
	scfg := &Config{Identities: []Identity{id}, MaxEarlyData: 16384, AcceptEarlyData: true}
	addr, res := ownServer(t, scfg)
	tk := firstTickets(t, addr, &Config{})[0]
	within(t, res, 30*time.Second)
	for _, c := range []struct {
		name        string
		early, want string
	}{{"accepted", "zero rtt\n", "half: zero rtt\n"}, {"none", "", ""}} {
		t.Run(c.name, func(t *testing.T) {
			addr, res := halfRTTServer(t, scfg)
			ccfg := &Config{}
			if c.early != "" {
				tk := tk
				ccfg.Session, ccfg.EarlyData = &tk, []byte(c.early)
			}
			conn := dialOwn(t, addr, ccfg)
			defer conn.Close()
			if err := conn.Handshake(); err != nil {
				t.Fatal(err)
			}
			conn.Write([]byte("late\n"))
			br := bufio.NewReader(conn)
			if c.want != "" {
				if got, err := br.ReadString('\n'); got != c.want {
					t.Fatalf("half-RTT data %q (%v), want %q", got, err, c.want)
				}
			}
			if got, err := br.ReadString('\n'); got != "echo: late\n" {
				t.Fatalf("read %q (%v) after the handshake", got, err)
			}
			r := within(t, res, 30*time.Second)
			if r.err != nil || r.early != c.early || r.line != "late\n" || !r.st.HandshakeComplete {
				t.Fatalf("server: %+v", r)
			}
			if (c.early != "") != (r.st.EarlyData == EarlyDataAccepted) {
				t.Fatalf("server: early data %v", r.st.EarlyData)
			}
		})
	}
}

// TestHalfRTTOpenSSLClient: openssl s_client -early_data resumes with
// the own server, which answers the 0-RTT data before the client's
// Finished; openssl prints the answer, reports the early data accepted,
// and its line after the handshake is echoed.
func TestHalfRTTOpenSSLClient(t *testing.T) {
	pki := testpeer.NewPKI(t)
	openssl := testpeer.Need(t, "openssl")
	dir := t.TempDir()
	sess, early := filepath.Join(dir, "sess.pem"), filepath.Join(dir, "early.txt")
	if err := os.WriteFile(early, []byte("zero rtt\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := &Config{Identities: []Identity{loadIdentity(t, pki.ECServer, pki.ECServerKey)},
		MaxEarlyData: 16384, AcceptEarlyData: true}
	addr, res := ownServer(t, cfg)
	out, errOut, code := testpeer.Run(t, 20*time.Second, "first\n", openssl, "s_client", "-connect", addr,
		"-CAfile", pki.CA, "-servername", "localhost", "-ign_eof", "-sess_out", sess)
	if r := within(t, res, 30*time.Second); code != 0 || r.err != nil {
		t.Fatalf("first: exit %d, server %v\n%s\n%s", code, r.err, out, errOut)
	}
	addr, hres := halfRTTServer(t, cfg)
	out, errOut, code = testpeer.Run(t, 20*time.Second, "late\n", openssl, "s_client", "-connect", addr,
		"-CAfile", pki.CA, "-servername", "localhost", "-ign_eof", "-sess_in", sess, "-early_data", early)
	r := within(t, hres, 30*time.Second)
	if code != 0 || r.err != nil || !strings.Contains(out, "Early data was accepted") || !strings.Contains(out, "Reused, TLSv1.3") {
		t.Fatalf("exit %d, server %v\n%s\n%s", code, r.err, out, errOut)
	}
	if !strings.Contains(out, "half: zero rtt\n") || !strings.Contains(out, "echo: late\n") {
		t.Fatalf("openssl printed no half-RTT answer or echo:\n%s", out)
	}
	if r.early != "zero rtt\n" || r.line != "late\n" || r.st.EarlyDataLen != len("zero rtt\n") {
		t.Fatalf("server: %+v", r)
	}
}

// TestTicketAgeWindow: the ages ticketAgeOK lets through, around a
// ticket 12.3 s old (openssl's whole seconds: 12, plus one): up to 13 s
// told, down to 3 s.
func TestTicketAgeWindow(t *testing.T) {
	created := time.Unix(1000, 300e6)
	now := created.Add(12 * time.Second)
	const ageAdd = 0xfffff000 // the obfuscated age wraps
	for _, c := range []struct {
		told time.Duration
		ok   bool
	}{{12300 * time.Millisecond, true}, {13 * time.Second, true}, {13001 * time.Millisecond, false},
		{3 * time.Second, true}, {2999 * time.Millisecond, false}, {0, false}, {time.Hour, false}} {
		if got := ticketAgeOK(uint32(c.told/time.Millisecond)+ageAdd, ageAdd, created, now); got != c.ok {
			t.Errorf("told %v: %v, want %v", c.told, got, c.ok)
		}
	}
	if ticketAgeOK(ageAdd, ageAdd, now, created) {
		t.Error("a ticket made after now was taken")
	}
}

// TestTicketAgeLikeOpenSSL: a client telling its ticket's age 0.1 s too
// old gets its 0-RTT data taken, 2 s too old a resumption without, from
// openssl s_server -early_data and the own server alike (a client's clock
// running ahead, Config.Time). The lower bound takes waiting ten seconds:
// TestTicketAgeWindow has it as measured.
func TestTicketAgeLikeOpenSSL(t *testing.T) {
	pki := testpeer.NewPKI(t)
	id := loadIdentity(t, pki.ECServer, pki.ECServerKey)
	for _, c := range []struct {
		skew time.Duration
		want EarlyDataStatus
	}{{0, EarlyDataAccepted}, {100 * time.Millisecond, EarlyDataAccepted}, {2 * time.Second, EarlyDataRejected}} {
		// The small skew is taken while the real time from the ticket
		// to the resumption stays under 0.9 s (the server counts whole
		// seconds and allows one more): 0.5 s could fail on a loaded
		// machine.
		srv := testpeer.OpenSSLServer(t, "-cert", pki.ECServer, "-key", pki.ECServerKey, "-early_data")
		scfg := &Config{Identities: []Identity{id}, MaxEarlyData: 16384, AcceptEarlyData: true}
		own, res := ownServer(t, scfg)
		ownTk := firstTickets(t, own, &Config{})[0]
		within(t, res, 30*time.Second)
		own, res = ownServer(t, scfg)
		for _, peer := range []struct {
			name, addr string
			tk         Ticket
		}{{"openssl", srv.Addr, opensslTickets(t, srv.Addr)[0]}, {"own", own, ownTk}} {
			skew := c.skew
			conn := dialOwn(t, peer.addr, &Config{ServerName: "localhost", Session: &peer.tk, EarlyData: []byte("x\n"),
				Time: func() time.Time { return time.Now().Add(skew) }})
			err := conn.Handshake()
			st := conn.State()
			conn.Close()
			if err != nil || !st.Resumed || st.EarlyData != c.want {
				t.Errorf("%s, age %v too old: %v, resumed %v, early data %v, want %v", peer.name, skew, err, st.Resumed, st.EarlyData, c.want)
			}
		}
		within(t, res, 30*time.Second)
	}
}
