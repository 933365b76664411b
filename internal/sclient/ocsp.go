package sclient

import (
	"fmt"
	"io"
	"strings"

	"github.com/tlskit/tlskit/internal/ocsptext"
)

// writeOCSP prints the stapled OCSP response as s_client -status does, as
// soon as it arrives. Like openssl 3.0's s_client it only prints it: it
// does not verify it, nor say anything about it on stderr.
func writeOCSP(w io.Writer, der []byte) {
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
}

// formatOCSP writes the "OCSP Response Data:" block in openssl's layout.
func formatOCSP(b *strings.Builder, der []byte) error { return ocsptext.Write(b, der) }
