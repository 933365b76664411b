package starttls

import (
	"bytes"
	"io"
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/testpeer"
)

// TestProtocolsMatchOpenSSL compares Protocols with the list that the
// installed openssl prints for a bad -starttls value.
func TestProtocolsMatchOpenSSL(t *testing.T) {
	bin := testpeer.Need(t, "openssl")
	out, _ := exec.Command(bin, "s_client", "-starttls", "no-such-protocol").CombinedOutput()
	_, list, ok := strings.Cut(string(out), "Value must be one of:")
	if !ok {
		t.Fatalf("openssl did not list the -starttls values:\n%s", out)
	}
	var want []string
	for _, l := range strings.Split(list, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.Contains(l, " ") {
			want = append(want, l)
		}
	}
	if strings.Join(want, ",") != strings.Join(Protocols, ",") {
		t.Errorf("Protocols = %v\nopenssl lists %v", Protocols, want)
	}
	for _, p := range Protocols {
		if !Supported(p) {
			t.Errorf("Protocols lists %q but no dialogue speaks it", p)
		}
	}
	if len(dialogues.Get()) != len(Protocols) {
		t.Errorf("%d dialogues.Get() for %d protocols", len(dialogues.Get()), len(Protocols))
	}
}

func TestUnknownProtocol(t *testing.T) {
	c1, c2 := net.Pipe()
	defer c1.Close()
	defer c2.Close()
	_, err := Upgrade(c1, "SMTP", Options{})
	if err == nil || !strings.HasPrefix(err.Error(), `starttls: unknown protocol "SMTP"`) {
		t.Fatalf("Upgrade(SMTP) error = %v, want unknown protocol", err)
	}
}

// TestReplaysBufferedBytes checks that bytes arriving glued to the
// go-ahead are handed on by the returned conn, not lost in the reader.
func TestReplaysBufferedBytes(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(testDeadline))
		c.Write([]byte("+OK hi\r\n"))
		buf := make([]byte, 6)
		io.ReadFull(c, buf)
		c.Write([]byte("+OK go\r\nEARLY-BYTES"))
		c.Write([]byte("-AND-MORE"))
		io.Copy(io.Discard, c)
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(testDeadline))
	up, err := Upgrade(c, "pop3", Options{Timeout: testDeadline})
	if err != nil {
		t.Fatal(err)
	}
	if nc, ok := up.(interface{ NetConn() net.Conn }); !ok || nc.NetConn() != c {
		t.Errorf("the replaying conn does not unwrap to the socket")
	}
	up.SetDeadline(time.Now().Add(testDeadline))
	want := []byte("EARLY-BYTES-AND-MORE")
	got := make([]byte, len(want))
	if _, err := io.ReadFull(up, got); err != nil {
		t.Fatalf("reading after upgrade: %v (got %q)", err, got)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("read %q after upgrade, want %q", got, want)
	}
}

func TestQuote(t *testing.T) {
	if got := quote("a\x1b[31m", "b"); got != `a\x1b[31m / b` {
		t.Errorf("quote = %q", got)
	}
	if got := quote(strings.Repeat("x", 2000)); len(got) > 520 {
		t.Errorf("quote did not truncate: %d bytes", len(got))
	}
}
