package optgroups

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"slices"
	"strings"

	"github.com/tlskit/tlskit/internal/certs"
	"github.com/tlskit/tlskit/internal/opt"
	"github.com/tlskit/tlskit/internal/sslerr"
)

// LoadCANames reads a file of CA names as openssl's
// SSL_add_file_cert_subjects_to_stack does (s_client's -requestCAfile,
// the RequestCAFile and ClientCAFile commands): the subjects of its PEM
// certificates, each once (names of the same DER), appended to names
// in openssl's order (see addCANames). A file that cannot be opened
// fails, with the error queue's lines; one without a certificate adds
// nothing, and so does a directory, which opens (measured with openssl
// 3.0).
func LoadCANames(names [][]byte, path string) ([][]byte, []string, error) {
	subjects, lines, err := readCANames(path)
	return addCANames(names, subjects), lines, err
}

// readCANames reads the subjects of a file's PEM certificates, in file
// order, repeats included, for addCANames; see LoadCANames. It reads at
// most 8 MiB (readSectionFile): a larger file is errTooLarge, with a
// line saying so.
func readCANames(path string) (subjects [][]byte, lines []string, err error) {
	data, err := readSectionFile(path)
	if errors.Is(err, errTooLarge) {
		return nil, []string{path + ": " + err.Error()}, err
	}
	if err != nil {
		return nil, fopenLines(path, err), err
	}
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
		subjects = append(subjects, c.RawSubject)
	}
	return subjects, nil, nil
}

// addCANames appends one file's subjects (readCANames) to names as
// openssl does.
func addCANames(names, subjects [][]byte) [][]byte {
	sorted, pending := false, false
	for _, subject := range subjects {
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
		if _, found := slices.BinarySearchFunc(names, subject, compareNames); !found {
			names = append(names, subject)
			pending = true
		}
	}
	return names
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
		case ConfCANames, ConfCAPath, ConfCAStore:
		default:
			continue
		}
		if files, ok := x.Loaded.(*caNameFiles); ok {
			for _, subjects := range *files {
				names = addCANames(names, subjects)
			}
		}
		any = true
	}
	return names, any
}

// caNameFiles are the CA names one RequestCAFile, RequestCAPath or
// RequestCAStore command (or a ClientCA one) read, as applyCommands
// applied it: each file's subjects (readCANames), in the order the
// command read the files. opt.Value.Loaded keeps them for
// SectionCANames, which does not read the files again.
type caNameFiles [][][]byte

// readCANamesDir reads a directory of CA names as openssl's
// SSL_add_dir_cert_subjects_to_stack does (RequestCAPath, ClientCAPath):
// every entry (walkCANames). A directory that does not open fails with
// the error queue's lines; bad is an entry that does not open, whose
// failure tlskit does not word as openssl does.
func readCANamesDir(dir string) (files caNameFiles, lines []string, bad string, err error) {
	files, bad, err = walkCANames(dir, false)
	if err != nil && bad == "" {
		const fn = "SSL_add_dir_cert_subjects_to_stack"
		return nil, []string{
			sslerr.SysEntry(sslerr.Errno(err), fn, "calling OPENSSL_dir_read("+dir+")").String(),
			sslerr.Entry{Code: 0x0A080002, Lib: "SSL routines", Func: fn, Reason: "system lib"}.String()}, "", err
	}
	return files, nil, bad, err
}

// walkCANames reads each entry of a directory as readCANames reads a
// file, in the order the directory lists them (not sorted: measured with
// 3.0.22 on ext4): files are their subjects, one list per entry. A store
// (RequestCAStore) skips the entries whose names begin with a dot and
// the subdirectories, which RequestCAPath reads (a directory reads as
// empty). err is why the directory (bad "") or the entry bad does not
// read.
func walkCANames(dir string, store bool) (files caNameFiles, bad string, err error) {
	f, err := os.Open(dir)
	var entries []string
	if err == nil {
		entries, err = f.Readdirnames(-1)
		f.Close()
	}
	if err != nil {
		return nil, "", err
	}
	for _, e := range entries {
		p := dir + "/" + e
		if store {
			if strings.HasPrefix(e, ".") {
				continue
			}
			if st, err := os.Stat(p); err == nil && st.IsDir() {
				continue
			}
		}
		subjects, _, err := readCANames(p)
		if err != nil {
			return files, p, err
		}
		files = append(files, subjects)
	}
	return files, "", nil
}

// ConfCAStore is the option under which applyCommands records a section's
// RequestCAStore and ClientCAStore URIs, among ConfCANames' files.
const ConfCAStore = "conf:RequestCAStore"

// readCANamesStore reads a store of CA names as openssl 3.0.22's
// RequestCAStore and ClientCAStore commands do (measured): a file, named
// by a path or a file: URI, as LoadCANames reads it; a directory's
// entries as walkCANames reads a store's. files are their subjects, one
// list per file, which go into the same list as RequestCAFile's. bad is
// what does not read (the store itself, or an entry), err why: the
// caller then loads the store as CAStore.Load does for openssl's error
// lines, or words the failure itself.
func readCANamesStore(uri string) (files caNameFiles, bad string, err error) {
	path, err := certs.StorePath(uri)
	if err != nil {
		return nil, uri, err
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, path, err
	}
	if !st.IsDir() {
		subjects, _, err := readCANames(path)
		if err != nil {
			return nil, path, err
		}
		return caNameFiles{subjects}, "", nil
	}
	files, bad, err = walkCANames(path, true)
	if err != nil && bad == "" {
		bad = path
	}
	return files, bad, err
}

// fopenLines are the error queue's lines of a file that openssl's BIO
// could not open.
func fopenLines(path string, err error) []string {
	return []string{
		sslerr.SysEntry(sslerr.Errno(err), "file_ctrl", "calling fopen("+path+", r)").String(),
		sslerr.BIOSysLib("file_ctrl").String()}
}
