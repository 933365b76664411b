// Package gotlsalert teaches sslerr the alerts in crypto/tls's errors,
// for the connections s_server still hands to crypto/tls. Importing it
// sets sslerr.ForeignAlert; it goes when those connections do, and
// cmd/tlskit then links no crypto/tls.
package gotlsalert

import (
	"crypto/tls"
	"errors"
	"net"

	"github.com/tlskit/tlskit/internal/sslerr"
)

func init() { sslerr.ForeignAlert = Find }

// Find reports the alert crypto/tls's err names: crypto/tls wraps a
// received one in a *net.OpError with Op "remote error" and a sent one
// with Op "local error" (or returns a tls.AlertError).
func Find(err error) (description uint8, sent, ok bool) {
	if d, ok := opAlert(err, "remote error"); ok {
		return d, false, true
	}
	var ae tls.AlertError
	if errors.As(err, &ae) {
		return uint8(ae), true, true
	}
	if d, ok := opAlert(err, "local error"); ok {
		return d, true, true
	}
	return 0, false, false
}

// opAlert matches the OpError's text against each alert's, as crypto/tls
// keeps its alert type unexported.
func opAlert(err error, op string) (uint8, bool) {
	var oe *net.OpError
	if !errors.As(err, &oe) || oe.Op != op || oe.Err == nil {
		return 0, false
	}
	text := oe.Err.Error()
	for d := 0; d < 256; d++ {
		if tls.AlertError(d).Error() == text {
			return uint8(d), true
		}
	}
	return 0, false
}
