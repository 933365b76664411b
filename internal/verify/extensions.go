package verify

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
)

// Extension identifiers (RFC 5280 section 4.2 and its neighbours).
var (
	oidKeyUsage          = asn1.ObjectIdentifier{2, 5, 29, 15}
	oidSubjectAltName    = asn1.ObjectIdentifier{2, 5, 29, 17}
	oidNameConstraints   = asn1.ObjectIdentifier{2, 5, 29, 30}
	oidCertIssuer        = asn1.ObjectIdentifier{2, 5, 29, 29}
	oidIssuingDistPoint  = asn1.ObjectIdentifier{2, 5, 29, 28}
	oidDeltaCRLIndicator = asn1.ObjectIdentifier{2, 5, 29, 27}
)

// supportedCertExts are the extensions OpenSSL 3.0 understands well
// enough to accept when critical; any other critical extension is
// "unhandled critical extension" (34). Note what is missing: a critical
// subject or authority key identifier, or authority information access,
// is refused by openssl, though crypto/x509 accepts it.
var supportedCertExts = []asn1.ObjectIdentifier{
	{2, 16, 840, 1, 113730, 1, 1},   // Netscape certificate type
	oidKeyUsage,                     // key usage
	oidSubjectAltName,               // subject alternative name
	{2, 5, 29, 19},                  // basic constraints
	{2, 5, 29, 32},                  // certificate policies
	{2, 5, 29, 31},                  // CRL distribution points
	{2, 5, 29, 37},                  // extended key usage
	{1, 3, 6, 1, 5, 5, 7, 1, 7},     // RFC 3779 IP address blocks
	{1, 3, 6, 1, 5, 5, 7, 1, 8},     // RFC 3779 AS identifiers
	{1, 3, 6, 1, 5, 5, 7, 48, 1, 5}, // OCSP no check
	{2, 5, 29, 36},                  // policy constraints
	{1, 3, 6, 1, 5, 5, 7, 1, 14},    // proxy certificate information
	oidNameConstraints,              // name constraints
	{2, 5, 29, 33},                  // policy mappings
	{2, 5, 29, 54},                  // inhibit anyPolicy
}

func oidIn(oid asn1.ObjectIdentifier, list []asn1.ObjectIdentifier) bool {
	for _, o := range list {
		if o.Equal(oid) {
			return true
		}
	}
	return false
}

// hasUnhandledCritical reports whether c carries a critical extension
// OpenSSL does not support.
func hasUnhandledCritical(c *x509.Certificate) bool {
	for _, e := range c.Extensions {
		if e.Critical && !oidIn(e.Id, supportedCertExts) {
			return true
		}
	}
	return false
}

// crlHasUnhandledCritical reports whether a CRL, or one of its entries,
// carries a critical extension OpenSSL cannot process: only the issuing
// distribution point, delta CRL indicator and authority key identifier
// are handled in the CRL, and only the certificate issuer in entries.
func crlHasUnhandledCritical(l *x509.RevocationList) bool {
	handled := []asn1.ObjectIdentifier{oidIssuingDistPoint, oidDeltaCRLIndicator, oidAKID}
	for _, e := range l.Extensions {
		if e.Critical && !oidIn(e.Id, handled) {
			return true
		}
	}
	for _, r := range l.RevokedCertificateEntries {
		for _, e := range r.Extensions {
			if e.Critical && !e.Id.Equal(oidCertIssuer) {
				return true
			}
		}
	}
	return false
}

func findExt(c *x509.Certificate, oid asn1.ObjectIdentifier) (pkix.Extension, bool) {
	for _, e := range c.Extensions {
		if e.Id.Equal(oid) {
			return e, true
		}
	}
	return pkix.Extension{}, false
}

// hasKeyUsage reports whether c has a key usage extension at all, which
// is what OpenSSL's rules depend on (an absent one allows everything).
func hasKeyUsage(c *x509.Certificate) bool {
	_, ok := findExt(c, oidKeyUsage)
	return ok
}

// GeneralName tags (RFC 5280 section 4.2.1.6), context-specific.
const (
	gnOtherName  = 0
	gnEmail      = 1
	gnDNS        = 2
	gnX400       = 3
	gnDirName    = 4
	gnEDIParty   = 5
	gnURI        = 6
	gnIP         = 7
	gnRegistered = 8
)

// generalName is one GeneralName: its tag and its content bytes (for a
// directoryName, the DER of the Name inside the explicit tag).
type generalName struct {
	tag   int
	value []byte
}

// parseGeneralNames reads a SEQUENCE OF GeneralName.
func parseGeneralNames(der []byte) ([]generalName, bool) {
	var seq asn1.RawValue
	if rest, err := asn1.Unmarshal(der, &seq); err != nil || len(rest) != 0 || seq.Tag != asn1.TagSequence {
		return nil, false
	}
	return parseGeneralNameList(seq.Bytes)
}

func parseGeneralNameList(b []byte) ([]generalName, bool) {
	var out []generalName
	for len(b) > 0 {
		var rv asn1.RawValue
		var err error
		if b, err = asn1.Unmarshal(b, &rv); err != nil {
			return nil, false
		}
		g, ok := toGeneralName(rv)
		if !ok {
			return nil, false
		}
		out = append(out, g)
	}
	return out, true
}

func toGeneralName(rv asn1.RawValue) (generalName, bool) {
	if rv.Class != asn1.ClassContextSpecific {
		return generalName{}, false
	}
	return generalName{tag: rv.Tag, value: rv.Bytes}, true
}

// subjectAltNames returns c's SAN entries and whether it has the extension.
func subjectAltNames(c *x509.Certificate) ([]generalName, bool) {
	e, ok := findExt(c, oidSubjectAltName)
	if !ok {
		return nil, false
	}
	names, _ := parseGeneralNames(e.Value)
	return names, true
}

// rawAttr is one attribute of a distinguished name with its value
// undecoded, so its string type stays known.
type rawAttr struct {
	Type  asn1.ObjectIdentifier
	Value asn1.RawValue
}

// rawRDNSET is one relative distinguished name (a SET: encoding/asn1
// recognises the type name's SET suffix).
type rawRDNSET []rawAttr

func parseRawName(der []byte) ([]rawRDNSET, bool) {
	var rdns []rawRDNSET
	if rest, err := asn1.Unmarshal(der, &rdns); err != nil || len(rest) != 0 {
		return nil, false
	}
	return rdns, true
}
