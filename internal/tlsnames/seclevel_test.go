package tlsnames

import (
	"crypto/x509"
	"testing"
)

// TestSecurityBitsTable pins the one table of strengths to what openssl
// 3.0 decides: RSA-1024 passes level 1 and fails 2; RSA-2000 passes 2
// (openssl's -auth_level 2 accepts it) and fails 3; certificate SHA-1
// signatures are 63 bits ("Certificate chain CA digest=ecdsa-with-SHA1,
// security bits=63" under -security_debug_verbose) while libssl's sigalg
// check rates SHA-1 at 64 ("scheme=rsa_pkcs1_sha1, security bits=64").
func TestSecurityBitsTable(t *testing.T) {
	for level, want := range []int{0, 80, 112, 128, 192, 256, 256} {
		if got := SecLevelBits(level); got != want {
			t.Errorf("SecLevelBits(%d) = %d, want %d", level, got, want)
		}
	}
	for _, tc := range []struct {
		rsaBits, level int
		ok             bool
	}{
		{1024, 1, true}, {1024, 2, false}, {2000, 2, true}, {2000, 3, false},
		{2048, 2, true}, {2048, 3, false}, {3072, 3, true}, {7680, 4, true}, {15360, 5, true}, {512, 1, false},
	} {
		if got := SecLevelAllows(tc.level, IFCBits(tc.rsaBits)); got != tc.ok {
			t.Errorf("RSA-%d at level %d: allowed %v, openssl %v (bits %d)", tc.rsaBits, tc.level, got, tc.ok, IFCBits(tc.rsaBits))
		}
	}
	for orderBits, want := range map[int]int{256: 128, 384: 192, 521: 256, 224: 112, 160: 80} {
		if got := ECBits(orderBits); got != want {
			t.Errorf("ECBits(%d) = %d, want %d", orderBits, got, want)
		}
	}
	for alg, want := range map[x509.SignatureAlgorithm]int{x509.MD5WithRSA: 39, x509.SHA1WithRSA: 63, x509.ECDSAWithSHA1: 63, x509.SHA256WithRSA: 128, x509.ECDSAWithSHA384: 192} {
		if got, _ := CertSigBits(alg); got != want {
			t.Errorf("CertSigBits(%v) = %d, want %d", alg, got, want)
		}
	}
	for hash, want := range map[string]int{"MD5": 39, "SHA1": 64, "SHA256": 128} {
		if got, _ := SigalgHashBits(hash); got != want {
			t.Errorf("SigalgHashBits(%s) = %d, want %d", hash, got, want)
		}
	}
}

// TestFFDHBits: DH parameters rated by the prime's size alone when
// nothing bounds the exponent, else lowered to half its bits (openssl
// refuses a 1536-bit -dhparam at level 2 and a 2048-bit one at level 3).
func TestFFDHBits(t *testing.T) {
	for _, c := range []struct{ l, n, want int }{
		{1024, 0, 80}, {1536, 0, 80}, {2048, 0, 112}, {3072, 0, 128}, {8192, 0, 192},
		{2048, 224, 112}, {2048, 160, 80}, {1024, 150, 0}, {1023, 0, 0},
	} {
		if got := FFDHBits(c.l, c.n); got != c.want {
			t.Errorf("FFDHBits(%d, %d) = %d, want %d", c.l, c.n, got, c.want)
		}
	}
	if SecLevelAllows(2, FFDHBits(1536, 0)) || !SecLevelAllows(2, FFDHBits(2048, 0)) || SecLevelAllows(3, FFDHBits(2048, 0)) {
		t.Error("levels 2 and 3 rate 1536- and 2048-bit parameters otherwise than openssl")
	}
}
