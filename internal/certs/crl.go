package certs

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
)

// LoadCRLs loads the CRLs of -CRL: every "X509 CRL" block of a PEM file, or one DER CRL.
func LoadCRLs(path string, f Format) ([]*x509.RevocationList, error) {
	data, err := readFile(path)
	if err != nil {
		return nil, &LoadError{What: "CRL", Path: path, Err: err}
	}
	crls, err := ParseCRLs(data, f)
	if err != nil {
		return nil, &LoadError{What: "CRL", Path: path, Err: err}
	}
	return crls, nil
}

// ParseCRLs is LoadCRLs on bytes already read, such as a CRL fetched over HTTP for
// -crl_download; its errors are bare reasons.
func ParseCRLs(data []byte, f Format) ([]*x509.RevocationList, error) {
	if isPEM(data) {
		var crls []*x509.RevocationList
		n := 0
		for rest := data; ; {
			var b *pem.Block
			b, rest = pem.Decode(rest)
			if b == nil {
				break
			}
			if b.Type != "X509 CRL" {
				continue
			}
			n++
			c, err := x509.ParseRevocationList(b.Bytes)
			if err != nil {
				return nil, fmt.Errorf("malformed PEM CRL (number %d in the file)", n)
			}
			crls = append(crls, c)
		}
		if len(crls) == 0 {
			if bytes.Contains(data, []byte("X509 CRL-----")) {
				return nil, errors.New("malformed PEM CRL")
			}
			return nil, errors.New("no PEM CRL found")
		}
		return crls, nil
	}
	if c, err := x509.ParseRevocationList(data); err == nil {
		return []*x509.RevocationList{c}, nil
	}
	if f == FormatPEM {
		return nil, errors.New("no PEM CRL found")
	}
	if f == FormatDER {
		return nil, errors.New("not a valid DER CRL")
	}
	return nil, errors.New("no CRL found (neither PEM nor DER)")
}
