package engine

import (
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/testpeer"
)

// upToServerFinished cuts a -msg transcript after the server's Finished.
func upToServerFinished(lines []string) []string {
	for i, l := range lines {
		if strings.HasPrefix(l, "<<<") && strings.HasSuffix(l, "Handshake, Finished") {
			return lines[:i+1]
		}
	}
	return lines
}

// TestEvents12MatchOpenSSLMsg: in TLS 1.2 and 1.0 handshakes, with and
// without a client certificate, the own client's event stream rendered as
// -msg line heads is what `openssl s_client -msg` prints against the same
// server, through the server's Finished: records, messages, the sent
// ChangeCipherSpec, order and version labels.
func TestEvents12MatchOpenSSLMsg(t *testing.T) {
	pki := testpeer.NewPKI(t)
	openssl := testpeer.Need(t, "openssl")
	for _, c := range []struct {
		name   string
		server []string
		client []string
		cfg    Config
	}{
		{"TLS 1.2 ECDHE-RSA", []string{"-tls1_2"}, nil, Config{}},
		{"TLS 1.2 client certificate", []string{"-tls1_2", "-Verify", "1", "-CAfile", pki.CA},
			[]string{"-cert", pki.Client, "-key", pki.ClientKey},
			Config{Identities: []Identity{loadIdentity(t, pki.Client, pki.ClientKey)}}},
		{"TLS 1.2 RSA kx no ticket", []string{"-tls1_2", "-cipher", "AES128-SHA", "-no_ticket"}, nil, Config{}},
		{"TLS 1.0", []string{"-tls1", "-cipher", "ECDHE-RSA-AES128-SHA:@SECLEVEL=0"}, []string{"-cipher", "DEFAULT:@SECLEVEL=0"}, Config{}},
		{"TLS 1.0 only client", []string{"-cipher", "DEFAULT:@SECLEVEL=0"}, []string{"-tls1", "-cipher", "DEFAULT:@SECLEVEL=0"},
			Config{MinVersion: VersionTLS10, MaxVersion: VersionTLS10}},
		{"TLS 1.2 only client", nil, []string{"-tls1_2"}, Config{MinVersion: VersionTLS12, MaxVersion: VersionTLS12}},
	} {
		t.Run(c.name, func(t *testing.T) {
			args := append([]string{"-rev", "-naccept", "1", "-cert", pki.Server, "-key", pki.ServerKey}, c.server...)
			srv := testpeer.OpenSSLServer(t, args...)
			out, errOut, _ := testpeer.Run(t, 20*time.Second, "hello\n", openssl,
				append([]string{"s_client", "-connect", srv.Addr, "-msg", "-noservername"}, c.client...)...)
			want := upToServerFinished(opensslMsgLines(out))
			if len(want) < 10 {
				t.Fatalf("could not read openssl's -msg output:\n%s\n%s", out, errOut)
			}
			srv = testpeer.OpenSSLServer(t, args...)
			var log eventLog
			cfg := c.cfg
			if cfg.MaxVersion == 0 {
				cfg = all12(cfg)
			}
			cfg.OnEvent = log.add
			conn := dialOwn(t, srv.Addr, &cfg)
			if err := conn.Handshake(); err != nil {
				t.Fatal(err)
			}
			got := upToServerFinished(log.lines(msgLine))
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("event stream differs from openssl -msg:\n--- own\n%s\n--- openssl\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}
