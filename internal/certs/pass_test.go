package certs

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestReadPass(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, filepath.Join(dir, "pw"), []byte("from file\nsecond line\n"))
	noNL := writeFile(t, filepath.Join(dir, "nonl"), []byte("no newline"))
	crlf := writeFile(t, filepath.Join(dir, "crlf"), []byte("dos\r\n"))
	emptyLine := writeFile(t, filepath.Join(dir, "emptyline"), []byte("\nx\n"))
	empty := writeFile(t, filepath.Join(dir, "empty"), nil)
	long := writeFile(t, filepath.Join(dir, "long"), []byte(strings.Repeat("a", 2000)+"\n"))
	t.Setenv("TLSKIT_TEST_PASS", "from env")
	t.Setenv("TLSKIT_TEST_EMPTY", "")

	tests := []struct {
		spec, want, wantErr string
	}{
		{"", "", ""},
		{"pass:literal", "literal", ""},
		{"pass:", "", ""},
		{"pass:with:colons", "with:colons", ""},
		{"env:TLSKIT_TEST_PASS", "from env", ""},
		{"env:TLSKIT_TEST_EMPTY", "", ""},
		{"file:" + file, "from file", ""},
		{"file:" + noNL, "no newline", ""},
		{"file:" + crlf, "dos\r", ""}, // openssl keeps the \r too
		{"file:" + emptyLine, "", ""},
		{"file:" + long, strings.Repeat("a", passMax), ""},
		{"env:TLSKIT_TEST_UNSET", "", `cannot load pass phrase from "env:TLSKIT_TEST_UNSET": environment variable TLSKIT_TEST_UNSET is not set`},
		{"file:" + filepath.Join(dir, "nope"), "", `from "file:` + filepath.Join(dir, "nope") + `": no such file`},
		{"file:" + empty, "", "input is empty"},
		{"fd:abc", "", "not a file descriptor number"},
		{"fd:987654", "", "bad file descriptor"},
		{"mysecret", "", "invalid pass phrase argument: use pass:TEXT, env:VAR, file:PATH, fd:N or stdin"},
		{"bogus:x", "", "invalid pass phrase argument"},
		{"stdinx", "", "invalid pass phrase argument"},
	}
	for _, tc := range tests {
		t.Run(tc.spec, func(t *testing.T) {
			got, err := ReadPass(tc.spec)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("ReadPass(%q) error = %v, want %q", tc.spec, err, tc.wantErr)
				}
				var le *LoadError
				if !errors.As(err, &le) {
					t.Errorf("error is %T, not *LoadError", err)
				}
				if strings.Contains(err.Error(), "mysecret") {
					t.Errorf("error %q echoes what may be the pass phrase", err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("ReadPass(%q) = %q, %v; want %q", tc.spec, got, err, tc.want)
			}
		})
	}
}

func TestReadPassFD(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("fd: pass phrases need Unix descriptors")
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	fmt.Fprint(w, "piped secret\nrest")
	w.Close()
	got, err := ReadPass(fmt.Sprintf("fd:%d", r.Fd()))
	if err != nil || got != "piped secret" {
		t.Fatalf("ReadPass(fd) = %q, %v; want %q", got, err, "piped secret")
	}
	// Only the first line is consumed, and the descriptor stays open for its owner.
	rest, err := io.ReadAll(r)
	if err != nil || string(rest) != "rest" {
		t.Errorf("after ReadPass the pipe holds %q, %v; want %q", rest, err, "rest")
	}
}

func TestReadPassStdin(t *testing.T) {
	in := strings.NewReader("typed\nsession data\n")
	defer testOnlySetStdin(in)()
	got, err := ReadPass("stdin")
	if err != nil || got != "typed" {
		t.Fatalf("ReadPass(stdin) = %q, %v; want %q", got, err, "typed")
	}
	if rest, _ := io.ReadAll(in); string(rest) != "session data\n" {
		t.Errorf("ReadPass consumed more than one line; left %q", rest)
	}

	defer testOnlySetStdin(strings.NewReader(""))()
	if _, err := ReadPass("stdin"); err == nil || !strings.Contains(err.Error(), `from "stdin": no pass phrase`) {
		t.Errorf("ReadPass(stdin) on empty input: error = %v", err)
	}
}

// TestPassSourcesDecrypt feeds each source into LoadPrivateKey, end to end.
func TestPassSourcesDecrypt(t *testing.T) {
	f := makeFixtures(t)
	pwFile := writeFile(t, filepath.Join(t.TempDir(), "pw"), []byte(testPass+"\n"))
	t.Setenv("TLSKIT_TEST_KEYPASS", testPass)
	defer testOnlySetStdin(strings.NewReader(testPass + "\n"))()
	for _, spec := range []string{"pass:" + testPass, "env:TLSKIT_TEST_KEYPASS", "file:" + pwFile, "stdin"} {
		pass, err := ReadPass(spec)
		if err != nil {
			t.Fatalf("%s: %v", spec, err)
		}
		if _, err := LoadPrivateKey(f.path("rsa-pbes2.pem"), FormatPEM, pass); err != nil {
			t.Errorf("%s: %v", spec, err)
		}
	}
}
