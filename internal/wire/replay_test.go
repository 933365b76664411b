package wire

import (
	"bytes"
	"crypto/tls"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// event is one thing the client-side observer saw, in order.
type event struct {
	kind byte // 'r' read, 'w' write, 'k' key log line
	data []byte
}

type recorder struct {
	mu  sync.Mutex
	evs []event
}

func (r *recorder) add(k byte, p []byte) {
	r.mu.Lock()
	r.evs = append(r.evs, event{k, bytes.Clone(p)})
	r.mu.Unlock()
}

type recConn struct {
	net.Conn
	r *recorder
}

func (c recConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.r.add('r', p[:n])
	}
	return n, err
}

func (c recConn) Write(p []byte) (int, error) {
	c.r.add('w', p)
	return c.Conn.Write(p)
}

type recKeyLog struct {
	r *recorder
	w io.Writer
}

func (k recKeyLog) Write(p []byte) (int, error) {
	k.r.add('k', p)
	return k.w.Write(p)
}

// pipeSession runs a crypto/tls client (observed) against a crypto/tls
// server over net.Pipe and returns the client observer's -msg and
// -trace output and the recorded events.
func pipeSession(t testing.TB, version uint16, suite uint16, kind string) (msg, trace string, rec *recorder, ob *Observer) {
	cf := sharedCert(t, kind)
	cc, sc := net.Pipe()
	deadline := time.Now().Add(10 * time.Second)
	cc.SetDeadline(deadline)
	sc.SetDeadline(deadline)
	var mb, tb syncBuffer
	ob = New(Options{Client: true, Msg: &mb, Trace: &tb})
	rec = &recorder{}
	scfg := &tls.Config{Certificates: []tls.Certificate{cf.tc}, MaxVersion: version}
	ccfg := &tls.Config{InsecureSkipVerify: true, MaxVersion: version,
		KeyLogWriter:       recKeyLog{rec, ob.KeyLogWriter()},
		ClientSessionCache: tls.NewLRUClientSessionCache(1), // so tickets are offered
	}
	if suite != 0 {
		ccfg.CipherSuites = []uint16{suite}
	}
	done := make(chan error, 1)
	go func() {
		s := tls.Server(sc, scfg)
		defer sc.Close() // net.Pipe is unbuffered: no close_notify to block on
		buf := make([]byte, 4)
		if _, err := io.ReadFull(s, buf); err != nil {
			done <- err
			return
		}
		_, err := s.Write([]byte("pong"))
		done <- err
	}()
	c := tls.Client(ob.Wrap(recConn{cc, rec}), ccfg)
	if err := c.Handshake(); err != nil {
		t.Fatal(err)
	}
	c.Write([]byte("ping"))
	buf := make([]byte, 4)
	if _, err := io.ReadFull(c, buf); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	cc.Close()
	return mb.String(), tb.String(), rec, ob
}

// splitDirs separates -msg output into the blocks of each direction.
func splitDirs(msg string) (sent, recv string) {
	var s, r strings.Builder
	cur := &s
	for _, l := range strings.SplitAfter(msg, "\n") {
		switch {
		case strings.HasPrefix(l, ">>>"):
			cur = &s
		case strings.HasPrefix(l, "<<<"):
			cur = &r
		}
		cur.WriteString(l)
	}
	return s.String(), r.String()
}

// TestSecretsAfterRecords replays a session so that every byte from the
// server arrives before any key log line: the observer must hold the
// protected records back and print exactly what it printed live.
func TestSecretsAfterRecords(t *testing.T) {
	for _, tc := range []struct {
		name    string
		version uint16
		suite   uint16
	}{
		{"TLS13", tls.VersionTLS13, 0},
		{"TLS12-GCM", tls.VersionTLS12, tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256},
		{"TLS12-CHACHA", tls.VersionTLS12, tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256},
		{"TLS12-CBC", tls.VersionTLS12, tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA},
	} {
		t.Run(tc.name, func(t *testing.T) {
			liveMsg, _, rec, _ := pipeSession(t, tc.version, tc.suite, "ecdsa")
			if !strings.Contains(liveMsg, "<<< TLS 1.") || !strings.Contains(liveMsg, "Finished") {
				t.Fatalf("live -msg output is incomplete:\n%s", liveMsg)
			}
			// The first write is the ClientHello; then everything read,
			// then the key log, then the remaining writes.
			var out syncBuffer
			ob := New(Options{Client: true, Msg: &out})
			var reads, keys []byte
			var writes [][]byte
			for i, e := range rec.evs {
				switch {
				case i == 0:
					ob.feed(true, e.data)
				case e.kind == 'r':
					reads = append(reads, e.data...)
				case e.kind == 'k':
					keys = append(keys, e.data...)
				default:
					writes = append(writes, e.data)
				}
			}
			ob.feed(false, reads)
			if strings.Contains(out.String(), "Finished") {
				t.Fatalf("protected records printed before their keys arrived:\n%s", out.String())
			}
			ob.KeyLogWriter().Write(keys)
			for _, w := range writes {
				ob.feed(true, w)
			}
			ls, lr := splitDirs(liveMsg)
			rs, rr := splitDirs(out.String())
			if lr != rr {
				t.Errorf("received records differ:\nlive:\n%s\nreplayed:\n%s", lr, rr)
			}
			if ls != rs {
				t.Errorf("sent records differ:\nlive:\n%s\nreplayed:\n%s", ls, rs)
			}
		})
	}
}

// TestNoKeys: without key log lines the observer still frames records,
// counts bytes and shows the plaintext part of the handshake.
func TestNoKeys(t *testing.T) {
	_, _, rec, _ := pipeSession(t, tls.VersionTLS13, 0, "ecdsa")
	var out syncBuffer
	ob := New(Options{Client: true, Msg: &out})
	var n int64
	for _, e := range rec.evs {
		if e.kind != 'k' {
			ob.feed(e.kind == 'w', e.data)
			if e.kind == 'r' {
				n += int64(len(e.data))
			}
		}
	}
	if !strings.Contains(out.String(), "ServerHello") {
		t.Errorf("no ServerHello in:\n%s", out.String())
	}
	if s := ob.Summary(); s.BytesRead != n || s.Version != tls.VersionTLS13 {
		t.Errorf("BytesRead %d (want %d), version %x", s.BytesRead, n, s.Version)
	}
}

// TestTicketCallback checks OnNewSessionTicket and the TLS 1.2 summary.
func TestTicketCallback(t *testing.T) {
	_, _, rec, _ := pipeSession(t, tls.VersionTLS13, 0, "ecdsa")
	ob := New(Options{Client: true})
	var got []NewSessionTicket
	ob.OnNewSessionTicket(func(nst NewSessionTicket) { got = append(got, nst) })
	for _, e := range rec.evs {
		if e.kind == 'k' {
			ob.KeyLogWriter().Write(e.data)
		} else {
			ob.feed(e.kind == 'w', e.data)
		}
	}
	if len(got) == 0 || len(got[0].Ticket) == 0 || got[0].Lifetime == 0 {
		t.Errorf("tickets = %+v", got)
	}
	// RFC 8446 4.1.3: legacy_session_id_echo repeats the client's.
	if s := ob.Summary(); len(s.SessionID) != 32 || !bytes.Equal(s.SessionID, s.ClientHello.SessionID) {
		t.Errorf("SessionID %x, ClientHello's %x", s.SessionID, s.ClientHello.SessionID)
	}

	// crypto/tls servers send a zero lifetime hint in TLS 1.2.
	_, _, _, ob12 := pipeSession(t, tls.VersionTLS12, 0, "ecdsa")
	s := ob12.Summary()
	if len(s.Ticket) == 0 || !s.ExtendedMasterSecret || !s.SecureRenegotiation ||
		s.ServerTempKeyGroup != 29 || s.PeerSigScheme != 0x0403 {
		t.Errorf("TLS 1.2 summary = %+v", s)
	}
}
