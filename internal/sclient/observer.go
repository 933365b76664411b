package sclient

import (
	"crypto/tls"
	"io"
	"net"
	"slices"
	"sync/atomic"

	"github.com/tlskit/tlskit/internal/report"
	"github.com/tlskit/tlskit/internal/tlsnames"
	"github.com/tlskit/tlskit/internal/transport"
	"github.com/tlskit/tlskit/internal/wire"
)

// observer watches the connection under crypto/tls through the wire
// package: it prints -msg/-trace/-debug/-state/-tlsextdebug output and
// learns what crypto/tls does not tell (peer signature algorithm,
// CertificateRequest, renegotiation_info, byte counts, tickets).
type observer struct {
	w   *wire.Observer
	eof *transport.EOFWatch // the transport under TLS
	// ticketLifetime is the lifetime of the last TLS 1.3 ticket seen:
	// crypto/tls does not expose it.
	ticketLifetime atomic.Uint32
}

func newObserver(c *client, s *settings) *observer {
	o := wire.Options{Client: true, MaxVersion: s.tls.MaxVersion}
	if s.keyLog != nil {
		// A -keylogfile that cannot be written (a full disk) must not fail
		// the handshake: openssl goes on and exits 0.
		o.KeyLog = ignoreWriteErrors{s.keyLog}
	}
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
	ob := &observer{w: wire.New(o)}
	ob.w.OnNewSessionTicket(func(t wire.NewSessionTicket) { ob.ticketLifetime.Store(t.Lifetime) })
	return ob
}

func (o *observer) wrap(c net.Conn) net.Conn {
	o.eof = transport.NewEOFWatch(c)
	return o.w.Wrap(o.eof)
}

// keyLogWriter returns the writer for tls.Config.KeyLogWriter: the
// observer needs the secrets to decrypt TLS 1.3 handshake messages, and
// forwards them to the user's -keylogfile.
func (o *observer) keyLogWriter() io.Writer { return o.w.KeyLogWriter() }

// closeNotified reports whether the peer ended with close_notify rather
// than by just closing the transport.
func (o *observer) closeNotified() bool { return o.eof == nil || !o.eof.TransportEnded() }

// fill adds what the observer learned to the report.
func (o *observer) fill(rs *report.Session, st tls.ConnectionState) {
	sum := o.w.Summary()
	rs.BytesRead, rs.BytesWritten = sum.HandshakeBytesRead, sum.HandshakeBytesWritten
	if !sum.HandshakeDone {
		rs.BytesRead, rs.BytesWritten = sum.BytesRead, sum.BytesWritten
	}
	if sum.PeerSigScheme != 0 {
		sch := sum.PeerSigScheme
		rs.PeerSigDigest = tlsnames.SigalgDigest(sch)
		rs.PeerSigType = tlsnames.SigalgType(sch)
	}
	if sum.ServerTempKeyGroup != 0 {
		rs.TempKey = tlsnames.TempKeyString(sum.ServerTempKeyGroup)
	}
	if st.HandshakeComplete && st.Version != tls.VersionTLS13 {
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
		req.SharedSigAlgs = tlsnames.SigalgList(sharedSigalgs(ss))
		rs.CertRequest = req
	}
	if len(sum.Ticket) > 0 {
		rs.Ticket, rs.TicketLifetime = sum.Ticket, sum.TicketLifetimeHint
	}
	rs.SessionID = sum.SessionID
	if st.Version != tls.VersionTLS13 {
		rs.PointFormats = pointFormats(sum.ServerExtensions)
	}
	rs.MasterKey = o.w.MasterSecret()
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

// sharedSigalgs keeps the requested schemes crypto/tls can sign with.
func sharedSigalgs(req []uint16) []uint16 {
	var out []uint16
	for _, s := range req {
		if slices.Contains(tlsnames.GoSignatureSchemes, s) {
			out = append(out, s)
		}
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

// ignoreWriteErrors drops its writer's errors, as openssl's file BIOs do
// for the key log.
type ignoreWriteErrors struct{ w io.Writer }

func (i ignoreWriteErrors) Write(p []byte) (int, error) {
	i.w.Write(p)
	return len(p), nil
}
