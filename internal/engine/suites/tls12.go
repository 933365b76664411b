package suites

import (
	"crypto"

	"github.com/tlskit/tlskit/internal/engine/msg"
)

// Record protections of TLS 1.0–1.2 suites.
type Cipher uint8

const (
	AESGCM   Cipher = iota + 1 // RFC 5288
	ChaCha20                   // RFC 7905
	AESCBC                     // RFC 5246 §6.2.3.2 with HMAC
)

// Auth is how the server proves itself in a TLS 1.0–1.2 suite.
type Auth uint8

const (
	AuthRSA Auth = iota + 1
	AuthECDSA
	// AuthPSK suites have no certificate: knowing the pre-shared key
	// is the authentication (RFC 4279 §2, §3; RFC 5489 §2).
	AuthPSK
)

// Suite12 is one TLS 1.0–1.2 cipher suite (RFC 5246 Appendix A.5, RFC
// 5288, RFC 5289, RFC 7905, RFC 8422).
type Suite12 struct {
	ID     uint16
	Name   string // OpenSSL's name, e.g. ECDHE-RSA-AES128-GCM-SHA256
	Kx     msg.KeyExchange
	Auth   Auth
	Cipher Cipher
	KeyLen int
	// MAC is the HMAC hash of a CBC suite; zero for AEADs.
	MAC crypto.Hash
	// PRF is the TLS 1.2 PRF hash (RFC 5246 §5, RFC 5289 §3.2).
	PRF crypto.Hash
	// TLS12 marks suites defined for TLS 1.2 only (AEADs, SHA-256/384
	// MACs), which a TLS 1.0/1.1 connection must not negotiate.
	TLS12 bool
}

// KeyBlockLen is the key block a suite takes at a version (RFC 5246
// §6.3): two MAC keys, two write keys, two IVs. The IV is the GCM salt
// (4), ChaCha's nonce base (12), or TLS 1.0's first CBC IV (16; later
// versions send explicit IVs).
func (s Suite12) KeyBlockLen(version uint16) int {
	mac := 0
	if s.MAC != 0 {
		mac = s.MAC.Size()
	}
	return 2 * (mac + s.KeyLen + s.IVLen(version))
}

// IVLen is the per-direction fixed IV length at a version.
func (s Suite12) IVLen(version uint16) int {
	switch s.Cipher {
	case AESGCM:
		return 4
	case ChaCha20:
		return 12
	}
	if version < 0x0302 {
		return 16
	}
	return 0
}

// Code points of the TLS 1.0–1.2 suites this engine has.
const (
	ECDHEECDSAAES256GCMSHA384 uint16 = 0xc02c
	ECDHERSAAES256GCMSHA384   uint16 = 0xc030
	DHERSAAES256GCMSHA384     uint16 = 0x009f
	ECDHEECDSAChaCha20        uint16 = 0xcca9
	ECDHERSAChaCha20          uint16 = 0xcca8
	DHERSAChaCha20            uint16 = 0xccaa
	ECDHEECDSAAES128GCMSHA256 uint16 = 0xc02b
	ECDHERSAAES128GCMSHA256   uint16 = 0xc02f
	DHERSAAES128GCMSHA256     uint16 = 0x009e
	ECDHEECDSAAES256SHA384    uint16 = 0xc024
	ECDHERSAAES256SHA384      uint16 = 0xc028
	DHERSAAES256SHA256        uint16 = 0x006b
	ECDHEECDSAAES128SHA256    uint16 = 0xc023
	ECDHERSAAES128SHA256      uint16 = 0xc027
	DHERSAAES128SHA256        uint16 = 0x0067
	ECDHEECDSAAES256SHA       uint16 = 0xc00a
	ECDHERSAAES256SHA         uint16 = 0xc014
	DHERSAAES256SHA           uint16 = 0x0039
	ECDHEECDSAAES128SHA       uint16 = 0xc009
	ECDHERSAAES128SHA         uint16 = 0xc013
	DHERSAAES128SHA           uint16 = 0x0033
	RSAAES256GCMSHA384        uint16 = 0x009d
	RSAAES128GCMSHA256        uint16 = 0x009c
	RSAAES256SHA256           uint16 = 0x003d
	RSAAES128SHA256           uint16 = 0x003c
	RSAAES256SHA              uint16 = 0x0035
	RSAAES128SHA              uint16 = 0x002f

	// The PSK suites of OpenSSL 3.0's default list (RFC 4279, RFC 5487,
	// RFC 5489, RFC 7905).
	PSKAES128CBCSHA          uint16 = 0x008c
	PSKAES256CBCSHA          uint16 = 0x008d
	DHEPSKAES128CBCSHA       uint16 = 0x0090
	DHEPSKAES256CBCSHA       uint16 = 0x0091
	RSAPSKAES128CBCSHA       uint16 = 0x0094
	RSAPSKAES256CBCSHA       uint16 = 0x0095
	PSKAES128GCMSHA256       uint16 = 0x00a8
	PSKAES256GCMSHA384       uint16 = 0x00a9
	DHEPSKAES128GCMSHA256    uint16 = 0x00aa
	DHEPSKAES256GCMSHA384    uint16 = 0x00ab
	RSAPSKAES128GCMSHA256    uint16 = 0x00ac
	RSAPSKAES256GCMSHA384    uint16 = 0x00ad
	PSKAES128CBCSHA256       uint16 = 0x00ae
	PSKAES256CBCSHA384       uint16 = 0x00af
	DHEPSKAES128CBCSHA256    uint16 = 0x00b2
	DHEPSKAES256CBCSHA384    uint16 = 0x00b3
	RSAPSKAES128CBCSHA256    uint16 = 0x00b6
	RSAPSKAES256CBCSHA384    uint16 = 0x00b7
	ECDHEPSKAES128CBCSHA     uint16 = 0xc035
	ECDHEPSKAES256CBCSHA     uint16 = 0xc036
	ECDHEPSKAES128CBCSHA256  uint16 = 0xc037
	ECDHEPSKAES256CBCSHA384  uint16 = 0xc038
	PSKChaCha20Poly1305      uint16 = 0xccab
	ECDHEPSKChaCha20Poly1305 uint16 = 0xccac
	DHEPSKChaCha20Poly1305   uint16 = 0xccad
	RSAPSKChaCha20Poly1305   uint16 = 0xccae
)

var (
	sha1, sha256, sha384 = crypto.SHA1, crypto.SHA256, crypto.SHA384
)

// all12 is in OpenSSL 3.0's default order with a PSK configured
// (`openssl ciphers -psk -s -tls1_2`); the PSK suites' CBC variants with
// SHA-256/384 MACs are not TLS 1.2-only, unlike the certificate ones.
var all12 = []Suite12{
	{ECDHEECDSAAES256GCMSHA384, "ECDHE-ECDSA-AES256-GCM-SHA384", msg.KxECDHE, AuthECDSA, AESGCM, 32, 0, sha384, true},
	{ECDHERSAAES256GCMSHA384, "ECDHE-RSA-AES256-GCM-SHA384", msg.KxECDHE, AuthRSA, AESGCM, 32, 0, sha384, true},
	{DHERSAAES256GCMSHA384, "DHE-RSA-AES256-GCM-SHA384", msg.KxDHE, AuthRSA, AESGCM, 32, 0, sha384, true},
	{ECDHEECDSAChaCha20, "ECDHE-ECDSA-CHACHA20-POLY1305", msg.KxECDHE, AuthECDSA, ChaCha20, 32, 0, sha256, true},
	{ECDHERSAChaCha20, "ECDHE-RSA-CHACHA20-POLY1305", msg.KxECDHE, AuthRSA, ChaCha20, 32, 0, sha256, true},
	{DHERSAChaCha20, "DHE-RSA-CHACHA20-POLY1305", msg.KxDHE, AuthRSA, ChaCha20, 32, 0, sha256, true},
	{ECDHEECDSAAES128GCMSHA256, "ECDHE-ECDSA-AES128-GCM-SHA256", msg.KxECDHE, AuthECDSA, AESGCM, 16, 0, sha256, true},
	{ECDHERSAAES128GCMSHA256, "ECDHE-RSA-AES128-GCM-SHA256", msg.KxECDHE, AuthRSA, AESGCM, 16, 0, sha256, true},
	{DHERSAAES128GCMSHA256, "DHE-RSA-AES128-GCM-SHA256", msg.KxDHE, AuthRSA, AESGCM, 16, 0, sha256, true},
	{ECDHEECDSAAES256SHA384, "ECDHE-ECDSA-AES256-SHA384", msg.KxECDHE, AuthECDSA, AESCBC, 32, sha384, sha384, true},
	{ECDHERSAAES256SHA384, "ECDHE-RSA-AES256-SHA384", msg.KxECDHE, AuthRSA, AESCBC, 32, sha384, sha384, true},
	{DHERSAAES256SHA256, "DHE-RSA-AES256-SHA256", msg.KxDHE, AuthRSA, AESCBC, 32, sha256, sha256, true},
	{ECDHEECDSAAES128SHA256, "ECDHE-ECDSA-AES128-SHA256", msg.KxECDHE, AuthECDSA, AESCBC, 16, sha256, sha256, true},
	{ECDHERSAAES128SHA256, "ECDHE-RSA-AES128-SHA256", msg.KxECDHE, AuthRSA, AESCBC, 16, sha256, sha256, true},
	{DHERSAAES128SHA256, "DHE-RSA-AES128-SHA256", msg.KxDHE, AuthRSA, AESCBC, 16, sha256, sha256, true},
	{ECDHEECDSAAES256SHA, "ECDHE-ECDSA-AES256-SHA", msg.KxECDHE, AuthECDSA, AESCBC, 32, sha1, sha256, false},
	{ECDHERSAAES256SHA, "ECDHE-RSA-AES256-SHA", msg.KxECDHE, AuthRSA, AESCBC, 32, sha1, sha256, false},
	{DHERSAAES256SHA, "DHE-RSA-AES256-SHA", msg.KxDHE, AuthRSA, AESCBC, 32, sha1, sha256, false},
	{ECDHEECDSAAES128SHA, "ECDHE-ECDSA-AES128-SHA", msg.KxECDHE, AuthECDSA, AESCBC, 16, sha1, sha256, false},
	{ECDHERSAAES128SHA, "ECDHE-RSA-AES128-SHA", msg.KxECDHE, AuthRSA, AESCBC, 16, sha1, sha256, false},
	{DHERSAAES128SHA, "DHE-RSA-AES128-SHA", msg.KxDHE, AuthRSA, AESCBC, 16, sha1, sha256, false},
	{RSAPSKAES256GCMSHA384, "RSA-PSK-AES256-GCM-SHA384", msg.KxRSAPSK, AuthRSA, AESGCM, 32, 0, sha384, true},
	{DHEPSKAES256GCMSHA384, "DHE-PSK-AES256-GCM-SHA384", msg.KxDHEPSK, AuthPSK, AESGCM, 32, 0, sha384, true},
	{RSAPSKChaCha20Poly1305, "RSA-PSK-CHACHA20-POLY1305", msg.KxRSAPSK, AuthRSA, ChaCha20, 32, 0, sha256, true},
	{DHEPSKChaCha20Poly1305, "DHE-PSK-CHACHA20-POLY1305", msg.KxDHEPSK, AuthPSK, ChaCha20, 32, 0, sha256, true},
	{ECDHEPSKChaCha20Poly1305, "ECDHE-PSK-CHACHA20-POLY1305", msg.KxECDHEPSK, AuthPSK, ChaCha20, 32, 0, sha256, true},
	{RSAAES256GCMSHA384, "AES256-GCM-SHA384", msg.KxRSA, AuthRSA, AESGCM, 32, 0, sha384, true},
	{PSKAES256GCMSHA384, "PSK-AES256-GCM-SHA384", msg.KxPSK, AuthPSK, AESGCM, 32, 0, sha384, true},
	{PSKChaCha20Poly1305, "PSK-CHACHA20-POLY1305", msg.KxPSK, AuthPSK, ChaCha20, 32, 0, sha256, true},
	{RSAPSKAES128GCMSHA256, "RSA-PSK-AES128-GCM-SHA256", msg.KxRSAPSK, AuthRSA, AESGCM, 16, 0, sha256, true},
	{DHEPSKAES128GCMSHA256, "DHE-PSK-AES128-GCM-SHA256", msg.KxDHEPSK, AuthPSK, AESGCM, 16, 0, sha256, true},
	{RSAAES128GCMSHA256, "AES128-GCM-SHA256", msg.KxRSA, AuthRSA, AESGCM, 16, 0, sha256, true},
	{PSKAES128GCMSHA256, "PSK-AES128-GCM-SHA256", msg.KxPSK, AuthPSK, AESGCM, 16, 0, sha256, true},
	{RSAAES256SHA256, "AES256-SHA256", msg.KxRSA, AuthRSA, AESCBC, 32, sha256, sha256, true},
	{RSAAES128SHA256, "AES128-SHA256", msg.KxRSA, AuthRSA, AESCBC, 16, sha256, sha256, true},
	{ECDHEPSKAES256CBCSHA384, "ECDHE-PSK-AES256-CBC-SHA384", msg.KxECDHEPSK, AuthPSK, AESCBC, 32, sha384, sha384, false},
	{ECDHEPSKAES256CBCSHA, "ECDHE-PSK-AES256-CBC-SHA", msg.KxECDHEPSK, AuthPSK, AESCBC, 32, sha1, sha256, false},
	{RSAPSKAES256CBCSHA384, "RSA-PSK-AES256-CBC-SHA384", msg.KxRSAPSK, AuthRSA, AESCBC, 32, sha384, sha384, false},
	{DHEPSKAES256CBCSHA384, "DHE-PSK-AES256-CBC-SHA384", msg.KxDHEPSK, AuthPSK, AESCBC, 32, sha384, sha384, false},
	{RSAPSKAES256CBCSHA, "RSA-PSK-AES256-CBC-SHA", msg.KxRSAPSK, AuthRSA, AESCBC, 32, sha1, sha256, false},
	{DHEPSKAES256CBCSHA, "DHE-PSK-AES256-CBC-SHA", msg.KxDHEPSK, AuthPSK, AESCBC, 32, sha1, sha256, false},
	{RSAAES256SHA, "AES256-SHA", msg.KxRSA, AuthRSA, AESCBC, 32, sha1, sha256, false},
	{PSKAES256CBCSHA384, "PSK-AES256-CBC-SHA384", msg.KxPSK, AuthPSK, AESCBC, 32, sha384, sha384, false},
	{PSKAES256CBCSHA, "PSK-AES256-CBC-SHA", msg.KxPSK, AuthPSK, AESCBC, 32, sha1, sha256, false},
	{ECDHEPSKAES128CBCSHA256, "ECDHE-PSK-AES128-CBC-SHA256", msg.KxECDHEPSK, AuthPSK, AESCBC, 16, sha256, sha256, false},
	{ECDHEPSKAES128CBCSHA, "ECDHE-PSK-AES128-CBC-SHA", msg.KxECDHEPSK, AuthPSK, AESCBC, 16, sha1, sha256, false},
	{RSAPSKAES128CBCSHA256, "RSA-PSK-AES128-CBC-SHA256", msg.KxRSAPSK, AuthRSA, AESCBC, 16, sha256, sha256, false},
	{DHEPSKAES128CBCSHA256, "DHE-PSK-AES128-CBC-SHA256", msg.KxDHEPSK, AuthPSK, AESCBC, 16, sha256, sha256, false},
	{RSAPSKAES128CBCSHA, "RSA-PSK-AES128-CBC-SHA", msg.KxRSAPSK, AuthRSA, AESCBC, 16, sha1, sha256, false},
	{DHEPSKAES128CBCSHA, "DHE-PSK-AES128-CBC-SHA", msg.KxDHEPSK, AuthPSK, AESCBC, 16, sha1, sha256, false},
	{RSAAES128SHA, "AES128-SHA", msg.KxRSA, AuthRSA, AESCBC, 16, sha1, sha256, false},
	{PSKAES128CBCSHA256, "PSK-AES128-CBC-SHA256", msg.KxPSK, AuthPSK, AESCBC, 16, sha256, sha256, false},
	{PSKAES128CBCSHA, "PSK-AES128-CBC-SHA", msg.KxPSK, AuthPSK, AESCBC, 16, sha1, sha256, false},
}

// Default12 is OpenSSL 3.0's default TLS 1.2 suite order (`openssl
// ciphers -s` at TLS 1.2, less the TLS 1.3 suites): the table above
// without its PSK suites.
var Default12 = func() []uint16 {
	var ids []uint16
	for _, s := range all12 {
		if !s.Kx.PSK() {
			ids = append(ids, s.ID)
		}
	}
	return ids
}()

// DefaultPSK12 is the whole table, PSK suites included: OpenSSL 3.0's
// default order when a PSK is configured (`openssl ciphers -psk -s`).
// An engine configured without a TLS 1.0–1.2 PSK leaves the PSK suites
// out of what it offers and accepts.
var DefaultPSK12 = func() []uint16 {
	ids := make([]uint16, len(all12))
	for i, s := range all12 {
		ids[i] = s.ID
	}
	return ids
}()

// Lookup12 finds a TLS 1.0–1.2 suite this engine implements.
func Lookup12(id uint16) (Suite12, bool) {
	for _, s := range all12 {
		if s.ID == id {
			return s, true
		}
	}
	return Suite12{}, false
}
