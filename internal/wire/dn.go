package wire

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"strings"

	"github.com/tlskit/tlskit/internal/lazy"
)

// dnShort holds OpenSSL's short names for the attributes seen in
// practice; others print as dotted OIDs.
var dnShort = lazy.Value[map[string]string]{Build: func() map[string]string {
	return map[string]string{
		"2.5.4.3": "CN", "2.5.4.4": "SN", "2.5.4.5": "serialNumber", "2.5.4.6": "C",
		"2.5.4.7": "L", "2.5.4.8": "ST", "2.5.4.9": "street", "2.5.4.10": "O",
		"2.5.4.11": "OU", "2.5.4.12": "title", "2.5.4.17": "postalCode",
		"2.5.4.42": "GN", "2.5.4.43": "initials", "2.5.4.46": "dnQualifier",
		"1.2.840.113549.1.9.1":       "emailAddress",
		"0.9.2342.19200300.100.1.25": "DC",
		"0.9.2342.19200300.100.1.1":  "UID",
		"2.5.4.97":                   "organizationIdentifier",
	}
}}

// dnString renders a DER Name in OpenSSL's one-line style,
// "C = US, O = Example, CN = host", in the order the RDNs appear.
func dnString(der []byte) string {
	var seq pkix.RDNSequence
	if rest, err := asn1.Unmarshal(der, &seq); err != nil || len(rest) != 0 {
		return "<invalid name>"
	}
	var parts []string
	for _, rdn := range seq {
		for _, atv := range rdn {
			k := atv.Type.String()
			if s, ok := dnShort.Get()[k]; ok {
				k = s
			}
			v, ok := atv.Value.(string)
			if !ok {
				v = "<binary>"
			}
			parts = append(parts, k+" = "+v)
		}
	}
	return strings.Join(parts, ", ")
}
