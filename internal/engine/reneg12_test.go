package engine

import (
	"bufio"
	"errors"
	"sync"
	"testing"

	"github.com/tlskit/tlskit/internal/engine/alert"

	"github.com/tlskit/tlskit/internal/testpeer"
)

// TestClient12RefusesRenegotiation: openssl s_server's "r" command sends a
// HelloRequest; the own client answers with a warning no_renegotiation
// (RFC 5746 §4.2, RFC 5246 §7.4.1.1). openssl 3.0 then gives up the
// connection itself: it reports "no renegotiation" and sends a fatal
// handshake_failure, which the client reports as received.
func TestClient12RefusesRenegotiation(t *testing.T) {
	pki := testpeer.NewPKI(t)
	srv := testpeer.OpenSSLServer(t, "-tls1_2", "-naccept", "1", "-cert", pki.Server, "-key", pki.ServerKey)
	var mu sync.Mutex
	var sent []string
	cfg := all12(Config{OnEvent: func(e Event) {
		mu.Lock()
		defer mu.Unlock()
		if e.ContentType == 21 && e.Sent {
			sent = append(sent, alertName(e.Data))
		}
	}})
	conn := dialOwn(t, srv.Addr, &cfg)
	if err := conn.Handshake(); err != nil {
		t.Fatal(err)
	}
	waitOutput(t, srv, "CIPHER is")
	if err := srv.Send("r\n"); err != nil {
		t.Fatal(err)
	}
	_, err := bufio.NewReader(conn).ReadString('\n')
	var ae *AlertError
	if !errors.As(err, &ae) || ae.Sent || ae.Description != alert.HandshakeFailure {
		t.Fatalf("read: %v, want openssl's handshake_failure\nserver:\n%s", err, srv.Output())
	}
	mu.Lock()
	defer mu.Unlock()
	if len(sent) != 1 || sent[0] != "warning no_renegotiation" {
		t.Errorf("alerts sent: %v", sent)
	}
	waitOutput(t, srv, "no renegotiation")
}

func alertName(d []byte) string {
	if len(d) != 2 {
		return "malformed"
	}
	l := "fatal"
	if d[0] == 1 {
		l = "warning"
	}
	return l + " " + map[byte]string{100: "no_renegotiation", 0: "close_notify"}[d[1]]
}

// TestClient12FallbackSCSV: a client held to TLS 1.1 that sends
// TLS_FALLBACK_SCSV (RFC 7507) is refused by openssl s_server, which can
// do TLS 1.2, with inappropriate_fallback; without the SCSV it connects.
func TestClient12FallbackSCSV(t *testing.T) {
	pki := testpeer.NewPKI(t)
	for _, scsv := range []bool{true, false} {
		srv := testpeer.OpenSSLServer(t, "-naccept", "1", "-cipher", "DEFAULT:@SECLEVEL=0", "-cert", pki.Server, "-key", pki.ServerKey)
		cfg := Config{MinVersion: VersionTLS10, MaxVersion: VersionTLS11, FallbackSCSV: scsv}
		conn := dialOwn(t, srv.Addr, &cfg)
		err := conn.Handshake()
		var ae *AlertError
		if scsv {
			if !errors.As(err, &ae) || ae.Sent || ae.Description != alert.InappropriateFallback {
				t.Errorf("with the SCSV: %v, want a received inappropriate_fallback", err)
			}
			waitOutput(t, srv, "inappropriate fallback")
		} else if err != nil || conn.State().Version != VersionTLS11 {
			t.Errorf("without the SCSV: %v, version %x", err, conn.State().Version)
		}
	}
}
