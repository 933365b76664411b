package sclient

import (
	"bytes"
	"slices"

	"github.com/tlskit/tlskit/internal/engine"
	"github.com/tlskit/tlskit/internal/engine/alert"
	"github.com/tlskit/tlskit/internal/optgroups"
	"github.com/tlskit/tlskit/internal/sslerr"
	"github.com/tlskit/tlskit/internal/verify"
)

// chainBuildError is an -xchain_build chain that could not be built:
// the certificate callback fails, after ssl_build_cert_chain's line.
type chainBuildError struct{ code int }

func (e *chainBuildError) Error() string {
	return "sclient: -xchain_build: " + verify.ErrorString(e.code)
}

// SSLPreceding is ssl_build_cert_chain's line (sslerr.Preceder).
func (e *chainBuildError) SSLPreceding() []sslerr.Entry {
	return []sslerr.Entry{{Code: 0x0A000086, Lib: "SSL routines", Func: "ssl_build_cert_chain",
		Reason: "certificate verify failed", Data: "Verify error:" + verify.ErrorString(e.code)}}
}

// xcertHook is s_client's certificate callback under -xchain_build, as
// openssl 3.0's: at each CertificateRequest the -xcert's chain is built
// (SSL_build_cert_chain without flags) from the chain store, or else
// the trust store, alone, -xchain's certificates unused; a chain that
// cannot be built fails the handshake with internal_error,
// ssl_build_cert_chain's 'Verify error:' line before
// tls_prepare_client_certificate's 'callback failed' (measured, TLS 1.2
// and 1.3, with s_server -verify 1). tlskit refused to start.
func (o *engineSettings) xcertHook(cfg *engine.Config) func() error {
	return func() error {
		chain := slices.Clone(o.xgiven)
		code, err := optgroups.BuildChainStrict(&chain, o.xstore)
		if err == nil && code != verify.OK {
			err = &chainBuildError{code}
		}
		if err != nil {
			f := alert.Faultf(alert.InternalError, "callback failed")
			f.Func, f.Cause = "tls_prepare_client_certificate", err
			return f
		}
		// The -xcert is the identity whose leaf is the -xcert's, in
		// both lists the engine chooses from.
		for _, ids := range [][]engine.Identity{cfg.Identities, cfg.ClientIdentities12} {
			for i := range ids {
				if len(ids[i].Chain) > 0 && bytes.Equal(ids[i].Chain[0], o.xgiven[0]) {
					ids[i].Chain = chain
				}
			}
		}
		return nil
	}
}
