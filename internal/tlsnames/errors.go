package tlsnames

import "fmt"

// ConfError is a rejected -cipher, -ciphersuites, -groups, -sigalgs or
// protocol value, carrying what openssl 3.0 prints for it on stderr.
type ConfError struct {
	Option string // the option as typed, e.g. "-cipher"
	Arg    string // its value, verbatim
	// Code, Func and Reason describe OpenSSL's error-queue entry; Code
	// is zero when openssl prints no queue line (sigalgs, versions,
	// duplicate groups).
	Code   uint32
	Func   string
	Reason string
	Data   string // extra text after the location, e.g. "group 'foo' cannot be set"
}

// CipherError is the error for cipher strings and TLS 1.3 suite lists.
type CipherError = ConfError

// Error codes openssl 3.0 puts in the queue line (ERR_PACK of lib SSL).
const (
	codeNoCipherMatch   = 0x0A0000B9
	codeInvalidCommand  = 0x0A000118
	codeInvalidArgument = 0x0A080106
)

func (e *ConfError) Error() string {
	reason := e.Reason
	if reason == "" {
		reason = "invalid value"
	}
	if e.Data != "" {
		reason += ": " + e.Data
	}
	return fmt.Sprintf("tlsnames: %s %q: %s", e.Option, e.Arg, reason)
}

// Lines returns the stderr lines openssl prints for e, without newlines:
// `Call to SSL_CONF_cmd(-cipher, FOO) failed` and, when openssl has one,
// the error-queue line. OpenSSL starts that line with its thread ID and
// puts its source file and line before the data; we print 00000000 and
// "tlskit:0" there so that scripts splitting on ':' find the code,
// library, function and reason in the same fields.
func (e *ConfError) Lines() []string {
	lines := []string{fmt.Sprintf("Call to SSL_CONF_cmd(%s, %s) failed", e.Option, e.Arg)}
	if e.Code != 0 {
		lines = append(lines, fmt.Sprintf("00000000:error:%08X:SSL routines:%s:%s:tlskit:0:%s",
			e.Code, e.Func, e.Reason, e.Data))
	}
	return lines
}

func noCipherMatch(opt, arg, fn string) *ConfError {
	return &ConfError{Option: opt, Arg: arg, Code: codeNoCipherMatch, Func: fn, Reason: "no cipher match"}
}
