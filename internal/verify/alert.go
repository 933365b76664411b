package verify

import "github.com/tlskit/tlskit/internal/engine/alert"

// Alert is the alert openssl 3.0 sends when the peer's chain fails
// verification with code, on either side (observed with s_server and
// s_client -verify_return_error -msg: a self-signed certificate is
// unknown_ca, a name mismatch bad_certificate, a client certificate for
// servers only unsupported_certificate); other codes are bad_certificate.
func Alert(code int) alert.Desc {
	switch code {
	case ErrUnableToGetIssuerCert, ErrDepthZeroSelfSigned, ErrSelfSignedCertInChain,
		ErrUnableToGetIssuerLocally, ErrUnableToVerifyLeafSig:
		return alert.UnknownCA
	case ErrInvalidPurpose:
		return alert.UnsupportedCertificate
	case ErrCertHasExpired, ErrCertNotYetValid:
		return alert.CertificateExpired
	case ErrCertRevoked:
		return alert.CertificateRevoked
	}
	return alert.BadCertificate
}
