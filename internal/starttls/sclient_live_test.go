package starttls_test

import (
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/sclient"
	"github.com/tlskit/tlskit/internal/starttls"
	"github.com/tlskit/tlskit/internal/stdio"
	"github.com/tlskit/tlskit/internal/testpeer"
)

// TestLiveSClientPostfix drives the whole s_client command through
// STARTTLS against a real postfix: the upgrade, verification against the
// test CA, then SMTP over TLS typed on stdin, answered on stdout.
func TestLiveSClientPostfix(t *testing.T) {
	addr, ca, plain := starttls.StartPostfixForTest(t)
	run := func(stdin string, args ...string) (string, string, int) {
		var out, errb testpeer.Buffer
		done := make(chan int, 1)
		go func() { done <- sclient.Main(args, stdio.Stdio{In: strings.NewReader(stdin), Out: &out, Err: &errb}) }()
		select {
		case code := <-done:
			return out.String(), errb.String(), code
		case <-time.After(30 * time.Second):
			t.Fatalf("s_client did not finish in 30s\n%s\n%s", out.String(), errb.String())
		}
		return "", "", -1
	}
	out, errs, code := run("NOOP\nQUIT\n", "-connect", addr, "-starttls", "smtp", "-CAfile", ca, "-verify_return_error", "-crlf", "-ign_eof")
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errs)
	}
	for _, want := range []string{"Verification: OK\n", "\n250 2.0.0 Ok", "\n221 2.0.0 Bye"} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}

	out, errs, code = run("", "-connect", plain, "-starttls", "smtp")
	if code != 1 || !strings.Contains(errs, "502 5.5.1") {
		t.Errorf("postfix without TLS: exit %d, want 1 with the refusal quoted\nstdout:\n%s\nstderr:\n%s", code, out, errs)
	}
}
