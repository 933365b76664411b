package tlsnames

import (
	"bufio"
	"crypto/tls"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "re-record testdata/ciphers.golden from the openssl on PATH")

const goldenPath = "testdata/ciphers.golden"

// cipherStrings are recorded against openssl; they cover every keyword,
// each operator, separators, syntax errors and real-world lists.
var cipherStrings = []string{
	"ALL", "DEFAULT", "HIGH", "MEDIUM", "LOW", "COMPLEMENTOFDEFAULT", "COMPLEMENTOFALL",
	"ALL:COMPLEMENTOFALL", "ECDHE+AESGCM", "kRSA", "RSA", "aRSA", "aECDSA", "ECDSA",
	"HIGH:!aNULL:!MD5", "ECDHE:!SHA1", "AES128-SHA:ECDHE-RSA-AES256-GCM-SHA384",
	"DEFAULT:@STRENGTH", "-ALL:AES", "ALL:-AES:+CHACHA20", "@SECLEVEL=2:ALL",
	"@SECLEVEL=0:ALL", "@SECLEVEL=1:ALL", "@SECLEVEL=3:ALL", "@SECLEVEL=4:ALL", "@SECLEVEL=5:ALL",
	"ALL:@SECLEVEL=0:COMPLEMENTOFALL",
	// Mozilla intermediate and modern (v5.7), and old-style server lists.
	"ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305",
	"ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-SHA256:ECDHE-RSA-AES128-SHA256:ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA384:ECDHE-RSA-AES256-SHA384:ECDHE-ECDSA-AES256-SHA:ECDHE-RSA-AES256-SHA:DHE-RSA-AES128-SHA256:DHE-RSA-AES256-SHA256:AES128-GCM-SHA256:AES256-GCM-SHA384:AES128-SHA256:AES256-SHA256:AES128-SHA:AES256-SHA:DES-CBC3-SHA",
	"EECDH+AESGCM:EDH+AESGCM", "EECDH+AESGCM:EDH+AESGCM:AES256+EECDH:AES256+EDH",
	"HIGH:!aNULL:!eNULL:!EXPORT:!DES:!RC4:!MD5:!PSK:!SRP:!CAMELLIA",
	"kEECDH:+kEECDH+SHA:kEDH:+kEDH+SHA:+kEDH+CAMELLIA:kECDH:+kECDH+SHA:kRSA:+kRSA+SHA:+kRSA+CAMELLIA:!aNULL:!eNULL:!SSLv2:!RC4:!DES:!EXP:!SEED:!IDEA:+3DES",
	"AES", "AES128", "AES256", "AESGCM", "AESCCM", "AESCCM8", "CHACHA20", "CAMELLIA", "CAMELLIA128",
	"ARIA", "ARIA256", "SHA1", "SHA", "SHA256", "SHA384", "MD5", "PSK", "kPSK", "aPSK", "kRSAPSK",
	"kDHEPSK", "kECDHEPSK", "SRP", "aSRP", "kDHE", "DHE", "EDH", "ADH", "kECDHE", "ECDH", "ECDHE", "AECDH",
	"aNULL", "eNULL", "NULL", "aDSS", "DSS", "FIPS", "CBC", "TLSv1.2", "TLSv1.0", "TLSv1", "SSLv3",
	"3DES", "RC4", "DES-CBC3-SHA", "FOO", "", "kRSA:DEFAULT", "DEFAULTX", " DEFAULT", "DEFAULT+AES",
	"DEFAULT:+AES", "DEFAULT:!kRSA", "SUITEB128", "SUITEB128ONLY", "SUITEB192", "SUITEB128:ALL", "kRSA:SUITEB128",
	"FIPS+HIGH", "HIGH+FIPS", "AES+SHA1", "AES128-SHA+AES256-SHA", "AES128-SHA+RSA", "AES128-SHA+ECDHE",
	"RSA+SHA1+AES128", "kRSA+kECDHE", "ECDHE+aNULL", "AECDH+ECDSA", "TLSv1.2+SSLv3", "SSLv3+AES128-SHA",
	"AES128-SHA;AES256-SHA", "AES128-SHA,AES256-SHA AES256-GCM-SHA384", ":::AES128-SHA:::",
	"ALL:#", "AES128_SHA", "@FOO:AES128-SHA", "AES128-SHA:@STRENGTH=x", "ALL:@strength", "!", "AES+",
	"+AES", "AES++SHA1", "AES128-SHA+", "FOO+#", "FOO+", "AES+FOO+#", "AES+#", "AES128-SHA:FOO+",
	"@SECLEVEL=9:ALL", "@SECLEVEL=:ALL", "@SECLEVEL=2x:ALL", "@SECLEVEL=0+AES:ALL", "AES+@STRENGTH",
	"@STRENGTH+AES", "AES128-SHA@STRENGTH", "aes", "TLS_RSA_WITH_AES_128_CBC_SHA",
	"ALL:!kRSA:-aECDSA:aECDSA+SHA1:+SHA256:@STRENGTH", "-kRSA:kRSA:AES128-SHA:+kRSA",
	"ALL:-kECDHE:kECDHE+AES128:@STRENGTH:+AES256", "eNULL:ALL:@STRENGTH", "!kRSA:ALL", "AESGCM:!kRSA:+AESGCM",
	"ECDHE-RSA-AES128-GCM-SHA256:!ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256",
	"ALL:!COMPLEMENTOFDEFAULT:!eNULL", "DEFAULT:!CAMELLIA:@SECLEVEL=3",
	"AES#", "AES128-SHA!kRSA", "kRSA-AES", "ALL:!aNULL@STRENGTH", "HIGH\t:AES", "kRSA:+", "kRSA:@",
	"kRSA:@STRENGTH:@SECLEVEL=1:@STRENGTH", "TLSv1.2+kRSA+AES256", "SSLv3+TLSv1", "AES128-SHA+TLSv1.2",
	"kRSA:-AES128-SHA:AES128-SHA", "ADH-AES128-SHA:ALL:!ADH-AES128-SHA:ADH-AES128-SHA", "DEFAULT:",
	"DEFAULT:DEFAULT", "DEFAULTDEFAULT", "DEFAULT,kRSA", "SUITEB128x:kRSA", "CHACHA20:-kECDHE:kECDHE+CHACHA20",
}

// goldenEntry is one recorded `openssl ciphers` run.
type goldenEntry struct {
	Str       string   `json:"str"`
	All       []string `json:"all,omitempty"`       // openssl ciphers -ciphersuites '' -V STR
	Supported []string `json:"supported,omitempty"` // the same with -s
	Err       string   `json:"err,omitempty"`       // reason in openssl's error-queue line
}

func readGolden(t *testing.T) []goldenEntry {
	t.Helper()
	f, err := os.Open(goldenPath)
	if err != nil {
		t.Fatalf("%v (run go test -update with openssl installed)", err)
	}
	defer f.Close()
	var out []goldenEntry
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var e goldenEntry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

var (
	verboseLine = regexp.MustCompile(`^\s*0x[0-9A-F]{2},0x[0-9A-F]{2} - (\S+)`)
	queueReason = regexp.MustCompile(`:error:[0-9A-F]+:SSL routines:[^:]*:([^:]*):`)
)

func runOpenSSLCiphers(t *testing.T, args ...string) (names []string, reason string) {
	t.Helper()
	out, err := exec.Command("openssl", append([]string{"ciphers", "-ciphersuites", ""}, args...)...).CombinedOutput()
	if m := queueReason.FindSubmatch(out); m != nil {
		return nil, string(m[1])
	}
	if err != nil {
		t.Fatalf("openssl ciphers %q: %v\n%s", args, err, out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if m := verboseLine.FindStringSubmatch(line); m != nil {
			names = append(names, m[1])
		}
	}
	return names, ""
}

func recordGolden(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Fatal("-update needs openssl on PATH")
	}
	var b strings.Builder
	for _, s := range cipherStrings {
		e := goldenEntry{Str: s}
		e.All, e.Err = runOpenSSLCiphers(t, "-V", "--", s)
		if e.Err == "" {
			e.Supported, _ = runOpenSSLCiphers(t, "-s", "-V", "--", s)
		}
		j, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(j)
		b.WriteByte('\n')
	}
	if err := os.MkdirAll(filepath.Dir(goldenPath), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(goldenPath, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

func names(cs []Cipher) []string {
	out := []string{}
	for _, c := range cs {
		out = append(out, c.Name)
	}
	return out
}

// clientSupported is what `openssl ciphers -s` keeps: suites allowed at
// the security level, minus PSK and SRP suites, which a client without
// a PSK or SRP callback never offers.
func clientSupported(spec CipherSpec) []Cipher {
	level := spec.SecLevel
	if level < 0 {
		level = DefaultSecLevel
	}
	var out []Cipher
	for _, c := range FilterSecLevel(spec.Ciphers, level) {
		if c.Kx&(kxPSKAll|KxSRP) == 0 {
			out = append(out, c)
		}
	}
	return out
}

// goOnly keeps the suites crypto/tls implements.
func goOnly(ns []string) []string {
	impl := map[uint16]bool{}
	for _, s := range append(tls.CipherSuites(), tls.InsecureCipherSuites()...) {
		impl[s.ID] = true
	}
	var out []string
	for _, n := range ns {
		if c, ok := CipherByName(n); ok && impl[c.ID] {
			out = append(out, n)
		}
	}
	return out
}

func TestCipherStringGolden(t *testing.T) {
	if *update {
		recordGolden(t)
	}
	golden := readGolden(t)
	if len(golden) < 30 {
		t.Fatalf("golden file has %d entries, want at least 30", len(golden))
	}
	recorded := map[string]bool{}
	for _, g := range golden {
		recorded[g.Str] = true
		spec, err := ParseCipherSpec(g.Str)
		if g.Err != "" {
			var ce *ConfError
			if !errors.As(err, &ce) || ce.Reason != g.Err {
				t.Errorf("ParseCipherSpec(%q) error = %v, want reason %q", g.Str, err, g.Err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseCipherSpec(%q): %v", g.Str, err)
			continue
		}
		if got := names(spec.Ciphers); !slices.Equal(got, g.All) {
			t.Errorf("ParseCipherSpec(%q) =\n  %v\nopenssl ciphers -V:\n  %v", g.Str, got, g.All)
		}
		if got := names(clientSupported(spec)); !slices.Equal(got, nonNil(g.Supported)) {
			t.Errorf("supported(%q) =\n  %v\nopenssl ciphers -s -V:\n  %v", g.Str, got, g.Supported)
		}
		// The contract the rest of tlskit relies on: what Go can offer.
		if got, want := goOnly(names(clientSupported(spec))), goOnly(g.Supported); !slices.Equal(got, want) {
			t.Errorf("Go suites of %q = %v, want %v", g.Str, got, want)
		}
	}
	for _, s := range cipherStrings {
		if !recorded[s] {
			t.Errorf("%q is not in %s; run go test -update", s, goldenPath)
		}
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
