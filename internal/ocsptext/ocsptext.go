// Package ocsptext prints OCSP responses (RFC 6960) as openssl does.
package ocsptext

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/tlskit/tlskit/internal/dn"
	"github.com/tlskit/tlskit/internal/lazy"
	"github.com/tlskit/tlskit/internal/wire"
)

// The ASN.1 of a stapled response (RFC 6960 section 4.2.1), decoded here
// because openssl prints fields x/crypto/ocsp does not keep (version,
// CertID hashes, the signature bytes).
type ocspResponseASN1 struct {
	Status   asn1.Enumerated
	Response struct {
		Type     asn1.ObjectIdentifier
		Response []byte
	} `asn1:"explicit,tag:0,optional"`
}

type basicResponseASN1 struct {
	TBS       asn1.RawValue
	SigAlg    pkix.AlgorithmIdentifier
	Signature asn1.BitString
	Certs     []asn1.RawValue `asn1:"explicit,tag:0,optional"`
}

type responseDataASN1 struct {
	Version     int `asn1:"optional,explicit,default:0,tag:0"`
	ResponderID asn1.RawValue
	ProducedAt  time.Time `asn1:"generalized"`
	Responses   []singleResponseASN1
	Extensions  []pkix.Extension `asn1:"explicit,tag:1,optional"`
}

type singleResponseASN1 struct {
	CertID struct {
		HashAlg        pkix.AlgorithmIdentifier
		IssuerNameHash []byte
		IssuerKeyHash  []byte
		Serial         *big.Int
	}
	Status     asn1.RawValue
	ThisUpdate time.Time        `asn1:"generalized"`
	NextUpdate time.Time        `asn1:"generalized,explicit,tag:0,optional"`
	Extensions []pkix.Extension `asn1:"explicit,tag:1,optional"`
}

var ocspStatusNames = lazy.Value[map[asn1.Enumerated]string]{Build: func() map[asn1.Enumerated]string {
	return map[asn1.Enumerated]string{
		0: "successful", 1: "malformedRequest", 2: "internalError", 3: "tryLater",
		5: "sigRequired", 6: "unauthorized",
	}
}}

var oidBasicResponse = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 1}

// Write writes the "OCSP Response Data:" block of a DER OCSPResponse in
// openssl's layout (OCSP_RESPONSE_print), as s_client -status and
// s_server -status_verbose print it.
// The embedded responder certificates are printed as PEM only (openssl
// also prints their full text form).
func Write(b *strings.Builder, der []byte) error {
	var r ocspResponseASN1
	if _, err := asn1.Unmarshal(der, &r); err != nil {
		return err
	}
	name, ok := ocspStatusNames.Get()[r.Status]
	if !ok {
		name = "(UNKNOWN)"
	}
	b.WriteString("OCSP Response Data:\n")
	fmt.Fprintf(b, "    OCSP Response Status: %s (0x%x)\n", name, int(r.Status))
	if r.Status != 0 {
		return nil
	}
	if !r.Response.Type.Equal(oidBasicResponse) {
		fmt.Fprintf(b, "    Response Type: %s\n", r.Response.Type)
		return nil
	}
	b.WriteString("    Response Type: Basic OCSP Response\n")
	var basic basicResponseASN1
	if _, err := asn1.Unmarshal(r.Response.Response, &basic); err != nil {
		return err
	}
	var data responseDataASN1
	if _, err := asn1.Unmarshal(basic.TBS.FullBytes, &data); err != nil {
		return err
	}
	fmt.Fprintf(b, "    Version: %d (0x%x)\n", data.Version+1, data.Version)
	switch data.ResponderID.Tag {
	case 1: // byName
		fmt.Fprintf(b, "    Responder Id: %s\n", dn.Format(data.ResponderID.Bytes, dn.Default()))
	case 2: // byKey
		var key []byte
		asn1.Unmarshal(data.ResponderID.Bytes, &key)
		fmt.Fprintf(b, "    Responder Id: %X\n", key)
	}
	fmt.Fprintf(b, "    Produced At: %s\n", ocspTime(data.ProducedAt))
	b.WriteString("    Responses:\n")
	for _, sr := range data.Responses {
		b.WriteString("    Certificate ID:\n")
		fmt.Fprintf(b, "      Hash Algorithm: %s\n", hashAlgName(sr.CertID.HashAlg.Algorithm))
		fmt.Fprintf(b, "      Issuer Name Hash: %X\n", sr.CertID.IssuerNameHash)
		fmt.Fprintf(b, "      Issuer Key Hash: %X\n", sr.CertID.IssuerKeyHash)
		fmt.Fprintf(b, "      Serial Number: %s\n", serialHex(sr.CertID.Serial))
		switch sr.Status.Tag {
		case 0:
			b.WriteString("    Cert Status: good\n")
		case 1:
			b.WriteString("    Cert Status: revoked\n")
			var rev struct {
				Time time.Time `asn1:"generalized"`
			}
			if _, err := asn1.UnmarshalWithParams(sr.Status.FullBytes, &rev, "tag:1"); err == nil {
				fmt.Fprintf(b, "    Revocation Time: %s\n", ocspTime(rev.Time))
			}
		default:
			b.WriteString("    Cert Status: unknown\n")
		}
		fmt.Fprintf(b, "    This Update: %s\n", ocspTime(sr.ThisUpdate))
		if !sr.NextUpdate.IsZero() {
			fmt.Fprintf(b, "    Next Update: %s\n", ocspTime(sr.NextUpdate))
		}
		writeExtensions(b, "Response Single Extensions", 8, sr.Extensions)
	}
	b.WriteString("\n")
	writeExtensions(b, "Response Extensions", 4, data.Extensions)
	fmt.Fprintf(b, "    Signature Algorithm: %s\n", sigAlgOIDName(basic.SigAlg.Algorithm))
	b.WriteString("    Signature Value:\n")
	sig := basic.Signature.Bytes
	for off := 0; off < len(sig); off += 18 {
		line := sig[off:min(off+18, len(sig))]
		parts := make([]string, len(line))
		for i, x := range line {
			parts[i] = fmt.Sprintf("%02x", x)
		}
		sep := ""
		if off+18 < len(sig) {
			sep = ":"
		}
		fmt.Fprintf(b, "        %s%s\n", strings.Join(parts, ":"), sep)
	}
	for _, c := range basic.Certs {
		// openssl prints each responder certificate as text, then PEM.
		if text, ok := wire.CertText(c.FullBytes); ok {
			b.WriteString(text)
		}
		pem.Encode(b, &pem.Block{Type: "CERTIFICATE", Bytes: c.FullBytes})
	}
	return nil
}

var oidNonce = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 2}

// writeExtensions prints response or single-response extensions as
// openssl does: a title, then each extension's name (its dotted OID when
// openssl knows no name for it; only the nonce is named here), "critical"
// when it is, and its value four columns further in: a nonce as
// uppercase hex, the whole extnValue, broken after every 35 bytes with a
// backslash; any other value as its bytes, non-printable ones (but
// newline and carriage return) as '.'.
func writeExtensions(b *strings.Builder, title string, indent int, exts []pkix.Extension) {
	if len(exts) == 0 {
		return
	}
	fmt.Fprintf(b, "%*s%s:\n", indent, "", title)
	for _, e := range exts {
		crit := ""
		if e.Critical {
			crit = "critical"
		}
		name := e.Id.String()
		if e.Id.Equal(oidNonce) {
			name = "OCSP Nonce"
		}
		fmt.Fprintf(b, "%*s%s: %s\n%*s", indent+4, "", name, crit, indent+8, "")
		if e.Id.Equal(oidNonce) {
			for i, x := range e.Value {
				if i > 0 && i%35 == 0 {
					b.WriteString("\\\n")
				}
				fmt.Fprintf(b, "%02X", x)
			}
		} else {
			for _, x := range e.Value {
				if (x < 0x20 && x != '\n' && x != '\r') || x > 0x7e {
					x = '.'
				}
				b.WriteByte(x)
			}
		}
		b.WriteString("\n")
	}
}

func ocspTime(t time.Time) string { return t.UTC().Format("Jan _2 15:04:05 2006 GMT") }

func serialHex(n *big.Int) string {
	if n == nil {
		return "0"
	}
	s := fmt.Sprintf("%X", n)
	if len(s)%2 == 1 {
		s = "0" + s
	}
	return s
}

func hashAlgName(oid asn1.ObjectIdentifier) string {
	switch oid.String() {
	case "1.3.14.3.2.26":
		return "sha1"
	case "2.16.840.1.101.3.4.2.1":
		return "sha256"
	case "2.16.840.1.101.3.4.2.2":
		return "sha384"
	case "2.16.840.1.101.3.4.2.3":
		return "sha512"
	}
	return oid.String()
}

func sigAlgOIDName(oid asn1.ObjectIdentifier) string {
	switch oid.String() {
	case "1.2.840.113549.1.1.5":
		return "sha1WithRSAEncryption"
	case "1.2.840.113549.1.1.11":
		return "sha256WithRSAEncryption"
	case "1.2.840.113549.1.1.12":
		return "sha384WithRSAEncryption"
	case "1.2.840.113549.1.1.13":
		return "sha512WithRSAEncryption"
	case "1.2.840.113549.1.1.10":
		return "rsassaPss"
	case "1.2.840.10045.4.3.2":
		return "ecdsa-with-SHA256"
	case "1.2.840.10045.4.3.3":
		return "ecdsa-with-SHA384"
	case "1.2.840.10045.4.3.4":
		return "ecdsa-with-SHA512"
	case "1.3.101.112":
		return "ED25519"
	}
	return oid.String()
}
