package optgroups

import (
	"crypto/x509"
	"errors"
	"io/fs"
	"os"
	"slices"
	"strings"
	"syscall"

	"github.com/tlskit/tlskit/internal/certs"
	"github.com/tlskit/tlskit/internal/opt"
	"github.com/tlskit/tlskit/internal/sslerr"
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
	// extra is set for the chain and verify stores, which openssl loads
	// apart from the trust store (and says so when that fails).
	extra bool
	// moreFiles and moreDirs are the further files and directories an
	// -ssl_config section added to a chain or verify store (a second
	// VerifyCAFile…), which openssl loads into the same store.
	moreFiles, moreDirs []string
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
		return s
	}
	s.extra = true
	// A section's commands are the store's only values when it has
	// any (the command line's replace them as a whole): each of them
	// counts, File and Dir holding the last of each.
	var files, dirs []string
	for _, x := range v.List {
		switch {
		case x.Config == "":
		case x.Name == names.File:
			files = append(files, x.Value)
		case x.Name == names.Dir:
			dirs = append(dirs, x.Value)
		}
	}
	if len(files) > 1 {
		s.moreFiles = files[:len(files)-1]
	}
	if len(dirs) > 1 {
		s.moreDirs = dirs[:len(dirs)-1]
	}
	return s
}

// Files are the store's certificate files: File and the further ones a
// section added.
func (s CAStore) Files() []string { return append(slices.Clip(s.moreFiles), one(s.File)...) }

// Given reports whether any of the store's options was given.
func (s CAStore) Given() bool { return s.File != "" || s.Dir != "" || s.URI != "" }

// WantsDefaults reports whether openssl would also load its default
// certificate file or directory: each is loaded unless its option or its
// -no- option was given.
func (s CAStore) WantsDefaults() bool {
	return (s.File == "" && !s.NoFile) || (s.Dir == "" && !s.NoDir)
}

// Load reads the certificates the given options name (not the defaults).
// A file that cannot be read or holds no certificate fails with
// openssl's error lines.
func (s CAStore) Load() ([]*x509.Certificate, error) {
	files := s.Files()
	cs, err := certs.LoadStores(files, append(slices.Clip(s.moreDirs), one(s.Dir)...), nil)
	var lines []string
	if s.extra {
		lines = append(lines, "Error loading store locations")
	}
	var le *certs.LoadError
	if err == nil && s.URI != "" {
		uc, uerr := loadStoreURI(s.URI)
		if l, ok := uerr.(storeURIError); ok {
			return nil, &ConfError{append(lines, l...)}
		}
		cs, err = append(cs, uc...), uerr
	}
	if err == nil || !errors.As(err, &le) || le.Path == "" || !slices.Contains(files, le.Path) {
		return cs, err
	}
	const x509Lib = "x509 certificate routines"
	switch {
	case errors.Is(err, fs.ErrNotExist):
		lines = append(lines, sslerr.Report{Entries: sslerr.BIONewFile(int(syscall.ENOENT), le.Path, "r")}.Lines()...)
		lines = append(lines, sslerr.Entry{Code: 0x05880002, Lib: x509Lib, Func: "X509_load_cert_crl_file_ex", Reason: "system lib"}.String())
	case errors.Is(err, fs.ErrPermission):
		return cs, err
	default:
		lines = append(lines,
			sslerr.Entry{Code: 0x05800088, Lib: x509Lib, Func: "X509_load_cert_crl_file_ex", Reason: "no certificate or crl found"}.String())
	}
	return nil, &ConfError{lines}
}

// storeURIError is openssl's error queue for a store URI that names no
// file.
type storeURIError []string

func (e storeURIError) Error() string { return strings.Join(e, "\n") }

// loadStoreURI loads -CAstore (or -chainCAstore, -verifyCAstore) as
// openssl's file store does, measured with 3.0: a missing file fails with
// the entries the store's loaders queue, which depend on the form of the
// URI (a plain path, file:/abs, file:///abs, file:relative); any file or
// directory that exists loads, without error when it holds no certificate
// (openssl takes a file of garbage, or a malformed certificate, as one
// without). Other schemes keep tlskit's own error.
func loadStoreURI(uri string) ([]*x509.Certificate, error) {
	cs, err := certs.LoadCAStore(uri)
	if err == nil || errors.Is(err, fs.ErrPermission) || errors.Is(err, certs.ErrUnsupported) {
		return cs, err
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	stat := func(p string) string {
		errno := int(syscall.ENOENT)
		if _, err := os.Stat(p); err != nil {
			errno = sslerr.Errno(err)
		}
		return sslerr.SysEntry(errno, "file_open", "calling stat("+p+")").String()
	}
	lines := storeURIError{sslerr.Entry{Code: 0x16000069, Lib: "STORE routines", Func: "ossl_store_get0_loader_int", Reason: "unregistered scheme", Data: "scheme=file"}.String()}
	rest, isFile := strings.CutPrefix(uri, "file:")
	switch {
	case !isFile:
		lines = append(lines, stat(uri))
	case strings.HasPrefix(rest, "//"):
		_, p, _ := strings.Cut(strings.TrimPrefix(rest, "//"), "/")
		lines = append(lines, stat("/"+p))
	case strings.HasPrefix(rest, "/"):
		lines = append(lines, stat(uri), stat(rest))
	default:
		lines = append(lines, stat(uri), sslerr.Entry{Code: 0x1C8000DB, Lib: "Provider routines", Func: "file_open", Reason: "path must be absolute", Data: "Given path=" + rest}.String())
	}
	return nil, lines
}

func one(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// CheckExtraStores loads the chain and verify stores when given, as
// openssl loads them at start-up whether or not they are used, so a bad
// one fails at once in both commands.
func CheckExtraStores(v *opt.Values) error {
	for _, names := range []StoreOptions{ChainStore, VerifyStore} {
		if s := ParseCAStore(v, names); s.Given() {
			if _, err := s.Load(); err != nil {
				return err
			}
		}
	}
	return nil
}
