package engine

import (
	"errors"
	"net"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/engine/alert"
	"github.com/tlskit/tlskit/internal/engine/msg"
)

// pair12 connects an own client to an own server, both with their own
// configuration; mutServer, when set, rewrites each handshake message the
// server sends. It returns the client's and the server's handshake errors.
func pair12(t *testing.T, srvCfg, cliCfg *Config, mutServer func([]byte) []byte) (cliErr, srvErr error) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	errc := make(chan error, 1)
	go func() {
		c, err := l.Accept()
		if err != nil {
			errc <- err
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(20 * time.Second))
		s := Server(c, srvCfg)
		s.testOnlyMutate = mutServer
		errc <- s.Handshake()
	}()
	cli := dialOwn(t, l.Addr().String(), cliCfg)
	cliErr = cli.Handshake()
	cli.Close()
	return cliErr, <-errc
}

// TestClient12TicketPromisedNotSent: a ServerHello with session_ticket
// promises a NewSessionTicket (RFC 5077 §3.3); a ChangeCipherSpec in its
// place is unexpected_message, not a handshake without a ticket.
func TestClient12TicketPromisedNotSent(t *testing.T) {
	id, _ := testIdentity(t, keysForTest(t)["ecdsa-p256"])
	srvCfg := &Config{MinVersion: VersionTLS12, MaxVersion: VersionTLS12, Identities: []Identity{id}}
	cliCfg := &Config{MinVersion: VersionTLS12, MaxVersion: VersionTLS12}
	skip := func(m []byte) []byte {
		if msg.Type(m[0]) == msg.TypeNewSessionTicket {
			return nil
		}
		return m
	}
	// Without the rewrite the handshake works.
	if cliErr, srvErr := pair12(t, srvCfg, cliCfg, nil); cliErr != nil || srvErr != nil {
		t.Fatalf("plain handshake: client %v, server %v", cliErr, srvErr)
	}
	cliErr, _ := pair12(t, srvCfg, cliCfg, skip)
	var ae *AlertError
	if !errors.As(cliErr, &ae) || !ae.Sent || ae.Description != alert.UnexpectedMessage {
		t.Fatalf("client: %v (%+v), want unexpected_message sent", cliErr, ae)
	}
}
