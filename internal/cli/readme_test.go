package cli

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestREADMEFirstCommand runs the README's first command as a user pastes
// it into sh: its build step is checked to be the one tlskitBinary does,
// and the rest, the pipeline from tlskit s_server to tlskit s_client, runs
// word for word in a directory holding that binary and no server.pem.
func TestREADMEFirstCommand(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(readme), "```sh\n")
	if !ok {
		t.Fatal("README.md has no sh block")
	}
	first, _, _ := strings.Cut(rest, "\n")
	const build = "CGO_ENABLED=0 go build -o tlskit ./cmd/tlskit && "
	pipeline, ok := strings.CutPrefix(first, build)
	if !ok {
		t.Fatalf("the README's first command does not start with %q:\n%s", build, first)
	}

	dir := t.TempDir()
	b, err := os.ReadFile(tlskitBinary(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "tlskit"), b, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, sh, "-c", pipeline)
	cmd.Dir = dir
	// The pipeline's processes share a group, so a hang ends them all.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	cmd.Env = append(os.Environ(), "TMPDIR="+dir)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err = cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("timed out\nstdout:\n%s\nstderr:\n%s", o.String(), e.String())
	}
	if err != nil {
		t.Fatalf("%v\nstdout:\n%s\nstderr:\n%s", err, o.String(), e.String())
	}
	for _, want := range []string{"CONNECTED(", "\nNew, TLSv1.3, Cipher is TLS_AES_256_GCM_SHA384\n", "\nVerify return code: 18 (self-signed certificate)\n", "DONE\n"} {
		if !strings.Contains(o.String()+e.String(), want) {
			t.Errorf("the README's command printed no %q\nstdout:\n%s\nstderr:\n%s", want, o.String(), e.String())
		}
	}
}
