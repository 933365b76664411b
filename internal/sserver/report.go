package sserver

import (
	"crypto/x509"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/tlskit/tlskit/internal/dn"
	"github.com/tlskit/tlskit/internal/engine"
	"github.com/tlskit/tlskit/internal/engine/sig"
	"github.com/tlskit/tlskit/internal/engine/suites"
	"github.com/tlskit/tlskit/internal/tlsnames"
	"github.com/tlskit/tlskit/internal/verify"
	"github.com/tlskit/tlskit/internal/wire"
)

// connInfo is what is known about one established connection.
type connInfo struct {
	state connState
	hello *wire.ClientHello // nil if the observer saw none
	conn  *trackedConn
	// noSigalgs leaves the client's signature algorithms out of the
	// report (a TLS 1.3 resumption), hello being shared, not a copy.
	noSigalgs bool
}

// connState is what the reports read of an established connection.
type connState struct {
	Version, CipherSuite, CurveID uint16
	NegotiatedProtocol            string
	DidResume                     bool
	// ExtendedMasterSecret: RFC 7627 in a TLS 1.0–1.2 connection.
	ExtendedMasterSecret bool
	PeerCertificates     []*x509.Certificate
	// SessionID and MasterSecret are the TLS 1.0–1.2 session's;
	// TicketPSK is the PSK of the last TLS 1.3 ticket sent.
	SessionID, MasterSecret, TicketPSK []byte
	// PSKIdentity is a TLS 1.0–1.2 PSK suite's client identity (kept
	// through resumption); nil otherwise, as openssl's server session
	// has one only then (and never a hint).
	PSKIdentity []byte
	// DHBits is a TLS 1.0–1.2 DHE suite's prime size; 0 for none.
	DHBits int
	// Timeout is the session's timeout in seconds.
	Timeout int
	// HelloRetry: the handshake had a HelloRetryRequest.
	HelloRetry bool
	// ExternalPSK: a TLS 1.3 handshake authenticated by a -psk key, not
	// a ticket (DidResume is set for both).
	ExternalPSK bool
	// FirstHelloResumed: after a HelloRetryRequest, the first
	// ClientHello's ticket was taken (engine.TicketFound).
	FirstHelloResumed bool
	// LocalChain is the chain the server sent (DER, leaf first): the
	// identity the engine chose; nil when it sent none.
	LocalChain [][]byte
}

// connStateOf is the engine's connection state for the reports.
func connStateOf(t *engine.SnapshotConn) connState {
	st := t.HandshakeStateRef()
	return connState{Version: st.Version, CipherSuite: st.Suite, CurveID: st.Group,
		NegotiatedProtocol: st.ALPN, DidResume: st.Resumed, ExtendedMasterSecret: st.ExtendedMasterSecret,
		PeerCertificates: engine.ParseChain(st.PeerChain),
		SessionID:        st.SessionID, MasterSecret: st.MasterSecret, TicketPSK: st.SentTicketPSK,
		PSKIdentity: psk12Identity(st), DHBits: st.DHBits, Timeout: sessionTimeout(st), HelloRetry: st.HelloRetry,
		ExternalPSK: st.ExternalPSK, FirstHelloResumed: st.FirstHelloTicket == engine.TicketFound,
		LocalChain: st.LocalChain}
}

// sessionTimeout is the timeout of the connection's session in seconds,
// as openssl's server prints it: the engine's session lifetime (304 s
// after an external TLS 1.3 PSK), else openssl's default.
func sessionTimeout(st *engine.State) int {
	if st.SessionLifetime > 0 {
		return int(st.SessionLifetime / time.Second)
	}
	return serverSessionTimeout
}

// psk12Identity is the identity of a TLS 1.0–1.2 PSK suite's session.
func psk12Identity(st *engine.State) []byte {
	if su, ok := suites.Lookup12(st.Suite); ok && su.Kx.PSK() && st.Version < engine.VersionTLS13 {
		return st.PSKIdentity
	}
	return nil
}

// isGREASE reports whether v is a GREASE value (RFC 8701 §2), which
// openssl's clients never send and its reports never show.
func isGREASE(v uint16) bool { return v&0x0f0f == 0x0a0a && v>>8 == v&0xff }

// sharedCipherNames lists the client's suites the server also enables, in
// the client's order, by OpenSSL name.
func (s *server) sharedCipherNames(h *wire.ClientHello) []string {
	if h == nil {
		return nil
	}
	s.www.once.Do(s.wwwStatic)
	ours := s.www.ours
	var names []string
	for _, id := range h.CipherSuites {
		if !ours[id] {
			continue
		}
		if c, ok := tlsnames.CipherByID(id); ok {
			names = append(names, c.Name)
		}
	}
	return names
}

// clientCipherNames lists every suite the client offered that has an
// OpenSSL name (including the renegotiation SCSV), for -brief.
func clientCipherNames(h *wire.ClientHello) []string {
	var names []string
	for _, id := range h.CipherSuites {
		if id == 0x00ff {
			names = append(names, "TLS_EMPTY_RENEGOTIATION_INFO_SCSV")
			continue
		}
		if c, ok := tlsnames.CipherByID(id); ok {
			names = append(names, c.Name)
		}
	}
	return names
}

// u16s is a list of code points as plain numbers.
func u16s[T ~uint16](xs []T) []uint16 {
	out := make([]uint16, len(xs))
	for i, x := range xs {
		out[i] = uint16(x)
	}
	return out
}

func noGREASE[T ~uint16](xs []T) []T {
	return slices.DeleteFunc(slices.Clone(xs), func(x T) bool { return isGREASE(uint16(x)) })
}

// sharedSigalgs is openssl s_server's shared list: the client's schemes
// (in its order) that the server's list has, -sigalgs or openssl's
// default (with SHA-224 and DSA, and SHA-1 at security level 0), less DSA
// in TLS 1.3.
func (s *server) sharedSigalgs(offered []uint16, version uint16) []uint16 {
	ours := s.c.engine.tp.Sigalgs
	if ours == nil {
		ours = sig.DefaultClient12
		if s.c.secLevel == 0 {
			ours = sig.DefaultClient12SHA1
		}
	}
	return slices.DeleteFunc(slices.Clone(offered), func(x uint16) bool {
		a, _ := tlsnames.SigalgByScheme(x)
		return !slices.Contains(ours, x) || (version == engine.VersionTLS13 && a.Sig == "DSA")
	})
}

func (s *server) ourGroups() []uint16 {
	if len(s.c.groups) > 0 {
		return s.c.groups
	}
	// The engine's defaults, openssl's (x448 included).
	return engine.DefaultGroups
}

func groupList[T ~uint16](gs []T) string {
	names := make([]string, len(gs))
	for i, g := range gs {
		names[i] = tlsnames.GroupName(uint16(g))
	}
	return strings.Join(names, ":")
}

// clientGroupList names the client's groups as openssl 3.0 prints its
// "Supported groups" line: a group it does not know (the ML-KEM hybrids,
// an unassigned codepoint) has no name, and printf shows "<NULL>".
func clientGroupList(gs []uint16) string {
	names := make([]string, len(gs))
	for i, id := range gs {
		names[i] = "<NULL>"
		if g, ok := tlsnames.GroupByID(id); ok && g.InOpenSSL {
			names[i] = g.Name
		}
	}
	return strings.Join(names, ":")
}

// writeSigalgsAndGroups prints the "Signature Algorithms", "Shared
// Signature Algorithms", point format and group lines. brief prints only
// the client's lists, as openssl's -brief does; points is whether the
// TLS 1.2 point formats line belongs (not on the -www page).
func (s *server) writeSigalgsAndGroups(w io.Writer, ci connInfo, brief, points bool) {
	h := ci.hello
	if h == nil {
		return
	}
	var offered []uint16
	if !ci.noSigalgs && ci.state.Version >= engine.VersionTLS12 {
		// Below TLS 1.2 openssl keeps no signature algorithms of the
		// client's, even offered (measured: s_server -tls1_1 and a
		// client offering TLS 1.3 print neither line).
		offered = u16s(noGREASE(h.SignatureSchemes))
	}
	if len(offered) > 0 {
		fmt.Fprintf(w, "Signature Algorithms: %s\n", tlsnames.SigalgList(offered))
		if !brief {
			shared := s.sharedSigalgs(offered, ci.state.Version)
			if len(shared) > 0 {
				fmt.Fprintf(w, "Shared Signature Algorithms: %s\n", tlsnames.SigalgList(shared))
			}
		}
	}
	if !brief && len(ci.state.PeerCertificates) > 0 && ci.conn != nil {
		if sch := ci.conn.peerSigScheme(); sch != 0 {
			if d := tlsnames.SigalgDigest(sch); d != "" {
				fmt.Fprintf(w, "Peer signing digest: %s\n", d)
			}
			if ty := tlsnames.SigalgType(sch); ty != "" {
				fmt.Fprintf(w, "Peer signature type: %s\n", ty)
			}
		}
	}
	if brief {
		s.writePeerCert(w, ci)
	}
	if points && ci.state.Version < engine.VersionTLS13 && len(h.ECPointFormats) > 0 {
		fmt.Fprintf(w, "Supported Elliptic Curve Point Formats: %s\n", tlsnames.PointFormats(h.ECPointFormats))
	}
	groups := u16s(noGREASE(h.SupportedGroups))
	if len(groups) > 0 {
		fmt.Fprintf(w, "Supported groups: %s\n", clientGroupList(groups))
		if !brief {
			ours := s.ourGroups()
			if ci.state.Version < engine.VersionTLS13 {
				// openssl 3.0's FFDHE groups are TLS 1.3's alone: a
				// TLS 1.0-1.2 connection shares none of them.
				ours = slices.DeleteFunc(slices.Clone(ours), func(g uint16) bool {
					grp, ok := tlsnames.GroupByID(g)
					return ok && grp.Kind == "DH"
				})
			}
			var shared []uint16
			if s.c.serverPref {
				for _, g := range ours {
					if slices.Contains(groups, g) {
						shared = append(shared, g)
					}
				}
			} else {
				for _, g := range groups {
					if slices.Contains(ours, g) {
						shared = append(shared, g)
					}
				}
			}
			if len(shared) > 0 {
				fmt.Fprintf(w, "Shared groups: %s\n", groupList(shared))
			} else {
				fmt.Fprintln(w, "Shared groups: NONE")
			}
		}
	}
}

// writePeerCert is -brief's line about the client certificate.
func (s *server) writePeerCert(w io.Writer, ci connInfo) {
	if len(ci.state.PeerCertificates) == 0 {
		fmt.Fprintln(w, "No peer certificate")
		return
	}
	fmt.Fprintf(w, "Peer certificate: %s\n", dn.Format(ci.state.PeerCertificates[0].RawSubject, s.nameopt))
	if ci.conn != nil {
		if sch := ci.conn.peerSigScheme(); sch != 0 {
			if d := tlsnames.SigalgDigest(sch); d != "" {
				fmt.Fprintf(w, "Hash used: %s\n", d)
			}
			if ty := tlsnames.SigalgType(sch); ty != "" {
				fmt.Fprintf(w, "Signature type: %s\n", ty)
			}
		}
	}
	if code := ci.conn.verifyCode; code == 0 {
		fmt.Fprintln(w, "Verification: OK")
	} else {
		fmt.Fprintf(w, "Verification error: %s\n", verify.ErrorString(code))
	}
}

func cipherName(id uint16) string {
	if c, ok := tlsnames.CipherByID(id); ok {
		return c.Name
	}
	return fmt.Sprintf("0x%04X", id)
}

// secureRenegotiation reports whether the client signalled RFC 5746
// support, as openssl's line reports it: by the SCSV, or in TLS 1.0–1.2
// by the renegotiation_info extension (which TLS 1.3 ignores).
func secureRenegotiation(ci connInfo) bool {
	h := ci.hello
	if h == nil {
		return false
	}
	return slices.Contains(h.CipherSuites, 0x00ff) || (ci.state.Version < engine.VersionTLS13 && h.RenegotiationInfo)
}

// writeConnReport prints what openssl's interactive s_server prints once a
// client is connected.
//
// A resumed connection has no new lists to report: openssl prints no
// shared ciphers, signature algorithms or groups for a TLS 1.0–1.2
// resumption, no signature algorithms for a TLS 1.3 one, and says
// "Reused session-id" after the cipher (observed with openssl s_client
// -sess_in at TLS 1.2, with and without -no_ticket, and TLS 1.3).
func (s *server) writeConnReport(w io.Writer, ci connInfo, st engine.State) {
	s.writeSession(w, ci, st, time.Now())
	s.writeClientCert(w, ci.state.PeerCertificates)
	resumed, tls13 := ci.state.DidResume, ci.state.Version >= engine.VersionTLS13
	if !resumed || tls13 {
		if names := s.sharedCipherNames(ci.hello); len(names) > 0 {
			fmt.Fprintf(w, "Shared ciphers:%s\n", strings.Join(names, ":"))
		}
	}
	switch {
	case !resumed:
		s.writeSigalgsAndGroups(w, ci, false, true)
	case tls13 && ci.hello != nil:
		ci.noSigalgs = true
		s.writeSigalgsAndGroups(w, ci, false, true)
	}
	fmt.Fprintf(w, "CIPHER is %s\n", cipherName(ci.state.CipherSuite))
	if resumed {
		fmt.Fprintln(w, "Reused session-id")
	}
	if secureRenegotiation(ci) {
		fmt.Fprintln(w, "Secure Renegotiation IS supported")
	} else {
		fmt.Fprintln(w, "Secure Renegotiation IS NOT supported")
	}
	s.writeKeymat(w, ci)
}

// writeKeymat prints the -keymatexport block (RFC 5705 / RFC 8446 §7.5).
func (s *server) writeKeymat(w io.Writer, ci connInfo) {
	if s.c.keymatLabel == "" {
		return
	}
	fmt.Fprintln(w, "Keying material exporter:")
	fmt.Fprintf(w, "    Label: '%s'\n", s.c.keymatLabel)
	fmt.Fprintf(w, "    Length: %d bytes\n", s.c.keymatLen)
	if ci.conn == nil || ci.conn.export == nil {
		fmt.Fprintln(w, "    Error")
		return
	}
	km, err := ci.conn.export(s.c.keymatLabel, nil, s.c.keymatLen)
	if err != nil {
		fmt.Fprintln(w, "    Error")
		return
	}
	fmt.Fprintf(w, "    Keying material: %X\n", km)
}

// writeBrief prints -brief's summary (stderr), which -rev also prints.
func (s *server) writeBrief(w io.Writer, ci connInfo) {
	fmt.Fprintf(w, "Protocol version: %s\n", tlsnames.VersionName(ci.state.Version))
	if ci.hello != nil {
		if names := clientCipherNames(ci.hello); len(names) > 0 {
			fmt.Fprintf(w, "Client cipher list: %s\n", strings.Join(names, ":"))
		}
	}
	fmt.Fprintf(w, "Ciphersuite: %s\n", cipherName(ci.state.CipherSuite))
	s.writeSigalgsAndGroups(w, ci, true, true)
	if ci.state.NegotiatedProtocol != "" {
		fmt.Fprintf(w, "ALPN protocol: %s\n", ci.state.NegotiatedProtocol)
	}
}
