package sclient

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"

	"encoding/pem"
	"golang.org/x/crypto/ocsp"
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

// TestCTAllSources: SCTs in the TLS extension, the OCSP staple and the
// certificate itself (over its precertificate) are listed in openssl's
// order and validated as openssl s_client -ct does against the same
// openssl s_server, TLS 1.2 and 1.3; -noct after -ct asks for none.
func TestCTAllSources(t *testing.T) {
	testpeer.Need(t, "openssl")
	dir := t.TempDir()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "ct test CA"},
		NotBefore: time.Now().Add(-2 * time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
	caDER, _ := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	ca, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	leafTmpl := &x509.Certificate{SerialNumber: big.NewInt(5), Subject: pkix.Name{CommonName: "localhost"}, DNSNames: []string{"localhost"},
		NotBefore: time.Now().Add(-2 * time.Hour), NotAfter: time.Now().Add(time.Hour), KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	preDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	pre, _ := x509.ParseCertificate(preDER)
	logA, logB := cttest.NewLog(), cttest.NewLog()
	at := time.Now().Add(-time.Hour).Truncate(time.Second) // a whole second: how are 0 ms printed?
	embedded := ct.MarshalList(logA.PrecertSCT(ca.RawSubjectPublicKeyInfo, pre.RawTBSCertificate, at))
	octets := func(b []byte) []byte { d, _ := asn1.Marshal(b); return d }
	leafTmpl.ExtraExtensions = []pkix.Extension{{Id: ct.OIDCertSCTs, Value: octets(embedded)}}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ocspList := ct.MarshalList(logB.SCT(leafDER, at.Add(time.Second)), logA.SCT(leafDER, at.Add(2*time.Second)))
	resp, err := ocsp.CreateResponse(ca, ca, ocsp.Response{Status: ocsp.Good, SerialNumber: big.NewInt(5),
		ThisUpdate: time.Now().Add(-time.Minute), NextUpdate: time.Now().Add(time.Hour),
		ExtraExtensions: []pkix.Extension{{Id: ct.OIDOCSPSCTs, Value: octets(ocspList)}}}, crypto.Signer(caKey))
	if err != nil {
		t.Fatal(err)
	}
	tlsList := ct.MarshalList(logA.SCT(leafDER, at.Add(3*time.Second)), logA.SCT(leafDER, at.Add(time.Hour+time.Minute)))
	kder, _ := x509.MarshalPKCS8PrivateKey(key)
	p := func(n string) string { return filepath.Join(dir, n) }
	os.WriteFile(p("ca.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), 0o644)
	os.WriteFile(p("leaf.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leafDER}), 0o644)
	os.WriteFile(p("leaf.key"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), 0o600)
	os.WriteFile(p("resp.der"), resp, 0o644)
	os.WriteFile(p("si.pem"), cttest.ServerInfoPEM(engine.ExtContextClientHello|engine.ExtContextTLS12ServerHello|engine.ExtContextTLS13Certificate, 18, tlsList), 0o644)
	os.WriteFile(p("logs.cnf"), []byte(cttest.LogList([]string{"a", "b"}, logA.LogListEntry("a", "Log A"), logB.LogListEntry("b", "Log B"))), 0o644)
	srv := testpeer.OpenSSLServer(t, "-cert", p("leaf.pem"), "-key", p("leaf.key"), "-serverinfo", p("si.pem"), "-status_file", p("resp.der"))
	for _, v := range []string{"-tls1_2", "-tls1_3"} {
		args := []string{"-connect", srv.Addr, "-ct", "-ctlogfile", p("logs.cnf"), "-CAfile", p("ca.pem"), v}
		out, _, code := runClient(t, "", args...)
		ref, _, _ := testpeer.Run(t, 20*time.Second, "", "openssl", append([]string{"s_client"}, args...)...)
		got, want := ctBlock.FindString(out), ctBlock.FindString(ref)
		if code != 0 || got == "" || got != want {
			t.Errorf("%s: exit %d, block:\n%s\nopenssl's:\n%s", v, code, got, want)
		}
		// Five SCTs; the one from the future is invalid.
		mustContain(t, v, got, "SCTs present (5)", "SCT validation status: invalid")
		if n := strings.Count(got, "SCT validation status: valid"); n != 4 {
			t.Errorf("%s: %d valid SCTs, want 4:\n%s", v, n, got)
		}
	}
	out, _, _ := runClient(t, "", "-connect", srv.Addr, "-ct", "-noct", "-CAfile", p("ca.pem"))
	if strings.Contains(out, "SCTs present") {
		t.Errorf("-ct -noct printed SCTs:\n%s", out)
	}
}
