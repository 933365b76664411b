package sclient

import (
	"crypto/x509"

	"github.com/tlskit/tlskit/internal/engine"
	"github.com/tlskit/tlskit/internal/engine/msg"
	"github.com/tlskit/tlskit/internal/engine/record"
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
		// refuses them), whatever the versions: a TLS 1.3-only client
		// drops DSA, SHA-1 and SHA-224 from what it sends but checks
		// them in its first signature-type mask.
		cfg.SigAlgs = sig.DefaultClient12SHA1
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

// secDebugSetup is the configuration for the first connection's setup
// checks: with the session it resumes (-sess_in), and whether it sends
// early data (measured against openssl s_server -early_data).
func (c *client) secDebugSetup() secdebug.Config {
	cfg := *c.set.secDebug
	o := c.set.engine
	tk, _, _ := o.sess.get()
	o.sess.mu.Lock()
	s12 := o.sess.sess12
	o.sess.mu.Unlock()
	switch {
	case tk != nil:
		cfg.SessionVersion = engine.VersionTLS13
	case s12 != nil:
		cfg.SessionVersion = s12.Version
	}
	cfg.EarlyData = c.earlyDataTicket() != nil && o.earlyData != nil && o.earlyDataErr == nil
	return cfg
}

// secDebugEvents wraps a handshake's event callback to print the checks
// openssl's client makes as messages arrive, before its verify callback
// prints the server certificate's lines: on the ServerHello (version,
// suite, TLS 1.2 ticket) and on a TLS 1.3 CertificateRequest (the shared
// signature schemes).
func (c *client) secDebugEvents(cn *conn, next func(engine.Event)) func(engine.Event) {
	if c.set.secDebug == nil {
		return next
	}
	return func(e engine.Event) {
		next(e)
		if e.Sent || e.ContentType != int(record.TypeHandshake) || len(e.Data) < 4 {
			return
		}
		switch msg.Type(e.Data[0]) {
		case msg.TypeServerHello:
			sh, err := msg.ParseServerHello(e.Data[4:])
			if err != nil {
				return
			}
			if sh.IsHelloRetryRequest() {
				d, _ := sh.Extensions.Find(msg.ExtKeyShare)
				if g, err := msg.ParseKeyShareHRR(d); err == nil {
					secdebug.WriteClientRetry(c.errw, *c.set.secDebug, sh.CipherSuite, g)
				}
				return
			}
			v := sh.Version
			if d, ok := sh.Extensions.Find(msg.ExtSupportedVersions); ok {
				if sv, err := msg.ParseSupportedVersionsServer(d); err == nil {
					v = sv
				}
			}
			secdebug.WriteClientServerHello(c.errw, *c.set.secDebug, v, sh.CipherSuite, sh.Extensions.Has(msg.ExtSessionTicket))
		case msg.TypeCertificateRequest:
			sum := cn.obs.w.Summary()
			if sum.Version == engine.VersionTLS13 && !sum.HandshakeDone && sum.CertificateRequest != nil {
				secdebug.WriteClientCertificateRequest(c.errw, *c.set.secDebug, sum.CertificateRequest.SigAlgs)
			}
		}
	}
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
		Resumed:   st.Resumed,
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
