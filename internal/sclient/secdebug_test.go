package sclient

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/testpeer"
)

// TestSecurityDebugLikeOpenSSL runs openssl s_client and then tlskit's
// against the same openssl s_server with the same options and compares
// their whole stderr: every "Security callback" line as often and in the
// order openssl prints it (the three passes over the suites while the
// ClientHello is built, the group probes, the ServerHello's checks before
// the servername callback and the verify lines, a TLS 1.3
// CertificateRequest's shared schemes before the certificate's lines, the
// rest after them), and the lines between them. The servers send no
// TLS 1.3 tickets: openssl checks TLS 1.3 again for each ticket it
// happens to read before it exits, a race.
func TestSecurityDebugLikeOpenSSL(t *testing.T) {
	testpeer.Need(t, "openssl")
	pki := testpeer.NewPKI(t)
	rsa := []string{"-cert", pki.Server, "-key", pki.ServerKey, "-num_tickets", "0"}
	ec := []string{"-cert", pki.ECServer, "-key", pki.ECServerKey, "-num_tickets", "0"}
	askCert := []string{"-verify", "1", "-CAfile", pki.CA}
	clientCert := []string{"-cert", pki.Client, "-key", pki.ClientKey}
	level3 := []string{"-cipher", "DEFAULT@SECLEVEL=3"}
	cat := func(l ...[]string) []string { return slices.Concat(l...) }
	const ticket12 = "Security callback: Check Ciphersuite=ECDHE-RSA-AES256-GCM-SHA384, security bits=256: yes\nSecurity callback: : yes\n"
	for _, tc := range []struct {
		name           string
		server, client []string
		want           string // in openssl's stderr: what the case is about
	}{
		{"tls12", rsa, []string{"-tls1_2"}, ticket12},
		{"tls12-no_ticket", rsa, []string{"-tls1_2", "-no_ticket"}, "Check Ciphersuite=ECDHE-RSA-AES256-GCM-SHA384, security bits=256: yes\nCan't"},
		{"tls12-groups", rsa, []string{"-tls1_2", "-groups", "P-384:X25519"}, "Check Curve=P-384"},
		{"tls12-cipher-rsa-kx", rsa, []string{"-tls1_2", "-cipher", "AES128-SHA"}, "Check Ciphersuite=AES128-SHA"},
		{"tls12-client-cert", cat(rsa, askCert), cat([]string{"-tls1_2"}, clientCert), "Shared Signature Algorithm"},
		{"tls12-level3-quiet", cat(ec, level3), cat([]string{"-tls1_2", "-security_debug"}, level3), ": no\n"},
		{"tls13", rsa, []string{"-tls1_3"}, "Check Ciphersuite=TLS_AES_256_GCM_SHA384"},
		{"verify", rsa, []string{"-verify", "1", "-CAfile", pki.CA}, "Check Ciphersuite=TLS_AES_256_GCM_SHA384"},
		{"tls13-groups", rsa, []string{"-groups", "P-384:X25519"}, "Supported Curve=P-384"},
		{"tls13-sigalgs", rsa, []string{"-tls1_3", "-sigalgs", "RSA-PSS+SHA256:ECDSA+SHA256"}, "Signature Algorithm mask scheme=rsa_pss_rsae_sha256"},
		{"tls13-client-cert", cat(rsa, askCert), cat([]string{"-tls1_3"}, clientCert), "Shared Signature Algorithm"},
		{"tls13-level3", cat(ec, level3), cat([]string{"-tls1_3"}, level3), ": no\n"},
		{"tls13-retry", cat(rsa, []string{"-groups", "P-384"}), nil, "Check Ciphersuite=TLS_AES_256_GCM_SHA384, security bits=256: yes\nSecurity callback: Supported Curve=P-384"},
		{"tls13-retry-two-groups", cat(rsa, []string{"-groups", "X448:P-256"}), nil, "Check Ciphersuite=TLS_AES_256_GCM_SHA384, security bits=256: yes\nSecurity callback: Supported Curve="},
	} {
		t.Run(tc.name, func(t *testing.T) {
			flag := "-security_debug_verbose"
			if slices.Contains(tc.client, "-security_debug") {
				flag = ""
			}
			srv := testpeer.OpenSSLServer(t, tc.server...)
			args := cat([]string{"-connect", srv.Addr}, tc.client)
			if flag != "" {
				args = append(args, flag)
			}
			_, want, wantCode := testpeer.Run(t, 30*time.Second, "", "openssl", append([]string{"s_client"}, args...)...)
			_, got, code := runClient(t, "", args...)
			if !strings.Contains(want, tc.want) {
				t.Fatalf("openssl s_client's stderr lacks %q:\n%s", tc.want, want)
			}
			if code != wantCode {
				t.Errorf("exit %d, openssl %d", code, wantCode)
			}
			if got != want {
				t.Errorf("stderr differs from openssl s_client's:\n%s", testpeer.LineDiff(got, want))
			}
		})
	}
}

// TestSecurityDebugResumeLikeOpenSSL: openssl's client checks the
// version of the session it resumes (-sess_in) while building the
// ClientHello, in its first pass over the suites, and TLS 1.3 once more
// after the ClientHello when it sends early data; tlskit made neither
// check. A session saved from openssl s_server (TLS 1.3 from a server
// taking early data without anti-replay, so that it resumes twice, or
// TLS 1.2) is resumed by openssl s_client and by tlskit's, and their
// stderr is compared up to the servername callback's line (the tickets
// read after it add checks as they race the client's exit).
func TestSecurityDebugResumeLikeOpenSSL(t *testing.T) {
	testpeer.Need(t, "openssl")
	pki := testpeer.NewPKI(t)
	early := filepath.Join(t.TempDir(), "early.txt")
	if err := os.WriteFile(early, []byte("early hello\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	server := []string{"-cert", pki.ECServer, "-key", pki.ECServerKey, "-early_data", "-no_anti_replay"}
	retry := []string{"-groups", "P-384"}
	const servername = "Can't use SSL_get_servername\n"
	for _, tc := range []struct {
		name                    string
		server, saved, resuming []string
		want                    string // in openssl's stderr: what the case is about
		whole                   bool   // no tickets race: the whole stderr is compared
	}{
		{"tls13", nil, nil, nil, "Version=TLS 1.0: yes\nSecurity callback: Version=TLS 1.3: yes\nSecurity callback: Signature Algorithm mask", false},
		{"tls13-early-data", nil, nil, []string{"-early_data", early}, "Supported Curve=X25519, security bits=128: yes\nSecurity callback: Version=TLS 1.3: yes\n", false},
		{"tls13-early-data-retry", retry, nil, []string{"-early_data", early}, "Supported Curve=X25519, security bits=128: yes\nSecurity callback: Version=TLS 1.3: yes\nSecurity callback: Check Ciphersuite", false},
		{"tls12-session", nil, []string{"-tls1_2"}, nil, "Version=TLS 1.0: yes\nSecurity callback: Version=TLS 1.2: yes\nSecurity callback: Signature Algorithm mask", false},
		{"tls12", nil, []string{"-tls1_2"}, []string{"-tls1_2"}, "Version=TLS 1.2: yes\nSecurity callback: Signature Algorithm mask", true},
		{"tls12-groups", retry, []string{"-tls1_2"}, []string{"-tls1_2"}, "Version=TLS 1.2: yes\nSecurity callback: Signature Algorithm mask", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := testpeer.OpenSSLServer(t, append(server, tc.server...)...)
			sess := filepath.Join(t.TempDir(), "sess.pem")
			if _, errs, code := runClient(t, "", append([]string{"-connect", srv.Addr, "-sess_out", sess}, tc.saved...)...); code != 0 {
				t.Fatalf("saving the session: exit %d\n%s", code, errs)
			}
			args := append([]string{"-connect", srv.Addr, "-sess_in", sess, "-security_debug_verbose"}, tc.resuming...)
			_, want, _ := testpeer.Run(t, 30*time.Second, "", "openssl", append([]string{"s_client"}, args...)...)
			_, got, _ := runClient(t, "", args...)
			cut := func(s string) string {
				if i := strings.Index(s, servername); i >= 0 && !tc.whole {
					return s[:i+len(servername)]
				}
				return s
			}
			got, want = cut(got), cut(want)
			if !strings.Contains(want, tc.want) || !strings.Contains(want, servername) {
				t.Fatalf("openssl s_client's stderr lacks %q:\n%s", tc.want, want)
			}
			if got != want {
				t.Errorf("stderr differs from openssl s_client's:\n%s", testpeer.LineDiff(got, want))
			}
		})
	}
}
