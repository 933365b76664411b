package engine

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/tlskit/tlskit/internal/engine/alert"
	"github.com/tlskit/tlskit/internal/engine/kx"
	"github.com/tlskit/tlskit/internal/engine/msg"
)

// TestServerSNIAndStaple: a crypto/tls client naming the ServerNameHook's
// name gets the hook's certificate with the OCSPStaple hook's response
// stapled (CertificateStatus in TLS 1.2, the leaf's CertificateEntry in
// TLS 1.3); another name gets the Config's certificate after a warning
// the client rides out; a hook error ends the handshake with its alert.
func TestServerSNIAndStaple(t *testing.T) {
	ks := keysForTest(t)
	mainID, _ := testIdentity(t, ks["ecdsa-p256"])
	otherID, _ := testIdentity(t, ks["ecdsa-p384"])
	for _, v := range []uint16{VersionTLS12, VersionTLS13} {
		for _, c := range []struct {
			name     string
			sni      string
			fatal    bool
			wantLeaf []byte
			wantErr  string
		}{
			{name: "switch", sni: "other.example", wantLeaf: otherID.Chain[0]},
			{name: "mismatch warns", sni: "nope.example", wantLeaf: mainID.Chain[0]},
			{name: "mismatch fatal", sni: "nope.example", fatal: true, wantErr: "unrecognized name"},
		} {
			t.Run(map[uint16]string{VersionTLS12: "TLS1.2", VersionTLS13: "TLS1.3"}[v]+" "+c.name, func(t *testing.T) {
				var asked [][]byte
				var seen []string
				cfg := &Config{MinVersion: VersionTLS12, MaxVersion: VersionTLS13, Identities: []Identity{mainID},
					ServerNameHook: func(name string) (SNIAnswer, error) {
						seen = append(seen, name)
						if name == "other.example" {
							return SNIAnswer{Identities: []Identity{otherID}, Ack: true}, nil
						}
						if c.fatal {
							return SNIAnswer{}, alert.Faultf(alert.UnrecognizedName, "callback failed")
						}
						return SNIAnswer{Warn: true}, nil
					},
					OCSPStaple: func(chain [][]byte) ([]byte, error) {
						asked = append(asked, chain[0])
						return append([]byte("staple for "), chain[0][:8]...), nil
					},
				}
				addr, res := ownServer(t, cfg)
				gc := &tls.Config{InsecureSkipVerify: true, ServerName: c.sni, MinVersion: v, MaxVersion: v}
				cs, _, err := goClientEcho(t, addr, gc)
				r := <-res
				if c.wantErr != "" {
					if err == nil || !strings.Contains(err.Error(), c.wantErr) {
						t.Fatalf("client error %v, want %q", err, c.wantErr)
					}
					var ae *AlertError
					if !errors.As(r.err, &ae) || ae.Description != alert.UnrecognizedName || !ae.Sent {
						t.Fatalf("server error %v", r.err)
					}
					return
				}
				if err != nil || r.err != nil {
					t.Fatalf("client %v, server %v", err, r.err)
				}
				if cs.Version != v {
					t.Errorf("version %x", cs.Version)
				}
				if len(seen) != 1 || seen[0] != c.sni {
					t.Errorf("hook saw %q", seen)
				}
				if !bytes.Equal(cs.PeerCertificates[0].Raw, c.wantLeaf) {
					t.Errorf("wrong certificate: %s", cs.PeerCertificates[0].Subject)
				}
				want := append([]byte("staple for "), c.wantLeaf[:8]...)
				if !bytes.Equal(cs.OCSPResponse, want) || len(asked) != 1 {
					t.Errorf("staple %q (asked %d times), want %q", cs.OCSPResponse, len(asked), want)
				}
				if r.st.ServerName != c.sni {
					t.Errorf("server name %q", r.st.ServerName)
				}
			})
		}
	}
}

// TestCertificateHook: the hook's identities replace the Config's on a
// full handshake; it is asked once per ClientHello (twice after a
// HelloRetryRequest) and not at all when the session resumes; answering
// none fails the handshake with handshake_failure.
func TestCertificateHook(t *testing.T) {
	ks := keysForTest(t)
	mainID, _ := testIdentity(t, ks["ecdsa-p256"])
	otherID, otherGo := testIdentity(t, ks["ed25519"])
	leaf, _ := x509.ParseCertificate(otherGo.Certificate[0])
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	for _, v := range []uint16{VersionTLS12, VersionTLS13} {
		var asked []uint16
		cfg := &Config{MinVersion: VersionTLS12, MaxVersion: VersionTLS13, Identities: []Identity{mainID}, Groups: []uint16{kx.Secp256r1},
			CertificateHook: func(ch *msg.ClientHello, v uint16) ([]Identity, error) {
				asked = append(asked, v)
				return []Identity{otherID}, nil
			}}
		gc := &tls.Config{RootCAs: pool, ServerName: "localhost", MinVersion: v, MaxVersion: v,
			CurvePreferences: []tls.CurveID{tls.X25519, tls.CurveP256}, ClientSessionCache: tls.NewLRUClientSessionCache(4)}
		wantAsked := []uint16{v}
		if v == VersionTLS13 {
			wantAsked = []uint16{v, v} // the retry asks for P-256
		}
		for i, resumed := range []bool{false, true} {
			asked = nil
			addr, res := ownServer(t, cfg)
			cs, _, err := goClientEcho(t, addr, gc)
			r := <-res
			if err != nil || r.err != nil {
				t.Fatalf("%x %d: client %v, server %v", v, i, err, r.err)
			}
			if cs.DidResume != resumed {
				t.Fatalf("%x %d: resumed %v", v, i, cs.DidResume)
			}
			if !resumed && !bytes.Equal(cs.PeerCertificates[0].Raw, otherID.Chain[0]) {
				t.Errorf("%x: served %s, not the hook's", v, cs.PeerCertificates[0].Subject)
			}
			if want := wantAsked; resumed && len(asked) != 0 || !resumed && !slices.Equal(asked, want) {
				t.Errorf("%x %d: hook asked %x", v, i, asked)
			}
		}
		cfg.CertificateHook = func(*msg.ClientHello, uint16) ([]Identity, error) { return nil, nil }
		addr, res := ownServer(t, cfg)
		_, _, err := goClientEcho(t, addr, &tls.Config{InsecureSkipVerify: true, MinVersion: v, MaxVersion: v})
		var ae *AlertError
		if r := <-res; err == nil || !errors.As(r.err, &ae) || ae.Description != alert.HandshakeFailure {
			t.Errorf("%x: no identity: client %v, server %v", v, err, r.err)
		}
	}
}
