package sserver

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/testpeer"
)

// TestServerWithOpenSSLClient runs the options the engine carries (TLS 1.3)
// against openssl s_client, checking both sides' output.
func TestServerWithOpenSSLClient(t *testing.T) {
	pki := testpeer.NewPKI(t)
	id := []string{"-cert", pki.Server, "-key", pki.ServerKey, "-naccept", "1"}
	for _, tc := range []struct {
		name           string
		server, client []string
		wantClient     []string // regexps on openssl's output
		wantServer     []string // substrings of tlskit's stdout
		ticketsAtLeast int
	}{
		{name: "client-preference", server: []string{"-tls1_3", "-ciphersuites", "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384"},
			client:     []string{"-ciphersuites", "TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256"},
			wantClient: []string{`(?m)^New, TLSv1\.3, Cipher is TLS_AES_256_GCM_SHA384$`}, wantServer: []string{"CIPHER is TLS_AES_256_GCM_SHA384"}},
		{name: "serverpref", server: []string{"-tls1_3", "-serverpref", "-ciphersuites", "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384"},
			client:     []string{"-ciphersuites", "TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256"},
			wantClient: []string{`(?m)^New, TLSv1\.3, Cipher is TLS_AES_128_GCM_SHA256$`}, wantServer: []string{"CIPHER is TLS_AES_128_GCM_SHA256"}},
		{name: "ccm", server: []string{"-ciphersuites", "TLS_AES_128_CCM_SHA256"},
			client:     []string{"-ciphersuites", "TLS_AES_128_CCM_SHA256"},
			wantClient: []string{`(?m)^New, TLSv1\.3, Cipher is TLS_AES_128_CCM_SHA256$`}, wantServer: []string{"CIPHER is TLS_AES_128_CCM_SHA256"}},
		{name: "num-tickets", server: []string{"-tls1_3", "-num_tickets", "3"}, ticketsAtLeast: 3,
			wantClient: []string{`(?m)^New, TLSv1\.3, `}},
		{name: "no-tickets", server: []string{"-tls1_3", "-num_tickets", "0"},
			wantClient: []string{`(?m)^New, TLSv1\.3, `}},
		{name: "sigalgs", server: []string{"-tls1_3", "-sigalgs", "rsa_pss_rsae_sha512"},
			wantClient: []string{`(?m)^Peer signing digest: SHA512$`, `(?m)^Peer signature type: RSA-PSS$`}},
		{name: "psk", server: []string{"-tls1_3", "-psk", "1a2b3c4d"}, client: []string{"-psk", "1a2b3c4d", "-ciphersuites", "TLS_AES_128_GCM_SHA256"},
			wantClient: []string{`(?m)^Reused, TLSv1\.3, Cipher is TLS_AES_128_GCM_SHA256$`}},
		{name: "msg-and-x448", server: []string{"-tls1_3", "-msg"}, client: []string{"-groups", "x448"},
			wantClient: []string{`(?m)^Server Temp Key: X448, 448 bits$`},
			wantServer: []string{"], ClientHello\n", "], ServerHello\n", "<<< TLS 1.3, InnerContent [length 0001]"}},
		{name: "record-padding", server: []string{"-tls1_3", "-record_padding", "1024"}, client: []string{"-trace"},
			wantClient: []string{`(?m)^  Length = 1040$`}},
		// -max_send_frag 512 splits the Certificate message as openssl
		// s_server does: 512 bytes + content type + tag in TLS 1.3, 512
		// in the clear in TLS 1.2.
		{name: "max-send-frag-13", server: []string{"-tls1_3", "-max_send_frag", "512"}, client: []string{"-trace"},
			wantClient: []string{`(?m)^  Length = 529$`}},
		// openssl s_client -maxfraglen 512: tlskit echoes it (in
		// EncryptedExtensions, in the ServerHello at TLS 1.2) and keeps
		// its records to 512 bytes, as openssl s_server does.
		{name: "maxfraglen-13", server: []string{"-tls1_3"}, client: []string{"-maxfraglen", "512", "-trace"},
			wantClient: []string{`(?m)^  Length = 529$`, `EncryptedExtensions, Length=\d+\n      extensions, length = \d+\n        extension_type=max_fragment_length\(1\), length=1\n          max_fragment_length := 2\^9 \(512 bytes\) \(1\)\n`}},
		{name: "maxfraglen-12", server: []string{"-tls1_2"}, client: []string{"-maxfraglen", "512", "-trace"},
			wantClient: []string{`(?m)^  Content Type = Handshake \(22\)\n  Length = 512$`, `extension_type=renegotiate\(65281\), length=1\n.*\n        extension_type=max_fragment_length\(1\), length=1\n`}},
		{name: "max-send-frag-12", server: []string{"-tls1_2", "-max_send_frag", "512"}, client: []string{"-trace"},
			wantClient: []string{`(?m)^  Content Type = Handshake \(22\)\n  Length = 512$`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := startServer(t, "", append(append([]string(nil), id...), tc.server...)...)
			// The client's input closes at once or, in the ticket cases,
			// once a line the server sends after the handshake arrived.
			done := func(string) bool { return true }
			if tc.ticketsAtLeast > 0 || tc.name == "no-tickets" {
				done = ts.sayAfterHandshake(1, "after the handshake\n")
			}
			out := opensslClientUntil(t, ts.addr, "", done, tc.client...)
			for _, re := range tc.wantClient {
				if !regexp.MustCompile(re).MatchString(out) {
					t.Errorf("openssl s_client output lacks %s:\n%s", re, out)
				}
			}
			if n := strings.Count(out, "Post-Handshake New Session Ticket arrived"); n < tc.ticketsAtLeast {
				t.Errorf("openssl got %d tickets, want %d:\n%s", n, tc.ticketsAtLeast, out)
			}
			if tc.name == "no-tickets" && strings.Contains(out, "Post-Handshake New Session Ticket arrived") {
				t.Errorf("a ticket arrived under -num_tickets 0:\n%s", out)
			}
			for _, w := range tc.wantServer {
				testpeer.WaitOutput(t, ts.out.String, w, 5*time.Second)
			}
		})
	}
}

// TestServerKeyUpdate sends K from the server's stdin: openssl
// s_client sees a KeyUpdate asking for its own.
func TestServerKeyUpdate(t *testing.T) {
	pki := testpeer.NewPKI(t)
	ts := startServer(t, "", "-cert", pki.Server, "-key", pki.ServerKey, "-naccept", "1", "-tls1_3")
	go func() { // no t.Fatal here (not the test's goroutine): the client's bound ends the test
		for end := time.Now().Add(20 * time.Second); !strings.Contains(ts.out.String(), "CIPHER is") && time.Now().Before(end); {
			time.Sleep(10 * time.Millisecond) // polling the output
		}
		ts.stdin.Write([]byte("K\n"))
		ts.stdin.Write([]byte("hello\n"))
	}()
	out := opensslClientUntil(t, ts.addr, "", clientPrinted("<<< TLS 1.3, Handshake [length 0005], KeyUpdate\n    18 00 00 01 01\n", "hello"), "-msg")
	if !strings.Contains(out, "<<< TLS 1.3, Handshake [length 0005], KeyUpdate\n    18 00 00 01 01\n") || !strings.Contains(out, "hello") {
		t.Errorf("openssl saw no KeyUpdate then data:\n%s", out)
	}
}
