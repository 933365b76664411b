package sessfile

import (
	"bytes"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"
)

// FuzzDecode feeds session files to the reader: they are user input
// (-sess_in, -psk_session). It must not panic, a failure must be an
// *Error, and a session it takes must marshal and read back the same.
// The seeds are testdata/cases.txtar: openssl's own sessions (s_client
// -sess_out and s_server, TLS 1.2 and 1.3) and broken ones.
func FuzzDecode(f *testing.F) {
	cases, err := txtar.ParseFile("testdata/cases.txtar")
	if err != nil {
		f.Fatal(err)
	}
	for _, c := range cases.Files {
		f.Add(c.Data)
	}
	f.Fuzz(func(t *testing.T, text []byte) {
		s, err := Decode(text)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("%T is not an *Error", err)
			}
			return
		}
		der, err := s.Marshal()
		if err != nil {
			// A parsed field Go's encoder refuses (none is known).
			t.Fatalf("marshal: %v", err)
		}
		s2, errs := parse(der)
		if errs != nil {
			t.Fatalf("re-parse of %x: %v", der, errs)
		}
		der2, _ := s2.Marshal()
		if !bytes.Equal(der, der2) {
			t.Fatalf("marshal is not stable:\n%x\n%x", der, der2)
		}
	})
}
