package sclient

import (
	"encoding/pem"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/ct"
	"github.com/tlskit/tlskit/internal/ct/cttest"
	"github.com/tlskit/tlskit/internal/engine"
	"github.com/tlskit/tlskit/internal/testpeer"
)

// ctBlock is the report's "SCTs present" block, up to the handshake line.
var ctBlock = regexp.MustCompile(`(?s)SCTs present \(\d+\)\n.*?(SSL handshake has read)`)

// TestCTAgainstOpenSSL: tlskit s_client -ct against openssl s_server
// -serverinfo with two SCTs for its certificate (one from a log of the
// -ctlogfile list, one from a log it lacks) prints the block openssl
// s_client -ct prints against the same server, TLS 1.2 and 1.3; without
// -CAfile the statuses are "not set"; a server without SCTs gives
// "SCTs present (0)"; a missing log list fails before connecting.
func TestCTAgainstOpenSSL(t *testing.T) {
	pki := testpeer.NewPKI(t)
	b, err := os.ReadFile(pki.ECServer)
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(b)
	known, unknown := cttest.NewLog(), cttest.NewLog()
	at := time.Now().Add(-time.Hour).Truncate(time.Second).Add(7 * time.Millisecond)
	list := ct.MarshalList(known.SCT(blk.Bytes, at), unknown.SCT(blk.Bytes, at.Add(time.Second)))
	si := filepath.Join(pki.Dir, "si.pem")
	logs := filepath.Join(pki.Dir, "logs.cnf")
	os.WriteFile(si, cttest.ServerInfoPEM(engine.ExtContextClientHello|engine.ExtContextTLS12ServerHello|engine.ExtContextTLS13Certificate, 18, list), 0o644)
	os.WriteFile(logs, []byte(cttest.LogList([]string{"k"}, known.LogListEntry("k", "tlskit known log"))), 0o644)
	srv := testpeer.OpenSSLServer(t, "-cert", pki.ECServer, "-key", pki.ECServerKey, "-serverinfo", si)
	for _, v := range []string{"-tls1_2", "-tls1_3"} {
		for _, verified := range []bool{true, false} {
			args := []string{"-connect", srv.Addr, "-ct", "-ctlogfile", logs, v}
			if verified {
				args = append(args, "-CAfile", pki.CA)
			}
			out, _, code := runClient(t, "", args...)
			ref, _, _ := testpeer.Run(t, 20*time.Second, "", "openssl", append([]string{"s_client"}, args...)...)
			got, want := ctBlock.FindString(out), ctBlock.FindString(ref)
			if code != 0 || got == "" || got != want {
				t.Errorf("%s verified=%v: exit %d, block:\n%s\nopenssl's:\n%s", v, verified, code, got, want)
			}
			wantStatus := "SCT validation status: not set"
			if verified {
				wantStatus = "SCT validation status: valid"
			}
			mustContain(t, v, got, "SCTs present (2)", wantStatus, "Log       : tlskit known log")
		}
	}
	plain := testpeer.OpenSSLServer(t, "-cert", pki.ECServer, "-key", pki.ECServerKey)
	out, _, code := runClient(t, "", "-connect", plain.Addr, "-ct", "-ctlogfile", logs, "-CAfile", pki.CA)
	if code != 0 || !strings.Contains(out, "---\nSCTs present (0)\n---\nSSL handshake has read") {
		t.Errorf("no SCTs: exit %d\n%s", code, out)
	}
	out, errOut, code := runClient(t, "", "-connect", plain.Addr, "-ct", "-ctlogfile", filepath.Join(pki.Dir, "none.cnf"))
	if code != 1 || strings.Contains(out, "CONNECTED") || !strings.Contains(errOut, ":CT routines:CTLOG_STORE_load_file:log conf invalid:") ||
		!strings.Contains(errOut, "calling fopen("+filepath.Join(pki.Dir, "none.cnf")+", rb)") {
		t.Errorf("missing log list: exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
}
