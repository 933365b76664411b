package sclient

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/testpeer"
)

// TestEarlyData sends -early_data's file as 0-RTT data to openssl
// s_server, resuming a session saved by -sess_out: accepted by
// -early_data (the server prints it as early data), rejected when the
// same ticket comes again (openssl's anti-replay gives it a full
// handshake) or when the server does not read early data, not sent when
// the ticket allows none, refused when the file is larger than the
// ticket allows (openssl's "Error writing early data").
func TestEarlyData(t *testing.T) {
	pki := testpeer.NewPKI(t)
	dir := t.TempDir()
	early, big := filepath.Join(dir, "early.txt"), filepath.Join(dir, "big.txt")
	os.WriteFile(early, []byte("zero rtt\n"), 0o600)
	os.WriteFile(big, make([]byte, 200), 0o600)
	session := func(t *testing.T, srv *testpeer.Server, wantMax string) string {
		t.Helper()
		sess := filepath.Join(t.TempDir(), "sess.pem")
		out, errs, code := runClient(t, "", "-connect", srv.Addr, "-sess_out", sess)
		if code != 0 {
			t.Fatalf("exit %d\n%s\n%s", code, out, errs)
		}
		mustMatch(t, "stdout", out, `(?m)^    Max Early Data: `+wantMax+`$`)
		return sess
	}
	server := func(t *testing.T, args ...string) *testpeer.Server {
		return testpeer.OpenSSLServer(t, append([]string{"-cert", pki.ECServer, "-key", pki.ECServerKey}, args...)...)
	}

	t.Run("accepted, then replayed", func(t *testing.T) {
		srv := server(t, "-early_data")
		sess := session(t, srv, "16384")
		out, errs, code := runClient(t, "", "-connect", srv.Addr, "-sess_in", sess, "-early_data", early)
		if code != 0 {
			t.Fatalf("exit %d\n%s\n%s", code, out, errs)
		}
		mustMatch(t, "stdout", out, `(?m)^Reused, TLSv1\.3, `, `(?m)^No ALPN negotiated\nEarly data was accepted\nVerify return code: `)
		// openssl writes the data unbuffered and its own lines through
		// a buffer: through a pipe they come out of order.
		for _, w := range []string{"Early data received:\n", "zero rtt\n", "\nEnd of early data\n"} {
			waitOutput(t, srv, w)
		}
		out, errs, code = runClient(t, "", "-connect", srv.Addr, "-sess_in", sess, "-early_data", early)
		if code != 0 {
			t.Fatalf("exit %d\n%s\n%s", code, out, errs)
		}
		mustMatch(t, "stdout", out, `(?m)^New, TLSv1\.3, `, `(?m)^Early data was rejected$`)
		waitOutput(t, srv, "Early data was rejected\n")
	})

	t.Run("server does not read early data", func(t *testing.T) {
		srv := server(t, "-max_early_data", "100")
		sess := session(t, srv, "100")
		out, errs, code := runClient(t, "", "-connect", srv.Addr, "-sess_in", sess, "-early_data", early)
		if code != 0 {
			t.Fatalf("exit %d\n%s\n%s", code, out, errs)
		}
		mustMatch(t, "stdout", out, `(?m)^Reused, TLSv1\.3, `, `(?m)^Early data was rejected$`)

		// 200 bytes where the ticket allows 100: openssl's client gives
		// up before the handshake with internal_error.
		out, errs, code = runClient(t, "", "-connect", srv.Addr, "-sess_in", session(t, srv, "100"), "-early_data", big)
		if code != 1 {
			t.Fatalf("exit %d\n%s\n%s", code, out, errs)
		}
		mustMatch(t, "stderr", errs, `(?m)^Error writing early data\n[0-9A-F]+:error:0A0000A4:SSL routines:early_data_count_ok:too much early data:`)
		// Only the ClientHello went out: openssl reports the session it
		// set (its certificate, not a chain), "New", the data rejected.
		mustMatch(t, "stdout", out, `^CONNECTED\([0-9A-F]+\)\n---\nServer certificate\n-----BEGIN CERTIFICATE-----\n`,
			`(?m)^SSL handshake has read 0 bytes and written [1-9][0-9]* bytes\n`,
			`(?m)^New, TLSv1\.3, Cipher is TLS_AES_256_GCM_SHA384\nServer public key is 256 bit\n`, `(?m)^Early data was rejected$`)
		waitOutput(t, srv, "tlsv1 alert internal error")
	})

	t.Run("ticket allows none", func(t *testing.T) {
		srv := server(t)
		sess := session(t, srv, "0")
		out, errs, code := runClient(t, "", "-connect", srv.Addr, "-sess_in", sess, "-early_data", early)
		if code != 0 {
			t.Fatalf("exit %d\n%s\n%s", code, out, errs)
		}
		mustMatch(t, "stdout", out, `(?m)^Reused, TLSv1\.3, `, `(?m)^Early data was not sent$`)
	})

	t.Run("openssl's session file", func(t *testing.T) {
		// A session openssl s_client saved carries max_early_data too.
		srv := server(t, "-early_data")
		sess := filepath.Join(t.TempDir(), "sess.pem")
		// openssl s_client keeps its input open until the ticket is
		// saved: at end of input it would leave before the ticket came.
		cmd := exec.Command(testpeer.Need(t, "openssl"), "s_client", "-connect", srv.Addr, "-sess_out", sess)
		in, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
			if fi, err := os.Stat(sess); err == nil && fi.Size() > 0 {
				break
			}
		}
		in.Close()
		cmd.Wait()
		if fi, err := os.Stat(sess); err != nil || fi.Size() == 0 {
			t.Fatal("openssl s_client saved no session")
		}
		out, errs, code := runClient(t, "", "-connect", srv.Addr, "-sess_in", sess, "-early_data", early)
		if code != 0 {
			t.Fatalf("exit %d\n%s\n%s", code, out, errs)
		}
		mustMatch(t, "stdout", out, `(?m)^Reused, TLSv1\.3, `, `(?m)^Early data was accepted$`)
		waitOutput(t, srv, "zero rtt\n")
	})

	t.Run("gnutls-serv", func(t *testing.T) {
		// gnutls-serv checks the ticket's age: a session file keeps the
		// receipt time in seconds, and the age claimed from it must not
		// exceed the real one.
		srv := testpeer.GnuTLSServer(t, "--x509certfile", pki.ECServer, "--x509keyfile", pki.ECServerKey, "--earlydata")
		sess := filepath.Join(t.TempDir(), "sess.pem")
		if out, errs, code := runClient(t, "", "-connect", srv.Addr, "-sess_out", sess); code != 0 {
			t.Fatalf("exit %d\n%s\n%s", code, out, errs)
		}
		out, errs, code := runClient(t, "", "-connect", srv.Addr, "-sess_in", sess, "-early_data", early)
		if code != 0 {
			t.Fatalf("exit %d\n%s\n%s", code, out, errs)
		}
		mustMatch(t, "stdout", out, `(?m)^Reused, TLSv1\.3, `, `(?m)^Early data was accepted$`)
	})

	t.Run("unreadable file", func(t *testing.T) {
		// openssl opens the file once connected, and only when the
		// session allows early data: it then reports the session it set
		// and exits 1; otherwise the file is never opened.
		srv := server(t, "-max_early_data", "100")
		missing := filepath.Join(dir, "missing")
		out, errs, code := runClient(t, "", "-connect", srv.Addr, "-early_data", missing)
		if code != 0 || strings.Contains(errs, "early data") {
			t.Fatalf("without a session: exit %d\n%s\n%s", code, out, errs)
		}
		out, errs, code = runClient(t, "", "-connect", srv.Addr, "-sess_in", session(t, srv, "100"), "-early_data", missing)
		if code != 1 {
			t.Fatalf("exit %d\n%s\n%s", code, out, errs)
		}
		mustMatch(t, "stderr", errs, `^Cannot open early data file\n$`)
		mustMatch(t, "stdout", out, `^CONNECTED\([0-9A-F]+\)\n---\nServer certificate\n-----BEGIN CERTIFICATE-----\n`,
			`(?m)^SSL handshake has read 0 bytes and written 0 bytes\n`,
			`(?m)^New, TLSv1\.3, Cipher is TLS_AES_256_GCM_SHA384\nServer public key is 256 bit\n`, `(?m)^Early data was not sent$`)
	})
}

// TestEarlyDataState: -state with -early_data shows openssl's early data
// states: the ChangeCipherSpec right after the ClientHello, "TLSv1.3 early
// data" twice instead of the second "write client hello", and after the
// server's Finished "TLSv1.3 pending early data end", then "write end of
// early data" when the server took the data; a server that cannot resume
// the session (another openssl s_server) rejects it, and the pending line
// still comes.
func TestEarlyDataState(t *testing.T) {
	pki := testpeer.NewPKI(t)
	srv := testpeer.OpenSSLServer(t, "-cert", pki.Server, "-key", pki.ServerKey, "-early_data")
	other := testpeer.OpenSSLServer(t, "-cert", pki.Server, "-key", pki.ServerKey, "-early_data")
	data := filepath.Join(t.TempDir(), "early.txt")
	os.WriteFile(data, []byte("GET /early\n"), 0o644)
	keep := regexp.MustCompile(`^SSL_connect:`)
	upToFinished := func(s string) string {
		s = pick(s, keep)
		if i := strings.Index(s, "SSL_connect:SSLv3/TLS write finished"); i >= 0 {
			return s[:i]
		}
		return s
	}
	for _, addr := range []string{srv.Addr, other.Addr} {
		var got [2]string
		for i := range got {
			// A fresh session each time: openssl s_server takes a ticket's
			// early data once.
			sess := filepath.Join(t.TempDir(), "sess.pem")
			if _, errs, code := runClient(t, "", "-connect", srv.Addr, "-sess_out", sess); code != 0 {
				t.Fatalf("exit %d\n%s", code, errs)
			}
			args := []string{"-connect", addr, "-sess_in", sess, "-early_data", data, "-state"}
			if i == 0 {
				// Its input ends once the states compared are printed.
				_, got[i], _ = opensslHeld(t, func(_, errs string) bool {
					return strings.Contains(errs, "SSL_connect:SSLv3/TLS write finished\n")
				}, args...)
			} else {
				_, got[i], _ = runClient(t, "", args...)
			}
		}
		o, g := upToFinished(got[0]), upToFinished(got[1])
		if o != g || !strings.Contains(g, "TLSv1.3 pending early data end") {
			t.Errorf("openssl:\n%s\ntlskit:\n%s", o, g)
		}
	}
}

// TestEarlyDataInconsistentSession: -early_data under a session that this
// connection would not continue fails before the ClientHello as openssl
// s_client 3.0 fails (stdout, stderr and exit code 1 compared with
// openssl's on the same session file, its own and tlskit's): another
// -servername than the name the server acknowledged for the session, or
// none ("inconsistent early data sni"), and an -alpn list without the
// session's protocol, or none ("inconsistent early data alpn"). A name the
// server did not acknowledge binds nothing: both clients' data is then
// accepted under another.
func TestEarlyDataInconsistentSession(t *testing.T) {
	pki := testpeer.NewPKI(t)
	dir := t.TempDir()
	early := filepath.Join(dir, "early.txt")
	os.WriteFile(early, []byte("zero rtt\n"), 0o600)
	keys := []string{"-cert", pki.ECServer, "-key", pki.ECServerKey, "-early_data"}
	alpnSrv := testpeer.OpenSSLServer(t, append(keys, "-alpn", "foo,bar")...)
	sniSrv := testpeer.OpenSSLServer(t, append(keys, "-servername", "example.com", "-cert2", pki.ECServer, "-key2", pki.ECServerKey)...)
	volatile := regexp.MustCompile(`(?m)^CONNECTED\([0-9A-F]+\)|^[0-9A-F]+:error:|:[^:\n]*:[0-9]+:$`)
	sessions := func(t *testing.T, name, addr string, args ...string) []string {
		t.Helper()
		o, g := filepath.Join(dir, name+"-openssl.pem"), filepath.Join(dir, name+"-tlskit.pem")
		args = append([]string{"-connect", addr, "-tls1_3"}, args...)
		opensslHeld(t, sessionSaved(o), append(args, "-sess_out", o)...)
		runClient(t, "", append(args, "-sess_out", g)...)
		return []string{o, g}
	}
	for _, tc := range []struct {
		name, addr string
		first      []string // the session's handshake
		then       []string // the early data's
		reason     string
	}{
		{"alpn-other", alpnSrv.Addr, []string{"-alpn", "foo"}, []string{"-alpn", "bar"}, "inconsistent early data alpn"},
		{"alpn-none", alpnSrv.Addr, []string{"-alpn", "foo"}, nil, "inconsistent early data alpn"},
		{"sni-other", sniSrv.Addr, []string{"-servername", "example.com"}, []string{"-servername", "other.com"}, "inconsistent early data sni"},
		{"sni-none", sniSrv.Addr, []string{"-servername", "example.com"}, nil, "inconsistent early data sni"},
		{"sni-and-alpn", sniSrv.Addr, []string{"-servername", "example.com"}, []string{"-noservername", "-alpn", "x"}, "inconsistent early data sni"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, sess := range sessions(t, tc.name, tc.addr, tc.first...) {
				args := append([]string{"-connect", tc.addr, "-tls1_3", "-sess_in", sess, "-early_data", early}, tc.then...)
				oOut, oErr, oCode := testpeer.Run(t, 20*time.Second, "", "openssl", append([]string{"s_client"}, args...)...)
				tOut, tErr, tCode := runClient(t, "", args...)
				if !strings.Contains(oErr, "Error writing early data\n") || !strings.Contains(oErr, ":"+tc.reason+":") {
					t.Fatalf("%s: openssl's own failure is not the one measured (exit %d):\n%s", filepath.Base(sess), oCode, oErr)
				}
				o, g := volatile.ReplaceAllString(oOut+oErr, "V"), volatile.ReplaceAllString(tOut+tErr, "V")
				if o != g || oCode != tCode {
					t.Errorf("%s: openssl (exit %d):\n%s\ntlskit (exit %d):\n%s", filepath.Base(sess), oCode, o, tCode, g)
				}
			}
		})
	}
	t.Run("name not acknowledged", func(t *testing.T) {
		// alpnSrv acknowledges no name: each client's own session, under
		// another name, takes the data.
		s := sessions(t, "unacknowledged", alpnSrv.Addr, "-alpn", "foo", "-servername", "example.com")
		args := []string{"-connect", alpnSrv.Addr, "-tls1_3", "-alpn", "foo", "-servername", "other.com", "-early_data", early}
		oOut, oErr, _ := testpeer.Run(t, 20*time.Second, "", "openssl", append([]string{"s_client", "-sess_in", s[0]}, args...)...)
		tOut, tErr, _ := runClient(t, "", append([]string{"-sess_in", s[1]}, args...)...)
		mustMatch(t, "openssl's stdout", oOut+oErr, `(?m)^Reused, TLSv1\.3, `, `(?m)^Early data was accepted$`)
		mustMatch(t, "tlskit's stdout", tOut+tErr, `(?m)^Reused, TLSv1\.3, `, `(?m)^Early data was accepted$`)
	})
}
