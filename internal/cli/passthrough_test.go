package cli

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/testpeer"
)

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// tlskitBinary builds tlskit once for the tests that run it as a real
// process (exec, signals and pipes cannot be tried in-process).
func tlskitBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "tlskit-cli-")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "tlskit")
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "go", "build", "-o", builtBin, "github.com/tlskit/tlskit/cmd/tlskit")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = err
			builtBin = string(out)
		}
	})
	if buildErr != nil {
		t.Fatalf("building tlskit: %v\n%s", buildErr, builtBin)
	}
	return builtBin
}

// runIn runs prog with args, stdin and the environment's PATH set to
// path, bounded in time.
func runIn(t *testing.T, path, stdin, prog string, args ...string) (string, string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, prog, args...)
	cmd.Env = append(os.Environ(), "PATH="+path)
	cmd.Stdin = strings.NewReader(stdin)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("%s %v: timed out (an exec loop?)\nstdout:\n%s\nstderr:\n%s", prog, args, o.String(), e.String())
	}
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return o.String(), e.String(), code
}

// TestOpenSSLPassThrough installs tlskit as openssl the way the README
// says (a symlink in a directory first on PATH) and checks that commands
// other than s_client and s_server reach the real openssl with the same
// arguments, stdin, stdout, stderr and exit status; that two tlskits on
// PATH do not exec each other for ever; and that with no real openssl
// tlskit says so and exits 1.
func TestOpenSSLPassThrough(t *testing.T) {
	real := testpeer.Need(t, "openssl")
	bin := tlskitBinary(t)
	pki := testpeer.NewPKI(t)
	pem, err := os.ReadFile(pki.CA)
	if err != nil {
		t.Fatal(err)
	}
	shim := t.TempDir()
	if err := os.Symlink(bin, filepath.Join(shim, "openssl")); err != nil {
		t.Fatal(err)
	}
	realDir := filepath.Dir(real)
	path := shim + string(filepath.ListSeparator) + realDir

	for _, tc := range []struct {
		name  string
		stdin string
		args  []string
	}{
		{"x509 from a file", "", []string{"x509", "-in", pki.CA, "-noout", "-subject", "-dates"}},
		{"x509 from stdin", string(pem), []string{"x509", "-noout", "-fingerprint", "-sha256"}},
		{"verify", "", []string{"verify", "-CAfile", pki.CA, pki.Server}},
		{"a failure keeps its status and stderr", "", []string{"x509", "-in", filepath.Join(shim, "missing.pem")}},
		{"version", "", []string{"version"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wo, we, wc := runIn(t, realDir, tc.stdin, real, tc.args...)
			o, e, c := runIn(t, path, tc.stdin, "openssl", tc.args...)
			if o != wo || c != wc || normErr(e) != normErr(we) {
				t.Errorf("through tlskit: exit %d\nstdout:\n%s\nstderr:\n%s\nwant (openssl itself): exit %d\nstdout:\n%s\nstderr:\n%s", c, o, e, wc, wo, we)
			}
		})
	}

	t.Run("two tlskits on PATH", func(t *testing.T) {
		second := t.TempDir()
		b, err := os.ReadFile(bin)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(second, "openssl"), b, 0o755); err != nil {
			t.Fatal(err)
		}
		p := strings.Join([]string{shim, second, realDir}, string(filepath.ListSeparator))
		o, e, c := runIn(t, p, "", "openssl", "x509", "-in", pki.CA, "-noout", "-subject")
		if c != 0 || !strings.HasPrefix(o, "subject=") {
			t.Errorf("exit %d, stdout %q, stderr %q", c, o, e)
		}
	})

	t.Run("no real openssl", func(t *testing.T) {
		o, e, c := runIn(t, shim, "", filepath.Join(shim, "openssl"), "x509", "-in", pki.CA)
		want := "openssl: 'x509' is not a tlskit command (tlskit implements s_client and s_server), and no other openssl was found on PATH to run it\n"
		if c != 1 || o != "" || e != want {
			t.Errorf("exit %d, stdout %q, stderr %q; want 1 and %q", c, o, e, want)
		}
		// tlskit's own version stands in for openssl's.
		if o, _, c := runIn(t, shim, "", filepath.Join(shim, "openssl"), "version"); c != 0 || !strings.HasPrefix(o, "tlskit ") {
			t.Errorf("version without openssl: exit %d, %q", c, o)
		}
	})

	t.Run("s_client stays tlskit's", func(t *testing.T) {
		_, e, c := runIn(t, path, "", "openssl", "s_client", "-bogus")
		if c != 1 || e != "s_client: Unknown option: -bogus\ns_client: Use -help for summary.\n" {
			t.Errorf("exit %d, stderr %q", c, e)
		}
	})
}

// normErr drops the thread id that starts openssl's error lines: it
// differs between any two runs.
func normErr(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if j := strings.Index(l, ":error:"); j > 0 {
			lines[i] = l[j:]
		}
	}
	return strings.Join(lines, "\n")
}

// TestClosedPipeExitsZero: when the reader of tlskit's output goes away
// (`| grep -q`), tlskit does not die of SIGPIPE (exit 141 under
// pipefail); it finishes and exits 0, as openssl does on the same server.
func TestClosedPipeExitsZero(t *testing.T) {
	testpeer.Need(t, "bash")
	bin := tlskitBinary(t)
	pki := testpeer.NewPKI(t)
	srv := testpeer.OpenSSLServer(t, "-cert", pki.Server, "-key", pki.ServerKey)
	for _, pipeline := range []string{
		// CONNECTED is the first line: everything after it meets a closed pipe.
		`set -o pipefail; "$PROG" s_client -connect "$ADDR" </dev/null 2>&1 | grep -q CONNECTED`,
		`set -o pipefail; "$PROG" s_client -connect "$ADDR" -CAfile "$CA" -showcerts </dev/null 2>&1 | grep -q 'Verify return code: 0'`,
		`set -o pipefail; "$PROG" s_client -connect "$ADDR" -showcerts </dev/null | head -1 >/dev/null`,
	} {
		for _, prog := range []string{"openssl", bin} {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			cmd := exec.CommandContext(ctx, "bash", "-c", pipeline)
			cmd.Env = append(os.Environ(), "PROG="+prog, "ADDR="+srv.Addr, "CA="+pki.CA)
			out, err := cmd.CombinedOutput()
			cancel()
			if err != nil {
				t.Errorf("%s\nwith PROG=%s: %v\n%s", pipeline, prog, err, out)
			}
		}
	}
}
