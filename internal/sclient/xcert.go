package sclient

import (
	"bytes"
	//lint:ignore SA1019 a DSA -xcert is still checked against the server's certificate_types
	"crypto/dsa"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/x509"
	"io"
	"slices"
	"strings"

	"github.com/tlskit/tlskit/internal/dn"
	"github.com/tlskit/tlskit/internal/engine"
	"github.com/tlskit/tlskit/internal/engine/alert"
	"github.com/tlskit/tlskit/internal/engine/msg"
	"github.com/tlskit/tlskit/internal/engine/sig"
	"github.com/tlskit/tlskit/internal/optgroups"
)

// xcertHook is s_client's certificate callback under -xcert, as openssl
// 3.0's: at each CertificateRequest it forgets -cert's and the
// section's certificates, checks each -xcert in order against the
// request (SSL_check_chain), printing "Checking cert chain N:" and the
// chain's flags on stderr, and answers with the valid ones alone, a
// later one replacing an earlier one of its key type, with no
// certificate when none is valid (measured: an ECDSA -xcert is sent in
// place of an RSA -cert at TLS 1.2; one the request's signature
// algorithms rule out leaves none; of two valid ones, TLS 1.2 sends the
// later, TLS 1.3 the one the server's scheme order prefers). Under
// -xchain_build the marked -xcert's chain is built then
// (SSL_build_cert_chain without flags) from the chain store, or else
// the trust store, alone, -xchain's certificates unused; a chain that
// cannot be built fails the handshake there with internal_error,
// ssl_build_cert_chain's 'Verify error:' line before
// tls_prepare_client_certificate's 'callback failed' (measured, TLS 1.2
// and 1.3, with s_server -verify 1).
func (c *client) xcertHook(identities []engine.Identity) func(r *engine.ClientCertRequest) ([]engine.Identity, error) {
	o := c.set.engine
	return func(r *engine.ClientCertRequest) ([]engine.Identity, error) {
		var ids []engine.Identity
		last := -1
		for n, x := range o.xcerts {
			id, ok, err := c.checkXcert(r, n, x, identities[x.idx])
			if err != nil {
				return nil, err
			}
			if ok {
				ids, last = optgroups.PlaceXcert(ids, id)
			}
		}
		if last > 0 {
			// The last certificate set is openssl's current one, which
			// a TLS 1.0–1.2 client offers (measured: of an RSA and an
			// ECDSA -xcert, the later one is sent).
			ids[0], ids[last] = ids[last], ids[0]
		}
		if ids == nil {
			ids = []engine.Identity{}
		}
		return ids, nil
	}
}

// xcert is one -xcert as the certificate callback checks it.
type xcert struct {
	idx   int      // its identity in engineSettings.identities
	given [][]byte // the certificate and -xchain's, as loaded
	build bool     // -xchain_build: built at each CertificateRequest
}

// checkXcert prints the n-th -xcert's block and says whether it is
// valid, with its chain built under -xchain_build; a chain that cannot
// be built is the callback's failure.
func (c *client) checkXcert(r *engine.ClientCertRequest, n int, xc xcert, x engine.Identity) (engine.Identity, bool, error) {
	o := c.set.engine
	f, leaf := o.checkChain(r, xc.given)
	if leaf == nil {
		return x, false, nil // loaded, so parsed, at start-up
	}
	var b strings.Builder
	f.Write(&b, n, dn.Format(leaf.RawSubject, c.set.nameOpt))
	io.WriteString(c.errw, b.String())
	if !f.Valid {
		return x, false, nil
	}
	if xc.build {
		chain, err := optgroups.BuildXchain(xc.given, o.xstore)
		if err != nil {
			f := alert.Faultf(alert.InternalError, "callback failed")
			f.Func, f.Cause = "tls_prepare_client_certificate", err
			return x, false, f
		}
		x.Chain = chain
	}
	return x, true, nil
}

// checkChain is SSL_check_chain's verdict on chain (the -xcert and
// -xchain's certificates) for the request r, as measured with openssl
// 3.0 s_client -xcert against s_server -verify 1:
//   - Sign with EE key (and Explicitly): from TLS 1.2 on, a scheme both
//     sides allow fits the key (TLS 1.3 leaves PKCS#1 v1.5 and DSA out).
//   - EE signature: the certificate's signature algorithm is such a
//     scheme (TLS 1.3: a scheme fits the key, and the algorithm is one
//     of signature_algorithms_cert when sent); CA signature: each
//     -xchain certificate's, likewise.
//   - Issuer Name: the request names no CA, or one that issued the
//     leaf or a -xchain certificate.
//   - Certificate Type: the key's type is among the request's
//     certificate types (TLS 1.3 requests have none: never).
//   - Overall Validity: EE signature (key parameters always do).
func (o *engineSettings) checkChain(r *engine.ClientCertRequest, chain [][]byte) (optgroups.ChainCheck, *x509.Certificate) {
	// The key parameters are always acceptable to a client; Explicitly
	// sign with EE key is Sign with EE key.
	f := optgroups.ChainCheck{EEParam: true, CAParam: true}
	certs := make([]*x509.Certificate, 0, len(chain))
	for _, der := range chain {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			return f, nil
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return f, nil
	}
	pub := certs[0].PublicKey
	if k, err := sig.PublicKey(certs[0]); err == nil {
		pub = k
	}
	shared := o.sharedSchemes(r.Schemes)
	tls13 := r.Version >= engine.VersionTLS13
	sigOK := func(c *x509.Certificate) bool {
		list := shared
		if tls13 && r.HasCertSchemes {
			list = r.CertSchemes
		}
		ss := sig.CertificateSchemes(c)
		return slices.ContainsFunc(list, func(s uint16) bool { return slices.Contains(ss, s) })
	}
	if r.Version >= engine.VersionTLS12 {
		for _, sc := range shared {
			if tls13 && !sig.Allowed13(sc) {
				continue
			}
			if sig.Fits12(sc, pub) {
				f.Sign = true
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
		if tls13 {
			fits := slices.ContainsFunc(shared, func(sc uint16) bool { return sig.Allowed13(sc) && sig.Fits(sc, pub) })
			f.EESig = fits && (!r.HasCertSchemes || sigOK(certs[0]))
		} else {
			f.EESig = sigOK(certs[0])
		}
	} else {
		f.Sign, f.EESig, f.CASig = true, true, true
	}
	f.Issuer = len(r.CANames) == 0
	for _, c := range certs {
		if slices.ContainsFunc(r.CANames, func(n []byte) bool { return bytes.Equal(n, c.RawIssuer) }) {
			f.Issuer = true
		}
	}
	if !tls13 {
		want := uint8(msg.CertTypeRSASign)
		switch pub.(type) {
		case *ecdsa.PublicKey, ed25519.PublicKey:
			want = msg.CertTypeECDSASign
		case *dsa.PublicKey:
			want = msg.CertTypeDSSSign
		}
		f.CertType = slices.Contains(r.CertTypes, want)
	}
	f.Explicit = f.Sign
	f.Valid = f.EESig
	return f, certs[0]
}

// sharedSchemes are the request's signature schemes the client allows:
// -client_sigalgs, else -sigalgs, else openssl 3.0's list, at the
// security level (sig.SharedAtLevel).
func (o *engineSettings) sharedSchemes(peer []uint16) []uint16 {
	mine := o.tp.ClientSigalgs
	if mine == nil {
		mine = o.tp.Sigalgs
	}
	return sig.SharedAtLevel(peer, mine, o.tp.SecLevel)
}
