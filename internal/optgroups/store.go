package optgroups

import (
	"crypto/x509"

	"github.com/tlskit/tlskit/internal/certs"
	"github.com/tlskit/tlskit/internal/opt"
)

// CAStore is one certificate store as a file, a directory and a store URI
// option name it (-CAfile/-CApath/-CAstore, or the chainCA… and verifyCA…
// triples). Each option holds one value: the last one given wins, in
// s_client and s_server alike, as in openssl.
type CAStore struct {
	File, Dir, URI string // "" when not given
	// NoFile and NoDir are -no-CAfile and -no-CApath: the default file
	// and directory are not loaded (only the main store has them).
	NoFile, NoDir bool
	// NoStore is -no-CAstore. tlskit has no default store URI to load,
	// so it changes nothing; it is kept for completeness.
	NoStore bool
}

// StoreOptions names the three options of a store.
type StoreOptions struct{ File, Dir, URI string }

// The stores the commands know.
var (
	TrustStore  = StoreOptions{"CAfile", "CApath", "CAstore"}
	ChainStore  = StoreOptions{"chainCAfile", "chainCApath", "chainCAstore"}
	VerifyStore = StoreOptions{"verifyCAfile", "verifyCApath", "verifyCAstore"}
)

// ParseCAStore reads the options of one store.
func ParseCAStore(v *opt.Values, names StoreOptions) CAStore {
	s := CAStore{File: v.Str(names.File, ""), Dir: v.Str(names.Dir, ""), URI: v.Str(names.URI, "")}
	if names == TrustStore {
		s.NoFile, s.NoDir, s.NoStore = v.Has("no-CAfile"), v.Has("no-CApath"), v.Has("no-CAstore")
	}
	return s
}

// Given reports whether any of the store's options was given.
func (s CAStore) Given() bool { return s.File != "" || s.Dir != "" || s.URI != "" }

// WantsDefaults reports whether openssl would also load its default
// certificate file or directory: each is loaded unless its option or its
// -no- option was given.
func (s CAStore) WantsDefaults() bool {
	return (s.File == "" && !s.NoFile) || (s.Dir == "" && !s.NoDir)
}

// Load reads the certificates the given options name (not the defaults).
func (s CAStore) Load() ([]*x509.Certificate, error) {
	return certs.LoadStores(one(s.File), one(s.Dir), one(s.URI))
}

func one(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}
