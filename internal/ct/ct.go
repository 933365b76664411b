// Package ct reads Certificate Transparency signed certificate timestamps
// (RFC 6962 §3.2–3.3), checks them against a list of logs and prints them
// as openssl's s_client -ct does.
package ct

import (
	"encoding/binary"
	"errors"
)

// Version1 is the only SCT version (RFC 6962 §3.2).
const Version1 = 0

// Source says where an SCT came from, which decides what its log signed
// (RFC 6962 §3.3): the certificate itself, or the precertificate behind
// an SCT embedded in the certificate.
type Source int

const (
	FromTLSExtension Source = iota // signed_certificate_timestamp (x509_entry)
	FromOCSP                       // the staple's SCT list extension (x509_entry)
	FromCertificate                // the certificate's SCT list extension (precert_entry)
)

// SCT is one SignedCertificateTimestamp.
type SCT struct {
	Version    uint8
	LogID      [32]byte
	Timestamp  uint64 // milliseconds since the Unix epoch
	Extensions []byte
	HashAlg    uint8 // TLS HashAlgorithm (RFC 5246 §7.4.1.4.1)
	SigAlg     uint8 // TLS SignatureAlgorithm
	Signature  []byte
	Source     Source
}

var errMalformed = errors.New("ct: malformed SCT list")

// ParseList reads a SignedCertificateTimestampList (RFC 6962 §3.3): a
// non-empty list of non-empty serialized SCTs, all of whose bytes must be
// accounted for. An SCT of another version than 1 is kept with its
// version and the rest of its bytes unread, as its layout is unknown.
func ParseList(b []byte, src Source) ([]SCT, error) {
	body, rest, ok := vec16(b)
	if !ok || len(rest) != 0 || len(body) == 0 {
		return nil, errMalformed
	}
	var out []SCT
	for len(body) > 0 {
		var one []byte
		if one, body, ok = vec16(body); !ok || len(one) == 0 {
			return nil, errMalformed
		}
		s, err := parseSCT(one)
		if err != nil {
			return nil, err
		}
		s.Source = src
		out = append(out, s)
	}
	return out, nil
}

func parseSCT(b []byte) (SCT, error) {
	s := SCT{Version: b[0]}
	if s.Version != Version1 {
		return s, nil
	}
	b = b[1:]
	if len(b) < 32+8 {
		return s, errMalformed
	}
	copy(s.LogID[:], b)
	s.Timestamp = binary.BigEndian.Uint64(b[32:])
	var ok bool
	if s.Extensions, b, ok = vec16(b[40:]); !ok || len(b) < 2 {
		return s, errMalformed
	}
	s.HashAlg, s.SigAlg = b[0], b[1]
	if s.Signature, b, ok = vec16(b[2:]); !ok || len(b) != 0 {
		return s, errMalformed
	}
	return s, nil
}

// vec16 splits off a vector with a two-byte length.
func vec16(b []byte) (body, rest []byte, ok bool) {
	if len(b) < 2 {
		return nil, nil, false
	}
	n := int(binary.BigEndian.Uint16(b))
	if len(b)-2 < n {
		return nil, nil, false
	}
	return b[2 : 2+n], b[2+n:], true
}

// Marshal serializes a version 1 SCT.
func (s *SCT) Marshal() []byte {
	b := []byte{s.Version}
	b = append(b, s.LogID[:]...)
	b = binary.BigEndian.AppendUint64(b, s.Timestamp)
	b = binary.BigEndian.AppendUint16(b, uint16(len(s.Extensions)))
	b = append(b, s.Extensions...)
	b = append(b, s.HashAlg, s.SigAlg)
	b = binary.BigEndian.AppendUint16(b, uint16(len(s.Signature)))
	return append(b, s.Signature...)
}

// MarshalList makes a SignedCertificateTimestampList of serialized SCTs.
func MarshalList(scts ...[]byte) []byte {
	var inner []byte
	for _, s := range scts {
		inner = binary.BigEndian.AppendUint16(inner, uint16(len(s)))
		inner = append(inner, s...)
	}
	return append(binary.BigEndian.AppendUint16(nil, uint16(len(inner))), inner...)
}

// SignedX509 is the digitally-signed content of RFC 6962 §3.2 for an SCT
// over a certificate (x509_entry): what the log signed.
func (s *SCT) SignedX509(cert []byte) []byte {
	b := s.signedPrefix(0)
	b = append(b, byte(len(cert)>>16), byte(len(cert)>>8), byte(len(cert)))
	b = append(b, cert...)
	return s.signedSuffix(b)
}

// SignedPrecert is the same for an SCT over a precertificate
// (precert_entry): the issuer's key hash and the TBSCertificate without
// the SCT list extension.
func (s *SCT) SignedPrecert(issuerKeyHash [32]byte, tbs []byte) []byte {
	b := s.signedPrefix(1)
	b = append(b, issuerKeyHash[:]...)
	b = append(b, byte(len(tbs)>>16), byte(len(tbs)>>8), byte(len(tbs)))
	b = append(b, tbs...)
	return s.signedSuffix(b)
}

func (s *SCT) signedPrefix(entryType uint16) []byte {
	b := []byte{s.Version, 0} // signature_type certificate_timestamp
	b = binary.BigEndian.AppendUint64(b, s.Timestamp)
	return binary.BigEndian.AppendUint16(b, entryType)
}

func (s *SCT) signedSuffix(b []byte) []byte {
	b = binary.BigEndian.AppendUint16(b, uint16(len(s.Extensions)))
	return append(b, s.Extensions...)
}
