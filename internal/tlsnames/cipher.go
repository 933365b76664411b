package tlsnames

import (
	"fmt"

	"github.com/tlskit/tlskit/internal/lazy"
)

// Kx is a cipher suite's key exchange, one value per suite.
type Kx uint16

// Key exchange values; a bit each so that aliases can be masks.
const (
	KxRSA Kx = 1 << iota
	KxDHE
	KxECDHE
	KxPSK
	KxRSAPSK
	KxDHEPSK
	KxECDHEPSK
	KxSRP
	KxAny // TLS 1.3: negotiated separately from the suite
)

// Au is a cipher suite's authentication, one value per suite.
type Au uint16

// Authentication values.
const (
	AuRSA Au = 1 << iota
	AuDSS
	AuNULL
	AuECDSA
	AuPSK
	AuSRP
	AuAny
)

// Enc is a cipher suite's bulk cipher, one value per suite.
type Enc uint32

// Bulk cipher values.
const (
	EncNULL Enc = 1 << iota
	EncAES128
	EncAES256
	EncAES128GCM
	EncAES256GCM
	EncAES128CCM
	EncAES256CCM
	EncAES128CCM8
	EncAES256CCM8
	EncCAMELLIA128
	EncCAMELLIA256
	EncARIA128GCM
	EncARIA256GCM
	EncCHACHA20POLY1305
	Enc3DES
	EncRC4
)

// Mac is a cipher suite's record MAC (AEAD for AEAD ciphers).
type Mac uint8

// MAC values.
const (
	MacMD5 Mac = 1 << iota
	MacSHA1
	MacSHA256
	MacSHA384
	MacAEAD
)

// Flags carries the strength classes and list memberships OpenSSL keeps per suite.
type Flags uint8

// Flag values.
const (
	FlagHigh       Flags = 1 << iota // in HIGH
	FlagMedium                       // in MEDIUM
	FlagLow                          // in LOW (none left in 3.0)
	FlagFIPS                         // in FIPS
	FlagNotDefault                   // in COMPLEMENTOFDEFAULT
	// FlagGoOnly marks suites neither tlskit's engine nor the reference
	// OpenSSL 3.0.19 build implements (3DES, RC4): they are found by
	// name and ID but never produced by ParseCipherString, because
	// openssl answers "no cipher match" for them.
	FlagGoOnly
)

// Cipher describes one cipher suite as OpenSSL 3.0 prints it.
type Cipher struct {
	ID      uint16
	Name    string // OpenSSL name, e.g. AES128-SHA; equals IANA for TLS 1.3
	IANA    string // RFC name, e.g. TLS_RSA_WITH_AES_128_CBC_SHA
	Version string // minimum protocol as `openssl ciphers -v` prints it: SSLv3, TLSv1, TLSv1.2, TLSv1.3
	Kx      Kx
	Au      Au
	Enc     Enc
	Mac     Mac
	Flags   Flags
}

var kxNames = lazy.Value[map[Kx]string]{Build: func() map[Kx]string {
	return map[Kx]string{KxRSA: "RSA", KxDHE: "DH", KxECDHE: "ECDH", KxPSK: "PSK", KxRSAPSK: "RSAPSK",
		KxDHEPSK: "DHEPSK", KxECDHEPSK: "ECDHEPSK", KxSRP: "SRP", KxAny: "any"}
}}

// String returns the Kx= column of `openssl ciphers -v`.
func (k Kx) String() string { return nameOr(kxNames.Get(), k) }

var auNames = lazy.Value[map[Au]string]{Build: func() map[Au]string {
	return map[Au]string{AuRSA: "RSA", AuDSS: "DSS", AuNULL: "None", AuECDSA: "ECDSA", AuPSK: "PSK", AuSRP: "SRP", AuAny: "any"}
}}

// String returns the Au= column of `openssl ciphers -v`.
func (a Au) String() string { return nameOr(auNames.Get(), a) }

type encInfo struct {
	name     string
	alg, str int // algorithm key bits and security strength bits
}

var encInfos = lazy.Value[map[Enc]encInfo]{Build: func() map[Enc]encInfo {
	return map[Enc]encInfo{
		EncNULL:             {"None", 0, 0},
		EncAES128:           {"AES(128)", 128, 128},
		EncAES256:           {"AES(256)", 256, 256},
		EncAES128GCM:        {"AESGCM(128)", 128, 128},
		EncAES256GCM:        {"AESGCM(256)", 256, 256},
		EncAES128CCM:        {"AESCCM(128)", 128, 128},
		EncAES256CCM:        {"AESCCM(256)", 256, 256},
		EncAES128CCM8:       {"AESCCM8(128)", 128, 128},
		EncAES256CCM8:       {"AESCCM8(256)", 256, 256},
		EncCAMELLIA128:      {"Camellia(128)", 128, 128},
		EncCAMELLIA256:      {"Camellia(256)", 256, 256},
		EncARIA128GCM:       {"ARIAGCM(128)", 128, 128},
		EncARIA256GCM:       {"ARIAGCM(256)", 256, 256},
		EncCHACHA20POLY1305: {"CHACHA20/POLY1305(256)", 256, 256},
		// Three-key 3DES has 168 key bits but only 112 bits of security
		// (meet-in-the-middle), which is what @STRENGTH and security
		// levels use.
		Enc3DES: {"3DES(168)", 168, 112},
		EncRC4:  {"RC4(128)", 128, 128},
	}
}}

// String returns the Enc= column of `openssl ciphers -v`.
func (e Enc) String() string {
	if i, ok := encInfos.Get()[e]; ok {
		return i.name
	}
	return fmt.Sprintf("Enc(%#x)", uint32(e))
}

var macNames = lazy.Value[map[Mac]string]{Build: func() map[Mac]string {
	return map[Mac]string{MacMD5: "MD5", MacSHA1: "SHA1", MacSHA256: "SHA256", MacSHA384: "SHA384", MacAEAD: "AEAD"}
}}

// String returns the Mac= column of `openssl ciphers -v`.
func (m Mac) String() string { return nameOr(macNames.Get(), m) }

func nameOr[K ~uint8 | ~uint16 | ~uint32](m map[K]string, k K) string {
	if s, ok := m[k]; ok {
		return s
	}
	return fmt.Sprintf("unknown(%#x)", uint32(k))
}

// AlgBits returns the bulk cipher's key size in bits (SSL_CIPHER_get_bits's alg_bits).
func (c Cipher) AlgBits() int { return encInfos.Get()[c.Enc].alg }

// StrengthBits returns the security strength in bits that @STRENGTH
// sorts by and security levels compare against.
func (c Cipher) StrengthBits() int { return encInfos.Get()[c.Enc].str }

// IsTLS13 reports whether c is a TLS 1.3 suite (set with -ciphersuites, not -cipher).
func (c Cipher) IsTLS13() bool { return c.Version == "TLSv1.3" }

// Description returns the line `openssl ciphers -v` prints for c, without the newline.
func (c Cipher) Description() string {
	return fmt.Sprintf("%-30s %-7s Kx=%-8s Au=%-5s Enc=%-22s Mac=%-4s",
		c.Name, c.Version, c.Kx, c.Au, c.Enc, c.Mac)
}

// VerboseDescription returns the line `openssl ciphers -V` prints for c.
func (c Cipher) VerboseDescription() string {
	return fmt.Sprintf("          0x%02X,0x%02X - %s", c.ID>>8, c.ID&0xff, c.Description())
}

// ciphersByID and ciphersByName index cipherTable; ciphersByName holds
// both the OpenSSL and the IANA name of each suite.
var cipherIndex = lazy.Values[map[uint16]*Cipher, map[string]*Cipher]{Build: indexCiphers}

func ciphersByID() map[uint16]*Cipher   { m, _ := cipherIndex.Get(); return m }
func ciphersByName() map[string]*Cipher { _, m := cipherIndex.Get(); return m }

func indexCiphers() (map[uint16]*Cipher, map[string]*Cipher) {
	byID := make(map[uint16]*Cipher, len(cipherTable))
	byName := make(map[string]*Cipher, 2*len(cipherTable))
	for i := range cipherTable {
		c := &cipherTable[i]
		byID[c.ID] = c
		byName[c.Name] = c
		byName[c.IANA] = c
	}
	return byID, byName
}

// CipherByID returns the suite with the given TLS codepoint.
func CipherByID(id uint16) (Cipher, bool) {
	if c, ok := ciphersByID()[id]; ok {
		return *c, true
	}
	return Cipher{}, false
}

// CipherByName returns the suite with the given OpenSSL or IANA name;
// the match is exact, as OpenSSL's is.
func CipherByName(name string) (Cipher, bool) {
	if c, ok := ciphersByName()[name]; ok {
		return *c, true
	}
	return Cipher{}, false
}

// Ciphers returns every known suite: TLS ≤1.2 suites in OpenSSL's
// internal preference order, then the TLS 1.3 suites, then GoOnly ones.
func Ciphers() []Cipher {
	return append([]Cipher(nil), cipherTable...)
}
