package sclient

import (
	"bufio"
	"crypto/tls"
	"io"
	"net"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/testpeer"
)

// fakeSMTP serves one SMTP session on 127.0.0.1: greeting, EHLO, then
// STARTTLS answered with reply; on 220 it does a TLS handshake and sends a
// line over TLS. It returns the address.
func fakeSMTP(t *testing.T, pki *testpeer.PKI, reply string) string {
	t.Helper()
	cert, err := tls.LoadX509KeyPair(pki.Server, pki.ServerKey)
	if err != nil {
		t.Fatal(err)
	}
	return testpeer.ServeOne(t, 20*time.Second, func(c net.Conn) {
		defer c.Close()
		r := bufio.NewReader(c)
		c.Write([]byte("220-fake.example ESMTP\r\n220 ready\r\n"))
		if l, _ := r.ReadString('\n'); !strings.HasPrefix(l, "EHLO ") {
			return
		}
		c.Write([]byte("250-fake.example\r\n250-PIPELINING\r\n250 STARTTLS\r\n"))
		if l, _ := r.ReadString('\n'); l != "STARTTLS\r\n" {
			return
		}
		c.Write([]byte(reply + "\r\n"))
		if !strings.HasPrefix(reply, "220") {
			return
		}
		tc := tls.Server(c, &tls.Config{Certificates: []tls.Certificate{cert}})
		if tc.Handshake() != nil {
			return
		}
		tc.Write([]byte("250 hello over tls\r\n"))
		tc.Close() // close_notify: the client prints "closed" and exits 0
	})
}

func TestClientStartTLS(t *testing.T) {
	pki := testpeer.NewPKI(t)
	t.Run("smtp-upgrade", func(t *testing.T) {
		addr := fakeSMTP(t, pki, "220 2.0.0 go ahead")
		out, errs, code := runClient(t, "", "-connect", addr, "-starttls", "smtp", "-CAfile", pki.CA, "-ign_eof")
		if code != 0 {
			t.Fatalf("exit %d\n%s\n%s", code, out, errs)
		}
		mustMatch(t, "stdout", out, `(?m)^CONNECTED\(`, `(?m)^Verification: OK$`, `(?m)^250 hello over tls\r$`, `(?m)^closed$`)
	})
	t.Run("smtp-refused", func(t *testing.T) {
		addr := fakeSMTP(t, pki, "454 4.7.0 TLS not available due to local problem")
		out, errs, code := runClient(t, "", "-connect", addr, "-starttls", "smtp")
		if code != 1 {
			t.Fatalf("exit %d, want 1\n%s\n%s", code, out, errs)
		}
		mustMatch(t, "stderr", errs, `454 4\.7\.0 TLS not available due to local problem`)
	})
}

// smtpFront serves SMTP's STARTTLS dialogue on 127.0.0.1, then relays the
// connection to backend (an openssl s_server) for the handshake.
func smtpFront(t *testing.T, backend string) string {
	t.Helper()
	return testpeer.ServeAll(t, 20*time.Second, func(c net.Conn) {
		r := bufio.NewReader(c)
		c.Write([]byte("220 fake.example ESMTP ready\r\n"))
		if l, _ := r.ReadString('\n'); !strings.HasPrefix(l, "EHLO ") {
			return
		}
		c.Write([]byte("250-fake.example\r\n250-PIPELINING\r\n250 STARTTLS\r\n"))
		if l, _ := r.ReadString('\n'); l != "STARTTLS\r\n" {
			return
		}
		c.Write([]byte("220 2.0.0 Ready to start TLS\r\n"))
		splice(c, r, backend)
	})
}

// splice hands a front's connection c, read through r, over to a new
// connection to backend, both ways, once its dialogue is done.
func splice(c net.Conn, r *bufio.Reader, backend string) {
	b, err := net.Dial("tcp", backend)
	if err != nil {
		return
	}
	defer b.Close()
	go func() {
		io.Copy(b, r)
		b.(*net.TCPConn).CloseWrite()
	}()
	io.Copy(c, b)
}

// TestStartTLSByteCounts: the report's byte counts include the STARTTLS
// dialogue before the handshake, as openssl's socket BIO counts it
// ("SSL handshake has read 1352 bytes" where the handshake alone is 1244).
func TestStartTLSByteCounts(t *testing.T) {
	pki := testpeer.NewPKI(t)
	srv := testpeer.OpenSSLServer(t, "-cert", pki.Server, "-key", pki.ServerKey)
	addr := smtpFront(t, srv.Addr)
	keep := regexp.MustCompile(`^SSL handshake has read `)
	for _, v := range []string{"-tls1_2", "-tls1_3"} {
		out := compareWithOpenSSL(t, addr, keep, "-starttls", "smtp", v, "-CAfile", pki.CA)
		if !keep.MatchString(pick(out, keep)) {
			t.Errorf("%s: no byte counts:\n%s", v, out)
		}
	}
}
