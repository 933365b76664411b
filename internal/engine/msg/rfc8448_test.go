package msg

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strconv"
	"testing"

	"github.com/tlskit/tlskit/internal/engine/alert"
)

// The handshake messages of RFC 8448 §3 ("Simple 1-RTT Handshake"), typed
// in from the RFC.
const (
	rfc8448ClientHello = "010000c00303cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef6283024dece7000006130113031302010000910000000b0009000006736572766572ff01000100000a00140012001d0017001800190100010101020103010400230000003300260024001d002099381de560e4bd43d23d8e435a7dbafeb3c06e51c13cae4d5413691e529aaf2c002b0003020304000d0020001e040305030603020308040805080604010501060102010402050206020202002d00020101001c00024001"
	rfc8448ServerHello = "020000560303a6af06a4121860dc5e6e60249cd34c95930c8ac5cb1434dac155772ed3e2692800130100002e00330024001d0020c9828876112095fe66762bdbf7c672e156d6cc253b833df1dd69b1b04e751f0f002b00020304"
	rfc8448EE          = "080000240022000a00140012001d00170018001901000101010201030104001c0002400100000000"
	rfc8448Certificate = "0b0001b9000001b50001b0308201ac30820115a003020102020102300d06092a864886f70d01010b0500300e310c300a06035504031303727361301e170d3136303733303031323335395a170d3236303733303031323335395a300e310c300a0603550403130372736130819f300d06092a864886f70d010101050003818d0030818902818100b4bb498f8279303d980836399b36c6988c0c68de55e1bdb826d3901a2461eafd2de49a91d015abbc9a95137ace6c1af19eaa6af98c7ced43120998e187a80ee0ccb0524b1b018c3e0b63264d449a6d38e22a5fda430846748030530ef0461c8ca9d9efbfae8ea6d1d03e2bd193eff0ab9a8002c47428a6d35a8d88d79f7f1e3f0203010001a31a301830090603551d1304023000300b0603551d0f0404030205a0300d06092a864886f70d01010b05000381810085aad2a0e5b9276b908c65f73a7267170618a54c5f8a7b337d2df7a594365417f2eae8f8a58c8f8172f9319cf36b7fd6c55b80f21a03015156726096fd335e5e67f2dbf102702e608ccae6bec1fc63a42a99be5c3eb7107c3c54e9b9eb2bd5203b1c3b84e0a8b2f759409ba3eac9d91d402dcc0cc8f8961229ac9187b42b4de10000"
	rfc8448CV          = "0f000084080400805a747c5d88fa9bd2e55ab085a61015b7211f824cd484145ab3ff52f1fda8477b0b7abc90db78e2d33a5c141a078653fa6bef780c5ea248eeaaa785c4f394cab6d30bbe8d4859ee511f602957b15411ac027671459e46445c9ea58c181e818e95b8c3fb0bf3278409d3be152a3da5043e063dda65cdf5aea20d53dfacd42f74f3"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// one reads a single whole message through the Reassembler.
func one(t *testing.T, s string) Message {
	t.Helper()
	var r Reassembler
	r.Write(unhex(t, s))
	m, ok, err := r.Next()
	if err != nil || !ok || r.Pending() {
		t.Fatalf("reassembly: ok=%v err=%v pending=%v", ok, err, r.Pending())
	}
	return m
}

func TestRFC8448ClientHello(t *testing.T) {
	m := one(t, rfc8448ClientHello)
	ch, err := ParseClientHello(m.Body)
	if err != nil {
		t.Fatal(err)
	}
	if ch.Version != 0x0303 || len(ch.SessionID) != 0 {
		t.Errorf("version %x session id %x", ch.Version, ch.SessionID)
	}
	if want := []uint16{0x1301, 0x1303, 0x1302}; !equal16(ch.CipherSuites, want) {
		t.Errorf("suites %x, want %x", ch.CipherSuites, want)
	}
	var order []ExtType
	for _, e := range ch.Extensions {
		order = append(order, e.Type)
	}
	wantOrder := []ExtType{ExtServerName, ExtRenegotiationInfo, ExtSupportedGroups, ExtSessionTicket,
		ExtKeyShare, ExtSupportedVersions, ExtSignatureAlgorithms, ExtPSKKeyExchangeModes, ExtRecordSizeLimit}
	if len(order) != len(wantOrder) {
		t.Fatalf("extensions %v, want %v", order, wantOrder)
	}
	for i := range order {
		if order[i] != wantOrder[i] {
			t.Fatalf("extensions %v, want %v", order, wantOrder)
		}
	}
	d, _ := ch.Extensions.Find(ExtServerName)
	if name, err := ParseServerName(d); err != nil || name != "server" {
		t.Errorf("server_name %q %v", name, err)
	}
	d, _ = ch.Extensions.Find(ExtSupportedGroups)
	if g, err := ParseUint16List(d); err != nil || !equal16(g, []uint16{0x1d, 0x17, 0x18, 0x19, 0x100, 0x101, 0x102, 0x103, 0x104}) {
		t.Errorf("groups %x %v", g, err)
	}
	d, _ = ch.Extensions.Find(ExtKeyShare)
	ks, err := ParseKeyShareClient(d)
	if err != nil || len(ks) != 1 || ks[0].Group != 0x1d || len(ks[0].Data) != 32 {
		t.Errorf("key_share %v %v", ks, err)
	}
	d, _ = ch.Extensions.Find(ExtSupportedVersions)
	if v, err := ParseSupportedVersionsClient(d); err != nil || !equal16(v, []uint16{0x0304}) {
		t.Errorf("supported_versions %x %v", v, err)
	}
	d, _ = ch.Extensions.Find(ExtSignatureAlgorithms)
	if s, err := ParseUint16List(d); err != nil || len(s) != 15 || s[0] != 0x0403 {
		t.Errorf("signature_algorithms %x %v", s, err)
	}
	d, _ = ch.Extensions.Find(ExtRecordSizeLimit)
	if v, err := ParseRecordSizeLimit(d); err != nil || v != 0x4001 {
		t.Errorf("record_size_limit %d %v", v, err)
	}
	d, _ = ch.Extensions.Find(ExtRenegotiationInfo)
	if v, err := ParseRenegotiationInfo(d); err != nil || len(v) != 0 {
		t.Errorf("renegotiation_info %x %v", v, err)
	}
	again, err := ch.Marshal()
	if err != nil || !bytes.Equal(again, m.Raw) {
		t.Errorf("re-marshalled ClientHello differs:\n%x\n%x", again, m.Raw)
	}
}

func TestRFC8448ServerFlight(t *testing.T) {
	sh, err := ParseServerHello(one(t, rfc8448ServerHello).Body)
	if err != nil || sh.IsHelloRetryRequest() || sh.CipherSuite != 0x1301 {
		t.Fatalf("ServerHello %+v %v", sh, err)
	}
	d, _ := sh.Extensions.Find(ExtKeyShare)
	if ks, err := ParseKeyShareServer(d); err != nil || ks.Group != 0x1d {
		t.Errorf("key_share %v %v", ks, err)
	}
	d, _ = sh.Extensions.Find(ExtSupportedVersions)
	if v, err := ParseSupportedVersionsServer(d); err != nil || v != 0x0304 {
		t.Errorf("supported_versions %x %v", v, err)
	}
	ee, err := ParseEncryptedExtensions(one(t, rfc8448EE).Body)
	if err != nil || len(ee.Extensions) != 3 || ee.Extensions[2].Type != ExtServerName || len(ee.Extensions[2].Data) != 0 {
		t.Fatalf("EncryptedExtensions %+v %v", ee, err)
	}
	cert, err := ParseCertificate(one(t, rfc8448Certificate).Body)
	if err != nil || len(cert.Entries) != 1 || len(cert.Entries[0].Data) != 0x1b0 || len(cert.Context) != 0 {
		t.Fatalf("Certificate %v", err)
	}
	cv, err := ParseCertificateVerify(one(t, rfc8448CV).Body)
	if err != nil || cv.Scheme != 0x0804 || len(cv.Signature) != 0x80 {
		t.Fatalf("CertificateVerify %v", err)
	}
	for _, c := range []struct {
		raw string
		m   interface{ Marshal() ([]byte, error) }
	}{{rfc8448ServerHello, sh}, {rfc8448EE, ee}, {rfc8448Certificate, cert}, {rfc8448CV, cv}} {
		got, err := c.m.Marshal()
		if err != nil || !bytes.Equal(got, unhex(t, c.raw)) {
			t.Errorf("%T re-marshalled differs: %v\n%x\n%s", c.m, err, got, c.raw)
		}
	}
}

func equal16(a, b []uint16) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestStrictAlerts checks the alert each malformed input gets (RFC 8446
// §6.2 and what OpenSSL sends).
func TestStrictAlerts(t *testing.T) {
	ch := unhex(t, rfc8448ClientHello)[HeaderLen:]
	dupExt := append([]byte(nil), ch...)
	// Turn the renegotiation_info type (ff01) into server_name (0000): a
	// duplicate extension.
	i := bytes.Index(dupExt, []byte{0xff, 0x01, 0x00, 0x01, 0x00})
	dupExt[i], dupExt[i+1] = 0, 0
	// pre_shared_key (41) anywhere but last.
	pskFirst := append([]byte(nil), ch...)
	j := bytes.Index(pskFirst, []byte{0xff, 0x01, 0x00, 0x01, 0x00})
	pskFirst[j], pskFirst[j+1] = 0, 41

	for _, c := range []struct {
		name string
		f    func() error
		want alert.Desc
	}{
		{"ClientHello truncated", func() error { _, err := ParseClientHello(ch[:len(ch)-1]); return err }, alert.DecodeError},
		{"ClientHello trailing byte", func() error { _, err := ParseClientHello(append(append([]byte(nil), ch...), 0)); return err }, alert.DecodeError},
		{"duplicate extension", func() error { _, err := ParseClientHello(dupExt); return err }, alert.IllegalParameter},
		{"pre_shared_key not last", func() error { _, err := ParseClientHello(pskFirst); return err }, alert.IllegalParameter},
		{"KeyUpdate type 2", func() error { _, err := ParseKeyUpdate([]byte{2}); return err }, alert.IllegalParameter},
		{"KeyUpdate too long", func() error { _, err := ParseKeyUpdate([]byte{0, 0}); return err }, alert.DecodeError},
		{"Finished wrong length", func() error { _, err := ParseFinished(make([]byte, 31), 32); return err }, alert.DecodeError},
		{"CertificateRequest without signature_algorithms", func() error { _, err := ParseCertificateRequest([]byte{0, 0, 0}); return err }, alert.MissingExtension},
		{"key_share group twice", func() error {
			_, err := ParseKeyShareClient(MarshalKeyShareClient([]KeyShare{{29, []byte{1}}, {29, []byte{2}}}))
			return err
		}, alert.IllegalParameter},
		{"record_size_limit 63", func() error { _, err := ParseRecordSizeLimit([]byte{0, 63}); return err }, alert.IllegalParameter},
		{"PSK binders count", func() error {
			_, err := ParseOfferedPSKs(OfferedPSKs{Identities: []PSKIdentity{{[]byte("a"), 1}, {[]byte("b"), 2}}, Binders: [][]byte{make([]byte, 32)}}.Marshal())
			return err
		}, alert.IllegalParameter},
		{"empty ALPN name", func() error { _, err := ParseALPN([]byte{0, 1, 0}); return err }, alert.DecodeError},
		{"empty NewSessionTicket ticket", func() error {
			_, err := ParseNewSessionTicket([]byte{0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0})
			return err
		}, alert.DecodeError},
	} {
		err := c.f()
		var got alert.Desc
		if !errors.As(err, &got) || got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
		}
	}
}

func TestReassemblyAcrossRecords(t *testing.T) {
	// Three messages fed one byte at a time, then all at once.
	all := append(append(unhex(t, rfc8448ServerHello), unhex(t, rfc8448EE)...), MarshalKeyUpdate(1)...)
	for _, step := range []int{1, 7, len(all)} {
		var r Reassembler
		var got []Type
		for i := 0; i < len(all); i += step {
			r.Write(all[i:min(i+step, len(all))])
			for {
				m, ok, err := r.Next()
				if err != nil {
					t.Fatal(err)
				}
				if !ok {
					break
				}
				got = append(got, m.Type)
			}
		}
		if len(got) != 3 || got[0] != TypeServerHello || got[1] != TypeEncryptedExtensions || got[2] != TypeKeyUpdate || r.Pending() {
			t.Errorf("step %d: got %v pending %v", step, got, r.Pending())
		}
	}
	var r Reassembler
	r.Write([]byte{1, 0x02, 0x00, 0x01})
	if _, _, err := r.Next(); err != alert.IllegalParameter {
		t.Errorf("oversized header: %v", err)
	}
	r = Reassembler{Max: 1 << 20}
	r.Write([]byte{1, 0x02, 0x00, 0x01})
	if _, ok, err := r.Next(); err != nil || ok {
		t.Errorf("raised limit: ok=%v err=%v", ok, err)
	}
}

// BenchmarkReassembly1ByteRecords feeds a legal ClientHello of nearly 64 KiB one
// byte per record: the cost per byte must stay flat as the message grows
// (compare -benchmem figures for the sizes).
func BenchmarkReassembly1ByteRecords(b *testing.B) {
	for _, size := range []int{4 << 10, 63 << 10} {
		ch := &ClientHello{Version: 0x0303, Random: make([]byte, 32), CipherSuites: []uint16{0x1301},
			CompressionMethods: []byte{0}, Extensions: Extensions{{ExtPadding, make([]byte, size)}}}
		raw, err := ch.Marshal()
		if err != nil {
			b.Fatal(err)
		}
		b.Run(strconv.Itoa(size>>10)+"KiB", func(b *testing.B) {
			b.SetBytes(int64(len(raw)))
			for b.Loop() {
				var r Reassembler
				for i := range raw {
					r.Write(raw[i : i+1])
					if _, ok, err := r.Next(); err != nil || (ok && i != len(raw)-1) {
						b.Fatal("early message", err)
					}
				}
			}
		})
	}
}

// TestReassemblyLinear bounds the work of reassembling a legal ClientHello
// of nearly 64 KiB sent one byte per record, and in other record sizes:
// every byte is copied in once, out once, and moved by compaction at most
// once more, whatever the fragmentation (a quadratic reassembler copies
// about len²/2 bytes, two billion here).
func TestReassemblyLinear(t *testing.T) {
	ch := &ClientHello{Version: 0x0303, Random: make([]byte, 32), CipherSuites: []uint16{0x1301},
		CompressionMethods: []byte{0}, Extensions: Extensions{{ExtPadding, make([]byte, 63<<10)}}}
	raw, err := ch.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	// Two messages back to back, so compaction has something to move.
	stream := append(append([]byte(nil), raw...), raw...)
	for _, step := range []int{1, 2, 3, 1000, 16384} {
		var r Reassembler
		n := 0
		for i := 0; i < len(stream); i += step {
			r.Write(stream[i:min(i+step, len(stream))])
			for {
				m, ok, err := r.Next()
				if err != nil {
					t.Fatal(err)
				}
				if !ok {
					break
				}
				if !bytes.Equal(m.Raw, raw) {
					t.Fatalf("step %d: message %d differs", step, n)
				}
				n++
			}
		}
		if n != 2 || r.Buffered() != 0 {
			t.Fatalf("step %d: %d messages, %d bytes left", step, n, r.Buffered())
		}
		if r.copied > 3*len(stream) {
			t.Errorf("step %d: %d bytes copied for %d bytes of messages", step, r.copied, len(stream))
		}
	}
}
