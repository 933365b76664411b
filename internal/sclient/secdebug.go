package sclient

import (
	"crypto/x509"

	"github.com/tlskit/tlskit/internal/engine"
	"github.com/tlskit/tlskit/internal/engine/sig"
	"github.com/tlskit/tlskit/internal/secdebug"
	"github.com/tlskit/tlskit/internal/tlsnames"
)

// secDebugConfig describes this client to the security-level debug output
// of -security_debug and -security_debug_verbose.
func secDebugConfig(s *settings, verbose bool) *secdebug.Config {
	cfg := &secdebug.Config{
		Verbose:  verbose,
		SecLevel: s.secLevel,
		Groups:   s.engine.groups,
		SigAlgs:  s.engine.tp.Sigalgs,
		Client:   true,
		NoTicket: s.engine.tp.NoTicket,
		PSK12:    s.engine.pskKey != nil,
	}
	for v := s.engine.hi; v >= s.engine.lo && v >= engine.VersionTLS10; v-- {
		cfg.Versions = append(cfg.Versions, v)
	}
	// The suites as configured, before the security level filters them
	// (the refusals are what the lines report), including those the
	// engine lacks, as openssl checks its whole list.
	if spec, err := tlsnames.ParseCipherSpec(s.cipherList); err == nil {
		if s.engine.hi == engine.VersionTLS13 {
			if l, err := tlsnames.ParseCipherSuites(tlsnames.DefaultCipherSuites); err == nil {
				cfg.Ciphers = append(cfg.Ciphers, ids(l)...)
			}
		}
		cfg.Ciphers = append(cfg.Ciphers, ids(spec.Ciphers)...)
	}
	if len(cfg.Groups) == 0 {
		cfg.Groups = engine.DefaultGroups
	}
	if len(cfg.SigAlgs) == 0 {
		// openssl's default list, the SHA-1 schemes included (the level
		// refuses them).
		cfg.SigAlgs = sig.DefaultClient12SHA1
		if s.engine.lo >= engine.VersionTLS13 {
			cfg.SigAlgs = sig.Default13
		}
	}
	if len(s.engine.identities) > 0 {
		for _, der := range s.engine.identities[0].Chain {
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
	st := cn.state()
	sum := cn.obs.w.Summary()
	h := secdebug.Handshake{
		Version:   st.Version,
		Cipher:    st.Suite,
		Group:     st.Group,
		PeerSig:   sum.PeerSigScheme,
		PeerCerts: cn.peer,
		DHBits:    st.DHBits,
	}
	if cr := sum.CertificateRequest; cr != nil {
		h.CertRequested = true
		h.PeerSigAlgs = append(h.PeerSigAlgs, cr.SigAlgs...)
	}
	secdebug.WriteHandshake(c.errw, *c.set.secDebug, h)
}

func ids(cs []tlsnames.Cipher) []uint16 {
	out := make([]uint16, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}
