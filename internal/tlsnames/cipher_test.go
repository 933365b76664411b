package tlsnames

import (
	"crypto/tls"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/tlskit/tlskit/internal/engine"
)

const describePath = "testdata/ciphers-V.golden"

// TestDescriptionGolden checks every column of every suite against
// `openssl ciphers -V` output recorded from the reference openssl.
func TestDescriptionGolden(t *testing.T) {
	if *update {
		out, err := exec.Command("openssl", "ciphers", "-V", "-ciphersuites",
			"TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256:TLS_AES_128_CCM_SHA256:TLS_AES_128_CCM_8_SHA256",
			"ALL:COMPLEMENTOFALL").Output()
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(describePath, out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(describePath)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	seen := map[uint16]bool{}
	for _, line := range lines {
		m := verboseLine.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("unexpected line %q", line)
		}
		c, ok := CipherByName(m[1])
		if !ok {
			t.Errorf("openssl suite %s missing from the table", m[1])
			continue
		}
		seen[c.ID] = true
		if got := c.VerboseDescription(); got != line {
			t.Errorf("VerboseDescription:\n got %q\nwant %q", got, line)
		}
	}
	for _, c := range Ciphers() {
		if !seen[c.ID] && c.Flags&FlagGoOnly == 0 {
			t.Errorf("%s is in the table but not listed by openssl", c.Name)
		}
		if seen[c.ID] && c.Flags&FlagGoOnly != 0 {
			t.Errorf("%s is marked GoOnly but openssl lists it", c.Name)
		}
	}
}

// TestGoSuitesInTable is the row-level check: every suite crypto/tls
// implements is in the table under its ID and IANA name.
func TestGoSuitesInTable(t *testing.T) {
	all := append(tls.CipherSuites(), tls.InsecureCipherSuites()...)
	if len(all) < 20 {
		t.Fatalf("crypto/tls lists only %d suites", len(all))
	}
	for _, s := range all {
		c, ok := CipherByID(s.ID)
		if !ok {
			t.Errorf("Go suite %s (%#04x) missing", s.Name, s.ID)
			continue
		}
		if c.IANA != s.Name {
			t.Errorf("%#04x: IANA name %q, Go calls it %q", s.ID, c.IANA, s.Name)
		}
		if byName, ok := CipherByName(c.Name); !ok || byName.ID != s.ID {
			t.Errorf("CipherByName(%q) = %#04x, %v", c.Name, byName.ID, ok)
		}
		if byIANA, ok := CipherByName(s.Name); !ok || byIANA.ID != s.ID {
			t.Errorf("CipherByName(%q) = %#04x, %v", s.Name, byIANA.ID, ok)
		}
		if c.IsTLS13() != (len(s.SupportedVersions) == 1 && s.SupportedVersions[0] == engine.VersionTLS13) {
			t.Errorf("%s: IsTLS13 = %v, Go versions %v", c.Name, c.IsTLS13(), s.SupportedVersions)
		}
	}
}

func TestCipherTableConsistent(t *testing.T) {
	ids := map[uint16]bool{}
	names := map[string]bool{}
	for _, c := range Ciphers() {
		if ids[c.ID] || names[c.Name] || (c.IANA != c.Name && names[c.IANA]) {
			t.Errorf("duplicate row %s", c.Name)
		}
		ids[c.ID], names[c.Name], names[c.IANA] = true, true, true
		if !strings.HasPrefix(c.IANA, "TLS_") {
			t.Errorf("%s: IANA name %q", c.Name, c.IANA)
		}
		for _, s := range []string{c.Kx.String(), c.Au.String(), c.Enc.String(), c.Mac.String()} {
			if strings.Contains(s, "unknown") || strings.HasPrefix(s, "Enc(") {
				t.Errorf("%s: column %q", c.Name, s)
			}
		}
		if c.StrengthBits() > c.AlgBits() {
			t.Errorf("%s: strength %d > alg bits %d", c.Name, c.StrengthBits(), c.AlgBits())
		}
	}
	if _, ok := CipherByName("aes128-sha"); ok {
		t.Error("CipherByName must be case sensitive, as openssl is")
	}
	if _, ok := CipherByID(0xffff); ok {
		t.Error("CipherByID(0xffff) found something")
	}
}

func TestCipherBits(t *testing.T) {
	tests := []struct {
		name          string
		alg, strength int
		version       string
	}{
		{"AES128-SHA", 128, 128, "SSLv3"},
		{"ECDHE-RSA-AES256-GCM-SHA384", 256, 256, "TLSv1.2"},
		{"ECDHE-RSA-AES128-SHA", 128, 128, "TLSv1"},
		{"DES-CBC3-SHA", 168, 112, "SSLv3"},
		{"NULL-SHA", 0, 0, "SSLv3"},
		{"TLS_CHACHA20_POLY1305_SHA256", 256, 256, "TLSv1.3"},
	}
	for _, tt := range tests {
		c, ok := CipherByName(tt.name)
		if !ok {
			t.Fatalf("%s missing", tt.name)
		}
		if c.AlgBits() != tt.alg || c.StrengthBits() != tt.strength || c.Version != tt.version {
			t.Errorf("%s: bits %d/%d version %s, want %d/%d %s", tt.name,
				c.AlgBits(), c.StrengthBits(), c.Version, tt.alg, tt.strength, tt.version)
		}
	}
}

func BenchmarkParseCipherString(b *testing.B) {
	for b.Loop() {
		if _, err := ParseCipherString("DEFAULT:!kRSA:ECDHE+AESGCM:@STRENGTH"); err != nil {
			b.Fatal(err)
		}
	}
}
