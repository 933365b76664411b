package tlsnames

import (
	"bufio"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
)

const confGoldenPath = "testdata/conf.golden"

// confCases are option values whose acceptance and stderr lines were
// recorded from `openssl s_client OPT VALUE -connect 127.0.0.1:1`.
var confCases = []struct{ opt, val string }{
	{"-cipher", "FOO"}, {"-cipher", "ALL:#"}, {"-cipher", "AES128-SHA"}, {"-cipher", ""},
	{"-ciphersuites", "FOO"}, {"-ciphersuites", ":"}, {"-ciphersuites", "TLS_AES_128_GCM_SHA256:FOO"},
	{"-ciphersuites", "TLS_AES_128_GCM_SHA256,TLS_AES_256_GCM_SHA384"}, {"-ciphersuites", "tls_aes_128_gcm_sha256"},
	{"-groups", "foo"}, {"-groups", "P-256:foo:bar"}, {"-groups", "P-256"}, {"-groups", "p-256"},
	{"-groups", "prime256v1"}, {"-groups", "PRIME256V1"}, {"-groups", "secp256r1"}, {"-groups", "x25519"},
	{"-groups", "X25519"}, {"-groups", "X448"}, {"-groups", "x448"}, {"-groups", "P-384:P-521"},
	{"-groups", "secp384r1:secp521r1"}, {"-groups", "ffdhe2048:ffdhe3072:ffdhe4096:ffdhe6144:ffdhe8192"},
	{"-groups", "FFDHE2048"}, {"-groups", "P-256:P-256"}, {"-groups", "P-256:prime256v1"}, {"-groups", "x25519:X25519"},
	{"-groups", "P-256::X25519"}, {"-groups", "P-256:"}, {"-groups", ""}, {"-groups", " P-256 : X25519 "},
	{"-groups", "P-256,X25519"}, {"-groups", "secp256k1:brainpoolP256r1:brainpoolP512r1:sect571r1"},
	{"-groups", "P-192:P-224:K-163:B-571"}, {"-groups", "X25519MLKEM768"}, {"-curves", "foo"}, {"-curves", "P-256"},
	{"-sigalgs", "foo"}, {"-sigalgs", "rsa_pss_rsae_sha256:rsa_pss_pss_sha512:ed25519:ed448"},
	{"-sigalgs", "rsa_pkcs1_sha1:rsa_pkcs1_sha224:ecdsa_secp384r1_sha384"}, {"-sigalgs", "ecdsa_sha1"},
	{"-sigalgs", "ecdsa_sha224"}, {"-sigalgs", "Ed25519"}, {"-sigalgs", "RSA_PSS_RSAE_SHA256"}, {"-sigalgs", "dsa_sha256"},
	{"-sigalgs", "RSA+SHA256:RSA-PSS+SHA384:PSS+SHA512:ECDSA+SHA256:DSA+SHA1:ECDSA+SHA224"},
	{"-sigalgs", "RSA+sha256"}, {"-sigalgs", "rsa+sha256"}, {"-sigalgs", "RSA+SHA-256"}, {"-sigalgs", "RSA+MD5"},
	{"-sigalgs", "RSA-PSS+SHA1"}, {"-sigalgs", "RSA+SHA256:RSA+SHA256"}, {"-sigalgs", "rsa_pss_rsae_sha256:RSA-PSS+SHA256"},
	{"-sigalgs", "RSA+SHA256:"}, {"-sigalgs", " RSA+SHA256 "}, {"-sigalgs", "RSA +SHA256"}, {"-sigalgs", "RSA+SHA256+SHA1"},
	{"-sigalgs", "RSA"}, {"-sigalgs", "ecdsa_brainpoolP256r1_sha256"}, {"-client_sigalgs", "foo"},
	{"-min_protocol", "TLSv1"}, {"-min_protocol", "TLSv1.0"}, {"-min_protocol", "TLSv1.1"}, {"-min_protocol", "TLSv1.2"},
	{"-min_protocol", "TLSv1.3"}, {"-max_protocol", "tlsv1.2"}, {"-min_protocol", "SSLv3"}, {"-min_protocol", "None"},
	{"-min_protocol", "none"}, {"-min_protocol", "DTLSv1"}, {"-min_protocol", "DTLSv1.2"}, {"-min_protocol", "DTLSv1.0"},
	{"-max_protocol", "TLSV1.2"}, {"-max_protocol", ""},
}

// deliberate lists where tlskit knowingly accepts what openssl 3.0
// refuses: the ML-KEM hybrids crypto/tls implements (OpenSSL 3.5 has them).
var deliberate = map[string]bool{"-groups X25519MLKEM768": true}

// parseConf runs the parser for an option as s_client would.
func parseConf(opt, val string) error {
	var err error
	switch opt {
	case "-cipher":
		_, err = ParseCipherString(val)
	case "-ciphersuites":
		_, err = ParseCipherSuites(val)
	case "-groups":
		_, err = ParseGroups(val)
	case "-curves":
		_, err = ParseCurves(val)
	case "-sigalgs":
		_, err = ParseSigalgs(val)
	case "-client_sigalgs":
		_, err = ParseClientSigalgs(val)
	case "-min_protocol", "-max_protocol":
		_, err = ParseVersionFor(opt, val)
	default:
		panic(opt)
	}
	return err
}

var (
	queueThread = regexp.MustCompile(`^[0-9A-F]+:error:`)
	queueFile   = regexp.MustCompile(`:[^:]*(\.c|tlskit):[0-9]+:`)
)

// normLine hides what legitimately differs: openssl's thread ID and
// source location.
func normLine(s string) string {
	return queueFile.ReplaceAllString(queueThread.ReplaceAllString(s, "T:error:"), ":FILE:")
}

// confEntry is one recorded line; Lines is empty when openssl accepted the value.
type confEntry struct {
	Opt   string   `json:"opt"`
	Val   string   `json:"val"`
	Lines []string `json:"lines"`
}

func recordConf(t *testing.T) {
	var b strings.Builder
	for _, c := range confCases {
		out, _ := exec.Command("openssl", "s_client", c.opt, c.val, "-connect", "127.0.0.1:1").CombinedOutput()
		lines := strings.Split(string(out), "\n")
		var rec []string
		if strings.HasPrefix(lines[0], "Call to SSL_CONF_cmd") {
			rec = append(rec, lines[0])
			if len(lines) > 1 && queueThread.MatchString(lines[1]) {
				rec = append(rec, normLine(lines[1]))
			}
		}
		j, err := json.Marshal(confEntry{c.opt, c.val, rec})
		if err != nil {
			t.Fatal(err)
		}
		b.Write(append(j, '\n'))
	}
	if err := os.WriteFile(confGoldenPath, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestConfGolden(t *testing.T) {
	if *update {
		recordConf(t)
	}
	f, err := os.Open(confGoldenPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		var e confEntry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("%s: %v", sc.Text(), err)
		}
		opt, val, want := e.Opt, e.Val, e.Lines
		n++
		err := parseConf(opt, val)
		var got []string
		if err != nil {
			var ce *ConfError
			if !errors.As(err, &ce) {
				t.Fatalf("%s %q: %v is not a *ConfError", opt, val, err)
			}
			for _, l := range ce.Lines() {
				got = append(got, normLine(l))
			}
		}
		if deliberate[opt+" "+val] {
			if got != nil || want == nil {
				t.Errorf("%s %q: expected to differ from openssl 3.0 (we accept, it refuses): got %q, openssl %q", opt, val, got, want)
			}
			continue
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s %q:\n got %q\nwant %q", opt, val, got, want)
		}
	}
	if n != len(confCases) {
		t.Errorf("%s has %d cases, the test lists %d; run go test -update", confGoldenPath, n, len(confCases))
	}
}
