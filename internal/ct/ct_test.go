package ct

import (
	"bytes"
	"testing"
)

func TestParseListRoundTrip(t *testing.T) {
	s := SCT{Version: Version1, Timestamp: 1700000000123, Extensions: []byte{1, 2}, HashAlg: 4, SigAlg: 3, Signature: []byte("sig")}
	s.LogID[0] = 0xAB
	list := MarshalList(s.Marshal(), s.Marshal())
	got, err := ParseList(list, FromOCSP)
	if err != nil || len(got) != 2 {
		t.Fatalf("ParseList: %v %d", err, len(got))
	}
	if g := got[1]; g.Timestamp != s.Timestamp || g.LogID != s.LogID || !bytes.Equal(g.Signature, s.Signature) ||
		!bytes.Equal(g.Extensions, s.Extensions) || g.Source != FromOCSP {
		t.Errorf("got %+v", g)
	}
	for _, bad := range [][]byte{nil, {0, 0}, list[:len(list)-1], append(list, 0), MarshalList(nil)} {
		if _, err := ParseList(bad, FromTLSExtension); err == nil {
			t.Errorf("accepted %x", bad)
		}
	}
	if ts := timestamp(1700000000123); ts != "Nov 14 22:13:20.123 2023 GMT" {
		t.Errorf("timestamp %q", ts) // openssl 3.0.22 printed this for the same SCT
	}
}

// FuzzParseList: any bytes give SCTs or an error, never a panic; what
// parses marshals back to the same list.
func FuzzParseList(f *testing.F) {
	s := SCT{Version: Version1, HashAlg: 4, SigAlg: 3, Signature: []byte("sig")}
	f.Add(MarshalList(s.Marshal()))
	f.Add([]byte{0, 3, 0, 1, 7})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		scts, err := ParseList(b, FromTLSExtension)
		if err != nil {
			return
		}
		var raw [][]byte
		for _, x := range scts {
			if x.Version != Version1 {
				return
			}
			raw = append(raw, x.Marshal())
		}
		if again := MarshalList(raw...); !bytes.Equal(again, b) {
			t.Fatalf("%x marshals back as %x", b, again)
		}
	})
}
