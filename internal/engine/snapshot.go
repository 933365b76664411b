package engine

import "sync"

// ServerMinVersion is the lowest version the engine serves: TLS 1.0
// (server12.go).
const ServerMinVersion = VersionTLS10

// SnapshotConn is a TLSConn whose State is taken once, when the
// handshake completes (only tickets change later, see Config.OnTicket),
// so that reading it (HandshakeState) never waits for a Read in progress.
type SnapshotConn struct {
	*TLSConn

	mu sync.Mutex
	st *State
}

// WithSnapshot wraps t.
func WithSnapshot(t *TLSConn) *SnapshotConn { return &SnapshotConn{TLSConn: t} }

// Handshake runs the handshake and takes the connection's state.
func (s *SnapshotConn) Handshake() error {
	err := s.TLSConn.Handshake()
	if err == nil {
		s.snapshot()
	}
	return err
}

func (s *SnapshotConn) snapshot() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st != nil {
		return
	}
	st := s.TLSConn.State()
	s.st = &st
}

// HandshakeState is the State as the handshake left it (before the
// handshake completes: as far as it went).
func (s *SnapshotConn) HandshakeState() State {
	return *s.HandshakeStateRef()
}

// HandshakeStateRef is HandshakeState without the copy: the snapshot
// itself, which its reader must not change. A connection's per-connection
// code reads a few fields through it with no State (about 600 bytes) in
// its frames: copied there, it was what made a server connection's
// goroutine outgrow its stack (runtime.morestack after the handshake).
func (s *SnapshotConn) HandshakeStateRef() *State {
	s.mu.Lock()
	st := s.st
	s.mu.Unlock()
	if st != nil {
		return st
	}
	return s.current()
}

// current is the state so far on the heap, apart from HandshakeStateRef
// so that the copy is not in its frame.
//
//go:noinline
func (s *SnapshotConn) current() *State {
	cur := s.TLSConn.State()
	return &cur
}
