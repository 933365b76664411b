package engine

import (
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/engine/alert"
	"github.com/tlskit/tlskit/internal/testpeer"
)

// TestServerRefusesUseSRTPAsOpenSSL: openssl 3.0 takes use_srtp (RFC
// 5764) for DTLS only, and its server refuses a TLS ClientHello that
// carries it with illegal_parameter, "bad extension", whether or not
// s_server has -use_srtp; the engine's server does the same. openssl
// s_client -use_srtp offers it at TLS 1.2 and 1.3, against openssl
// s_server first, then against the engine.
func TestServerRefusesUseSRTPAsOpenSSL(t *testing.T) {
	prog := testpeer.Need(t, "openssl")
	pki := testpeer.NewPKI(t)
	id, _ := testIdentity(t, keysForTest(t)["rsa2048"])
	for _, v := range []string{"-tls1_2", "-tls1_3"} {
		clientArgs := func(addr string) []string {
			return []string{"s_client", "-connect", addr, v, "-use_srtp", "SRTP_AES128_CM_SHA1_80"}
		}
		srv := testpeer.OpenSSLServer(t, "-naccept", "1", "-cert", pki.Server, "-key", pki.ServerKey)
		_, stderr, _ := testpeer.Run(t, 10*time.Second, "", prog, clientArgs(srv.Addr)...)
		if !strings.Contains(stderr, "alert illegal parameter") {
			t.Fatalf("%s: openssl s_server: %s", v, stderr)
		}

		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		errc := make(chan error, 1)
		go func() {
			nc, err := ln.Accept()
			if err != nil {
				errc <- err
				return
			}
			defer nc.Close()
			nc.SetDeadline(time.Now().Add(10 * time.Second))
			errc <- Server(nc, &Config{Identities: []Identity{id}, MinVersion: VersionTLS12}).Handshake()
		}()
		_, stderr, _ = testpeer.Run(t, 10*time.Second, "", prog, clientArgs(ln.Addr().String())...)
		ln.Close()
		err = <-errc
		var f *alert.Fault
		if !errors.As(err, &f) || f.Desc != alert.IllegalParameter || f.Reason != "bad extension" {
			t.Fatalf("%s: engine server: %v", v, err)
		}
		if !strings.Contains(stderr, "alert illegal parameter") {
			t.Fatalf("%s: openssl s_client against the engine: %s", v, stderr)
		}
	}
}
