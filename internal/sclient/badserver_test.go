package sclient

import (
	"bytes"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/testpeer"
)

// hsMsg frames a handshake message: type, 24-bit length, body.
func hsMsg(typ byte, body []byte) []byte {
	return append([]byte{typ, byte(len(body) >> 16), byte(len(body) >> 8), byte(len(body))}, body...)
}

// tlsRecord frames one record of type typ at version 3,3.
func tlsRecord(typ byte, body []byte) []byte {
	return append([]byte{typ, 3, 3, byte(len(body) >> 8), byte(len(body))}, body...)
}

// badServerResult is what one client did against a misbehaving server:
// its error lines (errorLines), the bytes it sent after the ClientHello
// (its alert) and its exit code.
type badServerResult struct {
	errors string
	back   []byte
	code   int
}

// againstBadServer runs openssl s_client and tlskit with args against a
// server that reads the ClientHello record, answers with reply(its
// body), and keeps what the client sends back until it hangs up.
func againstBadServer(t *testing.T, reply func(clientHello []byte) []byte, args ...string) (openssl, tlskit badServerResult) {
	t.Helper()
	testpeer.Need(t, "openssl")
	back := make(chan []byte, 2)
	addr := fakeServer(t, func(c net.Conn) {
		h := make([]byte, 5)
		if _, err := io.ReadFull(c, h); err != nil {
			back <- nil
			return
		}
		ch := make([]byte, int(h[3])<<8|int(h[4]))
		if _, err := io.ReadFull(c, ch); err != nil {
			back <- nil
			return
		}
		c.Write(reply(ch))
		b, _ := io.ReadAll(c)
		back <- b
	})
	all := append([]string{"-connect", addr}, args...)
	_, oErr, oCode := testpeer.Run(t, 30*time.Second, "", "openssl", append([]string{"s_client"}, all...)...)
	openssl = badServerResult{errorLines(oErr), <-back, oCode}
	_, tErr, tCode := runClient(t, "", all...)
	tlskit = badServerResult{errorLines(tErr), <-back, tCode}
	return openssl, tlskit
}

// compareBadServer checks that tlskit answers a misbehaving server as
// openssl s_client does: the same error lines (want among them), the same
// bytes sent back, the same exit code.
func compareBadServer(t *testing.T, want string, reply func(clientHello []byte) []byte, args ...string) {
	t.Helper()
	o, g := againstBadServer(t, reply, args...)
	if !strings.Contains(o.errors, want) {
		t.Errorf("openssl did not print %q; it printed\n%s", want, o.errors)
	}
	if o.errors != g.errors {
		t.Errorf("error lines differ\nopenssl:\n%s\ntlskit:\n%s", o.errors, g.errors)
	}
	if !bytes.Equal(o.back, g.back) {
		t.Errorf("sent back: openssl %x, tlskit %x", o.back, g.back)
	}
	if o.code != g.code {
		t.Errorf("exit codes: openssl %d, tlskit %d", o.code, g.code)
	}
}

// TestCCSBeforeServerHelloLikeOpenSSL: a ChangeCipherSpec before the
// ServerHello is unexpected_message to openssl s_client (the
// compatibility record only ever follows a hello), with
// ossl_statem_client_read_transition's line; the engine took it as the
// TLS 1.3 compatibility record and waited for the ServerHello.
func TestCCSBeforeServerHelloLikeOpenSSL(t *testing.T) {
	ccs := func([]byte) []byte { return tlsRecord(20, []byte{1}) }
	for _, args := range [][]string{nil, {"-tls1_2"}, {"-tls1_3"}} {
		t.Run(strings.Join(append([]string{"v"}, args...), " "), func(t *testing.T) {
			compareBadServer(t, "error:0A0000F4:SSL routines:ossl_statem_client_read_transition:unexpected message:", ccs, args...)
		})
	}
}
