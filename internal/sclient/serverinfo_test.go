package sclient

import (
	"encoding/pem"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/testpeer"
)

// TestServerInfo: -serverinfo 1000,18 sends both types empty, first in
// the ClientHello, and prints openssl s_server -serverinfo's answer for
// 1000 as openssl s_client prints it (a PEM block after CONNECTED); the
// types openssl handles itself, or listed twice, are skipped with its
// warning. openssl s_client runs against the same server.
func TestServerInfo(t *testing.T) {
	pki := testpeer.NewPKI(t)
	openssl := testpeer.Need(t, "openssl")
	si := filepath.Join(t.TempDir(), "si.pem")
	block := pem.EncodeToMemory(&pem.Block{Type: "SERVERINFO FOR EXTENSION 1000", Bytes: []byte{0x03, 0xe8, 0, 4, 'a', 'b', 'c', 'd'}})
	if err := os.WriteFile(si, block, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, prog := range []string{"tlskit", openssl} {
		srv := testpeer.OpenSSLServer(t, "-cert", pki.Server, "-key", pki.ServerKey, "-tls1_2", "-serverinfo", si, "-trace")
		args := []string{"-connect", srv.Addr, "-serverinfo", "1000,18,0,1000"}
		var out, errs string
		var code int
		if prog == "tlskit" {
			out, errs, code = runClient(t, "", args...)
		} else {
			out, errs, code = testpeer.Run(t, 15*time.Second, "", openssl, append([]string{"s_client"}, args...)...)
		}
		if code != 0 || !strings.Contains(out, "\n"+string(block)+"---\n") {
			t.Errorf("%s: exit %d, no SERVERINFO block after CONNECTED:\n%s\n%s", prog, code, out, errs)
		}
		for _, w := range []string{"Warning: Unable to add custom extension 0, skipping\n", "Warning: Unable to add custom extension 1000, skipping\n"} {
			if !strings.Contains(errs, w) {
				t.Errorf("%s: stderr lacks %q:\n%s", prog, w, errs)
			}
		}
		waitFor := time.Now().Add(5 * time.Second)
		for !strings.Contains(srv.Output(), "extension_type=UNKNOWN(1000), length=0\n") && time.Now().Before(waitFor) {
			time.Sleep(20 * time.Millisecond)
		}
		// In the order given (openssl puts them before server_name).
		if !strings.Contains(srv.Output(), "\n        extension_type=UNKNOWN(1000), length=0\n        extension_type=signed_certificate_timestamps(18), length=0\n") {
			t.Errorf("%s: the server saw no empty 1000 and 18:\n%s", prog, srv.Output())
		}
	}
}

// TestServerInfoRefusedTypesLikeOpenSSL gives openssl s_client and tlskit's
// -serverinfo with every type openssl 3.0 knows of (0 to 51, 13172, 65000,
// 65281) and compares the "Unable to add custom extension" warnings: the
// types SSL_extension_supported lists are refused, the others (among them
// signed_certificate_timestamp, signature_algorithms_cert and the cryptopro
// workaround) taken. No server is needed: the warnings come first.
func TestServerInfoRefusedTypesLikeOpenSSL(t *testing.T) {
	openssl := testpeer.Need(t, "openssl")
	var types []string
	for i := 0; i <= 51; i++ {
		types = append(types, strconv.Itoa(i))
	}
	types = append(types, "13172", "65000", "65281")
	args := []string{"-connect", "127.0.0.1:" + testpeer.ClosedPort(t), "-serverinfo", strings.Join(types, ",")}
	warnings := func(s string) []string {
		var out []string
		for _, l := range strings.Split(s, "\n") {
			if strings.HasPrefix(l, "Warning: ") {
				out = append(out, l)
			}
		}
		return out
	}
	_, errs, _ := runClient(t, "", args...)
	_, want, _ := testpeer.Run(t, 15*time.Second, "", openssl, append([]string{"s_client"}, args...)...)
	if len(warnings(want)) == 0 {
		t.Fatalf("openssl s_client refused no type:\n%s", want)
	}
	if got, want := strings.Join(warnings(errs), "\n"), strings.Join(warnings(want), "\n"); got != want {
		t.Errorf("warnings:\n%s\nopenssl s_client's:\n%s", got, want)
	}
}
