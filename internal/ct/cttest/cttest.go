// Package cttest makes Certificate Transparency fixtures for tests: a
// test log's SCTs over a certificate (RFC 6962 §3.2), the log list file
// openssl's -ctlogfile reads, and serverinfo files carrying them.
package cttest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/binary"
	"encoding/pem"
	"fmt"
	"time"

	"github.com/tlskit/tlskit/internal/ct"
)

// Log is a test CT log: an ECDSA P-256 key.
type Log struct {
	Key  *ecdsa.PrivateKey
	SPKI []byte
	ID   [32]byte
}

// NewLog makes a log with a fresh key.
func NewLog() *Log {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	spki, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		panic(err)
	}
	return &Log{Key: k, SPKI: spki, ID: sha256.Sum256(spki)}
}

// SCT is the log's serialized SCT over cert (x509_entry) at t.
func (l *Log) SCT(cert []byte, t time.Time) []byte {
	s := ct.SCT{Version: ct.Version1, LogID: l.ID, Timestamp: uint64(t.UnixMilli()), HashAlg: 4, SigAlg: 3}
	h := sha256.Sum256(s.SignedX509(cert))
	sig, err := ecdsa.SignASN1(rand.Reader, l.Key, h[:])
	if err != nil {
		panic(err)
	}
	s.Signature = sig
	return s.Marshal()
}

// PrecertSCT is the log's serialized SCT over a precertificate
// (precert_entry) at t: its issuer's SubjectPublicKeyInfo and the
// TBSCertificate without the SCT list extension.
func (l *Log) PrecertSCT(issuerSPKI, tbs []byte, t time.Time) []byte {
	s := ct.SCT{Version: ct.Version1, LogID: l.ID, Timestamp: uint64(t.UnixMilli()), HashAlg: 4, SigAlg: 3}
	h := sha256.Sum256(s.SignedPrecert(sha256.Sum256(issuerSPKI), tbs))
	sig, err := ecdsa.SignASN1(rand.Reader, l.Key, h[:])
	if err != nil {
		panic(err)
	}
	s.Signature = sig
	return s.Marshal()
}

// LogListEntry is a section of openssl's CT log list file (ct_log_list.cnf)
// for the log, under name; LogList makes the whole file.
func (l *Log) LogListEntry(name, description string) string {
	return fmt.Sprintf("[%s]\ndescription = %s\nkey = %s\n", name, description, base64.StdEncoding.EncodeToString(l.SPKI))
}

// LogList is a log list file enabling the given sections.
func LogList(names []string, sections ...string) string {
	s := "enabled_logs = "
	for i, n := range names {
		if i > 0 {
			s += ","
		}
		s += n
	}
	s += "\n\n"
	for _, x := range sections {
		s += x + "\n"
	}
	return s
}

// ServerInfoPEM is a serverinfo PEM block of one extension: version 1
// when context is zero, else version 2 with that context.
func ServerInfoPEM(context uint32, typ uint16, data []byte) []byte {
	var b []byte
	name := "SERVERINFO FOR TEST"
	if context != 0 {
		b = binary.BigEndian.AppendUint32(b, context)
		name = "SERVERINFOV2 FOR TEST"
	}
	b = binary.BigEndian.AppendUint16(b, typ)
	b = binary.BigEndian.AppendUint16(b, uint16(len(data)))
	b = append(b, data...)
	return pem.EncodeToMemory(&pem.Block{Type: name, Bytes: b})
}
