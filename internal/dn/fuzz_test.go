package dn

import (
	"strings"
	"testing"
)

// FuzzFormat feeds arbitrary bytes as a DER name through every display
// family: formatting untrusted peer names must never panic or hang.
func FuzzFormat(f *testing.F) {
	f.Add([]byte{0x30, 0x00})
	f.Add([]byte("\x30\x14\x31\x12\x30\x10\x06\x03\x55\x04\x03\x0c\x09localhost"))
	f.Add([]byte("\x30\x0f\x31\x0d\x30\x0b\x06\x03\x55\x04\x03\x1e\x04\x00h\xd8\x00"))
	f.Add([]byte("\x30\x0e\x31\x0c\x30\x0a\x06\x03\x55\x04\x03\x0c\x03\xc3\x28\x20"))
	opts := []Options{}
	for _, s := range []string{"oneline", "RFC2253", "multiline", "compat", "utf8", "dump_all,dump_der,show_type", "ignore_type,esc_2254,oid,align", "esc_ctrl,lname"} {
		o, err := ParseOptions(s)
		if err != nil {
			f.Fatal(err)
		}
		opts = append(opts, o)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		for _, o := range opts {
			s, err := FormatIndent(raw, o, 4)
			if err == nil && o.Compat() && strings.Contains(s, "\n") {
				t.Fatalf("compat output spans lines: %q", s)
			}
			_ = Format(raw, o)
		}
	})
}
