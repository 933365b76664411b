package sserver

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestOCSPStapleFileFromPipe: a -status_file that is a named pipe hands
// the response over in two reads, the second half written only once
// s_server has taken the first from the pipe; all of it is stapled and
// openssl s_client -status reads it. (A single read stapled nothing:
// "cert_status: Error reading OCSP response".)
func TestOCSPStapleFileFromPipe(t *testing.T) {
	needTool(t, "openssl")
	dir := t.TempDir()
	certPath, keyPath, resp := stapleFiles(t, dir, 0)
	fifo := filepath.Join(dir, "resp.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatalf("mkfifo: %v", err)
	}
	// Opened read-write, the pipe does not wait for a reader to open it.
	w, err := os.OpenFile(fifo, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	half := len(resp) / 2
	if _, err := w.Write(resp[:half]); err != nil {
		t.Fatal(err)
	}
	ts := startServer(t, "", "-cert", certPath, "-key", keyPath, "-status_file", fifo, "-naccept", "1")
	secondHalf := make(chan error, 1)
	go func() {
		// The pipe is empty once s_server has read the first half.
		deadline := time.Now().Add(10 * time.Second)
		for {
			n, err := unix.IoctlGetInt(int(w.Fd()), unix.TIOCINQ) // FIONREAD: bytes in the pipe
			if err != nil {
				secondHalf <- err
				return
			}
			if n == 0 {
				break
			}
			if time.Now().After(deadline) {
				secondHalf <- os.ErrDeadlineExceeded
				return
			}
			time.Sleep(5 * time.Millisecond) // poll interval
		}
		_, err := w.Write(resp[half:])
		w.Close()
		secondHalf <- err
	}()
	out := opensslClientUntil(t, ts.addr, "", clientPrinted("OCSP Response Status: successful (0x0)", "Cert Status: good"), "-status")
	for _, w := range []string{"OCSP Response Status: successful (0x0)", "Cert Status: good"} {
		if !strings.Contains(out, w) {
			t.Errorf("s_client -status lacks %q:\n%s", w, out)
		}
	}
	if err := <-secondHalf; err != nil {
		t.Errorf("writing the second half: %v", err)
	}
	ts.wait(10 * time.Second)
	if strings.Contains(ts.err.String(), "cert_status") {
		t.Errorf("stderr: %s", ts.err)
	}
}
