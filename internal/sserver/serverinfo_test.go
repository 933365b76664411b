package sserver

import (
	"bytes"
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

// sctFixture writes, next to stapleFixture's CA and leaf, a serverinfo
// file with a test log's SCT for the leaf (version 2: TLS 1.2 ServerHello
// and TLS 1.3 Certificate) and a type 1000 extension for TLS 1.2, and the
// log list naming the log; it returns the paths.
func sctFixture(t *testing.T) (caPath, certPath, keyPath, siPath, logsPath string) {
	t.Helper()
	caPath, certPath, keyPath, _ = stapleFixture(t)
	b, _ := os.ReadFile(certPath)
	blk, _ := pem.Decode(b)
	log := cttest.NewLog()
	list := ct.MarshalList(log.SCT(blk.Bytes, time.Now().Add(-time.Minute)))
	ch := engine.ExtContextClientHello
	si := append(cttest.ServerInfoPEM(ch|engine.ExtContextTLS12ServerHello|engine.ExtContextTLS13Certificate, 18, list),
		cttest.ServerInfoPEM(ch|engine.ExtContextTLS12ServerHello, 1000, []byte("hello"))...)
	dir := filepath.Dir(certPath)
	siPath, logsPath = filepath.Join(dir, "si.pem"), filepath.Join(dir, "ctlogs.cnf")
	os.WriteFile(siPath, si, 0o644)
	os.WriteFile(logsPath, []byte(cttest.LogList([]string{"test"}, log.LogListEntry("test", "tlskit test log"))), 0o644)
	return
}

// TestServerInfoSCT: tlskit s_server -serverinfo sends the SCT to openssl
// s_client -ct, which validates it against the test log (TLS 1.2 in the
// ServerHello, TLS 1.3 in the leaf's CertificateEntry), and a type 1000
// extension to -serverinfo 1000 in TLS 1.2; gnutls-cli connects too.
func TestServerInfoSCT(t *testing.T) {
	needTool(t, "openssl")
	caPath, certPath, keyPath, siPath, logsPath := sctFixture(t)
	ts := startServer(t, "", "-cert", certPath, "-key", keyPath, "-serverinfo", siPath, "-naccept", "6")
	wantSCT := []string{"SCTs present (1)", "SCT validation status: valid", "Log       : tlskit test log", "Verify return code: 0 (ok)"}
	out := opensslClientUntil(t, ts.addr, "", clientPrinted(append(wantSCT, "-----BEGIN SERVERINFO FOR EXTENSION 1000-----\nA+gABWhlbGxv\n")...), "-ct", "-ctlogfile", logsPath, "-CAfile", caPath, "-tls1_2", "-serverinfo", "1000")
	for _, w := range append(wantSCT, "-----BEGIN SERVERINFO FOR EXTENSION 1000-----\nA+gABWhlbGxv\n") {
		if !strings.Contains(out, w) {
			t.Errorf("TLS 1.2: s_client lacks %q:\n%s", w, out)
		}
	}
	out = opensslClientUntil(t, ts.addr, "", ts.sayAfterHandshake(2, "after the handshake\n"), "-ct", "-ctlogfile", logsPath, "-CAfile", caPath, "-tls1_3", "-trace")
	for _, w := range append(wantSCT, "Protocol  : TLSv1.3") {
		if !strings.Contains(out, w) {
			t.Errorf("TLS 1.3: s_client lacks %q:\n%s", w, out)
		}
	}
	if strings.Contains(out, "UNKNOWN(1000)") {
		t.Errorf("TLS 1.3: the TLS 1.2-only extension was sent:\n%s", out)
	}
	// A client that does not ask gets no SCT.
	out = opensslClientUntil(t, ts.addr, "", clientPrinted("Verify return code: 0 (ok)"), "-CAfile", caPath, "-tls1_2", "-trace")
	if strings.Contains(out, "signed_certificate_timestamps") || !strings.Contains(out, "Verify return code: 0 (ok)") {
		t.Errorf("TLS 1.2 without -ct:\n%s", out)
	}
	if _, err := os.Stat("/usr/bin/gnutls-cli"); err == nil || os.Getenv("CI") == "true" {
		for _, prio := range []string{"NORMAL:-VERS-ALL:+VERS-TLS1.2", "NORMAL:-VERS-ALL:+VERS-TLS1.3"} {
			out, _ := runPeer(t, "", 10*time.Second, "gnutls-cli", "--x509cafile", caPath, "--priority", prio,
				"--sni-hostname", "localhost", "--verify-hostname", "localhost", "-p", ts.port(), "127.0.0.1")
			if !strings.Contains(out, "The certificate is trusted") || !strings.Contains(out, "Handshake was completed") {
				t.Errorf("gnutls-cli %s:\n%s", prio, out)
			}
		}
	}
}

// TestServerInfoFileErrors: a bad -serverinfo file stops s_server with
// exit 1 and the error lines openssl s_server 3.0 prints for the same
// file (compared without thread, source file and line).
func TestServerInfoFileErrors(t *testing.T) {
	needTool(t, "openssl")
	dir := t.TempDir()
	certPath, keyPath := writeCert(t, dir, "c", "localhost", false)
	block := func(name string, b []byte) string {
		return string(pem.EncodeToMemory(&pem.Block{Type: name, Bytes: b}))
	}
	ext := func(typ uint16, d string) []byte {
		return append([]byte{byte(typ >> 8), byte(typ), 0, byte(len(d))}, d...)
	}
	files := map[string]string{
		"two in a block":  block("SERVERINFO FOR X", append(ext(1000, "ab"), ext(1001, "c")...)),
		"long length":     block("SERVERINFO FOR X", ext(1000, "ab")[:5]),
		"v2 too short":    block("SERVERINFOV2 FOR X", ext(1000, "ab")[:3]),
		"v1 data in v2":   block("SERVERINFOV2 FOR X", ext(1000, "abcdef")),
		"not serverinfo":  block("CERTIFICATE", ext(1000, "ab")),
		"short v2 name":   block("SERVERINFOV2 FOR", ext(1000, "ab")),
		"bad prefix":      block("XERVERINFO FOR XYZ", ext(1000, "ab")),
		"duplicate type":  block("SERVERINFO FOR X", ext(1000, "ab")) + block("SERVERINFO FOR Y", ext(1000, "cd")),
		"openssl's own":   block("SERVERINFO FOR X", ext(16, "ab")),
		"no PEM":          "junk\n",
		"empty block":     block("SERVERINFO FOR X", nil),
		"good then empty": block("SERVERINFO FOR X", ext(1000, "ab")) + block("SERVERINFO FOR X", nil),
	}
	fields := regexp.MustCompile(`(?m)^[0-9A-F]+:error:([0-9A-F]{8}:[^:]*:[^:]*:[^:]*):[^:]*:\d+:(.*)$`)
	norm := func(s string) string {
		var out []string
		for _, m := range fields.FindAllStringSubmatch(s, -1) {
			out = append(out, m[1]+":"+m[2])
		}
		return strings.Join(out, "\n")
	}
	for name, body := range files {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".pem")
			os.WriteFile(p, []byte(body), 0o644)
			peer, oerrCode, oerr := testpeer.OpenSSLServerOrExit(t, "-cert", certPath, "-key", keyPath, "-serverinfo", p)
			var errb bytes.Buffer
			code := -1
			if peer != nil {
				// openssl took the file (it printed ACCEPT): so must tlskit.
				oerrCode = -1
				ts := startServer(t, "", "-cert", certPath, "-key", keyPath, "-serverinfo", p)
				_ = ts
			} else {
				code = Main([]string{"-accept", "127.0.0.1:0", "-cert", certPath, "-key", keyPath, "-serverinfo", p}, stdioFor(&errb))
			}
			if code != oerrCode {
				t.Errorf("exit %d, openssl %d\ntlskit: %s\nopenssl: %s", code, oerrCode, errb.String(), oerr)
			}
			if got, want := norm(errb.String()), norm(oerr); got != want {
				t.Errorf("stderr differs:\ntlskit:\n%s\nopenssl:\n%s", got, want)
			}
		})
	}
}

// TestServerInfoCertOnly: the serverinfo belongs to -cert's certificate;
// a client served -dcert's gets no SCT, as from openssl s_server.
func TestServerInfoCertOnly(t *testing.T) {
	needTool(t, "openssl")
	caPath, certPath, keyPath, siPath, logsPath := sctFixture(t)
	rsaCert, rsaKey := writeCert(t, t.TempDir(), "r", "localhost", true)
	ts := startServer(t, "", "-cert", certPath, "-key", keyPath, "-dcert", rsaCert, "-dkey", rsaKey, "-serverinfo", siPath, "-naccept", "2")
	out := opensslClientUntil(t, ts.addr, "", clientPrinted("SCTs present (1)", "Peer signature type: ECDSA"), "-ct", "-ctlogfile", logsPath, "-CAfile", caPath, "-tls1_3", "-sigalgs", "ecdsa_secp256r1_sha256")
	if !strings.Contains(out, "SCTs present (1)") || !strings.Contains(out, "Peer signature type: ECDSA") {
		t.Errorf("-cert's certificate:\n%s", out)
	}
	out = opensslClientUntil(t, ts.addr, "", clientPrinted("SCTs present (0)", "Peer signature type: RSA-PSS"), "-ct", "-ctlogfile", logsPath, "-tls1_3", "-sigalgs", "rsa_pss_rsae_sha256")
	if !strings.Contains(out, "SCTs present (0)") || !strings.Contains(out, "Peer signature type: RSA-PSS") {
		t.Errorf("-dcert's certificate:\n%s", out)
	}
}

// TestServerInfoDcertInCertSlot: -serverinfo goes to -cert's key slot, and
// a -dcert of the same key type takes that slot and its serverinfo: a
// client is served -dcert's certificate with the extension, as openssl
// s_server 3.0.22 does (measured: -cert and -dcert RSA, openssl s_client
// -serverinfo 1000 -tls1_2).
func TestServerInfoDcertInCertSlot(t *testing.T) {
	needTool(t, "openssl")
	_, certPath, keyPath, siPath, _ := sctFixture(t)
	dir := t.TempDir()
	rsa1, rsa1Key := writeCert(t, dir, "r1", "first", true)
	rsa2, rsa2Key := writeCert(t, dir, "r2", "second", true)
	for _, args := range [][]string{
		{"-cert", rsa1, "-key", rsa1Key, "-dcert", rsa2, "-dkey", rsa2Key},
		// An ECDSA -cert, and a -dcert of the other type: no extension
		// for the RSA client.
		{"-cert", certPath, "-key", keyPath, "-dcert", rsa2, "-dkey", rsa2Key},
	} {
		want := strings.Contains(args[1], "r1")
		ts := startServer(t, "", append(args, "-serverinfo", siPath, "-naccept", "1")...)
		out := opensslClientUntil(t, ts.addr, "", clientPrinted("SSL handshake has read"), "-tls1_2", "-sigalgs", "RSA+SHA256", "-serverinfo", "1000")
		if !strings.Contains(out, "CN = second") {
			t.Fatalf("%v: not served -dcert's certificate:\n%s", args, out)
		}
		if got := strings.Contains(out, "-----BEGIN SERVERINFO FOR EXTENSION 1000-----\nA+gABWhlbGxv\n"); got != want {
			t.Errorf("%v: serverinfo extension sent %v, want %v (openssl s_server):\n%s", args, got, want, out)
		}
	}
}
