package engine

import (
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/testpeer"
)

// writeLog is a transport that keeps a copy of every write.
type writeLog struct {
	net.Conn
	mu     sync.Mutex
	writes [][]byte
}

func (w *writeLog) Write(p []byte) (int, error) {
	w.mu.Lock()
	w.writes = append(w.writes, append([]byte(nil), p...))
	w.mu.Unlock()
	return w.Conn.Write(p)
}

// records is the number of TLS records in each write so far.
func (w *writeLog) records() []int {
	w.mu.Lock()
	defer w.mu.Unlock()
	var n []int
	for _, b := range w.writes {
		k := 0
		for len(b) >= 5 {
			l := 5 + (int(b[3])<<8 | int(b[4]))
			b = b[min(l, len(b)):]
			k++
		}
		n = append(n, k)
	}
	return n
}

// sessionSaved is an output function for testpeer.WaitOutputFunc: the
// -sess_out file, which openssl s_client writes as a TLS 1.3 ticket
// arrives.
func sessionSaved(path string) func() string {
	return func() string { b, _ := os.ReadFile(path); return string(b) }
}

func hasSession(s string) bool { return strings.Contains(s, "-----END SSL SESSION PARAMETERS-----") }

// TestHoldTickets: with Config.HoldTickets the two tickets leave with the
// server's first record after the handshake, in one transport write, or
// before the server waits for the client, whichever comes first. An
// openssl s_client that sends nothing gets them (it saves the session)
// from a server that only reads; a server that writes before it reads
// sends them with its data; one that reads and writes at once, from two
// goroutines, does both without waiting on itself.
func TestHoldTickets(t *testing.T) {
	pki := testpeer.NewPKI(t)
	id := loadIdentity(t, pki.ECServer, pki.ECServerKey)
	cfg := &Config{Identities: []Identity{id}, HoldTickets: true}
	type result struct {
		held bool
		err  error
	}
	// serve runs body on the server's side of the test's one connection.
	serve := func(t *testing.T, body func(s *TLSConn, log *writeLog) error) (string, *writeLog, <-chan result) {
		res := make(chan result, 1)
		log := &writeLog{}
		addr := testpeer.ServeOne(t, 30*time.Second, func(c net.Conn) {
			defer c.Close()
			log.Conn = c
			s := Server(log, cfg)
			err := s.Handshake()
			held := s.TicketsHeld()
			if err == nil {
				err = body(s, log)
			}
			res <- result{held, err}
		})
		return addr, log, res
	}
	get := func(t *testing.T, res <-chan result) result {
		t.Helper()
		select {
		case r := <-res:
			return r
		case <-time.After(30 * time.Second):
			t.Fatal("the server did not finish")
		}
		return result{}
	}
	base := []string{"-CAfile", pki.CA, "-servername", "localhost", "-tls1_3"}

	t.Run("client waits, server reads", func(t *testing.T) {
		sess := filepath.Join(t.TempDir(), "sess.pem")
		addr, log, res := serve(t, func(s *TLSConn, log *writeLog) error {
			_, err := s.Read(make([]byte, 10))
			return err
		})
		cl := testpeer.OpenSSLClient(t, addr, append(base, "-sess_out", sess)...)
		testpeer.WaitOutputFunc(t, sessionSaved(sess), "a saved session", hasSession, 10*time.Second)
		cl.CloseInput()
		r := get(t, res)
		if !r.held || !errors.Is(r.err, io.EOF) {
			t.Fatalf("held %v after the handshake, then %v; want held, then EOF", r.held, r.err)
		}
		// The flight, then the tickets alone.
		if got := log.records(); len(got) != 2 || got[1] != 2 {
			t.Errorf("records per write %v, want the two tickets alone in the second", got)
		}
		out, _ := cl.Wait(t, 10*time.Second)
		if n := strings.Count(out, "Post-Handshake New Session Ticket arrived"); n != 2 {
			t.Errorf("%d tickets arrived, want 2:\n%s", n, out)
		}
	})

	t.Run("server writes first", func(t *testing.T) {
		sess := filepath.Join(t.TempDir(), "sess.pem")
		var records []int
		addr, _, res := serve(t, func(s *TLSConn, log *writeLog) error {
			if _, err := s.Write([]byte("hello\n")); err != nil {
				return err
			}
			records = log.records()
			if s.TicketsHeld() {
				return errors.New("tickets still held after a write")
			}
			_, err := io.Copy(io.Discard, s)
			return err
		})
		cl := testpeer.OpenSSLClient(t, addr, append(base, "-sess_out", sess)...)
		testpeer.WaitOutput(t, cl.Output, "\nhello\n", 10*time.Second)
		testpeer.WaitOutputFunc(t, sessionSaved(sess), "a saved session", hasSession, 10*time.Second)
		cl.CloseInput()
		if r := get(t, res); !r.held || r.err != nil {
			t.Fatalf("held %v after the handshake, then %v", r.held, r.err)
		}
		// The flight, then the tickets and the data in one write.
		if len(records) != 2 || records[1] != 3 {
			t.Errorf("records per write %v, want the two tickets and the data together in the second", records)
		}
	})

	t.Run("server reads and writes at once", func(t *testing.T) {
		sess := filepath.Join(t.TempDir(), "sess.pem")
		wrote := make(chan struct{})
		addr, log, res := serve(t, func(s *TLSConn, log *writeLog) error {
			read := make(chan error, 1)
			got := new(strings.Builder)
			go func() {
				_, err := io.Copy(got, s)
				read <- err
			}()
			// The reader, waiting for the client, sent the tickets; the
			// writer goes on while it waits.
			select {
			case <-wrote:
			case <-time.After(20 * time.Second):
				return errors.New("the test never let the writer go on")
			}
			if _, err := s.Write([]byte("hello\n")); err != nil {
				return err
			}
			if err := <-read; err != nil {
				return err
			}
			if got.String() != "bye\n" {
				return errors.New("read " + got.String())
			}
			return nil
		})
		cl := testpeer.OpenSSLClient(t, addr, append(base, "-sess_out", sess)...)
		testpeer.WaitOutputFunc(t, sessionSaved(sess), "a saved session", hasSession, 10*time.Second)
		close(wrote)
		testpeer.WaitOutput(t, cl.Output, "\nhello\n", 10*time.Second)
		if err := cl.Send("bye\n"); err != nil {
			t.Fatal(err)
		}
		cl.CloseInput()
		if r := get(t, res); !r.held || r.err != nil {
			t.Fatalf("held %v after the handshake, then %v", r.held, r.err)
		}
		if got := log.records(); len(got) < 3 || got[1] != 2 || got[2] != 1 {
			t.Errorf("records per write %v, want the two tickets alone, then the data", got)
		}
	})

	t.Run("no tickets", func(t *testing.T) {
		cfg := *cfg
		cfg.NumTickets = -1
		res := make(chan bool, 1)
		addr := testpeer.ServeOne(t, 30*time.Second, func(c net.Conn) {
			defer c.Close()
			s := Server(c, &cfg)
			res <- s.Handshake() == nil && !s.TicketsHeld()
			// Closed only after the client's close_notify: a close
			// before it could reach openssl s_client as an unexpected
			// EOF (exit 1) ahead of its own end of input.
			c.SetReadDeadline(time.Now().Add(20 * time.Second))
			io.Copy(io.Discard, s)
		})
		out, errOut, code := testpeer.Run(t, 20*time.Second, "", testpeer.Need(t, "openssl"), append([]string{"s_client", "-connect", addr}, base...)...)
		if code != 0 || !within(t, res, 30*time.Second) {
			t.Fatalf("exit %d, or tickets held with none to send:\n%s\n%s", code, out, errOut)
		}
	})
}
