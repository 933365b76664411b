package sserver

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/x509"
	"slices"

	"github.com/tlskit/tlskit/internal/engine"
	"github.com/tlskit/tlskit/internal/engine/sig"
	"github.com/tlskit/tlskit/internal/optgroups"
	"github.com/tlskit/tlskit/internal/secdebug"
	"github.com/tlskit/tlskit/internal/wire"
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
		// -sigalgs, or openssl's whole default list (the level refuses
		// its SHA-1 schemes): what a CertificateRequest lists.
		SigAlgs:    c.engine.tp.Sigalgs,
		NoTicket:   c.noTicket,
		NoResume:   c.noResume,
		ServerPref: c.serverPref,
		PSK12:      c.engine.psk12 != nil,
		EarlyData:  c.earlyData,
	}
	if cfg.SigAlgs == nil {
		cfg.SigAlgs = sig.DefaultClient12SHA1
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
		// The chain sent when the handshake does not say (-cert's
		// slot's, else the section's first); a handshake's own
		// (engine.State.LocalChain) is the one it checks.
		cfg.Chain = parseChain(id.main[max(id.certIdx, 0)].Chain)
	}
	// The ECDSA key slot's certificate, whose curve a TLS 1.0–1.2
	// server checks at each full handshake whichever it sends
	// (measured: -cert RSA with -dcert P-256 prints "Check Curve=P-256"
	// to a client that takes RSA alone).
	for i, ident := range id.main {
		if slices.ContainsFunc(id.xcerts, func(x xcert) bool { return x.idx == i }) || len(ident.Chain) == 0 {
			continue
		}
		if _, ok := ident.Key.Public().(*ecdsa.PublicKey); ok {
			cfg.ECDSALeaf = parseChain(ident.Chain[:1])
			break
		}
	}
	// At start-up openssl checks each certificate as it loads it (the
	// section's, -cert's, -dcert's: measured with 3.0.22), its chain as
	// loaded, or as built under -build_chain; it completes a chain from
	// -CAfile or the chain store only when it sends it.
	cfg.StartChains = [][]*x509.Certificate{}
	for _, sc := range id.startChains {
		chain := slices.Clone(sc.chain)
		if sc.cmdline && c.buildChain {
			// (A failure stopped the server already for the chains it
			// kept; one -dcert replaced is checked as loaded.)
			optgroups.BuildChain(&chain, s.chainStore, false)
		}
		cfg.StartChains = append(cfg.StartChains, parseChain(chain))
	}
	return cfg
}

func parseChain(ders [][]byte) []*x509.Certificate {
	var out []*x509.Certificate
	for _, der := range ders {
		if cert, err := x509.ParseCertificate(der); err == nil {
			out = append(out, cert)
		}
	}
	return out
}

// writeSecDebug prints a connection's security checks on stderr, or
// those left after the verification of the client's certificate when
// secDebugBeforeVerify printed the first ones.
func (s *server) writeSecDebug(ci connInfo) {
	if s.secDebug == nil {
		return
	}
	h := s.secDebugHandshake(ci.hello)
	h.Version, h.Cipher, h.Group = ci.state.Version, ci.state.CipherSuite, uint16(ci.state.CurveID)
	h.PeerCerts, h.DHBits, h.HelloRetry = ci.state.PeerCertificates, ci.state.DHBits, ci.state.HelloRetry
	h.Resumed = ci.state.DidResume && !ci.state.ExternalPSK
	h.FirstHelloResumed = ci.state.FirstHelloResumed
	if ci.state.LocalChain != nil {
		h.LocalChain = parseChain(ci.state.LocalChain)
	}
	if ci.conn != nil {
		h.PeerSig = ci.conn.peerSigScheme()
	}
	var b bytes.Buffer
	if ci.conn != nil && ci.conn.secDebugSplit {
		secdebug.WriteServerAfterPeer(&b, *s.secDebug, h)
	} else {
		secdebug.WriteHandshake(&b, *s.secDebug, h)
	}
	if ci.conn != nil {
		ci.conn.secDebugDone = true
	}
	s.errw.Write(b.Bytes())
}

// secDebugBeforeVerify prints, while the handshake runs and before the
// client's certificate is verified, the checks openssl makes before its
// verify callback's lines; writeSecDebug prints the rest.
func (s *server) secDebugBeforeVerify(tc *trackedConn, peer []*x509.Certificate, st *engine.State) {
	if s.secDebug == nil || st == nil || len(peer) == 0 || tc.secDebugDone || tc.secDebugSplit {
		return
	}
	h := s.secDebugHandshake(tc.clientHello())
	h.Version, h.Cipher, h.Group, h.DHBits, h.PeerCerts = st.Version, st.Suite, st.Group, st.DHBits, peer
	h.HelloRetry = st.HelloRetry
	if st.LocalChain != nil {
		h.LocalChain = parseChain(st.LocalChain)
	}
	var b bytes.Buffer
	secdebug.WriteServerBeforePeer(&b, *s.secDebug, h)
	s.errw.Write(b.Bytes())
	tc.secDebugSplit = true
}

// secDebugHandshake is what the checks need from the configuration and
// the ClientHello (nil when none was seen).
func (s *server) secDebugHandshake(hello *wire.ClientHello) secdebug.Handshake {
	h := secdebug.Handshake{CertRequested: s.c.verifyRequest}
	if hello != nil {
		h.PeerSigAlgs = u16s(hello.SignatureSchemes)
		h.PeerGroups = u16s(hello.SupportedGroups)
		h.PeerCiphers = u16s(hello.CipherSuites)
		h.PeerVersions = u16s(hello.SupportedVersions)
		h.PeerTicket = hello.HasSessionTicket
	}
	return h
}
