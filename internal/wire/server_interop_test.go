package wire

import (
	"crypto/tls"
	"io"
	"net"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/engine"
)

// TestServerAgainstOpenSSLClient wraps a crypto/tls server answering
// openssl s_client -msg and compares both ends' message sequences.
func TestServerAgainstOpenSSLClient(t *testing.T) {
	for _, tc := range interopCases {
		t.Run(tc.name, func(t *testing.T) {
			needOpenSSL(t)
			cf := sharedCert(t, tc.kind)
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			var msg, trace, ext, state syncBuffer
			ob := New(Options{Msg: &msg, Trace: &trace, TLSExtDebug: &ext, State: &state})
			type result struct {
				data string
				err  error
			}
			res := make(chan result, 1)
			gotPing := make(chan bool, 1)
			go func() {
				raw, err := ln.Accept()
				if err != nil {
					res <- result{err: err}
					return
				}
				defer raw.Close()
				raw.SetDeadline(time.Now().Add(10 * time.Second))
				cfg := ownConfig(cf, ob, tc.version)
				if tc.srvArgs != nil && !tc.auth {
					// openssl sends an X25519 key share only: HelloRetryRequest.
					cfg.Groups = []uint16{uint16(tls.CurveP384)}
				}
				if tc.auth {
					cfg.RequestClientCert, cfg.RequireClientCert = true, true
				}
				c := engine.Server(ob.Wrap(raw), cfg)
				if err := c.Handshake(); err != nil {
					res <- result{err: err}
					return
				}
				buf := make([]byte, 5)
				_, err = io.ReadFull(c, buf)
				if err == nil && tc.version == tls.VersionTLS13 {
					gotPing <- true
					more := make([]byte, 5) // "pong\n", sent after a KeyUpdate
					_, err = io.ReadFull(c, more)
					buf = append(buf, more...)
				}
				res <- result{data: string(buf), err: err}
				io.Copy(io.Discard, c) // until the client's close_notify
				c.Close()
			}()
			args := []string{"s_client", "-connect", ln.Addr().String(), "-msg", "-servername", "example.com"}
			if tc.version == tls.VersionTLS12 {
				args = append(args, "-tls1_2")
			}
			if tc.auth {
				args = append(args, "-cert", cf.cert, "-key", cf.key)
			}
			cl, _ := startOpenSSL(t, false, args...)
			if !cl.waitFor(t, "---\nNew,", 5*time.Second) {
				t.Fatalf("openssl s_client did not finish its handshake:\n%s", cl.out)
			}
			io.WriteString(cl.stdin, "ping\n")
			if tc.version == tls.VersionTLS13 {
				// s_client's K command sends KeyUpdate(update_requested):
				// the data after it must still decrypt (RFC 8446 7.2).
				select {
				case <-gotPing:
				case r := <-res:
					t.Fatalf("server: %v", r.err)
				case <-time.After(5 * time.Second):
					t.Fatal("server never read ping")
				}
				io.WriteString(cl.stdin, "K\n")
				if !cl.waitFor(t, "KEYUPDATE", 5*time.Second) {
					t.Fatalf("s_client did not send KeyUpdate:\n%s", cl.out)
				}
				io.WriteString(cl.stdin, "pong\n")
			}
			var r result
			select {
			case r = <-res:
			case <-time.After(10 * time.Second):
				t.Fatal("server timed out")
			}
			if r.err != nil || !strings.HasPrefix(r.data, "ping\n") {
				t.Fatalf("server read %q, %v\n%s", r.data, r.err, cl.out)
			}
			cl.stdin.Close()
			cl.wait(t, 5*time.Second)

			ours := parseMsg(msg.String(), false)
			theirs := parseMsg(cl.out.String(), true)
			prefixCompare(t, "client->server", normalize(ours, true), normalize(theirs, true), 4)
			prefixCompare(t, "server->client", normalize(ours, false), normalize(theirs, false), 8)

			if tc.version == tls.VersionTLS13 {
				ku := regexp.MustCompile(`<<< TLS 1.3, Handshake \[length 0005\], KeyUpdate\n    18 00 00 01 01\n(?s:.*)` +
					`<<< TLS 1.3, InnerContent \[length 0001\]\n    17\n`)
				if !ku.MatchString(msg.String()) {
					t.Errorf("-msg lacks the KeyUpdate and the data after it")
				}
				if !strings.Contains(trace.String(), "    KeyUpdate, Length=1\n      update_requested (1)\n") {
					t.Errorf("-trace lacks the KeyUpdate")
				}
			}
			sum := ob.Summary()
			if tc.srvArgs == nil {
				ref := opensslServerStates(t, cf, tc.version)
				prefixCompare(t, "-state", serverStateLines(state.String()), serverStateLines(ref), 8)
			}
			if tc.srvArgs != nil && !tc.auth && !sum.HelloRetry {
				t.Errorf("no HelloRetryRequest seen")
			}
			if tc.auth && sum.PeerSigScheme == 0 {
				t.Errorf("client CertificateVerify not seen")
			}
			ch := sum.ClientHello
			if ch == nil || ch.ServerName != "example.com" || len(ch.CipherSuites) < 10 || len(ch.SignatureSchemes) == 0 {
				t.Errorf("ClientHello summary = %+v", ch)
			}
			wantW, wantR := handshakeBytes(theirs)
			// Mirrored: what the client wrote, we read.
			if sum.HandshakeBytesRead != int64(wantW) || sum.HandshakeBytesWritten != int64(wantR) {
				t.Errorf("handshake bytes read %d written %d; openssl's -msg says %d and %d",
					sum.HandshakeBytesRead, sum.HandshakeBytesWritten, wantW, wantR)
			}
			if !strings.Contains(ext.String(), "TLS client extension \"server name\" (id=0), len=16\n0000 - 00 0e 00 00 0b 65 78 61-6d 70 6c 65 2e 63 6f 6d   .....example.com\n") {
				t.Errorf("-tlsextdebug output lacks the server name:\n%s", ext.String())
			}
			if t.Failed() || os.Getenv("WIRE_DUMP") != "" {
				t.Logf("our -msg:\n%s\nour -trace:\n%s\nopenssl:\n%s", msg.String(), trace.String(), cl.out)
			}
		})
	}
}

// opensslServerStates returns openssl s_server -state output for one
// openssl s_client connection: the reference for our server's -state.
func opensslServerStates(t *testing.T, cf certFiles, version uint16) string {
	t.Helper()
	srv, addr := startOpenSSL(t, true, "s_server", "-accept", "127.0.0.1:0", "-naccept", "1",
		"-cert", cf.cert, "-key", cf.key, "-state")
	args := []string{"s_client", "-connect", addr}
	if version == tls.VersionTLS12 {
		args = append(args, "-tls1_2")
	}
	cl, _ := startOpenSSL(t, false, args...)
	cl.stdin.Close()
	cl.wait(t, 10*time.Second)
	srv.wait(t, 5*time.Second)
	return srv.out.String() + srv.err.String()
}

// serverStateLines picks SSL_accept: lines up to the server's Finished
// (and TLS 1.3's early data lines after it); crypto/tls sends its
// tickets before reading the client's Finished, openssl after.
func serverStateLines(out string) []string {
	var ls []string
	seen := false
	for _, l := range strings.Split(out, "\n") {
		if !strings.HasPrefix(l, "SSL_accept:") {
			continue
		}
		if seen && l != "SSL_accept:TLSv1.3 early data" {
			break
		}
		ls = append(ls, l)
		seen = seen || l == "SSL_accept:SSLv3/TLS write finished"
	}
	return ls
}
