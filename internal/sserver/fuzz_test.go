package sserver

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzReadRequest: any bytes from a client give a request or an error,
// never a panic, and never more than the limits allow.
func FuzzReadRequest(f *testing.F) {
	for _, s := range []string{"GET / HTTP/1.0\r\n\r\n", "GET /a\n", "GET /x HTTP/1.1\r\nHost: a\r\n\r\n", "\r\n", "GET", strings.Repeat("A", 9000)} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, target, err := readRequest(bufio.NewReaderSize(bytes.NewReader(b), 1024))
		if err == nil && (len(m)+len(target) > maxRequestLine || m == "" || target == "") {
			t.Fatalf("accepted %q %q", m, target)
		}
	})
}

// FuzzServeFile: no request target reaches a file outside the served
// directory, whatever its encoding.
func FuzzServeFile(f *testing.F) {
	for _, s := range []string{"/a.txt", "/../secret", "/%2e%2e/secret", "//etc/passwd", "/link", "/up/secret", "/..%2fsecret", "/a.txt?x=/../secret"} {
		f.Add(s)
	}
	base := f.TempDir()
	dir := filepath.Join(base, "www")
	os.Mkdir(dir, 0o755)
	os.WriteFile(filepath.Join(base, "secret"), []byte("SECRET-CONTENT"), 0o644)
	os.WriteFile(filepath.Join(dir, "a.txt"), []byte("public"), 0o644)
	os.Symlink(filepath.Join(base, "secret"), filepath.Join(dir, "link"))
	os.Symlink(base, filepath.Join(dir, "up"))
	s := &server{c: &config{mode: modeFiles, docRoot: dir, quiet: true}}
	f.Fuzz(func(t *testing.T, target string) {
		var w bytes.Buffer
		s.serveFile(&w, target)
		if bytes.Contains(w.Bytes(), []byte("SECRET-CONTENT")) {
			t.Fatalf("%q served the secret", target)
		}
	})
}

// FuzzParseServerInfo: any -serverinfo file gives extensions or a
// reason, never a panic; every extension read has the length its block
// declared and an extension type, and version 1 blocks get openssl's
// version 1 context.
func FuzzParseServerInfo(f *testing.F) {
	for _, s := range []string{
		"-----BEGIN SERVERINFO FOR X-----\nA+gAAmhp\n-----END SERVERINFO FOR X-----\n",
		"-----BEGIN SERVERINFOV2 FOR X-----\nAAARgAPoAAJoaQ==\n-----END SERVERINFOV2 FOR X-----\n",
		"-----BEGIN SERVERINFO FOR X-----\nA+gABmhp\n-----END SERVERINFO FOR X-----\n",
		"-----BEGIN CERTIFICATE-----\nA+gAAmhp\n-----END CERTIFICATE-----\n",
		"junk", "",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		exts, _, err := parseServerInfo(b)
		if err != nil && exts != nil {
			t.Fatalf("extensions with an error: %v", err)
		}
		for _, x := range exts {
			if len(x.Data) > 0xffff {
				t.Fatalf("extension of %d bytes", len(x.Data))
			}
		}
	})
}
