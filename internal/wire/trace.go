package wire

import (
	"crypto/x509"
	"fmt"
	"strings"

	"github.com/tlskit/tlskit/internal/engine/msg"
	"github.com/tlskit/tlskit/internal/tlsnames"
)

// traceHandshake renders one handshake message the way openssl -trace
// does: the message name and length, then every field, indented. The
// fields come from the codec; a hello it rejects is walked as far as its
// framing goes (traceHelloLenient), any other message it rejects is
// dumped in hex.
func (ob *Observer) traceHandshake(sb *strings.Builder, h *half, typ uint8, body []byte) {
	fmt.Fprintf(sb, "    %s, Length=%d\n", handshakeName(typ), len(body))
	if ob.traceBody(sb, typ, body) {
		return
	}
	if typ == hsClientHello || typ == hsServerHello {
		if !traceHelloLenient(sb, typ == hsClientHello, body) {
			sb.WriteString("Message length parse error!\n")
		}
		return
	}
	writeDump(sb, body, 6)
}

// traceBody prints the fields of a message of type typ; false means the
// codec does not read it (unknown, or malformed).
func (ob *Observer) traceBody(sb *strings.Builder, typ uint8, body []byte) bool {
	tls13 := ob.version == 0x0304
	switch typ {
	case hsClientHello:
		m, err := msg.ParseClientHello(body)
		if err != nil {
			return false
		}
		fmt.Fprintf(sb, "      client_version=0x%x (%s)\n", m.Version, versionName(m.Version))
		traceRandom(sb, m.Random)
		traceOpaque(sb, 6, "session_id", m.SessionID)
		fmt.Fprintf(sb, "      cipher_suites (len=%d)\n", 2*len(m.CipherSuites))
		for _, c := range m.CipherSuites {
			fmt.Fprintf(sb, "        {0x%02X, 0x%02X} %s\n", c>>8, c&0xff, cipherName(c))
		}
		fmt.Fprintf(sb, "      compression_methods (len=%d)\n", len(m.CompressionMethods))
		for _, c := range m.CompressionMethods {
			if c == 0 {
				sb.WriteString("        No Compression (0x00)\n")
			} else {
				fmt.Fprintf(sb, "        UNKNOWN (0x%02X)\n", c)
			}
		}
		if m.Extensions != nil {
			traceExts(sb, 6, hsClientHello, m.Extensions)
		}
	case hsServerHello:
		m, err := msg.ParseServerHello(body)
		if err != nil {
			return false
		}
		fmt.Fprintf(sb, "      server_version=0x%x (%s)\n", m.Version, versionName(m.Version))
		traceRandom(sb, m.Random)
		traceOpaque(sb, 6, "session_id", m.SessionID)
		c := m.CipherSuite
		fmt.Fprintf(sb, "      cipher_suite {0x%02X, 0x%02X} %s\n", c>>8, c&0xff, cipherName(c))
		if m.CompressionMethod == 0 {
			sb.WriteString("      compression_method: No Compression (0x00)\n")
		} else {
			fmt.Fprintf(sb, "      compression_method: UNKNOWN (0x%02X)\n", m.CompressionMethod)
		}
		if m.Extensions != nil {
			traceExts(sb, 6, hsServerHello, m.Extensions)
		}
	case hsEncryptedExtensions:
		m, err := msg.ParseEncryptedExtensions(body)
		if err != nil {
			return false
		}
		traceExts(sb, 6, hsEncryptedExtensions, m.Extensions)
	case hsCertificate:
		return ob.traceCertificate(sb, body)
	case hsCertificateRequest:
		if tls13 {
			m, err := msg.ParseCertificateRequest(body)
			if err != nil {
				return false
			}
			traceOpaque(sb, 6, "request_context", m.Context)
			traceExts(sb, 6, hsCertificateRequest, m.Extensions)
			break
		}
		m, err := msg.ParseCertificateRequest12(body, ob.version == 0x0303)
		if err != nil {
			return false
		}
		fmt.Fprintf(sb, "      certificate_types (len=%d)\n", len(m.CertTypes))
		for _, t := range m.CertTypes {
			fmt.Fprintf(sb, "        %s (%d)\n", certTypeName(t), t)
		}
		if m.HasSchemes {
			fmt.Fprintf(sb, "      signature_algorithms (len=%d)\n", 2*len(m.Schemes))
			for _, s := range m.Schemes {
				fmt.Fprintf(sb, "        %s (0x%04x)\n", sigSchemeName(s), s)
			}
		}
		n := 0
		for _, dn := range m.CANames {
			n += 2 + len(dn)
		}
		fmt.Fprintf(sb, "      certificate_authorities (len=%d)\n", n)
		for _, dn := range m.CANames {
			fmt.Fprintf(sb, "        DistinguishedName (len=%d): %s\n", len(dn), dnString(dn))
		}
	case hsServerKeyExchange:
		return ob.traceServerKeyExchange(sb, body)
	case hsClientKeyExchange:
		kind := ob.keyExchange()
		m, err := msg.ParseClientKeyExchange(body, kind)
		if err != nil {
			return false
		}
		fmt.Fprintf(sb, "      KeyExchangeAlgorithm=%s\n", kxTraceName(kind))
		if kind.PSK() {
			traceOpaque(sb, 8, "psk_identity", m.Identity)
		}
		switch kind {
		case msg.KxPSK:
		case msg.KxECDHE, msg.KxECDHEPSK:
			traceOpaque(sb, 8, "ecdh_Yc", m.Data)
		case msg.KxDHE, msg.KxDHEPSK:
			traceOpaque(sb, 8, "dh_Yc", m.Data)
		default:
			traceOpaque(sb, 8, "EncryptedPreMasterSecret", m.Data)
		}
	case hsCertificateVerify:
		var scheme uint16
		var sig []byte
		if tls13 {
			m, err := msg.ParseCertificateVerify(body)
			if err != nil {
				return false
			}
			scheme, sig = m.Scheme, m.Signature
		} else {
			m, err := msg.ParseCertificateVerify12(body, ob.version == 0x0303)
			if err != nil {
				return false
			}
			scheme, sig = m.Scheme, m.Signature
		}
		if ob.version >= 0x0303 {
			fmt.Fprintf(sb, "      Signature Algorithm: %s (0x%04x)\n", sigSchemeName(scheme), scheme)
		}
		traceOpaque(sb, 6, "Signature", sig)
	case hsFinished:
		traceOpaque(sb, 6, "verify_data", body)
	case hsNewSessionTicket:
		if !tls13 {
			m, err := msg.ParseNewSessionTicket12(body)
			if err != nil {
				return false
			}
			fmt.Fprintf(sb, "        ticket_lifetime_hint=%d\n", m.LifetimeHint)
			traceOpaque(sb, 8, "ticket", m.Ticket)
			break
		}
		m, err := msg.ParseNewSessionTicket(body)
		if err != nil {
			return false
		}
		fmt.Fprintf(sb, "        ticket_lifetime_hint=%d\n", m.Lifetime)
		fmt.Fprintf(sb, "        ticket_age_add=%d\n", m.AgeAdd)
		traceOpaque(sb, 8, "ticket_nonce", m.Nonce)
		traceOpaque(sb, 8, "ticket", m.Ticket)
		traceExts(sb, 8, hsNewSessionTicket, m.Extensions)
	case hsKeyUpdate:
		u, err := msg.ParseKeyUpdate(body)
		switch {
		case err == nil && u == msg.UpdateNotRequested:
			sb.WriteString("      update_not_requested (0)\n")
		case err == nil:
			sb.WriteString("      update_requested (1)\n")
		case len(body) == 1:
			fmt.Fprintf(sb, "      unknown (%d)\n", body[0])
		default:
			return false
		}
	case hsEndOfEarlyData:
		// openssl 3.0's trace has no entry for it: it says so and
		// dumps the (empty) body (measured with s_server -early_data
		// -trace).
		sb.WriteString("      Unsupported, hex dump follows:\n")
		writeDump(sb, body, 8)
	case hsServerHelloDone, hsHelloRequest:
		return msg.ParseEmptyMessage(body) == nil
	default:
		return false
	}
	return true
}

func traceRandom(sb *strings.Builder, rnd []byte) {
	sb.WriteString("      Random:\n")
	fmt.Fprintf(sb, "        gmt_unix_time=0x%08X\n", uint32(rnd[0])<<24|uint32(rnd[1])<<16|uint32(rnd[2])<<8|uint32(rnd[3]))
	fmt.Fprintf(sb, "        random_bytes (len=28): %s\n", upperHex(rnd[4:]))
}

func traceOpaque(sb *strings.Builder, indent int, name string, b []byte) {
	fmt.Fprintf(sb, "%s%s (len=%d): %s\n", strings.Repeat(" ", indent), name, len(b), upperHex(b))
}

func certTypeName(t uint8) string {
	switch t {
	case 1:
		return "rsa_sign"
	case 2:
		return "dss_sign"
	case 3:
		return "rsa_fixed_dh"
	case 4:
		return "dss_fixed_dh"
	case 64:
		return "ecdsa_sign"
	case 65:
		return "rsa_fixed_ecdh"
	case 66:
		return "ecdsa_fixed_ecdh"
	}
	return "UNKNOWN"
}

// traceExts prints an extensions block: "extensions, length = N" and one
// entry per extension, decoded where OpenSSL decodes it.
func traceExts(sb *strings.Builder, indent int, msgType uint8, exts msg.Extensions) {
	pad := strings.Repeat(" ", indent)
	if len(exts) == 0 {
		fmt.Fprintf(sb, "%sNo extensions\n", pad)
		return
	}
	fmt.Fprintf(sb, "%sextensions, length = %d\n", pad, extensionsLen(exts))
	for _, e := range exts {
		t := uint16(e.Type)
		fmt.Fprintf(sb, "%s  extension_type=%s(%d), length=%d\n", pad, traceExtName(t), t, len(e.Data))
		if !traceExt(sb, indent+4, msgType, e) {
			writeDump(sb, e.Data, indent+4)
		}
	}
}

// traceExt prints the fields of one extension as the codec reads them;
// false means it has none to print (unknown, malformed, or one openssl
// 3.0 dumps raw, as signature_algorithms_cert).
func traceExt(sb *strings.Builder, indent int, msgType uint8, e Ext) bool {
	pad := strings.Repeat(" ", indent)
	switch e.Type {
	case msg.ExtMaxFragmentLength:
		// openssl: "max_fragment_length := 2^9 (512 bytes) (1)".
		if len(e.Data) != 1 || e.Data[0] < 1 || e.Data[0] > 4 {
			return false
		}
		fmt.Fprintf(sb, "%smax_fragment_length := 2^%d (%d bytes) (%d)\n", pad, 8+e.Data[0], 256<<e.Data[0], e.Data[0])
	case msg.ExtECPointFormats:
		fs, err := msg.ParseUint8List(e.Data)
		if err != nil {
			return false
		}
		for _, f := range fs {
			fmt.Fprintf(sb, "%s%s (%d)\n", pad, pointFormatName(f), f)
		}
	case msg.ExtSupportedGroups:
		gs, err := msg.ParseUint16List(e.Data)
		if err != nil {
			return false
		}
		for _, g := range gs {
			fmt.Fprintf(sb, "%s%s (%d)\n", pad, groupName(g), g)
		}
	case msg.ExtSignatureAlgorithms:
		ss, err := msg.ParseUint16List(e.Data)
		if err != nil {
			return false
		}
		for _, s := range ss {
			fmt.Fprintf(sb, "%s%s (0x%04x)\n", pad, sigSchemeName(s), s)
		}
	case msg.ExtSupportedVersions:
		if msgType == hsClientHello {
			vs, err := msg.ParseSupportedVersionsClient(e.Data)
			if err != nil {
				return false
			}
			for _, v := range vs {
				fmt.Fprintf(sb, "%s%s (%d)\n", pad, versionName(v), v)
			}
			break
		}
		v, err := msg.ParseSupportedVersionsServer(e.Data)
		if err != nil {
			return false
		}
		fmt.Fprintf(sb, "%s  %s (%d)\n", pad, versionName(v), v)
	case msg.ExtPSKKeyExchangeModes:
		ms, err := msg.ParseUint8List(e.Data)
		if err != nil {
			return false
		}
		for _, m := range ms {
			n := "psk_ke"
			if m == 1 {
				n = "psk_dhe_ke"
			}
			fmt.Fprintf(sb, "%s%s (%d)\n", pad, n, m)
		}
	case msg.ExtKeyShare:
		group := func(g uint16) { fmt.Fprintf(sb, "%s  NamedGroup: %s (%d)\n", pad, groupName(g), g) }
		share := func(k msg.KeyShare) {
			group(k.Group)
			fmt.Fprintf(sb, "%s  key_exchange:  (len=%d): %s\n", pad, len(k.Data), upperHex(k.Data))
		}
		switch {
		case msgType == hsClientHello:
			ks, err := msg.ParseKeyShareClient(e.Data)
			if err != nil {
				return false
			}
			for _, k := range ks {
				share(k)
			}
		case msgType == hsServerHello && len(e.Data) == 2:
			// A HelloRetryRequest names only the group.
			g, err := msg.ParseKeyShareHRR(e.Data)
			if err != nil {
				return false
			}
			group(g)
		default:
			k, err := msg.ParseKeyShareServer(e.Data)
			if err != nil {
				return false
			}
			share(k)
		}
	case msg.ExtALPN:
		ps, err := msg.ParseALPN(e.Data)
		if err != nil {
			return false
		}
		for _, p := range ps {
			fmt.Fprintf(sb, "%s%s\n", pad, p)
		}
	case msg.ExtRenegotiationInfo:
		v, err := msg.ParseRenegotiationInfo(e.Data)
		if err != nil {
			return false
		}
		if len(v) == 0 {
			fmt.Fprintf(sb, "%s  <EMPTY>\n", pad)
		} else {
			fmt.Fprintf(sb, "%s  %s (len=%d): %s\n", pad, "renegotiated_connection", len(v), upperHex(v))
		}
	case msg.ExtEarlyData:
		if msg.ParseEmpty(e.Data) == nil {
			break // in a ClientHello or EncryptedExtensions
		}
		n, err := msg.ParseEarlyDataTicket(e.Data)
		if err != nil {
			return false
		}
		fmt.Fprintf(sb, "%smax_early_data=%d\n", pad, n)
	default:
		return false
	}
	return true
}

func pointFormatName(f uint8) string {
	switch f {
	case 0:
		return "uncompressed"
	case 1:
		return "ansiX962_compressed_prime"
	case 2:
		return "ansiX962_compressed_char2"
	}
	return "unknown"
}

// kxTraceName is openssl -trace's KeyExchangeAlgorithm name.
func kxTraceName(k msg.KeyExchange) string {
	switch k {
	case msg.KxECDHE:
		return "ECDHE"
	case msg.KxDHE:
		return "DHE"
	case msg.KxPSK:
		return "PSK"
	case msg.KxDHEPSK:
		return "DHEPSK"
	case msg.KxECDHEPSK:
		return "ECDHEPSK"
	case msg.KxRSAPSK:
		return "RSAPSK"
	}
	return "RSA"
}

func (ob *Observer) traceServerKeyExchange(sb *strings.Builder, body []byte) bool {
	kind := ob.keyExchange()
	if kind == msg.KxRSA {
		return false
	}
	m, err := msg.ParseServerKeyExchange(body, kind, ob.version == 0x0303)
	if err != nil {
		return false
	}
	fmt.Fprintf(sb, "      KeyExchangeAlgorithm=%s\n", kxTraceName(kind))
	if kind.PSK() {
		// RFC 4279 §2: the hint first, and no signature.
		traceOpaque(sb, 8, "psk_identity_hint", m.Hint)
	}
	switch kind.Ephemeral() {
	case msg.KxECDHE:
		fmt.Fprintf(sb, "        named_curve: %s (%d)\n", groupName(m.Group), m.Group)
		traceOpaque(sb, 8, "point", m.Public)
	case msg.KxDHE:
		traceOpaque(sb, 8, "dh_p", m.P)
		traceOpaque(sb, 8, "dh_g", m.G)
		traceOpaque(sb, 8, "dh_Ys", m.Y)
	}
	if kind.PSK() {
		return true
	}
	if m.HasScheme {
		fmt.Fprintf(sb, "      Signature Algorithm: %s (0x%04x)\n", sigSchemeName(m.Scheme), m.Scheme)
	}
	traceOpaque(sb, 6, "Signature", m.Signature)
	return true
}

// traceCertificate prints the certificate list (RFC 8446 section 4.4.2,
// RFC 5246 section 7.4.2), each certificate followed by its X509 text.
func (ob *Observer) traceCertificate(sb *strings.Builder, body []byte) bool {
	if ob.version != 0x0304 {
		m, err := msg.ParseCertificate12(body)
		if err != nil {
			return false
		}
		fmt.Fprintf(sb, "      certificate_list, length=%d\n", len(body)-3)
		for _, der := range m.Chain {
			fmt.Fprintf(sb, "        ASN.1Cert, length=%d\n", len(der))
			traceCertDetails(sb, der)
		}
		return true
	}
	m, err := msg.ParseCertificate(body)
	if err != nil {
		return false
	}
	traceOpaque(sb, 6, "context", m.Context)
	fmt.Fprintf(sb, "      certificate_list, length=%d\n", len(body)-1-len(m.Context)-3)
	for _, e := range m.Entries {
		fmt.Fprintf(sb, "        ASN.1Cert, length=%d\n", len(e.Data))
		traceCertDetails(sb, e.Data)
		traceExts(sb, 8, hsCertificate, e.Extensions)
	}
	return true
}

// sigAlgName is the name x509 -text prints: openssl's long name, except
// that RSA-PSS is "rsassaPss" there.
func sigAlgName(a x509.SignatureAlgorithm) string {
	switch a {
	case x509.SHA256WithRSAPSS, x509.SHA384WithRSAPSS, x509.SHA512WithRSAPSS:
		return "rsassaPss"
	}
	if n, ok := tlsnames.X509SigAlgName(a); ok {
		return n
	}
	return a.String()
}
