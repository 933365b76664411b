package engine

import (
	"bufio"
	"testing"
)

// TestSessionContext: a server's sessions resume only under the session
// context they were made in (OpenSSL's sid_ctx, s_server's -context):
// TLS 1.3 tickets, TLS 1.2 tickets and the TLS 1.2 session-ID cache.
func TestSessionContext(t *testing.T) {
	id, _ := testIdentity(t, keysForTest(t)["ecdsa-p256"])
	server := func(ctx string) *Config {
		return &Config{Identities: []Identity{id}, SessionContext: []byte(ctx), MinVersion: VersionTLS12, MaxVersion: VersionTLS13}
	}
	// run makes one connection with an echo and returns the client's state.
	run := func(t *testing.T, scfg, ccfg *Config) State {
		t.Helper()
		addr, res := ownServer(t, scfg)
		conn := dialOwn(t, addr, ccfg)
		conn.Write([]byte("x\n"))
		if _, err := bufio.NewReader(conn).ReadString('\n'); err != nil {
			t.Fatal(err)
		}
		if r := <-res; r.err != nil {
			t.Fatal(r.err)
		}
		st := conn.State()
		conn.Close()
		return st
	}
	for _, c := range []struct {
		name  string
		first *Config
		again func(State) *Config
	}{
		{"TLS 1.3 ticket", &Config{}, func(st State) *Config { return &Config{Session: &st.Tickets[0]} }},
		{"TLS 1.2 ticket", &Config{MinVersion: VersionTLS12, MaxVersion: VersionTLS12},
			func(st State) *Config {
				return &Config{MinVersion: VersionTLS12, MaxVersion: VersionTLS12, Session12: st.Session12}
			}},
		{"TLS 1.2 session ID", &Config{MinVersion: VersionTLS12, MaxVersion: VersionTLS12, NoTicket: true},
			func(st State) *Config {
				return &Config{MinVersion: VersionTLS12, MaxVersion: VersionTLS12, NoTicket: true, Session12: st.Session12}
			}},
	} {
		t.Run(c.name, func(t *testing.T) {
			first := run(t, server("one"), c.first)
			if first.Resumed {
				t.Fatal("the first handshake resumed")
			}
			// A ticket or state that arrives after the echo is read: wait
			// for the TLS 1.3 ticket the client has by then.
			if c.first.MaxVersion == 0 && len(first.Tickets) == 0 {
				t.Fatal("no ticket")
			}
			if st := run(t, server("two"), c.again(first)); st.Resumed {
				t.Error("resumed under another session context")
			}
			if st := run(t, server("one"), c.again(first)); !st.Resumed {
				t.Error("not resumed under the same session context")
			}
		})
	}
}
