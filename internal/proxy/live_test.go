package proxy

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// startTinyproxy runs tinyproxy in the foreground on an OS-picked port of
// 127.0.0.1 with a private configuration (plus extra lines), stopping it
// by PID when the test ends.
func startTinyproxy(t *testing.T, extra string) string {
	t.Helper()
	bin, err := exec.LookPath("tinyproxy")
	if err != nil {
		if _, err2 := os.Stat("/usr/bin/tinyproxy"); err2 != nil {
			t.Skip("tinyproxy not installed (run .ci/daemons.sh); skipping live proxy test")
		}
		bin = "/usr/bin/tinyproxy"
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close() // tinyproxy binds it next; waitPort below says if it could not
	dir := t.TempDir()
	conf := filepath.Join(dir, "tinyproxy.conf")
	os.WriteFile(conf, []byte(fmt.Sprintf("Port %d\nListen 127.0.0.1\nTimeout 30\nAllow 127.0.0.1\nLogLevel Info\nMaxClients 10\n%s", port, extra)), 0o644)
	logPath := filepath.Join(dir, "tinyproxy.log")
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-d", "-c", conf)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); logf.Close(); close(done) }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			b, _ := os.ReadFile(logPath)
			t.Logf("tinyproxy log:\n%s", b)
		}
	})
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	deadline := time.Now().Add(testDeadline)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return addr
		}
		if time.Now().After(deadline) {
			t.Fatalf("tinyproxy never listened on %s: %v", addr, err)
		}
		time.Sleep(50 * time.Millisecond) // retry interval, not a readiness guess
	}
}

// TestLiveTinyproxy tunnels to a fake SMTP server through a real
// tinyproxy, upgrades with STARTTLS and completes a TLS handshake; then
// checks the refusals of a proxy that demands Basic credentials.
func TestLiveTinyproxy(t *testing.T) {
	cert, pool := testCert(t)
	t.Run("no auth", func(t *testing.T) {
		proxy := startTinyproxy(t, "")
		c, err := Dial(proxy, fakeSMTP(t, cert, "220 mx.example ESMTP\r\n"), Options{Timeout: testDeadline})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		checkSMTPOverTLS(t, c, pool)
	})
	t.Run("basic auth", func(t *testing.T) {
		proxy := startTinyproxy(t, "BasicAuth alice s3cret\n")
		c, err := Dial(proxy, fakeSMTP(t, cert, "220 mx.example ESMTP\r\n"), Options{User: "alice", Pass: "s3cret", Timeout: testDeadline})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		checkSMTPOverTLS(t, c, pool)

		// tinyproxy 1.11 answers 407 without credentials, 401 to wrong ones.
		for _, tc := range []struct {
			o    Options
			want string
		}{
			{Options{}, "proxy: proxy refused CONNECT: HTTP/1.0 407 Proxy Authentication Required"},
			{Options{User: "alice", Pass: "wrong"}, "proxy: proxy refused CONNECT: HTTP/1.0 401 Unauthorized"},
		} {
			tc.o.Timeout = testDeadline
			_, err := Dial(proxy, "127.0.0.1:25", tc.o)
			if err == nil || err.Error() != tc.want {
				t.Errorf("credentials %q/%q: %v, want %q", tc.o.User, tc.o.Pass, err, tc.want)
			}
		}
	})
	t.Run("unreachable target", func(t *testing.T) {
		proxy := startTinyproxy(t, "")
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		closed := ln.Addr().String()
		ln.Close()
		_, err = Dial(proxy, closed, Options{Timeout: testDeadline})
		if err == nil || !strings.HasPrefix(err.Error(), "proxy: proxy refused CONNECT: HTTP/1.") || !strings.Contains(err.Error(), " 5") {
			t.Fatalf("CONNECT to a closed port: %v", err)
		}
		t.Logf("closed target: %v", err)
	})
}
