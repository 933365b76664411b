package ct

import (
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"strings"
	"time"

	"golang.org/x/crypto/ocsp"
)

// Collect gathers the SCTs of a connection as openssl's
// SSL_get0_peer_scts does: the TLS extension's, the OCSP staple's, then
// the certificate's own. Each source's list comes out in reverse, as
// openssl moves it over one SCT at a time from its end. A list that does
// not parse gives no SCTs.
func Collect(tlsList, ocspResp []byte, leaf *x509.Certificate) []SCT {
	var out []SCT
	add := func(list []byte, src Source) {
		scts, err := ParseList(list, src)
		if err != nil {
			return
		}
		for i := len(scts) - 1; i >= 0; i-- {
			out = append(out, scts[i])
		}
	}
	if len(tlsList) > 0 {
		add(tlsList, FromTLSExtension)
	}
	if len(ocspResp) > 0 {
		if r, err := ocsp.ParseResponse(ocspResp, nil); err == nil {
			for _, e := range r.Extensions {
				if e.Id.Equal(OIDOCSPSCTs) {
					if l, ok := octets(e.Value); ok {
						add(l, FromOCSP)
					}
				}
			}
		}
	}
	if leaf != nil {
		for _, e := range leaf.Extensions {
			if e.Id.Equal(OIDCertSCTs) {
				if l, ok := octets(e.Value); ok {
					add(l, FromCertificate)
				}
			}
		}
	}
	return out
}

// octets unwraps the OCTET STRING an SCT list extension's value is.
func octets(v []byte) ([]byte, bool) {
	var b []byte
	rest, err := asn1.Unmarshal(v, &b)
	return b, err == nil && len(rest) == 0
}

// WriteReport writes s_client -ct's block, from "SCTs present (N)" to the
// "---" after the last SCT: each SCT's validation status (statuses[i],
// StatusNotSet when the chain was not verified) and the SCT as openssl's
// SCT_print lays it out.
func WriteReport(b *strings.Builder, scts []SCT, statuses []Status, logs *LogStore) {
	fmt.Fprintf(b, "SCTs present (%d)\n---\n", len(scts))
	for i := range scts {
		st := StatusNotSet
		if i < len(statuses) {
			st = statuses[i]
		}
		fmt.Fprintf(b, "SCT validation status: %s\n", st)
		writeSCT(b, &scts[i], logs)
		b.WriteString("---\n")
	}
}

const indent = "                " // 16 spaces: the continuation of a field

func writeSCT(b *strings.Builder, s *SCT, logs *LogStore) {
	b.WriteString("Signed Certificate Timestamp:\n")
	if s.Version != Version1 {
		fmt.Fprintf(b, "    Version   : unknown (0x%x)\n", s.Version)
		return
	}
	b.WriteString("    Version   : v1 (0x0)\n")
	if l := logs.Find(s.LogID); l != nil {
		fmt.Fprintf(b, "    Log       : %s\n", l.Description)
	}
	fmt.Fprintf(b, "    Log ID    : %s\n", hexColumns(s.LogID[:]))
	fmt.Fprintf(b, "    Timestamp : %s\n", timestamp(s.Timestamp))
	if len(s.Extensions) == 0 {
		b.WriteString("    Extensions: none\n")
	} else {
		fmt.Fprintf(b, "    Extensions: %s\n", hexColumns(s.Extensions))
	}
	fmt.Fprintf(b, "    Signature : %s\n", sigName(s.HashAlg, s.SigAlg))
	fmt.Fprintf(b, "%s%s\n", indent, hexColumns(s.Signature))
}

// hexColumns is openssl's BIO_hex_string: "AB:CD:…", 16 bytes a line,
// continued 16 spaces in.
func hexColumns(d []byte) string {
	var b strings.Builder
	for i, c := range d {
		if i > 0 && i%16 == 0 {
			b.WriteString("\n" + indent)
		}
		fmt.Fprintf(&b, "%02X", c)
		if i < len(d)-1 {
			b.WriteByte(':')
		}
	}
	return b.String()
}

// timestamp is an SCT's time as openssl prints it: a GeneralizedTime with
// milliseconds, "Jan  2 03:04:05.006 2026 GMT".
func timestamp(ms uint64) string {
	t := time.UnixMilli(int64(ms)).UTC()
	return fmt.Sprintf("%s %2d %02d:%02d:%02d.%03d %d GMT", t.Format("Jan"), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond()/1e6, t.Year())
}

// sigName is the signature's name for the two RFC 6962 §2.1.4 allows.
func sigName(hash, sig uint8) string {
	switch {
	case hash == 4 && sig == 3:
		return "ecdsa-with-SHA256"
	case hash == 4 && sig == 1:
		return "sha256WithRSAEncryption"
	}
	return "undefined"
}
