package sserver

import (
	"slices"

	"github.com/tlskit/tlskit/internal/optgroups"
)

// buildChains completes the server certificates' chains as libssl does.
// A certificate loaded without a chain gets one built from the chain store
// (-chainCAfile/-chainCApath/-chainCAstore) or else from the trust store
// (-CAfile/-CApath/-CAstore), root included; when nothing can be built it
// is sent alone. -build_chain builds every chain at start-up and makes a
// failure an error. An -xcert marked by -xchain_build is left as loaded:
// its chain is built at each handshake that serves it (xcertHook), as
// openssl's certificate callback builds it.
func (s *server) buildChains(id *identity) error {
	store := s.chainStore
	build := s.c.buildChain
	if len(store) == 0 && !build {
		return nil
	}
	for i := range id.main {
		if i == 0 && id.ephemeralPath != "" {
			continue // the generated certificate is its own root
		}
		if slices.ContainsFunc(id.xcerts, func(x xcert) bool { return x.idx == i && x.build }) {
			continue
		}
		if err := optgroups.BuildChain(&id.main[i].Chain, store, build); err != nil {
			return err
		}
	}
	for i := range id.sni {
		if err := optgroups.BuildChain(&id.sni[i].Chain, store, build); err != nil {
			return err
		}
	}
	return nil
}
