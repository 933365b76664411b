package keylog

import (
	"os"
	"path/filepath"
	"testing"
)

// TestOpenHeaderOnce: the comment line opens a new file only; a second
// Open appends secrets without another.
func TestOpenHeaderOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys")
	for range 2 {
		f, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		Func(f)("CLIENT_RANDOM", []byte{1, 2}, []byte{0xab})
		f.Close()
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := Header + "CLIENT_RANDOM 0102 ab\nCLIENT_RANDOM 0102 ab\n"
	if string(b) != want {
		t.Errorf("file %q, want %q", b, want)
	}
	if _, err := Open(filepath.Join(path, "under-a-file")); err == nil {
		t.Error("Open under a regular file succeeded")
	}
}
