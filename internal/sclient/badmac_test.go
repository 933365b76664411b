package sclient

import (
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/testpeer"
)

// corruptingProxy relays connections to backend and flips one bit of the
// server's nth record of type application_data, fromEnd bytes from its end
// (its first byte when the record is shorter).
func corruptingProxy(t *testing.T, backend string, nth, fromEnd int) string {
	t.Helper()
	return testpeer.ServeAll(t, 20*time.Second, func(c net.Conn) {
		b, err := net.Dial("tcp", backend)
		if err != nil {
			return
		}
		defer b.Close()
		go func() {
			io.Copy(b, c)
			b.(*net.TCPConn).CloseWrite()
		}()
		seen := 0
		for {
			h := make([]byte, 5)
			if _, err := io.ReadFull(b, h); err != nil {
				return
			}
			body := make([]byte, int(h[3])<<8|int(h[4]))
			if _, err := io.ReadFull(b, body); err != nil {
				return
			}
			if h[0] == 23 {
				if seen++; seen == nth && len(body) > 0 {
					body[max(0, len(body)-fromEnd)] ^= 1
				}
			}
			if _, err := c.Write(append(h, body...)); err != nil {
				return
			}
		}
	})
}

// TestBadRecordMACLikeOpenSSL: a record from the server that does not
// decrypt (one bit flipped on the way) gets openssl s_client's error
// lines: ssl3_get_record's "decryption failed or bad record mac", after
// its provider's "cipher operation failed" where openssl queues one (TLS
// 1.2 AES-GCM, AES-CCM, CBC MAC-then-encrypt, for a bad padding as for a
// bad MAC; not ChaCha20, encrypt-then-MAC or TLS 1.3 AES-GCM), and no
// "read:errno=0" after the handshake, where tlskit printed that and its
// own line.
func TestBadRecordMACLikeOpenSSL(t *testing.T) {
	pki := testpeer.NewPKI(t)
	srv := testpeer.OpenSSLServer(t, "-cert", pki.Server, "-key", pki.ServerKey, "-www",
		"-ciphersuites", "TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_CCM_SHA256")
	const (
		last = 1    // the tag's (or the CBC padding's) last byte
		iv   = 9999 // a CBC record's explicit IV: only the MAC fails
		// The server's records of type application_data: at TLS 1.3
		// EncryptedExtensions, Certificate, CertificateVerify, Finished
		// and two tickets come before the first data.
		hs13, data12, data13 = 1, 1, 7
	)
	for _, tc := range []struct {
		name      string
		nth, from int
		args      []string
	}{
		{"12-gcm", data12, last, []string{"-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256"}},
		{"12-chacha", data12, last, []string{"-tls1_2", "-cipher", "ECDHE-RSA-CHACHA20-POLY1305"}},
		{"12-cbc-etm", data12, last, []string{"-tls1_2", "-cipher", "ECDHE-RSA-AES128-SHA"}},
		{"12-cbc-sha384-etm", data12, last, []string{"-tls1_2", "-cipher", "ECDHE-RSA-AES256-SHA384"}},
		{"12-cbc-mte-padding", data12, last, []string{"-tls1_2", "-cipher", "ECDHE-RSA-AES128-SHA", "-no_etm"}},
		{"12-cbc-mte-mac", data12, iv, []string{"-tls1_2", "-cipher", "ECDHE-RSA-AES128-SHA", "-no_etm"}},
		{"13-gcm", data13, last, []string{"-tls1_3", "-ciphersuites", "TLS_AES_128_GCM_SHA256"}},
		{"13-chacha", data13, last, []string{"-tls1_3", "-ciphersuites", "TLS_CHACHA20_POLY1305_SHA256"}},
		{"13-ccm", data13, last, []string{"-tls1_3", "-ciphersuites", "TLS_AES_128_CCM_SHA256"}},
		{"13-ccm-handshake", hs13, last, []string{"-tls1_3", "-ciphersuites", "TLS_AES_128_CCM_SHA256"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addr := corruptingProxy(t, srv.Addr, tc.nth, tc.from)
			all := append([]string{"-connect", addr, "-ign_eof"}, tc.args...)
			in := "GET / HTTP/1.0\r\n\r\n"
			_, oErr, oCode := testpeer.Run(t, 30*time.Second, in, "openssl", append([]string{"s_client"}, all...)...)
			_, tErr, tCode := runClient(t, in, all...)
			o, g := errorLines(oErr), errorLines(tErr)
			if o != g || oCode != tCode || !strings.HasSuffix(g, ":ssl3_get_record:decryption failed or bad record mac:") {
				t.Errorf("openssl: exit %d\n%s\ntlskit: exit %d\n%s\n(tlskit's stderr:\n%s)", oCode, o, tCode, g, tErr)
			}
		})
	}
}
