package sserver

import (
	"crypto/rand"
	"io"
	"time"

	"github.com/tlskit/tlskit/internal/engine"
	"github.com/tlskit/tlskit/internal/sessfile"
)

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
	o := sessfile.Session{
		Version: 1, SSLVersion: int(st.Version),
		SessionID: append([]byte{}, st.SessionID...),
		MasterKey: st.MasterSecret,
		Time:      now.Unix(), Timeout: int64(sessionTimeout(&st)),
		SIDCtx: sessionIDContext,
	}
	o.SetSuite(st.Suite)
	group := st.Group
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
			o.Flags = sessfile.FlagEMS
		}
		// A resumed session keeps the group of the handshake that made
		// it, as openssl's does.
		if st.Session12 != nil {
			group = st.Session12.Group
		}
		// A PSK suite's session keeps the client's identity (not the
		// hint), as openssl s_server's does.
		o.PSKIdentity = append([]byte(nil), psk12Identity(&st)...)
	}
	// kex_group is always there, 0 for a TLS 1.2 session with no group
	// (RSA or DHE key exchange, a PSK suite), as in openssl s_server's.
	o.SetKexGroup(group)
	o.SetALPN(st.ALPN)
	if len(st.PeerChain) > 0 {
		o.SetPeer(st.PeerChain[0])
		if ci.conn != nil {
			o.VerifyResult = int64(ci.conn.verifyCode)
		}
	}
	if ci.conn != nil && ci.conn.sniAcked {
		o.Hostname = []byte(ci.conn.sniSeen)
	}
	b, err := o.EncodePEM()
	if err != nil {
		return
	}
	w.Write(b)
}
