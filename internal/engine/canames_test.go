package engine

import (
	"bytes"
	"errors"
	"testing"

	"github.com/tlskit/tlskit/internal/engine/alert"
	"github.com/tlskit/tlskit/internal/engine/msg"
)

// caName is the DER of the name CN=a.
var caName = []byte{0x30, 0x0c, 0x31, 0x0a, 0x30, 0x08, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x01, 0x61}

func caList(names ...[]byte) []byte {
	var l []byte
	for _, n := range names {
		l = append(l, byte(len(n)>>8), byte(len(n)))
		l = append(l, n...)
	}
	return append([]byte{byte(len(l) >> 8), byte(len(l))}, l...)
}

// TestServerClientHelloCANames: a TLS 1.3 ClientHello's
// certificate_authorities is parsed, with the alert and reason openssl
// s_server 3.0 gives each fault (measured by adding the extension to
// openssl s_client's ClientHello): all decode_error; an empty list passes.
// BoGo: ExtensionTrailingData-CertificateAuthorities-Server-TLS-TLS13.
func TestServerClientHelloCANames(t *testing.T) {
	for _, c := range []struct {
		name, reason string
		ext          []byte
	}{
		{"valid", "", caList(caName)},
		{"empty list", "", []byte{0, 0}},
		{"trailing data", "bad extension", append(caList(caName), 0)},
		{"one byte", "length mismatch", []byte{0}},
		{"list overruns", "length mismatch", []byte{0, 0x10, 0}},
		{"name overruns", "length mismatch", []byte{0, 4, 0, 0x10, 'a', 'b'}},
		{"empty name", "ASN1 lib", caList(nil)},
		{"not a name", "ASN1 lib", caList([]byte{2, 1, 5})},
		{"bytes after the name", "ca dn length mismatch", caList(append(append([]byte(nil), caName...), 0))},
	} {
		t.Run(c.name, func(t *testing.T) {
			addExt := onType(msg.TypeClientHello, func(m []byte) []byte {
				ch, err := msg.ParseClientHello(m[4:])
				if err != nil {
					t.Error(err)
					return m
				}
				ch.Extensions = append(msg.Extensions{{Type: msg.ExtCertificateAuthorities, Data: c.ext}}, ch.Extensions...)
				out, err := ch.Marshal()
				if err != nil {
					t.Error(err)
				}
				return out
			})
			cli, srv, srvErr := ownPair(t, nil, addExt)
			cliErr := cli.Handshake()
			sErr := <-srvErr
			if c.reason == "" {
				// The client's transcript holds its ClientHello as it was
				// before the mutation, so the handshake fails at the
				// first encrypted record: the server went past the
				// ClientHello.
				var ae *AlertError
				if !errors.As(sErr, &ae) || ae.Description != alert.BadRecordMAC {
					t.Fatalf("client %v, server %v; want the server past the ClientHello", cliErr, sErr)
				}
				want := [][]byte(nil)
				if len(c.ext) > 2 {
					want = [][]byte{caName}
				}
				if got := srv.State().CANames; len(got) != len(want) || (len(want) == 1 && !bytes.Equal(got[0], want[0])) {
					t.Fatalf("CANames %x, want %x", got, want)
				}
				return
			}
			var ae *AlertError
			if !errors.As(sErr, &ae) || !ae.Sent || ae.Description != alert.DecodeError || ae.Reason != c.reason {
				t.Fatalf("server: %v, want decode_error %q sent", sErr, c.reason)
			}
			wantReceived(t, cliErr, alert.DecodeError)
		})
	}
}

// FuzzClientCANames: parseClientCANames never panics, and what it accepts
// is a list whose every name is inside the extension.
func FuzzClientCANames(f *testing.F) {
	for _, s := range [][]byte{caList(caName), {0, 0}, append(caList(caName), 0), {0}, caList(nil), caList(caName, caName)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, d []byte) {
		names, err := parseClientCANames(d)
		if err != nil {
			return
		}
		total := 2
		for _, n := range names {
			total += 2 + len(n)
		}
		if total != len(d) {
			t.Fatalf("%x: names cover %d of %d bytes", d, total, len(d))
		}
	})
}
