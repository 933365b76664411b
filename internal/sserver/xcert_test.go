package sserver

import (
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/testpeer"
)

// xcertLines are what a test compares of a server's stderr under -xcert:
// the certificate callback's chain checks and the error lines, without
// their thread, file and line.
func xcertLines(stderr string) string {
	var b strings.Builder
	for _, l := range strings.SplitAfter(stderrLines(stderr), "\n") {
		if strings.HasPrefix(l, "Checking cert chain") || strings.HasPrefix(l, "Subject:") || strings.HasPrefix(l, "\t") ||
			strings.HasPrefix(l, "ERROR") || strings.HasPrefix(l, "error:") {
			b.WriteString(l)
		}
	}
	return b.String()
}

// servedLines are a client's lines that say which certificate it got,
// if any.
func servedLines(out string) string {
	var b strings.Builder
	for _, l := range strings.SplitAfter(out, "\n") {
		if (len(l) > 4 && l[0] == ' ' && l[2] == ' ' && strings.HasPrefix(l[3:], "s:")) || strings.Contains(l, "Cipher is") {
			b.WriteString(l)
		}
	}
	return b.String()
}

// TestXcertLikeOpenSSL: under -xcert, openssl 3.0's s_server checks each
// -xcert against every full handshake's ClientHello (SSL_check_chain),
// prints the chain's flags on stderr and serves the valid ones alone,
// -cert's forgotten even when it would have done. Both servers run with
// the same options for the same openssl s_client; their stderr lines and
// the certificate served (or the failure) must agree.
func TestXcertLikeOpenSSL(t *testing.T) {
	pki := testpeer.NewPKI(t)
	ec := []string{"-cert", pki.ECServer, "-key", pki.ECServerKey, "-naccept", "1"}
	for _, tc := range []struct {
		name       string
		server     []string
		client     []string
		wantServed string // in openssl's client output
	}{
		// A valid ECDSA -xcert is served in place of -cert's.
		{"same type", []string{"-xcert", pki.SelfSigned, "-xkey", pki.SelfSignedKey}, nil, "New, TLSv1.3"},
		// An RSA -xcert the client's schemes rule out: no certificate.
		{"ruled out", []string{"-xcert", pki.Server, "-xkey", pki.ServerKey}, []string{"-sigalgs", "ECDSA+SHA256"}, "New, (NONE)"},
		// TLS 1.2: an RSA key signed with ECDSA is a valid chain that
		// cannot sign: no shared cipher.
		{"valid cannot sign", []string{"-xcert", pki.Server, "-xkey", pki.ServerKey}, []string{"-tls1_2", "-sigalgs", "ECDSA+SHA256"}, "New, (NONE)"},
		// A P-256 key for a client without P-256 in its groups.
		{"curve", []string{"-xcert", pki.SelfSigned, "-xkey", pki.SelfSignedKey}, []string{"-groups", "X25519"}, "New, (NONE)"},
		// Two -xcerts of other types, both valid; and after a
		// HelloRetryRequest, a second check.
		{"two and retry", []string{"-xcert", pki.Server, "-xkey", pki.ServerKey, "-xcert", pki.SelfSigned, "-xkey", pki.SelfSignedKey, "-groups", "P-256"},
			[]string{"-groups", "X25519:P-256"}, "New, TLSv1.3"},
		// -xchain's CA is checked too: at TLS 1.2 an RSA-only client
		// takes neither its nor the leaf's ECDSA signature.
		{"xchain", []string{"-xcert", pki.Server, "-xkey", pki.ServerKey, "-xchain", pki.CA}, []string{"-tls1_2", "-sigalgs", "RSA+SHA256"}, "New, (NONE)"},
		{"xchain ok", []string{"-xcert", pki.Server, "-xkey", pki.ServerKey, "-xchain", pki.CA}, []string{"-tls1_2"}, "New, TLSv1.2"},
		// -xchain_build builds the chain of the -xcert it follows, at
		// the handshake: a failure fails it (internal_error, "cert cb
		// error" after ssl_build_cert_chain's line).
		{"build", []string{"-xcert", pki.SelfSigned, "-xkey", pki.SelfSignedKey, "-xcert", pki.Server, "-xkey", pki.ServerKey, "-xchain_build", "-CAfile", pki.CA},
			nil, "New, TLSv1.3"},
		{"build fails", []string{"-xcert", pki.SelfSigned, "-xkey", pki.SelfSignedKey, "-xchain_build", "-xcert", pki.Server, "-xkey", pki.ServerKey, "-CAfile", pki.CA},
			nil, "New, (NONE)"},
		// The build takes the store alone, not -xchain's certificates:
		// a CA given only there leaves the issuer unfound.
		{"build not from xchain", []string{"-xcert", pki.Server, "-xkey", pki.ServerKey, "-xchain", pki.CA, "-xchain_build"},
			nil, "New, (NONE)"},
	} {
		args := append(append([]string(nil), ec...), tc.server...)
		cargs := append([]string{"-tls1_3"}, tc.client...)
		if strings.Contains(strings.Join(tc.client, " "), "-tls1_2") {
			cargs = tc.client
		}
		done := clientPrinted("Cipher is")
		theirSrv := testpeer.OpenSSLServer(t, args...)
		theirClient := opensslClientUntil(t, theirSrv.Addr, "", done, cargs...)
		_, theirErr := theirSrv.Wait(t, 20*time.Second)
		ts := startServer(t, "", args...)
		ourClient := opensslClientUntil(t, ts.addr, "", done, cargs...)
		ts.wait(20 * time.Second)
		if !strings.Contains(theirClient, tc.wantServed) || !strings.Contains(theirErr, "Checking cert chain 1:") {
			t.Errorf("%s: openssl's server and client (the measurement changed?):\n%s\n%s", tc.name, theirErr, theirClient)
		}
		if o, g := servedLines(theirClient), servedLines(ourClient); o != g {
			t.Errorf("%s: served\nopenssl:\n%s\ntlskit:\n%s", tc.name, o, g)
		}
		if o, g := xcertLines(theirErr), xcertLines(ts.err.String()); o != g {
			t.Errorf("%s: stderr\nopenssl:\n%s\ntlskit:\n%s", tc.name, o, g)
		}
	}
}
