package sig

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/cloudflare/circl/sign/ed448"
	"github.com/tlskit/tlskit/internal/engine/alert"
	"github.com/tlskit/tlskit/internal/testpeer"
)

func TestSignVerify(t *testing.T) {
	rk, _ := rsa.GenerateKey(rand.Reader, 2048)
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	p521, _ := ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	msg := Content13(true, make([]byte, 32))
	for _, c := range []struct {
		s   uint16
		key crypto.Signer
	}{
		{RSAPSSRSAESHA256, rk}, {RSAPSSRSAESHA384, rk}, {RSAPSSRSAESHA512, rk}, {RSAPKCS1SHA256, rk},
		{ECDSAP256SHA256, p256}, {ECDSAP384SHA384, p384}, {ECDSAP521SHA512, p521}, {Ed25519, ed},
	} {
		s, err := Sign(rand.Reader, c.s, c.key, msg)
		if err != nil {
			t.Fatalf("%s: %v", Name(c.s), err)
		}
		if err := Verify(c.s, c.key.Public(), msg, s); err != nil {
			t.Errorf("%s: %v", Name(c.s), err)
		}
		s[len(s)/2] ^= 1
		var d alert.Desc
		if err := Verify(c.s, c.key.Public(), msg, s); !errors.As(err, &d) || d != alert.DecryptError {
			t.Errorf("%s: corrupted signature: %v", Name(c.s), err)
		}
	}
	// Ed448 and an RSASSA-PSS key (which takes rsa_pss_pss_* only).
	pub448, priv448, _ := ed448.GenerateKey(rand.Reader)
	s448, err := Sign(rand.Reader, Ed448, priv448, msg)
	if err != nil || Verify(Ed448, pub448, msg, s448) != nil {
		t.Errorf("ed448: %v", err)
	}
	pssKey := PSSPublicKey{PublicKey: &rk.PublicKey}
	ps, _ := Sign(rand.Reader, RSAPSSRSAESHA256, rk, msg)
	if err := Verify(RSAPSSPSSSHA256, pssKey, msg, ps); err != nil {
		t.Errorf("rsa_pss_pss_sha256: %v", err)
	}
	if Fits(RSAPSSRSAESHA256, pssKey) || Fits(RSAPSSPSSSHA256, &rk.PublicKey) {
		t.Error("rsae and pss keys must not mix")
	}
	var d alert.Desc
	if err := Verify(ECDSAP384SHA384, p256.Public(), msg, []byte{0}); !errors.As(err, &d) || d != alert.IllegalParameter {
		t.Errorf("P-256 key under ecdsa_secp384r1_sha384: %v", err)
	}
	if Allowed13(RSAPKCS1SHA256) || !Allowed13(RSAPSSRSAESHA256) {
		t.Error("Allowed13")
	}
}

// pssParams builds RSASSA-PSS-params (RFC 4055 §3.1) with hash, MGF1 hash
// and salt length.
func pssParams(t testing.TB, hash, mgf asn1.ObjectIdentifier, salt int) asn1.RawValue {
	inner, _ := asn1.Marshal(pkix.AlgorithmIdentifier{Algorithm: mgf})
	p := struct {
		Hash    pkix.AlgorithmIdentifier `asn1:"explicit,tag:0"`
		MGF     pkix.AlgorithmIdentifier `asn1:"explicit,tag:1"`
		SaltLen int                      `asn1:"explicit,tag:2"`
	}{pkix.AlgorithmIdentifier{Algorithm: hash}, pkix.AlgorithmIdentifier{Algorithm: oidMGF1, Parameters: asn1.RawValue{FullBytes: inner}}, salt}
	der, err := asn1.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var rv asn1.RawValue
	asn1.Unmarshal(der, &rv)
	return rv
}

// TestPSSParams: an RSASSA-PSS key's parameters bind its hash; MGF1 with
// another hash or a salt longer than the hash cannot make a TLS
// signature; absent parameters leave the key free. Fits follows.
func TestPSSParams(t *testing.T) {
	sha256OID := asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	sha384OID := asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}
	for _, c := range []struct {
		name   string
		params asn1.RawValue
		want   crypto.Hash
		bad    bool
	}{
		{"absent", asn1.RawValue{}, 0, false},
		{"sha384", pssParams(t, sha384OID, sha384OID, 48), crypto.SHA384, false},
		{"sha256 short salt", pssParams(t, sha256OID, sha256OID, 20), crypto.SHA256, false},
		{"mgf1 mismatch", pssParams(t, sha384OID, sha256OID, 48), 0, true},
		{"salt too long", pssParams(t, sha256OID, sha256OID, 64), 0, true},
		{"garbage", asn1.RawValue{FullBytes: []byte{0x30, 0x03, 0xa0, 0x01}}, 0, true},
	} {
		h, err := PSSParams(c.params)
		if (err != nil) != c.bad || h != c.want {
			t.Errorf("%s: %v %v, want %v (error %v)", c.name, h, err, c.want, c.bad)
		}
	}
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	bound := PSSPublicKey{PublicKey: &rk.PublicKey, Hash: crypto.SHA384}
	if Fits(RSAPSSPSSSHA256, bound) || !Fits(RSAPSSPSSSHA384, bound) || Fits12(RSAPSSPSSSHA512, bound) || !Fits12(RSAPSSPSSSHA384, bound) {
		t.Error("a SHA-384 RSASSA-PSS key fits another hash's scheme, or not its own")
	}
}

// FuzzPSSParams: PSSParams never panics on any parameters.
func FuzzPSSParams(f *testing.F) {
	f.Add(pssParams(f, asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}, asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}, 48).FullBytes)
	f.Add([]byte{0x30, 0x00})
	f.Add([]byte{0x05, 0x00})
	f.Fuzz(func(t *testing.T, d []byte) {
		var rv asn1.RawValue
		if _, err := asn1.Unmarshal(d, &rv); err != nil {
			return
		}
		h, err := PSSParams(rv)
		if err == nil && h != 0 && h != crypto.SHA1 && h != crypto.SHA224 && h != crypto.SHA256 && h != crypto.SHA384 && h != crypto.SHA512 {
			t.Fatalf("hash %v", h)
		}
	})
}

// TestVerifyLegacyEdDSA: a TLS 1.0/1.1 signature from an Ed25519 key (BoGo's
// NoEd25519-TLS11-ClientAuth-Verify: a client signing its CertificateVerify
// with one anyway) is internal_error "legacy sigalg disallowed or
// unsupported", as openssl s_server 3.0 answers it (tls_process_cert_verify,
// measured); it was illegal_parameter "wrong signature type".
func TestVerifyLegacyEdDSA(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	signed := []byte("client random, server random, params")
	err := VerifyLegacy(pub, signed, ed25519.Sign(priv, signed))
	var f *alert.Fault
	if !errors.As(err, &f) || f.Desc != alert.InternalError || f.Reason != "legacy sigalg disallowed or unsupported" {
		t.Fatalf("got %v, want internal_error 'legacy sigalg disallowed or unsupported'", err)
	}
}

// BenchmarkSignRSA2048 is a TLS 1.3 server's CertificateVerify with an
// RSA-2048 key (rsa_pss_rsae_sha256, Go's crypto/rsa), next to ECDSA P-256
// (ecdsa_secp256r1_sha256): compare cpu-ns/op with `openssl speed
// rsa2048 ecdsap256`, which divides by CPU time too.
func BenchmarkSignRSA2048(b *testing.B) {
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		b.Fatal(err)
	}
	ek, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	content := Content13(true, make([]byte, 32))
	for _, c := range []struct {
		name   string
		scheme uint16
		key    crypto.Signer
	}{{"rsa-pss", RSAPSSRSAESHA256, rk}, {"rsa-pkcs1", RSAPKCS1SHA256, rk}, {"ecdsa-p256", ECDSAP256SHA256, ek}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			report := testpeer.CPUPerOp(b)
			for i := 0; i < b.N; i++ {
				if _, err := Sign(rand.Reader, c.scheme, c.key, content); err != nil {
					b.Fatal(err)
				}
			}
			report()
		})
	}
}

// slowSigner is an ECDSA key whose Sign takes a while and records how
// many of its signatures ran at once.
type slowSigner struct {
	*ecdsa.PrivateKey
	mu       sync.Mutex
	now, top int
}

func (s *slowSigner) Sign(r io.Reader, d []byte, opts crypto.SignerOpts) ([]byte, error) {
	s.mu.Lock()
	s.now++
	s.top = max(s.top, s.now)
	s.mu.Unlock()
	time.Sleep(5 * time.Millisecond)
	s.mu.Lock()
	s.now--
	s.mu.Unlock()
	return s.PrivateKey.Sign(r, d, opts)
}

// TestSignaturesBounded: however many handshakes sign at once, no more
// signatures run together than signing allows (the CPUs at start-up),
// and every one is made, for TLS 1.3, TLS 1.2 and TLS 1.0/1.1 signing.
func TestSignaturesBounded(t *testing.T) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s := &slowSigner{PrivateKey: k}
	const n = 24
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			switch i % 3 {
			case 0:
				_, err = Sign(rand.Reader, ECDSAP256SHA256, s, []byte("content"))
			case 1:
				_, err = Sign12(rand.Reader, ECDSAP256SHA256, s, []byte("content"))
			default:
				_, err = SignLegacy(rand.Reader, s, []byte("content"))
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if s.top > cap(signing) || s.top < 1 {
		t.Errorf("%d signatures ran at once, want 1..%d", s.top, cap(signing))
	}
}
