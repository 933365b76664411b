package engine

import (
	"context"
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"sync"
	"time"
)

// Own is tlskit's own engine behind the crypto/tls seam, for TLS 1.3-only
// client connections: Client runs the connection itself when the
// tls.Config asks for TLS 1.3 only (MinVersion TLS 1.3) and nothing it
// cannot do (GetClientCertificate, Renegotiation), and hands every other
// connection to crypto/tls. Servers still go to crypto/tls. It is not the
// Default: a command switches to it explicitly.
//
// Limits: ConnectionState().ExportKeyingMaterial must not be called on
// its connections (crypto/tls keeps that function unexported, so it is
// nil); use the connection's own ExportKeyingMaterial. ClientSessionCache
// is ignored: there is no resumption yet.
var Own Engine = ownTLS{}

type ownTLS struct{}

func (ownTLS) Client(c net.Conn, cfg *tls.Config) Conn {
	if !ownCanRun(cfg) {
		return tls.Client(c, cfg)
	}
	oc := &OwnConn{cfg: cfg}
	oc.TLSConn = Client(c, oc.config())
	return oc
}

func (ownTLS) Server(c net.Conn, cfg *tls.Config) Conn { return tls.Server(c, cfg) }

func ownCanRun(cfg *tls.Config) bool {
	return cfg != nil && cfg.MinVersion >= tls.VersionTLS13 &&
		(cfg.MaxVersion == 0 || cfg.MaxVersion >= tls.VersionTLS13) &&
		cfg.GetClientCertificate == nil && cfg.Renegotiation == tls.RenegotiateNever
}

// OwnConn is a TLSConn dressed as the seam's Conn.
type OwnConn struct {
	*TLSConn
	cfg *tls.Config

	mu       sync.Mutex
	peer     []*x509.Certificate
	verified [][]*x509.Certificate
}

// config translates the crypto/tls configuration into the engine's.
func (o *OwnConn) config() *Config {
	t := o.cfg
	c := &Config{ServerName: t.ServerName, ALPN: t.NextProtos, Rand: t.Rand, Time: t.Time}
	for _, g := range t.CurvePreferences {
		c.Groups = append(c.Groups, uint16(g))
	}
	if len(c.Groups) > 0 {
		c.KeyShares = c.Groups[:1]
	}
	for _, cert := range t.Certificates {
		if s, ok := cert.PrivateKey.(crypto.Signer); ok && len(cert.Certificate) > 0 {
			c.Identities = append(c.Identities, Identity{Chain: cert.Certificate, Key: s})
		}
	}
	if w := t.KeyLogWriter; w != nil {
		c.KeyLog = func(label string, random, secret []byte) {
			fmt.Fprintf(w, "%s %x %x\n", label, random, secret)
		}
	}
	c.VerifyPeer = o.verify
	return c
}

// verify does what crypto/tls does with a server's chain: verify it
// against RootCAs for ServerName unless InsecureSkipVerify, then call
// VerifyPeerCertificate and VerifyConnection.
func (o *OwnConn) verify(chain [][]byte, st *State) error {
	t := o.cfg
	var certs []*x509.Certificate
	for _, d := range chain {
		c, err := x509.ParseCertificate(d)
		if err != nil {
			return err
		}
		certs = append(certs, c)
	}
	var verified [][]*x509.Certificate
	if !t.InsecureSkipVerify {
		inter := x509.NewCertPool()
		for _, c := range certs[1:] {
			inter.AddCert(c)
		}
		now := time.Now()
		if t.Time != nil {
			now = t.Time()
		}
		var err error
		verified, err = certs[0].Verify(x509.VerifyOptions{Roots: t.RootCAs, Intermediates: inter, DNSName: t.ServerName, CurrentTime: now})
		if err != nil {
			return err
		}
	}
	o.mu.Lock()
	o.peer, o.verified = certs, verified
	o.mu.Unlock()
	if t.VerifyPeerCertificate != nil {
		if err := t.VerifyPeerCertificate(chain, verified); err != nil {
			return err
		}
	}
	if t.VerifyConnection != nil {
		return t.VerifyConnection(o.state(*st, false))
	}
	return nil
}

func (o *OwnConn) state(st State, complete bool) tls.ConnectionState {
	o.mu.Lock()
	defer o.mu.Unlock()
	return tls.ConnectionState{
		Version:            st.Version,
		HandshakeComplete:  complete,
		CipherSuite:        st.Suite,
		CurveID:            tls.CurveID(st.Group),
		NegotiatedProtocol: st.ALPN,
		//lint:ignore SA1019 crypto/tls always sets it; readers of the state may still look
		NegotiatedProtocolIsMutual: true,
		ServerName:                 o.cfg.ServerName,
		PeerCertificates:           o.peer,
		VerifiedChains:             o.verified,
		OCSPResponse:               st.OCSPResponse,
		HelloRetryRequest:          st.HelloRetry,
	}
}

// ConnectionState reports the connection in crypto/tls's terms (without
// an exporter: see Own).
func (o *OwnConn) ConnectionState() tls.ConnectionState {
	st := o.State()
	return o.state(st, st.HandshakeComplete)
}

// HandshakeContext runs the handshake, abandoning it when ctx ends.
func (o *OwnConn) HandshakeContext(ctx context.Context) error {
	if ctx.Done() == nil {
		return o.Handshake()
	}
	stop := context.AfterFunc(ctx, func() { o.conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	err := o.Handshake()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}
