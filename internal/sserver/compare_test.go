package sserver

import (
	"bufio"
	"context"
	"io"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// startOpenSSLServer runs the real openssl s_server with args on
// 127.0.0.1:0 and returns its address and a function that waits for it
// (it must end by itself, e.g. through -naccept) and returns its stdout.
func startOpenSSLServer(t *testing.T, args ...string) (string, func() string) {
	t.Helper()
	needTool(t, "openssl")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	cmd := exec.CommandContext(ctx, "openssl", append([]string{"s_server", "-accept", "127.0.0.1:0"}, args...)...)
	stdin, _ := cmd.StdinPipe() // held open: its end would stop the server
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(stdout)
	var out strings.Builder
	addr := ""
	for addr == "" {
		line, err := r.ReadString('\n')
		if err != nil {
			cancel()
			t.Fatalf("openssl s_server: %v (%q)", err, out.String())
		}
		out.WriteString(line)
		if strings.HasPrefix(line, "ACCEPT ") {
			addr = strings.TrimSpace(strings.TrimPrefix(line, "ACCEPT "))
		}
	}
	return addr, func() string {
		rest, _ := io.ReadAll(r)
		cmd.Wait()
		stdin.Close()
		cancel()
		return out.String() + string(rest)
	}
}

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
			oaddr, owait := startOpenSSLServer(t, args...)
			opensslClient(t, oaddr, "some data\n", 300*time.Millisecond, tc.client...)
			want := comparable(owait())

			ts := startServer(t, "", args...)
			opensslClient(t, ts.addr, "some data\n", 300*time.Millisecond, tc.client...)
			ts.wait(10 * time.Second)
			got := comparable(ts.out.String())
			t.Logf("compared %d lines", strings.Count(want, "\n"))
			if got != want {
				t.Errorf("s_server output differs from openssl's\n--- tlskit\n%s\n--- openssl\n%s", got, want)
			}
		})
	}
}
