package sclient

import (
	"bufio"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/testpeer"
)

// recordedDialogue is a STARTTLS transcript recorded from a real server
// (internal/starttls/testdata/transcripts): the protocol, the -xmpphost
// it needs, and its steps, server's (S) and client's (C) in order.
type recordedDialogue struct {
	proto, host string
	steps       []dialogueStep
}

type dialogueStep struct {
	server bool
	data   string
}

// readDialogue parses a transcript file: "proto P", "host H", and S/C
// lines holding Go-quoted bytes.
func readDialogue(t *testing.T, path string) recordedDialogue {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var d recordedDialogue
	for _, l := range strings.Split(string(b), "\n") {
		k, v, _ := strings.Cut(l, " ")
		switch k {
		case "proto":
			d.proto = v
		case "host":
			d.host = v
		case "S", "C":
			s, err := strconv.Unquote(v)
			if err != nil {
				t.Fatalf("%s: %q: %v", path, l, err)
			}
			d.steps = append(d.steps, dialogueStep{k == "S", s})
		}
	}
	return d
}

// dialogueFront plays d's server side on 127.0.0.1 (taking as many bytes
// as the client sent in the recording at each C step), then relays the
// connection to backend for the handshake.
func dialogueFront(t *testing.T, d recordedDialogue, backend string) string {
	t.Helper()
	return testpeer.ServeAll(t, 20*time.Second, func(c net.Conn) {
		r := bufio.NewReader(c)
		for _, s := range d.steps {
			if s.server {
				c.Write([]byte(s.data))
			} else if _, err := io.ReadFull(r, make([]byte, len(s.data))); err != nil {
				return
			}
		}
		splice(c, r, backend)
	})
}

// TestStartTLSStderrLikeOpenSSL plays the recorded dialogues of real
// servers, and a few written here, to openssl s_client and tlskit, then
// lets an openssl s_server do the handshake, and compares stderr, where
// openssl writes what it kept of the dialogue once each handshake is done
// (the last EHLO line for smtp, a pop3 greeting cut to the length of the
// STLS reply…). tlskit wrote nothing there.
func TestStartTLSStderrLikeOpenSSL(t *testing.T) {
	pki := testpeer.NewPKI(t)
	srv := testpeer.OpenSSLServer(t, "-cert", pki.Server, "-key", pki.ServerKey)
	files, _ := filepath.Glob("../starttls/testdata/transcripts/*.txt")
	if len(files) == 0 {
		t.Fatal("no recorded dialogues")
	}
	type dialogueCase struct {
		name string
		d    recordedDialogue
		args []string
	}
	var cases []dialogueCase
	for _, f := range files {
		if !strings.HasSuffix(f, "-notls.txt") {
			cases = append(cases, dialogueCase{strings.TrimSuffix(filepath.Base(f), ".txt"), readDialogue(t, f), nil})
		}
	}
	S := func(s string) dialogueStep { return dialogueStep{true, s} }
	C := func(s string) dialogueStep { return dialogueStep{false, s} }
	smtp := recordedDialogue{proto: "smtp", steps: []dialogueStep{S("220-fake.example ESMTP\r\n220 ready\r\n"), C("EHLO mail.example.com\r\n"),
		S("250-fake.example\r\n250-STARTTLS\r\n250 SIZE 1000\r\n"), C("STARTTLS\r\n"), S("220 go ahead\r\n")}}
	cases = append(cases,
		dialogueCase{"smtp-brief", smtp, []string{"-brief"}},
		dialogueCase{"smtp-reconnect", smtp, []string{"-reconnect"}},
		dialogueCase{"nntp", recordedDialogue{proto: "nntp", steps: []dialogueStep{S("200 news ready\r\n"), C("CAPABILITIES\r\n"),
			S("101 Capability list:\r\nVERSION 2\r\nSTARTTLS\r\n.\r\n"), C("STARTTLS\r\n"), S("382 Continue with TLS negotiation\r\n")}}, nil},
		dialogueCase{"pop3-short-reply", recordedDialogue{proto: "pop3", steps: []dialogueStep{S("+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n"),
			C("STLS\r\n"), S("+OK\r\n")}}, nil},
		dialogueCase{"ftp-multiline", recordedDialogue{proto: "ftp", steps: []dialogueStep{S("220-Welcome\r\n220-second line\r\n220 ready\r\n"),
			C("AUTH TLS\r\n"), S("234 AUTH TLS ok\r\n")}}, nil},
		dialogueCase{"telnet", recordedDialogue{proto: "telnet", steps: []dialogueStep{S("\xff\xfd\x2e"), C("\xff\xfb\x2e\xff\xfa\x2e\x01\xff\xf0"),
			S("\xff\xfa\x2e\x01\xff\xf0")}}, nil},
	)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			addr := dialogueFront(t, tc.d, srv.Addr)
			args := append([]string{"-connect", addr, "-starttls", tc.d.proto, "-CAfile", pki.CA}, tc.args...)
			if tc.d.host != "" {
				args = append(args, "-xmpphost", tc.d.host)
			}
			_, oErr, oCode := testpeer.Run(t, 30*time.Second, "", "openssl", append([]string{"s_client"}, args...)...)
			_, tErr, tCode := runClient(t, "", args...)
			if oCode != tCode || oErr != tErr {
				t.Errorf("openssl: exit %d, stderr:\n%q\ntlskit: exit %d, stderr:\n%q", oCode, oErr, tCode, tErr)
			}
		})
	}
}
