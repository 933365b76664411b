package engine

import (
	"errors"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/testpeer"
)

// TestPostHandshakeHeaderLikeOpenSSL sends a TLS 1.3 server, after the
// handshake, the header of a handshake message without its body: openssl
// s_server 3.0 and the own server judge it from the header alone and
// answer at once (another type than KeyUpdate is unexpected_message, a
// KeyUpdate longer than one byte illegal_parameter); a KeyUpdate header
// of the right length is waited for by both. The client's read is bounded
// well below the time a server would hold a half message, so a server
// that waits for the body fails the test.
func TestPostHandshakeHeaderLikeOpenSSL(t *testing.T) {
	testpeer.Need(t, "openssl")
	pki := testpeer.NewPKI(t)
	id := loadIdentity(t, pki.Server, pki.ServerKey)
	for _, c := range []struct {
		name string
		hdr  []byte
		want string // the alert's name, "none" for no answer
	}{
		{"KeyUpdate of 64 KiB", []byte{24, 1, 0, 0}, "illegal_parameter"},
		{"KeyUpdate of 2 bytes", []byte{24, 0, 0, 2}, "illegal_parameter"},
		{"Certificate without a request", []byte{4, 1, 0, 0}, "unexpected_message"},
		{"ClientHello", []byte{1, 0, 0, 100}, "unexpected_message"},
		{"KeyUpdate of 1 byte, body missing", []byte{24, 0, 0, 1}, "none"},
	} {
		t.Run(c.name, func(t *testing.T) {
			// What the client reads back within a second.
			probe := func(cli *TLSConn) string {
				t.Helper()
				if err := cli.Handshake(); err != nil {
					t.Fatal(err)
				}
				cli.testOnlyMutate = func([]byte) []byte { return c.hdr }
				if err := cli.KeyUpdate(false); err != nil {
					t.Fatal(err)
				}
				cli.testOnlyMutate = nil
				cli.SetReadDeadline(time.Now().Add(time.Second))
				_, err := cli.Read(make([]byte, 1))
				var ae *AlertError
				if errors.As(err, &ae) && !ae.Sent {
					return ae.Description.String()
				}
				if !isNetErr(err) {
					t.Fatalf("read: %v", err)
				}
				return "none"
			}
			srv := testpeer.OpenSSLServer(t, "-tls1_3", "-cert", pki.Server, "-key", pki.ServerKey, "-naccept", "1")
			theirs := probe(dialOwn(t, srv.Addr, &Config{ServerName: "localhost", VerifyPeer: verifyWith(t, pki.CA)}))

			cli, own, hsErr := ownPairWith(t, &Config{Identities: []Identity{id}}, &Config{VerifyPeer: func([][]byte, *State) error { return nil }}, nil, nil)
			readErr := make(chan error, 1)
			go func() {
				if err := <-hsErr; err != nil {
					readErr <- err
					return
				}
				own.SetReadDeadline(time.Now().Add(5 * time.Second))
				_, err := own.Read(make([]byte, 1))
				readErr <- err
			}()
			ours := probe(cli)
			if theirs != c.want || ours != c.want {
				t.Errorf("answer: openssl %v, own server %v; want %v", theirs, ours, c.want)
			}
			if c.want == "none" {
				return
			}
			var ae *AlertError
			if err := <-readErr; !errors.As(err, &ae) || !ae.Sent || ae.Description.String() != c.want {
				t.Errorf("own server's read: %v", err)
			}
		})
	}
}
