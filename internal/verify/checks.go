package verify

import (
	"bytes"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"net"
	"strings"

	"github.com/tlskit/tlskit/internal/engine/sig"
	"github.com/tlskit/tlskit/internal/tlsnames"
)

// sameName compares two DER names. Identical encodings match at once;
// otherwise the comparison follows RFC 5280 section 7.1's spirit (and
// OpenSSL's canonical form): string values compared case-insensitively
// with surrounding and repeated spaces ignored.
func sameName(a, b []byte) bool {
	if bytes.Equal(a, b) {
		return true
	}
	var ra, rb pkix.RDNSequence
	if rest, err := asn1.Unmarshal(a, &ra); err != nil || len(rest) != 0 {
		return false
	}
	if rest, err := asn1.Unmarshal(b, &rb); err != nil || len(rest) != 0 {
		return false
	}
	if len(ra) != len(rb) {
		return false
	}
	for i := range ra {
		if len(ra[i]) != len(rb[i]) {
			return false
		}
		for j := range ra[i] {
			x, y := ra[i][j], rb[i][j]
			if !x.Type.Equal(y.Type) {
				return false
			}
			xs, ok1 := x.Value.(string)
			ys, ok2 := y.Value.(string)
			if !ok1 || !ok2 || canon(xs) != canon(ys) {
				return false
			}
		}
	}
	return true
}

func canon(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }

// caKind classifies a certificate as a CA the way OpenSSL does: 0 not a
// CA (also when a key usage extension leaves out keyCertSign), 1 a CA by
// basicConstraints, 3 a version 1 self-signed root, 4 a certificate
// without basicConstraints whose key usage allows keyCertSign.
func caKind(c *x509.Certificate) int {
	ku := hasKeyUsage(c)
	switch {
	case ku && c.KeyUsage&x509.KeyUsageCertSign == 0:
		return 0
	case c.BasicConstraintsValid && c.IsCA:
		return 1
	case c.BasicConstraintsValid:
		return 0
	case c.Version == 1 && selfSigned(c):
		return 3
	case ku:
		return 4
	}
	return 0
}

// checkExtensions mirrors OpenSSL's check_extensions: critical
// extensions, CA flags, the RFC 5280 profile under -x509_strict, purpose
// and path length, certificate by certificate from the leaf.
func (v *verifier) checkExtensions() bool {
	plen := 0
	for i, c := range v.chain {
		if !v.o.IgnoreCritical && hasUnhandledCritical(c) {
			if !v.fail(i, ErrUnhandledCriticalExt) {
				return false
			}
		}
		// Intermediates must be CAs, by basicConstraints unless the top
		// certificate is a legacy one; under -x509_strict the anchor too,
		// and a leaf with CA markings only through key usage or version 1
		// is refused as an invalid CA.
		kind := caKind(c)
		bad := false
		if i == 0 {
			bad = v.o.X509Strict && kind != 0 && kind != 1
		} else {
			bad = kind == 0 || ((i+1 < len(v.chain) || v.o.X509Strict) && kind != 1)
		}
		if bad && !v.fail(i, ErrInvalidCA) {
			return false
		}
		if v.o.X509Strict && len(v.chain) > 1 {
			for _, code := range strictProblems(c, i+1 < len(v.chain)) {
				if !v.fail(i, code) {
					return false
				}
			}
		}
		if v.o.Purpose != "" && !purposeOK(c, v.o.Purpose, i > 0) {
			if !v.fail(i, ErrInvalidPurpose) {
				return false
			}
		}
		// RFC 5280 section 4.2.1.9: pathLenConstraint counts the
		// non-self-issued intermediates below this CA.
		if i > 1 && c.BasicConstraintsValid && (c.MaxPathLen > 0 || c.MaxPathLenZero) && plen > c.MaxPathLen {
			if !v.fail(i, ErrPathLengthExceeded) {
				return false
			}
		}
		if i > 0 && !sameName(c.RawSubject, c.RawIssuer) {
			plen++
		}
	}
	return true
}

var (
	oidBasicConstraints = asn1.ObjectIdentifier{2, 5, 29, 19}
	oidAKID             = asn1.ObjectIdentifier{2, 5, 29, 35}
	oidSKID             = asn1.ObjectIdentifier{2, 5, 29, 14}
)

func extCritical(c *x509.Certificate, oid asn1.ObjectIdentifier) (present, critical bool) {
	e, ok := findExt(c, oid)
	return ok, e.Critical
}

// strictProblems returns the RFC 5280 profile violations OpenSSL 3.0
// reports under -x509_strict (codes 80-93), each once, in the order
// openssl checks them as far as observed (85 and 92 have been; the order
// among several is a best guess). issued is false for the chain's top
// certificate, which needs no authority key identifier.
func strictProblems(c *x509.Certificate, issued bool) []int {
	var out []int
	add := func(cond bool, code int) {
		if cond {
			out = append(out, code)
		}
	}
	isCA := c.BasicConstraintsValid && c.IsCA
	hasPathLen := c.BasicConstraintsValid && (c.MaxPathLen > 0 || c.MaxPathLenZero)
	ku := hasKeyUsage(c)
	if hasPathLen {
		add(!isCA, 80)                                 // section 4.2.1.9
		add(c.KeyUsage&x509.KeyUsageCertSign == 0, 81) // section 4.2.1.9
	}
	add(!isCA && ku && c.KeyUsage&x509.KeyUsageCertSign != 0, 82) // section 4.2.1.3
	add(len(c.Issuer.Names) == 0, 83)                             // section 4.1.2.4
	san, hasSAN := subjectAltNames(c)
	add(len(c.Subject.Names) == 0 && (isCA || !hasSAN), 84) // section 4.1.2.6
	add(hasSAN && len(san) == 0, 87)                        // section 4.2.1.6
	if len(c.Subject.Names) == 0 && hasSAN {
		_, crit := extCritical(c, oidSubjectAltName)
		add(!crit, 88)
	}
	if isCA {
		_, crit := extCritical(c, oidBasicConstraints)
		add(!crit, 89) // section 4.2.1.9: MUST be critical in CA certificates
		add(!ku, 92)   // section 4.2.1.3: CAs MUST carry key usage
	}
	akid, akidCrit := extCritical(c, oidAKID)
	add(akid && akidCrit, 90) // section 4.2.1.1
	skid, skidCrit := extCritical(c, oidSKID)
	add(skid && skidCrit, 91) // section 4.2.1.2
	if c.Version >= 3 {
		add(issued && !akid && !selfSigned(c), 85) // section 4.2.1.1
		add(isCA && !skid, 86)                     // section 4.2.1.2
	} else {
		add(len(c.Extensions) > 0, 93)
	}
	return out
}

// purposeOK applies OpenSSL's X509_PURPOSE checks: the extended key usage
// (which constrains CAs too) and, for end entities, the key usage.
func purposeOK(c *x509.Certificate, purpose string, ca bool) bool {
	hasEKU := len(c.ExtKeyUsage) > 0 || len(c.UnknownExtKeyUsage) > 0
	eku := func(want ...x509.ExtKeyUsage) bool {
		if !hasEKU {
			return true
		}
		for _, u := range c.ExtKeyUsage {
			for _, w := range want {
				if u == w {
					return true
				}
			}
		}
		return false
	}
	ku := func(want x509.KeyUsage) bool { return c.KeyUsage == 0 || c.KeyUsage&want != 0 }
	caOK := func() bool { return caKind(c) != 0 }
	switch strings.ToLower(purpose) {
	case "any":
		return true
	case "sslclient":
		if !eku(x509.ExtKeyUsageClientAuth) {
			return false
		}
		if ca {
			return caOK()
		}
		return ku(x509.KeyUsageDigitalSignature | x509.KeyUsageKeyAgreement)
	case "sslserver", "nssslserver":
		if !eku(x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageNetscapeServerGatedCrypto, x509.ExtKeyUsageMicrosoftServerGatedCrypto) {
			return false
		}
		if ca {
			return caOK()
		}
		if purpose == "nssslserver" {
			return ku(x509.KeyUsageKeyEncipherment)
		}
		return ku(x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment | x509.KeyUsageKeyAgreement)
	case "smimesign", "smimeencrypt":
		if !eku(x509.ExtKeyUsageEmailProtection) {
			return false
		}
		if ca {
			return caOK()
		}
		if purpose == "smimesign" {
			return ku(x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment)
		}
		return ku(x509.KeyUsageKeyEncipherment)
	case "crlsign":
		if ca {
			return caOK()
		}
		return ku(x509.KeyUsageCRLSign)
	case "timestampsign":
		if ca {
			return caOK()
		}
		return hasEKU && len(c.ExtKeyUsage) == 1 && c.ExtKeyUsage[0] == x509.ExtKeyUsageTimeStamping
	case "ocsphelper":
		return !ca || caOK()
	}
	return true
}

func keyStrongEnough(c *x509.Certificate, need int) bool {
	// sig.PublicKey also reads the Ed448 and RSASSA-PSS keys that
	// crypto/x509 leaves unparsed.
	pub, err := sig.PublicKey(c)
	if err != nil {
		return false
	}
	_, bits, _ := tlsnames.PublicKeyBits(pub)
	return bits >= need
}

// checkLeafKey is the first check OpenSSL makes, before it builds the
// chain: a leaf key weaker than -auth_level asks is 66 at depth 0.
func (v *verifier) checkLeafKey() bool {
	if v.o.AuthLevel <= 0 || keyStrongEnough(v.chain[0], tlsnames.SecLevelBits(v.o.AuthLevel)) {
		return true
	}
	return v.fail(0, ErrEEKeyTooSmall)
}

// checkAuthLevel enforces -auth_level on the built chain: the key of every
// CA and the signature digest of every certificate but the trust anchor.
func (v *verifier) checkAuthLevel() bool {
	level := v.o.AuthLevel
	if level <= 0 {
		return true
	}
	need := tlsnames.SecLevelBits(level)
	for i, c := range v.chain {
		if i > 0 && !keyStrongEnough(c, need) && !v.fail(i, ErrCAKeyTooSmall) {
			return false
		}
		if bits := certSigBits(c); i < len(v.chain)-1 && bits < need {
			if !v.fail(i, ErrCAMDTooWeak) {
				return false
			}
		}
	}
	return true
}

// checkID compares the leaf with -verify_hostname, -verify_email and
// -verify_ip, in that order, as OpenSSL's check_id does.
func (v *verifier) checkID() bool {
	leaf := v.chain[0]
	if v.o.Hostname != "" {
		name, ok := matchHost(leaf, v.o.Hostname)
		if !ok && !v.fail(0, ErrHostnameMismatch) {
			return false
		}
		v.peername = name
	}
	if v.o.Email != "" && !matchEmail(leaf, v.o.Email) {
		if !v.fail(0, ErrEmailMismatch) {
			return false
		}
	}
	if v.o.IP != "" {
		ip := net.ParseIP(v.o.IP)
		ok := false
		for _, a := range leaf.IPAddresses {
			if ip != nil && a.Equal(ip) {
				ok = true
			}
		}
		if !ok && !v.fail(0, ErrIPAddressMismatch) {
			return false
		}
	}
	return true
}

// matchHost follows RFC 6125 as OpenSSL applies it by default: DNS SANs
// when present, else the subject's commonNames; case-insensitive; a
// wildcard only in the leftmost label, at its start or end ("*.a.b",
// "f*.a.b", "*x.a.b" but not "f*o.a.b"), never in an IDNA A-label, and
// with at least two labels after it. A host starting with "." matches
// any name below it, an OpenSSL extension.
//
// It returns the certificate's name that matched, as openssl records it
// for "Verified peername:", and whether one did.
func matchHost(c *x509.Certificate, host string) (string, bool) {
	host = strings.ToLower(host)
	names := c.DNSNames
	if len(names) == 0 {
		names = subjectCNs(c)
	}
	for _, orig := range names {
		n := strings.ToLower(orig)
		if strings.HasPrefix(host, ".") {
			if len(n) > len(host) && strings.HasSuffix(n, host) {
				return orig, true
			}
			continue
		}
		if hostMatches(n, host) {
			return orig, true
		}
	}
	return "", false
}

func hostMatches(pattern, host string) bool {
	if pattern == host {
		return true
	}
	star := strings.IndexByte(pattern, '*')
	if star < 0 || strings.Count(pattern, "*") != 1 {
		return false
	}
	dot := strings.IndexByte(pattern, '.')
	if dot < 0 || star > dot || strings.Count(pattern[dot:], ".") < 2 || strings.HasPrefix(pattern, "xn--") {
		return false
	}
	prefix, suffix := pattern[:star], pattern[star+1:dot]
	if prefix != "" && suffix != "" {
		return false
	}
	hdot := strings.IndexByte(host, '.')
	if hdot <= 0 || host[hdot:] != pattern[dot:] {
		return false
	}
	label := host[:hdot]
	if strings.HasPrefix(label, "xn--") && (prefix != "" || suffix != "") {
		return false
	}
	return len(label) >= len(prefix)+len(suffix) && strings.HasPrefix(label, prefix) && strings.HasSuffix(label, suffix)
}

var oidCN = asn1.ObjectIdentifier{2, 5, 4, 3}
var oidEmail = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}

func subjectAttrs(c *x509.Certificate, oid asn1.ObjectIdentifier) []string {
	var out []string
	for _, a := range c.Subject.Names {
		if a.Type.Equal(oid) {
			if s, ok := a.Value.(string); ok {
				out = append(out, s)
			}
		}
	}
	return out
}

func subjectCNs(c *x509.Certificate) []string { return subjectAttrs(c, oidCN) }

// matchEmail compares the local part exactly and the domain without case
// (RFC 5321 section 2.4), against rfc822Name SANs or, lacking those, the
// subject's emailAddress attributes.
func matchEmail(c *x509.Certificate, email string) bool {
	names := c.EmailAddresses
	if len(names) == 0 {
		names = subjectAttrs(c, oidEmail)
	}
	at := strings.LastIndexByte(email, '@')
	for _, n := range names {
		nat := strings.LastIndexByte(n, '@')
		if at < 0 || nat < 0 {
			if n == email {
				return true
			}
			continue
		}
		if n[:nat] == email[:at] && strings.EqualFold(n[nat:], email[at:]) {
			return true
		}
	}
	return false
}
