package engine

import "crypto/x509"

// ParseChain parses a DER chain, stopping at the first certificate Go
// cannot parse.
func ParseChain(chain [][]byte) []*x509.Certificate {
	var out []*x509.Certificate
	for _, d := range chain {
		c, err := x509.ParseCertificate(d)
		if err != nil {
			break
		}
		out = append(out, c)
	}
	return out
}
