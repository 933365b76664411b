package tlsnames

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestConfErrorLines(t *testing.T) {
	tests := []struct {
		name  string
		parse func() error
		want  []string
	}{
		{"cipher no match", func() error { _, err := ParseCipherString("FOO"); return err }, []string{
			"Call to SSL_CONF_cmd(-cipher, FOO) failed",
			"00000000:error:0A0000B9:SSL routines:SSL_CTX_set_cipher_list:no cipher match:tlskit:0:",
		}},
		{"cipher invalid", func() error { _, err := ParseCipherString("ALL:#"); return err }, []string{
			"Call to SSL_CONF_cmd(-cipher, ALL:#) failed",
			"00000000:error:0A000118:SSL routines:ssl_cipher_process_rulestr:invalid command:tlskit:0:",
		}},
		{"ciphersuites", func() error { _, err := ParseCipherSuites("tls_aes_128_gcm_sha256"); return err }, []string{
			"Call to SSL_CONF_cmd(-ciphersuites, tls_aes_128_gcm_sha256) failed",
			"00000000:error:0A0000B9:SSL routines:set_ciphersuites:no cipher match:tlskit:0:",
		}},
		{"groups unknown", func() error { _, err := ParseGroups("P-256:foo:bar"); return err }, []string{
			"Call to SSL_CONF_cmd(-groups, P-256:foo:bar) failed",
			"00000000:error:0A080106:SSL routines:gid_cb:passed invalid argument:tlskit:0:group 'foo' cannot be set",
		}},
		{"curves duplicate", func() error { _, err := ParseCurves("P-256:prime256v1"); return err }, []string{
			"Call to SSL_CONF_cmd(-curves, P-256:prime256v1) failed",
		}},
		{"sigalgs", func() error { _, err := ParseSigalgs("foo"); return err }, []string{
			"Call to SSL_CONF_cmd(-sigalgs, foo) failed",
		}},
		{"client sigalgs", func() error { _, err := ParseClientSigalgs("RSA+MD5"); return err }, []string{
			"Call to SSL_CONF_cmd(-client_sigalgs, RSA+MD5) failed",
		}},
		{"max protocol", func() error { _, err := ParseVersionFor("-max_protocol", "tlsv1.2"); return err }, []string{
			"Call to SSL_CONF_cmd(-max_protocol, tlsv1.2) failed",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ce *ConfError
			err := tt.parse()
			if !errors.As(err, &ce) {
				t.Fatalf("error %v is not a *ConfError", err)
			}
			if got := ce.Lines(); !slices.Equal(got, tt.want) {
				t.Errorf("Lines() =\n%q\nwant\n%q", got, tt.want)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, "tlsnames: "+ce.Option+" ") {
				t.Errorf("Error() = %q", msg)
			}
		})
	}
}

func TestParseCipherSuites(t *testing.T) {
	tests := []struct {
		in      string
		want    []string
		wantErr bool
	}{
		{DefaultCipherSuites, []string{"TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_GCM_SHA256"}, false},
		{"", []string{}, false},
		// Unknown names are skipped, duplicates kept, blanks trimmed.
		{" TLS_AES_128_GCM_SHA256 :TLS_AES_128_GCM_SHA256:FOO", []string{"TLS_AES_128_GCM_SHA256", "TLS_AES_128_GCM_SHA256"}, false},
		{"TLS_AES_128_CCM_8_SHA256:TLS_AES_128_CCM_SHA256", []string{"TLS_AES_128_CCM_8_SHA256", "TLS_AES_128_CCM_SHA256"}, false},
		{"FOO", nil, true},
		{":", nil, true},
		{"tls_aes_128_gcm_sha256", nil, true},
		{"TLS_AES_128_GCM_SHA256,TLS_AES_256_GCM_SHA384", nil, true},
		{"TLS_AES_128_GCM_SHA256 TLS_AES_256_GCM_SHA384", nil, true},
		{"AES128-SHA", nil, true}, // a TLS 1.2 suite is not a TLS 1.3 one
	}
	for _, tt := range tests {
		got, err := ParseCipherSuites(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseCipherSuites(%q) error %v, wantErr %v", tt.in, err, tt.wantErr)
			continue
		}
		if !tt.wantErr && !slices.Equal(names(got), tt.want) {
			t.Errorf("ParseCipherSuites(%q) = %v, want %v", tt.in, names(got), tt.want)
		}
	}
}

func TestCipherSpecExtras(t *testing.T) {
	tests := []struct {
		in            string
		level, suiteB int
	}{
		{"ALL", -1, 0},
		{"ALL:@SECLEVEL=0", 0, 0},
		{"@SECLEVEL=3:ALL:@SECLEVEL=1", 1, 0},
		{"SUITEB128", -1, 128},
		{"SUITEB128ONLY", -1, 128},
		{"SUITEB192:ALL", -1, 192},
	}
	for _, tt := range tests {
		spec, err := ParseCipherSpec(tt.in)
		if err != nil {
			t.Fatalf("ParseCipherSpec(%q): %v", tt.in, err)
		}
		if spec.SecLevel != tt.level || spec.SuiteB != tt.suiteB {
			t.Errorf("ParseCipherSpec(%q) level %d suiteB %d, want %d %d", tt.in, spec.SecLevel, spec.SuiteB, tt.level, tt.suiteB)
		}
	}
}

func TestAllowedAtSecLevel(t *testing.T) {
	tests := []struct {
		name string
		want [6]bool // levels 0..5
	}{
		{"ECDHE-RSA-AES256-GCM-SHA384", [6]bool{true, true, true, true, true, true}},
		{"ECDHE-RSA-AES128-GCM-SHA256", [6]bool{true, true, true, true, false, false}},
		{"ECDHE-RSA-AES256-SHA", [6]bool{true, true, true, true, false, false}},
		{"AES256-GCM-SHA384", [6]bool{true, true, true, false, false, false}},
		{"ADH-AES256-GCM-SHA384", [6]bool{true, false, false, false, false, false}},
		{"NULL-SHA256", [6]bool{true, false, false, false, false, false}},
		{"DES-CBC3-SHA", [6]bool{true, true, true, false, false, false}},
		{"ECDHE-RSA-RC4-SHA", [6]bool{true, true, false, false, false, false}},
	}
	for _, tt := range tests {
		c, _ := CipherByName(tt.name)
		for level, want := range tt.want {
			if got := c.AllowedAtSecLevel(level); got != want {
				t.Errorf("%s.AllowedAtSecLevel(%d) = %v, want %v", tt.name, level, got, want)
			}
		}
	}
}
