package optgroups

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"github.com/tlskit/tlskit/internal/certs"
	"github.com/tlskit/tlskit/internal/opt"
	"github.com/tlskit/tlskit/internal/sslerr"
)

// LoadCANames reads a file of CA names as openssl's
// SSL_add_file_cert_subjects_to_stack does (s_client's -requestCAfile,
// the RequestCAFile and ClientCAFile commands): the subjects of its PEM
// certificates, each once (names of the same DER), appended to names
// in openssl's order (see below). A file that cannot be opened fails,
// with the error queue's lines; one without a certificate adds nothing,
// and so does a directory, which opens (measured with openssl 3.0).
func LoadCANames(names [][]byte, path string) ([][]byte, []string, error) {
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, syscall.EISDIR) {
		return names, fopenLines(path, err), err
	}
	sorted, pending := false, false
	for {
		var b *pem.Block
		if b, data = pem.Decode(data); b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			continue
		}
		// openssl looks each name up in the list with a comparison of
		// their DER (length first, then bytes: not X509_NAME_cmp's
		// canonical forms, so names differing in case or spacing all
		// stay), which sorts the list first, and appends it when not
		// found: the list comes out sorted but for its last name
		// (measured: a file of names 8, 7 and 6 bytes long gives the
		// second, the first, the third). pending is that last name,
		// put in its place at the next look-up.
		if !sorted {
			slices.SortFunc(names, compareNames)
			sorted = true
		} else if pending {
			last := names[len(names)-1]
			i, _ := slices.BinarySearchFunc(names[:len(names)-1], last, compareNames)
			copy(names[i+1:], names[i:len(names)-1])
			names[i] = last
		}
		pending = false
		if _, found := slices.BinarySearchFunc(names, c.RawSubject, compareNames); !found {
			names = append(names, c.RawSubject)
			pending = true
		}
	}
	return names, nil, nil
}

// compareNames orders DER names as openssl's comparison of CA names
// does: by length, then by their bytes.
func compareNames(a, b []byte) int {
	if len(a) != len(b) {
		return len(a) - len(b)
	}
	return bytes.Compare(a, b)
}

// ConfCANames is the option under which applyCommands records a section's
// RequestCAFile and ClientCAFile files, in order (opt.Values.All): no
// command-line option has the name.
const ConfCANames = "conf:RequestCAFile"

// ConfCAPath is the option under which applyCommands records a section's
// RequestCAPath and ClientCAPath directories, among ConfCANames' files.
const ConfCAPath = "conf:RequestCAPath"

// SectionCANames are the CA names of -ssl_config's RequestCAFile,
// ClientCAFile, RequestCAPath, ClientCAPath, RequestCAStore and
// ClientCAStore commands (one list in
// openssl 3.0, in the commands' order), and whether there were any such
// commands. s_client's -requestCAfile and s_server's -CAfile replace
// them, as openssl's applications set their own list after
// SSL_CTX_config (measured).
func SectionCANames(v *opt.Values) ([][]byte, bool) {
	var names [][]byte
	any := false
	for _, x := range v.List {
		switch x.Name {
		case ConfCANames:
			names, _, _ = LoadCANames(names, x.Value) // applyCommands read it
		case ConfCAPath:
			names, _, _, _ = LoadCANamesDir(names, x.Value)
		case ConfCAStore:
			names, _, _ = LoadCANamesStore(names, x.Value)
		default:
			continue
		}
		any = true
	}
	return names, any
}

// LoadCANamesDir reads a directory of CA names as openssl's
// SSL_add_dir_cert_subjects_to_stack does: every entry, in the order the
// directory lists them (not sorted: measured with 3.0.22 on ext4), read
// as LoadCANames reads a file. A directory that does not open fails with
// the error queue's lines; bad is an entry that does not open, whose
// failure tlskit does not word as openssl does.
func LoadCANamesDir(names [][]byte, dir string) (_ [][]byte, lines []string, bad string, err error) {
	f, err := os.Open(dir)
	var entries []string
	if err == nil {
		entries, err = f.Readdirnames(-1)
		f.Close()
	}
	if err != nil {
		const fn = "SSL_add_dir_cert_subjects_to_stack"
		return names, []string{
			sslerr.SysEntry(sslerr.Errno(err), fn, "calling OPENSSL_dir_read("+dir+")").String(),
			sslerr.Entry{Code: 0x0A080002, Lib: "SSL routines", Func: fn, Reason: "system lib"}.String()}, "", err
	}
	for _, e := range entries {
		p := dir + "/" + e
		if names, _, err = LoadCANames(names, p); err != nil {
			return names, nil, p, err
		}
	}
	return names, nil, "", nil
}

// ConfCAStore is the option under which applyCommands records a section's
// RequestCAStore and ClientCAStore URIs, among ConfCANames' files.
const ConfCAStore = "conf:RequestCAStore"

// LoadCANamesStore reads a store of CA names as openssl 3.0.22's
// RequestCAStore and ClientCAStore commands do (measured): a file, named
// by a path or a file: URI, as LoadCANames reads it; a directory's
// entries in the order it lists them (not sorted), each read so, but for
// the entries whose names begin with a dot and subdirectories, which the
// store skips (RequestCAPath reads both). The names go into the same list,
// looked up and appended as LoadCANames does. bad is an entry that does
// not open (openssl's failure there is not matched), err why; the caller
// checked the URI itself (CAStore.Load).
func LoadCANamesStore(names [][]byte, uri string) (_ [][]byte, bad string, err error) {
	path, err := certs.StorePath(uri)
	if err != nil {
		return names, uri, err
	}
	st, err := os.Stat(path)
	if err != nil {
		return names, path, err
	}
	if !st.IsDir() {
		names, _, err = LoadCANames(names, path)
		if err != nil {
			return names, path, err
		}
		return names, "", nil
	}
	f, err := os.Open(path)
	var entries []string
	if err == nil {
		entries, err = f.Readdirnames(-1)
		f.Close()
	}
	if err != nil {
		return names, path, err
	}
	for _, e := range entries {
		if strings.HasPrefix(e, ".") {
			continue
		}
		p := filepath.Join(path, e)
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			continue
		}
		if names, _, err = LoadCANames(names, p); err != nil {
			return names, p, err
		}
	}
	return names, "", nil
}

// fopenLines are the error queue's lines of a file that openssl's BIO
// could not open.
func fopenLines(path string, err error) []string {
	return []string{
		sslerr.SysEntry(sslerr.Errno(err), "file_ctrl", "calling fopen("+path+", r)").String(),
		sslerr.BIOSysLib("file_ctrl").String()}
}
