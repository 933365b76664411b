package sserver

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/tlskit/tlskit/internal/testpeer"
)

// TestReadOCSPResponse: -status_file is read whole however the reads
// come, up to maxOCSPResponse bytes.
func TestReadOCSPResponse(t *testing.T) {
	want := bytes.Repeat([]byte("0123456789"), 1000)
	got, err := readOCSPResponse(iotest.OneByteReader(bytes.NewReader(want)))
	if err != nil || !bytes.Equal(got, want) {
		t.Errorf("one byte a read: %d bytes, %v; want %d bytes", len(got), err, len(want))
	}
	got, err = readOCSPResponse(bytes.NewReader(make([]byte, maxOCSPResponse+1)))
	if err != nil || len(got) != maxOCSPResponse {
		t.Errorf("one byte past the limit: %d bytes, %v", len(got), err)
	}
}

// stapleFiles writes a leaf, its key and a good OCSP response for it,
// whose responder certificate carries pad bytes in an extension (to make
// the response as large as a test needs), to dir.
func stapleFiles(t *testing.T, dir string, pad int) (certPath, keyPath string, resp []byte) {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
	if pad > 0 {
		caTmpl.ExtraExtensions = []pkix.Extension{{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 55555, 1}, Value: make([]byte, pad)}}
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	leafTmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "localhost"}, DNSNames: []string{"localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), KeyUsage: x509.KeyUsageDigitalSignature}
	leafDER, _ := x509.CreateCertificate(rand.Reader, leafTmpl, ca, &key.PublicKey, caKey)
	resp, err = ocsp.CreateResponse(ca, ca, ocsp.Response{Status: ocsp.Good, SerialNumber: big.NewInt(2), Certificate: ca,
		ThisUpdate: time.Now().Add(-time.Minute), NextUpdate: time.Now().Add(time.Hour)}, crypto.Signer(caKey))
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalPKCS8PrivateKey(key)
	certPath, keyPath = filepath.Join(dir, "c.pem"), filepath.Join(dir, "k.pem")
	os.WriteFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leafDER}), 0o644)
	os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), 0o600)
	return certPath, keyPath, resp
}

// TestOCSPStapleFileTooLarge: a -status_file whose response is followed
// by more bytes, past maxOCSPResponse, staples the response, as openssl
// s_server staples the first DER object of its file.
func TestOCSPStapleFileTooLarge(t *testing.T) {
	needTool(t, "openssl")
	dir := t.TempDir()
	certPath, keyPath, resp := stapleFiles(t, dir, 0)
	big := filepath.Join(dir, "big.der")
	os.WriteFile(big, append(resp, make([]byte, maxOCSPResponse)...), 0o644)
	for _, srv := range []string{"openssl", "tlskit"} {
		args := []string{"-cert", certPath, "-key", keyPath, "-status_file", big, "-naccept", "1"}
		var addr string
		if srv == "openssl" {
			addr = testpeer.OpenSSLServer(t, args...).Addr
		} else {
			addr = startServer(t, "", args...).addr
		}
		want := "OCSP Response Status: successful (0x0)"
		if out := opensslClientUntil(t, addr, "", clientPrinted(want), "-status"); !strings.Contains(out, want) {
			t.Errorf("%s: s_client -status:\n%s", srv, out)
		}
	}
}

// stderrLines is s_server's stderr without what differs by build: the
// thread id and the file and line of each error line.
func stderrLines(s string) string {
	s = regexp.MustCompile(`(?m)^[0-9A-F]+:error:`).ReplaceAllString(s, "error:")
	return regexp.MustCompile(`(?m)^(error:[0-9A-F]{8}:[^:]*:[^:]*:[^:]*):[^:]*:\d+:`).ReplaceAllString(s, "$1::")
}

// compareStapleFailure runs openssl s_server and ours with args (which
// end the server after one connection), lets openssl s_client -status
// (with clientArgs) connect to each, after prepare if set, and compares
// the servers' stderr; each client must have got the alert it names.
func compareStapleFailure(t *testing.T, args []string, prepare func(), clientAlert string, clientArgs ...string) {
	t.Helper()
	if prepare == nil {
		prepare = func() {}
	}
	cargs := append([]string{"-status"}, clientArgs...)
	theirSrv := testpeer.OpenSSLServer(t, args...)
	prepare()
	theirClient := opensslClientUntil(t, theirSrv.Addr, "", nil, cargs...)
	_, theirErr := theirSrv.Wait(t, 20*time.Second)
	ts := startServer(t, "", args...)
	prepare()
	ourClient := opensslClientUntil(t, ts.addr, "", nil, cargs...)
	ts.wait(20 * time.Second)
	if !strings.Contains(theirClient, clientAlert) || !strings.Contains(ourClient, clientAlert) {
		t.Errorf("%v: want %q in both clients' output\nopenssl's server:\n%s\ntlskit's:\n%s", args, clientAlert, theirClient, ourClient)
	}
	if o, g := stderrLines(theirErr), stderrLines(ts.err.String()); !strings.Contains(o, "error:") || o != g {
		t.Errorf("%v: stderr differs\nopenssl:\n%s\ntlskit:\n%s", args, o, g)
	}
}

// TestStatusFileFailureLikeOpenSSL: a -status_file that is missing (from
// the start, or removed after it), under a file, a directory or not DER fails the
// handshake of a client asking for a staple with internal_error, with
// openssl's lines on stderr (at TLS 1.3 and 1.2).
func TestStatusFileFailureLikeOpenSSL(t *testing.T) {
	needTool(t, "openssl")
	dir := t.TempDir()
	certPath, keyPath, resp := stapleFiles(t, dir, 0)
	garbage := filepath.Join(dir, "garbage.der")
	os.WriteFile(garbage, []byte("garbage\n"), 0o644)
	gone := filepath.Join(dir, "gone.der")
	for _, tc := range []struct {
		file    string
		prepare func()
	}{
		{filepath.Join(dir, "missing.der"), nil},
		{gone, func() { os.Remove(gone) }},
		{dir, nil},
		{garbage, nil},
		// fopen fails with ENOTDIR: BIO's "system lib", not "no such file".
		{filepath.Join(garbage, "x"), nil},
	} {
		for _, v := range []string{"-tls1_3", "-tls1_2"} {
			os.WriteFile(gone, resp, 0o644)
			args := []string{"-cert", certPath, "-key", keyPath, "-status_file", tc.file, "-naccept", "1"}
			compareStapleFailure(t, args, tc.prepare, "alert internal error", v)
		}
	}
}

// TestStapleTooLargeLikeOpenSSL: a TLS 1.3 staple past an extension's
// 65535 bytes fails as openssl's does, internal_error from
// tls_construct_stoc_status_request; TLS 1.2's CertificateStatus has
// room for it, and openssl s_client refuses the message as too large
// (illegal_parameter, which both servers report).
func TestStapleTooLargeLikeOpenSSL(t *testing.T) {
	needTool(t, "openssl")
	dir := t.TempDir()
	certPath, keyPath, resp := stapleFiles(t, dir, 70000)
	if len(resp) <= 0xffff {
		t.Fatalf("response of %d bytes is not too large", len(resp))
	}
	respPath := filepath.Join(dir, "r.der")
	os.WriteFile(respPath, resp, 0o644)
	args := []string{"-cert", certPath, "-key", keyPath, "-status_file", respPath, "-naccept", "1"}
	compareStapleFailure(t, args, nil, "alert internal error", "-tls1_3")
	compareStapleFailure(t, args, nil, "excessive message size", "-tls1_2")
}

// TestStatusIssuerFromTrustStoreLikeOpenSSL: -status_url needs the
// leaf's issuer for its request and, as openssl 3.0's s_server, looks it
// up in the trust store (-CAfile) only: an issuer in the served chain
// (-cert_chain, -chainCAfile) or in -verifyCAfile alone is not found,
// and the handshake goes on without a staple. Both servers' cert_status
// lines and both clients' OCSP lines are compared.
func TestStatusIssuerFromTrustStoreLikeOpenSSL(t *testing.T) {
	needTool(t, "openssl")
	dir := t.TempDir()
	certPath, keyPath, caPath, url, _ := ocspResponder(t, dir)
	statusLines := func(s string) string {
		var b strings.Builder
		for _, l := range strings.SplitAfter(s, "\n") {
			if strings.HasPrefix(l, "cert_status:") || strings.HasPrefix(l, "OCSP response:") || strings.Contains(l, "Cert Status:") {
				b.WriteString(l)
			}
		}
		return b.String()
	}
	for _, tc := range []struct {
		args   []string
		staple bool
	}{
		{[]string{"-CAfile", caPath}, true},
		{[]string{"-cert_chain", caPath}, false},
		{[]string{"-chainCAfile", caPath}, false},
		{[]string{"-verifyCAfile", caPath}, false},
		{[]string{"-verifyCAfile", certPath, "-CAfile", caPath}, true},
	} {
		args := append([]string{"-cert", certPath, "-key", keyPath, "-status_url", url, "-status_verbose", "-naccept", "1"}, tc.args...)
		done := clientPrinted("OCSP response:")
		theirSrv := testpeer.OpenSSLServer(t, args...)
		theirClient := opensslClientUntil(t, theirSrv.Addr, "", done, "-status")
		_, theirErr := theirSrv.Wait(t, 20*time.Second)
		ts := startServer(t, "", args...)
		ourClient := opensslClientUntil(t, ts.addr, "", done, "-status")
		ts.wait(20 * time.Second)
		want := "OCSP response: no response sent"
		if tc.staple {
			want = "Cert Status: revoked"
		}
		if !strings.Contains(theirClient, want) {
			t.Errorf("%v: openssl's client lacks %q (the measurement changed?):\n%s", tc.args, want, theirClient)
		}
		if o, g := statusLines(theirClient+theirErr), statusLines(ourClient+ts.err.String()); o != g {
			t.Errorf("%v: status lines differ\nopenssl:\n%s\ntlskit:\n%s", tc.args, o, g)
		}
	}
}
