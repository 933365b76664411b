package optgroups

import (
	"crypto"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tlskit/tlskit/internal/engine"
	"github.com/tlskit/tlskit/internal/opt"
	"github.com/tlskit/tlskit/internal/sslconf"
	"github.com/tlskit/tlskit/internal/testpeer"
)

// TestSectionIdentitiesReadOnce: a section's Certificate and PrivateKey
// files (and a certificate's file read for its key at the end) are read
// as the commands are applied, and SectionIdentities gives what was read
// then: with the files gone it still gives the same certificates and
// keys, the current slot, and the slot ServerInfoFile went to.
func TestSectionIdentitiesReadOnce(t *testing.T) {
	pki := testpeer.NewPKI(t)
	dir := t.TempDir()
	both := filepath.Join(dir, "both.pem")
	var data []byte
	for _, f := range []string{pki.Server, pki.ServerKey} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		data = append(data, b...)
	}
	if err := os.WriteFile(both, data, 0o600); err != nil {
		t.Fatal(err)
	}
	si := filepath.Join(dir, "si.pem")
	if err := os.WriteFile(si, []byte("-----BEGIN SERVERINFO FOR TEST-----\nA+gAAmFi\n-----END SERVERINFO FOR TEST-----\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	old := ServerInfoReader
	ServerInfoReader = func(string) ([]engine.ServerInfo, error) { return nil, nil }
	defer func() { ServerInfoReader = old }()
	// The EC certificate with its key, then the RSA one whose key is read
	// from its own file at the end; the ServerInfoFile goes to the EC slot,
	// current when it applies.
	cmds := []sslconf.Command{{Name: "Certificate", Value: pki.ECServer}, {Name: "PrivateKey", Value: pki.ECServerKey},
		{Name: "ServerInfoFile", Value: si}, {Name: "Certificate", Value: both}}
	out, r := applyCommands(&opt.Values{}, cmds, Server, (&opt.Table{Options: TLS()}).Lookup, "certs")
	if r.failed || r.refused {
		t.Fatalf("commands not applied: %q", r.lines)
	}
	want := SectionIdentities(out)
	if len(want.Identities) != 2 || want.Current != 0 || want.ServerInfoSlot != slotEC {
		t.Fatalf("before removing the files: %d identities, current %d, serverinfo slot %d; want 2, 0 (RSA), %d (EC)",
			len(want.Identities), want.Current, want.ServerInfoSlot, slotEC)
	}
	for _, p := range []string{pki.Dir, dir} {
		if err := os.RemoveAll(p); err != nil {
			t.Fatal(err)
		}
	}
	got := SectionIdentities(out)
	if got.Current != want.Current || got.ServerInfoSlot != want.ServerInfoSlot || len(got.Identities) != len(want.Identities) {
		t.Fatalf("after removing the files: %+v, want %+v", got, want)
	}
	for i := range got.Identities {
		g, w := got.Identities[i], want.Identities[i]
		if !slices.EqualFunc(g.Chain, w.Chain, slices.Equal) || g.Key == nil || !g.Key.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(w.Key.Public()) {
			t.Errorf("identity %d changed after the files were removed", i)
		}
	}
}

// TestCANamesCapped: a file of CA names is read up to 8 MiB, as a
// Certificate file is: RequestCAFile, RequestCAPath and RequestCAStore
// refuse a larger one (/dev/zero, a sparse 9 MiB file), saying so, and
// s_client's -requestCAfile reading (LoadCANames) fails with the line.
func TestCANamesCapped(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.pem")
	if err := os.WriteFile(big, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(big, 9<<20); err != nil {
		t.Fatal(err)
	}
	for _, c := range []sslconf.Command{{Name: "RequestCAFile", Value: "/dev/zero"}, {Name: "RequestCAFile", Value: big},
		{Name: "ClientCAPath", Value: dir}, {Name: "RequestCAStore", Value: dir}, {Name: "RequestCAStore", Value: "file:" + big}} {
		_, r := applyCommands(&opt.Values{}, []sslconf.Command{c}, Server, (&opt.Table{Options: TLS()}).Lookup, "names")
		if !r.refused || len(r.lines) != 1 || !strings.Contains(r.lines[0], "larger than 8 MiB") {
			t.Errorf("%s = %s: refused %v, failed %v, %q", c.Name, c.Value, r.refused, r.failed, r.lines)
		}
	}
	if _, lines, err := LoadCANames(nil, big); !errors.Is(err, errTooLarge) || len(lines) != 1 || !strings.Contains(lines[0], big) {
		t.Errorf("LoadCANames: %v, %q", err, lines)
	}
}
