package kx

import (
	"encoding/asn1"
	"encoding/pem"
	"math/big"
	"testing"
)

// FuzzParseDHParamsPEM: any -dhparam file parses or is refused, without
// a panic; what parses has a prime and a generator, and the exponent
// bits it reports are bounded.
func FuzzParseDHParamsPEM(f *testing.F) {
	f.Add([]byte(modp2048PEM))
	for _, typ := range []string{"DH PARAMETERS", "X9.42 DH PARAMETERS"} {
		der, _ := asn1.Marshal(struct{ P, G, Third *big.Int }{big.NewInt(23), big.NewInt(5), big.NewInt(11)})
		f.Add(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ParseDHParamsPEM(b)
		if err != nil {
			return
		}
		if len(p.P) == 0 || len(p.G) == 0 || p.ExponentBits < 0 || p.ExponentBits > max(1<<20, 8*len(b)) {
			t.Fatalf("parsed %+v", p)
		}
	})
}
