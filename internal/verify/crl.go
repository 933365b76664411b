package verify

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"math/big"

	"github.com/tlskit/tlskit/internal/certs"
)

// checkRevocation implements -crl_check (leaf only) and -crl_check_all
// (every certificate): each needs a CRL from its issuer that is correctly
// signed and current, and must not be listed in it (RFC 5280 section 6.3).
func (v *verifier) checkRevocation() bool {
	if !v.o.CRLCheck && !v.o.CRLCheckAll {
		return true
	}
	last := 0
	if v.o.CRLCheckAll {
		last = len(v.chain) - 1
	}
	for i := 0; i <= last; i++ {
		if !v.checkCert(i) {
			return false
		}
	}
	return true
}

// selectCRL picks the CRL OpenSSL's scoring would for c: from its issuer,
// not a delta, in scope for this certificate, then current, then the
// newest. inScope tells whether the one found is in scope.
func (v *verifier) selectCRL(c, issuer *x509.Certificate) (crl *x509.RevocationList, inScope bool) {
	if issuer == nil {
		return nil, false
	}
	best := -1
	for _, l := range v.o.CRLs {
		if !crlFromIssuer(l, issuer) || isDeltaCRL(l) {
			continue
		}
		scope, usable := crlScope(c, l)
		if !usable {
			continue
		}
		score := 0
		if scope {
			score += 2
		}
		if v.crlCurrent(l) {
			score++
		}
		if score > best || (score == best && l.ThisUpdate.After(crl.ThisUpdate)) {
			crl, best, inScope = l, score, scope
		}
	}
	return crl, inScope
}

func crlFromIssuer(l *x509.RevocationList, issuer *x509.Certificate) bool {
	if l == nil || !sameName(l.RawIssuer, issuer.RawSubject) {
		return false
	}
	return len(l.AuthorityKeyId) == 0 || len(issuer.SubjectKeyId) == 0 || bytes.Equal(l.AuthorityKeyId, issuer.SubjectKeyId)
}

func (v *verifier) crlCurrent(l *x509.RevocationList) bool {
	return !v.timeChecks || (!v.now.Before(l.ThisUpdate) && (l.NextUpdate.IsZero() || !v.now.After(l.NextUpdate)))
}

var (
	oidFreshestCRL = asn1.ObjectIdentifier{2, 5, 29, 46}
	oidCRLNumber   = asn1.ObjectIdentifier{2, 5, 29, 20}
)

// crlIntExt reads an INTEGER extension of a CRL (CRL number, delta CRL
// indicator).
func crlIntExt(l *x509.RevocationList, oid asn1.ObjectIdentifier) (*big.Int, bool) {
	for _, e := range l.Extensions {
		if e.Id.Equal(oid) {
			n := new(big.Int)
			if rest, err := asn1.Unmarshal(e.Value, &n); err != nil || len(rest) != 0 {
				return nil, false
			}
			return n, true
		}
	}
	return nil, false
}

func isDeltaCRL(l *x509.RevocationList) bool {
	_, ok := crlIntExt(l, oidDeltaCRLIndicator)
	return ok
}

// findDelta returns, under -use_deltas, a delta CRL completing base (RFC
// 5280 section 5.2.4): same issuer, a base CRL number no newer than
// base's, a CRL number newer. As in openssl, deltas are looked for only
// when the certificate or the base CRL points to a freshest CRL.
func (v *verifier) findDelta(c, issuer *x509.Certificate, base *x509.RevocationList) *x509.RevocationList {
	if !v.o.UseDeltas {
		return nil
	}
	_, certFresh := findExt(c, oidFreshestCRL)
	baseFresh := false
	for _, e := range base.Extensions {
		baseFresh = baseFresh || e.Id.Equal(oidFreshestCRL)
	}
	baseNum, ok := crlIntExt(base, oidCRLNumber)
	if (!certFresh && !baseFresh) || !ok {
		return nil
	}
	for _, l := range v.o.CRLs {
		if !crlFromIssuer(l, issuer) {
			continue
		}
		deltaBase, isDelta := crlIntExt(l, oidDeltaCRLIndicator)
		num, hasNum := crlIntExt(l, oidCRLNumber)
		if isDelta && hasNum && deltaBase.Cmp(baseNum) <= 0 && num.Cmp(baseNum) > 0 {
			return l
		}
	}
	return nil
}

// checkCRLTimeAndSignature reports a delta CRL's time and signature
// problems (11, 12, 8).
func (v *verifier) checkCRLTimeAndSignature(i int, issuer *x509.Certificate, l *x509.RevocationList) bool {
	if v.timeChecks {
		if v.now.Before(l.ThisUpdate) && !v.fail(i, ErrCRLNotYetValid) {
			return false
		}
		if !l.NextUpdate.IsZero() && v.now.After(l.NextUpdate) && !v.fail(i, ErrCRLHasExpired) {
			return false
		}
	}
	if err := checkSignature(issuer, l.SignatureAlgorithm, l.RawTBSRevocationList, l.Signature); err != nil && !v.fail(i, ErrCRLSignatureFailure) {
		return false
	}
	return true
}

// lookUpCRL refuses a CRL with critical extensions openssl cannot process
// (36; section 5.2: it must not be used) and then looks c up in it (23).
// removed reports an entry with reason removeFromCRL (a delta's way of
// lifting a hold).
func (v *verifier) lookUpCRL(i int, c *x509.Certificate, l *x509.RevocationList) (ok, removed bool) {
	if !v.o.IgnoreCritical && crlHasUnhandledCritical(l) {
		if !v.fail(i, ErrUnhandledCriticalCRLExt) {
			return false, false
		}
	}
	for _, e := range l.RevokedCertificateEntries {
		if e.SerialNumber != nil && e.SerialNumber.Cmp(c.SerialNumber) == 0 {
			if e.ReasonCode == 8 { // removeFromCRL
				return true, true
			}
			return v.fail(i, ErrCertRevoked), false
		}
	}
	return true, false
}

func (v *verifier) checkCert(i int) bool {
	c := v.chain[i]
	var issuer *x509.Certificate
	switch {
	case i+1 < len(v.chain):
		issuer = v.chain[i+1]
	case selfSigned(c):
		issuer = c
	}
	crl, inScope := v.selectCRL(c, issuer)
	if crl == nil {
		return v.fail(i, ErrUnableToGetCRL)
	}
	delta := v.findDelta(c, issuer, crl)
	// The order of OpenSSL's check_crl: the issuer may sign CRLs (RFC
	// 5280 section 4.2.1.3), the CRL is current, its signature holds;
	// then, before looking up the serial, a CRL with critical extensions
	// openssl cannot process is refused (section 5.2: it must not be used).
	if hasKeyUsage(issuer) && issuer.KeyUsage&x509.KeyUsageCRLSign == 0 {
		if !v.fail(i, ErrKeyUsageNoCRLSign) {
			return false
		}
	}
	if !inScope && !v.fail(i, ErrDifferentCRLScope) {
		return false
	}
	if v.timeChecks {
		if v.now.Before(crl.ThisUpdate) {
			if !v.fail(i, ErrCRLNotYetValid) {
				return false
			}
		}
		// A current delta CRL makes up for an expired base.
		if !crl.NextUpdate.IsZero() && v.now.After(crl.NextUpdate) && (delta == nil || !v.crlCurrent(delta)) {
			if !v.fail(i, ErrCRLHasExpired) {
				return false
			}
		}
	}
	if err := checkSignature(issuer, crl.SignatureAlgorithm, crl.RawTBSRevocationList, crl.Signature); err != nil {
		if !v.fail(i, ErrCRLSignatureFailure) {
			return false
		}
	}
	if delta != nil {
		// The delta is checked first (section 6.3.3 (c)); an entry
		// removing the certificate from the base CRL overrides it.
		if !v.checkCRLTimeAndSignature(i, issuer, delta) {
			return false
		}
		switch ok, removed := v.lookUpCRL(i, c, delta); {
		case !ok:
			return false
		case removed:
			return true
		}
	}
	if ok, _ := v.lookUpCRL(i, c, crl); !ok {
		return false
	}
	if !inScope {
		// A CRL out of scope covers none of the revocation reasons, and
		// openssl finds no other: after using it, it reports 3.
		return v.fail(i, ErrUnableToGetCRL)
	}
	return true
}

// CAFileCRLs returns the CRLs kept in the given -CAfile bundles when o
// checks revocation: openssl's file lookup loads a CA file's CRLs along
// with its certificates, so they count for -crl_check and -crl_check_all.
// Files that cannot be read or hold no CRL add nothing (loading the
// certificates reports those problems).
func CAFileCRLs(o Options, files ...string) []*x509.RevocationList {
	if !o.CRLCheck && !o.CRLCheckAll {
		return nil
	}
	var out []*x509.RevocationList
	for _, f := range files {
		if f == "" {
			continue
		}
		if crls, err := certs.LoadCRLs(f, certs.FormatAuto); err == nil {
			out = append(out, crls...)
		}
	}
	return out
}

var oidCRLDistPoints = asn1.ObjectIdentifier{2, 5, 29, 31}

// issuingDistPoint is a CRL's issuing distribution point (RFC 5280
// section 5.2.5).
type issuingDistPoint struct {
	fullName                         []generalName // the distribution point, when named in full
	hasName                          bool
	onlyUser, onlyCA, onlyAttr       bool
	someReasons, indirect, malformed bool
}

func parseIDP(l *x509.RevocationList) (issuingDistPoint, bool) {
	var idp issuingDistPoint
	var ext []byte
	for _, e := range l.Extensions {
		if e.Id.Equal(oidIssuingDistPoint) {
			ext = e.Value
		}
	}
	if ext == nil {
		return idp, false
	}
	var seq asn1.RawValue
	if rest, err := asn1.Unmarshal(ext, &seq); err != nil || len(rest) != 0 || seq.Tag != asn1.TagSequence {
		idp.malformed = true
		return idp, true
	}
	for b := seq.Bytes; len(b) > 0; {
		var f asn1.RawValue
		var err error
		if b, err = asn1.Unmarshal(b, &f); err != nil {
			idp.malformed = true
			break
		}
		flag := len(f.Bytes) == 1 && f.Bytes[0] != 0
		switch f.Tag {
		case 0:
			idp.hasName = true
			idp.fullName = distPointFullName(f.Bytes)
		case 1:
			idp.onlyUser = flag
		case 2:
			idp.onlyCA = flag
		case 3:
			idp.someReasons = true
		case 4:
			idp.indirect = flag
		case 5:
			idp.onlyAttr = flag
		}
	}
	return idp, true
}

// distPointFullName reads a DistributionPointName's fullName choice ([0]
// GeneralNames); a name relative to the issuer yields none.
func distPointFullName(b []byte) []generalName {
	var choice asn1.RawValue
	if _, err := asn1.Unmarshal(b, &choice); err != nil || choice.Tag != 0 {
		return nil
	}
	names, _ := parseGeneralNameList(choice.Bytes)
	return names
}

// certDistPoints returns the distribution point names of c's CRL
// distribution points, and whether each names a CRL issuer of its own.
func certDistPoints(c *x509.Certificate) (points [][]generalName, crlIssuer []bool) {
	e, ok := findExt(c, oidCRLDistPoints)
	if !ok {
		return nil, nil
	}
	var dps []asn1.RawValue
	if _, err := asn1.Unmarshal(e.Value, &dps); err != nil {
		return nil, nil
	}
	for _, dp := range dps {
		var names []generalName
		indirect := false
		for b := dp.Bytes; len(b) > 0; {
			var f asn1.RawValue
			var err error
			if b, err = asn1.Unmarshal(b, &f); err != nil {
				break
			}
			switch f.Tag {
			case 0:
				names = distPointFullName(f.Bytes)
			case 2:
				indirect = true
			}
		}
		points = append(points, names)
		crlIssuer = append(crlIssuer, indirect)
	}
	return points, crlIssuer
}

// crlScope decides, as OpenSSL 3.0 does without -extended_crl, whether l
// may be used for c at all (usable: not an attribute-certificate,
// indirect or reason-partitioned CRL) and whether c is within its scope:
// a CA is outside a user-only CRL and an end entity outside a CA-only one,
// and a certificate's distribution point must match the CRL's.
func crlScope(c *x509.Certificate, l *x509.RevocationList) (scope, usable bool) {
	idp, has := parseIDP(l)
	if has && (idp.onlyAttr || idp.indirect || idp.someReasons || idp.malformed) {
		return false, false
	}
	isCA := c.BasicConstraintsValid && c.IsCA
	if has && ((isCA && idp.onlyUser) || (!isCA && idp.onlyCA)) {
		return false, true
	}
	points, indirect := certDistPoints(c)
	for k, names := range points {
		if indirect[k] {
			continue // a CRL issuer of its own needs indirect CRL support
		}
		if !has || !idp.hasName || names == nil || sharesName(names, idp.fullName) {
			return true, true
		}
	}
	return !has || !idp.hasName, true
}

func sharesName(a, b []generalName) bool {
	for _, x := range a {
		for _, y := range b {
			if x.tag == y.tag && bytes.Equal(x.value, y.value) {
				return true
			}
		}
	}
	return false
}
