package suites

import "testing"

// TestDecryptProvider: the provider lines openssl 3.0 queues for a record
// that does not open (measured with s_client against a corrupting
// proxy, see sclient's TestBadRecordMACLikeOpenSSL): TLS 1.2 AES-GCM and
// TLS 1.3 AES-CCM have one, the others none here.
func TestDecryptProvider(t *testing.T) {
	for _, tc := range []struct {
		id   uint16
		want string
	}{
		{ECDHERSAAES128GCMSHA256, "ossl_gcm_stream_update"},
		{ECDHERSAChaCha20, ""},
		{ECDHERSAAES128SHA, ""},
		{AES128GCMSHA256, ""},
		{AES256GCMSHA384, ""},
		{ChaCha20Poly1305SHA256, ""},
		{AES128CCMSHA256, "ossl_ccm_stream_update"},
		{AES128CCM8SHA256, "ossl_ccm_stream_update"},
		{0xffff, ""},
	} {
		if got := DecryptProvider(tc.id); got != tc.want {
			t.Errorf("DecryptProvider(%#04x) = %q, want %q", tc.id, got, tc.want)
		}
	}
}
