package verify

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"testing"
)

// FuzzNameConstraintsAndPolicies feeds untrusted DER to the extension
// parsers the verifier runs on a peer's chain (name constraints, subject
// alternative names, subject names, policy extensions): they must never
// panic, whatever the bytes.
func FuzzNameConstraintsAndPolicies(f *testing.F) {
	for _, seed := range [][]byte{
		{0x30, 0x18, 0xa0, 0x16, 0x30, 0x14, 0x82, 0x0f, 'a', 'l', 'l', 'o', 'w', 'e', 'd', '.', 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0x81, 0x01, 0x02},
		{0x30, 0x0c, 0xa1, 0x0a, 0x30, 0x08, 0x87, 0x06, 10, 0, 0, 0, 255, 0},
		{0x30, 0x06, 0x86, 0x04, 'u', 'r', 'n', ':'},
		{0x30, 0x00},
		{},
	} {
		f.Add(seed, seed)
	}
	name, _ := asn1.Marshal(pkix.Name{CommonName: "a.example", Organization: []string{"Good"}}.ToRDNSequence())
	f.Fuzz(func(t *testing.T, nc, san []byte) {
		ca := &x509.Certificate{RawSubject: name, RawIssuer: name, Extensions: []pkix.Extension{
			{Id: oidNameConstraints, Critical: true, Value: nc},
			{Id: oidCertPolicies, Value: nc},
			{Id: oidPolicyMappings, Value: san},
			{Id: oidPolicyConstraint, Value: nc},
			{Id: oidInhibitAny, Value: san},
		}}
		leaf := &x509.Certificate{RawSubject: san, RawIssuer: name, Extensions: []pkix.Extension{
			{Id: oidSubjectAltName, Value: san},
			{Id: oidCertPolicies, Value: san},
		}}
		if c, ok := parseNameConstraints(ca); ok {
			c.check(leaf)
			c.checkCN(leaf)
		}
		parsePolicyInfo(ca)
		parsePolicyInfo(leaf)
		hasUnhandledCritical(ca)
		v := &verifier{o: Options{Policy: PolicyOptions{Explicit: true, Print: true, Policies: []string{"1.2.3"}}}}
		v.chain = []*x509.Certificate{leaf, ca, ca}
		v.checkNameConstraints()
		v.checkPolicy()
	})
}
