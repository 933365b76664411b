package cli

import (
	"os"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"tlskit": func() {
			os.Exit(Main(os.Args, Stdio{In: os.Stdin, Out: os.Stdout, Err: os.Stderr}))
		},
	})
}

// TestScripts runs the CLI scripts in testdata/script: error wording, exit
// codes, help, dispatch.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{Dir: "testdata/script"})
}

// TestOpenSSLName checks that tlskit invoked as "openssl" dispatches the same
// commands; another command, with no real openssl to hand it to, is
// refused with a one-line message.
func TestOpenSSLName(t *testing.T) {
	var out, errb bytesBuffer
	if code := Main([]string{"/usr/local/bin/openssl", "s_client", "-x"}, Stdio{Out: &out, Err: &errb}); code != 1 {
		t.Fatalf("openssl s_client -x: exit %d, want 1", code)
	}
	if got, want := errb.String(), "s_client: Unknown option: -x\ns_client: Use -help for summary.\n"; got != want {
		t.Fatalf("stderr %q, want %q", got, want)
	}
	// With no other openssl on PATH, another command is refused in a line.
	t.Setenv("PATH", t.TempDir())
	errb.Reset()
	if code := Main([]string{"openssl", "x509", "-in", "a.pem"}, Stdio{Out: &out, Err: &errb}); code != 1 {
		t.Fatalf("openssl x509: exit %d, want 1", code)
	}
	if got := errb.String(); got != "openssl: 'x509' is not a tlskit command (tlskit implements s_client and s_server), and no other openssl was found on PATH to run it\n" {
		t.Fatalf("stderr %q", got)
	}
}

type bytesBuffer = strings.Builder
