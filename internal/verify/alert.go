package verify

import "github.com/tlskit/tlskit/internal/engine/alert"

// Alert is the alert openssl 3.0 sends when the peer's chain fails
// verification with code, on either side. Measured with openssl s_server
// serving a chain with each fault and openssl s_client -verify_return_error
// -msg (and s_server -Verify for the client side): no issuer, a
// self-signed certificate, an unreachable CRL (-crl_check), a chain too
// long (-verify_depth), a path length exceeded, an intermediate that is no
// CA (CA:FALSE, or no keyCertSign) are unknown_ca; a bad certificate
// signature decrypt_error; an unhandled critical extension
// certificate_unknown; a certificate for another purpose
// unsupported_certificate; a name mismatch and a key too small (-auth_level)
// bad_certificate. Codes not measured are bad_certificate.
func Alert(code int) alert.Desc {
	switch code {
	case ErrUnableToGetIssuerCert, ErrDepthZeroSelfSigned, ErrSelfSignedCertInChain,
		ErrUnableToGetIssuerLocally, ErrUnableToVerifyLeafSig,
		ErrUnableToGetCRL, ErrCertChainTooLong, ErrPathLengthExceeded, ErrInvalidCA:
		return alert.UnknownCA
	case ErrCertSignatureFailure:
		return alert.DecryptError
	case ErrUnhandledCriticalExt:
		return alert.CertificateUnknown
	case ErrInvalidPurpose:
		return alert.UnsupportedCertificate
	case ErrCertHasExpired, ErrCertNotYetValid:
		return alert.CertificateExpired
	case ErrCertRevoked:
		return alert.CertificateRevoked
	}
	return alert.BadCertificate
}
