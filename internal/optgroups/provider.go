package optgroups

import (
	"slices"

	"github.com/tlskit/tlskit/internal/opt"
)

// CheckProviders refuses the provider options tlskit cannot honour, as
// the command starts (openssl loads each -provider as it reads it).
// Measured with openssl 3.0: -provider default changes nothing; base or
// legacy alone leave it "library has no ciphers", and next to default
// base adds nothing a command shows and legacy the legacy algorithms,
// of which tlskit reads the PKCS#12 ones anyway (RC2, and no TLS suite:
// RC4-SHA still has no cipher match); any other provider is one tlskit
// cannot load ("unable to load provider" for an unknown name). A
// property query chooses among providers' algorithms (-propquery
// fips=yes: "library has no ciphers").
func CheckProviders(v *opt.Values) error {
	ps := v.All("provider")
	withDefault := slices.Contains(ps, "default")
	for _, p := range ps {
		if p != "default" && !(withDefault && (p == "base" || p == "legacy")) {
			return &opt.UsageError{Lines: []string{"-provider " + p + " is not supported by tlskit: its algorithms are built in, as OpenSSL's default provider's; it loads no other provider (base and legacy only next to default)"}}
		}
	}
	for _, q := range v.All("propquery") {
		if q != "" {
			return &opt.UsageError{Lines: []string{"-propquery " + q + " is not supported by tlskit: it has no providers whose algorithms a property query could choose"}}
		}
	}
	return nil
}
