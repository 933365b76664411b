package certs

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/md5"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"hash"

	"golang.org/x/crypto/scrypt"
)

// ASN.1 of encrypted PKCS#8 (RFC 5958 section 3) and its PBES1/PBES2 parameters (RFC 8018).
type encryptedPrivateKeyInfo struct {
	Algo pkix.AlgorithmIdentifier
	Data []byte
}

type pbes2Params struct {
	KDF    pkix.AlgorithmIdentifier
	Scheme pkix.AlgorithmIdentifier
}

type pbkdf2Params struct {
	Salt       []byte
	Iterations int
	KeyLen     int                      `asn1:"optional"`
	PRF        pkix.AlgorithmIdentifier `asn1:"optional"`
}

// scryptParams is RFC 7914 section 7.1.
type scryptParams struct {
	Salt        []byte
	Cost        int
	BlockSize   int
	Parallelism int
	KeyLen      int `asn1:"optional"`
}

// pbeParams serves PBES1 (RFC 8018 A.3) and PKCS#12 PBE (RFC 7292 appendix C) alike.
type pbeParams struct {
	Salt       []byte
	Iterations int
}

var (
	oidPBES2  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	oidPBKDF2 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}
	oidScrypt = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 11591, 4, 11}

	oidPBEMD5DES  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 3}
	oidPBESHA1DES = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 10}
	oidPBESHA3DES = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 1, 3}
	oidPBESHA2DES = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 1, 4}

	oidDESCBC  = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 7}
	oidDES3CBC = asn1.ObjectIdentifier{1, 2, 840, 113549, 3, 7}
	oidAES128  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 2}
	oidAES192  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 22}
	oidAES256  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 42}
)

// PBKDF2 pseudo-random functions, RFC 8018 appendix B.1.
var pbkdf2PRFs = []struct {
	oid asn1.ObjectIdentifier
	h   func() hash.Hash
}{
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 7}, sha1.New},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 8}, sha256.New224},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 9}, sha256.New},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 10}, sha512.New384},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 11}, sha512.New},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 12}, sha512.New512_224},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 13}, sha512.New512_256},
}

// Limits on attacker-chosen KDF costs, so a hostile file cannot hang or exhaust the process.
// OpenSSL writes 2048 PBKDF2 iterations and scrypt N=16384, r=8, p=1 (16 MiB) by default;
// its own scrypt memory ceiling is 32 MiB, which we match.
const maxScryptBytes = 32 << 20

// maxIterations is a variable only so that the fuzz target can lower it and stay fast.
var maxIterations = 10_000_000

// parseEncryptedPKCS8 recognises an EncryptedPrivateKeyInfo without decrypting it.
func parseEncryptedPKCS8(der []byte) (*encryptedPrivateKeyInfo, bool) {
	var epki encryptedPrivateKeyInfo
	rest, err := asn1.Unmarshal(der, &epki)
	if err != nil || len(rest) != 0 || len(epki.Algo.Algorithm) == 0 {
		return nil, false
	}
	return &epki, true
}

// decryptPKCS8 returns the PrivateKeyInfo DER inside an EncryptedPrivateKeyInfo.
func decryptPKCS8(epki *encryptedPrivateKeyInfo, pass string) ([]byte, error) {
	block, iv, err := pkcs8Cipher(epki.Algo, pass)
	if err != nil {
		return nil, err
	}
	return decryptCBC(block, iv, epki.Data)
}

func pkcs8Cipher(algo pkix.AlgorithmIdentifier, pass string) (cipher.Block, []byte, error) {
	params := algo.Parameters.FullBytes
	switch {
	case algo.Algorithm.Equal(oidPBES2):
		return pbes2Cipher(params, pass)
	case algo.Algorithm.Equal(oidPBEMD5DES), algo.Algorithm.Equal(oidPBESHA1DES):
		var p pbeParams
		if err := unmarshalAll(params, &p); err != nil || len(p.Salt) != 8 {
			return nil, nil, errors.New("malformed PBES1 parameters")
		}
		if err := checkIterations(p.Iterations); err != nil {
			return nil, nil, err
		}
		h := md5.New
		if algo.Algorithm.Equal(oidPBESHA1DES) {
			h = sha1.New
		}
		// PBKDF1 (RFC 8018 section 5.1): T = Hash^c(P || S); key = T[0:8], IV = T[8:16].
		t := append([]byte(pass), p.Salt...)
		for i := 0; i < p.Iterations; i++ {
			hh := h()
			hh.Write(t)
			t = hh.Sum(nil)
		}
		block, _ := des.NewCipher(t[:8])
		return block, t[8:16], nil
	case algo.Algorithm.Equal(oidPBESHA3DES), algo.Algorithm.Equal(oidPBESHA2DES):
		var p pbeParams
		if err := unmarshalAll(params, &p); err != nil {
			return nil, nil, errors.New("malformed PKCS#12 PBE parameters")
		}
		if err := checkIterations(p.Iterations); err != nil {
			return nil, nil, err
		}
		bmp, err := bmpString(pass)
		if err != nil {
			return nil, nil, err
		}
		key := pkcs12KDF(bmp, p.Salt, p.Iterations, 1, 24)
		if algo.Algorithm.Equal(oidPBESHA2DES) {
			// Two-key triple DES: K3 = K1.
			copy(key[16:], key[:8])
		}
		iv := pkcs12KDF(bmp, p.Salt, p.Iterations, 2, 8)
		block, _ := des.NewTripleDESCipher(key)
		return block, iv, nil
	}
	return nil, nil, unsupportedf("unsupported key encryption algorithm %s", algo.Algorithm)
}

func pbes2Cipher(params []byte, pass string) (cipher.Block, []byte, error) {
	var p pbes2Params
	if err := unmarshalAll(params, &p); err != nil {
		return nil, nil, errors.New("malformed PBES2 parameters")
	}
	var (
		keyLen   int
		newBlock func([]byte) (cipher.Block, error)
	)
	s := p.Scheme.Algorithm
	switch {
	case s.Equal(oidAES128):
		keyLen, newBlock = 16, aes.NewCipher
	case s.Equal(oidAES192):
		keyLen, newBlock = 24, aes.NewCipher
	case s.Equal(oidAES256):
		keyLen, newBlock = 32, aes.NewCipher
	case s.Equal(oidDES3CBC):
		keyLen, newBlock = 24, des.NewTripleDESCipher
	case s.Equal(oidDESCBC):
		keyLen, newBlock = 8, des.NewCipher
	default:
		return nil, nil, unsupportedf("unsupported PBES2 cipher %s", s)
	}
	var iv []byte
	if err := unmarshalAll(p.Scheme.Parameters.FullBytes, &iv); err != nil {
		return nil, nil, errors.New("malformed PBES2 cipher parameters")
	}

	var key []byte
	switch {
	case p.KDF.Algorithm.Equal(oidPBKDF2):
		var kp pbkdf2Params
		if err := unmarshalAll(p.KDF.Parameters.FullBytes, &kp); err != nil {
			return nil, nil, errors.New("malformed PBKDF2 parameters")
		}
		if err := checkIterations(kp.Iterations); err != nil {
			return nil, nil, err
		}
		if kp.KeyLen != 0 && kp.KeyLen != keyLen {
			return nil, nil, errors.New("malformed PBKDF2 parameters: key length does not fit the cipher")
		}
		prf := sha1.New // the DEFAULT when the field is absent
		if len(kp.PRF.Algorithm) != 0 {
			prf = nil
			for _, c := range pbkdf2PRFs {
				if c.oid.Equal(kp.PRF.Algorithm) {
					prf = c.h
				}
			}
			if prf == nil {
				return nil, nil, unsupportedf("unsupported PBKDF2 hash %s", kp.PRF.Algorithm)
			}
		}
		var err error
		if key, err = pbkdf2.Key(prf, pass, kp.Salt, kp.Iterations, keyLen); err != nil {
			return nil, nil, errors.New("malformed PBKDF2 parameters")
		}
	case p.KDF.Algorithm.Equal(oidScrypt):
		var sp scryptParams
		if err := unmarshalAll(p.KDF.Parameters.FullBytes, &sp); err != nil {
			return nil, nil, errors.New("malformed scrypt parameters")
		}
		if sp.KeyLen != 0 && sp.KeyLen != keyLen {
			return nil, nil, errors.New("malformed scrypt parameters: key length does not fit the cipher")
		}
		if sp.Cost < 2 || sp.BlockSize < 1 || sp.Parallelism < 1 ||
			sp.BlockSize > maxScryptBytes || sp.Parallelism > maxScryptBytes ||
			int64(sp.Cost)*int64(sp.BlockSize)*128 > maxScryptBytes ||
			int64(sp.Parallelism)*int64(sp.BlockSize)*128 > maxScryptBytes {
			return nil, nil, unsupportedf("scrypt parameters exceed the %d MiB memory limit", maxScryptBytes>>20)
		}
		var err error
		if key, err = scrypt.Key([]byte(pass), sp.Salt, sp.Cost, sp.BlockSize, sp.Parallelism, keyLen); err != nil {
			return nil, nil, errors.New("malformed scrypt parameters")
		}
	default:
		return nil, nil, unsupportedf("unsupported key derivation %s", p.KDF.Algorithm)
	}
	block, err := newBlock(key)
	if err != nil {
		return nil, nil, err
	}
	if len(iv) != block.BlockSize() {
		return nil, nil, errors.New("malformed PBES2 cipher parameters: wrong IV length")
	}
	return block, iv, nil
}

func checkIterations(n int) error {
	if n < 1 {
		return errors.New("malformed key encryption parameters: iteration count")
	}
	if n > maxIterations {
		return unsupportedf("iteration count %d is above the limit of %d", n, maxIterations)
	}
	return nil
}

// unmarshalAll parses exactly one ASN.1 value, rejecting trailing bytes.
func unmarshalAll(der []byte, v any) error {
	rest, err := asn1.Unmarshal(der, v)
	if err != nil {
		return err
	}
	if len(rest) != 0 {
		return errors.New("trailing data")
	}
	return nil
}

// bmpString encodes a pass phrase as PKCS#12 wants it: UTF-16BE with a terminating zero
// (RFC 7292 appendix B.1).
func bmpString(s string) ([]byte, error) {
	out := make([]byte, 0, 2*len(s)+2)
	for _, r := range s {
		if r > 0xFFFF {
			return nil, errors.New("pass phrase contains a character outside the BMP")
		}
		out = append(out, byte(r>>8), byte(r))
	}
	return append(out, 0, 0), nil
}

// pkcs12KDF is the PKCS#12 key derivation with SHA-1 (RFC 7292 appendix B.2); id 1 makes
// key material, 2 an IV.
func pkcs12KDF(pass, salt []byte, iterations int, id byte, n int) []byte {
	const u, v = 20, 64
	D := make([]byte, v)
	for i := range D {
		D[i] = id
	}
	fill := func(src []byte) []byte {
		if len(src) == 0 {
			return nil
		}
		out := make([]byte, v*((len(src)+v-1)/v))
		for i := range out {
			out[i] = src[i%len(src)]
		}
		return out
	}
	I := append(fill(salt), fill(pass)...)
	var out []byte
	for len(out) < n {
		h := sha1.New()
		h.Write(D)
		h.Write(I)
		A := h.Sum(nil)
		for j := 1; j < iterations; j++ {
			s := sha1.Sum(A)
			A = s[:]
		}
		out = append(out, A...)
		if len(out) >= n {
			break
		}
		B := fill(A)
		// I_j = (I_j + B + 1) mod 2^(8v) for each v-byte block of I.
		for j := 0; j < len(I); j += v {
			carry := 1
			for k := v - 1; k >= 0; k-- {
				x := int(I[j+k]) + int(B[k]) + carry
				I[j+k] = byte(x)
				carry = x >> 8
			}
		}
	}
	return out[:n]
}
