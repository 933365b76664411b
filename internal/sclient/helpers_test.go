package sclient

import (
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/testpeer"
)

// chainPKI extends testpeer's PKI with an intermediate CA and what the
// client-certificate, revocation and chain tests need.
type chainPKI struct {
	*testpeer.PKI
	Inter, InterKey     string // intermediate CA signed by the root
	Leaf, LeafKey       string // server leaf for localhost signed by Inter
	LeafChain           string // Leaf followed by Inter
	IClient, IClientKey string // client certificate signed by Inter
	ClientEncKey        string // pki.ClientKey encrypted with "s3cret"
	ClientP12           string // pki.Client and its key in PKCS#12, password "s3cret"
	CRL                 string // the root's CRL revoking pki.Server
	CRLDER              string // CRL in DER
	EmptyCRL            string // the root's CRL revoking nothing
	Expired, ExpiredKey string // server leaf that expired in 2001, signed by the root
}

func openssl(t *testing.T, args ...string) {
	t.Helper()
	out, err := exec.Command("openssl", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

func newChainPKI(t *testing.T) *chainPKI {
	t.Helper()
	p := &chainPKI{PKI: testpeer.NewPKI(t)}
	f := func(n string) string { return filepath.Join(p.Dir, n) }
	p.Inter, p.InterKey = f("inter.pem"), f("inter.key")
	p.Leaf, p.LeafKey = f("leaf.pem"), f("leaf.key")
	p.IClient, p.IClientKey = f("iclient.pem"), f("iclient.key")
	p.ClientEncKey, p.ClientP12 = f("client-enc.key"), f("client.p12")
	p.Expired, p.ExpiredKey = f("expired.pem"), f("expired.key")
	os.WriteFile(f("ca.ext"), []byte("basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n"), 0o644)
	openssl(t, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", p.InterKey, "-out", f("inter.csr"), "-subj", "/O=tlskit tests/CN=tlskit Intermediate")
	openssl(t, "x509", "-req", "-in", f("inter.csr"), "-CA", p.CA, "-CAkey", p.CAKey, "-CAcreateserial", "-out", p.Inter, "-days", "30", "-extfile", f("ca.ext"))
	openssl(t, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", p.LeafKey, "-out", f("leaf.csr"), "-subj", "/CN=localhost")
	openssl(t, "x509", "-req", "-in", f("leaf.csr"), "-CA", p.Inter, "-CAkey", p.InterKey, "-CAcreateserial", "-out", p.Leaf, "-days", "30", "-extfile", f("srv.ext"))
	openssl(t, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", p.IClientKey, "-out", f("icli.csr"), "-subj", "/CN=tlskit chained client")
	openssl(t, "x509", "-req", "-in", f("icli.csr"), "-CA", p.Inter, "-CAkey", p.InterKey, "-CAcreateserial", "-out", p.IClient, "-days", "30", "-extfile", f("cli.ext"))
	openssl(t, "pkey", "-in", p.ClientKey, "-aes256", "-passout", "pass:s3cret", "-out", p.ClientEncKey)
	openssl(t, "pkcs12", "-export", "-in", p.Client, "-inkey", p.ClientKey, "-passout", "pass:s3cret", "-out", p.ClientP12)
	leaf, _ := os.ReadFile(p.Leaf)
	inter, _ := os.ReadFile(p.Inter)
	p.LeafChain = f("leafchain.pem")
	os.WriteFile(p.LeafChain, append(leaf, inter...), 0o644)

	// An expired leaf and the CRLs are made with crypto/x509: openssl x509
	// cannot back-date a certificate.
	ca, err := tls.LoadX509KeyPair(p.CA, p.CAKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(ca.Certificate[0])
	srv, err := tls.LoadX509KeyPair(p.Server, p.ServerKey)
	if err != nil {
		t.Fatal(err)
	}
	srvCert, _ := x509.ParseCertificate(srv.Certificate[0])
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(4242), Subject: srvCert.Subject, DNSNames: []string{"localhost"},
		NotBefore: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(nil, tmpl, caCert, srvCert.PublicKey, ca.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	writePEM(t, p.Expired, "CERTIFICATE", der)
	key, _ := os.ReadFile(p.ServerKey)
	os.WriteFile(p.ExpiredKey, key, 0o600)
	// The test root has no keyUsage extension, which openssl reads as
	// "any usage"; crypto/x509 wants cRLSign on the issuer it is given.
	crlIssuer := *caCert
	crlIssuer.KeyUsage |= x509.KeyUsageCRLSign
	for name, revoked := range map[string][]x509.RevocationListEntry{
		"crl.pem":       {{SerialNumber: srvCert.SerialNumber, RevocationTime: time.Now().Add(-time.Hour)}},
		"empty-crl.pem": nil,
	} {
		crl, err := x509.CreateRevocationList(nil, &x509.RevocationList{
			Number: big.NewInt(1), ThisUpdate: time.Now().Add(-time.Hour), NextUpdate: time.Now().Add(24 * time.Hour),
			RevokedCertificateEntries: revoked,
		}, &crlIssuer, ca.PrivateKey.(crypto.Signer))
		if err != nil {
			t.Fatal(err)
		}
		writePEM(t, f(name), "X509 CRL", crl)
	}
	p.CRL, p.EmptyCRL = f("crl.pem"), f("empty-crl.pem")
	p.CRLDER = f("crl.der")
	openssl(t, "crl", "-in", p.CRL, "-outform", "DER", "-out", p.CRLDER)
	return p
}

func writePEM(t *testing.T, path, typ string, der []byte) {
	t.Helper()
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
}

// verifyLines keeps what openssl's and tlskit's verification print: the
// stderr callback lines and the report's verification lines.
var verifyLines = regexp.MustCompile(`^(depth=|verify error:|verify return:|notAfter=|notBefore=|issuer= |verify depth is|Verification|Verify return code|Verified peername)`)

// compareWithOpenSSL runs the real openssl s_client and ours with the same
// arguments against addr and compares the lines keep selects, per stream.
func compareWithOpenSSL(t *testing.T, addr string, keep *regexp.Regexp, args ...string) (ours string) {
	t.Helper()
	all := append([]string{"-connect", addr}, args...)
	oOut, oErr, oCode := testpeer.Run(t, 30*time.Second, "", "openssl", append([]string{"s_client"}, all...)...)
	tOut, tErr, tCode := runClient(t, "", all...)
	if oCode != tCode {
		t.Errorf("exit code: openssl %d, tlskit %d\nopenssl stderr:\n%s\ntlskit stderr:\n%s", oCode, tCode, oErr, tErr)
	}
	for _, s := range []struct{ name, o, t string }{{"stdout", oOut, tOut}, {"stderr", oErr, tErr}} {
		if a, b := pick(s.o, keep), pick(s.t, keep); a != b {
			t.Errorf("%s differs for s_client %s\nopenssl:\n%s\ntlskit:\n%s", s.name, strings.Join(all, " "), a, b)
		}
	}
	return tOut + tErr
}

func pick(s string, keep *regexp.Regexp) string {
	var out []string
	// Indented lines (the SSL-Session block) are left out unless keep asks
	// for them: openssl prints that block once per TLS 1.3 ticket that
	// happened to arrive, a race.
	for _, l := range strings.Split(s, "\n") {
		if keep.MatchString(l) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// waitOutput polls a server's output until it contains want (bounded).
func waitOutput(t *testing.T, srv *testpeer.Server, want string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(srv.Output(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("server output lacks %q; it is:\n%s", want, srv.Output())
		}
		time.Sleep(20 * time.Millisecond) // polling the output, not waiting for readiness
	}
}
