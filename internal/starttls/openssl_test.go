package starttls

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"os/exec"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/testpeer"
)

// TestSameBytesAsOpenSSL plays each protocol's plain transcript to the
// installed `openssl s_client -starttls` and checks that OpenSSL sends the
// very bytes that TestTranscripts demands of Upgrade, then a TLS record.
// MySQL is left out on purpose: OpenSSL's SSL request asks for a different
// set of capability flags, which servers do not care about.
func TestSameBytesAsOpenSSL(t *testing.T) {
	bin := testpeer.Need(t, "openssl")
	picked := map[string]transcript{}
	for _, tr := range transcripts {
		if tr.name == "plain" || (tr.proto == "xmpp" && tr.name == "client, to from Host") ||
			(tr.proto == "xmpp-server" && picked[tr.proto].proto == "") {
			if _, ok := picked[tr.proto]; !ok {
				picked[tr.proto] = tr
			}
		}
	}
	for _, proto := range Protocols {
		tr, ok := picked[proto]
		if proto == "mysql" {
			continue
		}
		if !ok {
			t.Errorf("no plain transcript for %s", proto)
			continue
		}
		t.Run(proto, func(t *testing.T) {
			t.Parallel()
			var args []string
			if tr.opts.Name != "" {
				args = append(args, "-name", tr.opts.Name)
			}
			host := tr.opts.XMPPHost
			if host == "" {
				host = tr.opts.Host
			}
			if host != "" {
				args = append(args, "-xmpphost", host)
			}
			if err := againstOpenSSL(t, bin, tr, args); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// againstOpenSSL serves tr's script on 127.0.0.1 to one openssl s_client
// and checks its bytes, up to and including the start of a TLS record.
func againstOpenSSL(t *testing.T, bin string, tr transcript, extra []string) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer ln.Close()
	ctx, cancel := context.WithTimeout(context.Background(), testDeadline)
	defer cancel()
	args := append([]string{"s_client", "-connect", ln.Addr().String(), "-starttls", tr.proto}, extra...)
	cmd := exec.CommandContext(ctx, bin, args...) // killed by PID when ctx ends
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return err
	}
	t.Cleanup(func() { cancel(); cmd.Wait() })

	ln.(*net.TCPListener).SetDeadline(time.Now().Add(testDeadline))
	c, err := ln.Accept()
	if err != nil {
		return fmt.Errorf("openssl never connected: %v\n%s", err, stderr.Bytes())
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(testDeadline))
	for i, st := range tr.steps {
		switch {
		case st.server != "":
			if _, err := io.WriteString(c, st.server); err != nil {
				return fmt.Errorf("step %d: %v", i, err)
			}
		case st.client != "":
			got := make([]byte, len(st.client))
			if n, err := io.ReadFull(c, got); err != nil {
				return fmt.Errorf("step %d: openssl sent %q, then %v; tlskit sends %q", i, got[:n], err, st.client)
			}
			if string(got) != st.client {
				return fmt.Errorf("step %d: openssl sent %q; tlskit sends %q", i, got, st.client)
			}
		}
	}
	var rec [3]byte
	if _, err := io.ReadFull(c, rec[:]); err != nil {
		return fmt.Errorf("no TLS record from openssl after the dialogue: %v", err)
	}
	if rec[0] != 0x16 || rec[1] != 0x03 {
		return fmt.Errorf("openssl sent % x after the dialogue, not a TLS handshake record", rec)
	}
	return nil
}
