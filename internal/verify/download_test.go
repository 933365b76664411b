package verify

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestDownloadCRLs serves a CRL over HTTP on 127.0.0.1 and checks it is
// fetched from the certificate's distribution point, and that a failing
// point is reported without stopping the others.
func TestDownloadCRLs(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "CRL CA"}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	crlDER, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{Number: big.NewInt(1), ThisUpdate: time.Now(), NextUpdate: time.Now().Add(time.Hour),
		RevokedCertificateEntries: []x509.RevocationListEntry{{SerialNumber: big.NewInt(42), RevocationTime: time.Now()}}}, ca, key)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/ca.crl" {
			w.Write(crlDER)
			return
		}
		http.NotFound(w, r)
	}))
	defer srv.Close()
	leaf := &x509.Certificate{CRLDistributionPoints: []string{srv.URL + "/ca.crl", srv.URL + "/missing.crl", "ldap://ignored/"}}
	crls, errs := DownloadCRLs([]*x509.Certificate{leaf}, 5*time.Second)
	if len(crls) != 1 || len(crls[0].RevokedCertificateEntries) != 1 || crls[0].RevokedCertificateEntries[0].SerialNumber.Int64() != 42 {
		t.Fatalf("crls = %v", crls)
	}
	if len(errs) != 1 {
		t.Fatalf("errs = %v, want one for the missing CRL", errs)
	}
}
