package tlsnames

import (
	"slices"
	"testing"

	"github.com/tlskit/tlskit/internal/engine"
	"github.com/tlskit/tlskit/internal/engine/kx"
	"github.com/tlskit/tlskit/internal/engine/sig"
)

// Observed with openssl s_server -groups G and s_client (3.0.19).
func TestTempKeyString(t *testing.T) {
	tests := []struct {
		id   uint16
		want string
	}{
		{kx.X25519, "X25519, 253 bits"},
		{30, "X448, 448 bits"},
		{kx.Secp256r1, "ECDH, prime256v1, 256 bits"},
		{kx.Secp384r1, "ECDH, secp384r1, 384 bits"},
		{kx.Secp521r1, "ECDH, secp521r1, 521 bits"},
		{22, "ECDH, secp256k1, 256 bits"},
		{26, "ECDH, brainpoolP256r1, 256 bits"},
		{256, "DH, 2048 bits"},
		{257, "DH, 3072 bits"},
		{260, "DH, 8192 bits"},
		{kx.X25519MLKEM768, "X25519MLKEM768"},
		{kx.SecP256r1MLKEM768, "SecP256r1MLKEM768"},
		{kx.SecP384r1MLKEM1024, "SecP384r1MLKEM1024"},
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
		want []uint16
	}{
		{"X25519:P-256:P-384:P-521", []uint16{kx.X25519, kx.Secp256r1, kx.Secp384r1, kx.Secp521r1}},
		{"x25519:prime256v1:secp384r1:secp521r1", []uint16{kx.X25519, kx.Secp256r1, kx.Secp384r1, kx.Secp521r1}},
		{"X25519MLKEM768:SecP256r1MLKEM768:SecP384r1MLKEM1024", []uint16{kx.X25519MLKEM768, kx.SecP256r1MLKEM768, kx.SecP384r1MLKEM1024}},
		{"ffdhe2048", []uint16{256}},
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
	// Every group the own engine implements must be nameable.
	for _, id := range []uint16{kx.X25519, kx.Secp256r1, kx.Secp384r1, kx.Secp521r1, kx.X448,
		kx.X25519MLKEM768, kx.SecP256r1MLKEM768, kx.SecP384r1MLKEM1024, 256, 257, 258, 259, 260} {
		g, ok := GroupByID(id)
		if !ok || g.Name != kx.Name(id) {
			t.Errorf("engine group %#04x missing or named %q, engine says %q", id, g.Name, kx.Name(id))
		}
		if g.IsHybridKEM() != (g.Bits == 0) {
			t.Errorf("%s: IsHybridKEM inconsistent", g.Name)
		}
	}
	if GroupName(0x4242) != "0x4242" {
		t.Errorf("GroupName(0x4242) = %q", GroupName(0x4242))
	}
}

// Observed: Peer signing digest / Peer signature type lines, and the
// Requested Signature Algorithms list of an openssl 3.0 server.
func TestSigalgNames(t *testing.T) {
	tests := []struct {
		s                    uint16
		digest, typ, display string
	}{
		{sig.RSAPSSRSAESHA256, "SHA256", "RSA-PSS", "RSA-PSS+SHA256"},
		{sig.RSAPSSRSAESHA512, "SHA512", "RSA-PSS", "RSA-PSS+SHA512"},
		{sig.RSAPKCS1SHA384, "SHA384", "RSA", "RSA+SHA384"},
		{sig.RSAPKCS1SHA1, "SHA1", "RSA", "RSA+SHA1"},
		{sig.ECDSAP256SHA256, "SHA256", "ECDSA", "ECDSA+SHA256"},
		{sig.ECDSAP384SHA384, "SHA384", "ECDSA", "ECDSA+SHA384"},
		{sig.ECDSASHA1, "SHA1", "ECDSA", "ECDSA+SHA1"},
		{sig.Ed25519, "", "ed25519", "ed25519"},
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
	var schemes []uint16
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
		want []uint16
	}{
		{"RSA-PSS+SHA256:PSS+sha384:rsa_pss_pss_sha256", []uint16{sig.RSAPSSRSAESHA256, sig.RSAPSSRSAESHA384, 0x0809}},
		{"ECDSA+SHA512:ed25519", []uint16{sig.ECDSAP521SHA512, sig.Ed25519}},
		{"RSA+SHA1:ECDSA+SHA1", []uint16{sig.RSAPKCS1SHA1, sig.ECDSASHA1}},
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
		{engine.VersionTLS10, "TLSv1", "TLS 1.0"},
		{engine.VersionTLS11, "TLSv1.1", "TLS 1.1"},
		{engine.VersionTLS12, "TLSv1.2", "TLS 1.2"},
		{engine.VersionTLS13, "TLSv1.3", "TLS 1.3"},
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
