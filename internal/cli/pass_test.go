package cli

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/tlskit/tlskit/internal/testpeer"
)

// openPTY opens a pseudo-terminal pair (Linux /dev/ptmx).
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	var n uint32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, m.Fd(), syscall.TIOCGPTN, uintptr(unsafe.Pointer(&n))); e != 0 {
		t.Fatalf("TIOCGPTN: %v", e)
	}
	var unlock int32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, m.Fd(), syscall.TIOCSPTLCK, uintptr(unsafe.Pointer(&unlock))); e != 0 {
		t.Fatalf("TIOCSPTLCK: %v", e)
	}
	s, err := os.OpenFile("/dev/pts/"+itoa(n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close(); s.Close() })
	return m, s
}

// echoing reports whether the pseudo-terminal whose master is m echoes
// what is typed (a master's TCGETS gives its terminal's mode).
func echoing(t *testing.T, m *os.File) bool {
	t.Helper()
	rc, err := m.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var tio *unix.Termios
	if cerr := rc.Control(func(fd uintptr) { tio, err = unix.IoctlGetTermios(int(fd), unix.TCGETS) }); cerr != nil {
		t.Fatal(cerr)
	}
	if err != nil {
		t.Fatalf("TCGETS: %v", err)
	}
	return tio.Lflag&unix.ECHO != 0
}

func itoa(n uint32) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

// TestPassPhrasePrompt: an encrypted -key without -pass makes tlskit ask
// on the terminal, as openssl does: "Enter pass phrase for FILE:", the
// answer not echoed; with it the key loads and the session completes.
// Without a terminal the prompt goes to stderr and the line is read from
// stdin (openssl's behaviour too); at the end of stdin the load fails.
func TestPassPhrasePrompt(t *testing.T) {
	bin := tlskitBinary(t)
	real := testpeer.Need(t, "openssl")
	dir := t.TempDir()
	key, crt := filepath.Join(dir, "enc.key"), filepath.Join(dir, "enc.crt")
	for _, args := range [][]string{
		{"genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-aes256", "-pass", "pass:s3cret", "-out", key},
		{"req", "-new", "-x509", "-key", key, "-passin", "pass:s3cret", "-subj", "/CN=client", "-days", "2", "-out", crt},
	} {
		if out, err := exec.Command(real, args...).CombinedOutput(); err != nil {
			t.Fatalf("openssl %v: %v\n%s", args, err, out)
		}
	}
	pki := testpeer.NewPKI(t)
	srv := testpeer.OpenSSLServer(t, "-cert", pki.Server, "-key", pki.ServerKey)
	args := []string{"s_client", "-connect", srv.Addr, "-cert", crt, "-key", key}

	t.Run("terminal", func(t *testing.T) {
		master, slave := openPTY(t)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, bin, args...)
		var out, errb testpeer.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb // stdin: /dev/null
		cmd.ExtraFiles = []*os.File{slave}
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 3}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		slave.Close()
		var tty testpeer.Buffer
		go func() {
			buf := make([]byte, 1024)
			for {
				n, err := master.Read(buf)
				tty.Write(buf[:n])
				if err != nil {
					return
				}
			}
		}()
		prompt := "Enter pass phrase for " + key + ":"
		deadline := time.Now().Add(20 * time.Second)
		for !strings.Contains(tty.String(), prompt) {
			if time.Now().After(deadline) {
				t.Fatalf("no prompt on the terminal within 20s; terminal: %q, stderr: %q", tty.String(), errb.String())
			}
			time.Sleep(20 * time.Millisecond) // polling the terminal's output
		}
		// tlskit turns the echo off after the prompt (as openssl does):
		// type only then, or the terminal could echo the answer.
		for echoing(t, master) {
			if time.Now().After(deadline) {
				t.Fatalf("the terminal's echo still on 20s after the prompt; terminal: %q, stderr: %q", tty.String(), errb.String())
			}
			time.Sleep(20 * time.Millisecond) // polling the terminal's mode
		}
		master.Write([]byte("s3cret\n"))
		err := cmd.Wait()
		if err != nil || !strings.Contains(out.String(), "CONNECTED(") {
			t.Errorf("%v\nstdout:\n%s\nstderr:\n%s\nterminal: %q", err, out.String(), errb.String(), tty.String())
		}
		if strings.Contains(tty.String(), "s3cret") {
			t.Errorf("the pass phrase was echoed: %q", tty.String())
		}
		if strings.Contains(errb.String(), "Enter pass phrase") {
			t.Errorf("the prompt went to stderr, not the terminal: %q", errb.String())
		}
	})

	t.Run("no terminal", func(t *testing.T) {
		noTTY := func(stdin string) (string, string, int) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin, args...)
			cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true} // no controlling terminal
			cmd.Stdin = strings.NewReader(stdin)
			var out, errb strings.Builder
			cmd.Stdout, cmd.Stderr = &out, &errb
			err := cmd.Run()
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			return out.String(), errb.String(), code
		}
		prompt := "Enter pass phrase for " + key + ":\n"
		if o, e, c := noTTY("s3cret\n"); c != 0 || !strings.HasPrefix(e, prompt) || !strings.Contains(o, "CONNECTED(") {
			t.Errorf("pass phrase on stdin: exit %d\nstdout:\n%s\nstderr:\n%s", c, o, e)
		}
		if o, e, c := noTTY(""); c != 1 || !strings.HasPrefix(e, prompt) || strings.Contains(o, "CONNECTED(") {
			t.Errorf("empty stdin: exit %d, want 1\nstdout:\n%s\nstderr:\n%s", c, o, e)
		}
	})
}
