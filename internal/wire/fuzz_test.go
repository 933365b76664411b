package wire

import (
	"crypto/tls"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

var updateCorpus = flag.Bool("wire.updatecorpus", false, "rewrite testdata/fuzz/FuzzObserver from live crypto/tls sessions")

// FuzzObserver feeds arbitrary traffic to an observer with every output
// enabled: the ClientHello direction first, then the peer's bytes, then
// key log lines, then the rest. It must never panic nor hold more than
// its fixed limits.
func FuzzObserver(f *testing.F) {
	f.Add([]byte{0x16, 0x03, 0x01, 0x00, 0x04, 0x01, 0x00, 0x00, 0x00}, []byte{0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28}, "", []byte{}, true)
	f.Fuzz(func(t *testing.T, first, peer []byte, keys string, rest []byte, client bool) {
		o := Options{Client: client, Msg: io.Discard, Trace: io.Discard, Debug: io.Discard,
			State: io.Discard, TLSExtDebug: io.Discard}
		ob := New(o)
		ob.OnNewSessionTicket(func(NewSessionTicket) {})
		// Vary the chunking so record reassembly is exercised.
		feedChunks(ob, true, first, 7)
		feedChunks(ob, false, peer, 13)
		ob.KeyLogWriter().Write([]byte(keys))
		feedChunks(ob, true, rest, 5)
		ob.feed(false, nil)
		ob.Summary()
		for _, h := range ob.half {
			if h.pendBytes > maxPendingBytes || len(h.in) > maxRecordLen+5 || h.hs.Buffered() > maxHandshakeLen+4+maxRecordLen {
				t.Fatalf("buffers over limit: pending %d, in %d, hs %d", h.pendBytes, len(h.in), h.hs.Buffered())
			}
		}
	})
}

func feedChunks(ob *Observer, sent bool, b []byte, n int) {
	for len(b) > 0 {
		k := min(n, len(b))
		if len(b) > 1000 {
			k = len(b) / 2 // big seeds: few large chunks, then small ones
		}
		ob.feed(sent, b[:k])
		b = b[k:]
		n = n*3%31 + 1
	}
}

// TestWriteFuzzCorpus regenerates the seed corpus from real handshakes
// when run with -wire.updatecorpus.
func TestWriteFuzzCorpus(t *testing.T) {
	if !*updateCorpus {
		t.Skip("run with -wire.updatecorpus to rewrite the seed corpus")
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzObserver")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		version uint16
		suite   uint16
		kind    string
	}{
		{"tls13-rsa", tls.VersionTLS13, 0, "rsa"},
		{"tls13-ecdsa", tls.VersionTLS13, 0, "ecdsa"},
		{"tls12-gcm", tls.VersionTLS12, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, "rsa"},
		{"tls12-chacha", tls.VersionTLS12, tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, "ecdsa"},
		{"tls12-cbc", tls.VersionTLS12, tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, "ecdsa"},
	} {
		_, _, rec, _ := pipeSession(t, tc.version, tc.suite, tc.kind)
		var first, peer, rest []byte
		var keys string
		for i, e := range rec.evs {
			switch {
			case i == 0:
				first = e.data
			case e.kind == 'r':
				peer = append(peer, e.data...)
			case e.kind == 'k':
				keys += string(e.data)
			default:
				rest = append(rest, e.data...)
			}
		}
		body := fmt.Sprintf("go test fuzz v1\n[]byte(%s)\n[]byte(%s)\nstring(%s)\n[]byte(%s)\nbool(true)\n",
			strconv.Quote(string(first)), strconv.Quote(string(peer)), strconv.Quote(keys), strconv.Quote(string(rest)))
		if err := os.WriteFile(filepath.Join(dir, tc.name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
