package optgroups

import (
	"crypto"
	"os"
	"path/filepath"
	"slices"
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
