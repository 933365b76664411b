package sclient

import (
	"net"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/testpeer"
)

// TestFailedHandshakeByteCount: a handshake that fails reports the bytes
// openssl's would, a record at a time up to the failure, although the
// engine's record layer reads ahead (here the ServerHelloDone behind the
// ServerKeyExchange refused at TLS 1.0/1.1; an RSA certificate keeps the
// sizes fixed from run to run).
func TestFailedHandshakeByteCount(t *testing.T) {
	pki := testpeer.NewPKI(t)
	srv := testpeer.OpenSSLServer(t, "-cert", pki.Server, "-key", pki.ServerKey, "-cipher", "ALL@SECLEVEL=0")
	keep := regexp.MustCompile(`^(SSL handshake has read|New, )`)
	for _, v := range []string{"-tls1", "-tls1_1"} {
		out := compareWithOpenSSL(t, srv.Addr, keep, v, "-cipher", "ECDHE-RSA-AES128-SHA")
		if !strings.Contains(out, "SSL handshake has read ") {
			t.Errorf("%s: no byte count:\n%s", v, out)
		}
	}
}

// TestNotTLSByteCount: a server that answers in plain text fails the
// handshake on its first record's header, and, as in openssl's report,
// only that header counts as read.
func TestNotTLSByteCount(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(10 * time.Second))
				buf := make([]byte, 4096)
				c.Read(buf)
				c.Write([]byte("HTTP/1.0 400 Bad Request\r\n\r\nthis is not TLS at all, not even close\n"))
				c.Read(buf)
			}()
		}
	}()
	out, errOut, _ := runClient(t, "", "-connect", ln.Addr().String())
	if !strings.Contains(errOut, ":wrong version number:") {
		t.Errorf("not refused for its version:\n%s", errOut)
	}
	if !regexp.MustCompile(`(?m)^SSL handshake has read 5 bytes and written `).MatchString(out) {
		t.Errorf("the report counts more than the refused header:\n%s", out)
	}
}

// TestStateParity compares -state with openssl s_client's against the same
// openssl s_server: the servername callback's complaint before the state
// line of the message it follows (ServerHello in TLS 1.2, EncryptedExtensions
// in TLS 1.3), "write finished" once when a resumption ends with the
// client's Finished, and the close_notify answering the server's (-www
// closes first). The lines about the server's certificate are left out:
// openssl judges the chain before its "read server certificate" line;
// TLS 1.3 tickets arrive or not before openssl s_client leaves, a race.
func TestStateParity(t *testing.T) {
	pki := testpeer.NewPKI(t)
	srv := testpeer.OpenSSLServer(t, "-cert", pki.ECServer, "-key", pki.ECServerKey)
	www := testpeer.OpenSSLServer(t, "-cert", pki.ECServer, "-key", pki.ECServerKey, "-www")
	keep := regexp.MustCompile(`^(Can't use SSL_get_servername|SSL_connect:.*(hello|finished|change cipher spec|key exchange|server done)$|SSL3 alert )`)
	for _, args := range [][]string{
		{"-tls1_2", "-state"},
		{"-tls1_3", "-state"},
		{"-tls1_2", "-state", "-reconnect"},
		{"-tls1_2", "-state", "-reconnect", "-no_ticket"},
	} {
		compareWithOpenSSL(t, srv.Addr, keep, args...)
	}
	for _, v := range []string{"-tls1_2", "-tls1_3"} {
		all := []string{"-connect", www.Addr, v, "-state", "-ign_eof"}
		_, oErr, _ := testpeer.Run(t, 30*time.Second, "GET / HTTP/1.0\r\n\r\n", "openssl", append([]string{"s_client"}, all...)...)
		_, tErr, _ := runClient(t, "GET / HTTP/1.0\r\n\r\n", all...)
		alerts := regexp.MustCompile(`^SSL3 alert `)
		if a, b := pick(oErr, alerts), pick(tErr, alerts); a != b {
			t.Errorf("%s: alerts differ after the server's close\nopenssl:\n%s\ntlskit:\n%s", v, a, b)
		}
	}
}

// TestRefusedChainReadCount: a TLS 1.3 chain refused under
// -verify_return_error is refused as it arrives, before the
// CertificateVerify is read, with the alert openssl chooses for the
// code, as openssl does: both report the same bytes read.
func TestRefusedChainReadCount(t *testing.T) {
	pki := testpeer.NewPKI(t)
	srv := testpeer.OpenSSLServer(t, "-cert", pki.Server, "-key", pki.ServerKey)
	all := []string{"-connect", srv.Addr, "-tls1_3", "-verify_return_error", "-msg"}
	oOut, _, _ := testpeer.Run(t, 30*time.Second, "", "openssl", append([]string{"s_client"}, all...)...)
	tOut, tErr, _ := runClient(t, "", all...)
	read := regexp.MustCompile(`SSL handshake has read \d+ bytes`)
	if o, g := read.FindString(oOut), read.FindString(tOut); o == "" || o != g {
		t.Errorf("openssl: %q, tlskit: %q\n%s%s", o, g, tOut, tErr)
	}
	if !strings.Contains(tErr, "certificate verify failed") {
		t.Errorf("not refused:\n%s", tErr)
	}
	// The same alert as openssl's for the code (20: unknown_ca).
	sent := regexp.MustCompile(`>>> TLS 1\.3, Alert \[length 0002\], fatal \w+`)
	if o, g := sent.FindString(oOut), sent.FindString(tOut); o == "" || o != g {
		t.Errorf("alert: openssl %q, tlskit %q", o, g)
	}
}
