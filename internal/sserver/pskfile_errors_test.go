package sserver

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/stdio"
	"github.com/tlskit/tlskit/internal/testpeer"
)

var update = flag.Bool("update", false, "re-record openssl's output into testdata/recorded")

// TestPSKSessionErrorsRecorded gives -psk_session broken session files
// (bad base64, garbage DER, truncated DER, a wrong PEM label, an empty
// file, a directory) and compares stdout, stderr and the exit code with
// openssl 3.0 s_server's, recorded in testdata/recorded/psk_session.txtar
// (re-record with -update) and live when openssl is installed: "Using
// default temp DH parameters", then "Can't read PSK session file" and the
// PEM or ASN.1 reader's queue, exit 1, before listening.
func TestPSKSessionErrorsRecorded(t *testing.T) {
	pki := testpeer.NewPKI(t)
	dir := t.TempDir()
	bad := testpeer.BrokenSessionFiles(t, dir)
	sub := filepath.Join(dir, "directory")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	rec := testpeer.Recorded{
		Path:    "testdata/recorded/psk_session.txtar",
		Comment: "openssl 3.0 s_server -accept 127.0.0.1:0 -cert C -key K -psk_session FILE, for broken session\nfiles (TestPSKSessionErrorsRecorded; re-record with -update).\n",
		Update:  *update,
	}
	rec.Load(t)
	norm := func(out, errs string, code int) testpeer.Outcome {
		return testpeer.Outcome{Stdout: testpeer.Unpath(out, dir), Stderr: normalizeErrLines(testpeer.Unpath(errs, dir)), Code: code}
	}
	for _, f := range []struct{ name, path string }{
		{"base64", bad.Base64}, {"garbage", bad.Garbage}, {"truncated", bad.Truncated},
		{"label", bad.Label}, {"empty", bad.Empty}, {"directory", sub},
	} {
		t.Run(f.name, func(t *testing.T) {
			args := []string{"-accept", "127.0.0.1:0", "-cert", pki.Server, "-key", pki.ServerKey, "-psk_session", f.path}
			rec.Check(t, f.name,
				func() testpeer.Outcome {
					ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
					defer cancel()
					var out, errw syncBuffer
					code := run(ctx, args, stdio.Stdio{In: strings.NewReader(""), Out: &out, Err: &errw}, nil)
					return norm(out.String(), errw.String(), code)
				},
				func() testpeer.Outcome {
					return norm(testpeer.Run(t, 10*time.Second, "", "openssl", append([]string{"s_server"}, args...)...))
				})
		})
	}
	rec.Save(t)
}
