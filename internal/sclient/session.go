package sclient

import (
	"crypto/tls"
	"encoding/pem"
	"fmt"
	"os"

	"github.com/tlskit/tlskit/internal/report"
)

// sessionPEMType labels tlskit's saved sessions. openssl's "SSL SESSION
// PARAMETERS" cannot be produced from what crypto/tls exposes (it needs the
// master secret of TLS 1.3 sessions), so -sess_out writes crypto/tls's own
// resumption state, which only tlskit reads back.
const sessionPEMType = "TLSKIT SESSION PARAMETERS"

func writeSession(path string, cs *tls.ClientSessionState) error {
	ticket, state, err := cs.ResumptionState()
	if err != nil || state == nil {
		return fmt.Errorf("cannot save the session to %q: no resumable session", path)
	}
	sb, err := state.Bytes()
	if err != nil {
		return fmt.Errorf("cannot save the session to %q: %v", path, err)
	}
	blk := &pem.Block{Type: sessionPEMType, Bytes: append(lenPrefixed(ticket), sb...)}
	if err := os.WriteFile(path, pem.EncodeToMemory(blk), 0o600); err != nil {
		return fmt.Errorf("cannot write the session to %q: %v", path, err)
	}
	return nil
}

func readSession(path string) (*tls.ClientSessionState, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read -sess_in file %q: %v", path, err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		return nil, fmt.Errorf("-sess_in file %q holds no PEM session", path)
	}
	if blk.Type != sessionPEMType {
		return nil, fmt.Errorf("-sess_in file %q holds a %q block; tlskit reads only sessions it wrote (%s)", path, blk.Type, sessionPEMType)
	}
	d := blk.Bytes
	if len(d) < 4 {
		return nil, fmt.Errorf("-sess_in file %q is truncated", path)
	}
	n := int(d[0])<<24 | int(d[1])<<16 | int(d[2])<<8 | int(d[3])
	if n > len(d)-4 {
		return nil, fmt.Errorf("-sess_in file %q is truncated", path)
	}
	ticket, rest := d[4:4+n], d[4+n:]
	state, err := tls.ParseSessionState(rest)
	if err != nil {
		return nil, fmt.Errorf("-sess_in file %q: malformed session: %v", path, err)
	}
	return tls.NewResumptionState(ticket, state)
}

func lenPrefixed(b []byte) []byte {
	n := len(b)
	return append([]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}, b...)
}

// fillTicket puts a TLS 1.3 ticket into the report, for the session block
// printed when it arrives.
func fillTicket(rs *report.Session, cs *tls.ClientSessionState) {
	ticket, _, err := cs.ResumptionState()
	if err == nil {
		rs.Ticket = ticket
	}
}
