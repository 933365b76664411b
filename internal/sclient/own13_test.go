package sclient

import (
	"testing"

	"github.com/tlskit/tlskit/internal/testpeer"
)

// TestFFDHE13 runs the RFC 7919 groups as TLS 1.3 key shares
// (RFC 8446 §4.2.8.1) against openssl s_server: a share sent at once,
// and a HelloRetryRequest from openssl to an ffdhe group the default
// ClientHello lists but sends no share for. The server's -trace shows
// the shares' sizes: the group's prime length plus the four bytes of
// group and length.
func TestFFDHE13(t *testing.T) {
	pki := testpeer.NewPKI(t)
	runClientTests(t, pki, []clientTest{
		{name: "ffdhe2048", server: []string{"-groups", "ffdhe2048", "-trace"}, args: []string{"-tls1_3", "-groups", "ffdhe2048"},
			wantOut:    []string{`(?m)^Server Temp Key: DH, 2048 bits$`, `(?m)^New, TLSv1\.3, `},
			serverSees: []string{"extension_type=key_share(51), length=262\n", "extension_type=key_share(51), length=260\n"}},
		{name: "ffdhe8192", server: []string{"-groups", "ffdhe8192"}, args: []string{"-tls1_3", "-groups", "ffdhe8192:x25519"},
			wantOut: []string{`(?m)^Server Temp Key: DH, 8192 bits$`}},
		{name: "hrr-to-ffdhe3072", server: []string{"-groups", "ffdhe3072", "-trace"}, args: []string{"-tls1_3"},
			wantOut: []string{`(?m)^Server Temp Key: DH, 3072 bits$`, `(?m)^New, TLSv1\.3, `},
			// The retry names the group (length 2); the second
			// ClientHello carries its 384-byte share.
			serverSees: []string{"extension_type=key_share(51), length=2\n", "extension_type=key_share(51), length=390\n", "extension_type=key_share(51), length=388\n"}},
	})
}

// TestFFDHE13GnuTLS: gnutls-serv limited to ffdhe4096 asks the
// default ClientHello for a retry.
func TestFFDHE13GnuTLS(t *testing.T) {
	pki := testpeer.NewPKI(t)
	srv := testpeer.GnuTLSServer(t, "--x509certfile", pki.Server, "--x509keyfile", pki.ServerKey,
		"--priority", "NORMAL:-GROUP-ALL:+GROUP-FFDHE4096")
	out, errs, code := runClient(t, "", "-connect", srv.Addr, "-tls1_3", "-msg")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	mustMatch(t, "stdout", out, `(?m)^Server Temp Key: DH, 4096 bits$`, `(?m)^New, TLSv1\.3, `,
		`(?s)ServerHello\n.*ClientHello\n.*ServerHello\n`)
}
