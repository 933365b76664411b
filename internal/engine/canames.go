package engine

import (
	"crypto/x509/pkix"
	"encoding/asn1"

	"github.com/tlskit/tlskit/internal/engine/alert"
)

// parseClientCANames reads a TLS 1.3 ClientHello's certificate_authorities
// (RFC 8446 §4.2.4: DistinguishedName authorities<3..2^16-1>, each
// DistinguishedName<1..2^16-1>) the way openssl s_server 3.0 judges it,
// measured with scripted ClientHellos: every fault is decode_error, with
// openssl's reason for it. The list vector overrunning the extension is
// "length mismatch", bytes after it "bad extension"; a name that is not
// DER (an empty one too) is "ASN1 lib", a name with bytes after its DER
// "ca dn length mismatch". An empty list passes, as openssl lets it.
func parseClientCANames(d []byte) ([][]byte, error) {
	if len(d) < 2 || int(d[0])<<8|int(d[1]) > len(d)-2 {
		return nil, alert.Faultf(alert.DecodeError, "length mismatch")
	}
	n := int(d[0])<<8 | int(d[1])
	list, rest := d[2:2+n], d[2+n:]
	var out [][]byte
	for len(list) > 0 {
		if len(list) < 2 || int(list[0])<<8|int(list[1]) > len(list)-2 {
			return nil, alert.Faultf(alert.DecodeError, "length mismatch")
		}
		l := int(list[0])<<8 | int(list[1])
		dn := list[2 : 2+l]
		list = list[2+l:]
		var rdn pkix.RDNSequence
		after, err := asn1.Unmarshal(dn, &rdn)
		if err != nil {
			return nil, alert.Faultf(alert.DecodeError, "ASN1 lib")
		}
		if len(after) != 0 {
			return nil, alert.Faultf(alert.DecodeError, "ca dn length mismatch")
		}
		out = append(out, dn)
	}
	if len(rest) != 0 {
		return nil, alert.Faultf(alert.DecodeError, "bad extension")
	}
	return out, nil
}
