package engine

import (
	"errors"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/engine/record"
	"github.com/tlskit/tlskit/internal/testpeer"
)

// TestPostHandshakeHeaderLikeOpenSSL sends a server, after the handshake,
// the header of a handshake message without its body: openssl s_server
// 3.0 and the own server judge it from the header alone and answer at
// once (in TLS 1.3 another type than KeyUpdate is unexpected_message, a
// KeyUpdate longer than one byte illegal_parameter; in TLS 1.2 another
// type than ClientHello is unexpected_message); a header they may take is
// waited for by both. The client waits up to answerWait for the answer
// (a loaded machine may take a while), less than the own server's read
// deadline (which might answer it) and with no time-out in openssl's,
// so a server that waits for the body fails the test.
func TestPostHandshakeHeaderLikeOpenSSL(t *testing.T) {
	const answerWait = 4 * time.Second
	testpeer.Need(t, "openssl")
	pki := testpeer.NewPKI(t)
	id := loadIdentity(t, pki.Server, pki.ServerKey)
	for _, c := range []struct {
		name string
		v12  bool
		hdr  []byte
		want string // the alert's name, "none" for no answer
	}{
		{"KeyUpdate of 64 KiB", false, []byte{24, 1, 0, 0}, "illegal_parameter"},
		{"KeyUpdate of 2 bytes", false, []byte{24, 0, 0, 2}, "illegal_parameter"},
		{"Certificate without a request", false, []byte{4, 1, 0, 0}, "unexpected_message"},
		{"ClientHello", false, []byte{1, 0, 0, 100}, "unexpected_message"},
		{"KeyUpdate of 1 byte, body missing", false, []byte{24, 0, 0, 1}, "none"},
		{"TLS 1.2 Certificate", true, []byte{11, 1, 0, 0}, "unexpected_message"},
		{"TLS 1.2 ClientKeyExchange", true, []byte{16, 0, 0, 100}, "unexpected_message"},
		{"TLS 1.2 ClientHello, body missing", true, []byte{1, 1, 0, 0}, "none"},
	} {
		t.Run(c.name, func(t *testing.T) {
			// What the client reads back within answerWait.
			probe := func(cli *TLSConn) string {
				t.Helper()
				if err := cli.Handshake(); err != nil {
					t.Fatal(err)
				}
				if c.v12 {
					// No TLS 1.2 client sends a message after the
					// handshake on its own: write the header as one.
					cli.outMu.Lock()
					err := cli.rl.Write(record.TypeHandshake, c.hdr)
					cli.outMu.Unlock()
					if err != nil {
						t.Fatal(err)
					}
				} else {
					cli.testOnlyMutate = func([]byte) []byte { return c.hdr }
					if err := cli.KeyUpdate(false); err != nil {
						t.Fatal(err)
					}
					cli.testOnlyMutate = nil
				}
				cli.SetReadDeadline(time.Now().Add(answerWait))
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
			version, cfg := "-tls1_3", Config{ServerName: "localhost", VerifyPeer: verifyWith(t, pki.CA)}
			if c.v12 {
				version, cfg.MinVersion, cfg.MaxVersion = "-tls1_2", VersionTLS12, VersionTLS12
			}
			srv := testpeer.OpenSSLServer(t, version, "-cert", pki.Server, "-key", pki.ServerKey, "-naccept", "1")
			theirs := probe(dialOwn(t, srv.Addr, &cfg))

			cfg.VerifyPeer = func([][]byte, *State) error { return nil }
			scfg := Config{Identities: []Identity{id}, MinVersion: cfg.MinVersion, MaxVersion: cfg.MaxVersion}
			cli, own, hsErr := ownPairWith(t, &scfg, &cfg, nil, nil)
			readErr := make(chan error, 1)
			go func() {
				if err := <-hsErr; err != nil {
					readErr <- err
					return
				}
				// Well after the client stopped waiting: a server
				// that waited for the body and failed on this
				// deadline answers too late.
				own.SetReadDeadline(time.Now().Add(2 * answerWait))
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
