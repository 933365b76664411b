// Package keys derives TLS secrets: the TLS 1.3 key schedule (RFC 8446
// §7), the TLS 1.2 PRF with its master secrets (RFC 5246 §5, RFC 7627) and
// the exporters (RFC 8446 §7.5, RFC 5705). It knows hashes and labels,
// nothing of messages or records.
package keys

import (
	"crypto"
	"errors"
	"hash"
	"sync"

	// The hashes TLS suites use, linked so crypto.Hash.New works.
	_ "crypto/sha256"
	_ "crypto/sha512"
)

// ExpandLabel is HKDF-Expand-Label (RFC 8446 §7.1) with the "tls13 "
// prefix.
func ExpandLabel(h crypto.Hash, secret []byte, label string, context []byte, length int) []byte {
	m := getMAC(h)
	m.setKey(secret)
	out := m.expandLabel(nil, label, context, length)
	m.put()
	return out
}

// DeriveSecret is Derive-Secret (RFC 8446 §7.1): transcriptHash is the
// hash of the messages so far, computed by the caller.
func DeriveSecret(h crypto.Hash, secret []byte, label string, transcriptHash []byte) []byte {
	return ExpandLabel(h, secret, label, transcriptHash, h.Size())
}

// extract is HKDF-Extract (RFC 5869 §2.2); a nil ikm is zeros of the
// hash's length.
func extract(h crypto.Hash, ikm, salt []byte) []byte {
	m := getMAC(h)
	if ikm == nil {
		ikm = zeros[:m.size]
	}
	m.setKey(salt)
	m.d.Write(ikm)
	out := m.sum(make([]byte, 0, m.size))
	m.put()
	return out
}

// emptyHashes are the hashes of the empty string, worked out once per
// hash function.
var emptyHashes sync.Map // crypto.Hash -> []byte

func emptyHash(h crypto.Hash) []byte {
	if v, ok := emptyHashes.Load(h); ok {
		return v.([]byte)
	}
	sum := h.New().Sum(nil)
	emptyHashes.Store(h, sum)
	return sum
}

// Schedule walks RFC 8446 §7.1's key schedule for one connection: Early
// Secret, then Handshake Secret once the (EC)DHE secret is known, then
// Master Secret. The traffic secrets hang off each stage.
type Schedule struct {
	h         crypto.Hash
	early     []byte
	handshake []byte
	master    []byte
}

// derive is Derive-Secret from a stage's secret.
func (s *Schedule) derive(secret []byte, label string, th []byte) []byte {
	return ExpandLabel(s.h, secret, label, th, s.h.Size())
}

// NewSchedule starts the schedule with a PSK, or with none (nil: zeros of
// the hash length, RFC 8446 §7.1).
func NewSchedule(h crypto.Hash, psk []byte) *Schedule {
	return &Schedule{h: h, early: extract(h, psk, nil)}
}

// Hash is the schedule's hash.
func (s *Schedule) Hash() crypto.Hash { return s.h }

// EarlySecret returns the Early Secret.
func (s *Schedule) EarlySecret() []byte { return s.early }

// BinderKey returns binder_key, "ext binder" for external PSKs and "res
// binder" for resumption (RFC 8446 §7.1).
func (s *Schedule) BinderKey(external bool) []byte {
	label := "res binder"
	if external {
		label = "ext binder"
	}
	return s.derive(s.early, label, emptyHash(s.h))
}

// ClientEarlyTrafficSecret is client_early_traffic_secret over the
// ClientHello's hash.
func (s *Schedule) ClientEarlyTrafficSecret(th []byte) []byte {
	return s.derive(s.early, "c e traffic", th)
}

// EarlyExporterMasterSecret is early_exporter_master_secret.
func (s *Schedule) EarlyExporterMasterSecret(th []byte) []byte {
	return s.derive(s.early, "e exp master", th)
}

// SetShared mixes in the (EC)DHE shared secret, nil for psk_ke, and
// computes the Handshake Secret.
func (s *Schedule) SetShared(shared []byte) {
	salt := s.derive(s.early, "derived", emptyHash(s.h))
	s.handshake = extract(s.h, shared, salt)
	salt = s.derive(s.handshake, "derived", emptyHash(s.h))
	s.master = extract(s.h, nil, salt)
}

// HandshakeSecret returns the Handshake Secret (after SetShared).
func (s *Schedule) HandshakeSecret() []byte { return s.handshake }

// MasterSecret returns the Master Secret (after SetShared).
func (s *Schedule) MasterSecret() []byte { return s.master }

// ClientHandshakeTrafficSecret over the hash of ClientHello…ServerHello.
func (s *Schedule) ClientHandshakeTrafficSecret(th []byte) []byte {
	return s.derive(s.handshake, "c hs traffic", th)
}

// ServerHandshakeTrafficSecret over the hash of ClientHello…ServerHello.
func (s *Schedule) ServerHandshakeTrafficSecret(th []byte) []byte {
	return s.derive(s.handshake, "s hs traffic", th)
}

// ClientAppTrafficSecret over the hash of ClientHello…server Finished.
func (s *Schedule) ClientAppTrafficSecret(th []byte) []byte {
	return s.derive(s.master, "c ap traffic", th)
}

// ServerAppTrafficSecret over the hash of ClientHello…server Finished.
func (s *Schedule) ServerAppTrafficSecret(th []byte) []byte {
	return s.derive(s.master, "s ap traffic", th)
}

// ExporterMasterSecret over the hash of ClientHello…server Finished.
func (s *Schedule) ExporterMasterSecret(th []byte) []byte {
	return s.derive(s.master, "exp master", th)
}

// ResumptionMasterSecret over the hash of ClientHello…client Finished.
func (s *Schedule) ResumptionMasterSecret(th []byte) []byte {
	return s.derive(s.master, "res master", th)
}

// TrafficKey derives the record key and IV from a traffic secret (RFC 8446
// §7.3).
func TrafficKey(h crypto.Hash, secret []byte, keyLen, ivLen int) (key, iv []byte) {
	m := getMAC(h)
	m.setKey(secret)
	key, iv = m.expandLabel(nil, "key", nil, keyLen), m.expandLabel(nil, "iv", nil, ivLen)
	m.put()
	return key, iv
}

// NextTrafficSecret is application_traffic_secret_N+1 (RFC 8446 §7.2).
func NextTrafficSecret(h crypto.Hash, secret []byte) []byte {
	return ExpandLabel(h, secret, "traffic upd", nil, h.Size())
}

// FinishedMAC is a Finished message's verify_data (RFC 8446 §4.4.4): HMAC
// with finished_key derived from baseKey over the transcript hash.
// Compare it with crypto/subtle, never bytes.Equal.
func FinishedMAC(h crypto.Hash, baseKey, transcriptHash []byte) []byte {
	m := getMAC(h)
	m.setKey(baseKey)
	m.setKey(m.expandLabel(m.key[:0], "finished", nil, m.size))
	m.d.Write(transcriptHash)
	out := m.sum(make([]byte, 0, m.size))
	m.put()
	return out
}

// ResumptionPSK is the PSK a NewSessionTicket's nonce names (RFC 8446
// §4.6.1).
func ResumptionPSK(h crypto.Hash, resumptionMaster, nonce []byte) []byte {
	return ExpandLabel(h, resumptionMaster, "resumption", nonce, h.Size())
}

// Export13 is the TLS 1.3 exporter (RFC 8446 §7.5). A nil context and an
// empty one give the same output in TLS 1.3.
func Export13(h crypto.Hash, exporterMaster []byte, label string, context []byte, length int) []byte {
	m := getMAC(h)
	m.setKey(exporterMaster)
	secret := m.expandLabel(m.key[:0], label, emptyHash(h), m.size)
	m.setKey(secret)
	// The context's hash goes where HKDF-Expand-Label reads its context
	// from before it uses the digest.
	m.d.Reset()
	m.d.Write(context)
	out := m.expandLabel(nil, "exporter", m.d.Sum(m.inner[:0]), length)
	m.put()
	return out
}

// Transcript is a running transcript hash (RFC 8446 §4.4.1).
type Transcript struct {
	h crypto.Hash
	d hash.Hash
}

// NewTranscript starts an empty transcript.
func NewTranscript(h crypto.Hash) *Transcript { return &Transcript{h: h, d: h.New()} }

// Write adds a whole handshake message, header included.
func (t *Transcript) Write(p []byte) { t.d.Write(p) }

// Sum returns the hash of everything written so far.
func (t *Transcript) Sum() []byte { return t.d.Sum(nil) }

// Clone returns an independent copy of the transcript so far: each TLS
// 1.3 post-handshake authentication extends the handshake's transcript
// through the client Finished on its own (RFC 8446 §4.4.1).
func (t *Transcript) Clone() (*Transcript, error) {
	c, ok := t.d.(hash.Cloner)
	if !ok {
		return nil, errors.ErrUnsupported
	}
	d, err := c.Clone()
	if err != nil {
		return nil, err
	}
	return &Transcript{h: t.h, d: d}, nil
}

// RestartAfterHRR replaces the transcript by message_hash(Hash(ClientHello1))
// (RFC 8446 §4.4.1), given the first ClientHello's whole message.
func RestartAfterHRR(h crypto.Hash, clientHello1 []byte) *Transcript {
	d := h.New()
	d.Write(clientHello1)
	sum := d.Sum(nil)
	t := NewTranscript(h)
	t.Write([]byte{254, 0, 0, byte(len(sum))})
	t.Write(sum)
	return t
}
