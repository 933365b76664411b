package starttls_test

import (
	"encoding/binary"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/sclient"
	"github.com/tlskit/tlskit/internal/starttls"
	"github.com/tlskit/tlskit/internal/stdio"
	"github.com/tlskit/tlskit/internal/testpeer"
)

// typeThrough runs s_client -starttls against a live daemon, types input
// on its stdin (a pipe left open: no newline, no end of input to flush
// it), waits until stdout holds the server's answer, then ends stdin and
// expects s_client to finish with exit 0.
func typeThrough(t *testing.T, input []byte, answer string, args ...string) {
	t.Helper()
	pr, pw := io.Pipe()
	var out, errb testpeer.Buffer
	done := make(chan int, 1)
	go func() { done <- sclient.Main(args, stdio.Stdio{In: pr, Out: &out, Err: &errb}) }()
	go pw.Write(input)
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(out.String(), answer) {
		select {
		case code := <-done:
			t.Fatalf("s_client ended (exit %d) before the server's answer %q\nstdout:\n%q\nstderr:\n%s", code, answer, out.String(), errb.String())
		default:
		}
		if time.Now().After(deadline) {
			pw.Close()
			t.Fatalf("no answer %q from the server within 20s\nstdout:\n%q\nstderr:\n%s", answer, out.String(), errb.String())
		}
		time.Sleep(20 * time.Millisecond) // polling the output
	}
	pw.Close()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit %d\nstderr:\n%s", code, errb.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("s_client did not end at the end of its input")
	}
}

// TestLiveTypedProtocols types binary and newline-less protocol messages
// through s_client's stdin after STARTTLS, against the real daemons, and
// finds the server's answer on stdout: stdin is raw bytes, forwarded as
// soon as read.
func TestLiveTypedProtocols(t *testing.T) {
	t.Run("postgres", func(t *testing.T) {
		addr, ca := starttls.StartPostgresForTest(t)
		// StartupMessage, protocol 3.0 (binary, NUL-separated, no newline).
		params := "user\x00postgres\x00database\x00postgres\x00\x00"
		msg := binary.BigEndian.AppendUint32(nil, uint32(8+len(params)))
		msg = binary.BigEndian.AppendUint32(msg, 3<<16)
		msg = append(msg, params...)
		// AuthenticationOk: 'R', length 8, status 0.
		typeThrough(t, msg, "R\x00\x00\x00\x08\x00\x00\x00\x00",
			"-connect", addr, "-starttls", "postgres", "-CAfile", ca, "-verify_return_error")
	})
	t.Run("mysql", func(t *testing.T) {
		addr, ca := starttls.StartMariaDBForTest(t)
		// HandshakeResponse41 for root with no password, sequence 2.
		var p []byte
		p = binary.LittleEndian.AppendUint32(p, starttls.MySQLClientFlags)
		p = binary.LittleEndian.AppendUint32(p, 1<<24)
		p = append(p, 0x21)
		p = append(p, make([]byte, 23)...)
		p = append(p, "root\x00"...)
		p = append(p, 0)
		p = append(p, "mysql_native_password\x00"...)
		pkt := append([]byte{byte(len(p)), byte(len(p) >> 8), 0, 2}, p...)
		// An OK packet, sequence 2: [len 0 0] 02 00.
		typeThrough(t, pkt, "\x00\x00\x02\x00",
			"-connect", addr, "-starttls", "mysql", "-CAfile", ca, "-verify_return_error")
	})
	t.Run("ldap", func(t *testing.T) {
		addr, ca := starttls.StartSlapdForTest(t)
		// SearchRequest (RFC 4511 4.5.1), message ID 2: the root DSE,
		// scope base, filter (objectClass=*), attribute supportedLDAPVersion.
		const attr = "supportedLDAPVersion"
		op := "\x04\x00\x0a\x01\x00\x0a\x01\x00\x02\x01\x00\x02\x01\x00\x01\x01\x00" +
			"\x87\x0bobjectClass" + "\x30\x16\x04\x14" + attr
		req := "\x30" + string(rune(3+2+len(op))) + "\x02\x01\x02" + "\x63" + string(rune(len(op))) + op
		typeThrough(t, []byte(req), attr,
			"-connect", addr, "-starttls", "ldap", "-CAfile", ca, "-verify_return_error")
	})
	t.Run("xmpp", func(t *testing.T) {
		addr, ca := starttls.StartProsodyForTest(t)
		// RFC 6120 5.4.3.3: the stream restarts over TLS; no newline.
		header := "<stream:stream xmlns:stream='http://etherx.jabber.org/streams' xmlns='jabber:client' to='localhost' version='1.0'>"
		typeThrough(t, []byte(header), "<stream:features",
			"-connect", addr, "-starttls", "xmpp", "-xmpphost", "localhost", "-CAfile", ca, "-verify_return_error")
	})
}
