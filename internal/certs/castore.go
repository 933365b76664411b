package certs

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// LoadCAFile loads the trusted certificates of -CAfile: a PEM bundle, or a single DER
// certificate. Other PEM blocks (CRLs, keys) are skipped.
func LoadCAFile(path string) ([]*x509.Certificate, error) {
	data, err := readFile(path)
	if err != nil {
		return nil, &LoadError{What: "CA certificates", Path: path, Err: err}
	}
	certs, err := ParseCertificates(data, FormatPEM, "")
	if err != nil {
		return nil, &LoadError{What: "CA certificates", Path: path, Err: err}
	}
	return certs, nil
}

// hashFileName reports whether name is one that OpenSSL's hash directory lookup reads:
// the subject hash and a sequence number, "1a2b3c4d.0", or for CRLs "1a2b3c4d.r0" (see
// openssl-rehash(1)). (Hand-written rather than a regexp: package regexp would cost every
// start of tlskit its initialisation.)
func hashFileName(name string, crl bool) bool {
	if len(name) < 10 || name[8] != '.' {
		return false
	}
	for _, c := range name[:8] {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	seq := name[9:]
	if crl {
		var ok bool
		if seq, ok = strings.CutPrefix(seq, "r"); !ok {
			return false
		}
	}
	if seq == "" {
		return false
	}
	for _, c := range seq {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// LoadCADir loads the certificates of a -CApath directory the way openssl's lookup finds
// them: only from hash-named files (see openssl-rehash(1)), and only a certificate whose
// subject hash is the one in its file name. Entries that are unreadable or do not parse are
// skipped, as openssl's lookup would just miss them.
func LoadCADir(dir string) ([]*x509.Certificate, error) {
	var certs []*x509.Certificate
	err := eachHashFile(dir, false, func(hash uint32, data []byte) {
		cs, err := ParseCertificates(data, FormatAuto, "")
		if err != nil {
			return
		}
		for _, c := range cs {
			if h, err := nameHash(c.RawSubject); err == nil && h == hash {
				certs = append(certs, c)
			}
		}
	})
	if err != nil {
		return nil, &LoadError{What: "CA certificates", Path: dir, Err: err}
	}
	return dedupe(certs), nil
}

// LoadCRLDir loads the CRLs of a -CApath directory (files named like "1a2b3c4d.r0", after
// the issuer's hash), for verification with -crl_check. Unreadable or malformed entries,
// and CRLs whose issuer does not have the file's hash, are skipped.
func LoadCRLDir(dir string) ([]*x509.RevocationList, error) {
	var crls []*x509.RevocationList
	err := eachHashFile(dir, true, func(hash uint32, data []byte) {
		cs, err := ParseCRLs(data, FormatAuto)
		if err != nil {
			return
		}
		for _, c := range cs {
			if h, err := nameHash(c.RawIssuer); err == nil && h == hash {
				crls = append(crls, c)
			}
		}
	})
	if err != nil {
		return nil, &LoadError{What: "CRLs", Path: dir, Err: err}
	}
	return crls, nil
}

// eachHashFile calls fn with the hash in the name and the contents of every entry of dir
// whose name matches.
func eachHashFile(dir string, crl bool, fn func(uint32, []byte)) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		if st, serr := os.Stat(dir); serr == nil && !st.IsDir() {
			return errors.New("not a directory")
		}
		return fileReason(err)
	}
	for _, e := range entries {
		if !hashFileName(e.Name(), crl) {
			continue
		}
		hash, err := strconv.ParseUint(e.Name()[:8], 16, 32)
		if err != nil {
			continue
		}
		// readFile follows symlinks, which is how openssl rehash lays directories out.
		data, err := readFile(filepath.Join(dir, e.Name()))
		if err != nil {
			continue
		}
		fn(uint32(hash), data)
	}
	return nil
}

// LoadCAStore loads the certificates of -CAstore. It takes a "file:" URI (file:/path,
// file:///path, file://localhost/path) or a plain path, naming a file (a PEM bundle) or a
// directory (read as LoadCADir does). Other URI schemes are refused.
func LoadCAStore(uri string) ([]*x509.Certificate, error) {
	path, err := storePath(uri)
	if err != nil {
		return nil, &LoadError{What: "CA store", Path: uri, Err: err}
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, &LoadError{What: "CA store", Path: uri, Err: fileReason(err)}
	}
	var certs []*x509.Certificate
	if st.IsDir() {
		certs, err = LoadCADir(path)
	} else {
		certs, err = LoadCAFile(path)
	}
	if err != nil {
		// Report the URI the user typed, not the path derived from it.
		var le *LoadError
		if errors.As(err, &le) {
			le.What, le.Path = "CA store", uri
		}
		return nil, err
	}
	return certs, nil
}

// hasURIScheme reports whether s starts with an RFC 3986 scheme of two letters or more
// and a colon (one letter is a drive, C:).
func hasURIScheme(s string) bool {
	i := strings.IndexByte(s, ':')
	if i < 2 {
		return false
	}
	for j, c := range s[:i] {
		letter := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
		if j == 0 && !letter || !letter && !('0' <= c && c <= '9') && c != '+' && c != '.' && c != '-' {
			return false
		}
	}
	return true
}

// StorePath is the local path a store URI names (see storePath); its
// error says why tlskit reads no such store.
func StorePath(uri string) (string, error) { return storePath(uri) }

// storePath turns a store URI into a local path, following RFC 8089's forms of file URIs.
func storePath(uri string) (string, error) {
	rest, ok := strings.CutPrefix(uri, "file:")
	if !ok {
		// Like openssl, fall back to a plain path whatever the string looks like, but name the
		// scheme when there is no such file: "no such file" would hide the real problem.
		if _, err := os.Stat(uri); err != nil && hasURIScheme(uri) {
			return "", unsupportedf("unsupported store URI scheme %q (only file: is supported)", uri[:strings.Index(uri, ":")])
		}
		return uri, nil
	}
	if auth, ok := strings.CutPrefix(rest, "//"); ok {
		host, p, _ := strings.Cut(auth, "/")
		if host != "" && !strings.EqualFold(host, "localhost") {
			return "", unsupportedf("file URI with remote host %q", host)
		}
		return "/" + p, nil
	}
	if rest == "" {
		return "", errors.New("empty file URI")
	}
	return rest, nil
}

// OpenSSLDir returns the directory that plays OPENSSLDIR for the default trust store:
// the first of the usual distribution locations that exists (Debian's /usr/lib/ssl first,
// which is what `openssl version -d` prints on Debian and Ubuntu).
func OpenSSLDir() string {
	for _, d := range openSSLDirs {
		if _, err := os.Stat(d); err == nil {
			return d
		}
	}
	return openSSLDirs[0]
}

var openSSLDirs = []string{
	"/usr/lib/ssl",                // Debian, Ubuntu
	"/etc/pki/tls",                // Fedora, RHEL
	"/etc/ssl",                    // Alpine, Arch, SUSE, FreeBSD
	"/opt/homebrew/etc/openssl@3", // macOS Homebrew, Apple silicon
	"/usr/local/etc/openssl@3",    // macOS Homebrew, Intel
	"/usr/local/ssl",              // OpenSSL built from source
}

// SystemCAs loads the store openssl trusts with no -CAfile/-CApath/-CAstore (or with
// -no-CA* absent): OPENSSLDIR/cert.pem and the hash directory OPENSSLDIR/certs, replaced by
// $SSL_CERT_FILE and $SSL_CERT_DIR (a ':'-separated list) when those are set, as openssl does.
// Unlike an explicit -CAfile, a certificate that does not parse is skipped.
func SystemCAs() ([]*x509.Certificate, error) {
	file, dirs := systemPaths()
	var certs []*x509.Certificate
	if data, err := readFile(file); err == nil {
		certs = append(certs, parseCertificatesLenient(data)...)
	}
	for _, d := range dirs {
		if d == "" {
			continue
		}
		if cs, err := LoadCADir(d); err == nil {
			certs = append(certs, cs...)
		}
	}
	if len(certs) == 0 {
		return nil, &LoadError{What: "default CA certificates", Err: fmt.Errorf("none found in %q or %q", file, strings.Join(dirs, ":"))}
	}
	return dedupe(certs), nil
}

// parseCertificatesLenient keeps the certificates that parse, as a system bundle may hold
// one that crypto/x509 rejects and that must not cost the user all the others.
func parseCertificatesLenient(data []byte) []*x509.Certificate {
	var out []*x509.Certificate
	for rest := data; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if c, err := pemCertificate(b); err == nil && c != nil {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		if c, err := x509.ParseCertificate(data); err == nil {
			out = append(out, c)
		}
	}
	return out
}

func dedupe(certs []*x509.Certificate) []*x509.Certificate {
	seen := make(map[string]bool, len(certs))
	out := certs[:0]
	for _, c := range certs {
		if !seen[string(c.Raw)] {
			seen[string(c.Raw)] = true
			out = append(out, c)
		}
	}
	return out
}

// LoadStores loads the certificates of CA files (-CAfile), OpenSSL
// hash-named directories (-CApath) and store URIs (-CAstore), in that
// order, stopping at the first that fails.
func LoadStores(files, dirs, uris []string) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	for _, f := range files {
		c, err := LoadCAFile(f)
		if err != nil {
			return nil, err
		}
		out = append(out, c...)
	}
	for _, d := range dirs {
		c, err := LoadCADir(d)
		if err != nil {
			return nil, err
		}
		out = append(out, c...)
	}
	for _, u := range uris {
		c, err := LoadCAStore(u)
		if err != nil {
			return nil, err
		}
		out = append(out, c...)
	}
	return out, nil
}
