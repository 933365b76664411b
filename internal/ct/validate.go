package ct

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Status is an SCT's validation status in openssl's words.
type Status string

const (
	StatusNotSet         Status = "not set"
	StatusUnknownLog     Status = "unknown log"
	StatusValid          Status = "valid"
	StatusInvalid        Status = "invalid"
	StatusUnverified     Status = "unverified"
	StatusUnknownVersion Status = "unknown version"
)

// The extensions SCT lists travel in (RFC 6962 §3.3): the certificate's
// (embedded, over the precertificate) and an OCSP SingleResponse's.
var (
	OIDCertSCTs = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 11129, 2, 4, 2}
	OIDOCSPSCTs = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 11129, 2, 4, 5}
)

// Check judges one SCT as openssl's SCT_validate does, for a leaf whose
// chain verified, with issuer the next certificate of that chain: the
// version, the log, the time (not after now) and the log's signature
// over the certificate, or over the precertificate for an SCT embedded
// in the certificate.
func Check(s *SCT, leaf, issuer *x509.Certificate, logs *LogStore, now time.Time) Status {
	if s.Version != Version1 {
		return StatusUnknownVersion
	}
	log := logs.Find(s.LogID)
	if log == nil {
		return StatusUnknownLog
	}
	var signed []byte
	if s.Source == FromCertificate {
		if issuer == nil {
			return StatusUnverified
		}
		tbs, err := precertTBS(leaf.RawTBSCertificate)
		if err != nil {
			return StatusUnverified
		}
		signed = s.SignedPrecert(sha256.Sum256(issuer.RawSubjectPublicKeyInfo), tbs)
	} else {
		signed = s.SignedX509(leaf.Raw)
	}
	if s.Timestamp > uint64(now.UnixMilli()) {
		return StatusInvalid
	}
	if s.HashAlg != 4 { // sha256, the only hash RFC 6962 §2.1.4 allows
		return StatusInvalid
	}
	h := sha256.Sum256(signed)
	ok := false
	switch k := log.Key.(type) {
	case *ecdsa.PublicKey:
		ok = s.SigAlg == 3 && ecdsa.VerifyASN1(k, h[:], s.Signature)
	case *rsa.PublicKey:
		ok = s.SigAlg == 1 && rsa.VerifyPKCS1v15(k, crypto.SHA256, h[:], s.Signature) == nil
	}
	if !ok {
		return StatusInvalid
	}
	return StatusValid
}

var errTBS = errors.New("ct: malformed TBSCertificate")

// precertTBS is the TBSCertificate a log signed for a precertificate
// (RFC 6962 §3.2): the certificate's, without its SCT list extension.
func precertTBS(raw []byte) ([]byte, error) {
	in := cryptobyte.String(raw)
	var tbs cryptobyte.String
	if !in.ReadASN1(&tbs, cbasn1.SEQUENCE) || !in.Empty() {
		return nil, errTBS
	}
	var b cryptobyte.Builder
	var ferr error
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		for !tbs.Empty() {
			var elem cryptobyte.String
			var tag cbasn1.Tag
			if !tbs.ReadAnyASN1Element(&elem, &tag) {
				ferr = errTBS
				return
			}
			if tag != cbasn1.Tag(3).Constructed().ContextSpecific() {
				b.AddBytes(elem)
				continue
			}
			var outer, exts cryptobyte.String
			if !elem.ReadASN1(&outer, tag) || !outer.ReadASN1(&exts, cbasn1.SEQUENCE) {
				ferr = errTBS
				return
			}
			b.AddASN1(tag, func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					for !exts.Empty() {
						var ext, body cryptobyte.String
						var oid asn1.ObjectIdentifier
						if !exts.ReadASN1Element(&ext, cbasn1.SEQUENCE) {
							ferr = errTBS
							return
						}
						body = ext
						if !body.ReadASN1(&body, cbasn1.SEQUENCE) || !body.ReadASN1ObjectIdentifier(&oid) {
							ferr = errTBS
							return
						}
						if !oid.Equal(OIDCertSCTs) {
							b.AddBytes(ext)
						}
					}
				})
			})
		}
	})
	out, err := b.Bytes()
	if ferr != nil {
		return nil, ferr
	}
	return out, err
}
