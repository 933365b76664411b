package sclient

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/testpeer"
)

// TestSessionFileErrorsRecorded gives -sess_in and -psk_session broken
// session files (bad base64, garbage DER, truncated DER, a wrong PEM
// label, an empty file, a directory) and compares stdout, stderr and the
// exit code with openssl 3.0 s_client's, recorded in
// testdata/recorded/sessfiles.txtar (re-record with -update) and live
// when openssl is installed. Each fails before connecting (the port is
// closed): openssl's line, then its PEM or ASN.1 reader's queue, exit 1.
func TestSessionFileErrorsRecorded(t *testing.T) {
	dir := t.TempDir()
	bad := testpeer.BrokenSessionFiles(t, dir)
	sub := filepath.Join(dir, "directory")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	closed := "127.0.0.1:" + testpeer.ClosedPort(t)
	rec := testpeer.Recorded{
		Path:    "testdata/recorded/sessfiles.txtar",
		Comment: "openssl 3.0 s_client -connect <closed port> OPTION FILE, for broken session files\n(TestSessionFileErrorsRecorded; re-record with -update).\n",
		Update:  *updateHello,
	}
	rec.Load(t)
	norm := func(out, errs string, code int) testpeer.Outcome {
		return testpeer.Outcome{Stdout: testpeer.Unpath(out, dir), Stderr: normalizeErrLines(testpeer.Unpath(errs, dir)), Code: code}
	}
	for _, opt := range []string{"-sess_in", "-psk_session"} {
		for _, f := range []struct{ name, path string }{
			{"base64", bad.Base64}, {"garbage", bad.Garbage}, {"truncated", bad.Truncated},
			{"label", bad.Label}, {"empty", bad.Empty}, {"directory", sub},
		} {
			t.Run(opt+" "+f.name, func(t *testing.T) {
				args := []string{"-connect", closed, opt, f.path}
				rec.Check(t, opt+" "+f.name,
					func() testpeer.Outcome { return norm(runClient(t, "", args...)) },
					func() testpeer.Outcome {
						return norm(testpeer.Run(t, 20*time.Second, "", "openssl", append([]string{"s_client"}, args...)...))
					})
			})
		}
	}
	rec.Save(t)
}
