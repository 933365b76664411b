package sserver

import (
	"bufio"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/testpeer"
	"golang.org/x/crypto/ocsp"
)

// TestOCSPStapleFile: -status_file's DER response is stapled and openssl
// s_client -status reads it.
func TestOCSPStapleFile(t *testing.T) {
	needTool(t, "openssl")
	dir := t.TempDir()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
	caDER, _ := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	ca, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	leafTmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "localhost"}, DNSNames: []string{"localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), KeyUsage: x509.KeyUsageDigitalSignature}
	leafDER, _ := x509.CreateCertificate(rand.Reader, leafTmpl, ca, &key.PublicKey, caKey)
	resp, err := ocsp.CreateResponse(ca, ca, ocsp.Response{Status: ocsp.Good, SerialNumber: big.NewInt(2),
		ThisUpdate: time.Now().Add(-time.Minute), NextUpdate: time.Now().Add(time.Hour)}, crypto.Signer(caKey))
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalPKCS8PrivateKey(key)
	certPath, keyPath, respPath := filepath.Join(dir, "c.pem"), filepath.Join(dir, "k.pem"), filepath.Join(dir, "r.der")
	os.WriteFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leafDER}), 0o644)
	os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), 0o600)
	os.WriteFile(respPath, resp, 0o644)
	ts := startServer(t, "", "-cert", certPath, "-key", keyPath, "-status_file", respPath, "-naccept", "1")
	out := opensslClientUntil(t, ts.addr, "", clientPrinted("OCSP Response Status: successful (0x0)", "Cert Status: good"), "-status")
	for _, w := range []string{"OCSP Response Status: successful (0x0)", "Cert Status: good"} {
		if !strings.Contains(out, w) {
			t.Errorf("s_client -status lacks %q:\n%s", w, out)
		}
	}
}

// ocspResponder writes, into dir, an ECDSA CA (ca.pem) and a leaf for
// localhost it issued (serial 7, c.pem and k.pem), and starts an OCSP
// responder that answers "revoked" for any serial, signed by the CA; the
// requests it got come on asked (at most 16 are kept).
func ocspResponder(t *testing.T, dir string) (certPath, keyPath, caPath, url string, asked chan *ocsp.Request) {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
	caDER, _ := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	ca, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	leafTmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), KeyUsage: x509.KeyUsageDigitalSignature}
	leafDER, _ := x509.CreateCertificate(rand.Reader, leafTmpl, ca, &key.PublicKey, caKey)
	asked = make(chan *ocsp.Request, 16)
	responder := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		req, err := ocsp.ParseRequest(body)
		if err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		select {
		case asked <- req:
		default:
		}
		resp, _ := ocsp.CreateResponse(ca, ca, ocsp.Response{Status: ocsp.Revoked, SerialNumber: req.SerialNumber,
			RevokedAt: time.Now().Add(-time.Minute), ThisUpdate: time.Now().Add(-time.Minute), NextUpdate: time.Now().Add(time.Hour)}, caKey)
		w.Header().Set("Content-Type", "application/ocsp-response")
		w.Write(resp)
	}))
	t.Cleanup(responder.Close)
	kder, _ := x509.MarshalPKCS8PrivateKey(key)
	certPath, keyPath, caPath = filepath.Join(dir, "c.pem"), filepath.Join(dir, "k.pem"), filepath.Join(dir, "ca.pem")
	os.WriteFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leafDER}), 0o644)
	os.WriteFile(caPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), 0o644)
	os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), 0o600)
	return certPath, keyPath, caPath, responder.URL, asked
}

// TestOCSPFetch: -status_url asks a responder at start-up and staples
// its answer.
func TestOCSPFetch(t *testing.T) {
	needTool(t, "openssl")
	certPath, keyPath, caPath, url, asked := ocspResponder(t, t.TempDir())
	// openssl s_server looks the issuer up in its trust store (-CAfile).
	ts := startServer(t, "", "-cert", certPath, "-key", keyPath, "-CAfile", caPath, "-status_url", url, "-status_verbose", "-naccept", "1")
	// As openssl's, the responder is asked during the handshake of a
	// client that wants a staple, not at start-up.
	select {
	case <-asked:
		t.Fatal("the responder was asked before any client came")
	default:
	}
	out := opensslClientUntil(t, ts.addr, "", clientPrinted("Cert Status: revoked"), "-status")
	select {
	case req := <-asked:
		if req.SerialNumber.Int64() != 7 {
			t.Errorf("asked about serial %v", req.SerialNumber)
		}
	default:
		t.Fatalf("the responder was not asked; stderr: %s", ts.err)
	}
	if !strings.Contains(out, "Cert Status: revoked") {
		t.Errorf("s_client -status:\n%s", out)
	}
	ts.wait(10 * time.Second)
	for _, w := range []string{"cert_status: callback called\n", "cert_status: ocsp response sent:\nOCSP Response Data:\n    OCSP Response Status: successful (0x0)\n",
		"    Cert Status: revoked\n"} {
		if !strings.Contains(ts.err.String(), w) {
			t.Errorf("stderr lacks %q: %s", w, ts.err)
		}
	}
}

// TestKeyLogFile: -keylogfile receives NSS key log lines.
func TestKeyLogFile(t *testing.T) {
	dir := t.TempDir()
	kl := filepath.Join(dir, "keys.log")
	ts := startServer(t, dir, "-www", "-keylogfile", kl, "-naccept", "1")
	c, err := goClient(ts.addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(c, "GET / HTTP/1.0\r\n\r\n")
	io.ReadAll(c)
	c.Close()
	ts.wait(10 * time.Second)
	b, _ := os.ReadFile(kl)
	if !strings.Contains(string(b), "CLIENT_HANDSHAKE_TRAFFIC_SECRET ") {
		t.Errorf("key log: %q", b)
	}
}

// TestDualCertificates: -dcert gives a second key type; each client gets
// the certificate its cipher or signature algorithms need. (-xcert
// replaces -cert's: TestXcertLikeOpenSSL.)
func TestDualCertificates(t *testing.T) {
	dir := t.TempDir()
	ec, eck := writeCert(t, dir, "ec", "ec.example", false)
	rs, rsk := writeCert(t, dir, "rsa", "rsa.example", true)
	testSecondCert(t, []string{"-cert", ec, "-key", eck, "-www", "-dcert", rs, "-dkey", rsk})
}

func testSecondCert(t *testing.T, args []string) {
	ts := startServer(t, "", args...)
	for _, tc := range []struct {
		cfg  *tls.Config
		want string
	}{
		{&tls.Config{MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256}}, "rsa.example"},
		{&tls.Config{MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}}, "ec.example"},
		{&tls.Config{MaxVersion: tls.VersionTLS12}, "ec.example"},
	} {
		c, err := goClient(ts.addr, tc.cfg)
		if err != nil {
			t.Errorf("%v: %v", tc.cfg.CipherSuites, err)
			continue
		}
		if got := c.ConnectionState().PeerCertificates[0].Subject.CommonName; got != tc.want {
			t.Errorf("%v %v: got certificate %s, want %s", args, tc.cfg.CipherSuites, got, tc.want)
		}
		c.Close()
	}
}

// TestResumptionCounted: a resumed session counts as a cache hit, and
// -num_tickets 0 or -no_resume_ephemeral turns TLS 1.3 resumption off
// (-no_ticket does not).
func TestResumptionCounted(t *testing.T) {
	for _, tc := range []struct {
		args   []string
		resume bool
	}{
		{nil, true},
		// openssl's TLS 1.3 tickets become stateful under -no_ticket,
		// and still resume.
		{[]string{"-no_ticket"}, true},
		{[]string{"-num_tickets", "0"}, false},
		// -no_resume_ephemeral wins over -num_tickets and -no_ticket.
		{[]string{"-no_resume_ephemeral"}, false},
		{[]string{"-no_resume_ephemeral", "-no_ticket", "-num_tickets", "3"}, false},
	} {
		ts := startServer(t, t.TempDir(), append([]string{"-www", "-naccept", "2"}, tc.args...)...)
		cfg := &tls.Config{ClientSessionCache: tls.NewLRUClientSessionCache(4)}
		resumed := false
		for i := 0; i < 2; i++ {
			c, err := goClient(ts.addr, cfg)
			if err != nil {
				t.Fatal(err)
			}
			io.WriteString(c, "GET / HTTP/1.0\r\n\r\n")
			io.ReadAll(c) // the ticket arrives with the response
			resumed = c.ConnectionState().DidResume
			c.Close()
		}
		if resumed != tc.resume {
			t.Errorf("%v: resumed=%v", tc.args, resumed)
		}
		ts.wait(10 * time.Second)
		hits := "   1 session cache hits\n"
		if !tc.resume {
			hits = "   0 session cache hits\n"
		}
		if !strings.Contains(ts.out.String(), hits) {
			t.Errorf("%v: stats lack %q:\n%s", tc.args, hits, ts.out)
		}
	}
}

// TestBriefCRLF: -brief prints its summary on stderr and no ACCEPT line,
// client data still reaches stdout, and -crlf turns stdin's LF into CRLF.
func TestBriefCRLF(t *testing.T) {
	ts := startServer(t, t.TempDir(), "-brief", "-crlf")
	c, err := goClient(ts.addr, &tls.Config{MaxVersion: tls.VersionTLS12})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "client data\n")
	testpeer.WaitOutput(t, ts.out.String, "client data\n", 5*time.Second)
	io.WriteString(ts.stdin, "to client\n")
	line, _ := bufio.NewReader(c).ReadString('\n')
	if line != "to client\r\n" {
		t.Errorf("client read %q", line)
	}
	if strings.Contains(ts.out.String(), "ACCEPT") || strings.Contains(ts.out.String(), "CIPHER is") {
		t.Errorf("-brief stdout has report lines: %s", ts.out)
	}
	e := ts.err.String()
	for _, w := range []string{"Protocol version: TLSv1.2\n", "Ciphersuite: ECDHE-ECDSA-", "No peer certificate\n", "Supported groups: "} {
		if !strings.Contains(e, w) {
			t.Errorf("stderr lacks %q:\n%s", w, e)
		}
	}
}

// TestIgnEOF: with -quiet (or -brief) the end of stdin only stops the
// reading and the session goes on ("-ign_eof: default when -quiet");
// -ign_eof alone does not keep openssl 3.0's interactive s_server alive:
// the end of stdin ends it then too (both run with openssl s_server).
func TestIgnEOF(t *testing.T) {
	for _, flag := range []string{"-quiet", "-brief"} {
		t.Run(flag, func(t *testing.T) {
			// The hook runs on the session's goroutine before it acts on
			// the end of stdin: once it has run, a session that (wrongly)
			// ends there has printed DONE before it reads the client again.
			ended := make(chan struct{}, 1)
			testOnlyStdinEnded = func() {
				select {
				case ended <- struct{}{}:
				default:
				}
			}
			t.Cleanup(func() { testOnlyStdinEnded = nil }) // after the server's own cleanup
			ts := startServer(t, t.TempDir(), flag)
			ts.stdin.Close()
			c, err := goClient(ts.addr, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			select {
			case <-ended:
			case <-time.After(10 * time.Second):
				t.Fatalf("the session did not see the end of stdin within 10s\nstdout: %s", ts.out)
			}
			io.WriteString(c, "still here\n")
			testpeer.WaitOutput(t, ts.out.String, "still here\n", 5*time.Second)
			if strings.Contains(ts.out.String(), "DONE") {
				t.Errorf("stdin EOF ended the session: %s", ts.out)
			}
		})
	}
	t.Run("-ign_eof", func(t *testing.T) {
		ts := startServer(t, t.TempDir(), "-ign_eof")
		ts.stdin.Close()
		c, err := goClient(ts.addr, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if code := ts.wait(10 * time.Second); code != 0 {
			t.Errorf("exit code %d", code)
		}
		if !strings.Contains(ts.out.String(), "DONE\n") {
			t.Errorf("stdout: %s", ts.out)
		}
	})
}

// TestHandshakeTimeout: a client stalled mid-handshake is dropped.
func TestHandshakeTimeout(t *testing.T) {
	const testOnlyHandshakeTimeout = 300 * time.Millisecond
	old := handshakeTimeout
	handshakeTimeout = testOnlyHandshakeTimeout
	ts := startServer(t, t.TempDir(), "-www")
	handshakeTimeout = old
	c, err := net.Dial("tcp", ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte{0x16, 0x03, 0x01, 0x00, 0x50}) // a record header, then nothing
	c.SetReadDeadline(time.Now().Add(testOnlyHandshakeTimeout + 5*time.Second))
	start := time.Now()
	_, err = io.ReadAll(c)
	if err != nil {
		t.Fatalf("server did not drop the stalled client: %v", err)
	}
	if d := time.Since(start); d > testOnlyHandshakeTimeout+4*time.Second {
		t.Errorf("dropped after %v", d)
	}
}

// TestMsgAndTrace: -msg prints each protocol message, decrypting TLS 1.3's
// encrypted handshake, and -msgfile sends it to a file.
func TestMsgAndTrace(t *testing.T) {
	dir := t.TempDir()
	ts := startServer(t, dir, "-www", "-msg", "-naccept", "1")
	c, err := goClient(ts.addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(c, "GET / HTTP/1.0\r\n\r\n")
	io.ReadAll(c)
	c.Close()
	ts.wait(10 * time.Second)
	for _, w := range []string{"<<< TLS 1.3, Handshake [length ", "], ClientHello\n", ">>> TLS 1.3, Handshake [length 0006], EncryptedExtensions\n", ">>> TLS 1.3, Handshake [length 0024], Finished\n", "<<< TLS 1.3, Handshake [length 0024], Finished\n"} {
		if !strings.Contains(ts.out.String(), w) {
			t.Errorf("-msg output lacks %q:\n%s", w, ts.out)
		}
	}
	mf := filepath.Join(dir, "msg.txt")
	ts2 := startServer(t, "", "-www", "-msg", "-msgfile", mf, "-naccept", "1")
	c, err = goClient(ts2.addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(c, "GET / HTTP/1.0\r\n\r\n")
	io.ReadAll(c)
	c.Close()
	ts2.wait(10 * time.Second)
	b, _ := os.ReadFile(mf)
	if !strings.Contains(string(b), "ClientHello") || strings.Contains(ts2.out.String(), "ClientHello") {
		t.Errorf("-msgfile: file %q, stdout %q", b, ts2.out)
	}
}

// TestStateAndExtDebug: -state goes to stderr and -tlsextdebug to stdout,
// as openssl prints them.
func TestStateAndExtDebug(t *testing.T) {
	ts := startServer(t, t.TempDir(), "-www", "-state", "-tlsextdebug", "-naccept", "1")
	c, err := goClient(ts.addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(c, "GET / HTTP/1.0\r\n\r\n")
	io.ReadAll(c)
	c.Close()
	ts.wait(10 * time.Second)
	if !strings.Contains(ts.err.String(), "SSL_accept:SSLv3/TLS read client hello\n") {
		t.Errorf("-state: stderr %s", ts.err)
	}
	if !strings.Contains(ts.out.String(), `TLS client extension "supported_groups" (id=10), len=`) {
		t.Errorf("-tlsextdebug: stdout %s", ts.out)
	}
}

// TestPassAndChain: an encrypted key opens with -pass, and -cert_chain's
// certificates follow the leaf, as openssl s_client -showcerts sees.
func TestPassAndChain(t *testing.T) {
	needTool(t, "openssl")
	dir := t.TempDir()
	sh := func(args ...string) {
		t.Helper()
		if out, err := runPeer(t, "", 20*time.Second, "openssl", args...); err != nil {
			t.Fatalf("openssl %v: %v\n%s", args, err, out)
		}
	}
	p := func(n string) string { return filepath.Join(dir, n) }
	sh("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", p("ca.key"), "-out", p("ca.pem"), "-subj", "/CN=Chain Test CA", "-days", "2")
	sh("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-passout", "pass:s3cret", "-keyout", p("leaf.key"), "-out", p("leaf.csr"), "-subj", "/CN=localhost")
	sh("x509", "-req", "-in", p("leaf.csr"), "-CA", p("ca.pem"), "-CAkey", p("ca.key"), "-CAcreateserial", "-out", p("leaf.pem"), "-days", "2")
	ts := startServer(t, "", "-cert", p("leaf.pem"), "-key", p("leaf.key"), "-pass", "pass:s3cret", "-cert_chain", p("ca.pem"), "-naccept", "1")
	out := opensslClientUntil(t, ts.addr, "", clientPrinted(" 0 s:CN = localhost", " 1 s:CN = Chain Test CA", "Verify return code: 0 (ok)"), "-showcerts", "-CAfile", p("ca.pem"), "-verify_return_error")
	for _, w := range []string{" 0 s:CN = localhost", " 1 s:CN = Chain Test CA", "Verify return code: 0 (ok)"} {
		if !strings.Contains(out, w) {
			t.Errorf("s_client output lacks %q:\n%s", w, out)
		}
	}
	// The trust store completes a chain, as libssl's automatic chain does.
	ts2 := startServer(t, "", "-cert", p("leaf.pem"), "-key", p("leaf.key"), "-pass", "pass:s3cret", "-chainCAfile", p("ca.pem"), "-build_chain", "-naccept", "1")
	out = opensslClientUntil(t, ts2.addr, "", clientPrinted(" 1 s:CN = Chain Test CA"), "-showcerts")
	if !strings.Contains(out, " 1 s:CN = Chain Test CA") {
		t.Errorf("-chainCAfile -build_chain: no chain:\n%s", out)
	}
	var errb strings.Builder
	if code := Main([]string{"-cert", p("leaf.pem"), "-key", p("leaf.key"), "-pass", "pass:s3cret", "-build_chain", "-no-CAfile"}, stdioFor(&errb)); code != 1 ||
		!strings.Contains(errb.String(), "error building certificate chain\n00000000:error:0A000086:SSL routines:ssl_build_cert_chain:certificate verify failed:tlskit:0:Verify error:unable to get local issuer certificate") {
		t.Errorf("-build_chain without a store: code %d, stderr %q", code, errb.String())
	}
	errb.Reset()
	code := Main([]string{"-cert", p("leaf.pem"), "-key", p("leaf.key"), "-pass", "pass:wrong"}, stdioFor(&errb))
	if code != 1 || !strings.Contains(errb.String(), "leaf.key") {
		t.Errorf("wrong pass: code %d, stderr %q", code, errb.String())
	}
}

// TestResumedReportTLS13: the interactive report of a TLS 1.3 resumption
// has the groups and shared ciphers but no signature algorithms and
// says "Reused session-id", as openssl's (see writeConnReport); the
// first connection's report has the signature algorithms.
func TestResumedReportTLS13(t *testing.T) {
	ts := startServer(t, t.TempDir(), "-naccept", "2")
	cfg := &tls.Config{ClientSessionCache: tls.NewLRUClientSessionCache(4), MinVersion: tls.VersionTLS13}
	for i := range 2 {
		c, err := goClient(ts.addr, cfg)
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(20 * time.Second))
		// The report is out once the client's line is on stdout.
		ping := fmt.Sprintf("ping %d\n", i)
		io.WriteString(c, ping)
		testpeer.WaitOutput(t, ts.out.String, ping, 10*time.Second)
		// Reading the server's line takes the tickets sent before it.
		io.WriteString(ts.stdin, "pong\n")
		if line, err := bufio.NewReader(c).ReadString('\n'); line != "pong\n" {
			t.Fatalf("connection %d: read %q, %v", i, line, err)
		}
		c.Close()
		if resumed := c.ConnectionState().DidResume; resumed != (i == 1) {
			t.Fatalf("connection %d: resumed %v", i, resumed)
		}
	}
	ts.wait(10 * time.Second)
	out := ts.out.String()
	second := out[strings.LastIndex(out, "CIPHER is")-1:]
	first := out[:len(out)-len(second)]
	if i := strings.LastIndex(first, "Shared ciphers:"); i >= 0 {
		second = first[i:] + second
		first = first[:i]
	}
	if !strings.Contains(first, "\nSignature Algorithms: ") {
		t.Errorf("the first report has no signature algorithms:\n%s", first)
	}
	if strings.Contains(second, "Signature Algorithms") || !strings.Contains(second, "\nSupported groups: ") ||
		!strings.Contains(second, "Shared ciphers:") || !strings.Contains(second, "Reused session-id") {
		t.Errorf("the resumption's report:\n%s", second)
	}
}
