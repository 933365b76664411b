package ct

import (
	"bytes"
	"encoding/asn1"
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

// FuzzPrecertTBS: any TBSCertificate bytes give a TBSCertificate or an
// error, never a panic; what comes out has no SCT extension left to
// drop, so a second pass changes nothing.
func FuzzPrecertTBS(f *testing.F) {
	f.Add([]byte{0x30, 0x00})
	f.Add([]byte{0x30, 0x05, 0xa3, 0x03, 0x30, 0x01, 0x00})
	oid, _ := asn1.Marshal(OIDCertSCTs)
	ext := append([]byte{0x30, byte(len(oid) + 4)}, oid...)
	ext = append(ext, 0x04, 0x02, 0x00, 0x00)
	exts := append([]byte{0xa3, byte(len(ext) + 2), 0x30, byte(len(ext))}, ext...)
	f.Add(append([]byte{0x30, byte(len(exts))}, exts...))
	f.Fuzz(func(t *testing.T, b []byte) {
		out, err := precertTBS(b)
		if err != nil {
			return
		}
		again, err := precertTBS(out)
		if err != nil || !bytes.Equal(again, out) {
			t.Fatalf("%x: second pass %x, %v", out, again, err)
		}
	})
}

func TestPrecertTBSDropsSCTs(t *testing.T) {
	oid, _ := asn1.Marshal(OIDCertSCTs)
	ext := append([]byte{0x30, byte(len(oid) + 4)}, oid...)
	ext = append(ext, 0x04, 0x02, 0x00, 0x00)
	other := []byte{0x30, 0x08, 0x06, 0x03, 0x55, 0x1d, 0x0f, 0x04, 0x01, 0x00}
	body := append(append([]byte{}, other...), ext...)
	in := append([]byte{0x02, 0x01, 0x05, 0xa3, byte(len(body) + 2), 0x30, byte(len(body))}, body...)
	in = append([]byte{0x30, byte(len(in))}, in...)
	want := append([]byte{0x02, 0x01, 0x05, 0xa3, byte(len(other) + 2), 0x30, byte(len(other))}, other...)
	want = append([]byte{0x30, byte(len(want))}, want...)
	got, err := precertTBS(in)
	if err != nil || !bytes.Equal(got, want) {
		t.Errorf("precertTBS = %x, %v; want %x", got, err, want)
	}
}
