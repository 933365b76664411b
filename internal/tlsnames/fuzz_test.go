package tlsnames

import (
	"errors"
	"testing"
)

// FuzzParseCipherString checks that no input panics, that results are
// well formed, and that errors are always *ConfError.
func FuzzParseCipherString(f *testing.F) {
	for _, s := range cipherStrings {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		spec, err := ParseCipherSpec(s)
		if err != nil {
			var ce *ConfError
			if !errors.As(err, &ce) || ce.Arg != s || len(ce.Lines()) != 2 {
				t.Fatalf("ParseCipherSpec(%q): bad error %#v", s, err)
			}
			return
		}
		if len(spec.Ciphers) == 0 {
			t.Fatalf("ParseCipherSpec(%q) succeeded with no suites", s)
		}
		if spec.SecLevel < -1 || spec.SecLevel > 5 {
			t.Fatalf("ParseCipherSpec(%q) level %d", s, spec.SecLevel)
		}
		seen := map[uint16]bool{}
		for _, c := range spec.Ciphers {
			if seen[c.ID] || c.IsTLS13() || c.Flags&FlagGoOnly != 0 {
				t.Fatalf("ParseCipherSpec(%q): bad suite %s", s, c.Name)
			}
			seen[c.ID] = true
		}
	})
}

// FuzzParseLists covers the other colon-list parsers.
func FuzzParseLists(f *testing.F) {
	for _, s := range []string{"P-256:X25519", "x25519:X25519", "RSA+SHA256:ed25519", "RSA-PSS+sha256",
		DefaultCipherSuites, "", ":", "TLSv1.2", "foo+"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if ids, err := ParseGroups(s); err == nil && len(ids) == 0 {
			t.Fatalf("ParseGroups(%q) empty without error", s)
		}
		if ss, err := ParseSigalgs(s); err == nil && len(ss) == 0 {
			t.Fatalf("ParseSigalgs(%q) empty without error", s)
		}
		if cs, err := ParseCipherSuites(s); err == nil && s != "" && len(cs) == 0 {
			t.Fatalf("ParseCipherSuites(%q) empty without error", s)
		}
		_, _ = ParseVersion(s)
	})
}
