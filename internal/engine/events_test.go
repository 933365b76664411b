package engine

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/engine/msg"
	"github.com/tlskit/tlskit/internal/testpeer"
)

var versionNames = map[uint16]string{0x0301: "TLS 1.0", 0x0302: "TLS 1.1", 0x0303: "TLS 1.2", 0x0304: "TLS 1.3"}

// msgLine renders an event the way OpenSSL's -msg heads its line, less
// the length: ">>> TLS 1.3, Handshake, ClientHello".
func msgLine(e Event) string {
	dir := "<<<"
	if e.Sent {
		dir = ">>>"
	}
	var kind string
	switch e.ContentType {
	case ContentRecordHeader:
		kind = "RecordHeader"
	case ContentInnerType:
		kind = "InnerContent"
	case 20:
		if !e.Sent {
			return "" // for -state only: openssl's -msg does not show it
		}
		kind = "ChangeCipherSpec"
	case 21:
		kind = "Alert"
	case 22:
		kind = "Handshake, " + msg.Type(e.Data[0]).String()
	default:
		return ""
	}
	return fmt.Sprintf("%s %s, %s", dir, versionNames[e.Version], kind)
}

var opensslMsgRE = regexp.MustCompile(`^(<<<|>>>) (TLS 1\.\d), (\w+) \[length [0-9a-f]+\](?:, (\w+))?`)

func opensslMsgLines(out string) []string {
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		m := opensslMsgRE.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		s := m[1] + " " + m[2] + ", " + m[3]
		if m[3] == "Handshake" {
			s += ", " + m[4]
		}
		lines = append(lines, s)
	}
	return lines
}

// upToClientFinished cuts a -msg transcript after the client's Finished.
func upToClientFinished(lines []string) []string {
	for i, l := range lines {
		if strings.HasPrefix(l, ">>>") && strings.HasSuffix(l, "Handshake, Finished") {
			return lines[:i+1]
		}
	}
	return lines
}

// TestEventsMatchOpenSSLMsg: the own client's event stream, rendered as
// -msg line heads, is what `openssl s_client -msg` prints for the same
// handshake with the same server: same records, messages, order and
// version labels.
func TestEventsMatchOpenSSLMsg(t *testing.T) {
	pki := testpeer.NewPKI(t)
	args := []string{"-tls1_3", "-rev", "-naccept", "1", "-cert", pki.ECServer, "-key", pki.ECServerKey}

	srv := testpeer.OpenSSLServer(t, args...)
	out, errOut, _ := testpeer.Run(t, 20*time.Second, "hello\n", testpeer.Need(t, "openssl"),
		"s_client", "-connect", srv.Addr, "-tls1_3", "-msg", "-noservername")
	want := upToClientFinished(opensslMsgLines(out))
	if len(want) < 10 {
		t.Fatalf("could not read openssl's -msg output:\n%s\n%s", out, errOut)
	}

	srv = testpeer.OpenSSLServer(t, args...)
	var log eventLog
	conn := dialOwn(t, srv.Addr, &Config{OnEvent: log.add})
	if err := conn.Handshake(); err != nil {
		t.Fatal(err)
	}
	got := upToClientFinished(log.lines(msgLine))
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("event stream differs from openssl -msg:\n--- own\n%s\n--- openssl\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// After the handshake the two tickets come as two records, each
	// header, inner type, message.
	if got := echoLine(t, conn, "abc"); got != "cba" {
		t.Fatalf("echo %q", got)
	}
	n := 0
	got = log.lines(msgLine)
	for _, l := range got {
		if l == "<<< TLS 1.3, Handshake, NewSessionTicket" {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d NewSessionTicket events, want 2:\n%s", n, strings.Join(got, "\n"))
	}
}
