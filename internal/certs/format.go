package certs

import (
	"fmt"
	"strings"
)

// Format is the encoding named by a -certform, -keyform or -CRLform option.
//
// OpenSSL 3.0 detects the encoding of most inputs itself (its help says -certform "has no
// effect"), so the loaders treat a Format as a hint: they try it first and name it in errors,
// but still accept another encoding they recognise.
type Format int

const (
	FormatAuto Format = iota // no -*form option given: detect from the contents
	FormatPEM
	FormatDER
	FormatP12
)

func (f Format) String() string {
	switch f {
	case FormatPEM:
		return "PEM"
	case FormatDER:
		return "DER"
	case FormatP12:
		return "P12"
	}
	return "auto"
}

// ParseFormat parses a format option value: PEM, DER, P12 or PKCS12 in any case, and OpenSSL's
// one-letter abbreviations "p" and "d". ENGINE is refused because tlskit has no engines.
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(s) {
	case "pem", "p":
		return FormatPEM, nil
	case "der", "d", "asn1":
		return FormatDER, nil
	case "p12", "pkcs12":
		return FormatP12, nil
	case "engine", "e":
		return FormatAuto, fmt.Errorf("certs: format %q: engines are not supported", s)
	}
	return FormatAuto, fmt.Errorf("certs: bad format %q: must be PEM, DER or P12", s)
}
