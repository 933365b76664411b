package engine

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"sync"
	"time"
)

// OwnMinVersion is the lowest protocol version the own engine carried
// when it spoke TLS 1.3 only (OwnCarries); both commands now use their
// own switch (OwnClientCarries, OwnServerCarries) and carry TLS 1.0–1.3.
const OwnMinVersion = VersionTLS13

// OwnServerMinVersion is OwnMinVersion for s_server, whose own engine
// speaks TLS 1.0–1.3 (server12.go), so it carries every connection.
const OwnServerMinVersion = VersionTLS10

// OwnServerCarries is OwnCarries for s_server.
func OwnServerCarries(lo, hi uint16, tls13Only bool) bool {
	return hi >= OwnServerMinVersion && (lo >= OwnServerMinVersion || (tls13Only && hi >= VersionTLS13))
}

// OwnCarries reports whether the own engine carries a connection whose
// enabled versions are lo–hi; tls13Only says options were given that only
// matter in TLS 1.3, for which it carries the connection offering TLS 1.3
// alone when the range includes it.
func OwnCarries(lo, hi uint16, tls13Only bool) bool {
	return hi >= OwnMinVersion && (lo >= OwnMinVersion || (tls13Only && hi >= VersionTLS13))
}

// OwnClientMinVersion is OwnMinVersion for client connections: the own
// engine's TLS 1.0–1.2 client carries every client connection.
const OwnClientMinVersion = VersionTLS10

// OwnClientCarries is OwnCarries for a client connection.
func OwnClientCarries(lo, hi uint16) bool { return hi >= OwnClientMinVersion && lo <= hi }

// SeamConn is a TLSConn dressed as the seam's Conn, for command code that
// still reads crypto/tls's ConnectionState. Its state is taken once the
// handshake completes (only tickets change later, see Config.OnTicket),
// so ConnectionState never waits for a Read in progress.
type SeamConn struct {
	*TLSConn

	mu   sync.Mutex
	st   *State
	peer []*x509.Certificate
}

// Seam wraps t.
func Seam(t *TLSConn) *SeamConn { return &SeamConn{TLSConn: t} }

// Handshake runs the handshake and takes the connection's state.
func (s *SeamConn) Handshake() error {
	err := s.TLSConn.Handshake()
	if err == nil {
		s.snapshot()
	}
	return err
}

func (s *SeamConn) snapshot() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st != nil {
		return
	}
	st := s.TLSConn.State()
	s.st = &st
	s.peer = ParseChain(st.PeerChain)
}

// HandshakeContext runs the handshake, abandoning it when ctx ends.
func (s *SeamConn) HandshakeContext(ctx context.Context) error {
	if ctx.Done() == nil {
		return s.Handshake()
	}
	stop := context.AfterFunc(ctx, func() { s.conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	err := s.Handshake()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// OwnState is the engine's State as the handshake left it (before the
// handshake completes: as far as it went).
func (s *SeamConn) OwnState() State {
	s.mu.Lock()
	st := s.st
	s.mu.Unlock()
	if st != nil {
		return *st
	}
	return s.TLSConn.State()
}

// ConnectionState reports the connection in crypto/tls's terms, without
// an exporter (use ExportKeyingMaterial).
func (s *SeamConn) ConnectionState() tls.ConnectionState {
	st := s.OwnState()
	s.mu.Lock()
	peer := s.peer
	s.mu.Unlock()
	if peer == nil {
		peer = ParseChain(st.PeerChain)
	}
	return ConnectionStateOf(st, peer)
}

// ConnectionStateOf translates a State into crypto/tls's terms, with the
// peer's chain already parsed.
func ConnectionStateOf(st State, peer []*x509.Certificate) tls.ConnectionState {
	return tls.ConnectionState{
		Version:            st.Version,
		HandshakeComplete:  st.HandshakeComplete,
		DidResume:          st.Resumed,
		CipherSuite:        st.Suite,
		CurveID:            tls.CurveID(st.Group),
		NegotiatedProtocol: st.ALPN,
		//lint:ignore SA1019 crypto/tls always sets it; readers of the state may still look
		NegotiatedProtocolIsMutual: true,
		ServerName:                 st.ServerName,
		PeerCertificates:           peer,
		OCSPResponse:               st.OCSPResponse,
		HelloRetryRequest:          st.HelloRetry,
	}
}

// ParseChain parses a DER chain, stopping at the first certificate Go
// cannot parse.
func ParseChain(chain [][]byte) []*x509.Certificate {
	var out []*x509.Certificate
	for _, d := range chain {
		c, err := x509.ParseCertificate(d)
		if err != nil {
			break
		}
		out = append(out, c)
	}
	return out
}

// TLSAlert reports the alert's description and whether this side sent it
// (sslerr's Alerter).
func (e *AlertError) TLSAlert() (description uint8, sent bool) {
	return uint8(e.Description), e.Sent
}

// SSLReason is OpenSSL's reason text for the fault behind a sent alert,
// when the engine knows it.
func (e *AlertError) SSLReason() string { return e.Reason }
