package engine

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"io"
	"testing"

	"github.com/tlskit/tlskit/internal/engine/suites"
)

// echo12 writes a line through conn and reads it back.
func echo12(t *testing.T, conn *TLSConn) {
	t.Helper()
	if _, err := conn.Write([]byte("ping\n")); err != nil {
		t.Fatal(err)
	}
	// crypto/tls splits TLS 1.0 CBC records 1/n-1: read the whole line.
	buf := make([]byte, 5)
	n, err := io.ReadFull(conn, buf)
	if err != nil || string(buf[:n]) != "ping\n" {
		t.Fatalf("echo: %q %v", buf[:n], err)
	}
}

// TestClient12AgainstCryptoTLS is the TLS 1.0–1.2 differential test:
// every suite crypto/tls has, at each version it allows, against the own
// client offering TLS 1.0–1.3 in one ClientHello; both sides must agree on
// version, suite and exporter output, with and without EMS.
func TestClient12AgainstCryptoTLS(t *testing.T) {
	ks := keysForTest(t)
	type tc struct {
		key     string
		suite   uint16
		version uint16
	}
	var cases []tc
	for _, s := range []uint16{
		suites.ECDHEECDSAAES128GCMSHA256, suites.ECDHEECDSAAES256GCMSHA384, suites.ECDHEECDSAChaCha20,
		suites.ECDHEECDSAAES128SHA, suites.ECDHEECDSAAES256SHA, suites.ECDHEECDSAAES128SHA256,
	} {
		cases = append(cases, tc{"ecdsa-p256", s, VersionTLS12})
	}
	for _, s := range []uint16{
		suites.ECDHERSAAES128GCMSHA256, suites.ECDHERSAAES256GCMSHA384, suites.ECDHERSAChaCha20,
		suites.ECDHERSAAES128SHA, suites.ECDHERSAAES256SHA, suites.ECDHERSAAES128SHA256,
		suites.RSAAES128GCMSHA256, suites.RSAAES256GCMSHA384, suites.RSAAES128SHA, suites.RSAAES256SHA, suites.RSAAES128SHA256,
	} {
		cases = append(cases, tc{"rsa2048", s, VersionTLS12})
	}
	for _, v := range []uint16{VersionTLS10, VersionTLS11} {
		cases = append(cases, tc{"rsa2048", suites.ECDHERSAAES128SHA, v}, tc{"ecdsa-p384", suites.ECDHEECDSAAES256SHA, v}, tc{"rsa2048", suites.RSAAES256SHA, v})
	}
	for _, c := range cases {
		s, _ := suites.Lookup12(c.suite)
		t.Run(fmt.Sprintf("%s-%x", s.Name, c.version), func(t *testing.T) {
			_, goCert := testIdentity(t, ks[c.key])
			scfg := &tls.Config{Certificates: []tls.Certificate{goCert}, MinVersion: tls.VersionTLS10,
				MaxVersion: c.version, CipherSuites: []uint16{c.suite}}
			addr, res := goServer(t, scfg)
			cfg := &Config{MinVersion: VersionTLS10, MaxVersion: VersionTLS13, ServerName: "localhost"}
			conn := dialOwn(t, addr, cfg)
			if err := conn.Handshake(); err != nil {
				t.Fatal(err)
			}
			echo12(t, conn)
			ekm, err := conn.ExportKeyingMaterial("EXPERIMENTAL tlskit", []byte("ctx"), 32)
			if err != nil {
				t.Fatal(err)
			}
			conn.CloseWrite()
			r := <-res
			if r.err != nil {
				t.Fatal("server:", r.err)
			}
			st := conn.State()
			if st.Version != r.st.Version || st.Version != c.version || st.Suite != r.st.CipherSuite || st.Suite != c.suite {
				t.Errorf("version/suite: own %x/%x, crypto/tls %x/%x", st.Version, st.Suite, r.st.Version, r.st.CipherSuite)
			}
			if !st.ExtendedMasterSecret {
				t.Error("no extended master secret")
			}
			if !bytes.Equal(ekm, r.ekm) {
				t.Errorf("exporter differs:\n own %x\n  go %x", ekm, r.ekm)
			}
		})
	}
}
