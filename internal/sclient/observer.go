package sclient

import (
	"net"
	"slices"

	"github.com/tlskit/tlskit/internal/engine"
	"github.com/tlskit/tlskit/internal/engine/sig"
	"github.com/tlskit/tlskit/internal/report"
	"github.com/tlskit/tlskit/internal/tlsnames"
	"github.com/tlskit/tlskit/internal/transport"
	"github.com/tlskit/tlskit/internal/wire"
)

// observer watches the connection through the wire package, which
// prints the engine's events as -msg/-trace/-debug/-state/-tlsextdebug
// output and sums up what the report needs (peer signature algorithm,
// CertificateRequest, renegotiation_info, byte counts, tickets).
type observer struct {
	w   *wire.Observer
	eof *transport.EOFWatch // the transport under TLS
	// sigalgs are the schemes this client signs with, for the shared
	// list of a CertificateRequest.
	sigalgs []uint16
	// failRead is what openssl would have read when the handshake
	// failed (-1 before it did).
	failRead int64
	// preRead and preWritten are the bytes of the STARTTLS dialogue
	// before the handshake, which openssl's byte counts include.
	preRead, preWritten int64
}

func newObserver(c *client, s *settings) *observer {
	o := wire.Options{Client: true, MaxVersion: s.engine.hi}
	if s.msg {
		o.Msg = s.msgOut
	}
	if s.trace {
		o.Trace = s.msgOut
	}
	if s.debug {
		o.Debug = c.out
	}
	if s.state {
		o.State = c.errw
	}
	if s.extDebug {
		o.TLSExtDebug = c.info
	}
	ob := &observer{w: wire.New(o), sigalgs: s.engine.tp.ClientSigalgs, failRead: -1}
	if ob.sigalgs == nil {
		ob.sigalgs = s.engine.tp.Sigalgs
	}
	if ob.sigalgs == nil {
		ob.sigalgs = sig.DefaultClient12
		if s.secLevel <= 0 {
			ob.sigalgs = sig.DefaultClient12SHA1
		}
	}
	return ob
}

func (o *observer) wrap(c net.Conn) net.Conn {
	o.eof = transport.NewEOFWatch(c)
	return o.w.Wrap(o.eof)
}

// closeNotified reports whether the peer ended with close_notify rather
// than by just closing the transport.
func (o *observer) closeNotified() bool { return o.eof == nil || !o.eof.TransportEnded() }

// transferred is everything read and written so far, the STARTTLS
// dialogue included, as openssl's byte counts after the handshake.
func (o *observer) transferred() (read, written int64) {
	sum := o.w.Summary()
	return sum.BytesRead + o.preRead, sum.BytesWritten + o.preWritten
}

// fill adds what the observer learned to the report.
func (o *observer) fill(rs *report.Session, st engine.State) {
	sum := o.w.Summary()
	rs.BytesRead, rs.BytesWritten = sum.HandshakeBytesRead, sum.HandshakeBytesWritten
	if !sum.HandshakeDone {
		rs.BytesRead, rs.BytesWritten = sum.BytesRead, sum.BytesWritten
		if o.failRead >= 0 && o.failRead < rs.BytesRead {
			rs.BytesRead = o.failRead
		}
	}
	rs.BytesRead += o.preRead
	rs.BytesWritten += o.preWritten
	if sum.PeerSigScheme != 0 {
		sch := sum.PeerSigScheme
		rs.PeerSigDigest = tlsnames.SigalgDigest(sch)
		rs.PeerSigType = tlsnames.SigalgType(sch)
	}
	if sum.ServerTempKeyGroup != 0 {
		rs.TempKey = tlsnames.TempKeyString(sum.ServerTempKeyGroup)
	}
	if st.HandshakeComplete && st.Version != engine.VersionTLS13 {
		rs.SecureReneg = sum.SecureRenegotiation
		rs.EMS = sum.ExtendedMasterSecret
	}
	if cr := sum.CertificateRequest; cr != nil {
		req := &report.CertRequest{CANames: cr.CANames}
		for _, t := range cr.CertTypes {
			req.CertTypes = append(req.CertTypes, certTypeName(t))
		}
		ss := cr.SigAlgs
		req.SigAlgs = tlsnames.SigalgList(ss)
		tls13 := st.Version == engine.VersionTLS13 || sum.Version == engine.VersionTLS13
		req.SharedSigAlgs = tlsnames.SigalgList(sharedSigalgs(ss, o.sigalgs, tls13))
		rs.CertRequest = req
	}
	if len(sum.Ticket) > 0 {
		rs.Ticket, rs.TicketLifetime = sum.Ticket, sum.TicketLifetimeHint
	}
	rs.SessionID = sum.SessionID
	if st.Version != engine.VersionTLS13 {
		rs.PointFormats = pointFormats(sum.ServerExtensions)
	}
}

// pointFormats words the server's ec_point_formats extension (RFC 8422
// 5.2) as openssl's -brief does; "" when the server sent none.
func pointFormats(exts []wire.Ext) string {
	for _, e := range exts {
		if e.Type != 11 || len(e.Data) < 1 {
			continue
		}
		n := int(e.Data[0])
		if n > len(e.Data)-1 {
			n = len(e.Data) - 1
		}
		return tlsnames.PointFormats(e.Data[1 : 1+n])
	}
	return ""
}

// sharedSigalgs keeps the requested schemes the client signs with, in
// the server's order; in TLS 1.3 not those it forbids in
// CertificateVerify (SHA-1, SHA-224, DSA), as openssl leaves them out.
func sharedSigalgs(req, ours []uint16, tls13 bool) []uint16 {
	var out []uint16
	for _, s := range req {
		if !slices.Contains(ours, s) {
			continue
		}
		if a, ok := tlsnames.SigalgByScheme(s); tls13 && ok && (a.Sig == "DSA" || a.Hash == "SHA1" || a.Hash == "SHA224") {
			continue
		}
		out = append(out, s)
	}
	return out
}

// certTypeName is openssl's wording of a TLS 1.2 ClientCertificateType.
func certTypeName(t byte) string {
	switch t {
	case 1:
		return "RSA sign"
	case 2:
		return "DSA sign"
	case 3:
		return "RSA fixed DH"
	case 4:
		return "DSS fixed DH"
	case 64:
		return "ECDSA sign"
	case 65:
		return "RSA fixed ECDH"
	case 66:
		return "ECDSA fixed ECDH"
	}
	return "UNKNOWN"
}
