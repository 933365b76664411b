package engine

import (
	"errors"
	"net"
	"regexp"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/engine/msg"
	"github.com/tlskit/tlskit/internal/testpeer"
)

// TestUnsolicitedExtensionLikeOpenSSL: a TLS 1.3 server's extension the
// client never offered gets from the own client what it gets from
// openssl s_client: a type openssl has no handler for (1000) is passed
// over in the ServerHello, EncryptedExtensions and the leaf's
// CertificateEntry, though RFC 8446 §4.2 asks for unsupported_extension;
// an unoffered ALPN is unsupported_extension.
func TestUnsolicitedExtensionLikeOpenSSL(t *testing.T) {
	prog := testpeer.Need(t, "openssl")
	id, _ := testIdentity(t, keysForTest(t)["ecdsa-p256"])
	ee := func(x msg.Extension) func([]byte) []byte {
		return onType(msg.TypeEncryptedExtensions, func([]byte) []byte {
			raw, err := (&msg.EncryptedExtensions{Extensions: msg.Extensions{x}}).Marshal()
			if err != nil {
				t.Fatal(err)
			}
			return raw
		})
	}
	for _, tc := range []struct {
		name string
		mut  func([]byte) []byte
		want string // the alert both clients send, "" for none
	}{
		{"EncryptedExtensions 1000", ee(msg.Extension{Type: 1000, Data: []byte("hello")}), ""},
		{"EncryptedExtensions ALPN", ee(msg.Extension{Type: msg.ExtALPN, Data: msg.MarshalALPN([]string{"h2"})}), "unsupported_extension"},
		{"CertificateEntry 1000", onType(msg.TypeCertificate, func(m []byte) []byte {
			cert, err := msg.ParseCertificate(m[4:])
			if err != nil {
				t.Fatal(err)
			}
			cert.Entries[0].Extensions = msg.Extensions{{Type: 1000, Data: []byte("x")}}
			raw, _ := cert.Marshal()
			return raw
		}), ""},
		{"ServerHello 1000", onType(msg.TypeServerHello, func(m []byte) []byte {
			sh, err := msg.ParseServerHello(m[4:])
			if err != nil {
				t.Fatal(err)
			}
			sh.Extensions = append(sh.Extensions, msg.Extension{Type: 1000, Data: []byte("x")})
			raw, _ := sh.Marshal()
			return raw
		}), ""},
	} {
		addr := testpeer.ServeOne(t, 20*time.Second, func(c net.Conn) {
			s := Server(c, &Config{Identities: []Identity{id}})
			s.testOnlyMutate = tc.mut
			s.Handshake()
		})
		out, _, _ := testpeer.Run(t, 20*time.Second, "", prog, "s_client", "-connect", addr, "-tls1_3", "-msg")
		theirs := ""
		if m := regexp.MustCompile(`(?m)^>>> TLS 1\.\d, Alert \[length 0002\], fatal (\w+)$`).FindStringSubmatch(out); m != nil {
			theirs = m[1]
		} else if !regexp.MustCompile(`(?m)^New, TLSv1\.3, Cipher is `).MatchString(out) {
			t.Fatalf("%s: openssl s_client neither refused nor finished:\n%s", tc.name, out)
		}
		cli, _, srvErr := ownPair(t, tc.mut, nil)
		err := cli.Handshake()
		<-srvErr
		ours := ""
		var ae *AlertError
		if errors.As(err, &ae) && ae.Sent {
			ours = ae.Description.String()
		} else if err != nil {
			t.Fatalf("%s: own client: %v", tc.name, err)
		}
		if theirs != tc.want || ours != tc.want {
			t.Errorf("%s: openssl s_client sent %q, the own client %q; want %q", tc.name, theirs, ours, tc.want)
		}
	}
}
