package engine

import (
	"errors"
	"fmt"

	"github.com/tlskit/tlskit/internal/engine/alert"
	"github.com/tlskit/tlskit/internal/engine/msg"
)

// identities are the certificates a server chooses from: its
// ServerNameHook's, else the Config's.
func (c *TLSConn) identities() []Identity {
	if c.ids != nil {
		return c.ids
	}
	return c.cfg.Identities
}

// serverNameLocked reads the ClientHello's server_name (RFC 6066 §3) and
// asks the ServerNameHook about it, before the certificate is chosen for
// version v. A warning the hook asks for goes out now, ahead of a TLS
// 1.0–1.2 ServerHello.
func (c *TLSConn) serverNameLocked(ch *msg.ClientHello, v uint16) error {
	name := ""
	if d, ok := ch.Extensions.Find(msg.ExtServerName); ok {
		var err error
		if name, err = msg.ParseServerName(d); err != nil {
			return err
		}
	}
	c.st.ServerName = name
	c.ids, c.sniAck, c.noALPN, c.noDHParams = nil, false, false, false
	if c.cfg.ServerNameHook == nil {
		c.sniAck = name != "" && v >= VersionTLS13
		return nil
	}
	a, err := c.cfg.ServerNameHook(name)
	if err != nil {
		var f *alert.Fault
		var d alert.Desc
		if !errors.As(err, &f) && !errors.As(err, &d) {
			err = &alert.Fault{Desc: alert.UnrecognizedName, Reason: err.Error()}
		}
		return err
	}
	c.ids = a.Identities
	c.noALPN = a.NoALPN
	c.noDHParams = a.NoDHParams
	c.sniAck = a.Ack && name != ""
	if a.Warn && v < VersionTLS13 {
		// The version is chosen: the alert's event carries it, as
		// openssl's message callback labels the warning.
		c.rl.WriteVersion, c.st.Version = v, v
		return c.sendAlertLocked(alert.Warning, alert.UnrecognizedName)
	}
	return nil
}

// stapleFor is the OCSP response to send with chain: the OCSPStaple
// hook's answer when the client sent a well-formed status_request of type
// ocsp (RFC 6066 §8), else nil. A failing hook fails the handshake as
// openssl 3.0's s_server does when its -status_file cannot be read
// (measured: internal_error, "tls_handle_status_request:clienthello
// tlsext").
func (c *TLSConn) stapleFor(ch *msg.ClientHello, chain [][]byte) ([]byte, error) {
	if c.cfg.OCSPStaple == nil || len(chain) == 0 {
		return nil, nil
	}
	d, ok := ch.Extensions.Find(msg.ExtStatusRequest)
	if !ok {
		return nil, nil
	}
	if _, err := msg.ParseStatusRequest(d); err != nil {
		// Another status type, or a body we cannot read: no staple, as
		// OpenSSL ignores what it does not know.
		return nil, nil
	}
	staple, err := c.cfg.OCSPStaple(chain)
	if err != nil {
		f := alert.Faultf(alert.InternalError, "clienthello tlsext")
		f.Func = "tls_handle_status_request"
		// The cause is kept as text: an errno in it must not pass for
		// the connection's own failure.
		return nil, fmt.Errorf("%w: %v", f, err)
	}
	return staple, nil
}

// askCertificateHook asks Config.CertificateHook which identities the
// handshake of version v may use; its answer replaces the Config's and
// the ServerNameHook's.
func (c *TLSConn) askCertificateHook(ch *msg.ClientHello, v uint16) error {
	ids, err := c.cfg.CertificateHook(ch, v)
	if err != nil {
		return err
	}
	if ids == nil {
		ids = []Identity{}
	}
	c.ids = ids
	return nil
}
