package sserver

import (
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/testpeer"
)

// comparable drops what is known to differ between openssl s_server and
// tlskit: OpenSSL's DH notice, its serialized session, the listening line,
// the lines naming what the server supports (crypto/tls's sets differ
// from OpenSSL's), and exported keying material (new with each session).
func comparable(s string) string {
	var keep []string
	inSession := false
	for _, l := range strings.Split(s, "\n") {
		switch {
		case l == "-----BEGIN SSL SESSION PARAMETERS-----":
			inSession = true
		case l == "-----END SSL SESSION PARAMETERS-----":
			inSession = false
		case inSession, l == "Using default temp DH parameters", strings.HasPrefix(l, "ACCEPT"),
			strings.HasPrefix(l, "Shared ciphers:"), strings.HasPrefix(l, "Shared Signature Algorithms:"),
			strings.HasPrefix(l, "Shared groups:"), strings.HasPrefix(l, "    Keying material: "):
		default:
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}

// TestReportMatchesOpenSSL connects the same openssl s_client to openssl
// s_server and to tlskit's and compares what the servers print.
func TestReportMatchesOpenSSL(t *testing.T) {
	needTool(t, "openssl")
	dir := t.TempDir()
	ec, eck := writeCert(t, dir, "ec", "localhost", false)
	for _, tc := range []struct {
		name   string
		server []string
		client []string
	}{
		{"tls12", nil, []string{"-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256"}},
		{"tls12-alpn-keymat", []string{"-alpn", "h2,http/1.1", "-keymatexport", "EXPERIMENTAL-tlskit", "-keymatexportlen", "12"}, []string{"-tls1_2", "-alpn", "foo,http/1.1"}},
		{"tls13-client-cert", []string{"-verify", "1", "-CAfile", ec}, []string{"-tls1_3", "-ciphersuites", "TLS_AES_128_GCM_SHA256", "-cert", ec, "-key", eck}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"-cert", ec, "-key", eck, "-naccept", "1"}, tc.server...)
			srv := testpeer.OpenSSLServer(t, args...)
			opensslClientUntil(t, srv.Addr, "some data\n", printed(srv.Output, "some data\n"), tc.client...)
			out, _ := srv.Wait(t, 20*time.Second)
			want := comparable(out)

			ts := startServer(t, "", args...)
			opensslClientUntil(t, ts.addr, "some data\n", printed(ts.out.String, "some data\n"), tc.client...)
			ts.wait(10 * time.Second)
			got := comparable(ts.out.String())
			t.Logf("compared %d lines", strings.Count(want, "\n"))
			if got != want {
				t.Errorf("s_server output differs from openssl's\n--- tlskit\n%s\n--- openssl\n%s", got, want)
			}
		})
	}
}
