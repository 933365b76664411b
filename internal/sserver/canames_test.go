package sserver

import (
	"bytes"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/engine/msg"
	"github.com/tlskit/tlskit/internal/testpeer"
)

// clientHelloWithCANames is a TLS 1.3 ClientHello record (the engine
// client's) with a certificate_authorities extension of body ext first.
func clientHelloWithCANames(t *testing.T, ext []byte) []byte {
	t.Helper()
	body := clientHelloRecord(t)[5:]
	ch, err := msg.ParseClientHello(body[4:])
	if err != nil {
		t.Fatal(err)
	}
	ch.Extensions = append(msg.Extensions{{Type: msg.ExtCertificateAuthorities, Data: ext}}, ch.Extensions...)
	m, err := ch.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return append([]byte{22, 3, 1, byte(len(m) >> 8), byte(len(m))}, m...)
}

// TestClientHelloCANamesLikeOpenSSL sends openssl s_server and ours a TLS
// 1.3 ClientHello whose certificate_authorities is malformed: both answer
// decode_error and print the same reason (the function openssl names,
// parse_ca_names or tls_parse_certificate_authorities, tlskit does not).
func TestClientHelloCANamesLikeOpenSSL(t *testing.T) {
	testpeer.Need(t, "openssl")
	dir := t.TempDir()
	cert, key := writeCert(t, dir, "srv", "localhost", true)
	args := []string{"-cert", cert, "-key", key}
	name := []byte{0x30, 0x0c, 0x31, 0x0a, 0x30, 0x08, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x01, 0x61}
	list := append([]byte{0, byte(len(name) + 2), 0, byte(len(name))}, name...)
	send := func(addr string, rec []byte) []byte {
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		c.Write(rec)
		back, _ := io.ReadAll(c)
		return back
	}
	reason := func(lines string) string {
		i := strings.LastIndex(lines, ":")
		j := strings.LastIndex(lines[:max(i, 0)], ":")
		if j < 0 {
			return lines
		}
		return lines[j+1 : i]
	}
	decodeError := []byte{21, 3, 3, 0, 2, 2, 50}
	for _, c := range []struct {
		name, reason string
		ext          []byte
	}{
		{"trailing data", "bad extension", append(append([]byte(nil), list...), 0)},
		{"list overruns", "length mismatch", []byte{0, 0x10, 0}},
		{"not a name", "ASN1 lib", []byte{0, 5, 0, 3, 2, 1, 5}},
	} {
		rec := clientHelloWithCANames(t, c.ext)
		theirSrv := testpeer.OpenSSLServer(t, args...)
		theirs := send(theirSrv.Addr, rec)
		ourSrv := startServer(t, "", args...)
		ours := send(ourSrv.addr, rec)
		if !bytes.Equal(theirs, decodeError) || !bytes.Equal(ours, decodeError) {
			t.Errorf("%s: openssl answered %x, tlskit %x; want %x", c.name, theirs, ours, decodeError)
		}
		o, g := reason(waitErrorLine(t, theirSrv.Output)), reason(waitErrorLine(t, ourSrv.err.String))
		if o != c.reason || g != c.reason {
			t.Errorf("%s: reasons: openssl %q, tlskit %q; want %q", c.name, o, g, c.reason)
		}
	}
}
