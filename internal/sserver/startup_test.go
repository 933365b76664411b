package sserver

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/stdio"
	"github.com/tlskit/tlskit/internal/testpeer"
)

// TestStartupFailuresLikeOpenSSL gives openssl s_server and tlskit's the
// same failing file of each kind and compares stdout, stderr (openssl's
// error lines without their thread, source file and line) and the exit
// code. openssl loads -msgfile, the key and certificates, the CRLs, the
// trust store and the chain store before it reads -dhparam and prints
// "Using default temp DH parameters", then -build_chain and -keylogfile:
// the line is on stdout only for the failures after it.
func TestStartupFailuresLikeOpenSSL(t *testing.T) {
	needTool(t, "openssl")
	pki := testpeer.NewPKI(t)
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.pem")
	if err := os.WriteFile(bad, []byte("garbage\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.pem")
	malformed := filepath.Join(dir, "malformed.pem")
	if err := os.WriteFile(malformed, []byte("-----BEGIN DH PARAMETERS-----\nAAAA\n-----END DH PARAMETERS-----\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	noDir := filepath.Join(dir, "nodir", "file")
	// DH parameters: 1536 bits (weak at the default level 2), 2048 bits
	// (weak at level 3), X9.42 (which s_server does not load).
	weak, modp2048, x942 := filepath.Join(dir, "weak.pem"), filepath.Join(dir, "modp2048.pem"), filepath.Join(dir, "x942.pem")
	for _, g := range [][]string{{weak, "DH", "group:modp_1536"}, {modp2048, "DH", "group:modp_2048"}, {x942, "DHX", "dh_rfc5114:2"}} {
		if _, e, code := testpeer.Run(t, 30*time.Second, "", "openssl", "genpkey", "-genparam", "-algorithm", g[1], "-pkeyopt", g[2], "-out", g[0]); code != 0 {
			t.Fatalf("openssl genpkey %s: exit %d\n%s", g[2], code, e)
		}
	}
	cert := []string{"-cert", pki.Server, "-key", pki.ServerKey}
	broken := testpeer.BrokenSessionFiles(t, dir)
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"missing-cert", []string{"-cert", missing, "-key", pki.ServerKey}},
		{"bad-key", []string{"-cert", pki.Server, "-key", bad}},
		{"missing-CAfile", append(cert, "-CAfile", missing)},
		{"bad-CAfile", append(cert, "-CAfile", bad)},
		{"missing-CRL", append(cert, "-CRL", missing)},
		{"bad-CRL", append(cert, "-CRL", bad, "-verify", "1")},
		{"certificate-as-CRL", append(cert, "-CRL", pki.CA)},
		{"bad-CRL-and-CAfile", append(cert, "-CRL", bad, "-CAfile", missing)},
		{"missing-cert-and-CRL", []string{"-cert", missing, "-key", pki.ServerKey, "-CRL", missing}},
		{"missing-chainCAfile", append(cert, "-chainCAfile", missing)},
		{"missing-CAfile-bad-dhparam", append(cert, "-CAfile", missing, "-dhparam", bad)},
		{"missing-dhparam-build_chain", append(cert, "-dhparam", missing, "-build_chain")},
		{"msgfile", append(cert, "-msgfile", noDir, "-CAfile", missing)},
		{"keylogfile", append(cert, "-keylogfile", noDir)},
		{"missing-cert_chain", append(cert, "-cert_chain", missing)},
		{"bad-cert_chain", append(cert, "-cert_chain", bad)},
		{"bad-psk", append(cert, "-psk", "zz")},
		// The key is read first, from the certificate's file without
		// -key; -dcert's key is the "second certificate private key".
		{"bad-cert-no-key", []string{"-cert", bad}},
		{"dir-cert-no-key", []string{"-cert", dir}},
		{"bad-dcert", append(cert, "-dcert", bad)},
		{"bad-dcert-good-dkey", append(cert, "-dcert", bad, "-dkey", pki.ServerKey)},
		{"missing-dcert", append(cert, "-dcert", missing)},
		{"dcert-bad-dkey", append(cert, "-dcert", pki.Server, "-dkey", bad)},
		// A -dhparam that cannot be read only warns; -serverinfo fails
		// after it. A directory opens and reads as empty for both.
		{"dir-dhparam", append(cert, "-dhparam", dir, "-serverinfo", missing)},
		{"bad-dhparam", append(cert, "-dhparam", bad, "-serverinfo", missing)},
		{"key-as-dhparam", append(cert, "-dhparam", pki.ServerKey, "-serverinfo", missing)},
		{"malformed-dhparam", append(cert, "-dhparam", malformed, "-serverinfo", missing)},
		{"certificate-as-dhparam", append(cert, "-dhparam", pki.CA, "-serverinfo", missing)},
		{"weak-dhparam", append(cert, "-dhparam", weak)},
		{"dhparam-at-level-3", append(cert, "-dhparam", modp2048, "-cipher", "DEFAULT@SECLEVEL=3")},
		{"x942-dhparam", append(cert, "-dhparam", x942, "-serverinfo", missing)},
		{"dir-serverinfo", append(cert, "-serverinfo", dir)},
		{"missing-xcert", append(cert, "-xcert", missing)},
		{"bad-xcert", append(cert, "-xcert", bad)},
		{"bad-xkey", append(cert, "-xcert", pki.Server, "-xkey", bad)},
		{"missing-xchain", append(cert, "-xcert", pki.Server, "-xkey", pki.ServerKey, "-xchain", missing)},
		{"missing-CAstore", append(cert, "-CAstore", "file:"+missing)},
		{"missing-verifyCAstore", append(cert, "-verifyCAstore", missing)},
		// -rand's files are opened before the key and certificates.
		{"missing-rand", []string{"-rand", missing + ":" + bad + ":" + noDir, "-cert", missing}},
		// -psk_session is read after the DH parameters.
		{"missing-psk_session", append(cert, "-psk_session", missing)},
		{"dir-psk_session", append(cert, "-psk_session", dir)},
		{"bad-psk_session", append(cert, "-psk_session", bad)},
		{"certificate-as-psk_session", append(cert, "-psk_session", pki.CA)},
		{"base64-psk_session", append(cert, "-psk_session", broken.Base64)},
		{"garbage-psk_session", append(cert, "-psk_session", broken.Garbage)},
		{"truncated-psk_session", append(cert, "-psk_session", broken.Truncated)},
		{"label-psk_session", append(cert, "-psk_session", broken.Label)},
		{"empty-psk_session", append(cert, "-psk_session", broken.Empty)},
		{"bad-dcert_chain", append(cert, "-dcert", pki.Server, "-dkey", pki.ServerKey, "-dcert_chain", bad)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			full := append([]string{"-accept", "127.0.0.1:0"}, tc.args...)
			wantOut, wantErr, wantCode := testpeer.Run(t, 10*time.Second, "", "openssl", append([]string{"s_server"}, full...)...)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			var out, errw syncBuffer
			code := run(ctx, full, stdio.Stdio{In: strings.NewReader(""), Out: &out, Err: &errw}, nil)
			if wantCode == 0 {
				t.Fatalf("openssl s_server started:\n%s", wantOut)
			}
			if code != wantCode {
				t.Errorf("exit code %d, openssl's %d", code, wantCode)
			}
			if out.String() != wantOut {
				t.Errorf("stdout:\n%s\nopenssl's:\n%s", out.String(), wantOut)
			}
			if got, want := normalizeErrLines(errw.String()), normalizeErrLines(wantErr); got != want {
				t.Errorf("stderr:\n%s\nopenssl's:\n%s", got, want)
			}
		})
	}
}

// TestDKeyWithoutDCert: openssl s_server reads -dkey only with -dcert
// (measured with 3.0: -dkey alone, even naming a file with no
// certificate, starts the server), so tlskit's starts too.
func TestDKeyWithoutDCert(t *testing.T) {
	pki := testpeer.NewPKI(t)
	startServer(t, "", "-cert", pki.Server, "-key", pki.ServerKey, "-dkey", pki.ServerKey)
}
