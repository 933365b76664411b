package sserver

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"

	"github.com/tlskit/tlskit/internal/secdebug"
	"github.com/tlskit/tlskit/internal/tlsnames"
)

// secDebugConfig describes this server to the security-level debug output
// (-security_debug, -security_debug_verbose), or returns nil when neither
// option is on.
func (s *server) secDebugConfig(id *identity) *secdebug.Config {
	c := s.c
	if !c.securityDebug && !c.securityDebugVerbose {
		return nil
	}
	cfg := &secdebug.Config{
		Verbose:  c.securityDebugVerbose,
		SecLevel: c.secLevel,
		Groups:   c.groups,
		SigAlgs:  tlsnames.GoSignatureSchemes,
		NoTicket: c.noTicket,
	}
	for v := c.maxVersion; v >= c.minVersion && v >= tls.VersionTLS10; v-- {
		cfg.Versions = append(cfg.Versions, v)
	}
	for _, ci := range c.ciphers {
		if id, ok := ci.GoID(); ok {
			cfg.Ciphers = append(cfg.Ciphers, id)
		}
	}
	if len(cfg.Groups) == 0 {
		cfg.Groups = tlsnames.GoDefaultGroups
	}
	if len(id.main) > 0 {
		for _, der := range id.main[0].Certificate {
			if cert, err := x509.ParseCertificate(der); err == nil {
				cfg.Chain = append(cfg.Chain, cert)
			}
		}
	}
	return cfg
}

// writeSecDebug prints a connection's security checks on stderr.
func (s *server) writeSecDebug(ci connInfo) {
	if s.secDebug == nil {
		return
	}
	h := secdebug.Handshake{
		Version:       ci.state.Version,
		Cipher:        ci.state.CipherSuite,
		Group:         uint16(ci.state.CurveID),
		PeerCerts:     ci.state.PeerCertificates,
		CertRequested: s.c.verifyRequest,
	}
	if ci.conn != nil && ci.conn.ob != nil {
		h.PeerSig = ci.conn.ob.Summary().PeerSigScheme
	}
	if ci.hello != nil {
		h.PeerSigAlgs = u16s(ci.hello.SignatureSchemes)
		h.PeerGroups = u16s(ci.hello.SupportedCurves)
	}
	var b bytes.Buffer
	secdebug.WriteHandshake(&b, *s.secDebug, h)
	s.errw.Write(b.Bytes())
}
