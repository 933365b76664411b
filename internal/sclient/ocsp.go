package sclient

import (
	"fmt"
	"io"
	"strings"

	"golang.org/x/crypto/ocsp"
)

// writeOCSP prints the stapled OCSP response as s_client -status does.
func writeOCSP(w io.Writer, der []byte) {
	if len(der) == 0 {
		fmt.Fprintln(w, "OCSP response: no response sent")
		return
	}
	var b strings.Builder
	b.WriteString("OCSP response: \n======================================\n")
	r, err := ocsp.ParseResponse(der, nil)
	if err != nil {
		fmt.Fprintf(&b, "OCSP Response: cannot parse: %v\n", err)
	} else {
		b.WriteString("OCSP Response Data:\n")
		b.WriteString("    OCSP Response Status: successful (0x0)\n")
		b.WriteString("    Response Type: Basic OCSP Response\n")
		fmt.Fprintf(&b, "    Produced At: %s\n", r.ProducedAt.UTC().Format("Jan _2 15:04:05 2006 GMT"))
		b.WriteString("    Responses:\n")
		b.WriteString("    Certificate ID:\n")
		fmt.Fprintf(&b, "      Serial Number: %X\n", r.SerialNumber)
		status := map[int]string{ocsp.Good: "good", ocsp.Revoked: "revoked", ocsp.Unknown: "unknown"}[r.Status]
		fmt.Fprintf(&b, "    Cert Status: %s\n", status)
		if r.Status == ocsp.Revoked {
			fmt.Fprintf(&b, "    Revocation Time: %s\n", r.RevokedAt.UTC().Format("Jan _2 15:04:05 2006 GMT"))
		}
		fmt.Fprintf(&b, "    This Update: %s\n", r.ThisUpdate.UTC().Format("Jan _2 15:04:05 2006 GMT"))
		if !r.NextUpdate.IsZero() {
			fmt.Fprintf(&b, "    Next Update: %s\n", r.NextUpdate.UTC().Format("Jan _2 15:04:05 2006 GMT"))
		}
	}
	b.WriteString("======================================\n")
	io.WriteString(w, b.String())
}
