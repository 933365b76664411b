package optgroups

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"slices"
	"syscall"

	"github.com/tlskit/tlskit/internal/sslerr"
)

// LoadCANames reads a file of CA names as openssl's
// SSL_add_file_cert_subjects_to_stack does (s_client's -requestCAfile,
// the RequestCAFile and ClientCAFile commands): the subjects of its PEM
// certificates in file order, each once, appended to names unless there
// already. A file that cannot be opened fails, with the error queue's
// lines; one without a certificate adds nothing, and so does a directory,
// which opens (measured with openssl 3.0).
func LoadCANames(names [][]byte, path string) ([][]byte, []string, error) {
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, syscall.EISDIR) {
		return names, fopenLines(path, err), err
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
		if !slices.ContainsFunc(names, func(n []byte) bool { return bytes.Equal(n, c.RawSubject) }) {
			names = append(names, c.RawSubject)
		}
	}
	return names, nil, nil
}

// ConfCANames is the option under which applyCommands records a section's
// RequestCAFile and ClientCAFile files, in order (opt.Values.All): no
// command-line option has the name.
const ConfCANames = "conf:RequestCAFile"

// SectionCANames are the CA names of -ssl_config's RequestCAFile and
// ClientCAFile commands (one list in openssl 3.0), and whether there were
// any such commands. s_client's -requestCAfile and s_server's -CAfile
// replace them, as openssl's applications set their own list after
// SSL_CTX_config (measured).
func SectionCANames(v interface{ All(string) []string }) ([][]byte, bool) {
	files := v.All(ConfCANames)
	var names [][]byte
	for _, f := range files {
		names, _, _ = LoadCANames(names, f) // applyCommands read each
	}
	return names, len(files) > 0
}

// fopenLines are the error queue's lines of a file that openssl's BIO
// could not open.
func fopenLines(path string, err error) []string {
	return []string{
		sslerr.SysEntry(sslerr.Errno(err), "file_ctrl", "calling fopen("+path+", r)").String(),
		sslerr.BIOSysLib("file_ctrl").String()}
}
