package tlsnames

import (
	"crypto/tls"
	"slices"
	"testing"
)

// Observed with openssl s_server -groups G and s_client (3.0.19).
func TestTempKeyString(t *testing.T) {
	tests := []struct {
		id   tls.CurveID
		want string
	}{
		{tls.X25519, "X25519, 253 bits"},
		{30, "X448, 448 bits"},
		{tls.CurveP256, "ECDH, prime256v1, 256 bits"},
		{tls.CurveP384, "ECDH, secp384r1, 384 bits"},
		{tls.CurveP521, "ECDH, secp521r1, 521 bits"},
		{22, "ECDH, secp256k1, 256 bits"},
		{26, "ECDH, brainpoolP256r1, 256 bits"},
		{256, "DH, 2048 bits"},
		{257, "DH, 3072 bits"},
		{260, "DH, 8192 bits"},
		{tls.X25519MLKEM768, "X25519MLKEM768"},
		{tls.SecP256r1MLKEM768, "SecP256r1MLKEM768"},
		{tls.SecP384r1MLKEM1024, "SecP384r1MLKEM1024"},
		{0x1234, "0x1234"},
	}
	for _, tt := range tests {
		if got := TempKeyString(tt.id); got != tt.want {
			t.Errorf("TempKeyString(%d) = %q, want %q", tt.id, got, tt.want)
		}
	}
}

func TestParseGroups(t *testing.T) {
	tests := []struct {
		in   string
		want []tls.CurveID
	}{
		{"X25519:P-256:P-384:P-521", []tls.CurveID{tls.X25519, tls.CurveP256, tls.CurveP384, tls.CurveP521}},
		{"x25519:prime256v1:secp384r1:secp521r1", []tls.CurveID{tls.X25519, tls.CurveP256, tls.CurveP384, tls.CurveP521}},
		{"X25519MLKEM768:SecP256r1MLKEM768:SecP384r1MLKEM1024", []tls.CurveID{tls.X25519MLKEM768, tls.SecP256r1MLKEM768, tls.SecP384r1MLKEM1024}},
		{"ffdhe2048", []tls.CurveID{256}},
		{"p-256", nil},
		{"P-256:P-256", nil},
	}
	for _, tt := range tests {
		got, err := ParseGroups(tt.in)
		if (err != nil) != (tt.want == nil) || !slices.Equal(got, tt.want) {
			t.Errorf("ParseGroups(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestGroupTable(t *testing.T) {
	seen := map[string]bool{}
	for _, g := range Groups() {
		for _, n := range append([]string{g.Name}, g.Aliases...) {
			if seen[n] {
				t.Errorf("name %q used twice", n)
			}
			seen[n] = true
			if got, ok := GroupByName(n); !ok || got.ID != g.ID {
				t.Errorf("GroupByName(%q) = %v, %v", n, got.ID, ok)
			}
		}
		if GroupName(g.ID) != g.Name {
			t.Errorf("GroupName(%d) = %q", g.ID, GroupName(g.ID))
		}
	}
	// Every group crypto/tls enables by default must be nameable.
	for _, id := range []tls.CurveID{tls.X25519, tls.CurveP256, tls.CurveP384, tls.CurveP521,
		tls.X25519MLKEM768, tls.SecP256r1MLKEM768, tls.SecP384r1MLKEM1024} {
		g, ok := GroupByID(id)
		if !ok || !g.GoSupported() {
			t.Errorf("Go group %v missing or not marked GoSupported", id)
		}
		if g.IsHybridKEM() != (g.Bits == 0) {
			t.Errorf("%s: IsHybridKEM inconsistent", g.Name)
		}
	}
	if g, _ := GroupByID(22); g.GoSupported() {
		t.Error("secp256k1 marked GoSupported")
	}
	if GroupName(0x4242) != "0x4242" {
		t.Errorf("GroupName(0x4242) = %q", GroupName(0x4242))
	}
}

// Observed: Peer signing digest / Peer signature type lines, and the
// Requested Signature Algorithms list of an openssl 3.0 server.
func TestSigalgNames(t *testing.T) {
	tests := []struct {
		s                    tls.SignatureScheme
		digest, typ, display string
	}{
		{tls.PSSWithSHA256, "SHA256", "RSA-PSS", "RSA-PSS+SHA256"},
		{tls.PSSWithSHA512, "SHA512", "RSA-PSS", "RSA-PSS+SHA512"},
		{tls.PKCS1WithSHA384, "SHA384", "RSA", "RSA+SHA384"},
		{tls.PKCS1WithSHA1, "SHA1", "RSA", "RSA+SHA1"},
		{tls.ECDSAWithP256AndSHA256, "SHA256", "ECDSA", "ECDSA+SHA256"},
		{tls.ECDSAWithP384AndSHA384, "SHA384", "ECDSA", "ECDSA+SHA384"},
		{tls.ECDSAWithSHA1, "SHA1", "ECDSA", "ECDSA+SHA1"},
		{tls.Ed25519, "", "ed25519", "ed25519"},
		{0x0808, "", "ed448", "ed448"},
		{0x0809, "SHA256", "RSA-PSS", "rsa_pss_pss_sha256"},
		{0x0301, "SHA224", "RSA", "RSA+SHA224"},
		{0x0402, "SHA256", "DSA", "DSA+SHA256"},
		{0x0a0a, "", "", "0x0a0a"},
	}
	for _, tt := range tests {
		if d, ty, n := SigalgDigest(tt.s), SigalgType(tt.s), SigalgName(tt.s); d != tt.digest || ty != tt.typ || n != tt.display {
			t.Errorf("%#04x: digest %q type %q name %q, want %q %q %q", uint16(tt.s), d, ty, n, tt.digest, tt.typ, tt.display)
		}
	}
	// The default list an openssl 3.0 server requests at security level 2.
	want := "ECDSA+SHA256:ECDSA+SHA384:ECDSA+SHA512:ed25519:ed448:rsa_pss_pss_sha256:rsa_pss_pss_sha384:rsa_pss_pss_sha512:RSA-PSS+SHA256:RSA-PSS+SHA384:RSA-PSS+SHA512:RSA+SHA256:RSA+SHA384:RSA+SHA512:ECDSA+SHA224:RSA+SHA224:DSA+SHA224:DSA+SHA256:DSA+SHA384:DSA+SHA512"
	var schemes []tls.SignatureScheme
	for _, a := range Sigalgs() {
		if a.Hash != "SHA1" {
			schemes = append(schemes, a.Scheme)
		}
	}
	if got := SigalgList(schemes); got != want {
		t.Errorf("SigalgList(default) =\n%s\nwant\n%s", got, want)
	}
}

func TestParseSigalgs(t *testing.T) {
	tests := []struct {
		in   string
		want []tls.SignatureScheme
	}{
		{"RSA-PSS+SHA256:PSS+sha384:rsa_pss_pss_sha256", []tls.SignatureScheme{tls.PSSWithSHA256, tls.PSSWithSHA384, 0x0809}},
		{"ECDSA+SHA512:ed25519", []tls.SignatureScheme{tls.ECDSAWithP521AndSHA512, tls.Ed25519}},
		{"RSA+SHA1:ECDSA+SHA1", []tls.SignatureScheme{tls.PKCS1WithSHA1, tls.ECDSAWithSHA1}},
		{"ecdsa_sha1", nil},
		{"RSA+SHA256:rsa_pkcs1_sha256", nil},
	}
	for _, tt := range tests {
		got, err := ParseSigalgs(tt.in)
		if (err != nil) != (tt.want == nil) || !slices.Equal(got, tt.want) {
			t.Errorf("ParseSigalgs(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestVersions(t *testing.T) {
	tests := []struct {
		v         uint16
		name, msg string
	}{
		{tls.VersionTLS10, "TLSv1", "TLS 1.0"},
		{tls.VersionTLS11, "TLSv1.1", "TLS 1.1"},
		{tls.VersionTLS12, "TLSv1.2", "TLS 1.2"},
		{tls.VersionTLS13, "TLSv1.3", "TLS 1.3"},
		{0x0300, "SSLv3", "SSL 3.0"},
		{VersionDTLS12, "DTLSv1.2", "DTLS 1.2"},
		{VersionDTLS10, "DTLSv1", "DTLS 1.0"},
	}
	for _, tt := range tests {
		if VersionName(tt.v) != tt.name || VersionMsgName(tt.v) != tt.msg {
			t.Errorf("%#04x: %q %q, want %q %q", tt.v, VersionName(tt.v), VersionMsgName(tt.v), tt.name, tt.msg)
		}
		if v, err := ParseVersion(tt.name); err != nil || v != tt.v {
			t.Errorf("ParseVersion(%q) = %#04x, %v", tt.name, v, err)
		}
	}
	if v, err := ParseVersion("None"); v != 0 || err != nil {
		t.Errorf("ParseVersion(None) = %v, %v", v, err)
	}
	if VersionName(0x0999) != "unknown" || VersionMsgName(0x0999) != "0x0999" {
		t.Error("unknown version names")
	}
}
