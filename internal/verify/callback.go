package verify

import (
	"crypto/x509"
	"fmt"
	"io"
	"time"

	"github.com/tlskit/tlskit/internal/dn"
)

// WriteCallbackLines writes the stderr lines OpenSSL 3.0's s_client and
// s_server verify callback prints for r.Events: "depth=N <subject>", then
// for an error "verify error:num=N:<text>", extra "notAfter=", "notBefore="
// or "issuer= " lines for the pending error, and "verify return:1" when the
// callback let verification go on. quiet is -verify_quiet: only errors
// and their extra lines are printed.
func WriteCallbackLines(w io.Writer, r Result, nameopt dn.Options, quiet bool) {
	for _, e := range r.Events {
		if !quiet || !e.OK {
			fmt.Fprintf(w, "depth=%d %s\n", e.Depth, certName(e.Cert, nameopt, false))
		}
		if !e.OK {
			fmt.Fprintf(w, "verify error:num=%d:%s\n", e.Code, ErrorString(e.Code))
		}
		if e.Policies != "" && !quiet {
			io.WriteString(w, e.Policies)
		}
		// The pending error, not only a new one, selects these lines:
		// OpenSSL leaves it set across later successful callbacks.
		if e.Cert != nil {
			switch e.Code {
			case ErrUnableToGetIssuerCert:
				fmt.Fprintf(w, "issuer= %s\n", certName(e.Cert, nameopt, true))
			case ErrCertNotYetValid, 13:
				fmt.Fprintf(w, "notBefore=%s\n", asn1Time(e.Cert.NotBefore))
			case ErrCertHasExpired, 14:
				fmt.Fprintf(w, "notAfter=%s\n", asn1Time(e.Cert.NotAfter))
			}
		}
		if e.Continue && !quiet {
			ret := 1
			if e.Notify {
				ret = 2
			}
			fmt.Fprintf(w, "verify return:%d\n", ret)
		}
	}
}

func certName(c *x509.Certificate, o dn.Options, issuer bool) string {
	if c == nil {
		return "<no cert>"
	}
	raw := c.RawSubject
	if issuer {
		raw = c.RawIssuer
	}
	s, err := dn.FormatIndent(raw, o, 0)
	if err != nil {
		return ""
	}
	return s
}

// asn1Time formats a time as OpenSSL's ASN1_TIME_print does:
// "Dec 21 10:24:19 2026 GMT", day padded with a space.
func asn1Time(t time.Time) string {
	return t.UTC().Format("Jan _2 15:04:05 2006") + " GMT"
}

// VerifyCommandCallback reproduces the callback of the openssl verify
// command: it keeps going after the errors that command tolerates
// (expiry, extension and CRL-time problems) and stops at any other.
func VerifyCommandCallback(e Event) bool {
	switch e.Code {
	case 43, ErrCertHasExpired, ErrDepthZeroSelfSigned, ErrInvalidCA, ErrInvalidNonCA,
		ErrPathLengthExceeded, ErrCRLHasExpired, ErrCRLNotYetValid, ErrUnhandledCriticalExt:
		return true
	}
	return false
}

// SClientCallback returns the decision the verify callback of s_client
// and s_server (one callback in openssl, shared by both) makes after an
// error: with -verify_return_error it stops at once; with "-verify N" or
// "-Verify N" (depth >= 0) an error deeper than N stops verification,
// -verify_return_error or not (openssl then notes "certificate chain too
// long" for itself, but the verify result keeps the original code).
// depth < 0 means no -verify.
func SClientCallback(depth int, returnError bool) func(Event) bool {
	return func(e Event) bool {
		if depth >= 0 && e.Depth > depth {
			return false
		}
		return !returnError
	}
}
