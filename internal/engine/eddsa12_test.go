package engine

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/engine/sig"
	"github.com/tlskit/tlskit/internal/engine/suites"
	"github.com/tlskit/tlskit/internal/testpeer"
)

// opensslSelfSigned makes a self-signed certificate and key with openssl
// req -newkey alg (ed25519, ed448, rsa-pss) and returns their files.
func opensslSelfSigned(t *testing.T, openssl, dir, alg string) (cert, key string) {
	t.Helper()
	cert, key = filepath.Join(dir, alg+".pem"), filepath.Join(dir, alg+".key")
	if _, e, code := testpeer.Run(t, 30*time.Second, "", openssl, "req", "-x509", "-newkey", alg, "-nodes",
		"-keyout", key, "-out", cert, "-subj", "/CN=localhost", "-days", "2"); code != 0 {
		t.Fatal(e)
	}
	return cert, key
}

// TestClient12EdDSAAndPSSAgainstOpenSSL: openssl s_server 3.0 -tls1_2
// serves Ed25519 and Ed448 certificates under ECDHE-ECDSA suites (RFC 8422
// §5.1.3) and RSASSA-PSS-keyed ones under ECDHE-RSA with rsa_pss_pss_*;
// the own client took them for the wrong certificate type.
func TestClient12EdDSAAndPSSAgainstOpenSSL(t *testing.T) {
	openssl := testpeer.Need(t, "openssl")
	dir := t.TempDir()
	for _, c := range []struct {
		alg    string
		suite  uint16
		scheme uint16
	}{
		{"ed25519", suites.ECDHEECDSAAES256GCMSHA384, sig.Ed25519},
		{"ed448", suites.ECDHEECDSAAES256GCMSHA384, sig.Ed448},
		{"rsa-pss", suites.ECDHERSAAES256GCMSHA384, sig.RSAPSSPSSSHA256},
	} {
		t.Run(c.alg, func(t *testing.T) {
			cert, key := opensslSelfSigned(t, openssl, dir, c.alg)
			srv := testpeer.OpenSSLServer(t, "-rev", "-naccept", "1", "-tls1_2", "-cert", cert, "-key", key)
			cfg := all12(Config{})
			conn := dialEcho(t, srv, &cfg, "tlskit engine", "enigne tikslt")
			st := conn.State()
			if st.Version != VersionTLS12 || st.Suite != c.suite || st.PeerSignatureScheme != c.scheme {
				t.Errorf("version %x suite %x scheme %s, want 1.2 %x %s", st.Version, st.Suite, sig.Name(st.PeerSignatureScheme), c.suite, sig.Name(c.scheme))
			}
		})
	}
}

// TestEd25519TLS12AgainstCryptoTLS: Ed25519 at TLS 1.2 both ways against
// crypto/tls, server certificate and client certificate
// (ServerKeyExchange and CertificateVerify signed with ed25519).
func TestEd25519TLS12AgainstCryptoTLS(t *testing.T) {
	_, edKey, _ := ed25519.GenerateKey(rand.Reader)
	id, goCert := testIdentity(t, edKey)
	pool := x509.NewCertPool()
	leaf, _ := x509.ParseCertificate(id.Chain[0])
	pool.AddCert(leaf)
	t.Run("own client", func(t *testing.T) {
		errc := make(chan error, 1)
		addr := testpeer.ServeOne(t, 10*time.Second, func(c net.Conn) {
			defer c.Close()
			s := tls.Server(c, &tls.Config{Certificates: []tls.Certificate{goCert}, MaxVersion: tls.VersionTLS12,
				ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pool})
			err := s.Handshake()
			if err == nil && s.ConnectionState().PeerCertificates[0].PublicKeyAlgorithm != x509.Ed25519 {
				err = errNotEd25519
			}
			errc <- err
		})
		cfg := all12(Config{Identities: []Identity{id}})
		conn := dialOwn(t, addr, &cfg)
		if err := conn.Handshake(); err != nil {
			t.Fatalf("handshake: %v", err)
		}
		if err := <-errc; err != nil {
			t.Fatalf("crypto/tls server: %v", err)
		}
		st := conn.State()
		if s, _ := suites.Lookup12(st.Suite); st.Version != VersionTLS12 || st.PeerSignatureScheme != sig.Ed25519 || s.Auth != suites.AuthECDSA {
			t.Errorf("version %x scheme %s suite %x", st.Version, sig.Name(st.PeerSignatureScheme), st.Suite)
		}
	})
	t.Run("own server", func(t *testing.T) {
		a, b := net.Pipe()
		defer a.Close()
		defer b.Close()
		a.SetDeadline(time.Now().Add(10 * time.Second))
		b.SetDeadline(time.Now().Add(10 * time.Second))
		srv := Server(a, &Config{MinVersion: VersionTLS12, Identities: []Identity{id}, RequireClientCert: true, RequestClientCert: true})
		errc := make(chan error, 1)
		go func() { errc <- srv.Handshake() }()
		cli := tls.Client(b, &tls.Config{RootCAs: pool, ServerName: "localhost", MaxVersion: tls.VersionTLS12,
			Certificates: []tls.Certificate{goCert}})
		if err := cli.Handshake(); err != nil {
			t.Fatalf("crypto/tls client: %v", err)
		}
		if err := <-errc; err != nil {
			t.Fatalf("own server: %v", err)
		}
		st := srv.State()
		if st.Version != VersionTLS12 || st.PeerSignatureScheme != sig.Ed25519 || len(st.PeerChain) != 1 {
			t.Errorf("version %x client's scheme %s chain %d", st.Version, sig.Name(st.PeerSignatureScheme), len(st.PeerChain))
		}
	})
}

var errNotEd25519 = errors.New("client certificate is not Ed25519")

// loadPSSIdentity reads an openssl RSASSA-PSS certificate and its PKCS#8
// key (id-RSASSA-PSS, which crypto/x509 does not parse) by hand.
func loadPSSIdentity(t *testing.T, certFile, keyFile string) Identity {
	t.Helper()
	cb, _ := os.ReadFile(certFile)
	kb, _ := os.ReadFile(keyFile)
	cblk, _ := pem.Decode(cb)
	kblk, _ := pem.Decode(kb)
	if cblk == nil || kblk == nil {
		t.Fatal("no PEM in", certFile, keyFile)
	}
	var info struct {
		Version int
		Algo    pkix.AlgorithmIdentifier
		Key     []byte
	}
	if _, err := asn1.Unmarshal(kblk.Bytes, &info); err != nil || !info.Algo.Algorithm.Equal(sig.OIDRSAPSS) {
		t.Fatalf("%s: not an RSA-PSS key (%v)", keyFile, err)
	}
	h, err := sig.PSSParams(info.Algo.Parameters)
	if err != nil {
		t.Fatal(err)
	}
	k, err := x509.ParsePKCS1PrivateKey(info.Key)
	if err != nil {
		t.Fatal(err)
	}
	return Identity{Chain: [][]byte{cblk.Bytes}, Key: sig.PSSPrivateKey{PrivateKey: k, Hash: h}}
}

// TestRSAPSSKeysAgainstOpenSSL: certificates with RSASSA-PSS keys (openssl
// req -newkey rsa-pss; and a key whose parameters bind SHA-384) serve and
// are accepted at TLS 1.2 and 1.3 both ways, signing rsa_pss_pss_* with
// the key's hash, as openssl 3.0 does; the own server used to refuse the
// key and the own TLS 1.2 client the certificate.
func TestRSAPSSKeysAgainstOpenSSL(t *testing.T) {
	openssl := testpeer.Need(t, "openssl")
	dir := t.TempDir()
	cert, key := opensslSelfSigned(t, openssl, dir, "rsa-pss")
	key384 := filepath.Join(dir, "pss384.key")
	cert384 := filepath.Join(dir, "pss384.pem")
	if _, e, code := testpeer.Run(t, 60*time.Second, "", openssl, "genpkey", "-algorithm", "RSA-PSS", "-pkeyopt", "rsa_keygen_bits:2048",
		"-pkeyopt", "rsa_pss_keygen_md:sha384", "-pkeyopt", "rsa_pss_keygen_mgf1_md:sha384", "-pkeyopt", "rsa_pss_keygen_saltlen:48", "-out", key384); code != 0 {
		t.Fatal(e)
	}
	if _, e, code := testpeer.Run(t, 30*time.Second, "", openssl, "req", "-x509", "-key", key384, "-out", cert384, "-subj", "/CN=localhost", "-days", "2"); code != 0 {
		t.Fatal(e)
	}
	for _, k := range []struct {
		name, cert, key, digest string
		scheme                  uint16
	}{
		{"unrestricted", cert, key, "SHA256", sig.RSAPSSPSSSHA256},
		{"sha384 only", cert384, key384, "SHA384", sig.RSAPSSPSSSHA384},
	} {
		id := loadPSSIdentity(t, k.cert, k.key)
		for _, v := range []struct {
			flag    string
			version uint16
		}{{"-tls1_2", VersionTLS12}, {"-tls1_3", VersionTLS13}} {
			t.Run(k.name+" own server "+v.flag, func(t *testing.T) {
				addr, res := ownServer(t, &Config{MinVersion: VersionTLS12, Identities: []Identity{id}})
				out, errOut, code := testpeer.Run(t, 20*time.Second, "hello\n", openssl, "s_client", "-connect", addr, "-CAfile", k.cert, v.flag)
				r := <-res
				if r.err != nil || code != 0 {
					t.Fatalf("server: %v; openssl exit %d:\n%s\n%s", r.err, code, out, errOut)
				}
				for _, w := range []string{"Peer signing digest: " + k.digest, "Peer signature type: RSA-PSS", "Verify return code: 0 (ok)"} {
					if !strings.Contains(out, w) {
						t.Errorf("openssl s_client did not print %q:\n%s", w, out)
					}
				}
				if r.st.Version != v.version {
					t.Errorf("version %x", r.st.Version)
				}
			})
			t.Run(k.name+" own client "+v.flag, func(t *testing.T) {
				srv := testpeer.OpenSSLServer(t, "-rev", "-naccept", "1", v.flag, "-cert", k.cert, "-key", k.key,
					"-Verify", "1", "-CAfile", k.cert)
				cfg := all12(Config{Identities: []Identity{id}})
				conn := dialEcho(t, srv, &cfg, "tlskit engine", "enigne tikslt")
				if st := conn.State(); st.Version != v.version || st.PeerSignatureScheme != k.scheme {
					t.Errorf("version %x scheme %s, want %s", st.Version, sig.Name(st.PeerSignatureScheme), sig.Name(k.scheme))
				}
				// openssl s_server verified the own client's RSA-PSS
				// certificate and its CertificateVerify.
				waitOutput(t, srv, "Hash used: "+k.digest)
				waitOutput(t, srv, "Signature type: RSA-PSS")
				waitOutput(t, srv, "verify return:1")
			})
		}
	}
}
