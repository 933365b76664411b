package keys

import (
	"crypto"
	"encoding/hex"
	"testing"
)

// TestPRFAgainstOpenSSL checks the PRFs against vectors made on this
// machine with OpenSSL 3.0's TLS1-PRF KDF, whose seed is the label
// followed by the seed:
//
//	openssl kdf -keylen 100 -kdfopt digest:SHA256 \
//	  -kdfopt hexsecret:9bbe436ba940f017b17652849a71db35 \
//	  -kdfopt hexseed:$(printf 'test label' | xxd -p)a0ba9f936cda311827a6f796ffd5198c TLS1-PRF
//
// and likewise with digest:SHA384 and digest:MD5-SHA1 (TLS 1.0/1.1's
// PRF; the odd secret length makes its halves share a byte).
func TestPRFAgainstOpenSSL(t *testing.T) {
	for _, c := range []struct {
		name         string
		prf          PRF
		secret, seed string
		want         string
	}{
		{"P_SHA256", PRF{0x0303, crypto.SHA256}, "9bbe436ba940f017b17652849a71db35", "a0ba9f936cda311827a6f796ffd5198c",
			"e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff70187347b66"},
		{"P_SHA384", PRF{0x0303, crypto.SHA384}, "b80b733d6ceefcdc71566ea48e5567df", "cd665cf6a8447dd6ff8b27555edb7465",
			"7b0c18e9ced410ed1804f2cfa34a336a1c14dffb4900bb5fd7942107e81c83cde9ca0faa60be9fe34f82b1233c9146a0"},
		{"MD5+SHA1", PRF{0x0301, 0}, "0102030405060708090a0b0c0d0e0f1011", "a0ba9f936cda311827a6f796ffd5198c",
			"f96994cf16db57ee5af560084e1b9fa2e1bffde1858bf529381315f67d71d3ef413428a3edebf81e"},
	} {
		got := c.prf.Sum(unhex(t, c.secret), "test label", unhex(t, c.seed), len(c.want)/2)
		check(t, c.name, got, c.want)
	}
}

// TestPRFDerivations pins how the derivations lay out their seeds: each
// must equal the bare PRF over the RFC's label and seed.
func TestPRFDerivations(t *testing.T) {
	p := PRF{0x0303, crypto.SHA256}
	pre, cr, sr := []byte("pre"), []byte("client-random"), []byte("server-random")
	check(t, "master", p.MasterSecret(pre, cr, sr), hexOf(p.Sum(pre, "master secret", []byte("client-randomserver-random"), 48)))
	check(t, "key block", p.KeyBlock(pre, cr, sr, 40), hexOf(p.Sum(pre, "key expansion", []byte("server-randomclient-random"), 40)))
	check(t, "export no context", p.Export(pre, cr, sr, "EXPORTER", nil, 20), hexOf(p.Sum(pre, "EXPORTER", []byte("client-randomserver-random"), 20)))
	check(t, "export empty context", p.Export(pre, cr, sr, "EXPORTER", []byte{}, 20), hexOf(p.Sum(pre, "EXPORTER", []byte("client-randomserver-random\x00\x00"), 20)))
	if len(PRF{0x0301, 0}.HandshakeHash(nil)) != 36 || len(p.HandshakeHash(nil)) != 32 {
		t.Error("handshake hash lengths")
	}
	check(t, "legacy master", PRF{0x0302, 0}.MasterSecret(pre, cr, sr), hexOf(PRF10(pre, "master secret", []byte("client-randomserver-random"), 48)))
}

func hexOf(b []byte) string { return hex.EncodeToString(b) }
