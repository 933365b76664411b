package tlsnames

import (
	"slices"
	"strings"

	"github.com/tlskit/tlskit/internal/lazy"
)

// DefaultSecLevel is the security level the reference openssl uses when
// a cipher string sets none. Upstream OpenSSL 3.0 defaults to 1; the
// Debian build we copy is compiled with OPENSSL_TLS_SECURITY_LEVEL=2.
const DefaultSecLevel = 2

// DefaultCipherString is what OpenSSL 3.0 expands a leading DEFAULT to.
const DefaultCipherString = "ALL:!COMPLEMENTOFDEFAULT:!eNULL"

// DefaultCipherSuites is openssl's default TLS 1.3 -ciphersuites value.
const DefaultCipherSuites = "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256"

// CipherSpec is a parsed TLS ≤1.2 cipher string.
type CipherSpec struct {
	Ciphers  []Cipher // in preference order
	SecLevel int      // from @SECLEVEL=n, or -1 when the string sets none
	// SuiteB is 128, 192 or 0: a leading SUITEB128/SUITEB128ONLY/SUITEB192
	// also restricts curves and signature algorithms (RFC 6460).
	SuiteB int
}

// strongMask groups the flags OpenSSL treats as one category when '+'
// combines aliases; FlagNotDefault is its own category.
const strongMask = FlagHigh | FlagMedium | FlagLow | FlagFIPS

// pattern is what one alias, cipher name or '+' combination selects: a
// suite matches when, for every category with a non-zero mask, its
// value is in the mask.
type pattern struct {
	id      uint16 // exact suite, 0 for none
	kx      Kx
	au      Au
	enc     Enc
	mac     Mac
	strong  Flags
	notDef  Flags
	version string
}

const (
	allKx  = KxRSA | KxDHE | KxECDHE | KxPSK | KxRSAPSK | KxDHEPSK | KxECDHEPSK | KxSRP
	allAu  = AuRSA | AuDSS | AuNULL | AuECDSA | AuPSK | AuSRP
	encAll = EncAES128 | EncAES256 | EncAES128GCM | EncAES256GCM | EncAES128CCM | EncAES256CCM |
		EncAES128CCM8 | EncAES256CCM8 | EncCAMELLIA128 | EncCAMELLIA256 | EncARIA128GCM |
		EncARIA256GCM | EncCHACHA20POLY1305 | Enc3DES | EncRC4
	encAES128 = EncAES128 | EncAES128GCM | EncAES128CCM | EncAES128CCM8
	encAES256 = EncAES256 | EncAES256GCM | EncAES256CCM | EncAES256CCM8
	encARIA   = EncARIA128GCM | EncARIA256GCM
	encCAM    = EncCAMELLIA128 | EncCAMELLIA256
	kxPSKAll  = KxPSK | KxRSAPSK | KxDHEPSK | KxECDHEPSK
)

// aliases are the cipher-string keywords of openssl-ciphers(1) that
// select something in OpenSSL 3.0. Keywords for algorithms 3.0 no
// longer has (DES, IDEA, SEED, GOST, EXPORT…) are left out: an unknown
// word selects nothing, which is exactly what those do. Names are case
// sensitive, as in OpenSSL.
var aliases = lazy.Value[map[string]pattern]{Build: func() map[string]pattern {
	return map[string]pattern{
		"ALL":                 {enc: encAll},
		"COMPLEMENTOFALL":     {enc: EncNULL},
		"COMPLEMENTOFDEFAULT": {notDef: FlagNotDefault},
		"HIGH":                {strong: FlagHigh},
		"MEDIUM":              {strong: FlagMedium},
		"LOW":                 {strong: FlagLow},
		"FIPS":                {strong: FlagFIPS},
		"eNULL":               {enc: EncNULL},
		"NULL":                {enc: EncNULL},
		"aNULL":               {au: AuNULL},
		"kRSA":                {kx: KxRSA},
		"aRSA":                {au: AuRSA},
		"RSA":                 {kx: KxRSA},
		"kDHE":                {kx: KxDHE},
		"kEDH":                {kx: KxDHE},
		"DH":                  {kx: KxDHE},
		"DHE":                 {kx: KxDHE, au: allAu &^ AuNULL},
		"EDH":                 {kx: KxDHE, au: allAu &^ AuNULL},
		"ADH":                 {kx: KxDHE, au: AuNULL},
		"kECDHE":              {kx: KxECDHE},
		"kEECDH":              {kx: KxECDHE},
		"ECDH":                {kx: KxECDHE},
		"ECDHE":               {kx: KxECDHE, au: allAu &^ AuNULL},
		"EECDH":               {kx: KxECDHE, au: allAu &^ AuNULL},
		"AECDH":               {kx: KxECDHE, au: AuNULL},
		"aDSS":                {au: AuDSS},
		"DSS":                 {au: AuDSS},
		"aECDSA":              {au: AuECDSA},
		"ECDSA":               {au: AuECDSA},
		"TLSv1.2":             {version: "TLSv1.2"},
		"TLSv1.0":             {version: "TLSv1"},
		"TLSv1":               {version: "TLSv1"},
		"SSLv3":               {version: "SSLv3"},
		"AES128":              {enc: encAES128},
		"AES256":              {enc: encAES256},
		"AES":                 {enc: encAES128 | encAES256},
		"AESGCM":              {enc: EncAES128GCM | EncAES256GCM},
		"AESCCM":              {enc: EncAES128CCM | EncAES256CCM | EncAES128CCM8 | EncAES256CCM8},
		"AESCCM8":             {enc: EncAES128CCM8 | EncAES256CCM8},
		"ARIA128":             {enc: EncARIA128GCM},
		"ARIA256":             {enc: EncARIA256GCM},
		"ARIA":                {enc: encARIA},
		"ARIAGCM":             {enc: encARIA},
		"CAMELLIA128":         {enc: EncCAMELLIA128},
		"CAMELLIA256":         {enc: EncCAMELLIA256},
		"CAMELLIA":            {enc: encCAM},
		"CHACHA20":            {enc: EncCHACHA20POLY1305},
		"3DES":                {enc: Enc3DES},
		"RC4":                 {enc: EncRC4},
		"CBC":                 {enc: encAES128&^(EncAES128GCM|EncAES128CCM|EncAES128CCM8) | encAES256&^(EncAES256GCM|EncAES256CCM|EncAES256CCM8) | encCAM | Enc3DES},
		"MD5":                 {mac: MacMD5},
		"SHA1":                {mac: MacSHA1},
		"SHA":                 {mac: MacSHA1},
		"SHA256":              {mac: MacSHA256},
		"SHA384":              {mac: MacSHA384},
		"PSK":                 {kx: kxPSKAll},
		"kPSK":                {kx: KxPSK},
		"kECDHEPSK":           {kx: KxECDHEPSK},
		"kDHEPSK":             {kx: KxDHEPSK},
		"kRSAPSK":             {kx: KxRSAPSK},
		"aPSK":                {au: AuPSK},
		"kSRP":                {kx: KxSRP},
		"SRP":                 {kx: KxSRP},
		"aSRP":                {au: AuSRP},
	}
}}

// and narrows p by q the way OpenSSL combines "A+B": masks are ANDed per
// category, and a category that ends up empty makes the whole element
// select nothing (reported as ok=false). This differs from set
// intersection for FIPS+HIGH, which selects nothing in OpenSSL.
func (p pattern) and(q pattern) (pattern, bool) {
	var ok = true
	p.kx, ok = andMask(p.kx, q.kx, ok)
	p.au, ok = andMask(p.au, q.au, ok)
	p.enc, ok = andMask(p.enc, q.enc, ok)
	p.mac, ok = andMask(p.mac, q.mac, ok)
	p.strong, ok = andMask(p.strong, q.strong, ok)
	p.notDef, ok = andMask(p.notDef, q.notDef, ok)
	if q.version != "" {
		if p.version != "" && p.version != q.version {
			return p, false
		}
		p.version = q.version
	}
	if q.id != 0 {
		p.id = q.id
	}
	return p, ok
}

func andMask[T ~uint8 | ~uint16 | ~uint32](a, b T, ok bool) (T, bool) {
	switch {
	case b == 0:
		return a, ok
	case a == 0:
		return b, ok
	case a&b == 0:
		return 0, false
	}
	return a & b, ok
}

func (p pattern) matches(c *Cipher) bool {
	return (p.id == 0 || p.id == c.ID) &&
		(p.kx == 0 || p.kx&c.Kx != 0) &&
		(p.au == 0 || p.au&c.Au != 0) &&
		(p.enc == 0 || p.enc&c.Enc != 0) &&
		(p.mac == 0 || p.mac&c.Mac != 0) &&
		(p.strong == 0 || p.strong&c.Flags != 0) &&
		(p.notDef == 0 || p.notDef&c.Flags != 0) &&
		(p.version == "" || p.version == c.Version)
}

// cipherPattern is the pattern a suite name stands for: the suite
// itself plus its own attributes, so "AES128-SHA+AES256-SHA" selects
// nothing. Its protocol version is deliberately not part of it.
func cipherPattern(c *Cipher) pattern {
	return pattern{id: c.ID, kx: c.Kx, au: c.Au, enc: c.Enc, mac: c.Mac,
		strong: c.Flags & strongMask, notDef: c.Flags & FlagNotDefault}
}

// opKind is the operator in front of a cipher-string element.
type opKind int

const (
	opAdd  opKind = iota // no prefix: append inactive matches
	opDel                // '-': deactivate, keeping them first in line for a later add
	opOrd                // '+': move active matches to the end
	opKill               // '!': remove for good
)

// cipherList mimics OpenSSL's working list: every TLS ≤1.2 suite in a
// current order, each active (selected) or not; killed ones are gone.
type cipherList struct {
	order  []*Cipher
	active map[uint16]bool
}

func newCipherList() *cipherList {
	l := &cipherList{active: make(map[uint16]bool)}
	for i := range cipherTable {
		c := &cipherTable[i]
		if c.IsTLS13() || c.Flags&FlagGoOnly != 0 {
			continue
		}
		l.order = append(l.order, c)
	}
	return l
}

// apply runs one operator over the list. Matches keep their relative
// order: moved to the tail for add and '+', to the head for '-'.
func (l *cipherList) apply(op opKind, p pattern) {
	var moved, rest []*Cipher
	for _, c := range l.order {
		if !p.matches(c) {
			rest = append(rest, c)
			continue
		}
		act := l.active[c.ID]
		switch {
		case op == opKill:
			delete(l.active, c.ID)
		case op == opAdd && !act, op == opOrd && act:
			l.active[c.ID] = true
			moved = append(moved, c)
		case op == opDel && act:
			l.active[c.ID] = false
			moved = append(moved, c)
		default:
			rest = append(rest, c)
		}
	}
	if op == opDel {
		l.order = append(moved, rest...)
	} else {
		l.order = append(rest, moved...)
	}
}

// sortByStrength is @STRENGTH: active suites move to the end, strongest
// first, keeping their order within a strength.
func (l *cipherList) sortByStrength() {
	var idle, act []*Cipher
	for _, c := range l.order {
		if l.active[c.ID] {
			act = append(act, c)
		} else {
			idle = append(idle, c)
		}
	}
	slices.SortStableFunc(act, func(a, b *Cipher) int { return b.StrengthBits() - a.StrengthBits() })
	l.order = append(idle, act...)
}

func (l *cipherList) result() []Cipher {
	var out []Cipher
	for _, c := range l.order {
		if l.active[c.ID] {
			out = append(out, *c)
		}
	}
	return out
}

// ParseCipherString parses an OpenSSL -cipher string (the TLS ≤1.2
// list) and returns the suites in the order OpenSSL would offer them.
// It fails with a *ConfError for option -cipher, reasons "invalid
// command" or "no cipher match", as openssl does.
func ParseCipherString(s string) ([]Cipher, error) {
	spec, err := ParseCipherSpec(s)
	if err != nil {
		return nil, err
	}
	return spec.Ciphers, nil
}

// ParseCipherSpec is ParseCipherString that also returns @SECLEVEL and
// Suite B settings. The suites are not filtered by security level;
// use FilterSecLevel for what a client would actually send.
func ParseCipherSpec(s string) (CipherSpec, error) {
	spec := CipherSpec{SecLevel: -1}
	rest := s
	// RFC 6460 Suite B: a leading keyword replaces the whole string.
	switch {
	case strings.HasPrefix(rest, "SUITEB128ONLY"):
		spec.SuiteB, rest = 128, "ECDHE-ECDSA-AES128-GCM-SHA256"
	case strings.HasPrefix(rest, "SUITEB128"):
		spec.SuiteB, rest = 128, "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384"
	case strings.HasPrefix(rest, "SUITEB192"):
		spec.SuiteB, rest = 192, "ECDHE-ECDSA-AES256-GCM-SHA384"
	}
	l := newCipherList()
	// Only a literal DEFAULT at the very start is expanded; elsewhere
	// it is an unknown word and selects nothing, as in OpenSSL 3.0.
	if strings.HasPrefix(rest, "DEFAULT") {
		l.run(DefaultCipherString, &spec) // well formed, cannot fail
		rest = strings.TrimPrefix(rest[len("DEFAULT"):], ":")
	}
	if !l.run(rest, &spec) {
		return CipherSpec{}, &ConfError{Option: "-cipher", Arg: s, Code: codeInvalidCommand,
			Func: "ssl_cipher_process_rulestr", Reason: "invalid command"}
	}
	spec.Ciphers = l.result()
	if len(spec.Ciphers) == 0 {
		return CipherSpec{}, noCipherMatch("-cipher", s, "SSL_CTX_set_cipher_list")
	}
	return spec, nil
}

func isSep(b byte) bool { return b == ':' || b == ' ' || b == ';' || b == ',' }

func isWordByte(b byte) bool {
	return 'A' <= b && b <= 'Z' || 'a' <= b && b <= 'z' || '0' <= b && b <= '9' ||
		b == '-' || b == '.' || b == '='
}

// run applies the elements of s to l and reports false on a syntax
// error ("invalid command"), leaving l part-way changed. The grammar, from
// openssl-ciphers(1) and observation: elements separated by ':', ',',
// ';' or space; an optional operator '!', '-', '+' or '@'; then words of
// [A-Za-z0-9.=-] joined by '+'. Any other byte where a word should
// start is an error; a word ends at any non-word byte, so
// "AES128-SHA@STRENGTH" is two elements.
func (l *cipherList) run(s string, spec *CipherSpec) bool {
	i := 0
	for i < len(s) {
		b := s[i]
		if isSep(b) {
			i++
			continue
		}
		op := opAdd
		special := false
		switch b {
		case '-':
			op = opDel
			i++
		case '+':
			op = opOrd
			i++
		case '!':
			op = opKill
			i++
		case '@':
			special = true
			i++
		}
		if special {
			w := i
			for i < len(s) && isWordByte(s[i]) {
				i++
			}
			word := s[w:i]
			switch {
			case word == "STRENGTH":
				l.sortByStrength()
			case strings.HasPrefix(word, "SECLEVEL=") && len(word) == len("SECLEVEL=")+1 &&
				'0' <= word[len(word)-1] && word[len(word)-1] <= '5':
				spec.SecLevel = int(word[len(word)-1] - '0')
			default:
				return false
			}
			// OpenSSL ignores whatever follows a command up to the
			// next separator, '+' combinations included.
			for i < len(s) && !isSep(s[i]) {
				i++
			}
			continue
		}
		var p pattern
		found := true
		for {
			w := i
			for i < len(s) && isWordByte(s[i]) {
				i++
			}
			if i == w {
				return false
			}
			q, ok := lookupWord(s[w:i])
			if ok {
				p, ok = p.and(q)
			}
			if !ok {
				// Like OpenSSL, give up on the element without
				// checking the rest of its syntax: "FOO+#" is
				// no error, only selects nothing.
				found = false
				for i < len(s) && !isSep(s[i]) {
					i++
				}
				break
			}
			if i < len(s) && s[i] == '+' {
				i++
				continue
			}
			break
		}
		if found {
			l.apply(op, p)
		}
	}
	return true
}

// lookupWord resolves one word: a suite's OpenSSL name or an alias.
// IANA names are not accepted here, just as openssl rejects them.
func lookupWord(w string) (pattern, bool) {
	if c, ok := ciphersByName()[w]; ok && c.Name == w && !c.IsTLS13() && c.Flags&FlagGoOnly == 0 {
		return cipherPattern(c), true
	}
	p, ok := aliases.Get()[w]
	return p, ok
}
