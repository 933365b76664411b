package sserver

// Issue 11's option matrix: each option against openssl 3.0 and gnutls
// 3.7 in both directions, and the test that runs it. C = tlskit s_client
// (internal/sclient), S = tlskit s_server (here); O = openssl, G = gnutls.
// MxCO/MxCG = sclient TestMatrixClientOpenSSL/TestMatrixClientGnuTLS(Sessions),
// MxSO/MxSG = TestMatrixServerOpenSSL/TestMatrixServerGnuTLS below;
// Mx{C,S}Suites12GnuTLS = TestMatrix{Client,Server}Suites12GnuTLS.
//
//	option              C->O s_server          C->G gnutls-serv        O s_client->S        G gnutls-cli->S
//	-psk                EngineOptions/psk      MxCG/psk                ServerWithOpenSSLClient/psk MxSG/psk
//	-psk at TLS 1.0-1.2, -psk_hint:
//	                    MxCPSK12OpenSSL        engine TestPSK12-       MxSPSK12OpenSSL      MxSG/psk-tls12,
//	                                           AgainstGnuTLS                                ecdhe-psk-, dhe-psk-tls12
//	-psk_identity       EngineOptions          MxCG/psk_identity       MxSO/psk_identity    MxSG/psk_identity
//	-psk_session        MxCO/psk_session       MxCGSessions            MxSO/psk_session     MxSG/psk_session
//	-early_data, -max_early_data, -recv_max_early_data, -(no_)anti_replay:
//	                    sclient TestEarlyData  MxCGSessions (offer;    TestEarlyDataServer  TestEarlyDataServer
//	                                           gnutls-serv rejects it  (all four options)   (gnutls-cli --earlydata)
//	                                           from a session file,
//	                                           openssl s_client's too)
//	k, K                EngineOptions, MxCO    AgainstGnuTLS,          ServerKeyUpdate,     MxSG/K, k,
//	                                           MxCG/keyupdate-k        MxSO/k               gnutls ^rekey^
//	-enable_pha, c      sclient TestEnablePHA  n/a: gnutls-serv cannot PostHandshakeAuthCommand (openssl and gnutls)
//	                                           request a certificate after the handshake
//	-ciphersuites, CCM  EngineOptions          AgainstGnuTLS,          ServerWithOpenSSLClient MxSG/ccm, ccm8, order
//	                                           MxCG/order, ccm8
//	-sigalgs            EngineOptions          MxCG/sigalgs            ServerWithOpenSSLClient MxSG/sigalgs
//	-client_sigalgs     MxCO (1.2, 1.3)        MxCG (1.2)              MxSO                 MxSG (1.2)
//	-num_tickets N      n/a (server option)    n/a (server option)     ServerWithOpenSSLClient MxSG/num_tickets 3, 0
//	-no_ticket, session-ID -reconnect
//	                    TLS12AgainstOpenSSL... MxCG/reconnect          TestResumption12     MxSG/no_ticket-session-id
//	-dhparam, ffdhe     TLS12AgainstOpenSSL/dhe, TLS12AgainstGnuTLS,   ProtocolChoices,     own13_test (gnutls),
//	                    FFDHE13                FFDHE13GnuTLS, MxCG     ServerFFDHE13        MxSG/dhparam, ffdhe2048
//	-record_padding     EngineOptions          MxCG                    ServerWithOpenSSLClient MxSG/record_padding
//	-no_middlebox       EngineOptions          MxCG                    MxSO/no_middlebox    MxSG/no_middlebox
//	-stateless          MxCO (openssl's own    n/a: gnutls-serv has    TestStateless        MxSG/stateless (HRR with
//	                    interactive -stateless no stateless mode                            a group); a cookie-only
//	                    fails its client too)                                               HRR: gnutls limitation
//	IP -servername      EngineOptions          MxCG (accept, fatal)    MxSO/servername-ip   MxSG/servername-ip
//	x448                EngineOptions          AgainstGnuTLS           ServerWithOpenSSLClient MxSG/x448
//	*MLKEM* groups      n/a: openssl 3.0 and gnutls 3.7.9 have none; engine diff tests against crypto/tls
//	ed448 certificates  MxCO                   MxCG                    MxSO/ed448           MxSG/ed448
//	-allow_no_dhe_kex   MxCO                   MxCG (psk_ke only)      MxSO                 MxSG (psk_ke only)
//	TLS 1.0-1.2 suites  TLS12AgainstOpenSSL... MxCSuites12GnuTLS (all  ProtocolChoices      MxSSuites12GnuTLS (all 27),
//	                                           27), TLS12AgainstGnuTLS                      engine TestServer12AgainstGnuTLSClient
//	-no_etm             TLS12AgainstOpenSSL/   MxCG/no_etm (EtM gone)  ProtocolChoices      MxSG/no_etm
//	                    no-etm
//	-fallback_scsv      TLS12AgainstOpenSSL    MxCG                    MxSO                 MxSG (%FALLBACK_SCSV)
//	-status             sclient TestOCSPStatus TestMatrixClientGnuTLSStatus TestStapleTLS12TLS13 TestStapleTLS12TLS13

import (
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/testpeer"
)

// waitServerOutput waits until the server's stdout or stderr holds want,
// for at most 30 s (a shared machine).
func waitServerOutput(t *testing.T, ts *testServer, want string) {
	t.Helper()
	testpeer.WaitOutput(t, func() string { return ts.out.String() + ts.err.String() }, want, 30*time.Second)
}

// matrixPKI is the certificates the matrix serves: an RSA and an ECDSA
// leaf and a client certificate from testpeer, and a self-signed Ed448
// one.
type matrixPKI struct {
	*testpeer.PKI
	Ed448, Ed448Key string
}

func newMatrixPKI(t *testing.T) *matrixPKI {
	t.Helper()
	p := &matrixPKI{PKI: testpeer.NewPKI(t)}
	p.Ed448, p.Ed448Key = filepath.Join(p.Dir, "ed448.pem"), filepath.Join(p.Dir, "ed448.key")
	out, err := exec.Command("openssl", "req", "-x509", "-newkey", "ed448", "-nodes", "-keyout", p.Ed448Key, "-out", p.Ed448,
		"-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-days", "3").CombinedOutput()
	if err != nil {
		t.Fatalf("openssl req ed448: %v\n%s", err, out)
	}
	return p
}

// tls13Session writes a TLS 1.3 session file of suite with openssl
// s_client against an openssl s_server, and returns it with its
// resumption PSK in hex (openssl sess_id -text).
func tls13Session(t *testing.T, p *testpeer.PKI, suite string) (path, keyHex string) {
	t.Helper()
	srv := testpeer.OpenSSLServer(t, "-cert", p.Server, "-key", p.ServerKey, "-ciphersuites", suite)
	path = filepath.Join(t.TempDir(), "sess.pem")
	out := opensslSessionOut(t, srv.Addr, path)
	text, err := exec.Command("openssl", "sess_id", "-in", path, "-noout", "-text").CombinedOutput()
	if err != nil {
		t.Fatalf("openssl sess_id: %v\n%s\ns_client:\n%s", err, text, out)
	}
	m := regexp.MustCompile(`Resumption PSK: ([0-9A-F]+)`).FindSubmatch(text)
	if m == nil {
		t.Fatalf("no Resumption PSK in:\n%s", text)
	}
	return path, strings.ToLower(string(m[1]))
}

// gnutlsServerCase is one gnutls-cli connection to a tlskit s_server.
type gnutlsServerCase struct {
	name   string
	server []string // s_server arguments beyond -accept and the identity
	cert   string   // "ed448", "ec"; RSA by default
	client []string // gnutls-cli arguments beyond --insecure, the port and host
	// interact runs the connection with gnutls-cli's input open: the
	// server gets "CIPHER is", then serverSays on its stdin; gnutls-cli
	// must print it, then sends clientSays.
	// A command (k, K) is one read of s_server's stdin: serverThen is
	// written once s_server said KEYUPDATE.
	interact              bool
	serverSays            string
	serverThen            string
	clientSays            string
	wantClient, notClient []string // substrings of gnutls-cli's output
	wantServer, notServer []string // substrings of s_server's stdout+stderr
	skip                  string   // a gnutls limitation
}

// TestMatrixServerGnuTLS runs issue 11's options in tlskit s_server
// against gnutls-cli, asserting gnutls-cli's "- Description: ..." (and
// its other lines) and what s_server printed.
func TestMatrixServerGnuTLS(t *testing.T) {
	needTool(t, "gnutls-cli")
	pki := newMatrixPKI(t)
	// gnutls' PSKs are SHA-256 ones.
	sess, sessKey := tls13Session(t, pki.PKI, "TLS_AES_128_GCM_SHA256")
	dhFile := filepath.Join(t.TempDir(), "dh.pem")
	if out, err := exec.Command("openssl", "genpkey", "-genparam", "-algorithm", "DH", "-pkeyopt", "group:modp_3072", "-out", dhFile).CombinedOutput(); err != nil {
		t.Fatalf("openssl genpkey: %v\n%s", err, out)
	}
	psk := []string{"--pskusername", "Client_identity", "--pskkey", "1a2b3c4d"}
	// gnutls-cli offers AES-256-GCM first; openssl's s_server (and
	// tlskit's) then takes that SHA-384 suite, with which the SHA-256
	// PSK cannot be used, and makes a full handshake. Without it the
	// PSK is used (checked against openssl s_server -psk).
	pskPrio := "NORMAL:+ECDHE-PSK:+PSK:-AES-256-GCM"
	cbc := "NORMAL:-VERS-TLS1.3:-CIPHER-ALL:+AES-128-CBC:-MAC-ALL:+SHA1"
	tests := []gnutlsServerCase{
		{name: "psk", server: []string{"-tls1_3", "-psk", "1a2b3c4d"}, client: append([]string{"--priority", pskPrio}, psk...),
			wantClient: []string{"- Description: (TLS1.3-X.509)--(CHACHA20-POLY1305)\n"},
			wantServer: []string{"Reused session-id", "CIPHER is TLS_CHACHA20_POLY1305_SHA256"}},
		{name: "psk-with-sha384-suite-first", server: []string{"-tls1_3", "-psk", "1a2b3c4d"}, client: append([]string{"--priority", "NORMAL:+ECDHE-PSK:+PSK"}, psk...),
			wantClient: []string{"-(RSA-PSS-RSAE-SHA256)-(AES-256-GCM)\n"},
			wantServer: []string{"CIPHER is TLS_AES_256_GCM_SHA384"}, notServer: []string{"Reused"}},
		{name: "psk_identity", server: []string{"-tls1_3", "-psk", "5e6f7a8b", "-psk_identity", "alice"},
			client:     []string{"--priority", pskPrio, "--pskusername", "alice", "--pskkey", "5e6f7a8b"},
			wantClient: []string{"- Description: (TLS1.3-X.509)--(CHACHA20-POLY1305)\n"}, wantServer: []string{"Reused session-id"}},
		{name: "psk_session", server: []string{"-psk_session", sess},
			client:     []string{"--priority", pskPrio, "--pskusername", "Client_identity", "--pskkey", sessKey},
			wantClient: []string{"- Description: (TLS1.3-X.509)--("}, wantServer: []string{"Reused session-id"}},
		// -psk_session is TLS 1.3's: a TLS 1.2 client gets the certificate
		// suites, as openssl s_server -psk_session serves it.
		{name: "psk_session-tls12-client", server: []string{"-psk_session", sess},
			client:     []string{"--priority", "NORMAL:-VERS-TLS1.3"},
			wantClient: []string{"- Description: (TLS1.2-X.509)-(ECDHE-"}, wantServer: []string{"CIPHER is ECDHE-RSA-"}, notServer: []string{"Reused"}},
		{name: "allow_no_dhe_kex", server: []string{"-tls1_3", "-psk", "1a2b3c4d", "-allow_no_dhe_kex"},
			client:     append([]string{"--priority", "NORMAL:+PSK:-ECDHE-PSK:-AES-256-GCM"}, psk...),
			wantClient: []string{"- Description: (TLS1.3-X.509)--(CHACHA20-POLY1305)\n"}, notClient: []string{"Ephemeral"},
			wantServer: []string{"Reused session-id"}},
		{name: "psk_ke-refused-without-allow_no_dhe_kex", server: []string{"-tls1_3", "-psk", "1a2b3c4d"},
			client:     append([]string{"--priority", "NORMAL:+PSK:-ECDHE-PSK:-AES-256-GCM"}, psk...),
			wantClient: []string{"-(ECDHE-SECP256R1)-(RSA-PSS-RSAE-SHA256)-(CHACHA20-POLY1305)\n"}, notServer: []string{"Reused"}},
		{name: "ccm", server: []string{"-ciphersuites", "TLS_AES_128_CCM_SHA256"}, client: []string{"--priority", "NORMAL:+AES-128-CCM"},
			wantClient: []string{"-(AES-128-CCM)\n"}, wantServer: []string{"CIPHER is TLS_AES_128_CCM_SHA256"}},
		{name: "ccm8", server: []string{"-ciphersuites", "TLS_AES_128_CCM_8_SHA256"}, client: []string{"--priority", "NORMAL:+AES-128-CCM-8"},
			wantClient: []string{"-(AES-128-CCM-8)\n"}, wantServer: []string{"CIPHER is TLS_AES_128_CCM_8_SHA256"}},
		{name: "ciphersuites-client-order", server: []string{"-ciphersuites", "TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256"},
			client:     []string{"--priority", "NORMAL:-CIPHER-ALL:+CHACHA20-POLY1305:+AES-128-GCM"},
			wantClient: []string{"-(CHACHA20-POLY1305)\n"}, wantServer: []string{"CIPHER is TLS_CHACHA20_POLY1305_SHA256"}},
		{name: "ciphersuites-serverpref", server: []string{"-serverpref", "-ciphersuites", "TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256"},
			client:     []string{"--priority", "NORMAL:-CIPHER-ALL:+CHACHA20-POLY1305:+AES-128-GCM"},
			wantClient: []string{"-(AES-128-GCM)\n"}, wantServer: []string{"CIPHER is TLS_AES_128_GCM_SHA256"}},
		{name: "sigalgs", server: []string{"-sigalgs", "rsa_pss_rsae_sha512"},
			wantClient: []string{"-(RSA-PSS-RSAE-SHA512)-"}},
		{name: "client_sigalgs-tls12", server: []string{"-tls1_2", "-verify", "1", "-CAfile", pki.CA, "-client_sigalgs", "ECDSA+SHA384"},
			client:     []string{"--x509certfile", pki.Client, "--x509keyfile", pki.ClientKey},
			wantClient: []string{"- Description: (TLS1.2-X.509)-"}, wantServer: []string{"Peer signing digest: SHA384", "Peer signature type: ECDSA"}},
		{name: "num_tickets-3", server: []string{"-num_tickets", "3"}, client: []string{"-r", "--waitresumption"},
			wantClient: []string{"*** This is a resumed session\n"}, wantServer: []string{"Reused session-id"}},
		{name: "num_tickets-0", server: []string{"-num_tickets", "0"}, client: []string{"-r"},
			wantClient: []string{"- Resume Handshake was completed\n"}, notClient: []string{"This is a resumed session"}, notServer: []string{"Reused"}},
		{name: "no_ticket-session-id", server: []string{"-no_ticket"}, client: []string{"-r", "--priority", "NORMAL:-VERS-TLS1.3"},
			wantClient: []string{"*** This is a resumed session\n"}, wantServer: []string{"Reused session-id"}},
		{name: "dhparam", server: []string{"-dhparam", dhFile}, client: []string{"--priority", "NORMAL:-VERS-TLS1.3:-KX-ALL:+DHE-RSA"},
			// RFC 7919 groups offered, -dhparam's group used, as
			// openssl 3.0 s_server does.
			wantClient: []string{"- Description: (TLS1.2-X.509)-(DHE-CUSTOM3072)-(RSA-SHA256)-"}, wantServer: []string{"Setting temp DH parameters", "CIPHER is DHE-RSA-AES256-GCM-SHA384"}},
		{name: "ffdhe2048", server: []string{"-groups", "ffdhe2048"}, client: []string{"--priority", "NORMAL:-GROUP-ALL:+GROUP-FFDHE2048"},
			wantClient: []string{"-(DHE-FFDHE2048)-"}},
		{name: "record_padding", server: []string{"-record_padding", "512"}, interact: true, serverSays: "padded by tlskit\n", clientSays: "from gnutls\n",
			wantServer: []string{"from gnutls"}},
		{name: "no_middlebox", server: []string{"-no_middlebox"}, interact: true, serverSays: "no ccs\n", clientSays: "from gnutls\n",
			wantServer: []string{"from gnutls"}},
		{name: "keyupdate-K", interact: true, serverSays: "K\n", serverThen: "after K\n", clientSays: "from gnutls\n",
			wantClient: []string{"after K"}, wantServer: []string{"SSL_do_handshake -> 1\n", "from gnutls"}},
		{name: "keyupdate-k", interact: true, serverSays: "k\n", serverThen: "after k\n", clientSays: "from gnutls\n",
			wantClient: []string{"after k"}, wantServer: []string{"SSL_do_handshake -> 1\n", "from gnutls"}},
		{name: "keyupdate-from-gnutls", server: []string{"-msg"}, client: []string{"--inline-commands"}, interact: true, serverSays: "hello\n",
			clientSays: "^rekey^\nafter rekey\n",
			// update_requested: tlskit answers with its own.
			// update_requested; tlskit, as openssl, answers with its
			// own when it next writes.
			wantServer: []string{"<<< TLS 1.3, Handshake [length 0005], KeyUpdate\n    18 00 00 01 01\n", "after rekey"}},
		{name: "stateless", server: []string{"-stateless", "-groups", "P-384"},
			wantClient: []string{"-(ECDHE-SECP384R1)-"}, wantServer: []string{"DELAY\n", "CIPHER is "}},
		{name: "stateless-cookie-only", skip: "gnutls 3.7 cannot answer a HelloRetryRequest without key_share " +
			"(lib/ext/key_share.c: after an HRR its ClientHello needs the HRR's group, else GNUTLS_E_RECEIVED_ILLEGAL_PARAMETER), " +
			"which a stateless server sends when the first ClientHello's share was good (openssl's does the same)"},
		{name: "servername-ip", server: []string{"-servername", "127.0.0.1", "-cert2", pki.ECServer, "-key2", pki.ECServerKey},
			client:     []string{"--sni-hostname", "127.0.0.1"},
			wantClient: []string{"-(ECDSA-SECP256R1-SHA256)-"}, wantServer: []string{"Hostname in TLS extension: \"127.0.0.1\"\n", "Switching server context.\n"}},
		{name: "x448", server: []string{"-groups", "x448"}, client: []string{"--priority", "NORMAL:+GROUP-X448"},
			wantClient: []string{"-(ECDHE-X448)-"}},
		{name: "ed448-certificate", cert: "ed448",
			wantClient: []string{"-(EdDSA-Ed448)-"}},
		{name: "tls12-cbc-etm", client: []string{"--priority", cbc},
			wantClient: []string{"-(AES-128-CBC)-(SHA1)\n", "safe renegotiation, EtM,\n"}},
		{name: "no_etm", server: []string{"-no_etm"}, client: []string{"--priority", cbc},
			wantClient: []string{"-(AES-128-CBC)-(SHA1)\n", "- Options: extended master secret, safe renegotiation,\n"}, notClient: []string{"EtM"}},
		{name: "fallback_scsv", client: []string{"--priority", "NORMAL:-VERS-TLS1.3:%FALLBACK_SCSV"},
			wantClient: []string{"*** Received alert [86]: Inappropriate fallback"}, wantServer: []string{":error:0A000175:SSL routines:tls_early_post_process_client_hello:inappropriate fallback:"}},
		{name: "X25519MLKEM768", skip: "gnutls 3.7.9 has no ML-KEM groups (gnutls-cli --list: no GROUP-*MLKEM*)"},
		// TLS 1.2 PSK suites: -psk serves them without -tls1_3, the hint
		// reaches the client. gnutls-cli 3.7.9 segfaults once an
		// ECDHE-PSK or DHE-PSK TLS 1.2 handshake is done (against openssl
		// s_server -nocert -psk too), so for those only s_server's
		// report is checked.
		{name: "psk-tls12", server: []string{"-psk", "1a2b3c4d", "-psk_hint", "gnutls hint"},
			client:     append([]string{"--priority", "NORMAL:-VERS-TLS1.3:-KX-ALL:+PSK:+RSA"}, psk...),
			wantClient: []string{"- Description: (TLS1.2-X.509)-(PSK)-(AES-256-GCM)\n", "- PSK authentication. PSK hint 'gnutls hint'\n"},
			wantServer: []string{"CIPHER is PSK-AES256-GCM-SHA384\n"}},
		{name: "ecdhe-psk-tls12", server: []string{"-psk", "1a2b3c4d"},
			client:     append([]string{"--priority", "NORMAL:-VERS-TLS1.3:-KX-ALL:+ECDHE-PSK:+RSA"}, psk...),
			wantServer: []string{"CIPHER is ECDHE-PSK-CHACHA20-POLY1305\n"}},
		{name: "dhe-psk-tls12", server: []string{"-psk", "1a2b3c4d", "-cipher", "DHE-PSK-AES128-GCM-SHA256"},
			client:     append([]string{"--priority", "NORMAL:-VERS-TLS1.3:-KX-ALL:+DHE-PSK:+RSA"}, psk...),
			wantServer: []string{"CIPHER is DHE-PSK-AES128-GCM-SHA256\n"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.skip != "" {
				t.Skip(tc.skip)
			}
			cert, key := pki.Server, pki.ServerKey
			switch tc.cert {
			case "ed448":
				cert, key = pki.Ed448, pki.Ed448Key
			case "ec":
				cert, key = pki.ECServer, pki.ECServerKey
			}
			ts := startServer(t, "", append([]string{"-cert", cert, "-key", key}, tc.server...)...)
			args := append([]string{"--insecure", "-p", ts.port(), "127.0.0.1"}, tc.client...)
			var out string
			if tc.interact {
				pc := startPeerClient(t, "gnutls-cli", args...)
				waitServerOutput(t, ts, "CIPHER is ")
				ts.stdin.Write([]byte(tc.serverSays))
				last := tc.serverSays
				if tc.serverThen != "" {
					waitServerOutput(t, ts, "SSL_do_handshake -> 1\n")
					ts.stdin.Write([]byte(tc.serverThen))
					last = tc.serverThen
				}
				testpeer.WaitOutput(t, pc.out.String, last, 30*time.Second)
				pc.stdin.Write([]byte(tc.clientSays))
				for _, w := range tc.wantServer {
					waitServerOutput(t, ts, w)
				}
				pc.stdin.Close()
				select {
				case <-pc.done:
				case <-time.After(30 * time.Second):
					t.Errorf("gnutls-cli did not exit")
				}
				out = pc.out.String()
			} else {
				out, _ = runPeer(t, "", 30*time.Second, "gnutls-cli", args...)
				for _, w := range tc.wantServer {
					waitServerOutput(t, ts, w)
				}
			}
			for _, w := range tc.wantClient {
				if !strings.Contains(out, w) {
					t.Errorf("gnutls-cli lacks %q:\n%s", w, out)
				}
			}
			for _, n := range tc.notClient {
				if strings.Contains(out, n) {
					t.Errorf("gnutls-cli printed %q:\n%s", n, out)
				}
			}
			for _, n := range tc.notServer {
				if s := ts.out.String() + ts.err.String(); strings.Contains(s, n) {
					t.Errorf("s_server printed %q:\n%s", n, s)
				}
			}
		})
	}
}

// TestMatrixServerOpenSSL runs against openssl s_client the options of
// issue 11 that the other server tests do not, asserting what openssl
// printed (-trace, -msg, its report) and what s_server did.
func TestMatrixServerOpenSSL(t *testing.T) {
	needTool(t, "openssl")
	pki := newMatrixPKI(t)
	// openssl s_client lists TLS_AES_256_GCM_SHA384 first, and the
	// server takes it: a SHA-256 session would give a full handshake
	// (as openssl s_server -psk_session gives it).
	sess, _ := tls13Session(t, pki.PKI, "TLS_AES_256_GCM_SHA384")
	withCert := []string{"-cert", pki.Client, "-key", pki.ClientKey}
	for _, tc := range []struct {
		name       string
		server     []string
		cert, key  string
		client     []string
		serverSays string // written to s_server's stdin after "CIPHER is"
		serverThen string // written after s_server said KEYUPDATE
		wantClient []string
		notClient  []string
		wantServer []string
	}{
		{name: "psk_identity", server: []string{"-tls1_3", "-psk", "5e6f7a8b", "-psk_identity", "alice"},
			client:     []string{"-psk", "5e6f7a8b", "-psk_identity", "alice", "-ciphersuites", "TLS_AES_128_GCM_SHA256"},
			wantClient: []string{"Reused, TLSv1.3, Cipher is TLS_AES_128_GCM_SHA256"}, wantServer: []string{"Reused session-id"}},
		{name: "psk_session", server: []string{"-psk_session", sess}, client: []string{"-psk_session", sess},
			wantClient: []string{"Reused, TLSv1.3, Cipher is TLS_AES_256_GCM_SHA384"}, wantServer: []string{"Reused session-id"}},
		{name: "allow_no_dhe_kex", server: []string{"-tls1_3", "-psk", "1a2b3c4d", "-allow_no_dhe_kex"},
			client: []string{"-psk", "1a2b3c4d", "-allow_no_dhe_kex", "-ciphersuites", "TLS_AES_128_GCM_SHA256", "-trace"},
			// openssl's client offers both modes; openssl 3.0's server
			// (and tlskit's) takes psk_dhe_ke.
			wantClient: []string{"psk_key_exchange_modes(45), length=3\n          psk_dhe_ke (1)\n          psk_ke (0)\n", "Reused, TLSv1.3, ", "Server Temp Key: X25519, 253 bits"}, wantServer: []string{"Reused session-id"}},
		{name: "client_sigalgs", server: []string{"-verify", "1", "-CAfile", pki.CA, "-client_sigalgs", "ECDSA+SHA256:ed25519"},
			client: append([]string{"-trace"}, withCert...),
			wantClient: []string{"CertificateRequest, Length=", "extension_type=signature_algorithms(13), length=6\n" +
				"          ecdsa_secp256r1_sha256 (0x0403)\n          ed25519 (0x0807)\n"},
			wantServer: []string{"Peer signature type: ECDSA"}},
		{name: "ed448-certificate", cert: pki.Ed448, key: pki.Ed448Key,
			wantClient: []string{"Peer signature type: ed448", "New, TLSv1.3, "}},
		{name: "keyupdate-k", client: []string{"-msg"}, serverSays: "k\n", serverThen: "after k\n",
			wantClient: []string{"<<< TLS 1.3, Handshake [length 0005], KeyUpdate\n    18 00 00 01 00\n", "after k"}, wantServer: []string{"SSL_do_handshake -> 1\n"}},
		{name: "no_middlebox", server: []string{"-no_middlebox"}, client: []string{"-msg", "-no_middlebox"},
			wantClient: []string{"<<< TLS 1.3, Handshake [length 0034], Finished"}, notClient: []string{"ChangeCipherSpec"}},
		{name: "servername-ip", server: []string{"-servername", "127.0.0.1", "-cert2", pki.ECServer, "-key2", pki.ECServerKey},
			client:     []string{"-servername", "127.0.0.1"},
			wantClient: []string{"Peer signature type: ECDSA"}, wantServer: []string{"Hostname in TLS extension: \"127.0.0.1\"\n", "Switching server context.\n"}},
		{name: "fallback_scsv", client: []string{"-tls1_2", "-fallback_scsv"},
			wantClient: []string{":tlsv1 alert inappropriate fallback:"}, wantServer: []string{":error:0A000175:SSL routines:tls_early_post_process_client_hello:inappropriate fallback:"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cert, key := pki.Server, pki.ServerKey
			if tc.cert != "" {
				cert, key = tc.cert, tc.key
			}
			ts := startServer(t, "", append([]string{"-cert", cert, "-key", key}, tc.server...)...)
			if tc.serverSays != "" {
				go func() {
					deadline := time.Now().Add(30 * time.Second)
					for !strings.Contains(ts.out.String(), "CIPHER is ") && time.Now().Before(deadline) {
						time.Sleep(10 * time.Millisecond)
					}
					ts.stdin.Write([]byte(tc.serverSays))
					for !strings.Contains(ts.err.String()+ts.out.String(), "SSL_do_handshake -> 1") && tc.serverThen != "" && time.Now().Before(deadline) {
						time.Sleep(10 * time.Millisecond)
					}
					ts.stdin.Write([]byte(tc.serverThen))
				}()
			}
			out := opensslClientUntil(t, ts.addr, "", clientPrinted(tc.wantClient...), tc.client...)
			for _, w := range tc.wantClient {
				if !strings.Contains(out, w) {
					t.Errorf("openssl s_client lacks %q:\n%s", w, out)
				}
			}
			for _, n := range tc.notClient {
				if strings.Contains(out, n) {
					t.Errorf("openssl s_client printed %q:\n%s", n, out)
				}
			}
			for _, w := range tc.wantServer {
				waitServerOutput(t, ts, w)
			}
		})
	}
}

// TestMatrixServerPSK12OpenSSL: -psk serves TLS 1.0-1.2 clients through
// the PSK suites (no -tls1_3 needed), as openssl s_server -psk does:
// openssl s_client -psk names the suite, the identity and -psk_hint's
// hint; an identity other than -psk_identity gets openssl's warning and
// the key all the same; a wrong key fails at the Finished with
// bad_record_mac on both sides; a client without -psk still gets the
// certificate suites.
func TestMatrixServerPSK12OpenSSL(t *testing.T) {
	needTool(t, "openssl")
	pki := testpeer.NewPKI(t)
	cert := []string{"-cert", pki.Server, "-key", pki.ServerKey}
	for _, tc := range []struct {
		name       string
		nocert     bool
		server     []string
		client     []string
		wantClient []string
		wantServer []string
	}{
		// -nocert: the PSK alone; TLS 1.3 takes a suite of the PSK's
		// hash, as openssl s_server -nocert -psk does; a client without
		// a PSK gets openssl's failures.
		{name: "nocert-tls12", nocert: true, server: []string{"-nocert", "-psk", "1a2b3c4d"}, client: []string{"-tls1_2", "-psk", "1a2b3c4d"},
			wantClient: []string{"New, TLSv1.2, Cipher is DHE-PSK-AES256-GCM-SHA384\n", "no peer certificate available", "Server Temp Key: DH, 3072 bits\n"},
			wantServer: []string{"CIPHER is DHE-PSK-AES256-GCM-SHA384\n"}},
		{name: "nocert-tls13", nocert: true, server: []string{"-nocert", "-psk", "1a2b3c4d"}, client: []string{"-psk", "1a2b3c4d"},
			wantClient: []string{"Reused, TLSv1.3, Cipher is TLS_CHACHA20_POLY1305_SHA256\n"}},
		{name: "nocert-no-psk-tls12", nocert: true, server: []string{"-nocert", "-psk", "1a2b3c4d"}, client: []string{"-tls1_2"},
			wantClient: []string{"sslv3 alert handshake failure"}, wantServer: []string{":tls_post_process_client_hello:no shared cipher:"}},
		{name: "nocert-no-psk-tls13", nocert: true, server: []string{"-nocert", "-psk", "1a2b3c4d"}, client: []string{"-tls1_3"},
			wantClient: []string{"sslv3 alert handshake failure"}, wantServer: []string{":tls_choose_sigalg:no suitable signature algorithm:"}},
		{name: "psk", server: []string{"-psk", "1a2b3c4d", "-psk_hint", "tlskit hint"},
			client: []string{"-tls1_2", "-psk", "1a2b3c4d", "-cipher", "PSK-AES256-GCM-SHA384"},
			wantClient: []string{"New, TLSv1.2, Cipher is PSK-AES256-GCM-SHA384\n", "    PSK identity: Client_identity\n",
				"    PSK identity hint: tlskit hint\n", "no peer certificate available"},
			wantServer: []string{"CIPHER is PSK-AES256-GCM-SHA384\n"}},
		{name: "ecdhe-psk-cbc-tls1", server: []string{"-psk", "1a2b3c4d", "-cipher", "ECDHE-PSK-AES128-CBC-SHA256:@SECLEVEL=0"},
			client:     []string{"-tls1", "-psk", "1a2b3c4d", "-cipher", "ECDHE-PSK-AES128-CBC-SHA256:@SECLEVEL=0"},
			wantClient: []string{"New, TLSv1.0, Cipher is ECDHE-PSK-AES128-CBC-SHA256\n", "Protocol  : TLSv1\n", "PSK identity hint: None\n"},
			wantServer: []string{"CIPHER is ECDHE-PSK-AES128-CBC-SHA256\n"}},
		{name: "dhe-psk", server: []string{"-psk", "1a2b3c4d", "-psk_identity", "alice", "-debug"},
			client:     []string{"-tls1_2", "-psk", "1a2b3c4d", "-psk_identity", "alice", "-cipher", "DHE-PSK-CHACHA20-POLY1305"},
			wantClient: []string{"Cipher is DHE-PSK-CHACHA20-POLY1305\n", "Server Temp Key: DH, 3072 bits\n", "PSK identity: alice\n"},
			wantServer: []string{"PSK key given, setting server callback\n", "psk_server_cb\nidentity_len=5 identity=alice\nPSK client identity found\nfetched PSK len=4\n"}},
		{name: "rsa-psk", server: []string{"-psk", "1a2b3c4d"},
			client:     []string{"-tls1_2", "-psk", "1a2b3c4d", "-cipher", "RSA-PSK-AES128-GCM-SHA256"},
			wantClient: []string{"Cipher is RSA-PSK-AES128-GCM-SHA256\n", "Server certificate\n"},
			wantServer: []string{"CIPHER is RSA-PSK-AES128-GCM-SHA256\n"}},
		{name: "other-identity", server: []string{"-psk", "1a2b3c4d"},
			client:     []string{"-tls1_2", "-psk", "1a2b3c4d", "-psk_identity", "mallory", "-cipher", "PSK-AES128-GCM-SHA256"},
			wantClient: []string{"Cipher is PSK-AES128-GCM-SHA256\n", "PSK identity: mallory\n"},
			wantServer: []string{"PSK warning: client identity not what we expected (got 'mallory' expected 'Client_identity')\n", "CIPHER is PSK-AES128-GCM-SHA256\n"}},
		{name: "wrong-key", server: []string{"-psk", "1a2b3c4d"},
			client:     []string{"-tls1_2", "-psk", "ffff", "-cipher", "PSK-AES128-GCM-SHA256"},
			wantClient: []string{":SSL routines:ssl3_read_bytes:sslv3 alert bad record mac:"},
			wantServer: []string{"decryption failed or bad record mac"}},
		{name: "no-psk-client", server: []string{"-psk", "1a2b3c4d"},
			client:     []string{"-tls1_2"},
			wantClient: []string{"Cipher is ECDHE-RSA-AES256-GCM-SHA384\n", "PSK identity: None\n"},
			wantServer: []string{"CIPHER is ECDHE-RSA-AES256-GCM-SHA384\n"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := tc.server
			if !tc.nocert {
				args = append(append([]string{}, cert...), tc.server...)
			}
			ts := startServer(t, "", args...)
			out := opensslClientUntil(t, ts.addr, "", clientPrinted(tc.wantClient...), tc.client...)
			for _, w := range tc.wantClient {
				if !strings.Contains(out, w) {
					t.Errorf("openssl s_client lacks %q:\n%s", w, out)
				}
			}
			for _, w := range tc.wantServer {
				waitServerOutput(t, ts, w)
			}
		})
	}
}

// TestMatrixServerSuites12GnuTLS serves each suite of openssl's default
// TLS 1.2 list (-cipher NAME) to gnutls-cli offering them all: gnutls'
// Description and s_server's CIPHER line must name it.
func TestMatrixServerSuites12GnuTLS(t *testing.T) {
	needTool(t, "gnutls-cli")
	pki := testpeer.NewPKI(t)
	for _, name := range testpeer.OpenSSLDefault12 {
		t.Run(name, func(t *testing.T) {
			cert, key := pki.Server, pki.ServerKey
			if strings.Contains(name, "-ECDSA-") {
				cert, key = pki.ECServer, pki.ECServerKey
			}
			ts := startServer(t, "", "-cert", cert, "-key", key, "-cipher", name, "-naccept", "1")
			out, _ := runPeer(t, "", 30*time.Second, "gnutls-cli", "--insecure", "-p", ts.port(), "--priority", testpeer.GnuTLSAll12, "127.0.0.1")
			kx, cipher := testpeer.GnuTLSSuite(name)
			if !strings.Contains(out, "- Description: (TLS1.2-X.509)"+kx) || !strings.Contains(out, cipher) {
				t.Errorf("gnutls-cli lacks %s...%q:\n%s", kx, cipher, out)
			}
			waitServerOutput(t, ts, "CIPHER is "+name+"\n")
		})
	}
}
