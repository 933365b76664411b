package sserver

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"slices"

	"github.com/tlskit/tlskit/internal/certs"
	"github.com/tlskit/tlskit/internal/opt"
	"github.com/tlskit/tlskit/internal/verify"
)

// loadStore loads the certificates named by a file, a directory and a
// store option (e.g. -chainCAfile, -chainCApath, -chainCAstore); given
// reports whether any of them was on the command line.
func loadStore(v *opt.Values, file, dir, store string) (cs []*x509.Certificate, given bool, err error) {
	files, dirs, uris := v.All(file), v.All(dir), v.All(store)
	given = len(files)+len(dirs)+len(uris) > 0
	cs, err = certs.LoadStores(files, dirs, uris)
	return cs, given, err
}

// buildChains completes the server certificates' chains as libssl does.
// A certificate loaded without a chain gets one built from the chain store
// (-chainCAfile/-chainCApath/-chainCAstore) or else from the trust store
// (-CAfile/-CApath/-CAstore), root included; when nothing can be built it
// is sent alone. -build_chain builds every chain at start-up and makes a
// failure an error.
func (s *server) buildChains(v *opt.Values, id *identity) error {
	store, given, err := loadStore(v, "chainCAfile", "chainCApath", "chainCAstore")
	if err != nil {
		return err
	}
	if !given {
		if store, _, err = loadStore(v, "CAfile", "CApath", "CAstore"); err != nil {
			return err
		}
	}
	build := v.Has("build_chain")
	if len(store) == 0 && !build && len(id.xbuild) == 0 {
		return nil
	}
	for i := range id.main {
		if i == 0 && id.ephemeralPath != "" {
			continue // the generated certificate is its own root
		}
		if err := completeChain(&id.main[i], store, build || slices.Contains(id.xbuild, i)); err != nil {
			return err
		}
	}
	for i := range id.sni {
		if err := completeChain(&id.sni[i], store, build); err != nil {
			return err
		}
	}
	return nil
}

func completeChain(cert *tls.Certificate, store []*x509.Certificate, build bool) error {
	if len(cert.Certificate) == 0 || (len(cert.Certificate) > 1 && !build) {
		return nil
	}
	leaf, err := x509.ParseCertificate(cert.Certificate[0])
	if err != nil {
		return err
	}
	var given []*x509.Certificate
	for _, der := range cert.Certificate[1:] {
		if c, err := x509.ParseCertificate(der); err == nil {
			given = append(given, c)
		}
	}
	r := verify.Verify([]*x509.Certificate{leaf}, verify.Options{
		Roots:         store,
		Intermediates: given,
		Depth:         -1,
	})
	if build && r.Code != verify.OK {
		// Like libssl, name the first problem met, not the last.
		code := r.Code
		for _, e := range r.Events {
			if !e.OK {
				code = e.Code
				break
			}
		}
		return fmt.Errorf("error building certificate chain: %s", verify.ErrorString(code))
	}
	if len(r.Chain) > 1 {
		chain := [][]byte{cert.Certificate[0]}
		for _, c := range r.Chain[1:] {
			chain = append(chain, c.Raw)
		}
		cert.Certificate = chain
	}
	return nil
}
