package starttls

import "testing"

// StartPostfixForTest starts a private postfix (see startPostfix) for the
// external tests that drive the s_client command against it, and returns
// the STARTTLS listener's address, the CA file that verifies it, and the
// address of a listener that offers no TLS.
func StartPostfixForTest(t *testing.T) (addr, caFile, plainAddr string) {
	pf := startPostfix(t)
	return pf.tlsAddr, pf.certs.ca, pf.plainAddr
}
