package sclient

import (
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/testpeer"
)

// TestLegacyServerConnect: a TLS 1.2 server without renegotiation_info
// (gnutls-serv with %DISABLE_SAFE_RENEGOTIATION) is refused by default,
// as openssl s_client 3.0 refuses it (handshake_failure after the
// ServerHello, "unsafe legacy renegotiation disabled"), and accepted
// under -legacy_server_connect unless a later -no_legacy_server_connect
// takes it back. openssl s_client runs against the same server for each.
func TestLegacyServerConnect(t *testing.T) {
	pki := testpeer.NewPKI(t)
	srv := testpeer.GnuTLSServer(t, "--x509certfile", pki.Server, "--x509keyfile", pki.ServerKey,
		"--priority", "NORMAL:-VERS-TLS1.3:%DISABLE_SAFE_RENEGOTIATION")
	openssl := testpeer.Need(t, "openssl")
	const refused = ":error:0A000152:SSL routines:final_renegotiate:unsafe legacy renegotiation disabled:"
	for _, tc := range []struct {
		args []string
		ok   bool
	}{
		{nil, false},
		{[]string{"-no_legacy_server_connect"}, false},
		{[]string{"-legacy_server_connect"}, true},
		{[]string{"-legacy_server_connect", "-no_legacy_server_connect"}, false},
		{[]string{"-no_legacy_server_connect", "-legacy_server_connect"}, true},
	} {
		args := append([]string{"-connect", srv.Addr, "-msg"}, tc.args...)
		out, errs, code := runClient(t, "", args...)
		refOut, refErrs, refCode := testpeer.Run(t, 15*time.Second, "", openssl, append([]string{"s_client"}, args...)...)
		for _, side := range []struct {
			who       string
			out, errs string
			code      int
		}{{"tlskit", out, errs, code}, {"openssl", refOut, refErrs, refCode}} {
			if tc.ok {
				if side.code != 0 || !strings.Contains(side.out, "\nSecure Renegotiation IS NOT supported\n") || strings.Contains(side.errs, refused) {
					t.Errorf("%s s_client %v: exit %d, want a connection\n%s\n%s", side.who, tc.args, side.code, side.out, side.errs)
				}
				continue
			}
			if side.code != 1 || !strings.Contains(side.errs, refused) ||
				!strings.Contains(side.out, "], ServerHello\n") ||
				!strings.Contains(side.out, ">>> TLS 1.2, Alert [length 0002], fatal handshake_failure\n") {
				t.Errorf("%s s_client %v: exit %d, want the refusal\n%s\n%s", side.who, tc.args, side.code, side.out, side.errs)
			}
		}
	}
}
