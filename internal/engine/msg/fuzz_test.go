package msg

import (
	"bytes"
	"reflect"
	"testing"
)

// marshaller is what every message type offers.
type marshaller interface{ Marshal() ([]byte, error) }

// roundTrip checks the property every fuzz target relies on: what parses
// marshals back to the same bytes, and those bytes parse to the same value.
func roundTrip[M marshaller](t *testing.T, typ Type, body []byte, parse func([]byte) (M, error)) {
	m, err := parse(body)
	if err != nil {
		return
	}
	raw, err := m.Marshal()
	if err != nil {
		t.Fatalf("marshal of a parsed message: %v", err)
	}
	if raw[0] != byte(typ) || !bytes.Equal(raw[HeaderLen:], body) {
		t.Fatalf("round trip differs:\n in %x\nout %x", body, raw[HeaderLen:])
	}
	m2, err := parse(raw[HeaderLen:])
	if err != nil || !reflect.DeepEqual(m, m2) {
		t.Fatalf("reparse: %v", err)
	}
}

func seed(f *testing.F, hexes ...string) {
	for _, h := range hexes {
		f.Add(unhex(f, h)[HeaderLen:])
	}
}

func FuzzClientHello(f *testing.F) {
	seed(f, rfc8448ClientHello)
	f.Fuzz(func(t *testing.T, b []byte) {
		roundTrip(t, TypeClientHello, b, ParseClientHello)
		// The typed extension parsers must not fail in any other way
		// than returning an error.
		if ch, err := ParseClientHello(b); err == nil {
			for _, e := range ch.Extensions {
				parseAnyExtension(e)
			}
		}
	})
}

func FuzzServerHello(f *testing.F) {
	seed(f, rfc8448ServerHello)
	f.Fuzz(func(t *testing.T, b []byte) {
		roundTrip(t, TypeServerHello, b, ParseServerHello)
	})
}

// FuzzServerFlight covers the encrypted server messages: EncryptedExtensions,
// Certificate, CertificateRequest, CertificateVerify.
func FuzzServerFlight(f *testing.F) {
	seed(f, rfc8448EE, rfc8448Certificate, rfc8448CV)
	f.Fuzz(func(t *testing.T, b []byte) {
		roundTrip(t, TypeEncryptedExtensions, b, ParseEncryptedExtensions)
		roundTrip(t, TypeCertificate, b, ParseCertificate)
		roundTrip(t, TypeCertificateRequest, b, ParseCertificateRequest)
		roundTrip(t, TypeCertificateVerify, b, ParseCertificateVerify)
	})
}

// FuzzPostHandshake covers NewSessionTicket and KeyUpdate.
func FuzzPostHandshake(f *testing.F) {
	nst, _ := (&NewSessionTicket{Lifetime: 7200, AgeAdd: 1, Nonce: []byte{0}, Ticket: []byte("ticket"),
		Extensions: Extensions{{ExtEarlyData, MarshalEarlyDataTicket(16384)}}}).Marshal()
	f.Add(nst[HeaderLen:])
	f.Add([]byte{1})
	f.Fuzz(func(t *testing.T, b []byte) {
		roundTrip(t, TypeNewSessionTicket, b, ParseNewSessionTicket)
		if v, err := ParseKeyUpdate(b); err == nil && !bytes.Equal(MarshalKeyUpdate(v)[HeaderLen:], b) {
			t.Fatal("KeyUpdate round trip")
		}
	})
}

// FuzzReassembly feeds arbitrary bytes in arbitrary pieces: the messages
// that come out must be exactly the bytes that went in, in order.
func FuzzReassembly(f *testing.F) {
	f.Add(unhex(f, rfc8448ServerHello+rfc8448EE), uint8(3))
	f.Fuzz(func(t *testing.T, b []byte, step uint8) {
		s := int(step%16) + 1
		var r Reassembler
		var out []byte
		for i := 0; i < len(b); i += s {
			r.Write(b[i:min(i+s, len(b))])
			for {
				m, ok, err := r.Next()
				if err != nil {
					return
				}
				if !ok {
					break
				}
				if int(m.Raw[1])<<16|int(m.Raw[2])<<8|int(m.Raw[3]) != len(m.Body) {
					t.Fatal("length mismatch")
				}
				out = append(out, m.Raw...)
			}
		}
		if !bytes.HasPrefix(b, out) {
			t.Fatal("messages are not the input's prefix")
		}
		// Linear: every byte copied in, out, and moved by compaction at
		// most once each; what waits is never more than a message and
		// a fragment.
		if r.copied > 3*len(b) {
			t.Fatalf("%d bytes copied for %d", r.copied, len(b))
		}
		if r.Buffered() > HeaderLen+DefaultMaxMessage+s {
			t.Fatalf("%d bytes buffered", r.Buffered())
		}
	})
}

func parseAnyExtension(e Extension) {
	switch e.Type {
	case ExtServerName:
		ParseServerName(e.Data)
	case ExtSupportedGroups, ExtSignatureAlgorithms, ExtSignatureAlgorithmsCert:
		ParseUint16List(e.Data)
	case ExtKeyShare:
		ParseKeyShareClient(e.Data)
		ParseKeyShareServer(e.Data)
		ParseKeyShareHRR(e.Data)
	case ExtSupportedVersions:
		ParseSupportedVersionsClient(e.Data)
		ParseSupportedVersionsServer(e.Data)
	case ExtPSKKeyExchangeModes, ExtECPointFormats:
		ParseUint8List(e.Data)
	case ExtPreSharedKey:
		ParseOfferedPSKs(e.Data)
		ParseSelectedIdentity(e.Data)
	case ExtALPN:
		ParseALPN(e.Data)
	case ExtStatusRequest:
		ParseStatusRequest(e.Data)
		ParseCertificateStatus(e.Data)
	case ExtCookie:
		ParseCookie(e.Data)
	case ExtEarlyData:
		ParseEarlyDataTicket(e.Data)
	case ExtCertificateAuthorities:
		ParseCertificateAuthorities(e.Data)
	case ExtRenegotiationInfo:
		ParseRenegotiationInfo(e.Data)
	case ExtPadding:
		ParsePadding(e.Data)
	case ExtRecordSizeLimit:
		ParseRecordSizeLimit(e.Data)
	default:
		ParseEmpty(e.Data)
	}
}

// FuzzExtensions runs every typed extension parser over arbitrary bodies and
// checks the marshal/parse pairs agree.
func FuzzExtensions(f *testing.F) {
	f.Add(uint16(ExtServerName), MarshalServerName("example.com"))
	f.Add(uint16(ExtALPN), MarshalALPN([]string{"h2", "http/1.1"}))
	f.Add(uint16(ExtKeyShare), MarshalKeyShareClient([]KeyShare{{29, make([]byte, 32)}}))
	f.Add(uint16(ExtPreSharedKey), OfferedPSKs{Identities: []PSKIdentity{{[]byte("id"), 5}}, Binders: [][]byte{make([]byte, 32)}}.Marshal())
	f.Fuzz(func(t *testing.T, typ uint16, d []byte) {
		parseAnyExtension(Extension{ExtType(typ), d})
		if v, err := ParseALPN(d); err == nil && !bytes.Equal(MarshalALPN(v), d) {
			t.Fatal("ALPN round trip")
		}
		if v, err := ParseKeyShareClient(d); err == nil && !bytes.Equal(MarshalKeyShareClient(v), d) {
			t.Fatal("key_share round trip")
		}
		if v, err := ParseOfferedPSKs(d); err == nil && !bytes.Equal(v.Marshal(), d) {
			t.Fatal("pre_shared_key round trip")
		}
		if v, err := ParseUint16List(d); err == nil && !bytes.Equal(MarshalUint16List(v), d) {
			t.Fatal("uint16 list round trip")
		}
		if v, err := ParseCertificateAuthorities(d); err == nil && !bytes.Equal(MarshalCertificateAuthorities(v), d) {
			t.Fatal("certificate_authorities round trip")
		}
		if v, err := ParseStatusRequest(d); err == nil && !bytes.Equal(v.Marshal(), d) {
			t.Fatal("status_request round trip")
		}
	})
}

// FuzzV2ClientHello: an SSL 2.0-format ClientHello never panics the
// parser; what it accepts has a 32-byte random, a session ID of at most
// 32 bytes, null compression only and no more suites than three-byte
// specs, and an error comes with a hello only for the cipher list.
func FuzzV2ClientHello(f *testing.F) {
	f.Add([]byte{1, 3, 3, 0, 6, 0, 0, 0, 16, 0, 0, 0x2f, 0, 0, 0xff,
		1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
	f.Add([]byte{1, 3, 1, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{1, 3, 3, 0, 4, 0, 0, 0, 0, 0, 0, 0x2f, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseV2ClientHello(b)
		if m == nil {
			if err == nil {
				t.Fatal("no hello and no error")
			}
			return
		}
		if len(m.Random) != 32 || len(m.SessionID) > 32 || len(m.CompressionMethods) != 1 || m.CompressionMethods[0] != 0 {
			t.Fatalf("bad hello %+v", m)
		}
		if 3*len(m.CipherSuites) > len(b) {
			t.Fatalf("%d suites from %d bytes", len(m.CipherSuites), len(b))
		}
		if err != nil && len(m.CipherSuites) != 0 {
			t.Fatalf("error %v with suites", err)
		}
	})
}
