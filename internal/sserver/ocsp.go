package sserver

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"

	"golang.org/x/crypto/ocsp"

	"github.com/tlskit/tlskit/internal/httpfetch"
	"github.com/tlskit/tlskit/internal/ocsptext"
	"github.com/tlskit/tlskit/internal/sslerr"
)

// maxOCSPResponse bounds what is read from a responder or -status_file.
const maxOCSPResponse = 1 << 20

// certStatus is -status's stapling callback, run for each full handshake
// whose client asked for a staple (status_request, RFC 6066 §8), as
// openssl's s_server runs its: the response is -status_file's, read
// afresh, or else asked of the OCSP responder the leaf's Authority
// Information Access names (RFC 5280 §4.2.2.1) or of -status_url. A
// -status_file that cannot be opened or read, or holds no OCSP response,
// fails the handshake (the engine's internal_error), as openssl 3.0's
// does, with its lines on stderr; a responder that cannot be asked
// leaves the handshake without a staple.
func (s *server) certStatus(chain [][]byte) ([]byte, error) {
	var b strings.Builder
	defer func() { s.errw.Write([]byte(b.String())) }()
	if s.c.statusVerbose {
		b.WriteString("cert_status: callback called\n")
	}
	var der []byte
	if s.c.statusFile != "" {
		f, err := os.Open(s.c.statusFile)
		if err != nil {
			for _, l := range sslerr.OpenForReading(s.c.statusFile, err) {
				b.WriteString(l + "\n")
			}
			b.WriteString("cert_status: Cannot open OCSP response file\n")
			return nil, err
		}
		der, err = readOCSPResponse(f)
		f.Close()
		if err != nil {
			b.WriteString("cert_status: Error reading OCSP response\n")
			var en syscall.Errno
			if !errors.As(err, &en) {
				fmt.Fprintf(&b, "s_server: %s: %v\n", s.c.statusFile, err)
				return nil, err
			}
			// openssl's BIO read fails, then its DER reader finds
			// nothing (measured with a directory as the file).
			for _, e := range []sslerr.Entry{
				sslerr.SysEntry(int(en), "file_read", "calling fread()"),
				sslerr.BIOSysLib("file_read"),
				asn1NotEnoughData,
			} {
				b.WriteString(e.String() + "\n")
			}
			return nil, err
		}
		raw := der
		if der, err = firstOCSPResponse(raw); err != nil {
			b.WriteString("cert_status: Error reading OCSP response\n")
			if derTruncated(raw) {
				b.WriteString(asn1NotEnoughData.String() + "\n")
			}
			return nil, err
		}
	} else if der = s.fetchOCSP(&b, chain); der == nil {
		return nil, nil
	}
	if s.c.statusVerbose {
		b.WriteString("cert_status: ocsp response sent:\n")
		if err := ocsptext.Write(&b, der); err != nil {
			fmt.Fprintf(&b, "OCSP response cannot be parsed: %v\n", err)
		}
	}
	return der, nil
}

// asn1NotEnoughData is openssl's complaint about DER that ends early.
var asn1NotEnoughData = sslerr.Entry{Code: 0x0680008E, Lib: "asn1 encoding routines", Func: "asn1_d2i_read_bio", Reason: "not enough data"}

// readOCSPResponse reads r (a file, or a pipe that hands its bytes over
// in several reads) to its end or to maxOCSPResponse bytes: the
// response is the first DER object in them (firstOCSPResponse), and a
// file may go on after it.
func readOCSPResponse(r io.Reader) ([]byte, error) {
	return io.ReadAll(io.LimitReader(r, maxOCSPResponse))
}

// derTruncated reports whether der ends before the length its first
// header announces (or inside that header), what openssl's DER file
// reader calls "not enough data" (measured: "garbage\n" as -status_file).
func derTruncated(der []byte) bool {
	if len(der) < 2 {
		return true
	}
	n, i := int(der[1]), 2
	if n&0x80 != 0 {
		k := n & 0x7f
		if k == 0 || k > 4 {
			return false
		}
		if len(der) < 2+k {
			return true
		}
		n = 0
		for _, c := range der[2 : 2+k] {
			n = n<<8 | int(c)
		}
		i += k
	}
	return len(der)-i < n
}

// firstOCSPResponse is the DER OCSPResponse (RFC 6960 §4.2.1: a status
// and, optionally, the response bytes) der starts with. Bytes after it
// are left out, as openssl 3.0's s_server leaves them (measured: a
// -status_file with text after the response staples the response).
func firstOCSPResponse(der []byte) ([]byte, error) {
	var r struct {
		Status asn1.Enumerated
		Bytes  asn1.RawValue `asn1:"explicit,tag:0,optional"`
	}
	rest, err := asn1.Unmarshal(der, &r)
	if err != nil {
		return nil, err
	}
	return der[:len(der)-len(rest)], nil
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
	// The issuer comes from the trust store alone, as openssl's looks it
	// up by name in its SSL_CTX's store: measured with 3.0, an issuer
	// only in -cert_chain, -chainCAfile or -verifyCAfile (the served
	// chain holds it) is not found.
	var issuer *x509.Certificate
	if s.statusIssuers != nil {
		for _, r := range s.statusIssuers() {
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
	if err == nil {
		if body, err = firstOCSPResponse(body); err != nil {
			err = fmt.Errorf("not an OCSP response")
		}
	}
	if err != nil {
		fmt.Fprintf(b, "Error querying OCSP responder\ncert_status: error querying responder\ns_server: %s: %v\n", url, err)
		return nil
	}
	return body
}
