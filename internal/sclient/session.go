package sclient

import (
	"crypto/tls"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/tlskit/tlskit/internal/report"
)

// sessionPEMType labels crypto/tls's own resumption state in a -sess_out
// file. The file starts with openssl's "SSL SESSION PARAMETERS" block, so
// `openssl sess_id` and `openssl s_client -sess_in` read it; tlskit reads
// its own block back, or, failing that, openssl's (see goSessionFromOpenSSL).
const (
	sessionPEMType        = "TLSKIT SESSION PARAMETERS"
	opensslSessionPEMType = "SSL SESSION PARAMETERS"
)

// sessionMeta is what openssl records in a session beyond crypto/tls's state.
type sessionMeta struct {
	lifetime uint32 // ticket lifetime hint, seconds
	verify   int    // verification result
	sni      string
}

func writeSession(path string, cs *tls.ClientSessionState, meta sessionMeta) error {
	ticket, state, err := cs.ResumptionState()
	if err != nil || state == nil {
		return fmt.Errorf("cannot save the session to %q: no resumable session", path)
	}
	sb, err := state.Bytes()
	if err != nil {
		return fmt.Errorf("cannot save the session to %q: %v", path, err)
	}
	var out []byte
	if gs, err := parseGoSession(sb); err == nil {
		if der, err := gs.opensslDER(ticket, meta); err == nil {
			out = pem.EncodeToMemory(&pem.Block{Type: opensslSessionPEMType, Bytes: der})
		}
	}
	out = append(out, pem.EncodeToMemory(&pem.Block{Type: sessionPEMType, Bytes: append(lenPrefixed(ticket), sb...)})...)
	if err := os.WriteFile(path, out, 0o600); err != nil {
		return sessWriteError(path)
	}
	return nil
}

// sessWriteError is a -sess_out file that cannot be written (a
// directory, a full disk): openssl says so in its words, with no
// "s_client: " prefix, and carries on.
type sessWriteError string

func (e sessWriteError) Error() string { return "Error writing session file " + string(e) }

// reportSessionError prints a failure to save the session as openssl
// would.
func reportSessionError(w io.Writer, err error) {
	if e, ok := err.(sessWriteError); ok {
		fmt.Fprintln(w, e.Error())
		return
	}
	fmt.Fprintf(w, "s_client: %v\n", err)
}

func readSession(path string) (*tls.ClientSessionState, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read -sess_in file %q: %v", path, errors.Unwrap(err))
	}
	var foreign *pem.Block
	for rest := b; ; {
		var blk *pem.Block
		blk, rest = pem.Decode(rest)
		if blk == nil {
			break
		}
		switch blk.Type {
		case sessionPEMType:
			return decodeTLSKitSession(path, blk.Bytes)
		case opensslSessionPEMType:
			foreign = blk
		}
	}
	if foreign == nil {
		return nil, fmt.Errorf("-sess_in file %q holds no PEM session", path)
	}
	cs, err := goSessionFromOpenSSL(foreign.Bytes)
	if err != nil {
		return nil, fmt.Errorf("-sess_in file %q: cannot use openssl's session: %v", path, err)
	}
	return cs, nil
}

func decodeTLSKitSession(path string, d []byte) (*tls.ClientSessionState, error) {
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
// printed when it arrives: the ticket, its lifetime as the observer saw
// it, and its resumption PSK.
func fillTicket(rs *report.Session, cs *tls.ClientSessionState, lifetime uint32) {
	ticket, state, err := cs.ResumptionState()
	if err == nil {
		rs.Ticket = ticket
		rs.TicketLifetime = lifetime
		rs.ResumptionPSK = sessionSecret(state)
	}
}

// sessionSecret digs the secret out of a session's serialised form: the
// TLS 1.2 master secret or the TLS 1.3 resumption PSK. crypto/tls keeps it
// unexported, but SessionState.Bytes documents the layout: version(2)
// type(1) cipher_suite(2) created_at(8), then the secret with a one-byte
// length. nil if the layout is not as expected.
func sessionSecret(st *tls.SessionState) []byte {
	if st == nil {
		return nil
	}
	b, err := st.Bytes()
	if err != nil || len(b) < 14 {
		return nil
	}
	n := int(b[13])
	if len(b) < 14+n {
		return nil
	}
	return b[14 : 14+n]
}
