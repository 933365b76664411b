package starttls

import (
	"bufio"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// record makes the live tests write the plaintext part of each real
// daemon's dialogue to testdata/transcripts, for TestRecordedTranscripts.
var record = flag.Bool("record", false, "record live daemon dialogues.Get() into testdata/transcripts")

// TestRecordedTranscripts replays dialogues recorded from real daemons
// (go test -run Live -record): the client's bytes must match exactly and
// the TLS handshake that follows must succeed.
func TestRecordedTranscripts(t *testing.T) {
	files, err := filepath.Glob("testdata/transcripts/*.txt")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no recorded transcripts in testdata/transcripts")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			tr, err := loadTranscript(f)
			if err != nil {
				t.Fatal(err)
			}
			runTranscript(t, tr)
		})
	}
}

// loadTranscript reads a recorded dialogue: "#" comments, then
// "proto P", optional "host H", "name N" and "error E" (the error Upgrade
// must return), then lines "S <go string>" and
// "C <go string>" for server and client bytes.
func loadTranscript(path string) (transcript, error) {
	f, err := os.Open(path)
	if err != nil {
		return transcript{}, err
	}
	defer f.Close()
	tr := transcript{name: filepath.Base(path)}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, val, _ := strings.Cut(line, " ")
		switch key {
		case "proto":
			tr.proto = val
		case "host":
			tr.opts.Host = val
		case "name":
			tr.opts.Name = val
		case "error":
			tr.wantErr = val
		case "S", "C":
			s, err := strconv.Unquote(val)
			if err != nil {
				return tr, fmt.Errorf("%s:%d: %v", path, n, err)
			}
			if key == "S" {
				tr.steps = append(tr.steps, srv(s))
			} else {
				tr.steps = append(tr.steps, cli(s))
			}
		default:
			return tr, fmt.Errorf("%s:%d: unknown line %q", path, n, line)
		}
	}
	return tr, sc.Err()
}

// recorder is a net.Conn that logs what passes through it, merging
// consecutive chunks that go the same way.
type recorder struct {
	net.Conn
	mu    sync.Mutex
	steps []step
	off   bool // set once the upgrade is done: TLS bytes are not recorded
}

// stop ends the recording.
func (r *recorder) stop() {
	r.mu.Lock()
	r.off = true
	r.mu.Unlock()
}

func (r *recorder) Read(p []byte) (int, error) {
	n, err := r.Conn.Read(p)
	r.add(false, p[:n])
	return n, err
}

func (r *recorder) Write(p []byte) (int, error) {
	n, err := r.Conn.Write(p)
	r.add(true, p[:n])
	return n, err
}

func (r *recorder) add(client bool, p []byte) {
	if len(p) == 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.off {
		return
	}
	if k := len(r.steps) - 1; k >= 0 && (r.steps[k].client != "") == client {
		if client {
			r.steps[k].client += string(p)
		} else {
			r.steps[k].server += string(p)
		}
		return
	}
	if client {
		r.steps = append(r.steps, cli(string(p)))
	} else {
		r.steps = append(r.steps, srv(string(p)))
	}
}

// save writes the recording as testdata/transcripts/name.txt.
func (r *recorder) save(t *testing.T, name, comment, proto string, o Options, upgradeErr error) {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s, recorded by go test -run TestLive -args -record\nproto %s\n", comment, proto)
	if upgradeErr != nil {
		fmt.Fprintf(&b, "error %s\n", upgradeErr)
	}
	if o.Host != "" {
		fmt.Fprintf(&b, "host %s\n", o.Host)
	}
	if o.Name != "" {
		fmt.Fprintf(&b, "name %s\n", o.Name)
	}
	r.mu.Lock()
	for _, st := range r.steps {
		if st.client != "" {
			fmt.Fprintf(&b, "C %q\n", st.client)
		} else {
			fmt.Fprintf(&b, "S %q\n", st.server)
		}
	}
	r.mu.Unlock()
	if err := os.MkdirAll("testdata/transcripts", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join("testdata/transcripts", name+".txt"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}
