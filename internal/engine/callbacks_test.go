package engine

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/engine/alert"
	"github.com/tlskit/tlskit/internal/engine/kx"
	"github.com/tlskit/tlskit/internal/engine/msg"
	"github.com/tlskit/tlskit/internal/testpeer"
)

// TestClientCertificateHookLikeOpenSSL: a client whose certificate hook
// fails answers the CertificateRequest with internal_error, as openssl
// s_client 3.0 does when its certificate callback fails (-xchain_build of
// a chain it cannot build: "tls_prepare_client_certificate:callback
// failed", measured), in TLS 1.2 and 1.3: the own server receives the same
// alert from both clients, and the hook was asked once.
func TestClientCertificateHookLikeOpenSSL(t *testing.T) {
	pki := testpeer.NewPKI(t)
	openssl := testpeer.Need(t, "openssl")
	for _, v := range []struct {
		name    string
		version uint16
		flag    string
	}{{"TLS12", VersionTLS12, "-tls1_2"}, {"TLS13", VersionTLS13, "-tls1_3"}} {
		t.Run(v.name, func(t *testing.T) {
			scfg := &Config{Identities: []Identity{loadIdentity(t, pki.ECServer, pki.ECServerKey)},
				RequestClientCert: true, MinVersion: v.version, MaxVersion: v.version}
			addr, srv := ownServerMany(t, scfg)
			_, errOut, code := testpeer.Run(t, 20*time.Second, "", openssl, "s_client", "-connect", addr, v.flag,
				"-xcert", pki.Client, "-xkey", pki.ClientKey, "-xchain_build", "-CApath", t.TempDir(), "-CAfile", pki.SelfSigned)
			if code == 0 || !strings.Contains(errOut, "callback failed") {
				t.Fatalf("openssl s_client: exit %d\n%s", code, errOut)
			}
			asked := 0
			conn := dialOwn(t, addr, &Config{Identities: []Identity{loadIdentity(t, pki.Client, pki.ClientKey)},
				MinVersion: v.version, MaxVersion: v.version,
				ClientCertificateHook: func(*ClientCertRequest) ([]Identity, error) {
					asked++
					return nil, alert.Faultf(alert.InternalError, "callback failed")
				}})
			err := conn.Handshake()
			if err == nil {
				_, err = conn.Read(make([]byte, 1))
			}
			conn.Close()
			var ae *AlertError
			if !errors.As(err, &ae) || !ae.Sent || ae.Description != alert.InternalError || asked != 1 {
				t.Fatalf("own client: %v, hook asked %d times", err, asked)
			}
			_, errs := srv.results(2)
			for i, who := range []string{"openssl", "own"} {
				if len(errs) <= i || !errors.As(errs[i], &ae) || ae.Sent || ae.Description != alert.InternalError {
					t.Errorf("server, %s client: %v", who, errs)
				}
			}
		})
	}
}

// TestClientHelloHook: a server asks its ClientHello hook for each
// ClientHello, the one after a HelloRetryRequest too; the hook failing
// with handshake_failure, as an openssl client_hello_cb sets it, ends the
// handshake with that alert before any answer, which openssl s_client
// reports.
func TestClientHelloHook(t *testing.T) {
	pki := testpeer.NewPKI(t)
	openssl := testpeer.Need(t, "openssl")
	id := loadIdentity(t, pki.ECServer, pki.ECServerKey)
	var names []string
	scfg := &Config{Identities: []Identity{id}, Groups: []uint16{kx.Secp256r1},
		ClientHelloHook: func(ch *msg.ClientHello) error {
			d, _ := ch.Extensions.Find(msg.ExtServerName)
			name, _ := msg.ParseServerName(d)
			names = append(names, name)
			return nil
		}}
	addr, srv := ownServerMany(t, scfg)
	conn := dialOwn(t, addr, &Config{ServerName: "localhost", Groups: []uint16{kx.X25519, kx.Secp256r1}})
	err := conn.Handshake()
	st := conn.State()
	conn.Close()
	if _, errs := srv.results(1); err != nil || len(errs) != 1 || errs[0] != nil || !st.HelloRetry {
		t.Fatalf("client %v (retry %v), server %v", err, st.HelloRetry, errs)
	}
	if len(names) != 2 || names[0] != "localhost" || names[1] != "localhost" {
		t.Fatalf("hook saw %q", names)
	}

	scfg = &Config{Identities: []Identity{id}, ClientHelloHook: func(*msg.ClientHello) error {
		return alert.Faultf(alert.HandshakeFailure, "callback failed")
	}}
	addr, srv = ownServerMany(t, scfg)
	out, errOut, code := testpeer.Run(t, 20*time.Second, "", openssl, "s_client", "-connect", addr, "-msg")
	if code == 0 || !strings.Contains(errOut, "alert handshake failure") || strings.Contains(out, "ServerHello") {
		t.Fatalf("openssl s_client: exit %d\n%s\n%s", code, out, errOut)
	}
	var ae *AlertError
	if _, errs := srv.results(1); len(errs) != 1 || !errors.As(errs[0], &ae) || !ae.Sent || ae.Description != alert.HandshakeFailure {
		t.Fatalf("server: %v", errs)
	}
}
