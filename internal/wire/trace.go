package wire

import (
	"crypto/x509"
	"fmt"
	"strings"

	"github.com/tlskit/tlskit/internal/tlsnames"
)

// traceHandshake renders one handshake message the way openssl -trace
// does: the message name and length, then every field, indented.
func (ob *Observer) traceHandshake(sb *strings.Builder, h *half, typ uint8, body []byte) {
	fmt.Fprintf(sb, "    %s, Length=%d\n", handshakeName(typ), len(body))
	r := &reader{b: body}
	switch typ {
	case hsClientHello:
		v := r.u16()
		fmt.Fprintf(sb, "      client_version=0x%x (%s)\n", v, versionName(v))
		traceRandom(sb, r)
		traceOpaque(sb, 6, "session_id", r.vec8())
		cs := u16s(r.vec16())
		fmt.Fprintf(sb, "      cipher_suites (len=%d)\n", 2*len(cs))
		for _, c := range cs {
			fmt.Fprintf(sb, "        {0x%02X, 0x%02X} %s\n", c>>8, c&0xff, cipherName(c))
		}
		comp := r.vec8()
		fmt.Fprintf(sb, "      compression_methods (len=%d)\n", len(comp))
		for _, c := range comp {
			if c == 0 {
				sb.WriteString("        No Compression (0x00)\n")
			} else {
				fmt.Fprintf(sb, "        UNKNOWN (0x%02X)\n", c)
			}
		}
		traceExts(sb, 6, hsClientHello, r)
	case hsServerHello:
		v := r.u16()
		fmt.Fprintf(sb, "      server_version=0x%x (%s)\n", v, versionName(v))
		traceRandom(sb, r)
		traceOpaque(sb, 6, "session_id", r.vec8())
		c := r.u16()
		fmt.Fprintf(sb, "      cipher_suite {0x%02X, 0x%02X} %s\n", c>>8, c&0xff, cipherName(c))
		if m := r.u8(); m == 0 {
			sb.WriteString("      compression_method: No Compression (0x00)\n")
		} else {
			fmt.Fprintf(sb, "      compression_method: UNKNOWN (0x%02X)\n", m)
		}
		traceExts(sb, 6, hsServerHello, r)
	case hsEncryptedExtensions:
		traceExts(sb, 6, hsEncryptedExtensions, r)
	case hsCertificate:
		ob.traceCertificate(sb, r)
	case hsCertificateRequest:
		if ob.version == 0x0304 {
			traceOpaque(sb, 6, "request_context", r.vec8())
			traceExts(sb, 6, hsCertificateRequest, r)
			break
		}
		ct := r.vec8()
		fmt.Fprintf(sb, "      certificate_types (len=%d)\n", len(ct))
		for _, t := range ct {
			fmt.Fprintf(sb, "        %s (%d)\n", certTypeName(t), t)
		}
		if ob.version == 0x0303 {
			sa := u16s(r.vec16())
			fmt.Fprintf(sb, "      signature_algorithms (len=%d)\n", 2*len(sa))
			for _, s := range sa {
				fmt.Fprintf(sb, "        %s (0x%04x)\n", sigSchemeName(s), s)
			}
		}
		names := r.vec16()
		fmt.Fprintf(sb, "      certificate_authorities (len=%d)\n", len(names))
		for _, n := range splitNames(names) {
			fmt.Fprintf(sb, "        DistinguishedName (len=%d): %s\n", len(n), dnString(n))
		}
	case hsServerKeyExchange:
		ob.traceServerKeyExchange(sb, r)
	case hsClientKeyExchange:
		switch {
		case kxECDHE(ob.suite):
			sb.WriteString("      KeyExchangeAlgorithm=ECDHE\n")
			traceOpaque(sb, 8, "ecdh_Yc", r.vec8())
		case kxDHE(ob.suite):
			sb.WriteString("      KeyExchangeAlgorithm=DHE\n")
			traceOpaque(sb, 8, "dh_Yc", r.vec16())
		default:
			sb.WriteString("      KeyExchangeAlgorithm=RSA\n")
			traceOpaque(sb, 8, "EncryptedPreMasterSecret", r.vec16())
		}
	case hsCertificateVerify:
		if ob.version >= 0x0303 {
			s := r.u16()
			fmt.Fprintf(sb, "      Signature Algorithm: %s (0x%04x)\n", sigSchemeName(s), s)
		}
		traceOpaque(sb, 6, "Signature", r.vec16())
	case hsFinished:
		traceOpaque(sb, 6, "verify_data", body)
	case hsNewSessionTicket:
		fmt.Fprintf(sb, "        ticket_lifetime_hint=%d\n", r.u32())
		if ob.version == 0x0304 {
			fmt.Fprintf(sb, "        ticket_age_add=%d\n", r.u32())
			traceOpaque(sb, 8, "ticket_nonce", r.vec8())
		}
		traceOpaque(sb, 8, "ticket", r.vec16())
		if ob.version == 0x0304 {
			traceExts(sb, 8, hsNewSessionTicket, r)
		}
	case hsKeyUpdate:
		switch u := r.u8(); u {
		case 0:
			sb.WriteString("      update_not_requested (0)\n")
		case 1:
			sb.WriteString("      update_requested (1)\n")
		default:
			fmt.Fprintf(sb, "      unknown (%d)\n", u)
		}
	case hsServerHelloDone, hsEndOfEarlyData, hsHelloRequest:
	default:
		writeDump(sb, body, 6)
	}
}

func traceRandom(sb *strings.Builder, r *reader) {
	rnd := r.bytes(32)
	if len(rnd) < 32 {
		return
	}
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
func traceExts(sb *strings.Builder, indent int, msg uint8, r *reader) {
	pad := strings.Repeat(" ", indent)
	if r.empty() {
		if msg == hsEncryptedExtensions || msg == hsNewSessionTicket || msg == hsCertificateRequest {
			fmt.Fprintf(sb, "%sNo extensions\n", pad)
		}
		return
	}
	block := r.vec16()
	if len(block) == 0 {
		fmt.Fprintf(sb, "%sNo extensions\n", pad)
		return
	}
	fmt.Fprintf(sb, "%sextensions, length = %d\n", pad, len(block))
	for _, e := range parseExts(block) {
		fmt.Fprintf(sb, "%s  extension_type=%s(%d), length=%d\n", pad, traceExtName(e.Type), e.Type, len(e.Data))
		traceExt(sb, indent+4, msg, e)
	}
}

func traceExt(sb *strings.Builder, indent int, msg uint8, e Ext) {
	pad := strings.Repeat(" ", indent)
	er := reader{b: e.Data}
	ok := true
	switch e.Type {
	case extECPointFormats:
		for _, f := range er.vec8() {
			fmt.Fprintf(sb, "%s%s (%d)\n", pad, pointFormatName(f), f)
		}
	case extSupportedGroups:
		for _, g := range u16s(er.vec16()) {
			fmt.Fprintf(sb, "%s%s (%d)\n", pad, groupName(g), g)
		}
	case extSignatureAlgorithms: // openssl 3.0 dumps signature_algorithms_cert raw
		for _, s := range u16s(er.vec16()) {
			fmt.Fprintf(sb, "%s%s (0x%04x)\n", pad, sigSchemeName(s), s)
		}
	case extSupportedVersions:
		if msg == hsClientHello {
			for _, v := range u16s(er.vec8()) {
				fmt.Fprintf(sb, "%s%s (%d)\n", pad, versionName(v), v)
			}
		} else {
			v := er.u16()
			fmt.Fprintf(sb, "%s  %s (%d)\n", pad, versionName(v), v)
		}
	case extPSKModes:
		for _, m := range er.vec8() {
			n := "psk_ke"
			if m == 1 {
				n = "psk_dhe_ke"
			}
			fmt.Fprintf(sb, "%s%s (%d)\n", pad, n, m)
		}
	case extKeyShare:
		one := func(kr *reader) {
			g := kr.u16()
			fmt.Fprintf(sb, "%s  NamedGroup: %s (%d)\n", pad, groupName(g), g)
			if msg == hsServerHello && kr.empty() {
				return // HelloRetryRequest names only the group
			}
			k := kr.vec16()
			fmt.Fprintf(sb, "%s  key_exchange:  (len=%d): %s\n", pad, len(k), upperHex(k))
		}
		if msg == hsClientHello {
			lr := reader{b: er.vec16()}
			for !lr.empty() && !lr.bad {
				one(&lr)
			}
		} else {
			one(&er)
		}
	case extALPN:
		lr := reader{b: er.vec16()}
		for !lr.empty() && !lr.bad {
			fmt.Fprintf(sb, "%s%s\n", pad, lr.vec8())
		}
	case extRenegotiationInfo:
		v := er.vec8()
		if len(v) == 0 {
			fmt.Fprintf(sb, "%s  <EMPTY>\n", pad)
		} else {
			fmt.Fprintf(sb, "%s  %s (len=%d): %s\n", pad, "renegotiated_connection", len(v), upperHex(v))
		}
	case extEarlyData:
		if len(e.Data) == 4 {
			fmt.Fprintf(sb, "%smax_early_data=%d\n", pad, er.u32())
		}
	default:
		ok = false
	}
	if !ok || er.bad {
		writeDump(sb, e.Data, indent)
	}
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

func (ob *Observer) traceServerKeyExchange(sb *strings.Builder, r *reader) {
	switch {
	case kxECDHE(ob.suite):
		sb.WriteString("      KeyExchangeAlgorithm=ECDHE\n")
		if ct := r.u8(); ct != 3 {
			fmt.Fprintf(sb, "        curve_type: %d\n", ct)
			return
		}
		g := r.u16()
		fmt.Fprintf(sb, "        named_curve: %s (%d)\n", groupName(g), g)
		traceOpaque(sb, 8, "point", r.vec8())
	case kxDHE(ob.suite):
		sb.WriteString("      KeyExchangeAlgorithm=DHE\n")
		traceOpaque(sb, 8, "dh_p", r.vec16())
		traceOpaque(sb, 8, "dh_g", r.vec16())
		traceOpaque(sb, 8, "dh_Ys", r.vec16())
	default:
		writeDump(sb, r.b, 6)
		return
	}
	if ob.version >= 0x0303 {
		s := r.u16()
		fmt.Fprintf(sb, "      Signature Algorithm: %s (0x%04x)\n", sigSchemeName(s), s)
	}
	traceOpaque(sb, 6, "Signature", r.vec16())
}

// traceCertificate prints the certificate list (RFC 8446 section 4.4.2,
// RFC 5246 section 7.4.2), each certificate followed by its X509 text.
func (ob *Observer) traceCertificate(sb *strings.Builder, r *reader) {
	tls13 := ob.version == 0x0304
	if tls13 {
		traceOpaque(sb, 6, "context", r.vec8())
	}
	list := r.vec24()
	fmt.Fprintf(sb, "      certificate_list, length=%d\n", len(list))
	lr := &reader{b: list}
	for !lr.empty() && !lr.bad {
		der := lr.vec24()
		if lr.bad {
			break
		}
		fmt.Fprintf(sb, "        ASN.1Cert, length=%d\n", len(der))
		traceCertDetails(sb, der)
		if tls13 {
			traceExts(sb, 8, hsNewSessionTicket, lr)
		}
	}
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
