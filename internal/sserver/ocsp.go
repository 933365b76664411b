package sserver

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/tlskit/tlskit/internal/httpfetch"
)

// maxOCSPResponse bounds what is read from a responder.
const maxOCSPResponse = 1 << 20

// stapleOCSP implements -status: for each certificate it asks the OCSP
// responder named by the certificate's Authority Information Access
// extension (RFC 5280 §4.2.2.1), or else by -status_url, for the certificate's
// status and staples the answer (RFC 6066 §8). Unlike openssl, which asks
// on every connection, tlskit asks once at start-up. A failure is reported
// on stderr and the server runs without a staple, as openssl goes on.
func (s *server) stapleOCSP(certs []tls.Certificate) {
	for i := range certs {
		resp, err := s.fetchOCSP(&certs[i])
		if err != nil {
			fmt.Fprintf(s.errw, "cert_status: %v\n", err)
			continue
		}
		certs[i].OCSPStaple = resp
	}
}

func (s *server) fetchOCSP(cert *tls.Certificate) ([]byte, error) {
	if len(cert.Certificate) == 0 {
		return nil, errors.New("no certificate")
	}
	leaf, err := x509.ParseCertificate(cert.Certificate[0])
	if err != nil {
		return nil, err
	}
	// The certificate's own responder first; -status_url is the fallback.
	url := s.c.statusURL
	if len(leaf.OCSPServer) > 0 {
		url = leaf.OCSPServer[0]
	}
	if url == "" {
		return nil, errors.New("no OCSP responder in the certificate's AIA extension and no -status_url")
	}
	if s.c.statusVerbose {
		fmt.Fprintf(s.errw, "cert_status: AIA URL: %s\n", url)
	}
	var issuer *x509.Certificate
	if len(cert.Certificate) > 1 {
		issuer, _ = x509.ParseCertificate(cert.Certificate[1])
	}
	if issuer == nil {
		for _, r := range s.roots {
			if bytes.Equal(r.RawSubject, leaf.RawIssuer) {
				issuer = r
				break
			}
		}
	}
	if issuer == nil {
		return nil, errors.New("cannot find the issuer certificate (give the chain with -cert_chain)")
	}
	req, err := ocsp.CreateRequest(leaf, issuer, nil)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.c.statusTimeout)
	defer cancel()
	// The responder is asked directly: no proxy from the environment, no
	// redirect followed blindly.
	body, err := httpfetch.Fetch(ctx, httpfetch.Request{URL: url, Body: req, Limit: maxOCSPResponse,
		ContentType: "application/ocsp-request", Accept: "application/ocsp-response"})
	if err != nil {
		return nil, fmt.Errorf("querying %s: %v", url, err)
	}
	parsed, err := ocsp.ParseResponseForCert(body, leaf, issuer)
	if err != nil {
		return nil, fmt.Errorf("response from %s: %v", url, err)
	}
	if s.c.statusVerbose {
		st := map[int]string{ocsp.Good: "good", ocsp.Revoked: "revoked", ocsp.Unknown: "unknown"}[parsed.Status]
		fmt.Fprintf(s.errw, "cert_status: ocsp response sent: status %s, this update %s, next update %s\n",
			st, parsed.ThisUpdate.UTC().Format(time.RFC3339), parsed.NextUpdate.UTC().Format(time.RFC3339))
	}
	return body, nil
}
