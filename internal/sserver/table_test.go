package sserver

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEveryOptionHandled guards the option table: an option that is
// neither Unsupported nor NoEffect must be read somewhere in the command's
// code, so no option is silently accepted and ignored.
func TestEveryOptionHandled(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	// The shared option groups are parsed in optgroups (its table file aside).
	shared, _ := filepath.Glob("../optgroups/*.go")
	files = append(files, shared...)
	var code strings.Builder
	for _, f := range files {
		if f == "options.go" || f == filepath.Join("..", "optgroups", "optgroups.go") || strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		code.Write(b)
	}
	src := code.String()
	seen := map[string]bool{}
	for _, o := range Table.List() {
		if o.Name == "" {
			continue
		}
		if seen[o.Name] {
			t.Errorf("-%s is in the table twice", o.Name)
		}
		seen[o.Name] = true
		if o.Help == "" {
			t.Errorf("-%s has no help text", o.Name)
		}
		if o.Unsupported != "" || o.NoEffect || o.Name == "help" {
			continue
		}
		if !strings.Contains(src, `"`+o.Name+`"`) {
			t.Errorf("-%s is accepted but never read; implement it or mark it Unsupported/NoEffect", o.Name)
		}
	}
}
