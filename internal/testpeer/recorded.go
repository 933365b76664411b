package testpeer

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"
)

// Outcome is what a command printed and returned, in the form recorded
// in testdata: volatile parts (paths, error lines' thread, file and
// line) already normalised by the caller.
type Outcome struct {
	Stdout, Stderr string
	Code           int
}

func (o Outcome) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%sstderr:\n%s", o.Code, o.Stdout, o.Stderr)
}

// Recorded compares outcomes with openssl's, recorded in a txtar file (one
// file of the archive per case) and, when openssl is installed, live;
// with Update it records openssl's live outcomes instead.
type Recorded struct {
	Path    string
	Comment string
	Update  bool

	recorded map[string]string
	out      txtar.Archive
}

// Load reads the recorded outcomes (unless updating).
func (r *Recorded) Load(t *testing.T) {
	t.Helper()
	r.recorded = map[string]string{}
	r.out.Comment = []byte(r.Comment)
	if r.Update {
		Need(t, "openssl")
		return
	}
	a, err := txtar.ParseFile(r.Path)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range a.Files {
		r.recorded[f.Name] = string(f.Data)
	}
}

// Check compares one case: ours (tlskit's command) with theirs
// (openssl's, run only when openssl is installed) and with the recorded
// outcome, or records theirs.
func (r *Recorded) Check(t *testing.T, name string, ours func() Outcome, theirs func() Outcome) {
	t.Helper()
	got := ours().String()
	if _, err := Find("openssl"); err == nil {
		live := theirs().String()
		if r.Update {
			r.out.Files = append(r.out.Files, txtar.File{Name: name, Data: []byte(live)})
			r.recorded[name] = live
		} else if live != got {
			t.Errorf("openssl now:\n%s\ntlskit:\n%s", live, got)
		}
	}
	want, ok := r.recorded[name]
	if !ok {
		t.Fatalf("no recorded outcome for %q in %s; run with -update", name, r.Path)
	}
	if got != want {
		t.Errorf("openssl (recorded in %s):\n%s\ntlskit:\n%s", r.Path, want, got)
	}
}

// Save writes what Check recorded, when updating.
func (r *Recorded) Save(t *testing.T) {
	t.Helper()
	if !r.Update {
		return
	}
	if err := os.MkdirAll(filepath.Dir(r.Path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(r.Path, txtar.Format(&r.out), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Unpath replaces dir in s by "<dir>".
func Unpath(s, dir string) string { return strings.ReplaceAll(s, dir, "<dir>") }
