package sclient

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// crlFetchTimeout bounds each CRL download of -crl_download.
var crlFetchTimeout = 10 * time.Second

// downloadCRLs fetches the CRLs named by the chain's CRL distribution
// points (http only, as openssl), for -crl_download. Failures are reported
// on w and skipped: verification then reports the missing CRL by its code.
func downloadCRLs(chain []*x509.Certificate, w io.Writer) []*x509.RevocationList {
	client := &http.Client{Timeout: crlFetchTimeout}
	var out []*x509.RevocationList
	seen := map[string]bool{}
	for _, c := range chain {
		for _, u := range c.CRLDistributionPoints {
			if !strings.HasPrefix(u, "http://") || seen[u] {
				continue
			}
			seen[u] = true
			crl, err := fetchCRL(client, u)
			if err != nil {
				fmt.Fprintf(w, "s_client: -crl_download: %v\n", err)
				continue
			}
			out = append(out, crl)
		}
	}
	return out
}

func fetchCRL(client *http.Client, url string) (*x509.RevocationList, error) {
	resp, err := client.Get(url)
	if err != nil {
		return nil, fmt.Errorf("cannot fetch CRL %s: %v", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("cannot fetch CRL %s: HTTP %s", url, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return nil, fmt.Errorf("cannot fetch CRL %s: %v", url, err)
	}
	if b, _ := pem.Decode(body); b != nil && b.Type == "X509 CRL" {
		body = b.Bytes
	}
	crl, err := x509.ParseRevocationList(body)
	if err != nil {
		return nil, fmt.Errorf("CRL from %s is malformed: %v", url, err)
	}
	return crl, nil
}
