package optgroups

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/tlskit/tlskit/internal/opt"
	"github.com/tlskit/tlskit/internal/sslconf"
	"github.com/tlskit/tlskit/internal/testpeer"
)

// TestSectionCANamesReadOnce: a section's RequestCAFile, ClientCAPath and
// RequestCAStore files are read as the commands are applied, and
// SectionCANames makes the names list from what was read then: with the
// files gone it still gives the names LoadCANames reads from them, in
// the commands' order.
func TestSectionCANamesReadOnce(t *testing.T) {
	pki := testpeer.NewPKI(t)
	dir := t.TempDir()
	client, err := os.ReadFile(pki.Client)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "client.pem"), client, 0o644); err != nil {
		t.Fatal(err)
	}
	var want [][]byte
	for _, f := range []string{pki.SelfSigned, pki.Client, pki.CA} {
		if want, _, err = LoadCANames(want, f); err != nil {
			t.Fatal(err)
		}
	}
	cmds := []sslconf.Command{{Name: "RequestCAFile", Value: pki.SelfSigned},
		{Name: "ClientCAPath", Value: dir}, {Name: "RequestCAStore", Value: pki.CA}}
	out, r := applyCommands(&opt.Values{}, cmds, Server, (&opt.Table{Options: TLS()}).Lookup, "names")
	if r.failed || r.refused {
		t.Fatalf("commands not applied: %q", r.lines)
	}
	for _, p := range []string{pki.Dir, dir} {
		if err := os.RemoveAll(p); err != nil {
			t.Fatal(err)
		}
	}
	got, ok := SectionCANames(out)
	if !ok || len(want) != 3 || !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("names %q (%v), want %q", got, ok, want)
	}
}
