package wire

import (
	"bytes"
	"crypto/tls"
	"strings"
	"testing"
)

// serverHello13 builds a minimal TLS 1.3 ServerHello record
// (RFC 8446 section 4.1.3).
func serverHello13() []byte {
	body := []byte{0x03, 0x03}
	body = append(body, bytes.Repeat([]byte{7}, 32)...)
	body = append(body, 0, 0x13, 0x01, 0, 0, 6, 0, 43, 0, 2, 3, 4)
	msg := append([]byte{hsServerHello, 0, 0, byte(len(body))}, body...)
	return append([]byte{typeHandshake, 3, 3, 0, byte(len(msg))}, msg...)
}

// TestPendingLimit: protected records whose keys never arrive are
// printed undecrypted once the queue reaches its limit, never buffered
// without bound.
func TestPendingLimit(t *testing.T) {
	var msg strings.Builder
	ob := New(Options{Client: true, Msg: &msg})
	ob.feed(false, serverHello13())
	rec := append([]byte{typeApplicationData, 3, 3, 0x40, 0}, make([]byte, 0x4000)...)
	for i := 0; i < 100; i++ {
		ob.feed(false, rec)
		if p := ob.half[0].pendBytes; p > maxPendingBytes {
			t.Fatalf("pending %d bytes", p)
		}
	}
	if n := strings.Count(msg.String(), "<<< TLS 1.2, RecordHeader"); n < 60 {
		t.Errorf("%d record headers printed, want the flushed records", n)
	}
	if s := ob.Summary(); s.Version != tls.VersionTLS13 || s.CipherSuite != tls.TLS_AES_128_GCM_SHA256 {
		t.Errorf("summary %+v", s)
	}
}

// TestOversizedRecord: a length beyond RFC 8446 section 5.2's limit
// stops parsing that direction but keeps counting bytes.
func TestOversizedRecord(t *testing.T) {
	ob := New(Options{Client: true, Msg: &strings.Builder{}})
	ob.feed(false, []byte{typeHandshake, 3, 3, 0xff, 0xff})
	ob.feed(false, make([]byte, 100))
	if !ob.half[0].broken || ob.Summary().BytesRead != 105 || len(ob.half[0].in) > 5 {
		t.Errorf("broken %v, read %d", ob.half[0].broken, ob.Summary().BytesRead)
	}
}

// TestALPNAndHandshakeFragments: a handshake message split over records
// is reassembled (RFC 8446 section 5.1), and the selected ALPN protocol
// lands in the Summary.
func TestALPNAndHandshakeFragments(t *testing.T) {
	var msg strings.Builder
	ob := New(Options{Client: true, Msg: &msg})
	// EncryptedExtensions-like ServerHello extension block with ALPN "h2"
	// inside a TLS 1.2 ServerHello, split across two records.
	body := []byte{0x03, 0x03}
	body = append(body, bytes.Repeat([]byte{9}, 32)...)
	body = append(body, 0, 0xc0, 0x2f, 0, 0, 9, 0, 16, 0, 5, 0, 3, 2, 'h', '2')
	hs := append([]byte{hsServerHello, 0, 0, byte(len(body))}, body...)
	ob.feed(false, append([]byte{typeHandshake, 3, 3, 0, 10}, hs[:10]...))
	if strings.Contains(msg.String(), "ServerHello") {
		t.Fatal("printed a partial message")
	}
	ob.feed(false, append([]byte{typeHandshake, 3, 3, 0, byte(len(hs) - 10)}, hs[10:]...))
	s := ob.Summary()
	if s.ALPN != "h2" || s.Version != tls.VersionTLS12 || !strings.Contains(msg.String(), "ServerHello") {
		t.Errorf("ALPN %q version %x\n%s", s.ALPN, s.Version, msg.String())
	}
}
