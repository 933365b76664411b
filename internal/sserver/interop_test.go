package sserver

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/testpeer"
)

// TestZeroConfigVerifiedByOpenSSL: with no certificate anywhere the server
// makes one, names the file on stderr, and openssl verifies it with it.
func TestZeroConfigVerifiedByOpenSSL(t *testing.T) {
	needTool(t, "openssl")
	ts := startServer(t, t.TempDir(), "-naccept", "1")
	m := regexp.MustCompile(`certificate written to (\S+) .*SHA-256 fingerprint ([0-9A-F:]{95})`).FindStringSubmatch(ts.err.String())
	if m == nil {
		t.Fatalf("no zero-config notice on stderr: %q", ts.err)
	}
	fp, _ := runPeer(t, "", 5*time.Second, "openssl", "x509", "-in", m[1], "-noout", "-fingerprint", "-sha256")
	if !strings.Contains(fp, m[2]) {
		t.Errorf("fingerprint in notice %s does not match the file: %s", m[2], fp)
	}
	out := opensslClientUntil(t, ts.addr, "hello from openssl\n", printed(ts.out.String, "hello from openssl\n"),
		"-CAfile", m[1], "-verify_return_error", "-verify_hostname", "localhost")
	if !strings.Contains(out, "Verify return code: 0 (ok)") {
		t.Fatalf("openssl did not verify the generated certificate:\n%s", out)
	}
	if code := ts.wait(10 * time.Second); code != 0 {
		t.Errorf("exit code %d", code)
	}
	so := ts.out.String()
	for _, want := range []string{"CIPHER is TLS_", "hello from openssl\n", "DONE\nshutting down SSL\nCONNECTION CLOSED\n", "   1 server accepts that finished\n"} {
		if !strings.Contains(so, want) {
			t.Errorf("stdout lacks %q:\n%s", want, so)
		}
	}
	if _, err := os.Stat(m[1]); err == nil {
		t.Errorf("generated certificate %s not removed at exit", m[1])
	}
}

// TestProtocolChoices runs openssl s_client against several server
// configurations and checks what was negotiated.
func TestProtocolChoices(t *testing.T) {
	needTool(t, "openssl")
	dir := t.TempDir()
	ec, eck := writeCert(t, dir, "ec", "localhost", false)
	rs, rsk := writeCert(t, dir, "rsa", "localhost", true)
	dhFile := filepath.Join(dir, "dh.pem")
	if out, err := exec.Command("openssl", "genpkey", "-genparam", "-algorithm", "DH", "-pkeyopt", "group:modp_3072", "-out", dhFile).CombinedOutput(); err != nil {
		t.Fatalf("openssl genpkey: %v\n%s", err, out)
	}
	tests := []struct {
		name   string
		server []string
		client []string
		want   []string // in s_client's output
		srvOut []string // in s_server's stdout
		fail   bool
	}{
		{name: "tls13", server: []string{"-cert", ec, "-key", eck}, client: []string{"-tls1_3"},
			want: []string{"New, TLSv1.3, Cipher is TLS_AES_"}, srvOut: []string{"CIPHER is TLS_AES_"}},
		{name: "tls12-client-order", server: []string{"-cert", ec, "-key", eck},
			client: []string{"-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-GCM-SHA384"},
			want:   []string{"Cipher is ECDHE-ECDSA-AES128-SHA"}, srvOut: []string{"CIPHER is ECDHE-ECDSA-AES128-SHA\n", "Supported Elliptic Curve Point Formats: uncompressed"}},
		{name: "tls12-serverpref", server: []string{"-cert", ec, "-key", eck, "-serverpref", "-cipher", "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-SHA"},
			client: []string{"-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-GCM-SHA384"},
			want:   []string{"Cipher is ECDHE-ECDSA-AES256-GCM-SHA384"}},
		{name: "serverpref-default-order", server: []string{"-cert", ec, "-key", eck, "-serverpref"},
			client: []string{"-tls1_2", "-cipher", "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES256-GCM-SHA384"},
			want:   []string{"Cipher is ECDHE-ECDSA-AES256-GCM-SHA384"}},
		{name: "prioritize-chacha", server: []string{"-cert", ec, "-key", eck, "-serverpref", "-prioritize_chacha"},
			client: []string{"-tls1_2", "-cipher", "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES256-GCM-SHA384"},
			want:   []string{"Cipher is ECDHE-ECDSA-CHACHA20-POLY1305"}},
		{name: "verify-return-error", server: []string{"-cert", ec, "-key", eck, "-Verify", "1", "-CAfile", ec, "-verify_return_error"},
			client: []string{"-cert", rs, "-key", rsk}, want: []string{"CONNECTED"}, fail: true,
			srvOut: []string{"shutting down SSL\nCONNECTION CLOSED\n"}},
		{name: "rsa-cert", server: []string{"-cert", rs, "-key", rsk, "-tls1_2"}, client: nil,
			want: []string{"Protocol  : TLSv1.2", "Cipher is ECDHE-RSA-AES256-GCM-SHA384"}},
		{name: "version-mismatch", server: []string{"-cert", ec, "-key", eck, "-tls1_2"}, client: []string{"-tls1_3"},
			want: []string{"alert protocol version"}, fail: true},
		{name: "cipher-mismatch", server: []string{"-cert", ec, "-key", eck, "-cipher", "ECDHE-ECDSA-AES128-SHA", "-no_tls1_3"},
			client: []string{"-cipher", "ECDHE-ECDSA-AES256-GCM-SHA384"}, want: []string{"handshake failure"}, fail: true},
		{name: "alpn-server-preference", server: []string{"-cert", ec, "-key", eck, "-alpn", "h2,http/1.1"},
			client: []string{"-alpn", "http/1.1,h2"}, want: []string{"ALPN protocol: h2"},
			srvOut: []string{"ALPN protocols advertised by the client: http/1.1, h2\nALPN protocols selected: h2\n"}},
		{name: "alpn-no-overlap", server: []string{"-cert", ec, "-key", eck, "-alpn", "h2"},
			client: []string{"-alpn", "foo"}, want: []string{"no application protocol"}, fail: true},
		{name: "groups", server: []string{"-cert", ec, "-key", eck, "-groups", "P-384"},
			client: nil, want: []string{"Server Temp Key: ECDH, secp384r1, 384 bits"}, srvOut: []string{"Shared groups: secp384r1\n"}},
		{name: "keymatexport", server: []string{"-cert", ec, "-key", eck, "-keymatexport", "EXPERIMENTAL-x", "-keymatexportlen", "16"},
			client: []string{"-keymatexport", "EXPERIMENTAL-x", "-keymatexportlen", "16"},
			want:   []string{"Keying material exporter:", "    Length: 16 bytes"}},
		// DHE on the engine: openssl's automatic 2048-bit group for a
		// 2048-bit RSA key, or -dhparam's.
		{name: "dhe-auto", server: []string{"-cert", rs, "-key", rsk},
			client: []string{"-tls1_2", "-cipher", "DHE-RSA-AES128-GCM-SHA256"},
			want:   []string{"Cipher is DHE-RSA-AES128-GCM-SHA256", "Server Temp Key: DH, 2048 bits"}},
		{name: "dhe-dhparam", server: []string{"-cert", rs, "-key", rsk, "-dhparam", dhFile},
			client: []string{"-tls1_2", "-cipher", "DHE-RSA-AES256-SHA256"},
			want:   []string{"Cipher is DHE-RSA-AES256-SHA256", "Server Temp Key: DH, 3072 bits"},
			srvOut: []string{"Setting temp DH parameters\n"}},
		{name: "rsa-kx-no-etm", server: []string{"-cert", rs, "-key", rsk},
			client: []string{"-tls1_2", "-cipher", "AES128-SHA", "-no_etm"},
			want:   []string{"Cipher is AES128-SHA", "Protocol  : TLSv1.2"}},
		{name: "tls11-default-range-level-0", server: []string{"-cert", ec, "-key", eck, "-cipher", "DEFAULT@SECLEVEL=0"},
			client: []string{"-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"}, want: []string{"Protocol  : TLSv1.1\n"}},
		// openssl 3.0 refuses TLS 1.0 at its default security level (see
		// TestRefusalsLikeOpenSSL); level 0 allows it.
		{name: "tls10-when-asked", server: []string{"-cert", ec, "-key", eck, "-tls1", "-cipher", "DEFAULT@SECLEVEL=0"},
			client: []string{"-tls1", "-cipher", "DEFAULT@SECLEVEL=0"}, want: []string{"Protocol  : TLSv1\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := startServer(t, "", append(tt.server, "-naccept", "1")...)
			out := opensslClientUntil(t, ts.addr, "ping\n", printed(ts.out.String, "ping\n"), tt.client...)
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("openssl s_client output lacks %q:\n%s", w, out)
				}
			}
			if code := ts.wait(10 * time.Second); code != 0 {
				t.Errorf("exit code %d", code)
			}
			so := ts.out.String()
			for _, w := range tt.srvOut {
				if !strings.Contains(so, w) {
					t.Errorf("s_server stdout lacks %q:\n%s", w, so)
				}
			}
			if tt.fail != regexp.MustCompile(`(?m)^[0-9A-F]+:error:0A`).MatchString(ts.err.String()) {
				t.Errorf("handshake failure expected=%v; stderr: %s", tt.fail, ts.err)
			}
			if tt.name == "keymatexport" {
				re := regexp.MustCompile(`Keying material: ([0-9A-F]+)`)
				a, b := re.FindStringSubmatch(out), re.FindStringSubmatch(so)
				if a == nil || b == nil || a[1] != b[1] {
					t.Errorf("exported keying material differs: client %v server %v", a, b)
				}
			}
		})
	}
}

// TestResumption12 runs openssl s_client -reconnect against s_server
// at TLS 1.2: by ticket, and with -no_ticket on either side by session
// ID from the server's cache (each connection has its own engine
// configuration, the cache is the server's).
func TestResumption12(t *testing.T) {
	needTool(t, "openssl")
	ec, eck := writeCert(t, t.TempDir(), "ec", "localhost", false)
	for _, tc := range []struct{ name, server, client string }{
		{"ticket", "", ""}, {"client-no-ticket", "", "-no_ticket"}, {"server-no-ticket", "-no_ticket", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := []string{"-cert", ec, "-key", eck, "-naccept", "6"}
			if tc.server != "" {
				args = append(args, tc.server)
			}
			ts := startServer(t, "", args...)
			cargs := []string{"-tls1_2", "-reconnect"}
			if tc.client != "" {
				cargs = append(cargs, tc.client)
			}
			out := opensslClient(t, ts.addr, "", 0, cargs...)
			if n := strings.Count(out, "Reused, TLSv1.2, Cipher is ECDHE-ECDSA-AES256-GCM-SHA384"); n != 5 {
				t.Errorf("openssl resumed %d times, want 5:\n%s", n, out)
			}
			if code := ts.wait(10 * time.Second); code != 0 {
				t.Errorf("exit code %d", code)
			}
			so := ts.out.String()
			if !strings.Contains(so, "   5 session cache hits\n") {
				t.Errorf("s_server stats lack 5 hits:\n%s", so)
			}
			// openssl s_server says so for each resumption, and prints no
			// shared lists for a TLS 1.2 one (only the first connection's).
			if n, m := strings.Count(so, "\nReused session-id\n"), strings.Count(so, "Shared ciphers:"); n != 5 || m != 1 {
				t.Errorf("s_server printed %d 'Reused session-id' lines (want 5) and %d 'Shared ciphers' (want 1):\n%s", n, m, so)
			}
		})
	}
}

// TestReconnect13: openssl s_client -reconnect at TLS 1.3 hangs up as
// soon as each handshake is done, while s_server sends its tickets: they
// leave in one write, so the client's reset cannot fail the second, and
// every connection is reported and ends in DONE (the close_notify), as
// with openssl s_server, never in ERROR.
func TestReconnect13(t *testing.T) {
	needTool(t, "openssl")
	ec, eck := writeCert(t, t.TempDir(), "ec", "localhost", false)
	ts := startServer(t, "", "-cert", ec, "-key", eck, "-naccept", "6")
	opensslClient(t, ts.addr, "", 0, "-tls1_3", "-reconnect")
	if code := ts.wait(10 * time.Second); code != 0 {
		t.Errorf("exit code %d", code)
	}
	so := ts.out.String()
	if n, d := strings.Count(so, "\nCIPHER is TLS_AES_256_GCM_SHA384\n"), strings.Count(so, "\nDONE\n"); n != 6 || d != 6 || strings.Contains(so, "ERROR") {
		t.Errorf("%d connections reported, %d DONE (want 6 and 6, no ERROR):\n%s", n, d, so)
	}
}

// TestWWWPage checks -www's status page with openssl, curl and gnutls-cli.
func TestWWWPage(t *testing.T) {
	ts := startServer(t, t.TempDir(), "-www")
	check := func(name, page string) {
		for _, want := range []string{"HTTP/1.0 200 ok", "<HTML><BODY BGCOLOR=\"#ffffff\">", "Ciphers supported in s_server binary",
			"Ciphers common between both SSL end points:", "Cipher is ", "SSL-Session:", "server accepts (SSL_accept())",
			"no client certificate available", "</pre></BODY></HTML>"} {
			if !strings.Contains(page, want) {
				t.Errorf("%s: page lacks %q:\n%s", name, want, page)
			}
		}
	}
	t.Run("openssl", func(t *testing.T) {
		needTool(t, "openssl")
		out := opensslClientUntil(t, ts.addr, "GET / HTTP/1.0\r\n\r\n", clientPrinted("</pre></BODY></HTML>"), "-quiet", "-tls1_2")
		check("openssl", out)
		if !strings.Contains(out, "New, TLSv1.2, Cipher is ECDHE-ECDSA-") {
			t.Errorf("page does not report TLS 1.2 ECDHE-ECDSA:\n%s", out)
		}
	})
	out, err := runPeer(t, "", 10*time.Second, "curl", "-sk", "-i", "https://"+ts.addr+"/")
	if err != nil {
		t.Fatalf("curl: %v\n%s", err, out)
	}
	check("curl", out)
	t.Run("gnutls-cli", func(t *testing.T) {
		out, _ := runPeer(t, "GET / HTTP/1.0\r\n\r\n", 10*time.Second, "gnutls-cli", "--insecure", "--port", ts.port(), "127.0.0.1")
		check("gnutls-cli", out)
	})
}

// TestFilesAndTraversal serves files with -WWW and -HTTP and refuses every
// way out of the directory.
func TestFilesAndTraversal(t *testing.T) {
	needTool(t, "curl")
	base := t.TempDir()
	dir := filepath.Join(base, "www")
	os.Mkdir(dir, 0o755)
	os.WriteFile(filepath.Join(base, "secret.txt"), []byte("TOP SECRET\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "a.txt"), []byte("hello file\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "p.html"), []byte("<b>page</b>\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "raw.txt"), []byte("HTTP/1.0 201 Made\r\nX-Raw: 1\r\n\r\nraw body\n"), 0o644)
	os.Symlink(filepath.Join(base, "secret.txt"), filepath.Join(dir, "link.txt"))
	os.Symlink(base, filepath.Join(dir, "up"))
	ts := startServer(t, dir, "-WWW")
	get := func(path string) string {
		out, _ := runPeer(t, "", 10*time.Second, "curl", "-sk", "-i", "--path-as-is", "https://"+ts.addr+path)
		return out
	}
	if out := get("/a.txt"); !strings.Contains(out, "200 ok") || !strings.Contains(out, "Content-type: text/plain") || !strings.Contains(out, "hello file") {
		t.Errorf("/a.txt: %s", out)
	}
	if out := get("/p.html"); !strings.Contains(out, "Content-type: text/html") {
		t.Errorf("/p.html: %s", out)
	}
	if out := get("/missing"); !strings.Contains(out, "404") {
		t.Errorf("/missing: %s", out)
	}
	for _, p := range []string{"/../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E%2Fsecret.txt", "//" + filepath.Join(base, "secret.txt"),
		"/link.txt", "/up/secret.txt", "/a.txt/../../secret.txt", "/..%5csecret.txt"} {
		out := get(p)
		if strings.Contains(out, "TOP SECRET") || strings.Contains(out, " 200 ") {
			t.Errorf("%s was served: %s", p, out)
		}
		if !strings.Contains(out, "403") && !strings.Contains(out, "404") && !strings.Contains(out, "400") {
			t.Errorf("%s: no HTTP error status: %s", p, out)
		}
	}
	// A raw request with an over-long request line is refused.
	c, err := goClient(ts.addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(c, "GET /%s HTTP/1.0\r\n\r\n", strings.Repeat("a", 20000))
	resp, _ := io.ReadAll(io.LimitReader(c, 4096))
	c.Close()
	if !strings.Contains(string(resp), "400") {
		t.Errorf("over-long request line: %q", resp)
	}
	t.Run("gnutls-cli", func(t *testing.T) {
		out, _ := runPeer(t, "GET /a.txt HTTP/1.0\r\n\r\n", 10*time.Second, "gnutls-cli", "--insecure", "--priority", "NORMAL:-VERS-ALL:+VERS-TLS1.2", "--port", ts.port(), "127.0.0.1")
		if !strings.Contains(out, "(TLS1.2-") || !strings.Contains(out, "hello file") {
			t.Errorf("gnutls-cli TLS 1.2 -WWW: %s", out)
		}
	})
	// -HTTP sends the file as it is.
	ts2 := startServer(t, "", "-HTTP")
	out, _ := runPeer(t, "", 10*time.Second, "curl", "-sk", "-i", "https://"+ts2.addr+"/raw.txt")
	if !strings.Contains(out, "HTTP/1.0 201 Made") || !strings.Contains(out, "X-Raw: 1") || !strings.Contains(out, "raw body") {
		t.Errorf("-HTTP: %s", out)
	}
}

// TestRev checks -rev with openssl s_client.
func TestRev(t *testing.T) {
	ts := startServer(t, t.TempDir(), "-rev", "-naccept", "1")
	out := opensslClientUntil(t, ts.addr, "hello world\nabc\nCLOSE\n", clientPrinted("dlrow olleh\ncba\n"), "-quiet")
	if !strings.Contains(out, "dlrow olleh\ncba\n") {
		t.Errorf("reversed lines missing: %q", out)
	}
	ts.wait(10 * time.Second)
	if e := ts.err.String(); !strings.Contains(e, "CONNECTION ESTABLISHED\nProtocol version: TLSv1.3\n") || !strings.Contains(e, "CONNECTION CLOSED") {
		t.Errorf("stderr: %s", e)
	}
}

// TestConcurrentWWW: 200 clients at once in -www are all served while one
// client stalls in the middle of its handshake and another sends garbage.
func TestConcurrentWWW(t *testing.T) {
	ts := startServer(t, t.TempDir(), "-www")
	stall, err := net.Dial("tcp", ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer stall.Close()
	stall.Write([]byte{0x16, 0x03, 0x01, 0x02, 0x00, 0x01}) // a ClientHello that never finishes
	garbage, err := net.Dial("tcp", ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	garbage.Write([]byte("GET / HTTP/1.0\r\n\r\n"))
	garbage.Close()

	const n = 200
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := goClient(ts.addr, nil)
			if err != nil {
				errs <- err
				return
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(20 * time.Second))
			io.WriteString(c, "GET / HTTP/1.0\r\n\r\n")
			body, err := io.ReadAll(c)
			if err != nil && len(body) == 0 {
				errs <- err
				return
			}
			if !strings.Contains(string(body), "Ciphers common between both SSL end points") {
				errs <- fmt.Errorf("bad page: %.200q", body)
			}
		}()
	}
	wg.Wait()
	close(errs)
	failed := 0
	for err := range errs {
		if failed < 3 {
			t.Error(err)
		}
		failed++
	}
	if failed > 0 {
		t.Errorf("%d of %d clients failed", failed, n)
	}
}

// TestNaccept: -naccept counts connections in the concurrent modes too, and
// the server then exits 0 after printing its statistics.
func TestNaccept(t *testing.T) {
	ts := startServer(t, t.TempDir(), "-www", "-naccept", "2")
	for i := 0; i < 2; i++ {
		c, err := goClient(ts.addr, nil)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(c, "GET / HTTP/1.0\r\n\r\n")
		io.ReadAll(c)
		c.Close()
	}
	if code := ts.wait(10 * time.Second); code != 0 {
		t.Errorf("exit code %d", code)
	}
	if !strings.Contains(ts.out.String(), "   2 server accepts that finished\n") {
		t.Errorf("stats: %s", ts.out)
	}
}

// TestSNI: -servername with -cert2 switches certificates; -servername_fatal
// refuses other names with an unrecognized_name alert.
func TestSNI(t *testing.T) {
	needTool(t, "openssl")
	dir := t.TempDir()
	c1, k1 := writeCert(t, dir, "one", "localhost", false)
	c2, k2 := writeCert(t, dir, "two", "other.example", false)
	ts := startServer(t, "", "-cert", c1, "-key", k1, "-cert2", c2, "-key2", k2, "-servername", "other.example", "-naccept", "2")
	out := opensslClientUntil(t, ts.addr, "", clientPrinted("CN = other.example"), "-servername", "other.example")
	if !strings.Contains(out, "CN = other.example") {
		t.Errorf("SNI did not switch certificate:\n%s", out)
	}
	out = opensslClientUntil(t, ts.addr, "", clientPrinted("CN = localhost"), "-servername", "nope.example")
	if !strings.Contains(out, "CN = localhost") {
		t.Errorf("other name did not get the main certificate:\n%s", out)
	}
	ts.wait(10 * time.Second)
	if so := ts.out.String(); !strings.Contains(so, "Hostname in TLS extension: \"other.example\"\nSwitching server context.\n") {
		t.Errorf("stdout: %s", so)
	}
	ts2 := startServer(t, "", "-cert", c1, "-key", k1, "-cert2", c2, "-key2", k2, "-servername", "other.example", "-servername_fatal", "-naccept", "1")
	out = opensslClientUntil(t, ts2.addr, "", clientPrinted("unrecognized name"), "-servername", "nope.example")
	if !strings.Contains(out, "unrecognized name") {
		t.Errorf("-servername_fatal did not refuse:\n%s", out)
	}
}

// TestClientAuth: -Verify requires a client certificate, verifies it and
// prints it; a client without one is refused.
func TestClientAuth(t *testing.T) {
	needTool(t, "openssl")
	dir := t.TempDir()
	sc, sk := writeCert(t, dir, "srv", "localhost", false)
	cc, ck := writeCert(t, dir, "cli", "client", false)
	ts := startServer(t, "", "-cert", sc, "-key", sk, "-Verify", "2", "-CAfile", cc, "-naccept", "2")
	out := opensslClientUntil(t, ts.addr, "hi\n", printed(ts.out.String, "hi\n"), "-cert", cc, "-key", ck)
	if !strings.Contains(out, "Verify return code") {
		t.Fatalf("client: %s", out)
	}
	testpeer.WaitOutput(t, ts.out.String, "hi\n", 5*time.Second)
	out = opensslClientUntil(t, ts.addr, "", printed(ts.err.String, ":tls_process_client_certificate:peer did not return a certificate:"))
	// Under TLS 1.3 the client may finish before the server's alert
	// arrives, so the refusal is checked on the server's side too.
	testpeer.WaitOutput(t, ts.err.String, ":tls_process_client_certificate:peer did not return a certificate:", 5*time.Second)
	if !strings.Contains(out, "alert certificate required") && !strings.Contains(out, "handshake failure") && !strings.Contains(ts.err.String(), "certificate") {
		t.Errorf("client without certificate was not refused:\n%s\nserver stderr:\n%s", out, ts.err)
	}
	ts.wait(10 * time.Second)
	so, se := ts.out.String(), ts.err.String()
	for _, w := range []string{"Client certificate\n-----BEGIN CERTIFICATE-----", "subject=CN = client\nissuer=CN = client\n",
		"Peer signing digest: SHA256\nPeer signature type: ECDSA\n"} {
		if !strings.Contains(so, w) {
			t.Errorf("stdout lacks %q:\n%s", w, so)
		}
	}
	for _, w := range []string{"verify depth is 2, must return a certificate\n", "depth=0 CN = client\nverify return:1\n"} {
		if !strings.Contains(se, w) {
			t.Errorf("stderr lacks %q:\n%s", w, se)
		}
	}
}

// TestInteractive drives the default mode: stdin lines reach the client,
// q ends a connection, Q ends the server.
func TestInteractive(t *testing.T) {
	ts := startServer(t, t.TempDir())
	c, err := goClient(ts.addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(c, "from client\n")
	testpeer.WaitOutput(t, ts.out.String, "from client\n", 5*time.Second)
	io.WriteString(ts.stdin, "from server\n")
	line, err := bufio.NewReader(c).ReadString('\n')
	if line != "from server\n" {
		t.Errorf("client read %q, %v", line, err)
	}
	io.WriteString(ts.stdin, "S\n")
	testpeer.WaitOutput(t, ts.out.String, "   1 server accepts that finished\n", 5*time.Second)
	// TLS 1.3 has no renegotiation: openssl's SSL_renegotiate fails
	// quietly and SSL_do_handshake says 1.
	io.WriteString(ts.stdin, "r\n")
	testpeer.WaitOutput(t, ts.out.String, "SSL_do_handshake -> 1\n", 5*time.Second)
	io.WriteString(ts.stdin, "q\n")
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.ReadAll(c); err != nil {
		t.Errorf("q: connection not closed: %v", err)
	}
	c.Close()
	// openssl prints DONE for q, then its closing lines (held in its
	// stdout buffer until the next flush).
	testpeer.WaitOutput(t, ts.out.String, "DONE\nshutting down SSL\nCONNECTION CLOSED\n", 5*time.Second)
	c2, err := goClient(ts.addr, &tls.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	io.WriteString(c2, "second\n")
	testpeer.WaitOutput(t, ts.out.String, "second\n", 5*time.Second)
	// P writes plain text under TLS: the client sees a broken record.
	io.WriteString(ts.stdin, "P\n")
	c2.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := c2.Read(make([]byte, 10)); err == nil || strings.Contains(err.Error(), "timeout") {
		t.Errorf("P: client read err %v, want a record error", err)
	}
	// The client's alert ends that session; Q is read during the next one,
	// as openssl reads stdin only while a client is connected.
	testpeer.WaitOutputCount(t, ts.out.String, "CONNECTION CLOSED\n", 2, 5*time.Second)
	c3, err := goClient(ts.addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c3.Close()
	testpeer.WaitOutputCount(t, ts.out.String, "CIPHER is", 3, 5*time.Second)
	io.WriteString(ts.stdin, "Q\n")
	if code := ts.wait(10 * time.Second); code != 0 {
		t.Errorf("Q: exit code %d", code)
	}
	if !strings.Contains(ts.err.String(), "shutdown accept socket") {
		t.Errorf("stderr: %s", ts.err)
	}
}

// TestStdinEOFEndsServer: end of stdin during a connection ends the server,
// as openssl's does.
func TestStdinEOFEndsServer(t *testing.T) {
	ts := startServer(t, t.TempDir())
	c, err := goClient(ts.addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ts.stdin.Close()
	if code := ts.wait(10 * time.Second); code != 0 {
		t.Errorf("exit code %d", code)
	}
	if !strings.Contains(ts.out.String(), "DONE\nshutting down SSL\nCONNECTION CLOSED\n") {
		t.Errorf("stdout: %s", ts.out)
	}
}

// TestUnixSocket listens on a unix socket.
func TestUnixSocket(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "s.sock")
	os.WriteFile(sock, nil, 0o600) // a stale non-socket file is left alone
	os.Remove(sock)
	ctxTS := startServer(t, dir, "-unix", sock, "-www", "-naccept", "1")
	_ = ctxTS
	raw, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	c := tls.Client(raw, &tls.Config{InsecureSkipVerify: true})
	io.WriteString(c, "GET / HTTP/1.0\r\n\r\n")
	body, _ := io.ReadAll(c)
	c.Close()
	if !strings.Contains(string(body), "Ciphers common") {
		t.Errorf("page over unix socket: %.300q", body)
	}
	ctxTS.wait(10 * time.Second)
	if !strings.Contains(ctxTS.out.String(), "ACCEPT localhost:"+sock) {
		t.Errorf("stdout: %s", ctxTS.out)
	}
	if _, err := os.Stat(sock); err == nil {
		t.Errorf("socket file not removed at exit")
	}
}

// TestZeroConfigCurl: curl trusts the generated certificate with --cacert
// and checks the name localhost and the address 127.0.0.1 in it.
func TestZeroConfigCurl(t *testing.T) {
	needTool(t, "curl")
	ts := startServer(t, t.TempDir(), "-www")
	m := regexp.MustCompile(`certificate written to (\S+) `).FindStringSubmatch(ts.err.String())
	if m == nil {
		t.Fatalf("no zero-config notice: %q", ts.err)
	}
	for _, url := range []string{"https://localhost:" + ts.port() + "/", "https://127.0.0.1:" + ts.port() + "/"} {
		out, err := runPeer(t, "", 10*time.Second, "curl", "-sS", "--cacert", m[1], url)
		if err != nil || !strings.Contains(out, "Ciphers common between both SSL end points") {
			t.Errorf("curl --cacert %s %s: %v\n%s", m[1], url, err, out)
		}
	}
}
