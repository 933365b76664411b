package engine

import (
	"crypto/x509"
	"sync"
)

// OwnServerMinVersion is the lowest version s_server's connections on
// the engine may allow: TLS 1.0 (server12.go), so it carries them all.
const OwnServerMinVersion = VersionTLS10

// SeamConn is a TLSConn whose State is taken once, when the handshake
// completes (only tickets change later, see Config.OnTicket), so that
// reading it (OwnState) never waits for a Read in progress.
type SeamConn struct {
	*TLSConn

	mu sync.Mutex
	st *State
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
