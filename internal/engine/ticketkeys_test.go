package engine

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/testpeer"
)

// TestTicketKeysOpenSSLClient: Config.TicketKeys keys the own server's
// tickets as OpenSSL's ticket key callback does, checked with openssl
// s_client -sess_out then -sess_in at TLS 1.2 and 1.3: the ticket starts
// with the key's name and resumes; a name Find does not know is a full
// handshake; renew brings a new ticket in a TLS 1.2 abbreviated
// handshake (RFC 5077 §3.3); New declining issues an empty TLS 1.2
// ticket and no TLS 1.3 one.
func TestTicketKeysOpenSSLClient(t *testing.T) {
	pki := testpeer.NewPKI(t)
	openssl := testpeer.Need(t, "openssl")
	name, key := []byte("tlskit ticketkey"), make([]byte, 32)
	const nameHex = "74 6c 73 6b 69 74 20 74-69 63 6b 65 74 6b 65 79"
	for _, v := range []string{"-tls1_2", "-tls1_3"} {
		for _, c := range []struct {
			mode                string
			renew, skip, forget bool
		}{{mode: "resumes"}, {mode: "renews", renew: true}, {mode: "declines", skip: true}, {mode: "forgets", forget: true}} {
			t.Run(v+" "+c.mode, func(t *testing.T) {
				cfg := &Config{Identities: []Identity{loadIdentity(t, pki.ECServer, pki.ECServerKey)}, NumTickets: 1, MinVersion: VersionTLS12,
					TicketKeys: &TicketKeyHooks{
						New: func() ([]byte, []byte, bool) { return name, key, !c.skip },
						Find: func(n []byte) ([]byte, bool, bool) {
							return key, c.renew, string(n) == string(name) && !c.forget
						},
					}}
				sess := filepath.Join(t.TempDir(), "sess.pem")
				run := func(args ...string) string {
					addr, res := ownServer(t, cfg)
					out, errOut, code := testpeer.Run(t, 20*time.Second, "line\n", openssl, append([]string{"s_client",
						"-connect", addr, "-CAfile", pki.CA, "-servername", "localhost", "-ign_eof", "-msg", v}, args...)...)
					if r := <-res; code != 0 || r.err != nil {
						t.Fatalf("exit %d, server %v\n%s\n%s", code, r.err, out, errOut)
					}
					return out
				}
				out := run("-sess_out", sess)
				nst := strings.Count(out, "NewSessionTicket")
				switch {
				case c.skip && v == "-tls1_2":
					if !strings.Contains(out, "[length 000a], NewSessionTicket") {
						t.Fatalf("no empty ticket:\n%s", out)
					}
					return
				case c.skip:
					if nst != 0 {
						t.Fatalf("a ticket was issued:\n%s", out)
					}
					return
				case nst == 0 || !strings.Contains(out, "0000 - "+nameHex):
					t.Fatalf("no ticket starting with the key's name:\n%s", out)
				}
				out = run("-sess_in", sess)
				reused := strings.Contains(out, "Reused, TLSv1.")
				if reused == c.forget {
					t.Fatalf("reused %v:\n%s", reused, out)
				}
				if v == "-tls1_2" && !c.forget && strings.Contains(out, "NewSessionTicket") != c.renew {
					t.Fatalf("a renewed ticket %v, want %v:\n%s", !c.renew, c.renew, out)
				}
			})
		}
	}
}

// TestTicketKeyLength: a ticket key is 32 bytes (AES-256-GCM), from
// Config.TicketKey or TicketKeyHooks; 16 or 24 bytes, which AES would
// take for a weaker cipher, seal no ticket and open none.
func TestTicketKeyLength(t *testing.T) {
	name := []byte("tlskit ticketkey")
	for _, n := range []int{0, 16, 24, 31, 32, 33, 48} {
		key := make([]byte, n)
		hooks := &Config{TicketKeys: &TicketKeyHooks{
			New:  func() ([]byte, []byte, bool) { return name, key, true },
			Find: func([]byte) ([]byte, bool, bool) { return key, false, true },
		}}
		for _, cfg := range []*Config{{TicketKey: key}, hooks} {
			c := &TLSConn{cfg: cfg}
			_, err := c.sealTicket(ticketState{psk: []byte{1}})
			if (err == nil) != (n == 32) {
				t.Errorf("%d-byte key, hooks %v: seal: %v", n, cfg.TicketKeys != nil, err)
			}
			// A ticket sealed under a good key does not open under this one.
			good := &TLSConn{cfg: &Config{TicketKey: make([]byte, 32)}}
			if cfg.TicketKeys != nil {
				good.cfg = &Config{TicketKeys: &TicketKeyHooks{New: func() ([]byte, []byte, bool) { return name, make([]byte, 32), true }}}
			}
			sealed, err := good.sealTicket(ticketState{psk: []byte{1}})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.openTicket(sealed); (err == nil) != (n == 32) {
				t.Errorf("%d-byte key, hooks %v: open: %v", n, cfg.TicketKeys != nil, err)
			}
		}
	}
}
