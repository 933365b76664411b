package engine

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/engine/alert"
	"github.com/tlskit/tlskit/internal/testpeer"
)

// sizedCert makes a certificate for key, signed by an Ed25519 key (a
// signature of fixed size), whose DER is exactly n bytes long, padding
// it with DNS names.
func sizedCert(t *testing.T, n int, key *ecdsa.PrivateKey) []byte {
	t.Helper()
	_, caKey, _ := ed25519.GenerateKey(rand.Reader)
	ca := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "ca"}}
	pad := 40
	for range 50 {
		var names []string
		for i := 0; i < n/70-10; i++ {
			names = append(names, fmt.Sprintf("host%05d.padding-for-a-sized-certificate.test", i))
		}
		// The padding name, in labels of at most 60 characters.
		p := strings.Repeat("p", pad)
		for len(p) > 60 {
			names = append(names, p[:60]+".test")
			p = p[60:]
		}
		names = append(names, p+".test")
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "localhost"},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), DNSNames: names}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		if len(der) == n {
			return der
		}
		pad = max(1, pad+n-len(der))
	}
	t.Fatalf("no certificate of %d bytes", n)
	return nil
}

// TestMaxCertListLikeOpenSSL: a Certificate message whose body is over
// DefaultMaxCertList (102400 bytes) is refused from its header with
// illegal_parameter, as openssl 3.0 refuses it (measured: "excessive
// message size", a body of 102400 taken), by openssl s_client and the own
// client alike from the own server, in TLS 1.2 and 1.3; the own server
// refuses the client's the same way, and Config.MaxCertList lowers the
// limit.
func TestMaxCertListLikeOpenSSL(t *testing.T) {
	openssl := testpeer.Need(t, "openssl")
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	small := Identity{Chain: [][]byte{sizedCert(t, 1000, key)}, Key: key}
	for _, v := range []struct {
		name     string
		version  uint16
		flag     string
		overhead int // the Certificate body around the one certificate
	}{{"TLS12", VersionTLS12, "-tls1_2", 6}, {"TLS13", VersionTLS13, "-tls1_3", 9}} {
		for _, body := range []int{DefaultMaxCertList, DefaultMaxCertList + 1} {
			t.Run(fmt.Sprintf("%s/%d", v.name, body), func(t *testing.T) {
				big := Identity{Chain: [][]byte{sizedCert(t, body-v.overhead, key)}, Key: key}
				refused := body > DefaultMaxCertList
				addr, _ := ownServerMany(t, &Config{Identities: []Identity{big}, MinVersion: v.version, MaxVersion: v.version})
				_, errOut, code := testpeer.Run(t, 20*time.Second, "", openssl, "s_client", "-connect", addr, v.flag)
				if strings.Contains(errOut, "excessive message size") != refused || !refused && code != 0 {
					t.Errorf("openssl s_client, refused %v, exit %d:\n%s", refused, code, errOut)
				}
				conn := dialOwn(t, addr, &Config{MinVersion: v.version, MaxVersion: v.version})
				err := conn.Handshake()
				conn.Close()
				var ae *AlertError
				if got := errors.As(err, &ae) && ae.Sent && ae.Description == alert.IllegalParameter; got != refused || (!refused && err != nil) {
					t.Errorf("own client: %v, refused %v", err, refused)
				}

				addr, srv := ownServerMany(t, &Config{Identities: []Identity{small}, RequireClientCert: true,
					RequestClientCert: true, MinVersion: v.version, MaxVersion: v.version})
				conn = dialOwn(t, addr, &Config{Identities: []Identity{big}, MinVersion: v.version, MaxVersion: v.version})
				conn.Handshake()
				conn.Close()
				_, errs := srv.results(1)
				if len(errs) != 1 || (errors.As(errs[0], &ae) && ae.Sent && ae.Description == alert.IllegalParameter) != refused || (!refused && errs[0] != nil) {
					t.Errorf("own server, refused %v: %v", refused, errs)
				}
			})
		}
	}
	t.Run("limit", func(t *testing.T) {
		addr, _ := ownServerMany(t, &Config{Identities: []Identity{small}})
		for _, limit := range []int{1000 + 9, 1000 + 8} {
			conn := dialOwn(t, addr, &Config{MaxCertList: limit})
			err := conn.Handshake()
			conn.Close()
			var ae *AlertError
			if refused := limit < 1009; (errors.As(err, &ae) && ae.Sent && ae.Description == alert.IllegalParameter) != refused || (!refused && err != nil) {
				t.Errorf("MaxCertList %d: %v", limit, err)
			}
		}
	})
}
