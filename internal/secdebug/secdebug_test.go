package secdebug

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/engine"
	"github.com/tlskit/tlskit/internal/engine/kx"
	"github.com/tlskit/tlskit/internal/engine/sig"
	"github.com/tlskit/tlskit/internal/tlsnames"
)

func TestRSABits(t *testing.T) {
	for n, want := range map[int]int{1024: 80, 2048: 112, 3000: 128, 3072: 128, 4096: 152, 7680: 192, 15360: 256, 512: 56} {
		if got := tlsnames.IFCBits(n); got != want {
			t.Errorf("IFCBits(%d) = %d, want %d", n, got, want)
		}
	}
}

func TestGroups(t *testing.T) {
	tests := []struct {
		id   uint16
		name string
		bits int
	}{
		{kx.X25519, "X25519", 128},
		{kx.Secp256r1, "P-256", 128},
		{kx.Secp384r1, "P-384", 192},
		{kx.Secp521r1, "P-521", 256},
		{30, "X448", 224},
		{256, "ffdhe2048", 112},
		{258, "ffdhe4096", 128},
		{260, "ffdhe8192", 192},
		{26, "brainpoolP256r1", 128},
		{21, "P-224", 112},
		{kx.X25519MLKEM768, "X25519MLKEM768", 192},
	}
	for _, tt := range tests {
		bits, ok := GroupBits(tt.id)
		if name := GroupName(tt.id); name != tt.name || !ok || bits != tt.bits {
			t.Errorf("group %d: %q %d %v, want %q %d", tt.id, name, bits, ok, tt.name, tt.bits)
		}
	}
}

func TestLines(t *testing.T) {
	c := Config{
		Verbose: true, SecLevel: 2, Client: true,
		Versions: []uint16{engine.VersionTLS12},
		Ciphers:  []uint16{0xc02c, 0x009d, 0x1302},
		Groups:   []uint16{kx.X25519, 256},
		SigAlgs:  []uint16{sig.ECDSAP256SHA256, sig.RSAPKCS1SHA1, 0x0301, sig.RSAPSSRSAESHA256},
	}
	var b bytes.Buffer
	WriteSetup(&b, c)
	// openssl's ClientHello: TLS 1.3 alone, a version walk, three passes
	// over the suites (a second walk opens the second one; the last two
	// end with a group probe), then the extensions.
	const (
		walk = "Security callback: Version=TLS 1.3: yes\nSecurity callback: Version=TLS 1.2: yes\n"
		mask = `Security callback: Signature Algorithm mask scheme=ecdsa_secp256r1_sha256, security bits=128: yes
Security callback: Signature Algorithm mask scheme=rsa_pkcs1_sha1, security bits=64: no
Security callback: Signature Algorithm mask digest=SHA224, algorithm=RSA, security bits=112: yes
`
		suites = `Security callback: Supported Ciphersuite=ECDHE-ECDSA-AES256-GCM-SHA384, security bits=256: yes
Security callback: Supported Ciphersuite=AES256-GCM-SHA384, security bits=256: yes
`
		probe = "Security callback: Supported Curve=X25519, security bits=128: yes\n"
	)
	want := "Security callback: Version=TLS 1.3: yes\n" + walk +
		walk + mask + walk + suites +
		walk + walk + mask + walk + suites + probe +
		walk + mask + walk + suites + probe +
		probe + `Security callback: : yes
Security callback: Supported Signature Algorithm scheme=ecdsa_secp256r1_sha256, security bits=128: yes
Security callback: Supported Signature Algorithm scheme=rsa_pkcs1_sha1, security bits=64: no
Security callback: Supported Signature Algorithm digest=SHA224, algorithm=RSA, security bits=112: yes
Security callback: Supported Signature Algorithm scheme=rsa_pss_rsae_sha256, security bits=128: yes
` + walk
	if b.String() != want {
		t.Errorf("client setup:\n%s\nwant:\n%s", b.String(), want)
	}

	b.Reset()
	c.Verbose = false
	c.SecLevel = 3
	WriteSetup(&b, c)
	refused := `Security callback: Signature Algorithm mask scheme=rsa_pkcs1_sha1, security bits=64: no
Security callback: Signature Algorithm mask digest=SHA224, algorithm=RSA, security bits=112: no
Security callback: Supported Ciphersuite=AES256-GCM-SHA384, security bits=256: no
`
	want = refused + refused + refused + `Security callback: : no
Security callback: Supported Signature Algorithm scheme=rsa_pkcs1_sha1, security bits=64: no
Security callback: Supported Signature Algorithm digest=SHA224, algorithm=RSA, security bits=112: no
`
	if b.String() != want {
		t.Errorf("client setup, level 3, refusals only:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestHandshakeOrder(t *testing.T) {
	c := Config{Verbose: true, SecLevel: -1, Client: true, SigAlgs: goSigAlgs, Groups: goGroups}
	var b bytes.Buffer
	WriteClientServerHello(&b, c, engine.VersionTLS13, 0x1301, false)
	WriteHandshake(&b, c, Handshake{Version: engine.VersionTLS13, Cipher: 0x1301, Group: kx.X25519, PeerSig: sig.RSAPSSRSAESHA256})
	got := b.String()
	i := strings.Index(got, "Check Ciphersuite=TLS_AES_128_GCM_SHA256, security bits=128: yes")
	j := strings.Index(got, "Check Signature Algorithm scheme=rsa_pss_rsae_sha256, security bits=128: yes")
	if i < 0 || j < i || !strings.HasPrefix(got, "Security callback: Version=TLS 1.3: yes\n") {
		t.Errorf("client handshake:\n%s", got)
	}
	// Server, TLS 1.2: the ticket, the shared schemes, the certificate's
	// curve, the group, the suite, its own chain, then the shared groups.
	c.Client = false
	c.Chain = []*x509.Certificate{testCert(t, false), testCert(t, true)}
	b.Reset()
	WriteHandshake(&b, c, Handshake{Version: engine.VersionTLS12, Cipher: 0xc02b, Group: kx.Secp256r1, PeerSigAlgs: []uint16{sig.ECDSAP256SHA256}})
	got = b.String()
	var kinds []string
	for _, l := range strings.Split(strings.TrimSpace(got), "\n") {
		l = strings.TrimPrefix(l, "Security callback: ")
		k, _, _ := strings.Cut(l, "=")
		if len(kinds) == 0 || kinds[len(kinds)-1] != k {
			kinds = append(kinds, k)
		}
	}
	wantKinds := []string{"Version", ": yes", "Shared Signature Algorithm scheme", "Check Curve", "Shared Curve", "Shared Ciphersuite",
		"Certificate chain EE key", "Certificate chain CA digest", "Certificate chain CA key", "Shared Curve"}
	if strings.Join(kinds, "|") != strings.Join(wantKinds, "|") {
		t.Errorf("server phases %q, want %q\n%s", kinds, wantKinds, got)
	}
	if !strings.Contains(got, "Certificate chain EE key=, bits=256, security bits=128: yes\n") ||
		!strings.Contains(got, "Certificate chain CA digest=ecdsa-with-SHA256, security bits=128: yes\n") ||
		strings.Count(got, "digest=ecdsa-with-SHA256") != 1 {
		t.Errorf("chain lines wrong (the self-signed CA's own digest must not be checked):\n%s", got)
	}
}

// testCert makes an ECDSA P-256 certificate: a self-signed root when
// root is set, else a leaf with a different issuer name.
func testCert(t *testing.T, root bool) *x509.Certificate {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "leaf"},
		NotBefore: time.Unix(0, 0), NotAfter: time.Unix(1e10, 0), SignatureAlgorithm: x509.ECDSAWithSHA256}
	parent := &x509.Certificate{Subject: pkix.Name{CommonName: "root"}, SerialNumber: big.NewInt(2)}
	if root {
		tmpl.Subject = parent.Subject
		parent = tmpl
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// goSigAlgs and goGroups are crypto/tls's (Go 1.26) default
// signature_algorithms and supported_groups, in its order: a
// configuration unlike openssl's defaults, for the tests.
var (
	goSigAlgs = []uint16{
		sig.RSAPSSRSAESHA256, sig.ECDSAP256SHA256, sig.Ed25519,
		sig.RSAPSSRSAESHA384, sig.RSAPSSRSAESHA512,
		sig.RSAPKCS1SHA256, sig.RSAPKCS1SHA384, sig.RSAPKCS1SHA512,
		sig.ECDSAP384SHA384, sig.ECDSAP521SHA512,
	}
	goGroups = []uint16{
		kx.X25519MLKEM768, kx.SecP256r1MLKEM768, kx.SecP384r1MLKEM1024,
		kx.X25519, kx.Secp256r1, kx.Secp384r1, kx.Secp521r1,
	}
)
