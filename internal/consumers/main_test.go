// Package consumers runs the real programs that call `openssl s_client` —
// option probes, ssl-cert-check, check_ssl_cert, testssl.sh and the classic
// one-liners — once with the real openssl and once with tlskit installed as
// `openssl` (a symlink first on PATH), against the same servers, and compares
// their verdicts. It holds tests only.
package consumers

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

var (
	// tlskitBin is the tlskit binary built for these tests.
	tlskitBin string
	// shimDir holds the `openssl` symlink to tlskitBin; put it first on
	// PATH to run a consumer with tlskit as its openssl.
	shimDir string
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "tlskit-consumers-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := run(m, dir)
	os.RemoveAll(dir)
	os.Exit(code)
}

func run(m *testing.M, dir string) int {
	tlskitBin = filepath.Join(dir, "tlskit")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	build := exec.CommandContext(ctx, "go", "build", "-o", tlskitBin, "github.com/tlskit/tlskit/cmd/tlskit")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building tlskit: %v\n%s", err, out)
		return 1
	}
	shimDir = filepath.Join(dir, "bin")
	if err := os.Mkdir(shimDir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if err := os.Symlink(tlskitBin, filepath.Join(shimDir, "openssl")); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}

// need returns the path of a program a test runs. A missing program skips
// the test, but fails it when CI=true: CI installs every consumer.
func need(t testing.TB, prog string) string {
	t.Helper()
	p, err := exec.LookPath(prog)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true and %s is not installed; .ci/run must install it", prog)
		}
		t.Skipf("%s is not installed; this test needs it", prog)
	}
	return p
}

// needOpenSSL returns the real openssl, which must be the 3.0 series the
// recordings and comparisons are of.
func needOpenSSL(t testing.TB) string {
	t.Helper()
	p := need(t, "openssl")
	out, _ := exec.Command(p, "version").Output()
	if !strings.HasPrefix(string(out), "OpenSSL 3.0.") {
		if os.Getenv("CI") == "true" {
			t.Fatalf("openssl here is %q; the comparisons are with OpenSSL 3.0", strings.TrimSpace(string(out)))
		}
		t.Skipf("openssl here is %q; the comparisons are with OpenSSL 3.0", strings.TrimSpace(string(out)))
	}
	return p
}

// result is what a finished program left.
type result struct {
	Stdout, Stderr string
	Code           int
	TimedOut       bool
}

// env returns the environment for a consumer run: with tlskit as openssl
// (shimDir first on PATH) or with the system's PATH.
func env(withTlskit bool, extra ...string) []string {
	var e []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "PATH=") && withTlskit {
			kv = "PATH=" + shimDir + string(os.PathListSeparator) + kv[len("PATH="):]
		}
		e = append(e, kv)
	}
	return append(e, extra...)
}

// runProg runs prog with args in environment e and directory dir, feeding
// stdin, and kills it with its children after timeout.
func runProg(timeout time.Duration, e []string, dir, stdin, prog string, args ...string) result {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, prog, args...)
	cmd.Env = e
	cmd.Dir = dir
	cmd.Stdin = strings.NewReader(stdin)
	// Consumers are shell scripts: kill the whole process group they
	// started in (its id is the PID of the process this test started).
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 2 * time.Second
	var o, er strings.Builder
	cmd.Stdout, cmd.Stderr = &o, &er
	err := cmd.Run()
	r := result{Stdout: o.String(), Stderr: er.String(), TimedOut: ctx.Err() != nil}
	if ee, ok := err.(*exec.ExitError); ok {
		r.Code = ee.ExitCode()
	} else if err != nil {
		r.Code = -1
		r.Stderr += "\n" + err.Error()
	}
	return r
}
