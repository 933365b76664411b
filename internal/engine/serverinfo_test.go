package engine

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"slices"
	"testing"
)

// sctListOf makes a SignedCertificateTimestampList (RFC 6962 §3.3) of the
// given serialized SCTs; the bytes need not be real SCTs here.
func sctListOf(scts ...[]byte) []byte {
	var inner []byte
	for _, s := range scts {
		inner = append(inner, byte(len(s)>>8), byte(len(s)))
		inner = append(inner, s...)
	}
	return append([]byte{byte(len(inner) >> 8), byte(len(inner))}, inner...)
}

// TestServerInfoToCryptoTLS: a crypto/tls client (which always asks for
// SCTs) gets a serverinfo signed_certificate_timestamp in the TLS 1.2
// ServerHello and, when the context allows, the TLS 1.3 leaf's
// CertificateEntry; a version 1 entry is TLS 1.0–1.2 only, as OpenSSL's.
func TestServerInfoToCryptoTLS(t *testing.T) {
	ks := keysForTest(t)
	sct1, sct2 := []byte("first sct"), []byte("second sct, longer")
	list := sctListOf(sct1, sct2)
	v2 := ExtContextClientHello | ExtContextTLS12ServerHello | ExtContextTLS13Certificate
	for _, c := range []struct {
		name    string
		ctx     uint32
		version uint16
		want    bool
	}{
		{"v1 TLS 1.2", ServerInfoV1Context, tls.VersionTLS12, true},
		{"v1 TLS 1.3", ServerInfoV1Context, tls.VersionTLS13, false},
		{"v2 TLS 1.2", v2, tls.VersionTLS12, true},
		{"v2 TLS 1.3", v2, tls.VersionTLS13, true},
		{"v2 TLS 1.3 only, at 1.2", v2 | ExtContextTLS13Only, tls.VersionTLS12, false},
		{"v2 no ClientHello bit", v2 &^ ExtContextClientHello, tls.VersionTLS13, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			id, goCert := testIdentity(t, ks["ecdsa-p256"])
			id.ServerInfo = []ServerInfo{{Context: c.ctx, Type: 18, Data: list}}
			cfg := &Config{Identities: []Identity{id}, MinVersion: VersionTLS12, MaxVersion: VersionTLS13}
			addr, res := ownServer(t, cfg)
			pool := x509.NewCertPool()
			leaf, _ := x509.ParseCertificate(goCert.Certificate[0])
			pool.AddCert(leaf)
			gc := &tls.Config{RootCAs: pool, ServerName: "localhost", MinVersion: c.version, MaxVersion: c.version}
			cs, _, err := goClientEcho(t, addr, gc)
			if err != nil {
				t.Fatal(err)
			}
			if r := <-res; r.err != nil {
				t.Fatal("server:", r.err)
			}
			got := cs.SignedCertificateTimestamps
			var want [][]byte
			if c.want {
				want = [][]byte{sct1, sct2}
			}
			if !slices.EqualFunc(got, want, bytes.Equal) {
				t.Errorf("crypto/tls saw SCTs %q, want %q", got, want)
			}
		})
	}
}

// TestServerInfoOnlyWhenAsked: an extension the client did not send is
// not answered (a crypto/tls client would refuse it), and one it sent
// comes first in EncryptedExtensions.
func TestServerInfoOnlyWhenAsked(t *testing.T) {
	ks := keysForTest(t)
	id, _ := testIdentity(t, ks["ecdsa-p256"])
	ee := ExtContextClientHello | ExtContextTLS13EncryptedExtensions | ExtContextTLS12ServerHello
	id.ServerInfo = []ServerInfo{{Context: ee, Type: 1000, Data: []byte("asked")},
		{Context: ee, Type: 1001, Data: []byte("not asked")}}
	for _, v := range []uint16{VersionTLS12, VersionTLS13} {
		addr, res := ownServer(t, &Config{Identities: []Identity{id}, MinVersion: VersionTLS12, MaxVersion: VersionTLS13})
		var got [][]byte
		cfg := &Config{MinVersion: v, MaxVersion: v, CustomExtensions: []uint16{1000},
			OnCustomExtension: func(typ uint16, d []byte) { got = append(got, append([]byte{byte(typ >> 8), byte(typ)}, d...)) }}
		conn := dialOwn(t, addr, cfg)
		if err := conn.Handshake(); err != nil {
			t.Fatalf("%x: %v", v, err)
		}
		conn.Write([]byte("x\n"))
		if _, err := bufio.NewReader(conn).ReadString('\n'); err != nil {
			t.Fatal(err)
		}
		if r := <-res; r.err != nil {
			t.Fatal("server:", r.err)
		}
		want := [][]byte{append([]byte{0x03, 0xe8}, "asked"...)}
		if !slices.EqualFunc(got, want, bytes.Equal) {
			t.Errorf("%x: client saw %q, want %q", v, got, want)
		}
	}
}

// TestRequestSCTFromCryptoTLS: the own client asks with RequestSCT and
// keeps a crypto/tls server's list, TLS 1.2 and 1.3; without it the
// server sends none.
func TestRequestSCTFromCryptoTLS(t *testing.T) {
	ks := keysForTest(t)
	for _, v := range []uint16{VersionTLS12, VersionTLS13} {
		for _, ask := range []bool{true, false} {
			_, goCert := testIdentity(t, ks["ecdsa-p256"])
			goCert.SignedCertificateTimestamps = [][]byte{[]byte("sct one"), []byte("sct two")}
			addr, res := goServer(t, &tls.Config{Certificates: []tls.Certificate{goCert}})
			conn := dialOwn(t, addr, &Config{MinVersion: v, MaxVersion: v, RequestSCT: ask})
			if err := conn.Handshake(); err != nil {
				t.Fatal(err)
			}
			conn.Write([]byte("ping\n"))
			buf := make([]byte, 8)
			if _, err := conn.Read(buf); err != nil {
				t.Fatal(err)
			}
			conn.CloseWrite()
			if r := <-res; r.err != nil {
				t.Fatal("server:", r.err)
			}
			var want []byte
			if ask {
				want = sctListOf([]byte("sct one"), []byte("sct two"))
			}
			if got := conn.State().SCTList; !bytes.Equal(got, want) {
				t.Errorf("version %x, RequestSCT %v: SCTList %x, want %x", v, ask, got, want)
			}
		}
	}
}
