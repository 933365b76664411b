package certs

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/md5"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"strconv"
	"strings"

	"github.com/tlskit/tlskit/internal/lazy"
)

// legacyCipher describes a DEK-Info cipher of OpenSSL's traditional encrypted PEM
// (RFC 1421 headers with OpenSSL's own cipher names).
type legacyCipher struct {
	keyLen   int
	newBlock func(key []byte) (cipher.Block, error)
}

var legacyCiphers = lazy.Value[map[string]legacyCipher]{Build: func() map[string]legacyCipher {
	return map[string]legacyCipher{
		"DES-CBC":      {8, des.NewCipher},
		"DES-EDE3-CBC": {24, des.NewTripleDESCipher},
		"AES-128-CBC":  {16, aes.NewCipher},
		"AES-192-CBC":  {24, aes.NewCipher},
		"AES-256-CBC":  {32, aes.NewCipher},
	}
}}

// isLegacyEncrypted reports whether a PEM block carries "Proc-Type: 4,ENCRYPTED".
func isLegacyEncrypted(b *pem.Block) bool {
	return strings.Contains(b.Headers["Proc-Type"], "ENCRYPTED")
}

// decryptLegacyPEM decrypts a traditional encrypted PEM block. The key is OpenSSL's
// EVP_BytesToKey with MD5, one iteration and the first 8 bytes of the IV as salt.
func decryptLegacyPEM(b *pem.Block, pass string) ([]byte, error) {
	dek := b.Headers["DEK-Info"]
	name, ivHex, ok := strings.Cut(dek, ",")
	if !ok {
		return nil, errors.New("malformed DEK-Info header")
	}
	name = strings.ToUpper(strings.TrimSpace(name))
	c, ok := legacyCiphers.Get()[name]
	if !ok {
		// The name comes from the file: quote it, escaped and bounded.
		if len(name) > 40 {
			name = name[:40] + "…"
		}
		return nil, unsupportedf("unsupported PEM encryption %s", strconv.QuoteToASCII(name))
	}
	iv, err := hex.DecodeString(strings.TrimSpace(ivHex))
	if err != nil || len(iv) < 8 {
		return nil, errors.New("malformed DEK-Info header")
	}
	key := bytesToKeyMD5([]byte(pass), iv[:8], c.keyLen)
	block, err := c.newBlock(key)
	if err != nil {
		return nil, err
	}
	if len(iv) != block.BlockSize() {
		return nil, errors.New("malformed DEK-Info header: wrong IV length")
	}
	return decryptCBC(block, iv, b.Bytes)
}

// bytesToKeyMD5 is EVP_BytesToKey(MD5, count=1): D_i = MD5(D_{i-1} || pass || salt).
func bytesToKeyMD5(pass, salt []byte, n int) []byte {
	var out, prev []byte
	for len(out) < n {
		h := md5.New()
		h.Write(prev)
		h.Write(pass)
		h.Write(salt)
		prev = h.Sum(nil)
		out = append(out, prev...)
	}
	return out[:n]
}

// errBadDecrypt means the padding was wrong: almost always a wrong pass phrase.
var errBadDecrypt = errors.New("bad decrypt")

// decryptCBC decrypts and removes PKCS#7 padding (RFC 5652 section 6.3).
func decryptCBC(block cipher.Block, iv, data []byte) ([]byte, error) {
	bs := block.BlockSize()
	if len(data) == 0 || len(data)%bs != 0 {
		return nil, errors.New("malformed encrypted data: length is not a multiple of the block size")
	}
	out := make([]byte, len(data))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(out, data)
	pad := int(out[len(out)-1])
	if pad == 0 || pad > bs {
		return nil, errBadDecrypt
	}
	for _, p := range out[len(out)-pad:] {
		if int(p) != pad {
			return nil, errBadDecrypt
		}
	}
	return out[:len(out)-pad], nil
}
