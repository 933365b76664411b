package wire

import (
	"crypto/tls"
	"fmt"
	"net"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/engine"
)

// msgLineRE matches -msg message lines: direction, version, content type,
// length and message name.
var msgLineRE = regexp.MustCompile(`^(<<<|>>>) (TLS [0-9.]+|SSL 3.0|\?\?\?), (\w+) \[length ([0-9a-f]{4})\](?:, (.*))?$`)

type msgEvent struct {
	toServer bool   // direction in terms of the TLS roles
	version  string // as printed
	kind     string // RecordHeader, Handshake, Alert, ...
	length   int
	name     string
	hex      string // first dump line, for RecordHeaders
}

func (e msgEvent) String() string {
	d := "C->S"
	if !e.toServer {
		d = "S->C"
	}
	return fmt.Sprintf("%s %s %s %d %s", d, e.version, e.kind, e.length, e.name)
}

// parseMsg extracts -msg events from output printed by the given role.
func parseMsg(out string, client bool) []msgEvent {
	var evs []msgEvent
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		m := msgLineRE.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		n, _ := strconv.ParseInt(m[4], 16, 32)
		e := msgEvent{toServer: (m[1] == ">>>") == client, version: m[2], kind: m[3], length: int(n), name: m[5]}
		if i+1 < len(lines) {
			e.hex = strings.TrimSpace(lines[i+1])
		}
		evs = append(evs, e)
	}
	return evs
}

// normalize drops what legitimately differs between the two ends'
// views: OpenSSL prints only the ChangeCipherSpec it sends, labels
// InnerContent by direction, and labels a ClientHello with its own
// highest version.
func normalize(evs []msgEvent, toServer bool) []string {
	var out []string
	for _, e := range evs {
		if e.toServer != toServer || e.kind == "ChangeCipherSpec" {
			continue
		}
		if e.kind == "InnerContent" || e.name == "ClientHello" {
			e.version = "*"
		}
		out = append(out, e.String())
	}
	return out
}

// handshakeBytes sums whole records per direction up to and including
// that direction's Finished, as OpenSSL's "SSL handshake has read N
// bytes" counts them.
func handshakeBytes(evs []msgEvent) (toServer, toClient int) {
	var n [2]int
	var fin [2]bool
	for _, e := range evs {
		d := 0
		if !e.toServer {
			d = 1
		}
		if e.kind == "RecordHeader" && !fin[d] {
			f := strings.Fields(e.hex)
			if len(f) == 5 {
				l, _ := strconv.ParseInt(f[3]+f[4], 16, 32)
				n[d] += 5 + int(l)
			}
		}
		if e.name == "Finished" {
			fin[d] = true
		}
	}
	return n[0], n[1]
}

func firstDiff(a, b []string) string {
	for i := 0; i < len(a) || i < len(b); i++ {
		var x, y string
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		if x != y {
			return fmt.Sprintf("line %d: ours %q, openssl %q", i, x, y)
		}
	}
	return ""
}

// prefixCompare checks that the shorter sequence is a prefix of the
// longer one and that both cover at least n events.
func prefixCompare(t *testing.T, what string, ours, theirs []string, n int) {
	t.Helper()
	m := min(len(ours), len(theirs))
	if m < n {
		t.Errorf("%s: too few events (ours %d, openssl %d, want >= %d)\nours:\n%s\nopenssl:\n%s",
			what, len(ours), len(theirs), n, strings.Join(ours, "\n"), strings.Join(theirs, "\n"))
		return
	}
	if d := firstDiff(ours[:m], theirs[:m]); d != "" {
		t.Errorf("%s differs at %s\nours:\n%s\nopenssl:\n%s", what, d, strings.Join(ours, "\n"), strings.Join(theirs, "\n"))
	}
}

type interopCase struct {
	name    string
	kind    string   // certificate key type
	version uint16   // MaxVersion for our end
	srvArgs []string // extra openssl s_server arguments
	auth    bool     // the server asks for a client certificate
}

var interopCases = []interopCase{
	{"TLS13-RSA", "rsa", tls.VersionTLS13, nil, false},
	{"TLS13-ECDSA", "ecdsa", tls.VersionTLS13, nil, false},
	{"TLS12-RSA", "rsa", tls.VersionTLS12, nil, false},
	{"TLS12-ECDSA", "ecdsa", tls.VersionTLS12, nil, false},
	// crypto/tls sends no P-384 key share: the server must ask again.
	{"TLS13-HRR", "ecdsa", tls.VersionTLS13, []string{"-groups", "secp384r1"}, false},
	{"TLS13-ClientAuth", "ecdsa", tls.VersionTLS13, []string{"-verify", "1"}, true},
	{"TLS12-ClientAuth", "rsa", tls.VersionTLS12, []string{"-verify", "1"}, true},
}

// TestClientAgainstOpenSSLServer wraps a crypto/tls client talking to
// openssl s_server -msg and compares both ends' message sequences.
func TestClientAgainstOpenSSLServer(t *testing.T) {
	for _, tc := range interopCases {
		t.Run(tc.name, func(t *testing.T) {
			cf := sharedCert(t, tc.kind)
			srvArgs := append([]string{"s_server", "-accept", "127.0.0.1:0", "-naccept", "1",
				"-cert", cf.cert, "-key", cf.key}, tc.srvArgs...)
			srv, addr := startOpenSSL(t, true, append(srvArgs, "-msg")...)
			_, addr2 := startOpenSSL(t, true, srvArgs...)
			var reportArgs []string
			if tc.auth {
				reportArgs = []string{"-cert", cf.cert, "-key", cf.key}
			}
			report := opensslReport(t, addr2, tc.version, reportArgs...)
			var msg, trace, state, ext syncBuffer
			ob := New(Options{Client: true, Msg: &msg, Trace: &trace, State: &state, TLSExtDebug: &ext})
			raw, err := dialRetry(addr)
			if err != nil {
				t.Fatal(err)
			}
			defer raw.Close()
			raw.SetDeadline(time.Now().Add(10 * time.Second))
			c := engine.Client(ob.Wrap(raw), ownConfig(cf, ob, tc.version))
			if err := c.Handshake(); err != nil {
				t.Fatalf("handshake: %v\n%s", err, srv.out)
			}
			if _, err := c.Write([]byte("ping\n")); err != nil {
				t.Fatal(err)
			}
			if !srv.waitFor(t, "ping", 5*time.Second) {
				t.Fatalf("server never got data:\n%s", srv.out)
			}
			if tc.version == tls.VersionTLS13 {
				// Let the client process the server's tickets: as many
				// as openssl's -msg shows it sent (before it read the
				// ping), at most 10 s. No data follows them, so the read
				// that takes them in ends at its deadline, brought
				// forward once they are in (a timeout is sticky: one
				// read only).
				const ticket = "], NewSessionTicket\n"
				sent := strings.Count(srv.out.String(), ticket)
				c.SetReadDeadline(time.Now().Add(10 * time.Second))
				read := make(chan struct{})
				go func() { c.Read(make([]byte, 10)); close(read) }()
				for end := time.Now().Add(10 * time.Second); strings.Count(msg.String(), ticket) < sent && time.Now().Before(end); {
					time.Sleep(10 * time.Millisecond) // polling our -msg output
				}
				c.SetReadDeadline(time.Now())
				<-read
				c.SetReadDeadline(time.Now().Add(5 * time.Second))
			}
			c.Close()
			srv.wait(t, 5*time.Second)

			ours := parseMsg(msg.String(), true)
			theirs := parseMsg(srv.out.String(), false)
			// Everything the client sent, openssl received.
			prefixCompare(t, "client->server", normalize(ours, true), normalize(theirs, true), 8)
			prefixCompare(t, "server->client", normalize(ours, false), normalize(theirs, false), 10)

			sum := ob.Summary()
			if !sum.HandshakeDone {
				t.Fatal("handshake not seen as done")
			}
			tls13 := tc.version == tls.VersionTLS13
			wantW, wantR := handshakeBytes(theirs)
			if sum.HandshakeBytesRead != int64(wantR) || sum.HandshakeBytesWritten != int64(wantW) {
				t.Errorf("handshake bytes read %d written %d; openssl's -msg says %d and %d",
					sum.HandshakeBytesRead, sum.HandshakeBytesWritten, wantR, wantW)
			}
			st := c.State()
			if sum.Version != st.Version || sum.CipherSuite != st.Suite {
				t.Errorf("summary version %x suite %x; the engine says %x %x", sum.Version, sum.CipherSuite, st.Version, st.Suite)
			}
			checkTrace(t, trace.String(), tls13)
			if tc.srvArgs == nil {
				checkReport(t, report, sum)
			}
			if cr := sum.CertificateRequest; tc.auth != (cr != nil) || (cr != nil && len(cr.SigAlgs) == 0) {
				t.Errorf("CertificateRequest = %+v, want one: %v", cr, tc.auth)
			}
			prefixCompare(t, "-state", stateLines(state.String(), tls13), stateLines(report, tls13), 6)
			if a, b := extLines(ext.String()), extLines(report); strings.Join(a, "\n") != strings.Join(b, "\n") {
				t.Errorf("-tlsextdebug: ours\n%s\nopenssl\n%s", strings.Join(a, "\n"), strings.Join(b, "\n"))
			}
			if t.Failed() || os.Getenv("WIRE_DUMP") != "" {
				t.Logf("our -msg:\n%s\nour -trace:\n%s\nopenssl:\n%s", msg.String(), trace.String(), srv.out)
			}
		})
	}
}

// checkTrace spot-checks -trace output for the messages every
// handshake has.
func checkTrace(t *testing.T, tr string, tls13 bool) {
	t.Helper()
	want := []string{
		"Sent Record\nHeader:\n  Version = TLS 1.0 (0x301)\n  Content Type = Handshake (22)\n",
		"    ClientHello, Length=",
		"      client_version=0x303 (TLS 1.2)\n      Random:\n        gmt_unix_time=0x",
		"Received Record\nHeader:\n  Version = TLS 1.2 (0x303)\n  Content Type = Handshake (22)\n",
		"    ServerHello, Length=",
		"      compression_method: No Compression (0x00)\n",
		"        ASN.1Cert, length=",
		"------details-----\nCertificate:\n    Data:\n",
		"    Finished, Length=",
	}
	if tls13 {
		want = append(want,
			"  Inner Content Type = Handshake (22)\n    EncryptedExtensions, Length=",
			"    CertificateVerify, Length=",
			"        extension_type=supported_versions(43), length=2\n            TLS 1.3 (772)\n",
			"    NewSessionTicket, Length=",
		)
	} else {
		want = append(want, "    ServerKeyExchange, Length=", "      KeyExchangeAlgorithm=ECDHE\n",
			"    ServerHelloDone, Length=0\n", "    ClientKeyExchange, Length=")
	}
	for _, w := range want {
		if !strings.Contains(tr, w) {
			t.Errorf("-trace output lacks %q", w)
		}
	}
	if t.Failed() {
		t.Logf("our -trace:\n%s", tr)
	}
}

func dialRetry(addr string) (net.Conn, error) {
	var err error
	for i := 0; i < 50; i++ {
		var c net.Conn
		c, err = net.DialTimeout("tcp", addr, 2*time.Second)
		if err == nil {
			return c, nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return nil, err
}

// opensslReport runs openssl s_client against addr with stdin closed and
// returns its output: the session report our Summary must agree with.
func opensslReport(t *testing.T, addr string, version uint16, extra ...string) string {
	t.Helper()
	args := append([]string{"s_client", "-connect", addr, "-state", "-tlsextdebug"}, extra...)
	if version == tls.VersionTLS12 {
		args = append(args, "-tls1_2")
	}
	p, _ := startOpenSSL(t, false, args...)
	p.stdin.Close()
	p.wait(t, 10*time.Second)
	return p.out.String() + p.err.String()
}

var (
	digestRE   = regexp.MustCompile(`(?m)^Peer signing digest: (\S+)$`)
	sigTypeRE  = regexp.MustCompile(`(?m)^Peer signature type: (\S+)$`)
	tempKeyRE  = regexp.MustCompile(`(?m)^Server Temp Key: (\w+),`)
	secRenegRE = regexp.MustCompile(`(?m)^Secure Renegotiation IS (NOT )?supported$`)
)

// checkReport compares the Summary with what openssl s_client printed
// for the same server.
func checkReport(t *testing.T, report string, sum Summary) {
	t.Helper()
	digest := map[uint16]string{0x0804: "SHA256", 0x0805: "SHA384", 0x0403: "SHA256", 0x0503: "SHA384", 0x0401: "SHA256"}
	sigType := map[uint16]string{0x0804: "RSA-PSS", 0x0805: "RSA-PSS", 0x0403: "ECDSA", 0x0503: "ECDSA", 0x0401: "RSA"}
	group := map[uint16]string{29: "X25519", 23: "ECDH"}
	m := digestRE.FindStringSubmatch(report)
	if m == nil || digest[sum.PeerSigScheme] != m[1] {
		t.Errorf("PeerSigScheme %#04x; openssl reports digest %v", sum.PeerSigScheme, m)
	}
	m = sigTypeRE.FindStringSubmatch(report)
	if m == nil || sigType[sum.PeerSigScheme] != m[1] {
		t.Errorf("PeerSigScheme %#04x; openssl reports type %v", sum.PeerSigScheme, m)
	}
	m = tempKeyRE.FindStringSubmatch(report)
	if m == nil || group[sum.ServerTempKeyGroup] != m[1] {
		t.Errorf("ServerTempKeyGroup %d; openssl reports %v", sum.ServerTempKeyGroup, m)
	}
	m = secRenegRE.FindStringSubmatch(report)
	if m == nil || sum.SecureRenegotiation != (m[1] == "") {
		t.Errorf("SecureRenegotiation %v; openssl reports %v", sum.SecureRenegotiation, m)
	}
}

// stateLines picks SSL_connect: lines up to the end of the handshake.
func stateLines(out string, tls13 bool) []string {
	end := "SSL_connect:SSLv3/TLS read finished"
	if tls13 {
		end = "SSL_connect:SSLv3/TLS write finished"
	}
	var ls []string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "SSL_connect:") {
			ls = append(ls, l)
			if l == end {
				break
			}
		}
	}
	return ls
}

var extLineRE = regexp.MustCompile(`(?m)^TLS server extension "[^"]*" \(id=\d+\), len=\d+$`)

func extLines(out string) []string { return extLineRE.FindAllString(out, -1) }
