package proxy

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"io"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/starttls"
)

const testDeadline = 5 * time.Second

// fakeProxy accepts one connection, checks the request head exactly and
// writes answer (all in one write). It returns the proxy's address and a
// channel that yields the request head it read.
func fakeProxy(t *testing.T, answer string) (string, <-chan string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	got := make(chan string, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			got <- "accept: " + err.Error()
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(testDeadline))
		br := bufio.NewReader(c)
		var head strings.Builder
		for {
			l, err := br.ReadString('\n')
			head.WriteString(l)
			if err != nil || l == "\r\n" {
				break
			}
		}
		got <- head.String()
		if answer == "" { // say nothing: the client must time out
			io.Copy(io.Discard, br)
			return
		}
		c.Write([]byte(answer))
		if strings.HasPrefix(answer, "HTTP/1.1 200") && strings.Contains(answer, "\r\n\r\n") {
			// Echo so the test can see the tunnel works both ways.
			io.Copy(c, br)
		}
	}()
	return ln.Addr().String(), got
}

func TestRequestBytes(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts Options
		want string
	}{
		{"no auth", Options{}, "CONNECT mail.example.org:25 HTTP/1.0\r\nProxy-Connection: Keep-Alive\r\n\r\n"},
		{"basic auth", Options{User: "alice", Pass: "s3cret"},
			"CONNECT mail.example.org:25 HTTP/1.0\r\nProxy-Connection: Keep-Alive\r\nProxy-Authorization: Basic YWxpY2U6czNjcmV0\r\n\r\n"},
		{"user without password", Options{User: "bob"},
			"CONNECT mail.example.org:25 HTTP/1.0\r\nProxy-Connection: Keep-Alive\r\nProxy-Authorization: Basic Ym9iOg==\r\n\r\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addr, got := fakeProxy(t, "HTTP/1.1 200 Connection established\r\n\r\n")
			tc.opts.Timeout = testDeadline
			c, err := Dial(addr, "mail.example.org:25", tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if head := <-got; head != tc.want {
				t.Errorf("request head:\n%q\nwant\n%q", head, tc.want)
			}
		})
	}
}

func TestRefusals(t *testing.T) {
	for _, tc := range []struct{ answer, wantErr string }{
		{"HTTP/1.1 401 Unauthorized\r\n\r\n", "proxy: proxy refused CONNECT: HTTP/1.1 401 Unauthorized"},
		{"HTTP/1.1 403 Forbidden\r\nContent-Length: 5\r\n\r\nnope\n", "proxy: proxy refused CONNECT: HTTP/1.1 403 Forbidden"},
		{"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"x\"\r\n\r\n",
			"proxy: proxy refused CONNECT: HTTP/1.1 407 Proxy Authentication Required"},
		{"HTTP/1.0 502 Bad Gateway\r\n\r\n", "proxy: proxy refused CONNECT: HTTP/1.0 502 Bad Gateway"},
		{"HTTP/1.1 301 Moved\r\nLocation: x\r\n\r\n", "proxy: proxy refused CONNECT: HTTP/1.1 301 Moved"},
		{"220 smtp.example ESMTP\r\n\r\n", "proxy: malformed answer to CONNECT: 220 smtp.example ESMTP"},
		{"HTTP/1.1 200 OK\r\nVia: x", "proxy: proxy closed the connection before answering CONNECT"},
	} {
		t.Run(tc.answer[:12], func(t *testing.T) {
			addr, _ := fakeProxy(t, tc.answer)
			c, err := Dial(addr, "example.org:443", Options{Timeout: testDeadline})
			if err == nil {
				c.Close()
				t.Fatalf("Dial succeeded, want %q", tc.wantErr)
			}
			if err.Error() != tc.wantErr {
				t.Fatalf("error %q\nwant  %q", err, tc.wantErr)
			}
		})
	}
}

func TestTimeout(t *testing.T) {
	addr, _ := fakeProxy(t, "")
	_, err := Dial(addr, "example.org:443", Options{Timeout: 150 * time.Millisecond})
	want := "proxy: timed out after 150ms waiting for the proxy's answer to CONNECT"
	if err == nil || err.Error() != want {
		t.Fatalf("error %v, want %q", err, want)
	}
}

func TestBadTargetAndUnreachable(t *testing.T) {
	if _, err := Dial("127.0.0.1:1", "no-port", Options{}); err == nil || !strings.HasPrefix(err.Error(), `proxy: bad target "no-port"`) {
		t.Errorf("bad target: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	if _, err := Dial(addr, "example.org:443", Options{Timeout: time.Second}); err == nil ||
		!strings.HasPrefix(err.Error(), "proxy: connecting to proxy "+addr+": ") {
		t.Errorf("unreachable proxy: %v", err)
	}
}

// TestGreetingGluedTo200 checks the OpenSSL bug case: an SMTP greeting in
// the same write as the proxy's 200 must reach the caller.
func TestGreetingGluedTo200(t *testing.T) {
	addr, _ := fakeProxy(t, "HTTP/1.1 200 Connection established\r\nVia: 1.1 fake\r\n\r\n220 mx.example ESMTP\r\n")
	c, err := Dial(addr, "mx.example:25", Options{Timeout: testDeadline})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if nc, ok := c.(interface{ NetConn() net.Conn }); !ok {
		t.Errorf("the replaying conn does not unwrap")
	} else if _, ok := nc.NetConn().(*net.TCPConn); !ok {
		t.Errorf("NetConn() is %T, want *net.TCPConn", nc.NetConn())
	}
	c.SetDeadline(time.Now().Add(testDeadline))
	br := bufio.NewReader(c)
	line, err := br.ReadString('\n')
	if err != nil || line != "220 mx.example ESMTP\r\n" {
		t.Fatalf("first line through the tunnel: %q, %v", line, err)
	}
	// The tunnel keeps working after the replayed bytes (the fake echoes).
	io.WriteString(c, "ping\n")
	if line, err = br.ReadString('\n'); err != nil || line != "ping\n" {
		t.Fatalf("echo through the tunnel: %q, %v", line, err)
	}
}

// TestChainToSTARTTLS runs a real tunnelling fake proxy in front of a fake
// SMTP server, upgrades with starttls and completes a TLS handshake.
func TestChainToSTARTTLS(t *testing.T) {
	cert, pool := testCert(t)
	smtpAddr := fakeSMTP(t, cert, "220 mx.example ESMTP\r\n")
	proxyAddr := tunnelProxy(t, "", "")
	c, err := Dial(proxyAddr, smtpAddr, Options{Timeout: testDeadline})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	checkSMTPOverTLS(t, c, pool)
}

// checkSMTPOverTLS upgrades c with STARTTLS, handshakes and reads the
// server's line sent over TLS.
func checkSMTPOverTLS(t *testing.T, c net.Conn, pool *x509.CertPool) {
	t.Helper()
	up, err := starttls.Upgrade(c, "smtp", starttls.Options{Timeout: testDeadline})
	if err != nil {
		t.Fatal(err)
	}
	up.SetDeadline(time.Now().Add(testDeadline))
	tc := tls.Client(up, &tls.Config{RootCAs: pool, ServerName: "localhost"})
	if err := tc.Handshake(); err != nil {
		t.Fatalf("TLS handshake through the proxy: %v", err)
	}
	line, err := bufio.NewReader(tc).ReadString('\n')
	if err != nil || line != "250 over tls\r\n" {
		t.Fatalf("line over TLS: %q, %v", line, err)
	}
}

// fakeSMTP serves one SMTP STARTTLS session and then "250 over tls".
func fakeSMTP(t *testing.T, cert tls.Certificate, greeting string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(testDeadline))
		br := bufio.NewReader(c)
		io.WriteString(c, greeting)
		br.ReadString('\n') // EHLO
		io.WriteString(c, "250-mx.example\r\n250 STARTTLS\r\n")
		br.ReadString('\n') // STARTTLS
		io.WriteString(c, "220 go ahead\r\n")
		ts := tls.Server(c, &tls.Config{Certificates: []tls.Certificate{cert}})
		if ts.Handshake() == nil {
			io.WriteString(ts, "250 over tls\r\n")
			io.Copy(io.Discard, ts)
		}
	}()
	return ln.Addr().String()
}

// tunnelProxy is a minimal real CONNECT proxy for one connection; with
// user set it demands those Basic credentials.
func tunnelProxy(t *testing.T, user, pass string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(testDeadline))
		br := bufio.NewReader(c)
		reqLine, _ := br.ReadString('\n')
		auth := ""
		for {
			l, err := br.ReadString('\n')
			if err != nil || l == "\r\n" {
				break
			}
			if v, ok := strings.CutPrefix(l, "Proxy-Authorization: "); ok {
				auth = strings.TrimSpace(v)
			}
		}
		if user != "" && auth != "Basic "+basic(user, pass) {
			io.WriteString(c, "HTTP/1.1 407 Proxy Authentication Required\r\n\r\n")
			return
		}
		f := strings.Fields(reqLine)
		if len(f) != 3 || f[0] != "CONNECT" {
			io.WriteString(c, "HTTP/1.1 400 Bad Request\r\n\r\n")
			return
		}
		up, err := net.DialTimeout("tcp", f[1], testDeadline)
		if err != nil {
			io.WriteString(c, "HTTP/1.1 502 Bad Gateway\r\n\r\n")
			return
		}
		defer up.Close()
		io.WriteString(c, "HTTP/1.1 200 Connection established\r\n\r\n")
		go func() { io.Copy(up, br); up.Close() }()
		io.Copy(c, up)
	}()
	return ln.Addr().String()
}

// basic encodes Basic credentials (RFC 7617).
func basic(user, pass string) string {
	return base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))
}

func TestChainWithAuth(t *testing.T) {
	cert, pool := testCert(t)
	smtpAddr := fakeSMTP(t, cert, "220-mx.example ESMTP\r\n220 hi\r\n")
	proxyAddr := tunnelProxy(t, "alice", "s3cret")
	c, err := Dial(proxyAddr, smtpAddr, Options{User: "alice", Pass: "s3cret", Timeout: testDeadline})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	checkSMTPOverTLS(t, c, pool)

	proxyAddr = tunnelProxy(t, "alice", "s3cret")
	_, err = Dial(proxyAddr, smtpAddr, Options{User: "alice", Pass: "wrong", Timeout: testDeadline})
	if err == nil || err.Error() != "proxy: proxy refused CONNECT: HTTP/1.1 407 Proxy Authentication Required" {
		t.Fatalf("wrong password: %v", err)
	}
}

// testCert makes a self-signed certificate for "localhost".
func testCert(t testing.TB) (tls.Certificate, *x509.CertPool) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"},
		DNSNames: []string{"localhost"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, BasicConstraintsValid: true, IsCA: true,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}
