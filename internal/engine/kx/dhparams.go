package kx

import (
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"math/big"

	"github.com/tlskit/tlskit/internal/lazy"
)

// ParseDHParamsPEM reads PKCS #3 DH parameters ("DH PARAMETERS" PEM, a
// SEQUENCE of the prime and the generator), as -dhparam files and
// `openssl dhparam` hold them.
func ParseDHParamsPEM(b []byte) (DHParams, error) {
	for {
		var blk *pem.Block
		blk, b = pem.Decode(b)
		if blk == nil {
			return DHParams{}, errors.New("kx: no DH PARAMETERS block")
		}
		if blk.Type != "DH PARAMETERS" && blk.Type != "X9.42 DH PARAMETERS" {
			continue
		}
		var v struct {
			P, G *big.Int
			Rest asn1.RawValue `asn1:"optional"`
		}
		if _, err := asn1.Unmarshal(blk.Bytes, &v); err != nil {
			return DHParams{}, errors.New("kx: bad DH parameters: " + err.Error())
		}
		if v.P.Sign() <= 0 || v.G.Sign() <= 0 {
			return DHParams{}, errors.New("kx: bad DH parameters")
		}
		d := DHParams{P: v.P.Bytes(), G: v.G.Bytes()}
		var third *big.Int
		if len(v.Rest.FullBytes) > 0 {
			if _, err := asn1.Unmarshal(v.Rest.FullBytes, &third); err == nil && third.Sign() > 0 {
				if blk.Type == "DH PARAMETERS" {
					// PKCS #3's privateValueLength, in bits.
					if third.IsInt64() && third.Int64() < 1<<20 {
						d.ExponentBits = int(third.Int64())
					}
				} else {
					// X9.42's subgroup order q.
					d.ExponentBits = third.BitLen()
				}
			}
		}
		return d, nil
	}
}

// The 2048- and 3072-bit MODP groups of RFC 3526 (§3, §4), which OpenSSL
// 3.0's s_server picks for DHE when given no -dhparam ("Using default
// temp DH parameters"): 2048 bits for a certificate key of under 128
// bits of security, 3072 bits otherwise. Written as `openssl genpkey
// -genparam -algorithm DH -pkeyopt group:modp_2048` prints them.
const (
	modp2048PEM = `-----BEGIN DH PARAMETERS-----
MIIBCAKCAQEA///////////JD9qiIWjCNMTGYouA3BzRKQJOCIpnzHQCC76mOxOb
IlFKCHmONATd75UZs806QxswKwpt8l8UN0/hNW1tUcJF5IW1dmJefsb0TELppjft
awv/XLb0Brft7jhr+1qJn6WunyQRfEsf5kkoZlHs5Fs9wgB8uKFjvwWY2kg2HFXT
mmkWP6j9JM9fg2VdI9yjrZYcYvNWIIVSu57VKQdwlpZtZww1Tkq8mATxdGwIyhgh
fDKQXkYuNs474553LBgOhgObJ4Oi7Aeij7XFXfBvTFLJ3ivL9pVYFxg5lUl86pVq
5RXSJhiY+gUQFXKOWoqsqmj//////////wIBAg==
-----END DH PARAMETERS-----
`
	modp3072PEM = `-----BEGIN DH PARAMETERS-----
MIIBiAKCAYEA///////////JD9qiIWjCNMTGYouA3BzRKQJOCIpnzHQCC76mOxOb
IlFKCHmONATd75UZs806QxswKwpt8l8UN0/hNW1tUcJF5IW1dmJefsb0TELppjft
awv/XLb0Brft7jhr+1qJn6WunyQRfEsf5kkoZlHs5Fs9wgB8uKFjvwWY2kg2HFXT
mmkWP6j9JM9fg2VdI9yjrZYcYvNWIIVSu57VKQdwlpZtZww1Tkq8mATxdGwIyhgh
fDKQXkYuNs474553LBgOhgObJ4Oi7Aeij7XFXfBvTFLJ3ivL9pVYFxg5lUl86pVq
5RXSJhiY+gUQFXKOWoqqxC2tMxcNBFB6M6hVIavfHLpk7PuFBFjb7wqK6nFXXQYM
fbOXD4Wm4eTHq/WujNsJM9cejJTgSiVhnc7j0iYa0u5r8S/6BtmKCGTYdgJzPshq
ZFIfKxgXeyAMu+EXV3phXWx3CYjAutlG4gjiT6B05asxQ9tb/OD9EI5LgtEgqTrS
yv//////////AgEC
-----END DH PARAMETERS-----
`
)

var autoDH = lazy.Values[DHParams, DHParams]{Build: func() (DHParams, DHParams) {
	a, errA := ParseDHParamsPEM([]byte(modp2048PEM))
	b, errB := ParseDHParamsPEM([]byte(modp3072PEM))
	if errA != nil || errB != nil {
		panic("kx: built-in DH parameters do not parse")
	}
	return a, b
}}

// AutoDHParams is the DHE group OpenSSL 3.0 uses without -dhparam for a
// certificate key of the given security strength in bits.
func AutoDHParams(securityBits int) DHParams {
	a, b := autoDH.Get()
	if securityBits >= 128 {
		return b
	}
	return a
}
