package engine

import (
	"bytes"
	"crypto/tls"
	"io"
	"net"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/testpeer"
)

// eventLog records a connection's events (set add as Config.OnEvent),
// copying each event's data, which the engine may reuse once the callback
// returns. It is safe for the connection's goroutines.
type eventLog struct {
	mu  sync.Mutex
	evs []Event
}

func (l *eventLog) add(e Event) {
	e.Data = bytes.Clone(e.Data)
	l.mu.Lock()
	l.evs = append(l.evs, e)
	l.mu.Unlock()
}

// events returns the events recorded so far.
func (l *eventLog) events() []Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.evs)
}

// lines maps the events recorded so far through f, keeping what is not
// empty (msgLine makes -msg line heads).
func (l *eventLog) lines(f func(Event) string) []string {
	var out []string
	for _, e := range l.events() {
		if s := f(e); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// goEchoServer serves one connection with crypto/tls, echoing until the
// client's close_notify; done gives the server's end.
func goEchoServer(t *testing.T, cfg *tls.Config) (addr string, done <-chan error) {
	t.Helper()
	errc := make(chan error, 1)
	addr = testpeer.ServeOne(t, 20*time.Second, func(c net.Conn) {
		defer c.Close()
		s := tls.Server(c, cfg)
		_, err := io.Copy(s, s)
		errc <- err
	})
	return addr, errc
}

// ownPairWith connects an own client (ccfg) to an own server (scfg) over
// loopback without running the handshake; mutate functions, when set,
// rewrite each handshake message one side sends. srvErr gives the
// server's handshake result; both ends close when the test ends.
func ownPairWith(t *testing.T, scfg, ccfg *Config, mutServer, mutClient func([]byte) []byte) (cli, srv *TLSConn, srvErr <-chan error) {
	t.Helper()
	srvc := make(chan *TLSConn, 1)
	errc := make(chan error, 1)
	addr := testpeer.ServeOne(t, 20*time.Second, func(c net.Conn) {
		s := Server(c, scfg)
		s.testOnlyMutate = mutServer
		srvc <- s
		errc <- s.Handshake()
	})
	cli = dialOwn(t, addr, ccfg)
	cli.testOnlyMutate = mutClient
	srv = <-srvc
	t.Cleanup(func() { srv.Close() })
	return cli, srv, errc
}
