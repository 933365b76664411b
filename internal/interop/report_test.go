package interop

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/sclient"
	"github.com/tlskit/tlskit/internal/stdio"
	"github.com/tlskit/tlskit/internal/testpeer"
)

// volatile rewrites the fields that differ between two runs against the
// same server: descriptors, session IDs, keys, tickets, times, and byte
// counts (the two ClientHellos legitimately differ in size).
var volatile = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`CONNECTED\([0-9A-F]+\)`), "CONNECTED(N)"},
	{regexp.MustCompile(`(Session-ID: )[0-9A-F]*`), "${1}ID"},
	{regexp.MustCompile(`(Master-Key: )[0-9A-F]*`), "${1}KEY"},
	{regexp.MustCompile(`(Start Time: )\d+`), "${1}T"},
	{regexp.MustCompile(`SSL handshake has read \d+ bytes and written \d+ bytes`), "SSL handshake has read N bytes and written M bytes"},
	// What is shared depends on what each client can sign with.
	{regexp.MustCompile(`(?m)^(Shared Requested Signature Algorithms: ).*$`), "${1}LIST"},
}

// dropped are lines one tool prints and the other cannot: openssl's
// Resumption PSK (crypto/tls keeps it private), its read-loop notes and
// its SNI-callback complaint, and the ticket's hex dump (random).
var dropped = regexp.MustCompile(`^(    Resumption PSK: .*|read R BLOCK|Can't use SSL_get_servername|    [0-9a-f]{4} - .*)$`)

func normalise(out string) []string {
	for _, v := range volatile {
		out = v.re.ReplaceAllString(out, v.with)
	}
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		if !dropped.MatchString(l) {
			lines = append(lines, l)
		}
	}
	return lines
}

// upToFirstSession keeps the lines up to the end of the first SSL-Session
// block: openssl prints one per TLS 1.3 ticket (the server sends two) and
// stops reading at a racy moment; tlskit waits for the first ticket only.
func upToFirstSession(lines []string) []string {
	in := false
	for i, l := range lines {
		if l == "SSL-Session:" {
			in = true
		}
		if in && l == "---" {
			return lines[:i+1]
		}
	}
	return lines
}

// runOpenSSLClient runs openssl s_client with args and keeps its input
// open until it has its first session (at TLS 1.3 the first ticket's,
// which arrives after the handshake), at most 20 s; it returns stdout and
// stderr. openssl buffers its stdout in a pipe, so the session is seen in
// the file -sess_out names, written as it arrives and before it is
// printed from the same callback.
func runOpenSSLClient(t *testing.T, args ...string) (string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	sess := filepath.Join(t.TempDir(), "sess.pem")
	cmd := exec.CommandContext(ctx, "openssl", append(append([]string{"s_client"}, args...), "-sess_out", sess)...)
	var out, errb buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	pw, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() {
		defer pw.Close()
		for {
			if b, _ := os.ReadFile(sess); bytes.Contains(b, []byte("-----END SSL SESSION PARAMETERS-----")) {
				return
			}
			select {
			case <-exited:
				return
			case <-time.After(10 * time.Millisecond): // polling for the file
			}
		}
	}()
	cmd.Wait()
	close(exited)
	return out.String(), errb.String()
}

// TestReportMatchesOpenSSLClient runs openssl s_client and tlskit s_client
// with the same options against the same openssl s_server and compares
// their reports, stdout and stderr separately, line by line.
func TestReportMatchesOpenSSLClient(t *testing.T) {
	pki := testpeer.NewPKI(t)
	for _, tc := range []struct {
		name   string
		server []string
		client []string
	}{
		{"tls13", []string{"-ciphersuites", "TLS_AES_128_GCM_SHA256"}, nil},
		{"tls12", []string{"-cipher", "ECDHE-RSA-AES128-GCM-SHA256"}, []string{"-tls1_2"}},
		{"tls12-unverified", []string{"-cipher", "ECDHE-RSA-AES128-GCM-SHA256"}, []string{"-tls1_2", "-no-CAfile", "-no-CApath", "-no-CAstore"}},
		{"tls12-alpn-showcerts", []string{"-cipher", "ECDHE-RSA-AES128-GCM-SHA256", "-alpn", "h2"}, []string{"-tls1_2", "-alpn", "h2", "-showcerts"}},
		{"tls13-client-cert", []string{"-ciphersuites", "TLS_AES_128_GCM_SHA256", "-verify", "1", "-CAfile", pki.CA}, []string{"-cert", pki.Client, "-key", pki.ClientKey}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := testpeer.OpenSSLServer(t, append([]string{"-cert", pki.Server, "-key", pki.ServerKey, "-www"}, tc.server...)...)
			args := append([]string{"-connect", srv.Addr, "-servername", "localhost"}, tc.client...)
			if !strings.Contains(tc.name, "unverified") {
				args = append(args, "-CAfile", pki.CA)
			}
			wantOut, wantErr := runOpenSSLClient(t, args...)

			var out, errb buffer
			done := make(chan int, 1)
			go func() { done <- sclient.Main(args, stdio.Stdio{In: strings.NewReader(""), Out: &out, Err: &errb}) }()
			select {
			case <-done:
			case <-time.After(30 * time.Second):
				t.Fatal("tlskit s_client did not finish in 30s")
			}
			compare(t, "stdout", upToFirstSession(normalise(out.String())), upToFirstSession(normalise(wantOut)))
			compare(t, "stderr", normalise(errb.String()), normalise(wantErr))
		})
	}
}

func compare(t *testing.T, stream string, got, want []string) {
	t.Helper()
	for i := 0; i < len(got) || i < len(want); i++ {
		var g, w string
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if g != w {
			t.Errorf("%s differs from openssl's at line %d:\n tlskit: %q\nopenssl: %q\n\ntlskit's:\n%s\n\nopenssl's:\n%s", stream, i+1, g, w,
				strings.Join(got, "\n"), strings.Join(want, "\n"))
			return
		}
	}
}
