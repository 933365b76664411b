package sserver

import (
	"crypto/tls"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// signalCache is a client session cache that says when a session
// (a TLS 1.3 ticket) is put in it.
type signalCache struct {
	tls.ClientSessionCache
	put chan struct{}
}

func (c *signalCache) Put(key string, s *tls.ClientSessionState) {
	c.ClientSessionCache.Put(key, s)
	select {
	case c.put <- struct{}{}:
	default: // more tickets than the test waits for: not its to block on
	}
}

// TestTicketsWithoutRequest: the servers that answer one request keep
// their tickets back to send them with the answer (Config.HoldTickets),
// but a client that sends nothing still gets them, well before the
// server gives up waiting for its request (30 s): openssl s_client
// -sess_out with its input held open saves the session, and a Go client
// that only reads gets both tickets.
func TestTicketsWithoutRequest(t *testing.T) {
	needTool(t, "openssl")
	for _, mode := range []string{"-www", "-WWW", "-HTTP", "-rev"} {
		t.Run(mode, func(t *testing.T) {
			dir := t.TempDir()
			ts := startServer(t, dir, mode)
			sess := filepath.Join(dir, "sess.pem")
			if out := opensslSessionOut(t, ts.addr, sess, "-tls1_3"); !strings.Contains(out, "New, TLSv1.3") {
				t.Fatalf("openssl s_client:\n%s", out)
			}

			cache := &signalCache{tls.NewLRUClientSessionCache(4), make(chan struct{}, 2)}
			c, err := goClient(ts.addr, &tls.Config{MinVersion: tls.VersionTLS13, ClientSessionCache: cache})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			read := make(chan error, 1)
			go func() {
				_, err := c.Read(make([]byte, 1))
				read <- err
			}()
			bound := time.After(10 * time.Second)
			for i := 0; i < 2; i++ {
				select {
				case <-cache.put:
				case err := <-read:
					t.Fatalf("read ended (%v) after %d tickets", err, i)
				case <-bound:
					t.Fatalf("%d tickets in 10 s, want 2", i)
				}
			}
		})
	}
}
