package verify

import (
	"context"
	"crypto/x509"
	"fmt"
	"strings"
	"time"

	"github.com/tlskit/tlskit/internal/certs"
	"github.com/tlskit/tlskit/internal/httpfetch"
)

// DownloadCRLs fetches the CRLs named by the chain's CRL distribution
// points, for -crl_download: http URLs only, as openssl, each bounded by
// timeout and 16 MiB. Failures are returned alongside what was fetched;
// verification then reports a missing CRL by its own code.
func DownloadCRLs(chain []*x509.Certificate, timeout time.Duration) ([]*x509.RevocationList, []error) {
	var out []*x509.RevocationList
	var errs []error
	seen := map[string]bool{}
	for _, c := range chain {
		for _, u := range c.CRLDistributionPoints {
			if !strings.HasPrefix(u, "http://") || seen[u] {
				continue
			}
			seen[u] = true
			crl, err := fetchCRL(u, timeout)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			out = append(out, crl)
		}
	}
	return out, errs
}

func fetchCRL(url string, timeout time.Duration) (*x509.RevocationList, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	body, err := httpfetch.Fetch(ctx, httpfetch.Request{URL: url, Limit: 16 << 20})
	if err != nil {
		return nil, fmt.Errorf("verify: cannot fetch CRL %s: %v", url, err)
	}
	crls, err := certs.ParseCRLs(body, certs.FormatAuto)
	if err != nil {
		return nil, fmt.Errorf("verify: CRL from %s is malformed: %v", url, err)
	}
	if len(crls) == 0 {
		return nil, fmt.Errorf("verify: %s holds no CRL", url)
	}
	return crls[0], nil
}
