package interop

import (
	"encoding/hex"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/engine/msg"
	"github.com/tlskit/tlskit/internal/sclient"
	"github.com/tlskit/tlskit/internal/stdio"
	"github.com/tlskit/tlskit/internal/testpeer"
)

// runBoth runs tlskit s_client and openssl s_client with the same
// arguments, each against its own openssl s_server, and returns their
// standard outputs.
func runBoth(t *testing.T, pki *testpeer.PKI, args ...string) (ours, theirs string) {
	t.Helper()
	run := func(openssl bool) string {
		srv := testpeer.OpenSSLServer(t, "-cert", pki.Server, "-key", pki.ServerKey, "-naccept", "1")
		all := append([]string{"-connect", srv.Addr}, args...)
		if openssl {
			out, errs, code := testpeer.Run(t, 20*time.Second, "", "openssl", append([]string{"s_client"}, all...)...)
			if code != 0 {
				t.Fatalf("openssl s_client exit %d\n%s", code, errs)
			}
			return out
		}
		var out, errb buffer
		done := make(chan int, 1)
		go func() { done <- sclient.Main(all, stdio.Stdio{In: strings.NewReader(""), Out: &out, Err: &errb}) }()
		select {
		case code := <-done:
			if code != 0 {
				t.Fatalf("tlskit s_client exit %d\n%s", code, errb.String())
			}
		case <-time.After(30 * time.Second):
			t.Fatal("tlskit s_client did not finish in 30s")
		}
		return out.String()
	}
	return run(false), run(true)
}

// traceClientHello is the -trace block of the first ClientHello, with
// what is random in every connection (the random, the session ID, the key
// share) masked.
var traceRandomRE = regexp.MustCompile(`(?m)^(\s+(?:gmt_unix_time=|random_bytes \(len=\d+\): |session_id \(len=\d+\): |key_exchange:  \(len=\d+\): )).*$`)

func traceClientHello(t *testing.T, out string) string {
	t.Helper()
	i := strings.Index(out, "    ClientHello, Length=")
	if i < 0 {
		t.Fatalf("no ClientHello in -trace output:\n%s", out)
	}
	block := out[i:]
	if j := strings.Index(block, "\n\n"); j >= 0 {
		block = block[:j+1]
	}
	return traceRandomRE.ReplaceAllString(block, "${1}<random>")
}

// msgClientHello decodes the hex dump under -msg's first ClientHello line.
func msgClientHello(t *testing.T, out string) (line string, m *msg.ClientHello) {
	t.Helper()
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		if !strings.HasPrefix(l, ">>> ") || !strings.HasSuffix(l, "], ClientHello") {
			continue
		}
		var raw []byte
		for _, d := range lines[i+1:] {
			if !strings.HasPrefix(d, "    ") {
				break
			}
			b, err := hex.DecodeString(strings.ReplaceAll(strings.TrimSpace(d), " ", ""))
			if err != nil {
				t.Fatalf("-msg dump line %q: %v", d, err)
			}
			raw = append(raw, b...)
		}
		if len(raw) < msg.HeaderLen || raw[0] != byte(msg.TypeClientHello) {
			t.Fatalf("-msg ClientHello dump %x", raw)
		}
		m, err := msg.ParseClientHello(raw[msg.HeaderLen:])
		if err != nil {
			t.Fatalf("-msg ClientHello does not parse: %v\n%x", err, raw)
		}
		return l, m
	}
	t.Fatalf("no ClientHello in -msg output:\n%s", out)
	return "", nil
}

// TestDefaultClientHelloMatchesOpenSSL is issue 11's "done when": with no
// options, tlskit s_client's -trace and -msg show the ClientHello openssl
// s_client sends to the same kind of server: the same suites, the same
// extensions in the same order with the same contents, apart from the
// random, the session ID and the key share's public value.
func TestDefaultClientHelloMatchesOpenSSL(t *testing.T) {
	pki := testpeer.NewPKI(t)
	t.Run("trace", func(t *testing.T) {
		ours, theirs := runBoth(t, pki, "-trace")
		o, w := traceClientHello(t, ours), traceClientHello(t, theirs)
		if !strings.Contains(w, "extension_type=key_share") {
			t.Fatalf("openssl's ClientHello has no key_share:\n%s", w)
		}
		if o != w {
			t.Fatalf("ClientHello -trace differs\n tlskit:\n%s\nopenssl:\n%s", o, w)
		}
	})
	t.Run("msg", func(t *testing.T) {
		ours, theirs := runBoth(t, pki, "-msg")
		ol, o := msgClientHello(t, ours)
		wl, w := msgClientHello(t, theirs)
		if ol != wl {
			t.Errorf("-msg line: tlskit %q, openssl %q", ol, wl)
		}
		if o.Version != w.Version || len(o.SessionID) != len(w.SessionID) ||
			!equal(o.CipherSuites, w.CipherSuites) || string(o.CompressionMethods) != string(w.CompressionMethods) {
			t.Errorf("fixed fields differ: tlskit %#x %d %x %x, openssl %#x %d %x %x", o.Version, len(o.SessionID),
				o.CipherSuites, o.CompressionMethods, w.Version, len(w.SessionID), w.CipherSuites, w.CompressionMethods)
		}
		var ot, wt []msg.ExtType
		for _, e := range o.Extensions {
			ot = append(ot, e.Type)
		}
		for _, e := range w.Extensions {
			wt = append(wt, e.Type)
		}
		if !equal(ot, wt) {
			t.Fatalf("extensions differ\n tlskit: %v\nopenssl: %v", ot, wt)
		}
		for i, e := range o.Extensions {
			we := w.Extensions[i]
			if e.Type == msg.ExtKeyShare {
				ok, err1 := msg.ParseKeyShareClient(e.Data)
				wk, err2 := msg.ParseKeyShareClient(we.Data)
				if err1 != nil || err2 != nil || len(ok) != len(wk) {
					t.Errorf("key_share: tlskit %x, openssl %x", e.Data, we.Data)
					continue
				}
				for j := range ok {
					if ok[j].Group != wk[j].Group || len(ok[j].Data) != len(wk[j].Data) {
						t.Errorf("key_share %d: tlskit %d/%d bytes, openssl %d/%d bytes", j, ok[j].Group, len(ok[j].Data), wk[j].Group, len(wk[j].Data))
					}
				}
				continue
			}
			if string(e.Data) != string(we.Data) {
				t.Errorf("%v: tlskit %x, openssl %x", e.Type, e.Data, we.Data)
			}
		}
	})
}

func equal[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// traceRecord is one record of a -trace transcript, as its sender or
// receiver prints it (certificate details included), with the direction
// seen from the client.
type traceRecord struct {
	toServer bool
	text     string
}

// traceRecords splits -trace output printed by the client or the server
// into records, skipping the lines in between (verify results, the
// report, KEYUPDATE).
func traceRecords(out string, client bool) []traceRecord {
	var recs []traceRecord
	lines := strings.Split(out, "\n")
	var cur *strings.Builder
	var toServer bool
	end := func() {
		if cur != nil {
			recs = append(recs, traceRecord{toServer, cur.String()})
			cur = nil
		}
	}
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		switch {
		case l == "Sent Record" || l == "Received Record":
			end()
			cur = &strings.Builder{}
			toServer = (l == "Sent Record") == client
		case cur == nil:
		case l == "------details-----":
			// X509_print's text sits unindented inside the record.
			for ; i < len(lines); i++ {
				cur.WriteString(lines[i] + "\n")
				if lines[i] == "------------------" {
					break
				}
			}
		case l == "Header:" || strings.HasPrefix(l, " "):
			cur.WriteString(l + "\n")
		default:
			end()
		}
	}
	end()
	return recs
}

// oneWay keeps the records going one way; a ChangeCipherSpec's body is
// described by its sender only.
func oneWay(recs []traceRecord, toServer bool) []string {
	var out []string
	for _, r := range recs {
		if r.toServer == toServer {
			out = append(out, strings.Replace(r.text, "    change_cipher_spec (1)\n", "", 1))
		}
	}
	return out
}

// TestClientTraceRecordsMatchOpenSSLServer: tlskit s_client -trace and
// openssl s_server -trace describe every record of one TLS 1.3 session
// identically, the decrypted messages included: EncryptedExtensions,
// CertificateRequest, Certificate (with X509 text), CertificateVerify and
// Finished both ways, NewSessionTicket, and KeyUpdate both ways (the
// client's 'K' asks the server for one, which it sends with its next
// data).
func TestClientTraceRecordsMatchOpenSSLServer(t *testing.T) {
	pki := testpeer.NewPKI(t)
	// -verify_quiet with a client certificate that verifies: the verify
	// callback's lines on stderr would land inside the records on stdout.
	srv := testpeer.OpenSSLServer(t, "-cert", pki.Server, "-key", pki.ServerKey, "-naccept", "1",
		"-trace", "-verify", "1", "-CAfile", pki.CA, "-verify_quiet")
	serverTrace := srv.Output
	pr, pw := io.Pipe()
	var out, errb buffer
	done := make(chan int, 1)
	go func() {
		done <- sclient.Main([]string{"-connect", srv.Addr, "-trace", "-cert", pki.Client, "-key", pki.ClientKey},
			stdio.Stdio{In: pr, Out: &out, Err: &errb})
	}()
	// 'K' once the server's two tickets are shown: s_client prints each
	// ticket's session as it arrives, on the reading goroutine, which
	// could land between the lines of the KeyUpdate it sends.
	printed := func(s string, n int) bool { return strings.Count(out.String(), s) >= n }
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) && !printed("NewSessionTicket, Length=", 2) {
		time.Sleep(20 * time.Millisecond)
	}
	pw.Write([]byte("K\n"))
	// openssl answers a KeyUpdate that asks for one when it next writes:
	// once both sides printed the client's, it sends a line (whose
	// printing by s_client must not race the KeyUpdate's).
	for time.Now().Before(deadline) && !(strings.Contains(serverTrace(), "KeyUpdate, Length=1") && printed("update_requested (1)", 1)) {
		time.Sleep(20 * time.Millisecond)
	}
	srv.Send("pong\n")
	// Hold stdin open until the client printed the server's KeyUpdate
	// and line (bounded), then end the session.
	for time.Now().Before(deadline) && !(printed("KeyUpdate, Length=", 2) && printed("pong", 1)) {
		time.Sleep(20 * time.Millisecond)
	}
	pw.Close()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("tlskit s_client exit %d\n%s", code, errb.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("tlskit s_client did not finish")
	}
	ours := traceRecords(out.String(), true)
	for _, dir := range []struct {
		toServer bool
		min      int // ClientHello, CCS, Certificate, CertificateVerify, Finished, KeyUpdate; ServerHello, CCS, EE, CR, Cert, CV, Finished, 2 tickets, KeyUpdate
		name     string
	}{{true, 6, "client->server"}, {false, 10, "server->client"}} {
		o := oneWay(ours, dir.toServer)
		if len(o) < dir.min {
			t.Fatalf("%s: tlskit printed %d records, want at least %d:\n%s", dir.name, len(o), dir.min, out.String())
		}
		var w []string
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if w = oneWay(traceRecords(serverTrace(), false), dir.toServer); len(w) >= dir.min {
				break
			}
		}
		n := min(len(o), len(w))
		if n < dir.min {
			t.Fatalf("%s: openssl s_server printed %d records:\n%s", dir.name, len(w), serverTrace())
		}
		for i := 0; i < n; i++ {
			if o[i] != w[i] {
				t.Fatalf("%s record %d differs\n tlskit s_client:\n%s\nopenssl s_server:\n%s\nALL:\n%s", dir.name, i, o[i], w[i], out.String())
			}
		}
	}
	for _, m := range []string{"EncryptedExtensions", "CertificateRequest", "CertificateVerify", "NewSessionTicket", "KeyUpdate"} {
		if !strings.Contains(out.String(), "    "+m+", Length=") {
			t.Errorf("tlskit's -trace has no %s", m)
		}
	}
}
