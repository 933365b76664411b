package optgroups

import (
	"crypto/x509"
	"fmt"
	"io"
	"slices"

	"github.com/tlskit/tlskit/internal/engine"
	"github.com/tlskit/tlskit/internal/verify"
)

// ChainCheck is what openssl's SSL_check_chain reports of an -xcert's
// chain in its certificate callback, in the order both commands print
// it (a flag a side does not judge is set: it prints OK).
type ChainCheck struct {
	Valid, Sign, EESig, CASig, EEParam, CAParam, Explicit, Issuer, CertType bool
}

// Write prints the n-th (from 0) -xcert's block as openssl's callback
// does: "Checking cert chain N:", the leaf's subject and the flags.
func (f ChainCheck) Write(w io.Writer, n int, subject string) {
	fmt.Fprintf(w, "Checking cert chain %d:\nSubject: %s\n", n+1, subject)
	for _, l := range []struct {
		name string
		ok   bool
	}{
		{"Overall Validity", f.Valid}, {"Sign with EE key", f.Sign}, {"EE signature", f.EESig},
		{"CA signature", f.CASig}, {"EE key parameters", f.EEParam}, {"CA key parameters", f.CAParam},
		{"Explicitly sign with EE key", f.Explicit}, {"Issuer Name", f.Issuer}, {"Certificate Type", f.CertType},
	} {
		ok := "OK"
		if !l.ok {
			ok = "NOT OK"
		}
		fmt.Fprintf(w, "\t%s: %s\n", l.name, ok)
	}
	io.WriteString(w, "\tSuite B: not tested\n")
}

// PlaceXcert puts x in the slot of its key type among ids, replacing
// what was there (SSL_use_certificate after SSL_certs_clear: no chain is
// kept from the one it replaces), and says where.
func PlaceXcert(ids []engine.Identity, x engine.Identity) ([]engine.Identity, int) {
	slot := SlotOf(x)
	for i := range ids {
		if slot >= 0 && SlotOf(ids[i]) == slot {
			ids[i] = x
			return ids, i
		}
	}
	return append(ids, x), len(ids)
}

// BuildXchain is -xchain_build at handshake time: given's chain built
// from store alone (BuildChainStrict), given itself untouched; a chain
// that cannot be built is an *XchainBuildError.
func BuildXchain(given [][]byte, store []*x509.Certificate) ([][]byte, error) {
	chain := slices.Clone(given)
	code, err := BuildChainStrict(&chain, store)
	if err == nil && code != verify.OK {
		err = &XchainBuildError{Code: code}
	}
	return chain, err
}
