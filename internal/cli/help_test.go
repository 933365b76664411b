package cli

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tlskit/tlskit/internal/opt"
	"github.com/tlskit/tlskit/internal/sclient"
	"github.com/tlskit/tlskit/internal/sserver"
	"github.com/tlskit/tlskit/internal/testpeer"
)

var update = flag.Bool("update", false, "re-record openssl's -help output into testdata")

var tables = []*opt.Table{sclient.Table, sserver.Table}

// recordedHelp returns openssl's -help output for t's command, from testdata,
// re-recording it first with -update.
func recordedHelp(t *testing.T, tab *opt.Table) string {
	t.Helper()
	file := filepath.Join("testdata", "openssl-"+tab.Prog+"-help.txt")
	if *update {
		var stderr bytes.Buffer
		cmd := exec.Command("openssl", tab.Prog, "-help")
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("openssl %s -help: %v", tab.Prog, err)
		}
		if err := os.WriteFile(file, stderr.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestHelpMatchesOpenSSL renders each command's -help and compares it with
// openssl's, line by line: same sections, order, value words and help text.
// The only allowed difference is the note on options that have no effect.
func TestHelpMatchesOpenSSL(t *testing.T) {
	for _, tab := range tables {
		t.Run(tab.Prog, func(t *testing.T) {
			want := recordedHelp(t, tab)
			var b bytes.Buffer
			tab.WriteHelp(&b)
			got := strings.ReplaceAll(b.String(), " (no effect in tlskit)", "")
			if got != want {
				gl, wl := strings.Split(got, "\n"), strings.Split(want, "\n")
				for i := 0; i < len(gl) || i < len(wl); i++ {
					var g, w string
					if i < len(gl) {
						g = gl[i]
					}
					if i < len(wl) {
						w = wl[i]
					}
					if g != w {
						t.Fatalf("-help differs from openssl's at line %d:\n got: %q\nwant: %q", i+1, g, w)
					}
				}
			}
		})
	}
}

var helpLine = regexp.MustCompile(`^ -(\S+)`)

// TestEveryOpenSSLOptionKnown fails when an option openssl lists is missing
// from our table, and checks the table's own invariants.
func TestEveryOpenSSLOptionKnown(t *testing.T) {
	for _, tab := range tables {
		t.Run(tab.Prog, func(t *testing.T) {
			seen := map[string]bool{}
			for _, o := range tab.List() {
				if o.Name == "" {
					continue
				}
				if seen[o.Name] {
					t.Errorf("duplicate option -%s", o.Name)
				}
				seen[o.Name] = true
				if o.Help == "" {
					t.Errorf("-%s has no help text", o.Name)
				}
				if o.NoEffect && o.Unsupported != "" {
					t.Errorf("-%s is both no-effect and unsupported", o.Name)
				}
			}
			n := 0
			for _, l := range strings.Split(recordedHelp(t, tab), "\n") {
				if m := helpLine.FindStringSubmatch(l); m != nil {
					n++
					if !seen[m[1]] {
						t.Errorf("openssl's -%s is missing from the table", m[1])
					}
				}
			}
			if n < 150 {
				t.Fatalf("only %d options found in openssl's help; the recording looks wrong", n)
			}
		})
	}
}

// TestRecordedHelpIsCurrent compares the recording with the openssl on this
// machine, when there is one, so a drift in openssl is noticed.
func TestRecordedHelpIsCurrent(t *testing.T) {
	testpeer.Need(t, "openssl") // 3.0.x, as recorded
	for _, tab := range tables {
		var stderr bytes.Buffer
		cmd := exec.Command("openssl", tab.Prog, "-help")
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("openssl %s -help: %v", tab.Prog, err)
		}
		if stderr.String() != recordedHelp(t, tab) {
			t.Errorf("openssl %s -help differs from testdata; run go test -update", tab.Prog)
		}
	}
}

// TestOptionsOpenSSLLacksAreUnknown checks that options of the manuals which
// the OpenSSL 3.0 build here does not know are unknown to tlskit too: scripts
// probe for features with "s_client -OPTION" and grep for "unknown option"
// (internal/consumers compares every option name with openssl).
func TestOptionsOpenSSLLacksAreUnknown(t *testing.T) {
	for _, tab := range tables {
		for _, name := range []string{"sctp", "sctp_label_bug", "ssl3", "CRLForm"} {
			if _, ok := tab.Lookup(name); ok {
				t.Errorf("%s: -%s is in the table, but openssl 3.0 here says Unknown option", tab.Prog, name)
			}
		}
	}
}
