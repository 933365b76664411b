package tlsnames

import (
	"github.com/tlskit/tlskit/internal/engine/kx"
	"github.com/tlskit/tlskit/internal/engine/sig"
)

// GoSignatureSchemes is the signature_algorithms list crypto/tls (Go 1.26)
// sends and accepts by default, in its order. SHA-1 schemes are not in it:
// crypto/tls refuses them in TLS 1.2 handshakes (RFC 9155).
var GoSignatureSchemes = []uint16{
	sig.RSAPSSRSAESHA256, sig.ECDSAP256SHA256, sig.Ed25519,
	sig.RSAPSSRSAESHA384, sig.RSAPSSRSAESHA512,
	sig.RSAPKCS1SHA256, sig.RSAPKCS1SHA384, sig.RSAPKCS1SHA512,
	sig.ECDSAP384SHA384, sig.ECDSAP521SHA512,
}

// GoDefaultGroups is crypto/tls's (Go 1.26) default supported_groups
// list, in its order: the post-quantum hybrids first.
var GoDefaultGroups = []uint16{
	kx.X25519MLKEM768, kx.SecP256r1MLKEM768, kx.SecP384r1MLKEM1024,
	kx.X25519, kx.Secp256r1, kx.Secp384r1, kx.Secp521r1,
}
