package wire

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/tlskit/tlskit/internal/dn"
	"github.com/tlskit/tlskit/internal/lazy"
)

// traceCertDetails prints a certificate the way OpenSSL's X509_print
// does inside -trace: header fields, public key, the common v3
// extensions, the signature, then the PEM. Extensions it does not know
// are shown as a hex dump; SAN entries are grouped by type.
func traceCertDetails(sb *strings.Builder, der []byte) {
	c, err := x509.ParseCertificate(der)
	if err != nil {
		sb.WriteString("<UNPARSEABLE CERTIFICATE>\n")
		return
	}
	sb.WriteString("------details-----\n")
	writeCertText(sb, c, dnString)
	pem.Encode(sb, &pem.Block{Type: "CERTIFICATE", Bytes: der})
	sb.WriteString("------------------\n")
}

// CertText is a certificate as OpenSSL's X509_print shows it, without
// the PEM that usually follows; ok is false when Go cannot parse it.
func CertText(der []byte) (text string, ok bool) {
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return "", false
	}
	var sb strings.Builder
	// X509_print outside -trace separates a name's parts with ", " and
	// puts no spaces around "=".
	writeCertText(&sb, c, func(raw []byte) string { return dn.Format(raw, printNameOpts.Get()) })
	return sb.String(), true
}

var printNameOpts = lazy.Value[dn.Options]{Build: func() dn.Options {
	o, _ := dn.ParseOptions("sep_comma_plus_space")
	return o
}}

func writeCertText(sb *strings.Builder, c *x509.Certificate, name func([]byte) string) {
	sb.WriteString("Certificate:\n    Data:\n")
	fmt.Fprintf(sb, "        Version: %d (0x%x)\n", c.Version, c.Version-1)
	if c.SerialNumber.IsInt64() && c.SerialNumber.Sign() >= 0 {
		fmt.Fprintf(sb, "        Serial Number: %d (0x%x)\n", c.SerialNumber, c.SerialNumber)
	} else {
		fmt.Fprintf(sb, "        Serial Number:\n            %s\n", colonHex(c.SerialNumber.Bytes(), false))
	}
	fmt.Fprintf(sb, "        Signature Algorithm: %s\n", sigAlgName(c.SignatureAlgorithm))
	fmt.Fprintf(sb, "        Issuer: %s\n", name(c.RawIssuer))
	sb.WriteString("        Validity\n")
	fmt.Fprintf(sb, "            Not Before: %s\n", asn1Time(c.NotBefore))
	fmt.Fprintf(sb, "            Not After : %s\n", asn1Time(c.NotAfter))
	fmt.Fprintf(sb, "        Subject: %s\n", name(c.RawSubject))
	sb.WriteString("        Subject Public Key Info:\n")
	writePublicKey(sb, c.PublicKey)
	if len(c.Extensions) > 0 {
		sb.WriteString("        X509v3 extensions:\n")
		for _, e := range c.Extensions {
			writeExtension(sb, c, e.Id.String(), e.Critical, e.Value)
		}
	}
	fmt.Fprintf(sb, "    Signature Algorithm: %s\n", sigAlgName(c.SignatureAlgorithm))
	sb.WriteString("    Signature Value:\n")
	writeColonBlock(sb, c.Signature, 8, 18)
}

// writeColonBlock prints b as "aa:bb:..." lines of n bytes, each line
// but the last ending in a colon.
func writeColonBlock(sb *strings.Builder, b []byte, indent, n int) {
	pad := strings.Repeat(" ", indent)
	for off := 0; off < len(b); off += n {
		end := min(off+n, len(b))
		sb.WriteString(pad)
		sb.WriteString(colonHex(b[off:end], false))
		if end < len(b) {
			sb.WriteByte(':')
		}
		sb.WriteByte('\n')
	}
}

func colonHex(b []byte, upper bool) string {
	if len(b) == 0 {
		b = []byte{0}
	}
	f := "%02x"
	if upper {
		f = "%02X"
	}
	parts := make([]string, len(b))
	for i, c := range b {
		parts[i] = fmt.Sprintf(f, c)
	}
	return strings.Join(parts, ":")
}

// unsignedBytes is OpenSSL's BN print: a leading zero when the top bit
// is set, so the value reads as positive.
func unsignedBytes(n *big.Int) []byte {
	b := n.Bytes()
	if len(b) > 0 && b[0]&0x80 != 0 {
		b = append([]byte{0}, b...)
	}
	return b
}

func writePublicKey(sb *strings.Builder, pub any) {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		sb.WriteString("            Public Key Algorithm: rsaEncryption\n")
		fmt.Fprintf(sb, "                Public-Key: (%d bit)\n", k.N.BitLen())
		sb.WriteString("                Modulus:\n")
		writeColonBlock(sb, unsignedBytes(k.N), 20, 15)
		fmt.Fprintf(sb, "                Exponent: %d (0x%x)\n", k.E, k.E)
	case *ecdsa.PublicKey:
		sb.WriteString("            Public Key Algorithm: id-ecPublicKey\n")
		fmt.Fprintf(sb, "                Public-Key: (%d bit)\n", k.Curve.Params().BitSize)
		sb.WriteString("                pub:\n")
		if pt, err := k.Bytes(); err == nil {
			writeColonBlock(sb, pt, 20, 15)
		}
		oid, nist := "", k.Curve.Params().Name
		switch nist {
		case "P-256":
			oid = "prime256v1"
		case "P-384":
			oid = "secp384r1"
		case "P-521":
			oid = "secp521r1"
		case "P-224":
			oid = "secp224r1"
		}
		fmt.Fprintf(sb, "                ASN1 OID: %s\n", oid)
		fmt.Fprintf(sb, "                NIST CURVE: %s\n", nist)
	case ed25519.PublicKey:
		sb.WriteString("            Public Key Algorithm: ED25519\n")
		sb.WriteString("                ED25519 Public-Key:\n                pub:\n")
		writeColonBlock(sb, k, 20, 15)
	default:
		sb.WriteString("            Public Key Algorithm: UNKNOWN\n")
	}
}

var keyUsageNames = []string{"Digital Signature", "Non Repudiation", "Key Encipherment",
	"Data Encipherment", "Key Agreement", "Certificate Sign", "CRL Sign", "Encipher Only", "Decipher Only"}

var extKeyUsageNames = lazy.Value[map[x509.ExtKeyUsage]string]{Build: func() map[x509.ExtKeyUsage]string {
	return map[x509.ExtKeyUsage]string{
		x509.ExtKeyUsageAny:             "Any Extended Key Usage",
		x509.ExtKeyUsageServerAuth:      "TLS Web Server Authentication",
		x509.ExtKeyUsageClientAuth:      "TLS Web Client Authentication",
		x509.ExtKeyUsageCodeSigning:     "Code Signing",
		x509.ExtKeyUsageEmailProtection: "E-mail Protection",
		x509.ExtKeyUsageTimeStamping:    "Time Stamping",
		x509.ExtKeyUsageOCSPSigning:     "OCSP Signing",
	}
}}

// writeExtension prints one v3 extension; the labels are OpenSSL's.
func writeExtension(sb *strings.Builder, c *x509.Certificate, oid string, critical bool, raw []byte) {
	crit := " "
	if critical {
		crit = " critical"
	}
	const pad = "                "
	head := func(name string) { fmt.Fprintf(sb, "            X509v3 %s:%s\n", name, crit) }
	switch oid {
	case "2.5.29.14":
		head("Subject Key Identifier")
		sb.WriteString(pad + colonHex(c.SubjectKeyId, true) + "\n")
	case "2.5.29.35":
		head("Authority Key Identifier")
		sb.WriteString(pad + colonHex(c.AuthorityKeyId, true) + "\n")
	case "2.5.29.19":
		head("Basic Constraints")
		v := "CA:FALSE"
		if c.IsCA {
			v = "CA:TRUE"
		}
		if c.MaxPathLen > 0 || c.MaxPathLenZero {
			v += fmt.Sprintf(", pathlen:%d", c.MaxPathLen)
		}
		sb.WriteString(pad + v + "\n")
	case "2.5.29.17":
		head("Subject Alternative Name")
		var names []string
		for _, d := range c.DNSNames {
			names = append(names, "DNS:"+d)
		}
		for _, e := range c.EmailAddresses {
			names = append(names, "email:"+e)
		}
		for _, ip := range c.IPAddresses {
			names = append(names, "IP Address:"+ip.String())
		}
		for _, u := range c.URIs {
			names = append(names, "URI:"+u.String())
		}
		sb.WriteString(pad + strings.Join(names, ", ") + "\n")
	case "2.5.29.15":
		head("Key Usage")
		var names []string
		for i, n := range keyUsageNames {
			if c.KeyUsage&(1<<i) != 0 {
				names = append(names, n)
			}
		}
		sb.WriteString(pad + strings.Join(names, ", ") + "\n")
	case "2.5.29.37":
		head("Extended Key Usage")
		var names []string
		for _, u := range c.ExtKeyUsage {
			if n, ok := extKeyUsageNames.Get()[u]; ok {
				names = append(names, n)
			}
		}
		for _, u := range c.UnknownExtKeyUsage {
			names = append(names, u.String())
		}
		sb.WriteString(pad + strings.Join(names, ", ") + "\n")
	default:
		fmt.Fprintf(sb, "            %s:%s\n", oid, crit)
		writeDump(sb, raw, 16)
	}
}

// asn1Time is OpenSSL's ASN1_TIME_print layout, "Nov 21 10:18:58 2026 GMT".
func asn1Time(t time.Time) string {
	return t.UTC().Format("Jan _2 15:04:05 2006") + " GMT"
}
