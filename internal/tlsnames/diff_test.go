package tlsnames

import (
	"errors"
	"flag"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/tlskit/tlskit/internal/testpeer"
)

var diffN = flag.Int("openssl-diff", 0, "compare `n` random cipher strings against the openssl on PATH")

// diffTokens are the pieces random cipher strings are built from.
var diffTokens = []string{
	"ALL", "DEFAULT", "HIGH", "MEDIUM", "COMPLEMENTOFDEFAULT", "COMPLEMENTOFALL", "eNULL", "aNULL",
	"kRSA", "RSA", "aRSA", "kDHE", "DHE", "EDH", "ADH", "kECDHE", "ECDHE", "EECDH", "AECDH", "ECDSA",
	"aDSS", "AES", "AES128", "AES256", "AESGCM", "AESCCM", "AESCCM8", "CHACHA20", "CAMELLIA", "ARIA",
	"SHA1", "SHA256", "SHA384", "MD5", "PSK", "aPSK", "kRSAPSK", "SRP", "FIPS", "CBC", "TLSv1.2",
	"TLSv1", "SSLv3", "3DES", "FOO", "AES128-SHA", "ECDHE-RSA-AES256-GCM-SHA384", "NULL-SHA",
	"DHE-RSA-CHACHA20-POLY1305", "ADH-AES128-SHA", "@STRENGTH", "@SECLEVEL=3",
}

// TestDifferentialOpenSSL is opt-in (-openssl-diff=N): it builds
// random strings from keywords, operators and separators and checks
// ParseCipherSpec against `openssl ciphers -V`.
func TestDifferentialOpenSSL(t *testing.T) {
	if *diffN == 0 {
		t.Skip("enable with -openssl-diff=N")
	}
	testpeer.Need(t, "openssl")
	r := rand.New(rand.NewPCG(1, uint64(*diffN)))
	ops := []string{"", "", "!", "-", "+"}
	seps := []string{":", ":", ",", " ", ";", "+"}
	for i := 0; i < *diffN; i++ {
		var b strings.Builder
		if r.IntN(4) == 0 {
			b.WriteString("DEFAULT:")
		}
		for n := 1 + r.IntN(6); n > 0; n-- {
			b.WriteString(ops[r.IntN(len(ops))])
			b.WriteString(diffTokens[r.IntN(len(diffTokens))])
			if n > 1 {
				b.WriteString(seps[r.IntN(len(seps))])
			}
		}
		s := b.String()
		want, reason := runOpenSSLCiphers(t, "-V", "--", s)
		spec, err := ParseCipherSpec(s)
		var ce *ConfError
		switch {
		case reason != "":
			if !errors.As(err, &ce) || ce.Reason != reason {
				t.Errorf("%q: got %v, openssl %q", s, err, reason)
			}
		case err != nil:
			t.Errorf("%q: %v, openssl accepts", s, err)
		case !slices.Equal(names(spec.Ciphers), want):
			t.Errorf("%q:\n got %v\nwant %v", s, names(spec.Ciphers), want)
		}
	}
}
