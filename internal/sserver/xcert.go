package sserver

import (
	"crypto/ecdsa"
	"crypto/x509"
	"slices"
	"strings"

	"github.com/tlskit/tlskit/internal/dn"
	"github.com/tlskit/tlskit/internal/engine"
	"github.com/tlskit/tlskit/internal/engine/alert"
	"github.com/tlskit/tlskit/internal/engine/kx"
	"github.com/tlskit/tlskit/internal/engine/msg"
	"github.com/tlskit/tlskit/internal/engine/sig"
	"github.com/tlskit/tlskit/internal/optgroups"
)

// xcert is one -xcert as the certificate callback checks it.
type xcert struct {
	idx   int      // its identity in identity.main (its chain built there)
	given [][]byte // the certificate and -xchain's, as loaded
	build bool     // -xchain_build: built at each handshake that serves it
}

// xcertHook is s_server's certificate callback under -xcert, as openssl
// 3.0's: on every full handshake it forgets -cert's, -dcert's and the
// section's certificates, checks each -xcert in order against the
// ClientHello, printing "Checking cert chain N:" and the chain's flags
// on stderr, and serves the valid ones, a later one replacing an
// earlier one of its key type (measured: a valid ECDSA -xcert is served
// in place of an ECDSA -cert; an RSA -xcert that the client's
// signature_algorithms rule out leaves no certificate, even when -cert's
// would do, and the handshake fails).
func (s *server) xcertHook(ch *msg.ClientHello, v uint16) ([]engine.Identity, error) {
	id := s.tls.id
	var b strings.Builder
	var ids []engine.Identity
	for i, x := range id.xcerts {
		f := s.checkChain(ch, v, x.given)
		leaf, err := x509.ParseCertificate(x.given[0])
		if err != nil {
			continue // loadKeyPair parsed it
		}
		f.Write(&b, i, dn.Format(leaf.RawSubject, s.nameopt))
		if !f.Valid {
			continue
		}
		served := id.main[x.idx]
		if x.build {
			// SSL_build_cert_chain, from the chain store or else the
			// trust store; a failure fails the handshake there.
			var err error
			if served.Chain, err = optgroups.BuildXchain(x.given, s.chainStore); err != nil {
				s.errw.Write([]byte(b.String()))
				f := alert.Faultf(alert.InternalError, "cert cb error")
				f.Func, f.Cause = "tls_post_process_client_hello", err
				return nil, f
			}
		}
		ids, _ = optgroups.PlaceXcert(ids, served)
	}
	s.errw.Write([]byte(b.String()))
	return ids, nil
}

// checkChain is SSL_check_chain's verdict on chain (leaf first, then
// -xchain's certificates, not the chain built from stores) for ch at
// version v, as measured with openssl 3.0 s_server -xcert: the chain is
// valid when the leaf's signature and key parameters are acceptable.
//   - Sign with EE key, Explicitly sign with EE key: from TLS 1.2 on,
//     a signature scheme both sides allow fits the key's type (TLS 1.3
//     leaves PKCS#1 v1.5 out); below TLS 1.2, always.
//   - EE signature: at TLS 1.2, the certificate's own signature
//     algorithm is a scheme both allow; at TLS 1.3 a scheme both allow
//     can sign with the key (an ECDSA scheme binds its curve), and the
//     certificate's signature is one of signature_algorithms_cert, when
//     the client sent it. CA signature: each -xchain certificate's
//     signature as TLS 1.2's rule (or signature_algorithms_cert).
//   - EE and CA key parameters: an EC key's curve is one of the
//     client's supported_groups, when it sent them, at any version.
func (s *server) checkChain(ch *msg.ClientHello, v uint16, chain [][]byte) optgroups.ChainCheck {
	// A server judges no issuer names or certificate types.
	f := optgroups.ChainCheck{Issuer: true, CertType: true}
	certs := make([]*x509.Certificate, 0, len(chain))
	for _, der := range chain {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			return f
		}
		certs = append(certs, c)
	}
	var peer, peerCert, groups []uint16
	hasGroups, hasCertSigalgs := false, false
	if d, ok := ch.Extensions.Find(msg.ExtSignatureAlgorithms); ok {
		peer, _ = msg.ParseUint16List(d)
	}
	if d, ok := ch.Extensions.Find(msg.ExtSignatureAlgorithmsCert); ok {
		peerCert, _ = msg.ParseUint16List(d)
		hasCertSigalgs = true
	}
	if d, ok := ch.Extensions.Find(msg.ExtSupportedGroups); ok {
		groups, _ = msg.ParseUint16List(d)
		hasGroups = true
	}
	shared := s.sharedSchemes(peer)
	pub := certs[0].PublicKey
	if k, err := sig.PublicKey(certs[0]); err == nil {
		pub = k
	}
	// A certificate's signature is acceptable when its algorithm is a
	// shared scheme (at TLS 1.3 one of signature_algorithms_cert, when
	// sent).
	sigOK := func(c *x509.Certificate) bool {
		list := shared
		if v >= engine.VersionTLS13 && hasCertSigalgs {
			list = peerCert
		}
		ss := sig.CertificateSchemes(c)
		return slices.ContainsFunc(list, func(s uint16) bool { return slices.Contains(ss, s) })
	}
	paramOK := func(c *x509.Certificate) bool {
		k, ok := c.PublicKey.(*ecdsa.PublicKey)
		if !ok || !hasGroups {
			return true
		}
		return slices.Contains(groups, curveGroup(k))
	}
	if v >= engine.VersionTLS12 {
		for _, sc := range shared {
			if v >= engine.VersionTLS13 && (isPKCS1Scheme(sc) || sig.IsDSA(sc)) {
				continue // neither signs a TLS 1.3 handshake
			}
			if sig.Fits12(sc, pub) {
				f.Sign, f.Explicit = true, true
				break
			}
		}
		f.CASig = true
		for _, c := range certs[1:] {
			if !sigOK(c) {
				f.CASig = false
				break
			}
		}
		if v >= engine.VersionTLS13 {
			fits := slices.ContainsFunc(shared, func(sc uint16) bool { return sig.Allowed13(sc) && sig.Fits(sc, pub) })
			f.EESig = fits && (!hasCertSigalgs || sigOK(certs[0]))
		} else {
			f.EESig = sigOK(certs[0])
		}
	} else {
		f.Sign, f.Explicit, f.EESig, f.CASig = true, true, true, true
	}
	f.EEParam = paramOK(certs[0])
	f.CAParam = true
	for _, c := range certs[1:] {
		if !paramOK(c) {
			f.CAParam = false
			break
		}
	}
	f.Valid = f.EESig && f.EEParam
	return f
}

// sharedSchemes are the client's signature schemes the server allows:
// -sigalgs, else openssl 3.0's list, at the security level
// (sig.SharedAtLevel).
func (s *server) sharedSchemes(peer []uint16) []uint16 {
	return sig.SharedAtLevel(peer, s.c.engine.tp.Sigalgs, s.c.engine.tp.SecLevel)
}

func isPKCS1Scheme(s uint16) bool {
	return s == sig.RSAPKCS1SHA1 || s == sig.RSAPKCS1SHA224 || s == sig.RSAPKCS1SHA256 || s == sig.RSAPKCS1SHA384 || s == sig.RSAPKCS1SHA512
}

// curveGroup is the supported_groups code of an EC key's curve (0 for
// one TLS does not name).
func curveGroup(k *ecdsa.PublicKey) uint16 {
	switch k.Curve.Params().BitSize {
	case 256:
		return kx.Secp256r1
	case 384:
		return kx.Secp384r1
	case 521:
		return kx.Secp521r1
	}
	return 0
}
