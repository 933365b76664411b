package sclient

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/testpeer"
)

// TestStartupFileErrorsAsOpenSSL gives file-taking options a missing
// file, a directory and a file of the wrong content, through openssl
// s_client and tlskit's, and compares stdout, stderr (error lines
// normalised) and the exit code. The port is closed: a case that should
// fail before connecting and does not prints a connect error openssl does
// not; -writerand's and a directory as -requestCAfile's come after it.
func TestStartupFileErrorsAsOpenSSL(t *testing.T) {
	testpeer.Need(t, "openssl")
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing")
	notPEM := filepath.Join(dir, "notpem.txt")
	if err := os.WriteFile(notPEM, []byte("this is not PEM\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	pki := testpeer.NewPKI(t)
	closed := "127.0.0.1:" + testpeer.ClosedPort(t)
	bad := testpeer.BrokenSessionFiles(t, dir)
	for _, args := range [][]string{
		{"-msgfile", filepath.Join(missing, "m.log")},
		{"-msgfile", dir},
		{"-sess_in", missing},
		{"-sess_in", dir},
		{"-sess_in", notPEM},
		{"-sess_in", pki.Server}, // PEM, but no session in it
		{"-psk_session", missing},
		{"-psk_session", dir},
		{"-psk_session", notPEM},
		// Broken session files: each of openssl's PEM and ASN.1
		// readers' lines (internal/sessfile reads them all).
		{"-sess_in", bad.Base64},
		{"-sess_in", bad.Garbage},
		{"-sess_in", bad.Truncated},
		{"-sess_in", bad.Label},
		{"-sess_in", bad.Empty},
		{"-psk_session", bad.Base64},
		{"-psk_session", bad.Garbage},
		{"-psk_session", bad.Truncated},
		{"-psk_session", bad.Label},
		{"-psk_session", bad.Empty},
		// The key is read first (from -cert's file without -key), and
		// -key or -cert_chain without -cert are read all the same.
		{"-key", missing},
		{"-key", dir},
		{"-key", notPEM},
		{"-cert", dir},
		{"-cert", notPEM},
		{"-cert_chain", missing},
		{"-cert_chain", dir},
		{"-cert_chain", notPEM},
		// -rand's files are opened once the options are read, before
		// anything else is loaded; each is a list split at ':'.
		// -xcert's certificate is read before its key, each in its
		// own words.
		{"-xcert", missing},
		{"-xcert", dir},
		{"-xcert", pki.Server, "-xkey", notPEM},
		{"-xcert", pki.Server, "-xkey", missing},
		{"-xcert", pki.Server, "-xkey", pki.ServerKey, "-xchain", missing},
		{"-xcert", pki.Server, "-xkey", pki.ServerKey, "-xchain", notPEM},
		// A store URI: a missing file fails as openssl's loaders do,
		// for each form of the URI; one without certificates is empty.
		{"-CAstore", missing},
		{"-CAstore", "file:" + missing},
		{"-CAstore", "file://" + missing},
		{"-CAstore", "file:relative-missing"},
		{"-CAstore", notPEM},
		{"-chainCAstore", missing},
		{"-writerand", dir},
		{"-writerand", filepath.Join(missing, "r")},
		{"-requestCAfile", dir},
		{"-rand", missing},
		{"-rand", notPEM + ":" + missing + "x", "-rand", dir + ":" + missing, "-cert", missing},
	} {
		name := filepath.Base(args[len(args)-1])
		if args[len(args)-1] == dir {
			name = "directory"
		}
		t.Run(args[len(args)-2]+" "+name, func(t *testing.T) {
			all := append([]string{"-connect", closed}, args...)
			oOut, oErr, oCode := testpeer.Run(t, 20*time.Second, "", "openssl", append([]string{"s_client"}, all...)...)
			tOut, tErr, tCode := runClient(t, "", all...)
			if oCode != 1 || tCode != oCode {
				t.Errorf("exit code: openssl %d, tlskit %d", oCode, tCode)
			}
			if tOut != oOut {
				t.Errorf("stdout:\nopenssl:\n%s\ntlskit:\n%s", oOut, tOut)
			}
			if a, b := normalizeErrLines(oErr), normalizeErrLines(tErr); a != b {
				t.Errorf("stderr:\nopenssl:\n%s\ntlskit:\n%s", a, b)
			}
		})
	}
}
