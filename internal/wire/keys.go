package wire

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/binary"
	"errors"
	"hash"

	"golang.org/x/crypto/chacha20poly1305"
)

// suiteParams describes how records of one cipher suite are protected.
type suiteParams struct {
	tls13   bool
	chacha  bool // ChaCha20-Poly1305 instead of AES
	aead    bool // GCM or ChaCha20-Poly1305; otherwise CBC with HMAC
	keyLen  int
	macLen  int              // CBC suites only
	macHash func() hash.Hash // CBC suites only
	prf     func() hash.Hash // TLS 1.2 PRF / TLS 1.3 HKDF hash
}

func lookupSuite(id uint16) (suiteParams, bool) {
	s256, s384 := sha256.New, sha512.New384
	switch id {
	case 0x1301:
		return suiteParams{tls13: true, aead: true, keyLen: 16, prf: s256}, true
	case 0x1302:
		return suiteParams{tls13: true, aead: true, keyLen: 32, prf: s384}, true
	case 0x1303:
		return suiteParams{tls13: true, aead: true, chacha: true, keyLen: 32, prf: s256}, true
	case 0x009c, 0x009e, 0xc02b, 0xc02f:
		return suiteParams{aead: true, keyLen: 16, prf: s256}, true
	case 0x009d, 0x009f, 0xc02c, 0xc030:
		return suiteParams{aead: true, keyLen: 32, prf: s384}, true
	case 0xcca8, 0xcca9, 0xccaa:
		return suiteParams{aead: true, chacha: true, keyLen: 32, prf: s256}, true
	case 0x002f, 0x0033, 0xc009, 0xc013:
		return suiteParams{keyLen: 16, macLen: 20, macHash: sha1.New, prf: s256}, true
	case 0x0035, 0x0039, 0xc00a, 0xc014:
		return suiteParams{keyLen: 32, macLen: 20, macHash: sha1.New, prf: s256}, true
	case 0x003c, 0x0067, 0xc023, 0xc027:
		return suiteParams{keyLen: 16, macLen: 32, macHash: s256, prf: s256}, true
	case 0x003d, 0x006b:
		return suiteParams{keyLen: 32, macLen: 32, macHash: s256, prf: s256}, true
	case 0xc024, 0xc028:
		return suiteParams{keyLen: 32, macLen: 48, macHash: s384, prf: s384}, true
	}
	return suiteParams{}, false
}

// recordKeys decrypts one direction's records in one epoch.
type recordKeys struct {
	p      suiteParams
	aead   cipher.AEAD
	block  cipher.Block // CBC suites
	iv     []byte       // TLS 1.3 / ChaCha: full nonce mask; GCM in TLS 1.2: 4-byte salt
	seq    uint64
	secret []byte // TLS 1.3 traffic secret, for KeyUpdate
}

// expandLabel is HKDF-Expand-Label of RFC 8446 section 7.1.
func expandLabel(h func() hash.Hash, secret []byte, label string, context []byte, n int) []byte {
	info := make([]byte, 0, 4+6+len(label)+len(context))
	info = binary.BigEndian.AppendUint16(info, uint16(n))
	info = append(info, byte(6+len(label)))
	info = append(info, "tls13 "...)
	info = append(info, label...)
	info = append(info, byte(len(context)))
	info = append(info, context...)
	out, err := hkdf.Expand(h, secret, string(info), n)
	if err != nil {
		return make([]byte, n) // unreachable for the lengths used here
	}
	return out
}

func newAEAD(p suiteParams, key []byte) (cipher.AEAD, error) {
	if p.chacha {
		return chacha20poly1305.New(key)
	}
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(b)
}

// keys13 derives the record protection keys from a TLS 1.3 traffic
// secret (RFC 8446 section 7.3).
func keys13(p suiteParams, secret []byte) (*recordKeys, error) {
	key := expandLabel(p.prf, secret, "key", nil, p.keyLen)
	iv := expandLabel(p.prf, secret, "iv", nil, 12)
	a, err := newAEAD(p, key)
	if err != nil {
		return nil, err
	}
	return &recordKeys{p: p, aead: a, iv: iv, secret: secret}, nil
}

// nextKeys13 follows a KeyUpdate: application_traffic_secret_N+1 is
// HKDF-Expand-Label(secret_N, "traffic upd", "", Hash.length)
// (RFC 8446 section 7.2).
func (k *recordKeys) nextKeys13() (*recordKeys, error) {
	n := k.p.prf().Size()
	return keys13(k.p, expandLabel(k.p.prf, k.secret, "traffic upd", nil, n))
}

// prf12 is the TLS 1.2 PRF, P_hash of RFC 5246 section 5.
func prf12(h func() hash.Hash, secret []byte, label string, seed []byte, n int) []byte {
	ls := append([]byte(label), seed...)
	out := make([]byte, 0, n+64)
	mac := hmac.New(h, secret)
	mac.Write(ls)
	a := mac.Sum(nil)
	for len(out) < n {
		mac.Reset()
		mac.Write(a)
		mac.Write(ls)
		out = mac.Sum(out)
		mac.Reset()
		mac.Write(a)
		a = mac.Sum(nil)
	}
	return out[:n]
}

// keys12 derives both directions' keys from a TLS 1.2 master secret
// (RFC 5246 section 6.3; RFC 5288 section 3; RFC 7905 section 2).
func keys12(p suiteParams, master, clientRandom, serverRandom []byte) (client, server *recordKeys, err error) {
	ivLen := 16
	switch {
	case p.chacha:
		ivLen = 12
	case p.aead:
		ivLen = 4
	}
	macLen := p.macLen
	if p.aead {
		macLen = 0
	}
	seed := append(append([]byte{}, serverRandom...), clientRandom...)
	kb := prf12(p.prf, master, "key expansion", seed, 2*(macLen+p.keyLen+ivLen))
	kb = kb[2*macLen:]
	ck, sk := kb[:p.keyLen], kb[p.keyLen:2*p.keyLen]
	kb = kb[2*p.keyLen:]
	civ, siv := kb[:ivLen], kb[ivLen:2*ivLen]
	mk := func(key, iv []byte) (*recordKeys, error) {
		k := &recordKeys{p: p, iv: iv}
		var err error
		if p.aead {
			k.aead, err = newAEAD(p, key)
		} else {
			k.block, err = aes.NewCipher(key)
		}
		return k, err
	}
	if client, err = mk(ck, civ); err != nil {
		return nil, nil, err
	}
	server, err = mk(sk, siv)
	return client, server, err
}

var errDecrypt = errors.New("wire: record does not decrypt")

// open removes record protection. hdr is the 5-byte record header; the
// result for TLS 1.3 still carries the inner content type and padding.
func (k *recordKeys) open(hdr, payload []byte) ([]byte, error) {
	seq := k.seq
	k.seq++
	var seqb [8]byte
	binary.BigEndian.PutUint64(seqb[:], seq)
	switch {
	case k.p.tls13, k.p.aead && k.p.chacha:
		// RFC 8446 section 5.3, RFC 7905 section 2: iv XOR padded seq.
		nonce := make([]byte, 12)
		copy(nonce, k.iv)
		for i := 0; i < 8; i++ {
			nonce[4+i] ^= seqb[i]
		}
		ad := hdr
		if !k.p.tls13 {
			if len(payload) < k.aead.Overhead() {
				return nil, errDecrypt
			}
			ad = aad12(seqb[:], hdr, len(payload)-k.aead.Overhead())
		}
		return k.aead.Open(nil, nonce, payload, ad)
	case k.p.aead:
		// RFC 5288 section 3: 4-byte salt plus 8-byte explicit nonce.
		if len(payload) < 8+k.aead.Overhead() {
			return nil, errDecrypt
		}
		nonce := append(append([]byte{}, k.iv...), payload[:8]...)
		ct := payload[8:]
		return k.aead.Open(nil, nonce, ct, aad12(seqb[:], hdr, len(ct)-k.aead.Overhead()))
	default:
		// RFC 5246 section 6.2.3.2: explicit IV, then MAC and padding
		// inside the ciphertext. The MAC is not checked: crypto/tls does.
		bs := k.block.BlockSize()
		if len(payload) < 2*bs || len(payload)%bs != 0 {
			return nil, errDecrypt
		}
		out := make([]byte, len(payload)-bs)
		cipher.NewCBCDecrypter(k.block, payload[:bs]).CryptBlocks(out, payload[bs:])
		pad := int(out[len(out)-1]) + 1
		if pad+k.p.macLen > len(out) {
			return nil, errDecrypt
		}
		return out[:len(out)-pad-k.p.macLen], nil
	}
}

func aad12(seq, hdr []byte, n int) []byte {
	ad := make([]byte, 0, 13)
	ad = append(ad, seq...)
	ad = append(ad, hdr[:3]...)
	return binary.BigEndian.AppendUint16(ad, uint16(n))
}
