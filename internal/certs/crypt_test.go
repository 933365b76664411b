package certs

import (
	"context"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/testpeer"
)

// TestBytesToKeyMD5 compares the legacy PEM key derivation with openssl enc -P, which prints
// the key EVP_BytesToKey(MD5, one iteration) makes from a pass phrase and salt.
func TestBytesToKeyMD5(t *testing.T) {
	testpeer.Need(t, "openssl")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "openssl", "enc", "-aes-256-cbc", "-md", "md5",
		"-S", "0102030405060708", "-pass", "pass:"+testPass, "-P").CombinedOutput()
	if err != nil {
		t.Fatalf("openssl enc -P: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`key=([0-9A-F]+)\s+iv\s*=([0-9A-F]+)`).FindStringSubmatch(string(out))
	if m == nil {
		t.Fatalf("cannot read openssl enc -P output:\n%s", out)
	}
	salt := []byte{1, 2, 3, 4, 5, 6, 7, 8}
	// key || iv is the first 48 bytes of the derivation stream.
	got := strings.ToUpper(hex.EncodeToString(bytesToKeyMD5([]byte(testPass), salt, 48)))
	if got != m[1]+m[2] {
		t.Errorf("bytesToKeyMD5 = %s, openssl says %s%s", got, m[1], m[2])
	}
}

// hostileEPKI builds an EncryptedPrivateKeyInfo whose KDF parameters ask for absurd work.
func hostileEPKI(t *testing.T, kdf pkix.AlgorithmIdentifier) []byte {
	t.Helper()
	iv, _ := asn1.Marshal(make([]byte, 16))
	p2, err := asn1.Marshal(pbes2Params{KDF: kdf, Scheme: pkix.AlgorithmIdentifier{Algorithm: oidAES128, Parameters: asn1.RawValue{FullBytes: iv}}})
	if err != nil {
		t.Fatal(err)
	}
	der, err := asn1.Marshal(encryptedPrivateKeyInfo{
		Algo: pkix.AlgorithmIdentifier{Algorithm: oidPBES2, Parameters: asn1.RawValue{FullBytes: p2}},
		Data: make([]byte, 32),
	})
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// TestKDFLimits checks that absurd costs are refused before any work: were the check after
// the derivation, this test would exhaust memory (scrypt) or run for minutes (PBKDF2).
func TestKDFLimits(t *testing.T) {
	pb, _ := asn1.Marshal(pbkdf2Params{Salt: make([]byte, 8), Iterations: 1 << 30})
	sc, _ := asn1.Marshal(scryptParams{Salt: make([]byte, 8), Cost: 1 << 20, BlockSize: 8, Parallelism: 1})
	for _, tc := range []struct {
		name   string
		der    []byte
		reason string
	}{
		{"PBKDF2 2^30 iterations", hostileEPKI(t, pkix.AlgorithmIdentifier{Algorithm: oidPBKDF2, Parameters: asn1.RawValue{FullBytes: pb}}), "iteration count 1073741824 is above the limit"},
		{"scrypt N=2^20 r=8", hostileEPKI(t, pkix.AlgorithmIdentifier{Algorithm: oidScrypt, Parameters: asn1.RawValue{FullBytes: sc}}), "scrypt parameters exceed the 32 MiB memory limit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParsePrivateKey(tc.der, FormatDER, "x")
			if err == nil || !strings.Contains(err.Error(), tc.reason) || !errors.Is(err, ErrUnsupported) {
				t.Errorf("error = %v, want %q", err, tc.reason)
			}
		})
	}
}

func TestP12CostOK(t *testing.T) {
	macData := func(iter int) []byte {
		b, err := asn1.Marshal(struct {
			Mac   asn1.RawValue
			Salt  []byte
			Iters int
		}{asn1.NullRawValue, []byte{1, 2, 3, 4, 5, 6, 7, 8}, iter})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	if !p12CostOK(macData(2048), 0) {
		t.Error("2048 iterations refused")
	}
	if p12CostOK(macData(1<<30), 0) {
		t.Error("2^30 iterations accepted")
	}
	// The same pair wrapped in an OCTET STRING, as PKCS#12 nests its content.
	wrapped, _ := asn1.Marshal(macData(1 << 30))
	if p12CostOK(wrapped, 0) {
		t.Error("2^30 iterations inside an OCTET STRING accepted")
	}
	for _, tc := range []struct {
		b    []byte
		want bool
	}{
		{[]byte{0x08, 0x00}, true}, {[]byte{0x00, 0x98, 0x96, 0x80}, true}, // 10,000,000
		{[]byte{0x00, 0x98, 0x96, 0x81}, false}, {[]byte{0xff}, false}, {nil, false},
		{[]byte{0x01, 0, 0, 0, 0, 0, 0, 0, 0}, false},
	} {
		if got := smallNonNegative(tc.b, 10_000_000); got != tc.want {
			t.Errorf("smallNonNegative(% x) = %v, want %v", tc.b, got, tc.want)
		}
	}
}
