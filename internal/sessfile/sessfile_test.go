package sessfile

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/tlskit/tlskit/internal/testpeer"
)

var update = flag.Bool("update", false, "re-record openssl's answers to testdata/cases.txtar into testdata/openssl.txtar")

// errLine matches an openssl error line's thread, source file and line,
// which are not compared.
var errLine = regexp.MustCompile(`(?m)^[0-9A-F]+:error:([0-9A-F]{8}:[^:]*:[^:]*:[^:]*):[^:\n]*:[0-9]+:`)

func normalize(s string) string { return errLine.ReplaceAllString(s, "T:error:$1:F:L:") }

// opensslReads is what openssl 3.0 s_client -sess_in prints on stderr for
// the file at path, normalised; "ok" when it took the session (and went
// on to connect to the closed port, which fails).
func opensslReads(t *testing.T, closed, path string) string {
	_, stderr, _ := testpeer.Run(t, 20*time.Second, "", "openssl", "s_client", "-connect", closed, "-sess_in", path)
	if !strings.Contains(stderr, "Can't open session file") {
		if !strings.Contains(stderr, "BIO_connect") {
			t.Fatalf("openssl s_client -sess_in %s neither failed to read nor connected:\n%s", path, stderr)
		}
		return "ok\n"
	}
	return normalize(stderr)
}

// tlskitReads is what tlskit's s_client prints for the same file: its
// line, then the Error's entries.
func tlskitReads(path string) string {
	_, err := ReadFile(path)
	if err == nil {
		return "ok\n"
	}
	e, ok := err.(*Error)
	if !ok {
		return "not an *Error: " + err.Error() + "\n"
	}
	return normalize(strings.Join(e.Lines("Can't open session file "+path), "\n") + "\n")
}

// TestReadLikeOpenSSL reads each session file of testdata/cases.txtar
// (sessions openssl wrote, then broken in every way we found: bad base64,
// garbage and truncated DER, wrong labels, PEM headers, fields out of
// range, out of order, of the wrong type), an empty file, a directory and
// a missing file, and compares the lines with what openssl 3.0 printed
// (testdata/openssl.txtar), and, when openssl is installed, with what it
// prints now.
func TestReadLikeOpenSSL(t *testing.T) {
	cases, err := txtar.ParseFile("testdata/cases.txtar")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var names []string
	for _, f := range cases.Files {
		if err := os.WriteFile(filepath.Join(dir, f.Name), f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
		names = append(names, f.Name)
	}
	if err := os.Mkdir(filepath.Join(dir, "directory"), 0o755); err != nil {
		t.Fatal(err)
	}
	names = append(names, "directory", "missing")

	recorded := map[string]string{}
	if !*update {
		a, err := txtar.ParseFile("testdata/openssl.txtar")
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range a.Files {
			recorded[f.Name] = string(f.Data)
		}
	}
	_, haveOpenSSL := testpeer.Find("openssl")
	if *update && haveOpenSSL != nil {
		t.Fatalf("-update needs openssl 3.0: %v", haveOpenSSL)
	}
	var closed string
	if haveOpenSSL == nil {
		closed = "127.0.0.1:" + testpeer.ClosedPort(t)
	}
	out := &txtar.Archive{Comment: []byte("openssl 3.0 s_client -sess_in's stderr for each file of cases.txtar (thread, source\nfile and line normalised; <dir> is the directory the files were in; ok: it took the session).\n")}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name)
			got := strings.ReplaceAll(tlskitReads(path), dir, "<dir>")
			if haveOpenSSL == nil {
				live := strings.ReplaceAll(opensslReads(t, closed, path), dir, "<dir>")
				if *update {
					out.Files = append(out.Files, txtar.File{Name: name, Data: []byte(live)})
					recorded[name] = live
				} else if live != got {
					t.Errorf("openssl now:\n%s\ntlskit:\n%s", live, got)
				}
			}
			want, ok := recorded[name]
			if !ok {
				t.Fatalf("no recorded answer for %s; run with -update", name)
			}
			if got != want {
				t.Errorf("openssl (recorded):\n%s\ntlskit:\n%s", want, got)
			}
		})
	}
	if *update {
		if err := os.WriteFile("testdata/openssl.txtar", txtar.Format(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestRoundTrip parses the sessions openssl wrote (s_client -sess_out
// and s_server's printed session, TLS 1.2 and 1.3) and marshals them
// back: the bytes must be openssl's.
func TestRoundTrip(t *testing.T) {
	cases, err := txtar.ParseFile("testdata/cases.txtar")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range cases.Files {
		if !strings.HasPrefix(f.Name, "ok-") {
			continue
		}
		n++
		t.Run(f.Name, func(t *testing.T) {
			s, err := Decode(f.Data)
			if err != nil {
				t.Fatal(err)
			}
			pem, err := s.EncodePEM()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(pem, f.Data) {
				t.Errorf("re-encoded:\n%s\nopenssl's:\n%s", pem, f.Data)
			}
		})
	}
	if n < 4 {
		t.Fatalf("%d sessions of openssl's in testdata, want its client's and server's at TLS 1.2 and 1.3", n)
	}
}

// TestMarshalParse writes a session with every field tlskit fills and
// reads it back.
func TestMarshalParse(t *testing.T) {
	in := &Session{
		Version: 1, SSLVersion: 0x0304, SessionID: bytes.Repeat([]byte{7}, 32),
		MasterKey: bytes.Repeat([]byte{9}, 48), Time: 1700000000, Timeout: 7200,
		SIDCtx: []byte{}, VerifyResult: 18, Hostname: []byte("example.com"),
		PSKHint: []byte("hint"), PSKIdentity: []byte("id"), LifetimeHint: 300,
		Ticket: []byte{1, 2, 3}, Flags: FlagEMS, AgeAdd: 0xfffffffe, MaxEarlyData: 16384,
	}
	in.SetSuite(0x1302)
	in.SetPeer([]byte{0x30, 0x03, 0x02, 0x01, 0x01})
	in.SetALPN("h2")
	in.SetMaxFragLen(2)
	in.SetKexGroup(29)
	der, err := in.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	out, errs := parse(der)
	if errs != nil {
		t.Fatal(errs)
	}
	again, err := out.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(der, again) {
		t.Errorf("marshal, parse, marshal changed the DER:\n%x\n%x", der, again)
	}
	if out.Suite() != 0x1302 || out.ALPNString() != "h2" || out.MaxFragLenCode() != 2 || out.KexGroupID() != 29 ||
		out.AgeAdd != 0xfffffffe || string(out.Hostname) != "example.com" || !bytes.Equal(out.Peer.Bytes, in.Peer.Bytes) {
		t.Errorf("parsed %+v", out)
	}
}

// TestReadFileBounded: ReadFile reads at most MaxFile bytes, so a
// session behind that much padding is not found (and /dev/zero cannot
// grow memory without end), while the same session at the start is.
func TestReadFileBounded(t *testing.T) {
	cases, err := txtar.ParseFile("testdata/cases.txtar")
	if err != nil {
		t.Fatal(err)
	}
	var sess []byte
	for _, f := range cases.Files {
		if strings.HasPrefix(f.Name, "ok-") {
			sess = f.Data
			break
		}
	}
	if sess == nil {
		t.Fatal("no session of openssl's in testdata/cases.txtar")
	}
	dir := t.TempDir()
	front, behind := filepath.Join(dir, "front.pem"), filepath.Join(dir, "behind.pem")
	if err := os.WriteFile(front, sess, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(behind, append(bytes.Repeat([]byte("\n"), MaxFile), sess...), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadFile(front); err != nil {
		t.Fatalf("the session at the start: %v", err)
	}
	var e *Error
	if _, err := ReadFile(behind); !errors.As(err, &e) {
		t.Fatalf("the session behind %d bytes: %v, want an *Error", MaxFile, err)
	}
}
