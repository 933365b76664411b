// Package report writes OpenSSL 3.0-compatible session reports: pure
// functions from a state struct to an io.Writer.
package report

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/tlskit/tlskit/internal/dn"
	"github.com/tlskit/tlskit/internal/tlsnames"
)

// Session is what s_client knows about a connection when it reports.
type Session struct {
	Chain []*x509.Certificate // the peer's certificates, leaf first
	// Received are certificates the server sent in a handshake that then
	// failed (a chain refused under -verify_return_error): openssl lists
	// them but says "no peer certificate available".
	Received  []*x509.Certificate
	ShowCerts bool // -showcerts: PEM of every certificate
	// Short is the report of a -reconnect: openssl leaves out the
	// certificates and handshake details it printed the first time.
	Short   bool
	NameOpt dn.Options
	// SessionCert says Chain is only the session's server certificate (a
	// resumption, or a session set but never used): openssl has no chain
	// to list then, and prints the certificate's PEM even under
	// -showcerts.
	SessionCert bool

	// CertRequest is set when the server asked for a client certificate.
	CertRequest *CertRequest

	PeerSigDigest string // "SHA256"; empty when unknown or not applicable
	PeerSigType   string // "RSA-PSS"
	TempKey       string // "X25519, 253 bits"

	BytesRead, BytesWritten int64

	VerifyCode  int
	VerifyError string // text for VerifyCode when non-zero
	// VerifiedPeername is the -verify_hostname name that matched; -brief
	// prints it.
	VerifiedPeername string
	// PointFormats are the server's EC point formats (TLS <= 1.2) as
	// -brief prints them: "uncompressed:ansiX962_compressed_prime".
	PointFormats string

	Version       string // "TLSv1.3"; "" when the handshake failed
	Cipher        string // OpenSSL name
	CipherVersion string // the cipher's own protocol version ("SSLv3", "TLSv1.2")
	// PSKIdentity and PSKHint are a TLS 1.0–1.2 PSK suite's identity and
	// identity hint; empty prints None, as openssl's unset ones.
	PSKIdentity, PSKHint string
	Resumed              bool
	SecureReneg          bool
	ALPN                 string
	ALPNOffered          bool

	SessionID      []byte
	MasterKey      []byte // TLS <= 1.2
	ResumptionPSK  []byte // TLS 1.3: the ticket's PSK (RFC 8446 4.6.1)
	TicketLifetime uint32
	Ticket         []byte
	StartTime      time.Time
	Timeout        int // seconds
	EMS            bool
	TLS13          bool
	// EarlyData is what became of -early_data's 0-RTT data: "accepted",
	// "rejected", or "" (not sent). MaxEarlyData is the session's ticket's
	// max_early_data_size.
	EarlyData    string
	MaxEarlyData uint32
	// SessionIDCtx is a server's session ID context (s_server -context).
	SessionIDCtx []byte
	// NoneVersion is, for a failed handshake, the client's highest
	// version when below TLS 1.3: openssl then prints an empty session
	// block for it.
	NoneVersion    string
	KeyingMaterial *Exported
	OCSP           []byte // stapled response, when requested
	// CT is s_client -ct's block, "SCTs present (N)" to its last "---"
	// line, printed after the server's key details; empty without -ct.
	CT string
}

// CertRequest is the content of a CertificateRequest the server sent.
type CertRequest struct {
	CANames   [][]byte // raw DER distinguished names
	CertTypes []string // OpenSSL's words: "RSA sign", "ECDSA sign"
	SigAlgs   string   // "RSA-PSS+SHA256:…" as openssl lists them
	// SharedSigAlgs are the requested algorithms we can sign with.
	SharedSigAlgs string
}

// Exported is keying material exported for -keymatexport.
type Exported struct {
	Label    string
	Material []byte
	// Failed is set when the export failed; Length is then the length
	// that was asked for.
	Failed bool
	Length int
}

// WriteConnection writes the block s_client prints after the handshake,
// from the first "---" to the "---" that closes it, exactly as openssl 3.0
// lays it out. On TLS 1.3 the SSL-Session block is printed later, when a
// ticket arrives (WriteTicketArrived), as openssl does.
func WriteConnection(w io.Writer, s *Session) {
	b := &strings.Builder{}
	if s.Short {
		// After a -reconnect openssl prints the verification result and
		// the session, not the certificates and handshake details again.
		writeVerification(b, s)
		b.WriteString("---\n")
		writeSessionSummary(b, s)
		io.WriteString(w, b.String())
		return
	}
	b.WriteString("---\n")
	if len(s.Chain) == 0 && len(s.Received) > 0 {
		writeChain(b, s, s.Received)
		b.WriteString("---\n")
	}
	if len(s.Chain) == 0 {
		b.WriteString("no peer certificate available\n")
	} else {
		// A resumed session keeps the server's certificate but not its
		// chain: openssl then prints no "Certificate chain" list, and the
		// certificate's PEM even under -showcerts.
		if !s.Resumed && !s.SessionCert {
			writeChain(b, s, s.Chain)
			b.WriteString("---\n")
		}
		// With -showcerts the PEM blocks are in the chain already; the
		// heading stays.
		b.WriteString("Server certificate\n")
		if !s.ShowCerts || s.Resumed || s.SessionCert {
			pem.Encode(b, &pem.Block{Type: "CERTIFICATE", Bytes: s.Chain[0].Raw})
		}
		fmt.Fprintf(b, "%s\n", dn.Line("subject", s.Chain[0].RawSubject, s.NameOpt))
		fmt.Fprintf(b, "%s\n", dn.Line("issuer", s.Chain[0].RawIssuer, s.NameOpt))
	}
	b.WriteString("---\n")
	writeCertRequest(b, s)
	if s.Version != "" {
		if s.PeerSigDigest != "" {
			fmt.Fprintf(b, "Peer signing digest: %s\n", s.PeerSigDigest)
		}
		if s.PeerSigType != "" {
			fmt.Fprintf(b, "Peer signature type: %s\n", s.PeerSigType)
		}
		if s.TempKey != "" {
			fmt.Fprintf(b, "Server Temp Key: %s\n", s.TempKey)
		}
	} else if s.NoneVersion != "" && s.TempKey != "" {
		// A TLS 1.0–1.2 handshake that failed after the server's key
		// exchange (its signature, when checked, reported as after a
		// handshake).
		if s.PeerSigDigest != "" {
			fmt.Fprintf(b, "Peer signing digest: %s\n", s.PeerSigDigest)
		}
		if s.PeerSigType != "" {
			fmt.Fprintf(b, "Peer signature type: %s\n", s.PeerSigType)
		}
		fmt.Fprintf(b, "Server Temp Key: %s\n", s.TempKey)
	}
	b.WriteString("---\n")
	b.WriteString(s.CT)
	fmt.Fprintf(b, "SSL handshake has read %d bytes and written %d bytes\n", s.BytesRead, s.BytesWritten)
	writeVerification(b, s)
	b.WriteString("---\n")
	writeSessionSummary(b, s)
	io.WriteString(w, b.String())
}

func writeVerification(b *strings.Builder, s *Session) {
	if s.VerifyCode == 0 {
		b.WriteString("Verification: OK\n")
		if s.VerifiedPeername != "" {
			fmt.Fprintf(b, "Verified peername: %s\n", s.VerifiedPeername)
		}
	} else {
		fmt.Fprintf(b, "Verification error: %s\n", s.VerifyError)
	}
}

// writeSessionSummary writes the report from the New/Reused line to the
// closing "---".
func writeSessionSummary(b *strings.Builder, s *Session) {
	if s.Version == "" {
		b.WriteString("New, (NONE), Cipher is (NONE)\n")
		if len(s.Chain) > 0 && !s.Short {
			// A handshake that failed after the server's certificate.
			fmt.Fprintf(b, "Server public key is %d bit\n", KeyBits(s.Chain[0]))
		}
	} else {
		kind := "New"
		if s.Resumed {
			kind = "Reused"
		}
		fmt.Fprintf(b, "%s, %s, Cipher is %s\n", kind, s.CipherVersion, s.Cipher)
		if len(s.Chain) > 0 && !s.Short {
			fmt.Fprintf(b, "Server public key is %d bit\n", KeyBits(s.Chain[0]))
		}
	}
	if s.SecureReneg {
		b.WriteString("Secure Renegotiation IS supported\n")
	} else {
		b.WriteString("Secure Renegotiation IS NOT supported\n")
	}
	b.WriteString("Compression: NONE\nExpansion: NONE\n")
	if s.ALPN != "" {
		fmt.Fprintf(b, "ALPN protocol: %s\n", s.ALPN)
	} else {
		b.WriteString("No ALPN negotiated\n")
	}
	if s.Version == "" && s.NoneVersion != "" {
		none := *s
		none.Version, none.Cipher = s.NoneVersion, "0000"
		if len(s.Chain) == 0 {
			// Without the server's certificate openssl's session has
			// no verification result.
			none.VerifyCode = 0
		}
		none.SessionID, none.MasterKey, none.Ticket = nil, nil, nil
		writeSessionBlock(b, &none)
	} else if s.Version == "" || s.TLS13 {
		switch s.EarlyData {
		case "accepted", "rejected":
			fmt.Fprintf(b, "Early data was %s\n", s.EarlyData)
		default:
			b.WriteString("Early data was not sent\n")
		}
		fmt.Fprintf(b, "Verify return code: %d (%s)\n", s.VerifyCode, verifyText(s))
	} else {
		writeSessionBlock(b, s)
	}
	if s.KeyingMaterial != nil {
		writeKeyingMaterial(b, s.KeyingMaterial)
	}
	b.WriteString("---\n")
}

// writeChain writes the "Certificate chain" list: s:/i:/a:/v: lines per
// certificate, with its PEM under -showcerts.
func writeChain(b *strings.Builder, s *Session, chain []*x509.Certificate) {
	b.WriteString("Certificate chain\n")
	for i, c := range chain {
		fmt.Fprintf(b, "%2d s:%s\n", i, chainName(c.RawSubject, s.NameOpt))
		fmt.Fprintf(b, "   i:%s\n", chainName(c.RawIssuer, s.NameOpt))
		fmt.Fprintf(b, "   a:PKEY: %s, %d (bit); sigalg: %s\n", KeyAlgName(c), KeyBits(c), SigAlgName(c))
		fmt.Fprintf(b, "   v:NotBefore: %s; NotAfter: %s\n", ASN1Time(c.NotBefore), ASN1Time(c.NotAfter))
		if s.ShowCerts {
			pem.Encode(b, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
		}
	}
}

// WriteTicketArrived writes what openssl prints when a TLS 1.3
// NewSessionTicket arrives after the handshake.
func WriteTicketArrived(w io.Writer, s *Session) {
	b := &strings.Builder{}
	b.WriteString("---\nPost-Handshake New Session Ticket arrived:\n")
	writeSessionBlock(b, s)
	b.WriteString("---\n")
	io.WriteString(w, b.String())
}

// WriteSessionBlock writes the "SSL-Session:" block alone (as -prexit and
// the end of a TLS <= 1.2 report show it).
//
// A writer that takes text as a strings.Builder or bytes.Buffer does (s_server
// -www's page is one) gets it directly, without a copy in between.
func WriteSessionBlock(w io.Writer, s *Session) {
	if t, ok := w.(textWriter); ok {
		writeSessionBlock(t, s)
		return
	}
	b := &strings.Builder{}
	writeSessionBlock(b, s)
	io.WriteString(w, b.String())
}

// textWriter is what writeSessionBlock writes to: a strings.Builder or a
// bytes.Buffer.
type textWriter interface {
	io.Writer
	io.StringWriter
	io.ByteWriter
}

func verifyText(s *Session) string {
	if s.VerifyCode == 0 {
		return "ok"
	}
	return s.VerifyError
}

func writeCertRequest(b *strings.Builder, s *Session) {
	r := s.CertRequest
	if r == nil || len(r.CANames) == 0 {
		b.WriteString("No client certificate CA names sent\n")
	} else {
		b.WriteString("Acceptable client certificate CA names\n")
		for _, n := range r.CANames {
			b.WriteString(chainName(n, s.NameOpt))
			b.WriteString("\n")
		}
	}
	if r == nil {
		return
	}
	if len(r.CertTypes) > 0 {
		fmt.Fprintf(b, "Client Certificate Types: %s\n", strings.Join(r.CertTypes, ", "))
	}
	if r.SigAlgs != "" {
		fmt.Fprintf(b, "Requested Signature Algorithms: %s\n", r.SigAlgs)
		fmt.Fprintf(b, "Shared Requested Signature Algorithms: %s\n", r.SharedSigAlgs)
	}
}

// orNone is openssl's way of printing an unset session string.
func orNone(s string) string {
	if s == "" {
		return "None"
	}
	return s
}

func writeSessionBlock(b textWriter, s *Session) {
	// Built with WriteString and strconv rather than fmt: s_server -www
	// writes this block into the page of every connection.
	line := func(parts ...string) {
		for _, p := range parts {
			b.WriteString(p)
		}
		b.WriteByte('\n')
	}
	itoa := func(n int64) string { return strconv.FormatInt(n, 10) }
	line("SSL-Session:")
	line("    Protocol  : ", s.Version)
	line("    Cipher    : ", s.Cipher)
	// The hex goes straight into b: as strings of their own the four
	// fields cost eight allocations per s_server -www page.
	hexLine := func(label string, p []byte) {
		b.WriteString(label)
		writeUpperHex(b, p)
		b.WriteByte('\n')
	}
	hexLine("    Session-ID: ", s.SessionID)
	hexLine("    Session-ID-ctx: ", s.SessionIDCtx)
	if !s.TLS13 {
		hexLine("    Master-Key: ", s.MasterKey)
	} else {
		// Empty on a server that sent no ticket, as openssl prints it.
		hexLine("    Resumption PSK: ", s.ResumptionPSK)
	}
	line("    PSK identity: ", orNone(s.PSKIdentity))
	line("    PSK identity hint: ", orNone(s.PSKHint))
	line("    SRP username: None")
	if len(s.Ticket) > 0 {
		if s.TicketLifetime != 0 {
			// SSL_SESSION_print leaves a zero hint out (RFC 5077 §3.3:
			// unspecified), as a crypto/tls server sends it in TLS 1.2.
			line("    TLS session ticket lifetime hint: ", itoa(int64(s.TicketLifetime)), " (seconds)")
		}
		b.WriteString("    TLS session ticket:\n")
		HexDump(b, s.Ticket, "    ")
		b.WriteString("\n")
	}
	line("    Start Time: ", itoa(s.StartTime.Unix()))
	line("    Timeout   : ", itoa(int64(s.Timeout)), " (sec)")
	line("    Verify return code: ", itoa(int64(s.VerifyCode)), " (", verifyText(s), ")")
	if s.EMS {
		b.WriteString("    Extended master secret: yes\n")
	} else {
		b.WriteString("    Extended master secret: no\n")
	}
	if s.TLS13 {
		line("    Max Early Data: ", itoa(int64(s.MaxEarlyData)))
	}
}

// writeUpperHex writes fmt's %X of a byte slice: two upper-case digits a
// byte.
func writeUpperHex(b io.ByteWriter, p []byte) {
	const digits = "0123456789ABCDEF"
	for _, c := range p {
		b.WriteByte(digits[c>>4])
		b.WriteByte(digits[c&15])
	}
}

func writeKeyingMaterial(b *strings.Builder, k *Exported) {
	b.WriteString("Keying material exporter:\n")
	fmt.Fprintf(b, "    Label: '%s'\n", k.Label)
	if k.Failed {
		fmt.Fprintf(b, "    Length: %d bytes\n", k.Length)
		b.WriteString("    Error\n")
		return
	}
	fmt.Fprintf(b, "    Length: %d bytes\n", len(k.Material))
	fmt.Fprintf(b, "    Keying material: %X\n", k.Material)
}

// HexDump writes data as openssl's BIO_dump_indent does: 16 bytes a line,
// offset, hex with a '-' after the eighth byte, then the printable bytes.
func HexDump(w io.Writer, data []byte, indent string) {
	for off := 0; off < len(data); off += 16 {
		line := data[off:min(off+16, len(data))]
		var hexPart, text strings.Builder
		for i := 0; i < 16; i++ {
			if i < len(line) {
				sep := " "
				if i == 7 {
					sep = "-"
				}
				fmt.Fprintf(&hexPart, "%02x%s", line[i], sep)
				c := line[i]
				if c < 0x20 || c > 0x7e {
					c = '.'
				}
				text.WriteByte(c)
			} else {
				hexPart.WriteString("   ")
			}
		}
		fmt.Fprintf(w, "%s%04x - %s  %s\n", indent, off, hexPart.String(), text.String())
	}
}

// ASN1Time formats a certificate time as openssl prints it:
// "Nov 21 10:21:51 2026 GMT" (day padded with a space).
func ASN1Time(t time.Time) string {
	return t.UTC().Format("Jan _2 15:04:05 2006 GMT")
}

// KeyAlgName is openssl's name for a certificate's public key algorithm
// ("rsaEncryption", "id-ecPublicKey", "RSASSA-PSS", "ED25519", "ED448",
// "DSA").
func KeyAlgName(c *x509.Certificate) string {
	if n, _, ok := tlsnames.CertKeyAlg(c.RawSubjectPublicKeyInfo); ok {
		return n
	}
	return "UNKNOWN"
}

// KeyBits is the size openssl reports for a certificate's public key.
func KeyBits(c *x509.Certificate) int {
	switch k := c.PublicKey.(type) {
	case *rsa.PublicKey:
		return k.N.BitLen()
	case *ecdsa.PublicKey:
		return k.Curve.Params().BitSize
	}
	// Keys crypto/x509 leaves unparsed (RSASSA-PSS, Ed448), DSA, Ed25519.
	_, bits, _ := tlsnames.CertKeyAlg(c.RawSubjectPublicKeyInfo)
	return bits
}

// SigAlgName is openssl's short name for a certificate's signature
// algorithm, as the chain lines print it: "RSA-SHA256",
// "ecdsa-with-SHA256", "RSASSA-PSS", "ED25519".
func SigAlgName(c *x509.Certificate) string {
	n, _ := tlsnames.CertSigAlgShortName(c.Raw)
	return n
}

// chainName prints a name as openssl's chain and CA-name lines do (the
// X509_NAME_print_ex form, which differs from subject= lines under compat).
func chainName(raw []byte, o dn.Options) string {
	s, err := dn.FormatIndent(raw, o, 0)
	if err != nil {
		return dn.Format(raw, o)
	}
	return s
}
