package wire

import (
	"crypto/tls"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/engine"
)

// traceBlock is one record as -trace prints it, certificate details
// included.
type traceBlock struct {
	toServer bool
	text     string
}

// parseTrace splits -trace output printed by the given role into record
// blocks, ignoring interleaved lines such as depth= or the report.
func parseTrace(out string, client bool) []traceBlock {
	var blocks []traceBlock
	var cur *strings.Builder
	var toServer bool
	flush := func() {
		if cur != nil {
			blocks = append(blocks, traceBlock{toServer, cur.String()})
			cur = nil
		}
	}
	lines := strings.Split(out, "\n")
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		switch {
		case cur != nil && l == "------details-----":
			// X509_print output sits unindented inside the record.
			cur.WriteString(l + "\n")
			for i+1 < len(lines) {
				i++
				cur.WriteString(lines[i] + "\n")
				if lines[i] == "------------------" {
					break
				}
			}
			continue
		case l == "Sent Record" || l == "Received Record":
			flush()
			cur = &strings.Builder{}
			toServer = (l == "Sent Record") == client
			continue
		case cur == nil:
			continue
		case l == "Header:" || strings.HasPrefix(l, " "):
			cur.WriteString(l + "\n")
		default:
			flush()
		}
	}
	flush()
	return blocks
}

func traceSeq(bs []traceBlock, toServer bool) []string {
	var out []string
	for _, b := range bs {
		if b.toServer == toServer {
			// Only the sender of a ChangeCipherSpec describes its body.
			out = append(out, strings.Replace(b.text, "    change_cipher_spec (1)\n", "", 1))
		}
	}
	return out
}

// TestTraceMatchesOpenSSL compares, record by record, our -trace of a
// server on the own engine with openssl s_client -trace of the same session:
// each record must be described identically by both ends.
func TestTraceMatchesOpenSSL(t *testing.T) {
	for _, tc := range []struct {
		name    string
		kind    string
		version uint16
	}{
		{"TLS13-RSA", "rsa", tls.VersionTLS13},
		{"TLS12-ECDSA", "ecdsa", tls.VersionTLS12},
	} {
		t.Run(tc.name, func(t *testing.T) {
			needOpenSSL(t)
			cf := sharedCert(t, tc.kind)
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			var trace syncBuffer
			ob := New(Options{Trace: &trace})
			errc := make(chan error, 1)
			go func() {
				raw, err := ln.Accept()
				if err != nil {
					errc <- err
					return
				}
				defer raw.Close()
				raw.SetDeadline(time.Now().Add(10 * time.Second))
				c := engine.Server(ob.Wrap(raw), ownConfig(cf, ob, tc.version))
				_, err = io.Copy(io.Discard, c)
				c.Close()
				errc <- err
			}()
			args := []string{"s_client", "-connect", ln.Addr().String(), "-trace"}
			if tc.version == tls.VersionTLS12 {
				args = append(args, "-tls1_2")
			}
			cl, _ := startOpenSSL(t, false, args...)
			if !cl.waitFor(t, "---\nNew,", 5*time.Second) {
				t.Fatalf("no handshake:\n%s", cl.out)
			}
			io.WriteString(cl.stdin, "ping\n")
			cl.stdin.Close()
			cl.wait(t, 5*time.Second)
			select {
			case err := <-errc:
				if err != nil {
					t.Fatal(err)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("server timed out")
			}
			ours := parseTrace(trace.String(), false)
			theirs := parseTrace(cl.out.String(), true)
			prefixCompare(t, "client->server records", traceSeq(ours, true), traceSeq(theirs, true), 3)
			prefixCompare(t, "server->client records", traceSeq(ours, false), traceSeq(theirs, false), 4)
			if !strings.Contains(strings.Join(traceSeq(theirs, false), ""), "Subject Public Key Info:") {
				t.Error("certificate details were not compared")
			}
		})
	}
}

// TestClientTraceMatchesOpenSSL is the mirror image: our -trace of the
// own engine's client against openssl s_server -trace.
func TestClientTraceMatchesOpenSSL(t *testing.T) {
	for _, tc := range []struct {
		name    string
		kind    string
		version uint16
	}{
		{"TLS13-ECDSA", "ecdsa", tls.VersionTLS13},
		{"TLS12-RSA", "rsa", tls.VersionTLS12},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cf := sharedCert(t, tc.kind)
			srv, addr := startOpenSSL(t, true, "s_server", "-accept", "127.0.0.1:0", "-naccept", "1",
				"-cert", cf.cert, "-key", cf.key, "-trace", "-verify", "1")
			var trace syncBuffer
			ob := New(Options{Client: true, Trace: &trace})
			raw, err := dialRetry(addr)
			if err != nil {
				t.Fatal(err)
			}
			defer raw.Close()
			raw.SetDeadline(time.Now().Add(10 * time.Second))
			c := engine.Client(ob.Wrap(raw), ownConfig(cf, ob, tc.version))
			if err := c.Handshake(); err != nil {
				t.Fatal(err)
			}
			c.Write([]byte("ping\n"))
			if !srv.waitFor(t, "ping", 5*time.Second) {
				t.Fatalf("server never got data:\n%s", srv.out)
			}
			c.Close()
			srv.wait(t, 5*time.Second)
			ours := parseTrace(trace.String(), true)
			theirs := parseTrace(srv.out.String(), false)
			prefixCompare(t, "client->server records", traceSeq(ours, true), traceSeq(theirs, true), 4)
			prefixCompare(t, "server->client records", traceSeq(ours, false), traceSeq(theirs, false), 5)
		})
	}
}
