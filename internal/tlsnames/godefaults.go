package tlsnames

import "crypto/tls"

// GoSignatureSchemes is the signature_algorithms list crypto/tls (Go 1.26)
// sends and accepts by default, in its order. SHA-1 schemes are not in it:
// crypto/tls refuses them in TLS 1.2 handshakes (RFC 9155).
var GoSignatureSchemes = []tls.SignatureScheme{
	tls.PSSWithSHA256, tls.ECDSAWithP256AndSHA256, tls.Ed25519,
	tls.PSSWithSHA384, tls.PSSWithSHA512,
	tls.PKCS1WithSHA256, tls.PKCS1WithSHA384, tls.PKCS1WithSHA512,
	tls.ECDSAWithP384AndSHA384, tls.ECDSAWithP521AndSHA512,
}

// GoDefaultGroups is crypto/tls's (Go 1.26) default supported_groups
// list, in its order: the post-quantum hybrids first.
var GoDefaultGroups = []tls.CurveID{
	tls.X25519MLKEM768, tls.SecP256r1MLKEM768, tls.SecP384r1MLKEM1024,
	tls.X25519, tls.CurveP256, tls.CurveP384, tls.CurveP521,
}
