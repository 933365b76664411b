package engine

import (
	"bytes"
	"crypto/tls"
	"testing"

	"github.com/tlskit/tlskit/internal/engine/suites"
	"github.com/tlskit/tlskit/internal/testpeer"
)

// TestClient12Resumption resumes TLS 1.2 sessions with openssl s_server:
// by session ID under -no_ticket, by RFC 5077 ticket otherwise, and
// falls back to a full handshake when a fresh server cannot know the
// session.
func TestClient12Resumption(t *testing.T) {
	pki := testpeer.NewPKI(t)
	for _, c := range []struct {
		name   string
		server []string
		cfg    Config
		ticket bool
	}{
		{"session id", []string{"-no_ticket"}, Config{NoTicket: true}, false},
		{"session id, client offers tickets", []string{"-no_ticket"}, Config{}, false},
		{"ticket", nil, Config{}, true},
		{"ticket CBC", []string{"-cipher", "ECDHE-RSA-AES128-SHA256"}, Config{}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			args := append([]string{"-tls1_2", "-rev", "-naccept", "3", "-cert", pki.Server, "-key", pki.ServerKey}, c.server...)
			srv := testpeer.OpenSSLServer(t, args...)
			cfg := all12(c.cfg)
			cfg.VerifyPeer = verifyWith(t, pki.CA)
			conn := dialOwn(t, srv.Addr, &cfg)
			if got := echoLine(t, conn, "first"); got != "tsrif" {
				t.Fatalf("echo %q", got)
			}
			first := conn.State()
			conn.Close()
			sess := first.Session12
			if sess == nil {
				t.Fatal("no session to resume")
			}
			if (len(sess.Ticket) > 0) != c.ticket || (!c.ticket && len(sess.SessionID) == 0) {
				t.Fatalf("session: ticket %d bytes, id %x", len(sess.Ticket), sess.SessionID)
			}
			for i := 0; i < 2; i++ {
				cfg2 := cfg
				cfg2.Session12 = sess
				conn2 := dialOwn(t, srv.Addr, &cfg2)
				if got := echoLine(t, conn2, "again"); got != "niaga" {
					t.Fatalf("echo %q", got)
				}
				st := conn2.State()
				conn2.Close()
				if !st.Resumed || st.Suite != first.Suite || !bytes.Equal(st.MasterSecret, sess.MasterSecret) {
					t.Fatalf("resumption %d: resumed %v suite %x", i, st.Resumed, st.Suite)
				}
				if len(st.PeerChain) == 0 {
					t.Error("resumed session lost the peer chain")
				}
				if st.Session12 != nil {
					sess = st.Session12
				}
			}
			waitOutput(t, srv, "2 session cache hits")
		})
	}
	t.Run("unknown session: full handshake", func(t *testing.T) {
		srv := testpeer.OpenSSLServer(t, "-tls1_2", "-rev", "-naccept", "1", "-cert", pki.Server, "-key", pki.ServerKey)
		cfg := all12(Config{Session12: &Session12{Version: VersionTLS12, Suite: suites.ECDHERSAAES256GCMSHA384,
			SessionID: bytes.Repeat([]byte{1}, 32), Ticket: []byte("not a ticket of this server"), MasterSecret: make([]byte, 48),
			ExtendedMasterSecret: true}})
		conn := dialOwn(t, srv.Addr, &cfg)
		if got := echoLine(t, conn, "full"); got != "lluf" {
			t.Fatalf("echo %q", got)
		}
		if st := conn.State(); st.Resumed {
			t.Error("resumed an unknown session")
		}
	})
}

// TestClient12ResumeCryptoTLS resumes with a crypto/tls server's ticket.
func TestClient12ResumeCryptoTLS(t *testing.T) {
	ks := keysForTest(t)
	_, goCert := testIdentity(t, ks["ecdsa-p256"])
	scfg := &tls.Config{Certificates: []tls.Certificate{goCert}, MaxVersion: tls.VersionTLS12}
	addr, res := goServer(t, scfg)
	cfg := all12(Config{})
	conn := dialOwn(t, addr, &cfg)
	echo12(t, conn)
	conn.CloseWrite()
	if r := <-res; r.err != nil {
		t.Fatal(r.err)
	}
	sess := conn.State().Session12
	if sess == nil || len(sess.Ticket) == 0 {
		t.Fatal("no ticket from crypto/tls")
	}
	addr2, res2 := goServer(t, scfg)
	cfg.Session12 = sess
	conn2 := dialOwn(t, addr2, &cfg)
	echo12(t, conn2)
	ekm, err := conn2.ExportKeyingMaterial("EXPERIMENTAL tlskit", []byte("ctx"), 32)
	if err != nil {
		t.Fatal(err)
	}
	conn2.CloseWrite()
	r := <-res2
	if r.err != nil {
		t.Fatal(r.err)
	}
	if !conn2.State().Resumed || !r.st.DidResume {
		t.Errorf("resumed: own %v, crypto/tls %v", conn2.State().Resumed, r.st.DidResume)
	}
	if !bytes.Equal(ekm, r.ekm) {
		t.Error("exporter differs after resumption")
	}
}
