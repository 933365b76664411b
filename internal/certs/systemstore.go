package certs

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// systemPaths returns the default store's bundle file and hash directories: OPENSSLDIR/cert.pem
// and OPENSSLDIR/certs, replaced by $SSL_CERT_FILE and $SSL_CERT_DIR (a ':'-separated list)
// when those are set, as openssl does.
func systemPaths() (file string, dirs []string) {
	dir := OpenSSLDir()
	file = filepath.Join(dir, "cert.pem")
	if v, ok := os.LookupEnv("SSL_CERT_FILE"); ok {
		file = v
	}
	dirs = []string{filepath.Join(dir, "certs")}
	if v, ok := os.LookupEnv("SSL_CERT_DIR"); ok {
		dirs = strings.Split(v, ":")
	}
	return file, dirs
}

// SystemCAsFor returns the certificates of the default store (see SystemCAs) that verifying
// chain can use: those whose subject is the issuer named by a certificate of chain, or by a
// certificate found so far (an issuer's issuer). Chain building only ever takes an issuer
// whose subject matches, so verifying with these gives the result SystemCAs would. It costs
// far less: like openssl's by-directory lookup, it reads a hash directory's files only for
// the subject hashes looked up, and of the bundle file it fully parses only the matching
// certificates, where SystemCAs parses some three hundred certificates at every s_client run.
func SystemCAsFor(chain []*x509.Certificate) []*x509.Certificate {
	file, dirs := systemPaths()
	var bundle []bundleCert
	if data, err := readFile(file); err == nil {
		bundle = scanBundle(data)
	}
	dirFiles := make([]map[uint32][]string, len(dirs))
	var out []*x509.Certificate
	queued := map[uint32]bool{}
	var queue []uint32
	want := func(rawIssuer []byte) {
		h, err := nameHash(rawIssuer)
		if err == nil && !queued[h] {
			queued[h] = true
			queue = append(queue, h)
		}
	}
	found := func(c *x509.Certificate) {
		out = append(out, c)
		want(c.RawIssuer)
	}
	for _, c := range chain {
		want(c.RawIssuer)
	}
	// Certificates whose subject could not be hashed are always candidates.
	for _, b := range bundle {
		if !b.hashed {
			if c := b.parse(); c != nil {
				found(c)
			}
		}
	}
	for len(queue) > 0 {
		h := queue[0]
		queue = queue[1:]
		for _, b := range bundle {
			if b.hashed && b.hash == h {
				if c := b.parse(); c != nil {
					found(c)
				}
			}
		}
		for i, d := range dirs {
			if d == "" {
				continue
			}
			if dirFiles[i] == nil {
				dirFiles[i] = hashDirFiles(d)
			}
			for _, name := range dirFiles[i][h] {
				data, err := readFile(filepath.Join(d, name))
				if err != nil {
					continue
				}
				cs, err := ParseCertificates(data, FormatAuto, "")
				if err != nil {
					continue
				}
				for _, c := range cs {
					if ch, err := nameHash(c.RawSubject); err == nil && ch == h {
						found(c)
					}
				}
			}
		}
	}
	return dedupe(out)
}

// hashDirFiles lists a hash directory's certificate files by the hash in their names, as
// LoadCADir reads them (missing or unreadable directories list nothing).
func hashDirFiles(dir string) map[uint32][]string {
	m := map[uint32][]string{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return m
	}
	for _, e := range entries {
		if !hashFileName(e.Name(), false) {
			continue
		}
		if h, err := strconv.ParseUint(e.Name()[:8], 16, 32); err == nil {
			m[uint32(h)] = append(m[uint32(h)], e.Name())
		}
	}
	return m
}

// bundleCert is one certificate block of a bundle, not yet parsed.
type bundleCert struct {
	block  *pem.Block
	hash   uint32 // subject name hash, when hashed
	hashed bool
}

func (b bundleCert) parse() *x509.Certificate {
	c, err := pemCertificate(b.block)
	if err != nil {
		return nil
	}
	return c
}

// scanBundle splits a PEM bundle into its certificate blocks, with each subject's hash, as
// parseCertificatesLenient reads them.
func scanBundle(data []byte) []bundleCert {
	blocks, ok := fastPEM(data)
	if !ok {
		blocks = nil
		for rest := data; ; {
			var b *pem.Block
			b, rest = pem.Decode(rest)
			if b == nil {
				break
			}
			blocks = append(blocks, b)
		}
	}
	var out []bundleCert
	for _, b := range blocks {
		if !pemCertTypes.Get()[b.Type] {
			continue
		}
		bc := bundleCert{block: b}
		if subj := rawSubject(b.Bytes); subj != nil {
			if h, err := nameHash(subj); err == nil {
				bc.hash, bc.hashed = h, true
			}
		}
		out = append(out, bc)
	}
	return out
}

// rawSubject returns the DER subject of a certificate (RFC 5280 §4.1) without parsing the
// rest, or nil.
func rawSubject(der []byte) []byte {
	in := cryptobyte.String(der)
	var cert, tbs, subject cryptobyte.String
	if !in.ReadASN1(&cert, cbasn1.SEQUENCE) || !cert.ReadASN1(&tbs, cbasn1.SEQUENCE) ||
		!tbs.SkipOptionalASN1(cbasn1.Tag(0).Constructed().ContextSpecific()) ||
		!tbs.SkipASN1(cbasn1.INTEGER) || // serialNumber
		!tbs.SkipASN1(cbasn1.SEQUENCE) || // signature
		!tbs.SkipASN1(cbasn1.SEQUENCE) || // issuer
		!tbs.SkipASN1(cbasn1.SEQUENCE) || // validity
		!tbs.ReadASN1Element(&subject, cbasn1.SEQUENCE) {
		return nil
	}
	return subject
}

// fastPEM decodes a file of plain PEM blocks (no headers) much faster than encoding/pem,
// which matters for a system bundle read at every run. Anything else — text between
// blocks aside — reports !ok, and the caller falls back to encoding/pem.
func fastPEM(data []byte) ([]*pem.Block, bool) {
	begin, end, dashes := []byte("-----BEGIN "), []byte("-----END "), []byte("-----")
	var out []*pem.Block
	for {
		i := bytes.Index(data, begin)
		if i < 0 {
			return out, true
		}
		if i > 0 && data[i-1] != '\n' {
			return nil, false
		}
		data = data[i+len(begin):]
		j := bytes.Index(data, dashes)
		if j < 0 {
			return nil, false
		}
		typ := string(data[:j])
		data = data[j+len(dashes):]
		k := bytes.Index(data, end)
		if k < 0 {
			return nil, false
		}
		body := data[:k]
		data = data[k+len(end):]
		trailer := []byte(typ + "-----")
		if !bytes.HasPrefix(data, trailer) || bytes.IndexByte(body, ':') >= 0 {
			return nil, false
		}
		data = data[len(trailer):]
		clean := make([]byte, 0, len(body))
		for _, c := range body {
			if c != '\n' && c != '\r' && c != ' ' && c != '\t' {
				clean = append(clean, c)
			}
		}
		der := make([]byte, base64.StdEncoding.DecodedLen(len(clean)))
		n, err := base64.StdEncoding.Decode(der, clean)
		if err != nil {
			return nil, false
		}
		out = append(out, &pem.Block{Type: typ, Bytes: der[:n]})
	}
}
