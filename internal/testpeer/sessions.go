package testpeer

import (
	"encoding/asn1"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"
)

// BrokenSessions are session files broken in the ways a -sess_in or
// -psk_session file can be.
type BrokenSessions struct {
	Base64    string // PEM "SSL SESSION PARAMETERS" whose base64 does not decode
	Garbage   string // valid PEM over bytes that are no DER
	Truncated string // a session's DER cut in half
	Label     string // a session under another PEM label
	Empty     string // an empty file
}

// BrokenSessionFiles writes BrokenSessions into dir.
func BrokenSessionFiles(t testing.TB, dir string) BrokenSessions {
	t.Helper()
	// The head of a TLS 1.3 SSL_SESSION, as openssl encodes it.
	der, err := asn1.Marshal(struct {
		Version, SSLVersion          int
		Cipher, SessionID, MasterKey []byte
		Time                         int64  `asn1:"explicit,tag:1"`
		Ticket                       []byte `asn1:"explicit,tag:10"`
	}{1, 0x0304, []byte{0x13, 0x02}, make([]byte, 32), make([]byte, 48), 1700000000, make([]byte, 100)})
	if err != nil {
		t.Fatal(err)
	}
	block := func(label string, b []byte) []byte { return pem.EncodeToMemory(&pem.Block{Type: label, Bytes: b}) }
	b := BrokenSessions{
		Base64: filepath.Join(dir, "base64.pem"), Garbage: filepath.Join(dir, "garbage.pem"),
		Truncated: filepath.Join(dir, "truncated.pem"), Label: filepath.Join(dir, "label.pem"),
		Empty: filepath.Join(dir, "empty.pem"),
	}
	for path, data := range map[string][]byte{
		b.Base64:    []byte("-----BEGIN SSL SESSION PARAMETERS-----\n!!not*base64@@\n-----END SSL SESSION PARAMETERS-----\n"),
		b.Garbage:   block("SSL SESSION PARAMETERS", []byte("hello, this is no DER at all")),
		b.Truncated: block("SSL SESSION PARAMETERS", der[:len(der)/2]),
		b.Label:     block("SSL SESSION", der),
		b.Empty:     nil,
	} {
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return b
}
