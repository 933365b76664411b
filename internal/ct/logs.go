package ct

import (
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"io/fs"
	"os"
	"strings"
	"syscall"

	"github.com/tlskit/tlskit/internal/sslconf"
	"github.com/tlskit/tlskit/internal/sslerr"
)

// DefaultLogListPath is openssl's default CT log list, ct_log_list.cnf
// in the OPENSSLDIR of Debian's and Ubuntu's openssl 3.0; $CTLOG_FILE
// replaces it, as in openssl.
const DefaultLogListPath = "/usr/lib/ssl/ct_log_list.cnf"

// DefaultLogList is the path openssl reads without -ctlogfile.
func DefaultLogList() string {
	if p := os.Getenv("CTLOG_FILE"); p != "" {
		return p
	}
	return DefaultLogListPath
}

// Log is one CT log of a log list.
type Log struct {
	Description string
	Key         crypto.PublicKey
	ID          [32]byte // SHA-256 of the key's SubjectPublicKeyInfo (RFC 6962 §3.2)
}

// LogStore is the logs SCTs are checked against.
type LogStore struct{ Logs []Log }

// Find is the log with the given ID.
func (s *LogStore) Find(id [32]byte) *Log {
	if s == nil {
		return nil
	}
	for i := range s.Logs {
		if s.Logs[i].ID == id {
			return &s.Logs[i]
		}
	}
	return nil
}

// LoadError is a log list openssl would refuse, with openssl's error
// lines (s_client prints them and exits 1).
type LoadError struct{ Lines []string }

func (e *LoadError) Error() string { return strings.Join(e.Lines, "\n") }

// LoadLogList reads a CT log list file as openssl's CTLOG_STORE_load_file
// does: "enabled_logs" in the default section names, comma-separated,
// the sections that each give a log's "description" and base64 DER
// "key". A file that cannot be read, or a log without a usable key, is
// "log conf invalid".
func LoadLogList(path string) (*LogStore, error) {
	invalid := sslerr.Entry{Code: 0x1900006D, Lib: "CT routines", Func: "CTLOG_STORE_load_file", Reason: "log conf invalid"}
	f, err := sslconf.ReadFile(path)
	if err != nil {
		var lines []string
		if errors.Is(err, fs.ErrNotExist) {
			lines = append(sslerr.Report{Entries: sslerr.BIONewFile(int(syscall.ENOENT), path, "rb")}.Lines(),
				sslerr.Entry{Code: 0x07000072, Lib: "configuration file routines", Func: "def_load", Reason: "no such file"}.String())
		}
		return nil, &LoadError{append(lines, invalid.String())}
	}
	enabled, ok := f.Get("default", "enabled_logs")
	if !ok {
		return nil, &LoadError{[]string{invalid.String()}}
	}
	store := &LogStore{}
	for _, name := range strings.Split(enabled, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		desc, ok1 := f.Get(name, "description")
		key, ok2 := f.Get(name, "key")
		der, err := base64.StdEncoding.DecodeString(key)
		var pub crypto.PublicKey
		if err == nil {
			pub, err = x509.ParsePKIXPublicKey(der)
		}
		if !ok1 || !ok2 || err != nil {
			return nil, &LoadError{[]string{invalid.String()}}
		}
		store.Logs = append(store.Logs, Log{Description: desc, Key: pub, ID: sha256.Sum256(der)})
	}
	return store, nil
}
