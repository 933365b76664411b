package engine

import (
	"errors"

	"github.com/tlskit/tlskit/internal/engine/alert"
)

// AlertError is a connection that ended by an alert: one this side sent
// (Sent) after a fault it found, or one the peer sent.
type AlertError struct {
	Level       alert.Level
	Description alert.Desc
	Sent        bool
	// Reason is OpenSSL's reason text for a sent alert when the engine
	// knows it (e.g. "wrong version number"); for a received one it is
	// "ssl/tls alert <description>" as OpenSSL prints it.
	Reason string
	// Err is the fault behind a sent alert.
	Err error
}

func (e *AlertError) Error() string {
	if e.Sent {
		if e.Reason != "" {
			return "tls: sent " + e.Level.String() + " alert " + e.Description.String() + ": " + e.Reason
		}
		return "tls: sent " + e.Level.String() + " alert " + e.Description.String()
	}
	return "tls: received " + e.Level.String() + " alert " + e.Description.String()
}

func (e *AlertError) Unwrap() error { return e.Err }

// alertFor picks the alert a fault deserves: the alert.Desc it wraps, or
// internal_error.
func alertFor(err error) (alert.Desc, string) {
	var f *alert.Fault
	if errors.As(err, &f) {
		return f.Desc, f.Reason
	}
	var d alert.Desc
	if errors.As(err, &d) {
		return d, ""
	}
	return alert.InternalError, ""
}

// FaultError is a connection this side ended without an alert: the peer
// did not speak TLS (its first record was an HTTP request or had no TLS
// version), where OpenSSL sends nothing either.
type FaultError struct {
	// Reason is OpenSSL's reason text, e.g. "http request".
	Reason string
	Err    error
}

func (e *FaultError) Error() string { return "tls: " + e.Reason + " (no alert sent)" }

func (e *FaultError) Unwrap() error { return e.Err }

// SSLReason is OpenSSL's reason text for the fault (sslerr's Reasoner).
func (e *FaultError) SSLReason() string { return e.Reason }

// TLSAlert reports the alert's description and whether this side sent it
// (sslerr's Alerter).
func (e *AlertError) TLSAlert() (description uint8, sent bool) {
	return uint8(e.Description), e.Sent
}

// SSLReason is OpenSSL's reason text for the fault behind a sent alert,
// when the engine knows it.
func (e *AlertError) SSLReason() string { return e.Reason }

// SSLProvider is the OpenSSL provider function that reported a sent
// alert's fault first (alert.Fault.Provider); empty otherwise.
func (e *AlertError) SSLProvider() string {
	var f *alert.Fault
	if e.Sent && errors.As(e.Err, &f) {
		return f.Provider
	}
	return ""
}

// SSLFunc is the OpenSSL function of a sent alert's fault when the fault
// names one (alert.Fault.Func); empty otherwise.
func (e *AlertError) SSLFunc() string {
	var f *alert.Fault
	if e.Sent && errors.As(e.Err, &f) {
		return f.Func
	}
	return ""
}

// SSLPrecedingReasons are the lines OpenSSL queues before a sent alert's
// fault's own (alert.Fault.Preceding), as function and reason text.
func (e *AlertError) SSLPrecedingReasons() [][2]string {
	var f *alert.Fault
	if e.Sent && errors.As(e.Err, &f) {
		return f.Preceding
	}
	return nil
}
