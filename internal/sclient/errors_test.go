package sclient

import (
	"bytes"
	"io"
	"net"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/testpeer"
)

// errorLineRE picks openssl's error-queue lines and the errno lines after
// them, and normalises the thread id, source file and line, which may be
// tlskit's own.
var errorLineRE = regexp.MustCompile(`(?m)^([0-9A-F]+:error:([0-9A-F]{8}:[^:]*:[^:]*:[^:]*):[^:]*:\d+:(.*)|(connect|read|write):errno=\d+)$`)

func errorLines(s string) string {
	var out []string
	for _, m := range errorLineRE.FindAllStringSubmatch(s, -1) {
		if m[4] != "" {
			out = append(out, m[1])
			continue
		}
		out = append(out, "error:"+m[2]+":"+m[3])
	}
	return strings.Join(out, "\n")
}

// fakeServer accepts on 127.0.0.1 and hands each connection to serve.
func fakeServer(t *testing.T, serve func(net.Conn)) string {
	t.Helper()
	return testpeer.ServeAll(t, 10*time.Second, serve)
}

// TestErrorLinesMatchOpenSSL runs openssl s_client and tlskit against the
// same failing peer and compares the error lines on stderr (issue 9 item
// 1), the exit code and the stdout report.
func TestErrorLinesMatchOpenSSL(t *testing.T) {
	pki := testpeer.NewPKI(t)
	refused := func(t *testing.T) string {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		a := l.Addr().String()
		l.Close()
		return a
	}
	openssl := func(args ...string) func(t *testing.T) string {
		return func(t *testing.T) string {
			return testpeer.OpenSSLServer(t, append([]string{"-cert", pki.Server, "-key", pki.ServerKey}, args...)...).Addr
		}
	}
	for _, tc := range []struct {
		name   string
		target func(t *testing.T) string
		args   []string
		want   string // a line both must print
	}{
		{"refused", refused, nil, "error:8000006F:system library:BIO_connect:Connection refused:calling connect()"},
		{"dns", func(*testing.T) string { return "name.invalid:443" }, nil, "error:10080002:BIO routines:BIO_lookup_ex:system lib:Name or service not known"},
		{"wrong-family", refused, []string{"-6"}, "error:10080002:BIO routines:BIO_lookup_ex:system lib:Address family for hostname not supported"},
		{"not-tls", func(t *testing.T) string {
			return fakeServer(t, func(c net.Conn) { c.Write([]byte("SSH-2.0-OpenSSH_9.6\r\n")) })
		}, nil, "error:0A00010B:SSL routines:ssl3_get_record:wrong version number:"},
		{"eof", func(t *testing.T) string {
			return fakeServer(t, func(c net.Conn) {
				// Read the whole ClientHello record, then hang up (with
				// unread data the kernel would send a reset instead).
				h := make([]byte, 5)
				if _, err := io.ReadFull(c, h); err == nil {
					io.ReadFull(c, make([]byte, int(h[3])<<8|int(h[4])))
				}
			})
		}, nil, "error:0A000126:SSL routines:ssl3_read_n:unexpected eof while reading:"},
		{"no-shared-cipher", openssl("-tls1_2", "-cipher", "ECDHE-RSA-AES256-GCM-SHA384"), []string{"-tls1_2", "-cipher", "AES128-SHA"}, "error:0A000410:SSL routines:ssl3_read_bytes:sslv3 alert handshake failure:SSL alert number 40"},
		{"protocol-version", openssl("-tls1_2"), []string{"-tls1_3"}, "error:0A00042E:SSL routines:ssl3_read_bytes:tlsv1 alert protocol version:SSL alert number 70"},
		{"no-alpn-overlap", openssl("-alpn", "foo"), []string{"-alpn", "bar"}, "error:0A000460:SSL routines:ssl3_read_bytes:tlsv1 alert no application protocol:SSL alert number 120"},
		{"verify-return-error", openssl(), []string{"-verify_return_error", "-no-CAfile", "-no-CApath"}, "error:0A000086:SSL routines:tls_post_process_server_certificate:certificate verify failed:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addr := tc.target(t)
			args := append([]string{"-connect", addr}, tc.args...)
			oOut, oErr, oCode := testpeer.Run(t, 30*time.Second, "", "openssl", append([]string{"s_client"}, args...)...)
			tOut, tErr, tCode := runClient(t, "", args...)
			if oCode != 1 || tCode != 1 {
				t.Errorf("exit codes: openssl %d, tlskit %d; want 1", oCode, tCode)
			}
			o, g := errorLines(oErr), errorLines(tErr)
			if !strings.Contains(o, tc.want) {
				t.Fatalf("openssl did not print %q; it printed\n%s", tc.want, oErr)
			}
			if o != g {
				t.Errorf("error lines differ\nopenssl:\n%s\ntlskit:\n%s\n(tlskit's stderr:\n%s)", o, g, tErr)
			}
			// The report around the failure: CONNECTED, the (NONE) block,
			// or nothing when no connection was made.
			if a, b := hasLine(oOut, "New, (NONE), Cipher is (NONE)"), hasLine(tOut, "New, (NONE), Cipher is (NONE)"); a != b {
				t.Errorf("(NONE) block: openssl %v, tlskit %v\n%s", a, b, tOut)
			}
			if a, b := strings.HasPrefix(oOut, "CONNECTED("), strings.HasPrefix(tOut, "CONNECTED("); a != b {
				t.Errorf("CONNECTED line: openssl %v, tlskit %v\n%s", a, b, tOut)
			}
		})
	}
}

func hasLine(s, line string) bool {
	return strings.Contains("\n"+s+"\n", "\n"+line+"\n")
}

// TestOutputFileFailuresLikeOpenSSL: a -msgfile that cannot be written
// gives openssl's file_ctrl lines and exit 1; a -keylogfile that cannot be
// written neither fails the handshake nor the exit code, as with openssl
// (issue 9 item 11).
func TestOutputFileFailuresLikeOpenSSL(t *testing.T) {
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skip("no /dev/full here")
	}
	pki := testpeer.NewPKI(t)
	srv := testpeer.OpenSSLServer(t, "-cert", pki.Server, "-key", pki.ServerKey)
	for _, tc := range []struct {
		args     []string
		wantCode int
		wantLine string
	}{
		{[]string{"-msg", "-msgfile", "/dev/full"}, 1, "error:8000001C:system library:file_ctrl:No space left on device:calling fflush()"},
		{[]string{"-keylogfile", "/dev/full"}, 0, ""},
	} {
		args := append([]string{"-connect", srv.Addr}, tc.args...)
		oOut, oErr, oCode := testpeer.Run(t, 30*time.Second, "", "openssl", append([]string{"s_client"}, args...)...)
		tOut, tErr, tCode := runClient(t, "", args...)
		if oCode != tc.wantCode || tCode != tc.wantCode {
			t.Errorf("%v: exit codes openssl %d, tlskit %d; want %d\n%s", tc.args, oCode, tCode, tc.wantCode, tErr)
		}
		o, g := errorLines(oErr), errorLines(tErr)
		if tc.wantLine == "" {
			if o != "" || g != "" {
				t.Errorf("%v: error lines: openssl %q, tlskit %q; want none", tc.args, o, g)
			}
		} else if !strings.Contains(o, tc.wantLine) || !strings.Contains(g, tc.wantLine) ||
			!strings.Contains(g, "error:10080002:BIO routines:file_ctrl:system lib:") {
			t.Errorf("%v: want %q from both\nopenssl:\n%s\ntlskit:\n%s", tc.args, tc.wantLine, o, g)
		}
		if !strings.Contains(oOut, "Cipher is") || !strings.Contains(tOut, "Cipher is") {
			t.Errorf("%v: a session was not reported", tc.args)
		}
	}
}

// TestGarbageServerCertificateLikeOpenSSL: a TLS 1.2 server whose
// Certificate message holds bytes that are not a certificate gets
// bad_certificate from openssl s_client and from ours, and both print
// tls_process_server_certificate's "ASN1 lib" line (openssl prints its
// ASN.1 decoder's lines before it, which tlskit does not).
func TestGarbageServerCertificateLikeOpenSSL(t *testing.T) {
	testpeer.Need(t, "openssl")
	hs := func(typ byte, body []byte) []byte {
		return append([]byte{typ, byte(len(body) >> 16), byte(len(body) >> 8), byte(len(body))}, body...)
	}
	alerts := make(chan []byte, 2)
	addr := fakeServer(t, func(c net.Conn) {
		h := make([]byte, 5)
		if _, err := io.ReadFull(c, h); err != nil {
			return
		}
		if _, err := io.ReadFull(c, make([]byte, int(h[3])<<8|int(h[4]))); err != nil {
			return
		}
		// ServerHello: TLS 1.2, AES128-GCM-SHA256, renegotiation_info.
		sh := append([]byte{3, 3}, make([]byte, 32)...)
		sh = append(sh, 0, 0x00, 0x9c, 0, 0, 5, 0xff, 0x01, 0, 1, 0)
		garbage := []byte("garbage certificate")
		cert := append([]byte{0, 0, byte(len(garbage) + 3), 0, 0, byte(len(garbage))}, garbage...)
		flight := slices.Concat(hs(2, sh), hs(11, cert), hs(14, nil))
		c.Write(append([]byte{22, 3, 3, byte(len(flight) >> 8), byte(len(flight))}, flight...))
		back, _ := io.ReadAll(c)
		alerts <- back
	})
	args := []string{"-connect", addr, "-tls1_2"}
	_, oErr, oCode := testpeer.Run(t, 30*time.Second, "", "openssl", append([]string{"s_client"}, args...)...)
	oBack := <-alerts
	_, tErr, tCode := runClient(t, "", args...)
	tBack := <-alerts
	const want = "error:0A08000D:SSL routines:tls_process_server_certificate:ASN1 lib:"
	if o, g := errorLines(oErr), errorLines(tErr); !strings.Contains(o, want) || !strings.Contains(g, want) {
		t.Errorf("want %q from both\nopenssl:\n%s\ntlskit:\n%s", want, o, g)
	}
	badCert := []byte{21, 3, 3, 0, 2, 2, 42}
	if !bytes.Equal(oBack, badCert) || !bytes.Equal(tBack, badCert) {
		t.Errorf("sent back: openssl %x, tlskit %x; want %x (bad_certificate)", oBack, tBack, badCert)
	}
	if oCode != 1 || tCode != 1 {
		t.Errorf("exit codes: openssl %d, tlskit %d; want 1", oCode, tCode)
	}
}
