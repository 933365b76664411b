package sserver

import (
	"bytes"
	"crypto/x509"

	"github.com/tlskit/tlskit/internal/engine"
	"github.com/tlskit/tlskit/internal/secdebug"
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
		SigAlgs:  c.engine.sigalgs(),
		// Either option drops the session-ticket check.
		NoTicket: c.noTicket || c.noResume,
		PSK12:    c.engine.psk12 != nil,
	}
	for v := c.maxVersion; v >= c.minVersion && v >= engine.VersionTLS10; v-- {
		cfg.Versions = append(cfg.Versions, v)
	}
	// The engine's suites: TLS 1.3's, then -cipher's.
	if c.maxVersion >= engine.VersionTLS13 {
		cfg.Ciphers = append(cfg.Ciphers, c.engine.suites13()...)
	}
	cfg.Ciphers = append(cfg.Ciphers, c.engine.suites12s()...)
	if len(cfg.Groups) == 0 {
		cfg.Groups = engine.DefaultGroups
	}
	if len(id.main) > 0 {
		for _, der := range id.main[0].Chain {
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
		DHBits:        ci.state.DHBits,
	}
	if ci.conn != nil {
		h.PeerSig = ci.conn.peerSigScheme()
	}
	if ci.hello != nil {
		h.PeerSigAlgs = u16s(ci.hello.SignatureSchemes)
		h.PeerGroups = u16s(ci.hello.SupportedGroups)
		h.PeerCiphers = u16s(ci.hello.CipherSuites)
	}
	var b bytes.Buffer
	secdebug.WriteHandshake(&b, *s.secDebug, h)
	s.errw.Write(b.Bytes())
}
