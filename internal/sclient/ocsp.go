package sclient

import (
	"bytes"
	"crypto/x509"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/tlskit/tlskit/internal/ocsptext"
	"golang.org/x/crypto/ocsp"
)

// writeOCSP prints the stapled OCSP response as s_client -status does, as
// soon as it arrives. Beyond openssl, it checks the response against the
// leaf's issuer and says so on errw.
func writeOCSP(w, errw io.Writer, der []byte, peer, roots []*x509.Certificate) {
	if len(der) == 0 {
		fmt.Fprintln(w, "OCSP response: no response sent")
		return
	}
	var b strings.Builder
	b.WriteString("OCSP response: \n======================================\n")
	if err := formatOCSP(&b, der); err != nil {
		fmt.Fprintf(&b, "OCSP response cannot be parsed: %v\n", err)
	}
	b.WriteString("======================================\n")
	io.WriteString(w, b.String())
	if errw != nil {
		fmt.Fprintln(errw, checkOCSP(der, peer, roots))
	}
}

// formatOCSP writes the "OCSP Response Data:" block in openssl's layout.
func formatOCSP(b *strings.Builder, der []byte) error { return ocsptext.Write(b, der) }

// checkOCSP validates a stapled response for the leaf: signed by its
// issuer (or a responder the issuer delegated to), about the leaf's serial,
// and current. It returns the line s_client prints on stderr.
func checkOCSP(der []byte, peer, roots []*x509.Certificate) string {
	if len(peer) == 0 {
		return "OCSP response verification: skipped (no server certificate)"
	}
	leaf := peer[0]
	var issuer *x509.Certificate
	for _, c := range append(append([]*x509.Certificate(nil), peer[1:]...), roots...) {
		if bytes.Equal(c.RawSubject, leaf.RawIssuer) && leaf.CheckSignatureFrom(c) == nil {
			issuer = c
			break
		}
	}
	if issuer == nil {
		return "OCSP response verification failed: the server certificate's issuer is unknown"
	}
	r, err := ocsp.ParseResponseForCert(der, leaf, issuer)
	if err != nil {
		return fmt.Sprintf("OCSP response verification failed: %v", err)
	}
	if r.SerialNumber.Cmp(leaf.SerialNumber) != 0 {
		return "OCSP response verification failed: the response is about another certificate"
	}
	now := time.Now()
	if now.Before(r.ThisUpdate.Add(-5*time.Minute)) || (!r.NextUpdate.IsZero() && now.After(r.NextUpdate.Add(5*time.Minute))) {
		return "OCSP response verification failed: the response is not current"
	}
	status := map[int]string{ocsp.Good: "good", ocsp.Revoked: "revoked", ocsp.Unknown: "unknown"}[r.Status]
	return "OCSP response verification: OK, certificate status " + status
}
