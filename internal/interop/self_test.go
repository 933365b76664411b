package interop

import (
	"bufio"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/sclient"
	"github.com/tlskit/tlskit/internal/sserver"
	"github.com/tlskit/tlskit/internal/stdio"
	"github.com/tlskit/tlskit/internal/testpeer"
)

var certNotice = regexp.MustCompile(`certificate written to (\S+) `)

// TestSelfZeroConfig is the README's first command as a test: tlskit's
// s_server with no certificate files, and tlskit's s_client verifying it
// strictly with the certificate file the server's notice names.
func TestSelfZeroConfig(t *testing.T) {
	t.Chdir(t.TempDir()) // no server.pem here
	outR, outW := io.Pipe()
	var serr testpeer.Buffer
	inR, inW := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- sserver.Main([]string{"-accept", "127.0.0.1:0", "-naccept", "1", "-www"}, stdio.Stdio{In: inR, Out: outW, Err: &serr})
		outW.Close()
	}()
	t.Cleanup(func() { inW.Close() })

	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(outR)
		for sc.Scan() {
			if f := strings.Fields(sc.Text()); len(f) == 2 && f[0] == "ACCEPT" {
				addr <- f[1]
			}
		}
	}()
	var a string
	select {
	case a = <-addr:
	case <-time.After(15 * time.Second):
		t.Fatalf("s_server never printed ACCEPT; stderr:\n%s", serr.String())
	}
	m := certNotice.FindStringSubmatch(serr.String())
	if m == nil {
		t.Fatalf("no certificate notice on stderr:\n%s", serr.String())
	}

	var out, errb testpeer.Buffer
	code := sclient.Main([]string{"-connect", a, "-CAfile", m[1], "-verify_return_error", "-verify_hostname", "localhost"},
		stdio.Stdio{In: strings.NewReader(""), Out: &out, Err: &errb})
	if code != 0 {
		t.Fatalf("s_client exit %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errb.String())
	}
	for _, want := range []string{"Verification: OK\n", "New, TLSv1.3, Cipher is ", "Verify return code: 0 (ok)\n"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("s_client stdout lacks %q:\n%s", want, out.String())
		}
	}
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("s_server exit %d after -naccept 1; stderr:\n%s", code, serr.String())
		}
	case <-time.After(15 * time.Second):
		t.Errorf("s_server did not exit after -naccept 1")
	}
}
