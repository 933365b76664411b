package report

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/dn"
)

func TestHexDump(t *testing.T) {
	var b strings.Builder
	HexDump(&b, []byte("0123456789abcdefXY\x00"), "    ")
	want := "    0000 - 30 31 32 33 34 35 36 37-38 39 61 62 63 64 65 66   0123456789abcdef\n" +
		"    0010 - 58 59 00                                          XY.\n"
	if b.String() != want {
		t.Errorf("got\n%q\nwant\n%q", b.String(), want)
	}
}

func testCert(t *testing.T) *x509.Certificate {
	t.Helper()
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "report test"},
		NotBefore: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), NotAfter: time.Date(2027, 1, 2, 3, 4, 5, 0, time.UTC)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return c
}

func TestShowCertsKeepsHeading(t *testing.T) {
	c := testCert(t)
	for _, show := range []bool{false, true} {
		var b strings.Builder
		WriteConnection(&b, &Session{Chain: []*x509.Certificate{c}, ShowCerts: show, NameOpt: dn.Default(), Version: "TLSv1.3", TLS13: true, Cipher: "TLS_AES_128_GCM_SHA256", CipherVersion: "TLSv1.3"})
		out := b.String()
		if n := strings.Count(out, "-----BEGIN CERTIFICATE-----"); n != 1 {
			t.Errorf("showcerts=%v: %d PEM blocks", show, n)
		}
		want := "---\nServer certificate\nsubject=CN = report test\n"
		if !show {
			want = "---\nServer certificate\n-----BEGIN CERTIFICATE-----\n"
		}
		if !strings.Contains(out, want) {
			t.Errorf("showcerts=%v: lacks %q:\n%s", show, want, out)
		}
		if !strings.Contains(out, "   v:NotBefore: Jan  2 03:04:05 2026 GMT; NotAfter: Jan  2 03:04:05 2027 GMT\n") {
			t.Errorf("v: line wrong:\n%s", out)
		}
	}
}

// TestFailedHandshake checks the report of a failed TLS 1.2 handshake: the
// certificates received, no peer certificate, and the empty session block
// openssl prints with cipher 0000.
func TestFailedHandshake(t *testing.T) {
	c := testCert(t)
	var b strings.Builder
	WriteConnection(&b, &Session{Received: []*x509.Certificate{c}, NameOpt: dn.Default(), VerifyCode: 20,
		VerifyError: "unable to get local issuer certificate", NoneVersion: "TLSv1.2", Timeout: 7200, StartTime: time.Unix(5, 0)})
	want := "---\nCertificate chain\n 0 s:CN = report test\n"
	out := b.String()
	for _, w := range []string{want, "---\nno peer certificate available\n", "Verification error: unable to get local issuer certificate\n",
		"New, (NONE), Cipher is (NONE)\n", "SSL-Session:\n    Protocol  : TLSv1.2\n    Cipher    : 0000\n    Session-ID: \n",
		"    Start Time: 5\n    Timeout   : 7200 (sec)\n    Verify return code: 0 (ok)\n"} {
		if !strings.Contains(out, w) {
			t.Errorf("lacks %q:\n%s", w, out)
		}
	}
	if strings.Contains(out, "Early data") {
		t.Errorf("TLS 1.2 failure report mentions early data:\n%s", out)
	}
}

func TestKeyingMaterialError(t *testing.T) {
	var b strings.Builder
	WriteConnection(&b, &Session{NameOpt: dn.Default(), Version: "TLSv1.2", Cipher: "AES128-SHA", CipherVersion: "SSLv3",
		KeyingMaterial: &Exported{Label: "x", Failed: true, Length: 20}})
	if !strings.Contains(b.String(), "Keying material exporter:\n    Label: 'x'\n    Length: 20 bytes\n    Error\n---\n") {
		t.Errorf("got:\n%s", b.String())
	}
}

// TestZeroTicketLifetime: a ticket whose lifetime hint is zero (RFC 5077
// §3.3: unspecified; crypto/tls servers send it in TLS 1.2) gets no
// lifetime line, as SSL_SESSION_print leaves it out (measured with
// openssl s_client against a crypto/tls server); a non-zero one does.
func TestZeroTicketLifetime(t *testing.T) {
	for _, life := range []uint32{0, 300} {
		var b strings.Builder
		WriteConnection(&b, &Session{Version: "TLSv1.2", Cipher: "ECDHE-RSA-AES128-GCM-SHA256", CipherVersion: "TLSv1.2",
			Ticket: []byte{1, 2, 3}, TicketLifetime: life, NameOpt: dn.Default(), Timeout: 7200, StartTime: time.Unix(5, 0)})
		line := "    TLS session ticket lifetime hint: 300 (seconds)\n    TLS session ticket:\n"
		if life == 0 {
			line = "    SRP username: None\n    TLS session ticket:\n"
		}
		if out := b.String(); !strings.Contains(out, line) || life == 0 && strings.Contains(out, "lifetime hint") {
			t.Errorf("lifetime %d: lacks %q:\n%s", life, line, out)
		}
	}
}

// TestUpperHexLikeFmt: writeUpperHex writes fmt's %X of a byte slice.
func TestUpperHexLikeFmt(t *testing.T) {
	for _, p := range [][]byte{nil, {}, {0}, {0x0f, 0xa0, 0xff, 0x12}, []byte("any bytes at all \x00\x7f\x80")} {
		var b strings.Builder
		writeUpperHex(&b, p)
		if got, want := b.String(), fmt.Sprintf("%X", p); got != want {
			t.Errorf("writeUpperHex(%x) = %q, want %q", p, got, want)
		}
	}
}
