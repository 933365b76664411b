package sserver

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/testpeer"
	"golang.org/x/crypto/ocsp"
)

// stapleFixture writes a CA, a leaf for localhost it issued (with key)
// and a good OCSP response for the leaf; it returns their paths.
func stapleFixture(t *testing.T) (caPath, certPath, keyPath, respPath string) {
	t.Helper()
	dir := t.TempDir()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "staple CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
	caDER, _ := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	ca, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	leafTmpl := &x509.Certificate{SerialNumber: big.NewInt(3), Subject: pkix.Name{CommonName: "localhost"}, DNSNames: []string{"localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	leafDER, _ := x509.CreateCertificate(rand.Reader, leafTmpl, ca, &key.PublicKey, caKey)
	resp, err := ocsp.CreateResponse(ca, ca, ocsp.Response{Status: ocsp.Good, SerialNumber: big.NewInt(3),
		ThisUpdate: time.Now().Add(-time.Minute), NextUpdate: time.Now().Add(time.Hour)}, crypto.Signer(caKey))
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalPKCS8PrivateKey(key)
	caPath, certPath, keyPath, respPath = filepath.Join(dir, "ca.pem"), filepath.Join(dir, "c.pem"), filepath.Join(dir, "k.pem"), filepath.Join(dir, "r.der")
	os.WriteFile(caPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), 0o644)
	os.WriteFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leafDER}), 0o644)
	os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), 0o600)
	os.WriteFile(respPath, resp, 0o644)
	return caPath, certPath, keyPath, respPath
}

// TestStapleTLS12TLS13: the engine staples -status_file's response in
// TLS 1.2 (status_request in ServerHello, then CertificateStatus) and TLS
// 1.3 (the leaf's CertificateEntry), read for each client that asks, as
// openssl s_client -status -trace and gnutls-cli see it; -status_verbose
// prints openssl's callback lines; a client that does not ask gets none.
func TestStapleTLS12TLS13(t *testing.T) {
	needTool(t, "openssl")
	caPath, certPath, keyPath, respPath := stapleFixture(t)
	ts := startServer(t, "", "-cert", certPath, "-key", keyPath, "-status_file", respPath, "-status_verbose", "-naccept", "5")
	out := opensslClientUntil(t, ts.addr, "", clientPrinted("extension_type=status_request(5), length=0", "CertificateStatus, Length=", "Cert Status: good", "Verify return code: 0 (ok)"), "-status", "-tls1_2", "-trace", "-CAfile", caPath)
	for _, w := range []string{"extension_type=status_request(5), length=0", "CertificateStatus, Length=", "Cert Status: good", "Verify return code: 0 (ok)"} {
		if !strings.Contains(out, w) {
			t.Errorf("TLS 1.2: s_client lacks %q:\n%s", w, out)
		}
	}
	out = opensslClientUntil(t, ts.addr, "", clientPrinted("OCSP Response Status: successful (0x0)", "Cert Status: good", "New, TLSv1.3, Cipher is "), "-status", "-tls1_3", "-CAfile", caPath)
	// "New, TLSv1.3": the handshake's summary. The session's "Protocol  :
	// TLSv1.3" line comes only with a ticket, which s_client may leave
	// before.
	for _, w := range []string{"OCSP Response Status: successful (0x0)", "Cert Status: good", "New, TLSv1.3, Cipher is "} {
		if !strings.Contains(out, w) {
			t.Errorf("TLS 1.3: s_client lacks %q:\n%s", w, out)
		}
	}
	out = opensslClientUntil(t, ts.addr, "", clientPrinted("Verify return code: "), "-CAfile", caPath) // its handshake summary's end
	if strings.Contains(out, "OCSP") {
		t.Errorf("a client without -status got a staple:\n%s", out)
	}
	if n := strings.Count(ts.err.String(), "cert_status: callback called\ncert_status: ocsp response sent:\nOCSP Response Data:\n"); n != 2 {
		t.Errorf("%d callback reports on stderr, want 2:\n%s", n, ts.err)
	}
	t.Run("gnutls-cli", func(t *testing.T) {
		for _, prio := range []string{"NORMAL:-VERS-ALL:+VERS-TLS1.2", "NORMAL:-VERS-ALL:+VERS-TLS1.3"} {
			out, _ := runPeer(t, "", 10*time.Second, "gnutls-cli", "--ocsp", "--x509cafile", caPath, "--priority", prio,
				"--sni-hostname", "localhost", "--verify-hostname", "localhost", "-p", ts.port(), "127.0.0.1")
			if !strings.Contains(out, "The certificate is trusted") || !strings.Contains(out, "OCSP status request,") {
				t.Errorf("gnutls-cli %s did not take the staple:\n%s", prio, out)
			}
		}
	})
}

// TestSNIAcknowledgement: -servername/-cert2 on the engine as openssl's
// s_server does them: the matching name gets -cert2 and an acknowledged
// server_name; another name a warning unrecognized_name before a TLS 1.2
// ServerHello (nothing in TLS 1.3) and no acknowledgement.
func TestSNIAcknowledgement(t *testing.T) {
	needTool(t, "openssl")
	needTool(t, "gnutls-cli") // one of the four connections -naccept waits for
	dir := t.TempDir()
	c1, k1 := writeCert(t, dir, "one", "localhost", false)
	c2, k2 := writeCert(t, dir, "two", "other.example", false)
	ts := startServer(t, "", "-cert", c1, "-key", k1, "-cert2", c2, "-key2", k2, "-servername", "other.example", "-naccept", "4")
	if !strings.HasPrefix(ts.out.String(), "Setting secondary ctx parameters\n") {
		t.Errorf("stdout starts %q", ts.out)
	}
	out := opensslClientUntil(t, ts.addr, "", clientPrinted("Level=warning(1), description=unrecognized name(112)", "CN = localhost"), "-servername", "nope.example", "-tls1_2", "-trace")
	if !strings.Contains(out, "Level=warning(1), description=unrecognized name(112)") || !strings.Contains(out, "CN = localhost") {
		t.Errorf("TLS 1.2 other name:\n%s", out)
	}
	if strings.Contains(out, "extension_type=server_name(0), length=0") {
		t.Errorf("TLS 1.2 other name acknowledged:\n%s", out)
	}
	out = opensslClientUntil(t, ts.addr, "", clientPrinted("extension_type=server_name(0), length=0", "CN = other.example"), "-servername", "OTHER.example", "-tls1_2", "-trace")
	if !strings.Contains(out, "extension_type=server_name(0), length=0") || !strings.Contains(out, "CN = other.example") {
		t.Errorf("TLS 1.2 matching name:\n%s", out)
	}
	out = opensslClientUntil(t, ts.addr, "", clientPrinted("CN = localhost", "Verify return code: "), "-servername", "nope.example", "-tls1_3", "-trace")
	if strings.Contains(out, "unrecognized name") || strings.Contains(out, "extension_type=server_name(0), length=0") || !strings.Contains(out, "CN = localhost") {
		t.Errorf("TLS 1.3 other name:\n%s", out)
	}
	out, _ = runPeer(t, "", 10*time.Second, "gnutls-cli", "--insecure", "--sni-hostname", "other.example", "-p", ts.port(), "127.0.0.1")
	if !strings.Contains(out, "subject `CN=other.example'") {
		t.Errorf("gnutls-cli naming other.example:\n%s", out)
	}
	ts.wait(10 * time.Second)
	if n := strings.Count(ts.out.String(), "Switching server context.\n"); n != 2 {
		t.Errorf("%d switches, want 2:\n%s", n, ts.out)
	}
	if !strings.Contains(ts.out.String(), "Hostname in TLS extension: \"nope.example\"\n") {
		t.Errorf("stdout: %s", ts.out)
	}

	// -servername_fatal: a fatal unrecognized_name, after the callback's
	// line, with openssl's error.
	ts = startServer(t, "", "-cert", c1, "-key", k1, "-cert2", c2, "-key2", k2, "-servername", "other.example", "-servername_fatal", "-naccept", "1")
	out = opensslClientUntil(t, ts.addr, "", clientPrinted("tlsv1 unrecognized name"), "-servername", "nope.example")
	if !strings.Contains(out, "tlsv1 unrecognized name") {
		t.Errorf("-servername_fatal: %s", out)
	}
	ts.wait(10 * time.Second)
	if !strings.Contains(ts.out.String(), "Hostname in TLS extension: \"nope.example\"\nshutting down SSL\n") {
		t.Errorf("stdout: %s", ts.out)
	}
	if !strings.Contains(ts.err.String(), ":error:0A0000EA:SSL routines:final_server_name:callback failed:") {
		t.Errorf("stderr: %s", ts.err)
	}
}

// TestStateless: -stateless answers each TLS 1.3 ClientHello with a
// HelloRetryRequest carrying a cookie, which openssl s_client (-trace)
// echoes, and says "DELAY" as openssl's interactive server does, for every
// connection (-reconnect); a session resumes across it; a TLS 1.2 client completes its handshake
// and is then dropped with "ERROR", as openssl's SSL_stateless does.
func TestStateless(t *testing.T) {
	needTool(t, "openssl")
	dir := t.TempDir()
	c1, k1 := writeCert(t, dir, "one", "localhost", false)
	ts := startServer(t, "", "-cert", c1, "-key", k1, "-stateless", "-naccept", "10")
	out := opensslClientUntil(t, ts.addr, "", clientPrinted("New, TLSv1.3, Cipher is"), "-trace")
	if n := strings.Count(out, "extension_type=cookie_ext(44)"); n != 2 {
		t.Errorf("cookie seen %d times (want the retry's and the echo):\n%s", n, out)
	}
	if !strings.Contains(out, "New, TLSv1.3, Cipher is") {
		t.Errorf("no TLS 1.3 handshake:\n%s", out)
	}
	out = opensslClientUntil(t, ts.addr, "", func(out string) bool { return strings.Count(out, "New, TLSv1.3, Cipher is") >= 6 }, "-reconnect")
	if n := strings.Count(out, "New, TLSv1.3, Cipher is"); n != 6 {
		t.Errorf("-reconnect: %d handshakes, want 6:\n%s", n, out)
	}
	sess := filepath.Join(dir, "sess.pem")
	opensslSessionOut(t, ts.addr, sess, "-no_middlebox")
	out = opensslClientUntil(t, ts.addr, "", clientPrinted("Reused, TLSv1.3"), "-sess_in", sess, "-no_middlebox")
	if !strings.Contains(out, "Reused, TLSv1.3") {
		t.Errorf("no resumption across the retry:\n%s", out)
	}
	testpeer.WaitOutputCount(t, ts.out.String, "DELAY\n", 9, 10*time.Second)
	// Input open until the server drops the client, which then leaves.
	out = opensslClientUntil(t, ts.addr, "", nil, "-tls1_2")
	if !strings.Contains(out, "New, TLSv1.2") || !strings.Contains(out, "unexpected eof while reading") {
		t.Errorf("TLS 1.2 client:\n%s", out)
	}
	ts.wait(10 * time.Second)
	if !strings.Contains(ts.err.String(), "ERROR\n") || strings.Count(ts.out.String(), "DELAY\n") != 9 {
		t.Errorf("stdout: %s\nstderr: %s", ts.out, ts.err)
	}
}
