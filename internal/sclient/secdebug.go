package sclient

import (
	"crypto/tls"
	"crypto/x509"

	"github.com/tlskit/tlskit/internal/secdebug"
	"github.com/tlskit/tlskit/internal/tlsnames"
)

// secDebugConfig describes this client to the security-level debug output
// of -security_debug and -security_debug_verbose.
func secDebugConfig(s *settings, verbose bool) *secdebug.Config {
	cfg := &secdebug.Config{
		Verbose:  verbose,
		SecLevel: s.secLevel,
		Groups:   u16s(s.tls.CurvePreferences),
		SigAlgs:  tlsnames.GoSignatureSchemes,
		Client:   true,
		NoTicket: s.tls.SessionTicketsDisabled,
	}
	for v := s.tls.MaxVersion; v >= s.tls.MinVersion && v >= tls.VersionTLS10; v-- {
		cfg.Versions = append(cfg.Versions, v)
	}
	// The suites as configured, before the security level filters them
	// (the refusals are what the lines report), including those crypto/tls
	// lacks, as openssl checks its whole list.
	if spec, err := tlsnames.ParseCipherSpec(s.cipherList); err == nil {
		if s.tls.MaxVersion == tls.VersionTLS13 {
			if l, err := tlsnames.ParseCipherSuites(tlsnames.DefaultCipherSuites); err == nil {
				cfg.Ciphers = append(cfg.Ciphers, ids(l)...)
			}
		}
		cfg.Ciphers = append(cfg.Ciphers, ids(spec.Ciphers)...)
	}
	if len(cfg.Groups) == 0 {
		cfg.Groups = tlsnames.GoDefaultGroups
	}
	if len(s.tls.Certificates) > 0 {
		for _, der := range s.tls.Certificates[0].Certificate {
			if c, err := x509.ParseCertificate(der); err == nil {
				cfg.Chain = append(cfg.Chain, c)
			}
		}
	}
	return cfg
}

// writeSecDebug prints a finished handshake's security checks on stderr.
func (c *client) writeSecDebug(cn *conn) {
	if c.set.secDebug == nil {
		return
	}
	st := cn.tls.ConnectionState()
	sum := cn.obs.w.Summary()
	h := secdebug.Handshake{
		Version:   st.Version,
		Cipher:    st.CipherSuite,
		Group:     uint16(st.CurveID),
		PeerSig:   sum.PeerSigScheme,
		PeerCerts: st.PeerCertificates,
	}
	if cr := sum.CertificateRequest; cr != nil {
		h.CertRequested = true
		for _, a := range cr.SigAlgs {
			h.PeerSigAlgs = append(h.PeerSigAlgs, a)
		}
	}
	secdebug.WriteHandshake(c.errw, *c.set.secDebug, h)
}

func u16s[T ~uint16](xs []T) []uint16 {
	var out []uint16
	for _, x := range xs {
		out = append(out, uint16(x))
	}
	return out
}

func ids(cs []tlsnames.Cipher) []uint16 {
	out := make([]uint16, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}
