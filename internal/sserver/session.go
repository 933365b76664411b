package sserver

import (
	"crypto/rand"
	"encoding/asn1"
	"encoding/pem"
	"io"
	"time"

	"github.com/tlskit/tlskit/internal/engine"
)

// serverSession is openssl's SSL_SESSION encoding (the ASN.1 behind "SSL
// SESSION PARAMETERS") with the fields openssl s_server's sessions fill.
type serverSession struct {
	Version      int
	SSLVersion   int
	Cipher       []byte
	SessionID    []byte
	MasterKey    []byte
	Time         int64         `asn1:"explicit,tag:1,optional"`
	Timeout      int64         `asn1:"explicit,tag:2,optional"`
	Peer         asn1.RawValue `asn1:"tag:3,optional"` // [3] EXPLICIT Certificate
	SIDCtx       []byte        `asn1:"explicit,tag:4"`
	VerifyResult int64         `asn1:"explicit,tag:5,optional"`
	Hostname     []byte        `asn1:"explicit,tag:6,optional"`
	PSKIdentity  []byte        `asn1:"explicit,tag:8,optional"`
	Flags        int64         `asn1:"explicit,tag:13,optional"`
	AgeAdd       int64         `asn1:"explicit,tag:14,optional"`
	MaxEarlyData int64         `asn1:"explicit,tag:15,optional"`
	ALPN         []byte        `asn1:"explicit,tag:16,optional"`
	KexGroup     int64         `asn1:"explicit,tag:19,optional"`
}

// sessionIDContext is s_server's SSL_CTX_set_session_id_context: the int
// 1 in the machine's (little-endian) byte order.
var sessionIDContext = []byte{1, 0, 0, 0}

// serverSessionTimeout is openssl's default session timeout, in seconds.
const serverSessionTimeout = 7200

// writeSession prints the connection's session as openssl s_server does
// once a client is connected: PEM "SSL SESSION PARAMETERS". In TLS 1.3 it
// is the session of the last ticket sent (its resumption PSK as master
// key, its ticket_age_add, a random session ID, as openssl makes one per
// ticket); in TLS 1.0–1.2 the master secret under the ServerHello's
// session ID (empty when a ticket was issued).
func (s *server) writeSession(w io.Writer, ci connInfo, st engine.State, now time.Time) {
	o := serverSession{
		Version: 1, SSLVersion: int(st.Version),
		Cipher:    []byte{byte(st.Suite >> 8), byte(st.Suite)},
		SessionID: append([]byte{}, st.SessionID...),
		MasterKey: st.MasterSecret,
		Time:      now.Unix(), Timeout: int64(sessionTimeout(st)),
		SIDCtx:   sessionIDContext,
		KexGroup: int64(st.Group),
	}
	if st.Version >= engine.VersionTLS13 {
		// No ticket (-num_tickets 0): openssl prints the session all
		// the same, with an empty session ID and master key.
		o.SessionID, o.MasterKey = nil, nil
		if len(st.SentTicketPSK) > 0 {
			o.MasterKey, o.AgeAdd = st.SentTicketPSK, int64(st.SentTicketAgeAdd)
			if s.c.engine != nil {
				o.MaxEarlyData = int64(s.c.engine.maxEarly) // what the tickets allow
			}
			o.SessionID = make([]byte, 32)
			if _, err := rand.Read(o.SessionID); err != nil {
				return
			}
		}
	} else {
		if st.ExtendedMasterSecret {
			o.Flags = 1 // SSL_SESS_FLAG_EXTMS
		}
		// A resumed session keeps the group of the handshake that made
		// it, as openssl's does.
		if st.Session12 != nil {
			o.KexGroup = int64(st.Session12.Group)
		}
		// A PSK suite's session keeps the client's identity (not the
		// hint), as openssl s_server's does.
		o.PSKIdentity = append([]byte(nil), psk12Identity(st)...)
	}
	if st.ALPN != "" {
		o.ALPN = []byte(st.ALPN)
	}
	if len(st.PeerChain) > 0 {
		o.Peer = asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 3, IsCompound: true, Bytes: st.PeerChain[0]}
		if ci.conn != nil {
			o.VerifyResult = int64(ci.conn.verifyCode)
		}
	}
	if ci.conn != nil && ci.conn.sniAcked {
		o.Hostname = []byte(ci.conn.sniSeen)
	}
	der, err := asn1.Marshal(o)
	if err != nil {
		return
	}
	w.Write(pem.EncodeToMemory(&pem.Block{Type: "SSL SESSION PARAMETERS", Bytes: der}))
}
