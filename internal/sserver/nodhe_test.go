package sserver

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestNoDHELikeOpenSSL: under -no_dhe openssl s_server 3.0 sets no DH
// group, neither -dhparam's (not even read) nor the automatic one, and
// says nothing about DH at start-up; a client offering only DHE suites
// gets handshake_failure ("no shared cipher"), one offering DHE first
// gets the ECDHE suite it offers next, and TLS 1.3's ffdhe groups still
// work. "Shared ciphers" still lists the DHE suites. Both servers'
// stdout (the session's PEM aside) and stderr are compared, and the
// client's verdict lines.
func TestNoDHELikeOpenSSL(t *testing.T) {
	needTool(t, "openssl")
	dir := t.TempDir()
	rsa, rsak := writeCert(t, dir, "rsa", "localhost", true)
	bad := filepath.Join(dir, "bad.pem")
	if err := os.WriteFile(bad, []byte("garbage\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	verdict := regexp.MustCompile(`(?m)^New, .*|^Server Temp Key: .*|:error:[0-9A-F]{8}:SSL routines:[^:]*:[^:]*`)
	for _, tc := range []struct {
		name   string
		server []string
		client []string
		fails  bool
		want   string // in the client's output
	}{
		{name: "dhe-only", server: []string{"-no_dhe"}, client: []string{"-tls1_2", "-cipher", "DHE-RSA-AES128-GCM-SHA256"},
			fails: true, want: "New, (NONE), Cipher is (NONE)"},
		{name: "dhe-only-dhparam", server: []string{"-no_dhe", "-dhparam", bad}, client: []string{"-tls1_2", "-cipher", "DHE-RSA-AES128-GCM-SHA256"},
			fails: true, want: "New, (NONE), Cipher is (NONE)"},
		{name: "dhe-then-ecdhe", server: []string{"-no_dhe"}, client: []string{"-tls1_2", "-cipher", "DHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256"},
			want: "New, TLSv1.2, Cipher is ECDHE-RSA-AES128-GCM-SHA256"},
		{name: "tls13-ffdhe2048", server: []string{"-no_dhe", "-groups", "ffdhe2048"}, client: []string{"-groups", "ffdhe2048"},
			want: "Server Temp Key: DH, 2048 bits"},
		{name: "default-client", server: []string{"-no_dhe"}, client: nil, want: "New, TLSv1.3, Cipher is TLS_AES_256_GCM_SHA384"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"-cert", rsa, "-key", rsak, "-naccept", "1"}, tc.server...)
			var clients []string
			drive := func(addr string, out func() string) {
				if tc.fails {
					clients = append(clients, opensslClientUntil(t, addr, "", nil, tc.client...))
					return
				}
				clients = append(clients, opensslClientUntil(t, addr, "hello\n", printed(out, "hello\n"), tc.client...))
			}
			gotOut, gotErr, wantOut, wantErr := bothServers(t, dir, args, drive)
			if got, want := dropSessionPEM(gotOut), dropSessionPEM(wantOut); got != want {
				t.Errorf("stdout:\n%s\nopenssl's:\n%s", got, want)
			}
			if got, want := normalizeErrLines(gotErr), normalizeErrLines(wantErr); got != want {
				t.Errorf("stderr:\n%s\nopenssl's:\n%s", got, want)
			}
			if strings.Contains(gotOut, "DH parameters") {
				t.Errorf("tlskit printed a DH line:\n%s", gotOut)
			}
			if len(clients) != 2 {
				t.Fatalf("%d clients", len(clients))
			}
			tlskitV, opensslV := verdict.FindAllString(clients[1], -1), verdict.FindAllString(clients[0], -1)
			if got, want := strings.Join(tlskitV, "\n"), strings.Join(opensslV, "\n"); got != want || !strings.Contains(got, tc.want) {
				t.Errorf("client against tlskit:\n%s\nagainst openssl (want %q):\n%s", got, tc.want, want)
			}
		})
	}
}

// dropSessionPEM removes the serialized session, new with each run, and
// the listening line with its port.
func dropSessionPEM(s string) string {
	var keep []string
	in := false
	for _, l := range strings.Split(s, "\n") {
		switch {
		case l == "-----BEGIN SSL SESSION PARAMETERS-----":
			in = true
		case l == "-----END SSL SESSION PARAMETERS-----":
			in = false
		case !in && !strings.HasPrefix(l, "ACCEPT"):
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}
