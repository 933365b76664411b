package wire

import (
	"reflect"
	"testing"

	"github.com/tlskit/tlskit/internal/engine"
	"github.com/tlskit/tlskit/internal/engine/msg"
)

// TestHelloCatcherMatchesObserver feeds the same server-side events to a
// HelloCatcher and to an Observer with no output, and the catcher the
// ClientHello as the engine parsed it: the ClientHello and the client's
// CertificateVerify scheme they keep must be the same, in TLS 1.3 and
// 1.2, and sent messages must not count.
func TestHelloCatcherMatchesObserver(t *testing.T) {
	ch, err := (&msg.ClientHello{Version: 0x0303, Random: make([]byte, 32), SessionID: []byte{1, 2},
		CipherSuites: []uint16{0x1302, 0xc02c}, CompressionMethods: []byte{0},
		Extensions: msg.Extensions{
			{Type: msg.ExtServerName, Data: []byte{0, 12, 0, 0, 9, 'l', 'o', 'c', 'a', 'l', 'h', 'o', 's', 't'}},
			{Type: msg.ExtSignatureAlgorithms, Data: []byte{0, 4, 4, 3, 8, 4}},
		}}).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []uint16{engine.VersionTLS13, engine.VersionTLS12} {
		cv, err := (&msg.CertificateVerify{Scheme: 0x0804, Signature: []byte{1, 2, 3}}).Marshal()
		if err != nil {
			t.Fatal(err)
		}
		ourCV, _ := (&msg.CertificateVerify{Scheme: 0x0403, Signature: []byte{4}}).Marshal()
		sh, _ := (&msg.ServerHello{Version: 0x0303, Random: make([]byte, 32), CipherSuite: 0x1302,
			Extensions: msg.Extensions{{Type: msg.ExtSupportedVersions, Data: []byte{byte(v >> 8), byte(v)}}}}).Marshal()
		if v == engine.VersionTLS12 {
			sh, _ = (&msg.ServerHello{Version: v, Random: make([]byte, 32), CipherSuite: 0xc02c}).Marshal()
		}
		chEvent := append([]byte(nil), ch...) // the engine's buffer, reused after the event
		events := []engine.Event{
			{Version: v, ContentType: engine.ContentRecordHeader, Data: []byte{22, 3, 1, 0, 5}},
			{Version: v, ContentType: typeHandshake, Data: chEvent},
			{Sent: true, Version: v, ContentType: typeHandshake, Data: sh},
			{Sent: true, Version: v, ContentType: typeHandshake, Data: ourCV},
			{Version: v, ContentType: typeHandshake, Data: cv},
		}
		var c HelloCatcher
		ob := New(Options{})
		if c.ClientHello() != nil || c.PeerSigScheme() != 0 {
			t.Fatal("a new catcher has something")
		}
		for _, e := range events {
			c.Event(e)
			if e.ContentType == typeHandshake && !e.Sent && e.Data[0] == hsClientHello {
				// The engine's OnClientHello, on its own copy.
				m, err := msg.ParseClientHello(append([]byte(nil), ch[4:]...))
				if err != nil {
					t.Fatal(err)
				}
				c.Hello(m)
				e.Data = ch
			}
			ob.Event(e)
		}
		// The event's bytes, which the engine may reuse, are not what
		// the catcher keeps.
		for i := range chEvent {
			chEvent[i] = 0xee
		}
		sum := ob.Summary()
		if sum.ClientHello == nil || !reflect.DeepEqual(c.ClientHello(), sum.ClientHello) {
			t.Errorf("%#x: catcher's ClientHello %+v, observer's %+v", v, c.ClientHello(), sum.ClientHello)
		}
		if c.PeerSigScheme() != 0x0804 || c.PeerSigScheme() != sum.PeerSigScheme {
			t.Errorf("%#x: catcher's scheme %#x, observer's %#x, want 0x0804", v, c.PeerSigScheme(), sum.PeerSigScheme)
		}
	}
}
