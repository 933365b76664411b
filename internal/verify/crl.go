package verify

import (
	"crypto/x509"

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

func (v *verifier) checkCert(i int) bool {
	c := v.chain[i]
	var issuer *x509.Certificate
	switch {
	case i+1 < len(v.chain):
		issuer = v.chain[i+1]
	case selfSigned(c):
		issuer = c
	}
	var crl *x509.RevocationList
	if issuer != nil {
		for _, l := range v.o.CRLs {
			if l == nil || !sameName(l.RawIssuer, issuer.RawSubject) {
				continue
			}
			crl = l
			if !v.now.Before(l.ThisUpdate) && (l.NextUpdate.IsZero() || !v.now.After(l.NextUpdate)) {
				break // prefer a current CRL, as OpenSSL's scoring does
			}
		}
	}
	if crl == nil {
		return v.fail(i, ErrUnableToGetCRL)
	}
	// The order of OpenSSL's check_crl: the issuer may sign CRLs (RFC
	// 5280 section 4.2.1.3), the CRL is current, its signature holds;
	// then, before looking up the serial, a CRL with critical extensions
	// openssl cannot process is refused (section 5.2: it must not be used).
	if hasKeyUsage(issuer) && issuer.KeyUsage&x509.KeyUsageCRLSign == 0 {
		if !v.fail(i, ErrKeyUsageNoCRLSign) {
			return false
		}
	}
	if v.timeChecks {
		if v.now.Before(crl.ThisUpdate) {
			if !v.fail(i, ErrCRLNotYetValid) {
				return false
			}
		}
		if !crl.NextUpdate.IsZero() && v.now.After(crl.NextUpdate) {
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
	if !v.o.IgnoreCritical && crlHasUnhandledCritical(crl) {
		if !v.fail(i, ErrUnhandledCriticalCRLExt) {
			return false
		}
	}
	for _, e := range crl.RevokedCertificateEntries {
		if e.SerialNumber != nil && e.SerialNumber.Cmp(c.SerialNumber) == 0 {
			return v.fail(i, ErrCertRevoked)
		}
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
