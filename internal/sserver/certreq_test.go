package sserver

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/testpeer"
)

// certRequestTrace is the TLS 1.2 CertificateRequest as openssl
// s_client -trace prints it.
var certRequestTrace = regexp.MustCompile(`(?s)CertificateRequest, Length=.*?certificate_authorities \(len=\d+\)`)

// TestCertificateRequest12LikeOpenSSL: a TLS 1.2 CertificateRequest
// (-verify) carries openssl 3.0's certificate_types and
// signature_algorithms, the SHA-224 and DSA schemes included (and SHA-1
// at security level 0), where tlskit sent only its TLS 1.3 list; and a
// client that signs with one of them (a DSA certificate's default
// DSA+SHA224, ECDSA+SHA224 by -client_sigalgs) is verified as openssl
// s_server verifies it. Compared with openssl s_server, whose list must
// hold the DSA schemes.
func TestCertificateRequest12LikeOpenSSL(t *testing.T) {
	needTool(t, "openssl")
	dir := t.TempDir()
	ec, eck := writeCert(t, dir, "ec", "localhost", false)
	params, dsaCert, dsaKey := filepath.Join(dir, "dsa.params"), filepath.Join(dir, "dsa.crt"), filepath.Join(dir, "dsa.key")
	for _, c := range [][]string{
		{"genpkey", "-genparam", "-algorithm", "DSA", "-pkeyopt", "dsa_paramgen_bits:2048", "-out", params},
		{"req", "-x509", "-newkey", "dsa:" + params, "-nodes", "-keyout", dsaKey, "-out", dsaCert, "-subj", "/CN=dsa client", "-days", "2"},
	} {
		if _, _, code := testpeer.Run(t, 30*time.Second, "", "openssl", c...); code != 0 {
			t.Fatalf("openssl %v failed", c)
		}
	}
	type seen struct{ request, server string }
	serverLines := regexp.MustCompile(`(?m)^(Peer signing digest|Peer signature type|Signature Algorithms|Shared Signature Algorithms):.*$`)
	// run has openssl s_client (args) connect once to a server started
	// by start with -naccept 1, and returns the CertificateRequest the
	// client saw and the server's lines on the client's signature.
	run := func(start func(args ...string) (addr string, stdout func() string), server, client []string) seen {
		args := append([]string{"-cert", ec, "-key", eck, "-verify", "1", "-naccept", "1"}, server...)
		addr, stdout := start(args...)
		// Its input closes once the handshake is reported; the server
		// then ends.
		out := opensslClientUntil(t, addr, "", clientPrinted("Verify return code"), append([]string{"-tls1_2", "-trace"}, client...)...)
		return seen{certRequestTrace.FindString(out), strings.Join(serverLines.FindAllString(stdout(), -1), "\n")}
	}
	openssl := func(args ...string) (string, func() string) {
		s := testpeer.OpenSSLServer(t, args...)
		return s.Addr, func() string { out, _ := s.Wait(t, 20*time.Second); return out }
	}
	tlskit := func(args ...string) (string, func() string) {
		ts := startServer(t, "", args...)
		return ts.addr, func() string { ts.wait(20 * time.Second); return ts.out.String() }
	}
	level0 := []string{"-cipher", "ALL@SECLEVEL=0"}
	for _, c := range []struct {
		name           string
		server, client []string
		wantScheme     string // in openssl's list
		wantSig        string // in openssl's server lines
	}{
		{"no client certificate", nil, nil, "dsa_sha512 (0x0602)", ""},
		{"security level 0", level0, level0, "rsa_pkcs1_sha1 (0x0201)", ""},
		{"DSA client", nil, []string{"-cert", dsaCert, "-key", dsaKey}, "dsa_sha224 (0x0302)", "Peer signature type: DSA"},
		{"DSA+SHA1 at level 0", level0, append([]string{"-cert", dsaCert, "-key", dsaKey, "-client_sigalgs", "DSA+SHA1"}, level0...), "dsa_sha1 (0x0202)", "Peer signing digest: SHA1"},
		{"ECDSA+SHA224", nil, []string{"-cert", ec, "-key", eck, "-client_sigalgs", "ECDSA+SHA224"}, "ecdsa_sha224 (0x0303)", "Peer signing digest: SHA224"},
	} {
		t.Run(c.name, func(t *testing.T) {
			want := run(openssl, c.server, c.client)
			if !strings.Contains(want.request, c.wantScheme) || !strings.Contains(want.server, c.wantSig) {
				t.Fatalf("openssl s_server: no %q in its request or no %q in\n%s", c.wantScheme, c.wantSig, want.server)
			}
			if got := run(tlskit, c.server, c.client); got != want {
				t.Errorf("differs\n--- tlskit\n%s\n%s\n--- openssl\n%s\n%s", got.request, got.server, want.request, want.server)
			}
		})
	}
}
