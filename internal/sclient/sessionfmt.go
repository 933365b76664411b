package sclient

import (
	"crypto/tls"
	"encoding/asn1"
	"errors"
	"time"

	"golang.org/x/crypto/cryptobyte"
)

// goSession is the part of crypto/tls's serialised client session that
// openssl's session format also carries. The layout is the one
// tls.SessionState.Bytes documents (crypto/tls ticket.go).
type goSession struct {
	version, cipher uint16
	createdAt       uint64
	secret          []byte // TLS 1.2 master secret or TLS 1.3 resumption PSK
	ems             bool
	certs           [][]byte // the server's chain, leaf first
	useBy           uint64   // TLS 1.3: when the ticket expires
	ageAdd          uint32   // TLS 1.3: ticket_age_add
	curveID         uint16   // TLS <= 1.2: the key exchange group
}

var errSessionEncoding = errors.New("unexpected session encoding")

func parseGoSession(b []byte) (*goSession, error) {
	s := cryptobyte.String(b)
	gs := &goSession{}
	var typ, ems, early uint8
	var secret, extra, certList, chains cryptobyte.String
	if !s.ReadUint16(&gs.version) || !s.ReadUint8(&typ) || !s.ReadUint16(&gs.cipher) ||
		!s.ReadUint64(&gs.createdAt) || !s.ReadUint8LengthPrefixed(&secret) ||
		!s.ReadUint24LengthPrefixed(&extra) || !s.ReadUint8(&ems) || !s.ReadUint8(&early) ||
		!s.ReadUint24LengthPrefixed(&certList) || typ != 2 {
		return nil, errSessionEncoding
	}
	gs.secret, gs.ems = []byte(secret), ems == 1
	for !certList.Empty() {
		var cert, exts cryptobyte.String
		if !certList.ReadUint24LengthPrefixed(&cert) || !certList.ReadUint16LengthPrefixed(&exts) {
			return nil, errSessionEncoding
		}
		gs.certs = append(gs.certs, []byte(cert))
	}
	if !s.ReadUint24LengthPrefixed(&chains) {
		return nil, errSessionEncoding
	}
	if early == 1 {
		var alpn cryptobyte.String
		if !s.ReadUint8LengthPrefixed(&alpn) {
			return nil, errSessionEncoding
		}
	}
	if gs.version >= tls.VersionTLS13 {
		if !s.ReadUint64(&gs.useBy) || !s.ReadUint32(&gs.ageAdd) {
			return nil, errSessionEncoding
		}
	} else if !s.ReadUint16(&gs.curveID) {
		return nil, errSessionEncoding
	}
	return gs, nil
}

// bytes serialises gs as tls.ParseSessionState expects a client session:
// no extra data, no early data, no verified chains (s_client verifies
// itself, with InsecureSkipVerify set, so crypto/tls needs none).
func (gs *goSession) bytes() ([]byte, error) {
	var b cryptobyte.Builder
	b.AddUint16(gs.version)
	b.AddUint8(2) // client
	b.AddUint16(gs.cipher)
	b.AddUint64(gs.createdAt)
	b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(gs.secret) })
	b.AddUint24LengthPrefixed(func(*cryptobyte.Builder) {})
	if gs.ems {
		b.AddUint8(1)
	} else {
		b.AddUint8(0)
	}
	b.AddUint8(0) // no early data
	b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) {
		for _, c := range gs.certs {
			b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(c) })
			b.AddUint16(0) // no extensions
		}
	})
	b.AddUint24LengthPrefixed(func(*cryptobyte.Builder) {})
	if gs.version >= tls.VersionTLS13 {
		b.AddUint64(gs.useBy)
		b.AddUint32(gs.ageAdd)
	} else {
		b.AddUint16(gs.curveID)
	}
	return b.Bytes()
}

// opensslSession is openssl's SSL_SESSION encoding (the ASN.1 behind
// "SSL SESSION PARAMETERS"), as far as s_client's sessions use it.
type opensslSession struct {
	Version      int
	SSLVersion   int
	Cipher       []byte
	SessionID    []byte
	MasterKey    []byte
	KeyArg       asn1.RawValue `asn1:"tag:0,optional"`
	Time         int64         `asn1:"explicit,tag:1,optional"`
	Timeout      int64         `asn1:"explicit,tag:2,optional"`
	Peer         asn1.RawValue `asn1:"tag:3,optional"` // [3] EXPLICIT Certificate: the certificate is Peer.Bytes
	SIDCtx       []byte        `asn1:"explicit,tag:4,optional"`
	VerifyResult int64         `asn1:"explicit,tag:5,optional"`
	Hostname     []byte        `asn1:"explicit,tag:6,optional"`
	PSKHint      asn1.RawValue `asn1:"explicit,tag:7,optional"`
	PSKIdentity  asn1.RawValue `asn1:"explicit,tag:8,optional"`
	LifetimeHint int64         `asn1:"explicit,tag:9,optional"`
	Ticket       []byte        `asn1:"explicit,tag:10,optional"`
	CompID       asn1.RawValue `asn1:"explicit,tag:11,optional"`
	SRPUser      asn1.RawValue `asn1:"explicit,tag:12,optional"`
	Flags        int64         `asn1:"explicit,tag:13,optional"`
	AgeAdd       int64         `asn1:"explicit,tag:14,optional"`
	MaxEarlyData int64         `asn1:"explicit,tag:15,optional,default:0"`
	ALPN         asn1.RawValue `asn1:"explicit,tag:16,optional"`
	MaxFragLen   asn1.RawValue `asn1:"explicit,tag:17,optional"`
	AppData      asn1.RawValue `asn1:"explicit,tag:18,optional"`
	KexGroup     asn1.RawValue `asn1:"explicit,tag:19,optional"`
}

// flagEMS is openssl's session flag for an extended master secret.
const flagEMS = 1

func (gs *goSession) opensslDER(ticket []byte, meta sessionMeta) ([]byte, error) {
	if len(gs.certs) == 0 {
		return nil, errSessionEncoding
	}
	o := opensslSession{
		Version: 1, SSLVersion: int(gs.version),
		Cipher:    []byte{byte(gs.cipher >> 8), byte(gs.cipher)},
		SessionID: make([]byte, 32), // crypto/tls keeps none; zeros say "none"
		MasterKey: gs.secret, Time: int64(gs.createdAt), Timeout: 7200,
		Peer:         asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 3, IsCompound: true, Bytes: gs.certs[0]},
		SIDCtx:       []byte{},
		VerifyResult: int64(meta.verify),
		LifetimeHint: int64(meta.lifetime),
		Ticket:       ticket,
	}
	if meta.sni != "" {
		o.Hostname = []byte(meta.sni)
	}
	if gs.ems {
		o.Flags = flagEMS
	}
	if gs.version >= tls.VersionTLS13 {
		o.AgeAdd = int64(gs.ageAdd)
		if gs.useBy > gs.createdAt {
			o.Timeout = int64(gs.useBy - gs.createdAt)
		}
	}
	return asn1.Marshal(o)
}

// goSessionFromOpenSSL turns a session openssl wrote into one crypto/tls
// can resume. crypto/tls resumes only with a ticket, and keeps the
// server's leaf only (openssl saves no more).
func goSessionFromOpenSSL(der []byte) (*tls.ClientSessionState, error) {
	var o opensslSession
	if _, err := asn1.Unmarshal(der, &o); err != nil {
		return nil, err
	}
	if len(o.Cipher) != 2 || len(o.MasterKey) == 0 {
		return nil, errSessionEncoding
	}
	if len(o.Ticket) == 0 {
		return nil, errors.New("it has no session ticket, and crypto/tls resumes only with tickets")
	}
	if len(o.Peer.Bytes) == 0 {
		return nil, errors.New("it holds no server certificate")
	}
	gs := &goSession{
		version: uint16(o.SSLVersion), cipher: uint16(o.Cipher[0])<<8 | uint16(o.Cipher[1]),
		createdAt: uint64(o.Time), secret: o.MasterKey, ems: o.Flags&flagEMS != 0,
		certs: [][]byte{o.Peer.Bytes},
	}
	var group int
	if len(o.KexGroup.Bytes) > 0 && asn1Int(o.KexGroup, &group) {
		gs.curveID = uint16(group)
	}
	if gs.version >= tls.VersionTLS13 {
		gs.ageAdd = uint32(o.AgeAdd)
		life := o.LifetimeHint
		if life == 0 {
			life = o.Timeout
		}
		gs.useBy = uint64(o.Time + life)
		if gs.useBy < uint64(time.Now().Unix()) {
			return nil, errors.New("its ticket has expired")
		}
	}
	b, err := gs.bytes()
	if err != nil {
		return nil, err
	}
	st, err := tls.ParseSessionState(b)
	if err != nil {
		return nil, err
	}
	return tls.NewResumptionState(o.Ticket, st)
}

// asn1Int reads an explicitly tagged INTEGER held in a RawValue.
func asn1Int(rv asn1.RawValue, n *int) bool {
	_, err := asn1.Unmarshal(rv.Bytes, n)
	if err != nil {
		// the RawValue may hold the INTEGER itself rather than its wrapper
		_, err = asn1.Unmarshal(rv.FullBytes, n)
	}
	return err == nil
}
