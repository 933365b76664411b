package engine

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/testpeer"
)

// TestServerNoSessionCache: a server with NoSessionCache, as openssl
// s_server 3.0 -no_cache measured: a TLS 1.2 client without tickets gets
// an empty session ID and a full handshake each time; tickets still
// resume; TLS 1.3 stateless tickets resume, stateful ones and those
// under AntiReplay do not.
func TestServerNoSessionCache(t *testing.T) {
	pki := testpeer.NewPKI(t)
	openssl := testpeer.Need(t, "openssl")
	ecID := loadIdentity(t, pki.ECServer, pki.ECServerKey)
	base := []string{"s_client", "-CAfile", pki.CA, "-servername", "localhost"}
	emptyID := regexp.MustCompile(`(?m)^    Session-ID: $`)
	for _, c := range []struct {
		name         string
		args         []string
		reused, news int
	}{
		{"session ID", []string{"-tls1_2", "-reconnect", "-no_ticket"}, 0, 6},
		{"ticket", []string{"-tls1_2", "-reconnect"}, 5, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			addr, m := ownServerMany(t, &Config{MinVersion: VersionTLS10, MaxVersion: VersionTLS13, Identities: []Identity{ecID}, NoSessionCache: true})
			out, errOut, code := testpeer.Run(t, 30*time.Second, "", openssl, append(append(base, "-connect", addr), c.args...)...)
			if code != 0 || strings.Count(out, "Reused, TLSv1.2,") != c.reused || strings.Count(out, "New, TLSv1.2,") != c.news {
				t.Fatalf("openssl exit %d, want %d Reused and %d New:\n%s\n%s", code, c.reused, c.news, out, errOut)
			}
			if c.reused == 0 && len(emptyID.FindAllString(out, -1)) != 6 {
				t.Errorf("want six empty Session-ID lines:\n%s", out)
			}
			sts, errs := m.results(6)
			resumed := 0
			for i, st := range sts {
				if errs[i] == nil && st.Resumed {
					resumed++
				}
			}
			if resumed != c.reused || len(sts) != 6 {
				t.Errorf("own server resumed %d of %d, want %d", resumed, len(sts), c.reused)
			}
		})
	}
	for _, c := range []struct {
		name    string
		cfg     Config
		resumed bool
	}{
		{"tls13 stateless", Config{}, true},
		{"tls13 stateful", Config{StatefulTickets: true}, false},
		{"tls13 anti-replay", Config{MaxEarlyData: 16384, AcceptEarlyData: true, AntiReplay: &TicketLedger{}}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := c.cfg
			cfg.MinVersion, cfg.MaxVersion, cfg.Identities, cfg.NoSessionCache = VersionTLS10, VersionTLS13, []Identity{ecID}, true
			addr, m := ownServerMany(t, &cfg)
			sess := filepath.Join(t.TempDir(), "sess.pem")
			// Both tickets in (they come before the echo) before the client
			// ends.
			cl := testpeer.OpenSSLClient(t, addr, append(base[1:], "-sess_out", sess)...)
			cl.SendRead(t, "line\n", 10*time.Second)
			testpeer.WaitOutput(t, cl.Output, "\nline\n", 10*time.Second)
			cl.CloseInput()
			if out, _ := cl.Wait(t, 10*time.Second); !strings.Contains(out, "New, TLSv1.3") || strings.Count(out, "Post-Handshake New Session Ticket arrived") != 2 {
				t.Fatalf("first:\n%s", out)
			}
			want := "New, TLSv1.3"
			if c.resumed {
				want = "Reused, TLSv1.3"
			}
			out, errOut, code := testpeer.Run(t, 20*time.Second, "", openssl, append(base, "-connect", addr, "-sess_in", sess)...)
			if code != 0 || !strings.Contains(out, want) {
				t.Fatalf("second: exit %d, want %q\n%s\n%s", code, want, out, errOut)
			}
			want13 := TicketFound
			if !c.resumed {
				want13 = TicketNotFound // a miss in openssl's statistics
			}
			sts, _ := m.results(2)
			if len(sts) != 2 || sts[1].Resumed != c.resumed || sts[1].HelloTicket != want13 {
				t.Errorf("own server states %+v", sts)
			}
		})
	}
}
