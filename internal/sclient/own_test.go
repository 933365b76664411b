package sclient

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/tlskit/tlskit/internal/testpeer"
)

// TestEngineOptions runs the options of the engine (TLS
// 1.3) against openssl s_server, checking what tlskit printed and what
// the server saw (-trace, -tlsextdebug and its report).
func TestEngineOptions(t *testing.T) {
	pki := testpeer.NewPKI(t)
	runClientTests(t, pki, []clientTest{
		{name: "sigalgs", server: []string{"-trace"}, args: []string{"-tls1_3", "-sigalgs", "rsa_pss_rsae_sha384:ecdsa_secp256r1_sha256"},
			wantOut:    []string{`(?m)^Peer signing digest: SHA384$`, `(?m)^Peer signature type: RSA-PSS$`, `(?m)^New, TLSv1\.3, `},
			serverSees: []string{"extension_type=signature_algorithms(13), length=6\n          rsa_pss_rsae_sha384 (0x0805)\n          ecdsa_secp256r1_sha256 (0x0403)\n"}},
		{name: "sigalgs-ecdsa", ecdsa: true, args: []string{"-tls1_3", "-sigalgs", "ECDSA+SHA256:ECDSA+SHA384"},
			wantOut: []string{`(?m)^Peer signing digest: SHA256$`, `(?m)^Peer signature type: ECDSA$`}},
		{name: "sigalgs-none-fits", args: []string{"-tls1_3", "-sigalgs", "ECDSA+SHA256"}, wantCode: 1,
			wantErr: []string{`:SSL routines:ssl3_read_bytes:sslv3 alert handshake failure:.*SSL alert number 40`}},
		{name: "ciphersuites-ccm", server: []string{"-ciphersuites", "TLS_AES_128_CCM_SHA256:TLS_AES_256_GCM_SHA384"},
			args:       []string{"-tls1_3", "-ciphersuites", "TLS_AES_128_CCM_SHA256"},
			wantOut:    []string{`(?m)^New, TLSv1\.3, Cipher is TLS_AES_128_CCM_SHA256$`},
			serverSees: []string{"CIPHER is TLS_AES_128_CCM_SHA256"}},
		{name: "ciphersuites-order", server: []string{"-ciphersuites", "TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256"},
			args:       []string{"-ciphersuites", "TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256"},
			wantOut:    []string{`(?m)^New, TLSv1\.3, Cipher is TLS_CHACHA20_POLY1305_SHA256$`},
			serverSees: []string{"CIPHER is TLS_CHACHA20_POLY1305_SHA256"}},
		{name: "x448", args: []string{"-tls1_3", "-groups", "x448"},
			wantOut:    []string{`(?m)^Server Temp Key: X448, 448 bits$`},
			serverSees: []string{"Shared groups: x448"}},
		{name: "servername-ip", server: []string{"-tlsextdebug"}, args: []string{"-tls1_3", "-servername", "127.0.0.1"},
			wantOut:    []string{`(?m)^New, TLSv1\.3, `},
			serverSees: []string{"TLS client extension \"server name\" (id=0), len=14\n0000 - 00 0c 00 00 09 31 32 37-2e 30 2e 30 2e 31         .....127.0.0.1"}},
		{name: "psk", server: []string{"-psk", "1a2b3c4d"}, args: []string{"-tls1_3", "-psk", "1a2b3c4d", "-ciphersuites", "TLS_AES_128_GCM_SHA256"},
			wantOut:    []string{`(?m)^Reused, TLSv1\.3, Cipher is TLS_AES_128_GCM_SHA256$`, `(?m)^no peer certificate available$`},
			serverSees: []string{"Reused session-id"}},
		{name: "psk-identity-mismatch", server: []string{"-psk", "1a2b3c4d", "-psk_identity", "other"},
			args:       []string{"-tls1_3", "-psk", "1a2b3c4d", "-ciphersuites", "TLS_AES_128_GCM_SHA256"},
			wantOut:    []string{`(?m)^New, TLSv1\.3, Cipher is TLS_AES_128_GCM_SHA256$`},
			serverSees: []string{"CIPHER is TLS_AES_128_GCM_SHA256"}},
		{name: "record-padding", server: []string{"-trace"}, args: []string{"-tls1_3", "-record_padding", "512"},
			// The client's Finished: 512 bytes of padded plaintext and
			// a 16-byte tag.
			wantOut: []string{`(?m)^New, TLSv1\.3, `}, serverSees: []string{"Received Record\nHeader:\n  Version = TLS 1.2 (0x303)\n  Content Type = ApplicationData (23)\n  Length = 528\n"}},
		// -max_send_frag 512: 1501 bytes of data go as 512-byte records
		// (TLS 1.3: 512 + content type + 16-byte tag; TLS 1.2 GCM: 512 +
		// 8-byte explicit nonce + tag); without it one record.
		{name: "max-send-frag-13", server: []string{"-trace"}, args: []string{"-tls1_3", "-max_send_frag", "512"}, stdin: strings.Repeat("x", 1500) + "\n",
			wantOut: []string{`(?m)^New, TLSv1\.3, `}, serverSees: []string{"Content Type = ApplicationData (23)\n  Length = 529\n", "Content Type = ApplicationData (23)\n  Length = 494\n"}},
		{name: "max-send-frag-12", server: []string{"-trace"}, args: []string{"-tls1_2", "-max_send_frag", "512", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256"}, stdin: strings.Repeat("x", 1500) + "\n",
			wantOut: []string{`(?m)^New, TLSv1\.2, `}, serverSees: []string{"Content Type = ApplicationData (23)\n  Length = 536\n"}},
		// -maxfraglen 512: offered after server_name, echoed by openssl
		// s_server, and then the client's records carry 512 bytes at
		// most (TLS 1.3: 529 with content type and tag).
		{name: "maxfraglen-13", server: []string{"-trace"}, args: []string{"-tls1_3", "-maxfraglen", "512", "-trace"}, stdin: strings.Repeat("x", 1500) + "\n",
			wantOut: []string{`(?m)^New, TLSv1\.3, `, `EncryptedExtensions, Length=\d+\n      extensions, length = \d+\n        extension_type=max_fragment_length\(1\), length=1\n          max_fragment_length := 2\^9 \(512 bytes\) \(1\)\n`}, serverSees: []string{"extension_type=max_fragment_length(1), length=1\n          max_fragment_length := 2^9 (512 bytes) (1)\n",
				"Content Type = ApplicationData (23)\n  Length = 529\n"}},
		{name: "maxfraglen-12", server: []string{"-trace"}, args: []string{"-tls1_2", "-maxfraglen", "1024", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256"}, stdin: strings.Repeat("x", 1500) + "\n",
			wantOut: []string{`(?m)^New, TLSv1\.2, `}, serverSees: []string{"max_fragment_length := 2^10 (1024 bytes) (2)\n",
				"Content Type = ApplicationData (23)\n  Length = 1048\n"}},
		// -requestCAfile: the CA's subject in certificate_authorities,
		// the ClientHello's last extension here, as openssl sends it.
		{name: "requestCAfile", server: []string{"-trace"}, args: []string{"-tls1_3", "-requestCAfile", pki.CA},
			wantOut: []string{`(?m)^New, TLSv1\.3, `}, serverSees: []string{"        extension_type=certificate_authorities(47), length="}},
		{name: "no-middlebox", server: []string{"-trace"}, args: []string{"-tls1_3", "-no_middlebox", "-msg"},
			wantOut:    []string{`(?m)^>>> TLS 1\.3, Handshake \[length [0-9a-f]{4}\], Finished$`},
			serverSees: []string{"session_id (len=0): \n"}},
		{name: "keyupdate", server: []string{"-msg"}, args: []string{"-tls1_3"}, stdin: "K\n",
			wantErr: []string{`(?m)^KEYUPDATE$`},
			// update_requested; openssl answers with its own on its next
			// write.
			serverSees: []string{"<<< TLS 1.3, Handshake [length 0005], KeyUpdate\n    18 00 00 01 01\n", "DONE"}},
	})
}

// TestRefusals checks that what once needed -tls1_3 (the
// engine carried TLS 1.3 only) is no longer refused: the engine
// carries every client connection.
func TestRefusals(t *testing.T) {
	for _, args := range [][]string{{"-sigalgs", "ECDSA+SHA256"}, {"-tls1_2", "-psk", "1234"}, {"-client_sigalgs", "RSA+SHA256"}} {
		_, errs, code := runClient(t, "", append(args, "-connect", "127.0.0.1:1")...)
		if code != 1 || strings.Contains(errs, "needs tlskit's own TLS engine") || !strings.Contains(errs, "Connection refused") {
			t.Errorf("s_client %v: exit %d, stderr %q", args, code, errs)
		}
	}
	// An option of TLS 1.3 alone, with TLS 1.3 off, is ignored as openssl
	// ignores it.
	pki := testpeer.NewPKI(t)
	srv := testpeer.OpenSSLServer(t, "-cert", pki.Server, "-key", pki.ServerKey)
	out, errs, code := runClient(t, "", "-connect", srv.Addr, "-tls1_2", "-record_padding", "512", "-ciphersuites", "TLS_AES_128_CCM_SHA256")
	if code != 0 || !strings.Contains(out, "New, TLSv1.2, ") {
		t.Errorf("exit %d\n%s\n%s", code, out, errs)
	}
}

// TestMaxSendFragBounds checks -max_send_frag's range and -maxfraglen's
// values, and openssl's words for others (compared with openssl s_client
// 3.0).
func TestMaxSendFragBounds(t *testing.T) {
	for _, tc := range []struct{ arg, want string }{
		{"511", "s_client: Max send fragment size 511 is out of permitted range\n"},
		{"16385", "s_client: Max send fragment size 16385 is out of permitted range\n"},
		{"0", "s_client: Non-positive number \"0\" for option -max_send_frag\ns_client: Use -help for summary.\n"},
		// (openssl prints no newline before the hint here.)
		{"-maxfraglen 1000", "s_client: Max Fragment Len 1000 is out of permitted valuess_client: Use -help for summary.\n"},
		{"-maxfraglen 8192", "s_client: Max Fragment Len 8192 is out of permitted valuess_client: Use -help for summary.\n"},
	} {
		args := []string{"-max_send_frag", tc.arg}
		if strings.HasPrefix(tc.arg, "-") {
			args = strings.Fields(tc.arg)
		}
		_, errs, code := runClient(t, "", append(args, "-connect", "127.0.0.1:1")...)
		if code != 1 || errs != tc.want {
			t.Errorf("-max_send_frag %s: exit %d, stderr %q, want %q", tc.arg, code, errs, tc.want)
		}
	}
	_, errs, code := runClient(t, "", "-requestCAfile", "/nonexistent/ca.pem", "-connect", "127.0.0.1:1")
	if code != 1 || !strings.HasPrefix(errs, "Error loading CA names\n") || !strings.Contains(errs, ":error:80000002:system library:file_ctrl:No such file or directory:") {
		t.Errorf("-requestCAfile with no file: exit %d, stderr %q", code, errs)
	}
	for _, arg := range []string{"512", "16384"} {
		_, errs, code := runClient(t, "", "-max_send_frag", arg, "-maxfraglen", "4096", "-connect", "127.0.0.1:1")
		if code != 1 || !strings.Contains(errs, "Connection refused") {
			t.Errorf("-max_send_frag %s: exit %d, stderr %q", arg, code, errs)
		}
	}
}

// TestReconnect: -reconnect at TLS 1.3 is six full handshakes,
// as openssl s_client 3.0 makes them (it drops each connection before the
// tickets are read, and its session cannot be resumed): "New" each time,
// the chain verified each time, and tickets only on the last connection;
// openssl s_client's own run against the same server is the reference.
func TestReconnect(t *testing.T) {
	pki := testpeer.NewPKI(t)
	srv := testpeer.OpenSSLServer(t, "-cert", pki.Server, "-key", pki.ServerKey)
	args := []string{"-connect", srv.Addr, "-tls1_3", "-reconnect", "-ciphersuites", "TLS_AES_128_GCM_SHA256", "-CAfile", pki.CA}
	out, errs, code := runClient(t, "", args...)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, errs)
	}
	cmd := exec.Command(testpeer.Need(t, "openssl"), append([]string{"s_client"}, args...)...)
	cmd.Stdin = strings.NewReader("")
	var oOut, oErr strings.Builder
	cmd.Stdout, cmd.Stderr = &oOut, &oErr
	if err := cmd.Run(); err != nil {
		t.Fatalf("openssl: %v\n%s", err, oErr.String())
	}
	for _, w := range []string{"New, TLSv1.3, Cipher is TLS_AES_128_GCM_SHA256", "Reused, ", "drop connection and then reconnect"} {
		if n, m := strings.Count(out, w), strings.Count(oOut.String(), w); n != m {
			t.Errorf("%q: %d times, openssl %d:\n%s", w, n, m, out)
		}
	}
	if n, m := strings.Count(errs, "depth=0 "), strings.Count(oErr.String(), "depth=0 "); n != m || n != 6 {
		t.Errorf("chain verified %d times, openssl %d (want 6):\n%s", n, m, errs)
	}
	if i, j := strings.LastIndex(out, "drop connection"), strings.Index(out, "Post-Handshake New Session Ticket arrived"); j >= 0 && j < i {
		t.Errorf("a ticket was read before the last connection:\n%s", out)
	}
}

// TestAgainstGnuTLS runs the engine's options against
// gnutls-serv: CCM, x448, -sigalgs, KeyUpdate.
func TestAgainstGnuTLS(t *testing.T) {
	pki := testpeer.NewPKI(t)
	for _, tc := range []struct {
		name   string
		server []string
		args   []string
		stdin  string
		want   []string
	}{
		{"ccm", []string{"--priority", "NORMAL:+AES-128-CCM"}, []string{"-tls1_3", "-ciphersuites", "TLS_AES_128_CCM_SHA256"}, "",
			[]string{`(?m)^New, TLSv1\.3, Cipher is TLS_AES_128_CCM_SHA256$`}},
		{"x448", []string{"--priority", "NORMAL:+GROUP-X448"}, []string{"-tls1_3", "-groups", "x448"}, "",
			[]string{`(?m)^Server Temp Key: X448, 448 bits$`}},
		{"sigalgs", nil, []string{"-tls1_3", "-sigalgs", "rsa_pss_rsae_sha512"}, "",
			[]string{`(?m)^Peer signing digest: SHA512$`, `(?m)^Peer signature type: RSA-PSS$`}},
		{"keyupdate", []string{"--echo"}, []string{"-tls1_3"}, "K\n",
			[]string{`(?m)^New, TLSv1\.3, `}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"--x509certfile", pki.Server, "--x509keyfile", pki.ServerKey}, tc.server...)
			srv := testpeer.GnuTLSServer(t, args...)
			var out, errs string
			var code int
			if tc.stdin != "" {
				out, errs, code = runClientReads(t, []string{tc.stdin}, append([]string{"-connect", srv.Addr}, tc.args...)...)
				mustMatch(t, "stderr", errs, `(?m)^KEYUPDATE\nDONE$`)
			} else {
				out, errs, code = runClient(t, "", append([]string{"-connect", srv.Addr}, tc.args...)...)
			}
			if code != 0 {
				t.Fatalf("exit %d\n%s\n%s", code, out, errs)
			}
			mustMatch(t, "stdout", out, tc.want...)
		})
	}
}

// TestTLS12AgainstOpenSSL runs the engine's TLS 1.0–1.2
// client against openssl s_server: openssl's suites beyond crypto/tls's
// (DHE, ECDHE-*-SHA384, AES256-SHA256), TLS 1.0 and 1.1 at security
// level 0, -no_etm, -fallback_scsv, session-ID resumption, and the
// report lines openssl prints.
func TestTLS12AgainstOpenSSL(t *testing.T) {
	pki := testpeer.NewPKI(t)
	sec0 := []string{"-cipher", "DEFAULT@SECLEVEL=0"}
	runClientTests(t, pki, []clientTest{
		{name: "default-tls12-server", server: []string{"-tls1_2"},
			wantOut: []string{`(?m)^New, TLSv1\.2, Cipher is ECDHE-RSA-AES256-GCM-SHA384$`, `(?m)^Secure Renegotiation IS supported$`,
				`(?m)^Server Temp Key: X25519, 253 bits$`, `(?m)^    Master-Key: [0-9A-F]{96}$`, `(?m)^    Extended master secret: yes$`,
				`(?m)^    TLS session ticket lifetime hint: 7200 \(seconds\)$`, `(?m)^    Session-ID: [0-9A-F]{64}$`},
			serverSees: []string{"CIPHER is ECDHE-RSA-AES256-GCM-SHA384"}},
		{name: "dhe", server: []string{"-tls1_2", "-cipher", "DHE-RSA-AES256-GCM-SHA384"},
			wantOut:    []string{`(?m)^New, TLSv1\.2, Cipher is DHE-RSA-AES256-GCM-SHA384$`, `(?m)^Server Temp Key: DH, 2048 bits$`},
			serverSees: []string{"CIPHER is DHE-RSA-AES256-GCM-SHA384"}},
		{name: "ecdhe-sha384", server: []string{"-tls1_2", "-cipher", "ECDHE-RSA-AES256-SHA384"},
			wantOut: []string{`(?m)^New, TLSv1\.2, Cipher is ECDHE-RSA-AES256-SHA384$`}},
		{name: "rsa-aes256-sha256", args: []string{"-tls1_2", "-cipher", "AES256-SHA256"},
			wantOut: []string{`(?m)^New, TLSv1\.2, Cipher is AES256-SHA256$`}},
		{name: "cipher-order", server: []string{"-tls1_2"}, args: []string{"-cipher", "ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES128-GCM-SHA256"},
			wantOut: []string{`(?m)^New, TLSv1\.2, Cipher is ECDHE-RSA-CHACHA20-POLY1305$`}},
		{name: "tls1", server: append([]string{"-tls1"}, sec0...), args: sec0,
			wantOut: []string{`(?m)^New, TLSv1\.0, Cipher is ECDHE-RSA-AES256-SHA$`, `(?m)^    Protocol  : TLSv1$`}},
		{name: "tls1_1", server: append([]string{"-tls1_1"}, sec0...), args: append([]string{"-tls1_1"}, sec0...),
			wantOut: []string{`(?m)^New, TLSv1\.0, Cipher is ECDHE-RSA-AES256-SHA$`, `(?m)^    Protocol  : TLSv1\.1$`}},
		{name: "tls1-refused-at-level-2", server: append([]string{"-tls1"}, sec0...), wantCode: 1,
			wantErr: []string{`:SSL routines:tls_process_key_exchange:legacy sigalg disallowed or unsupported:`},
			// openssl's report of a session that failed after the
			// ServerHello and the certificate.
			wantOut: []string{`(?m)^Server Temp Key: X25519, 253 bits$`, `(?m)^New, \(NONE\), Cipher is \(NONE\)\nServer public key is 2048 bit\nSecure Renegotiation IS supported$`,
				`(?m)^    Protocol  : TLSv1\n    Cipher    : 0000$`, `(?m)^    Verify return code: 21 \(unable to verify the first certificate\)$`}},
		{name: "no-etm", server: []string{"-tls1_2", "-trace"}, args: []string{"-no_etm", "-cipher", "AES128-SHA"},
			wantOut:    []string{`(?m)^New, SSLv3, Cipher is AES128-SHA$`},
			serverSees: []string{"CIPHER is AES128-SHA"}},
		{name: "fallback-scsv", args: []string{"-tls1_2", "-fallback_scsv"}, wantCode: 1,
			wantErr: []string{`:SSL routines:ssl3_read_bytes:tlsv1 alert inappropriate fallback:.*SSL alert number 86`}},
		{name: "reconnect-by-session-id", server: []string{"-tls1_2"}, args: []string{"-reconnect", "-no_ticket"},
			wantOut: []string{`(?s)(Reused, TLSv1\.2, Cipher is ECDHE-RSA-AES256-GCM-SHA384.*){5}`}},
		{name: "msg", server: []string{"-tls1_2"}, args: []string{"-msg"},
			// openssl's client shows its highest version on the line of a
			// TLS 1.2 ServerHello, the negotiated one afterwards.
			wantOut: []string{`(?m)^<<< TLS 1\.3, Handshake \[length [0-9a-f]{4}\], ServerHello$`,
				`(?m)^<<< TLS 1\.2, Handshake \[length [0-9a-f]{4}\], Certificate$`, `(?m)^>>> TLS 1\.2, ChangeCipherSpec \[length 0001\]$`}},
		{name: "state", server: []string{"-tls1_2"}, args: []string{"-state"},
			wantErr: []string{`(?m)^SSL_connect:SSLv3/TLS read change cipher spec\nSSL_connect:SSLv3/TLS read finished$`}},
	})
}

// TestTLS12AgainstGnuTLS runs the TLS 1.0–1.2 client against
// gnutls-serv.
func TestTLS12AgainstGnuTLS(t *testing.T) {
	pki := testpeer.NewPKI(t)
	for _, tc := range []struct {
		name   string
		server []string
		args   []string
		want   []string
	}{
		{"tls12", []string{"--priority", "NORMAL:-VERS-TLS1.3"}, nil,
			[]string{`(?m)^New, TLSv1\.2, Cipher is ECDHE-RSA-AES256-GCM-SHA384$`, `(?m)^Secure Renegotiation IS supported$`}},
		{"tls12-dhe", []string{"--priority", "NORMAL:-VERS-TLS1.3:-KX-ALL:+DHE-RSA"}, []string{"-tls1_2"},
			[]string{`(?m)^New, TLSv1\.2, Cipher is DHE-RSA-AES256-GCM-SHA384$`, `(?m)^Server Temp Key: DH, `}},
		{"tls11", []string{"--priority", "NORMAL:-VERS-ALL:+VERS-TLS1.1"}, []string{"-cipher", "DEFAULT@SECLEVEL=0"},
			[]string{`(?m)^    Protocol  : TLSv1\.1$`}},
		{"tls10", []string{"--priority", "NORMAL:-VERS-ALL:+VERS-TLS1.0"}, []string{"-tls1", "-cipher", "DEFAULT@SECLEVEL=0"},
			[]string{`(?m)^    Protocol  : TLSv1$`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"--x509certfile", pki.Server, "--x509keyfile", pki.ServerKey}, tc.server...)
			srv := testpeer.GnuTLSServer(t, args...)
			out, errs, code := runClient(t, "", append([]string{"-connect", srv.Addr}, tc.args...)...)
			if code != 0 {
				t.Fatalf("exit %d\n%s\n%s", code, out, errs)
			}
			mustMatch(t, "stdout", out, tc.want...)
		})
	}
}
