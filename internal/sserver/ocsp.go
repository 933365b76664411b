package sserver

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"golang.org/x/crypto/ocsp"

	"github.com/tlskit/tlskit/internal/httpfetch"
	"github.com/tlskit/tlskit/internal/ocsptext"
)

// maxOCSPResponse bounds what is read from a responder or -status_file.
const maxOCSPResponse = 1 << 20

// certStatus is -status's stapling callback, run for each full handshake
// whose client asked for a staple (status_request, RFC 6066 §8), as
// openssl's s_server runs its: the response is -status_file's, read
// afresh, or else asked of the OCSP responder the leaf's Authority
// Information Access names (RFC 5280 §4.2.2.1) or of -status_url. A
// failure is reported on stderr in openssl's words and the handshake goes
// on without a staple.
func (s *server) certStatus(chain [][]byte) []byte {
	var b strings.Builder
	defer func() { s.errw.Write([]byte(b.String())) }()
	if s.c.statusVerbose {
		b.WriteString("cert_status: callback called\n")
	}
	var der []byte
	if s.c.statusFile != "" {
		f, err := os.Open(s.c.statusFile)
		if err != nil {
			b.WriteString("cert_status: Cannot open OCSP response file\n")
			return nil
		}
		der, err = readOCSPResponse(f)
		f.Close()
		if err != nil {
			if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
				err = pe.Err // the path is on the line already
			}
			fmt.Fprintf(&b, "cert_status: Error reading OCSP response\ns_server: %s: %v\n", s.c.statusFile, err)
			return nil
		}
		if !isOCSPResponse(der) {
			b.WriteString("cert_status: Error reading OCSP response\n")
			return nil
		}
	} else if der = s.fetchOCSP(&b, chain); der == nil {
		return nil
	}
	if s.c.statusVerbose {
		b.WriteString("cert_status: ocsp response sent:\n")
		if err := ocsptext.Write(&b, der); err != nil {
			fmt.Fprintf(&b, "OCSP response cannot be parsed: %v\n", err)
		}
	}
	return der
}

// readOCSPResponse reads all of r (a file, or a pipe that hands its
// bytes over in several reads), refusing more than maxOCSPResponse bytes.
func readOCSPResponse(r io.Reader) ([]byte, error) {
	der, err := io.ReadAll(io.LimitReader(r, maxOCSPResponse+1))
	if err != nil {
		return nil, err
	}
	if len(der) > maxOCSPResponse {
		return nil, fmt.Errorf("larger than %d bytes, the most an OCSP response may have here", maxOCSPResponse)
	}
	return der, nil
}

// isOCSPResponse reports whether der is one DER OCSPResponse (RFC 6960
// §4.2.1): a status and, optionally, the response bytes.
func isOCSPResponse(der []byte) bool {
	var r struct {
		Status asn1.Enumerated
		Bytes  asn1.RawValue `asn1:"explicit,tag:0,optional"`
	}
	rest, err := asn1.Unmarshal(der, &r)
	return err == nil && len(rest) == 0
}

// fetchOCSP asks the leaf's responder for its status, reporting on b as
// openssl's s_server does; nil when there is no answer to staple.
func (s *server) fetchOCSP(b *strings.Builder, chain [][]byte) []byte {
	leaf, err := x509.ParseCertificate(chain[0])
	if err != nil {
		b.WriteString("cert_status: error querying responder\n")
		return nil
	}
	// The certificate's own responder first; -status_url is the fallback.
	url := s.c.statusURL
	if len(leaf.OCSPServer) > 0 {
		url = leaf.OCSPServer[0]
		if s.c.statusVerbose {
			fmt.Fprintf(b, "cert_status: AIA URL: %s\n", url)
		}
	}
	if url == "" {
		b.WriteString("cert_status: no AIA and no default responder URL\n")
		return nil
	}
	var issuer *x509.Certificate
	if len(chain) > 1 {
		issuer, _ = x509.ParseCertificate(chain[1])
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
		b.WriteString("cert_status: Can't retrieve issuer certificate.\n")
		return nil
	}
	req, err := ocsp.CreateRequest(leaf, issuer, nil)
	if err != nil {
		b.WriteString("cert_status: error querying responder\n")
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.c.statusTimeout)
	defer cancel()
	// The responder is asked directly: no proxy from the environment, no
	// redirect followed blindly.
	body, err := httpfetch.Fetch(ctx, httpfetch.Request{URL: url, Body: req, Limit: maxOCSPResponse,
		ContentType: "application/ocsp-request", Accept: "application/ocsp-response"})
	if err == nil && !isOCSPResponse(body) {
		err = fmt.Errorf("not an OCSP response")
	}
	if err != nil {
		fmt.Fprintf(b, "Error querying OCSP responder\ncert_status: error querying responder\ns_server: %s: %v\n", url, err)
		return nil
	}
	return body
}
