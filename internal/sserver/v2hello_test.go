package sserver

import (
	"net"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/testpeer"
)

// TestV2ClientHelloLikeOpenSSL sends a hand-made SSL 2.0-format
// ClientHello (RFC 5246 Appendix E.2: TLS 1.2, AES128-SHA and the
// renegotiation SCSV, a 32-byte challenge) to openssl s_server -msg
// -state and ours: both answer with a TLS 1.2 ServerHello, Certificate
// and ServerHelloDone, and print the same -msg lines (the hello as "Not
// TLS data or unknown version (version=2, content_type=0)" with its
// bytes, no record header) and -state lines. Messages that do not parse
// are refused alike (compareFirstRecord).
func TestV2ClientHelloLikeOpenSSL(t *testing.T) {
	testpeer.Need(t, "openssl")
	dir := t.TempDir()
	cert, key := writeCert(t, dir, "srv", "localhost", true)
	args := []string{"-cert", cert, "-key", key, "-msg", "-state", "-cipher", "ALL:@SECLEVEL=0"}
	body := []byte{1, 3, 3, 0, 6, 0, 0, 0, 32, 0, 0, 0x2f, 0, 0, 0xff}
	for i := range 32 {
		body = append(body, byte(i+1))
	}
	hello := append([]byte{0x80, byte(len(body))}, body...)
	send := func(addr string) []byte {
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		c.Write(hello)
		// The flight ends with ServerHelloDone; then hang up.
		var got []byte
		buf := make([]byte, 4096)
		for !strings.Contains(string(got), "\x0e\x00\x00\x00") {
			n, err := c.Read(buf)
			got = append(got, buf[:n]...)
			if err != nil {
				break
			}
		}
		return got
	}
	lines := func(s string, prefixes ...string) string {
		var keep []string
		for _, l := range strings.Split(s, "\n") {
			for _, p := range prefixes {
				if strings.HasPrefix(l, p) {
					keep = append(keep, l)
				}
			}
		}
		return strings.Join(keep, "\n")
	}
	// -trace: openssl has an empty line for the hello, then its records.
	traceOf := func(out func() string) string {
		s := waitFor(t, out, "Header:")
		s = s[strings.Index(s, "ACCEPT"):]
		s = s[strings.Index(s, "\n")+1:]
		return s[:strings.Index(s, "Header:")]
	}
	theirSrv := testpeer.OpenSSLServer(t, "-cert", cert, "-key", key, "-trace", "-cipher", "ALL:@SECLEVEL=0")
	send(theirSrv.Addr)
	ourSrv := startServer(t, "", "-cert", cert, "-key", key, "-trace", "-cipher", "ALL:@SECLEVEL=0")
	send(ourSrv.addr)
	if o, g := traceOf(theirSrv.Output), traceOf(ourSrv.out.String); o != "\nSent Record\n" || o != g {
		t.Errorf("-trace differs: openssl %q, tlskit %q", o, g)
	}

	// -debug -msg: the hello read in two (five bytes, then the rest)
	// before it is printed, then the flight up to its write.
	addrs := regexp.MustCompile(`0x[0-9a-f]+`)
	debugOf := func(out func() string) string {
		s := lines(waitFor(t, out, "write to"), "read from", "write to", "<<< ", ">>> ")
		if i := strings.Index(s, "write to"); i >= 0 {
			s = s[:i]
		}
		return addrs.ReplaceAllString(s, "")
	}
	theirSrv = testpeer.OpenSSLServer(t, "-cert", cert, "-key", key, "-debug", "-msg", "-cipher", "ALL:@SECLEVEL=0")
	send(theirSrv.Addr)
	ourSrv = startServer(t, "", "-cert", cert, "-key", key, "-debug", "-msg", "-cipher", "ALL:@SECLEVEL=0")
	send(ourSrv.addr)
	if o, g := debugOf(theirSrv.Output), debugOf(ourSrv.out.String); !strings.HasPrefix(o, "read from  [] (5 bytes => 5 ())\nread from  [] (44 bytes") || o != g {
		t.Errorf("-debug -msg differs\nopenssl:\n%s\ntlskit:\n%s", o, g)
	}

	theirSrv = testpeer.OpenSSLServer(t, args...)
	theirs := send(theirSrv.Addr)
	ourSrv = startServer(t, "", args...)
	ours := send(ourSrv.addr)
	if len(theirs) == 0 || len(theirs) != len(ours) || theirs[0] != 22 || ours[0] != 22 {
		t.Errorf("openssl answered %d bytes (%x...), tlskit %d (%x...)", len(theirs), theirs[:min(len(theirs), 6)], len(ours), ours[:min(len(ours), 6)])
	}
	want := "<<< Not TLS data or unknown version (version=2, content_type=0) [length 002f]"
	// At the client's hang-up both servers fail the handshake with a
	// fatal decode_error alert: -msg shows it on stdout, -state ends with
	// "SSL_accept:error" on stderr. openssl's stdout and stderr reach its
	// Output through separate pipes, so its stderr line does not mean its
	// stdout has arrived: wait for its alert line as well (ours, in
	// process, prints the -msg line before the -state one).
	waitFor(t, theirSrv.Output, "SSL_accept:error")
	waitFor(t, theirSrv.Output, ">>> TLS 1.2, Alert [length 0002], fatal decode_error")
	waitFor(t, ourSrv.err.String, "SSL_accept:error")
	o, g := lines(theirSrv.Output(), ">>> ", "<<< "), lines(ourSrv.out.String(), ">>> ", "<<< ")
	if !strings.Contains(o, want) || o != g {
		t.Errorf("-msg differs\nopenssl:\n%s\ntlskit:\n%s", o, g)
	}
	o, g = lines(theirSrv.Output(), "SSL_accept:"), lines(ourSrv.err.String(), "SSL_accept:")
	if !strings.Contains(o, "read client hello") || o != g {
		t.Errorf("-state differs\nopenssl:\n%s\ntlskit:\n%s", o, g)
	}
	// The hello's bytes as -msg dumps them.
	dump := "    01 03 03 00 06 00 00 00 20 00 00 2f 00 00 ff 01"
	if !strings.Contains(theirSrv.Output(), dump) || !strings.Contains(ourSrv.out.String(), dump) {
		t.Errorf("the hello's dump %q missing\nopenssl:\n%s\ntlskit:\n%s", dump, theirSrv.Output(), ourSrv.out.String())
	}
}

// waitFor waits up to 10 seconds until get holds s (failing the test
// otherwise, rather than leaving callers to slice around a missing s) and
// returns what it gives then.
func waitFor(t *testing.T, get func() string, s string) string {
	t.Helper()
	testpeer.WaitOutput(t, get, s, 10*time.Second)
	return get()
}

// TestV2ClientHelloRefusedLikeOpenSSL: SSL 2.0 ClientHellos openssl
// s_server refuses (too short, lengths that do not add up, a cipher list
// not in threes) are refused by ours with the same alert, error line
// and -msg lines.
func TestV2ClientHelloRefusedLikeOpenSSL(t *testing.T) {
	for _, in := range []string{
		"\x80\x03\x01\x03\x03",
		"\x80\x0b\x01\x03\x03\x00\x03\x00\x00\x00\x00\x00\x00\x2f\xaa",
		"\x80\x0d\x01\x03\x03\x00\x04\x00\x00\x00\x00\x00\x00\x2f\x00",
	} {
		compareFirstRecord(t, []byte(in))
	}
}
