package keys

import (
	"bytes"
	"crypto"
	"crypto/hkdf"
	"crypto/hmac"
	"encoding/hex"
	"testing"
)

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func check(t *testing.T, name string, got []byte, want string) {
	t.Helper()
	if hex.EncodeToString(got) != want {
		t.Errorf("%s:\n got %x\nwant %s", name, got, want)
	}
}

// RFC 8448 §3's messages, typed in from the RFC.
const (
	ch8448 = "010000c00303cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef6283024dece7000006130113031302010000910000000b0009000006736572766572ff01000100000a00140012001d0017001800190100010101020103010400230000003300260024001d002099381de560e4bd43d23d8e435a7dbafeb3c06e51c13cae4d5413691e529aaf2c002b0003020304000d0020001e040305030603020308040805080604010501060102010402050206020202002d00020101001c00024001"
	sh8448 = "020000560303a6af06a4121860dc5e6e60249cd34c95930c8ac5cb1434dac155772ed3e2692800130100002e00330024001d0020c9828876112095fe66762bdbf7c672e156d6cc253b833df1dd69b1b04e751f0f002b00020304"
	ee8448 = "080000240022000a00140012001d00170018001901000101010201030104001c0002400100000000"
	ct8448 = "0b0001b9000001b50001b0308201ac30820115a003020102020102300d06092a864886f70d01010b0500300e310c300a06035504031303727361301e170d3136303733303031323335395a170d3236303733303031323335395a300e310c300a0603550403130372736130819f300d06092a864886f70d010101050003818d0030818902818100b4bb498f8279303d980836399b36c6988c0c68de55e1bdb826d3901a2461eafd2de49a91d015abbc9a95137ace6c1af19eaa6af98c7ced43120998e187a80ee0ccb0524b1b018c3e0b63264d449a6d38e22a5fda430846748030530ef0461c8ca9d9efbfae8ea6d1d03e2bd193eff0ab9a8002c47428a6d35a8d88d79f7f1e3f0203010001a31a301830090603551d1304023000300b0603551d0f0404030205a0300d06092a864886f70d01010b05000381810085aad2a0e5b9276b908c65f73a7267170618a54c5f8a7b337d2df7a594365417f2eae8f8a58c8f8172f9319cf36b7fd6c55b80f21a03015156726096fd335e5e67f2dbf102702e608ccae6bec1fc63a42a99be5c3eb7107c3c54e9b9eb2bd5203b1c3b84e0a8b2f759409ba3eac9d91d402dcc0cc8f8961229ac9187b42b4de10000"
	cv8448 = "0f000084080400805a747c5d88fa9bd2e55ab085a61015b7211f824cd484145ab3ff52f1fda8477b0b7abc90db78e2d33a5c141a078653fa6bef780c5ea248eeaaa785c4f394cab6d30bbe8d4859ee511f602957b15411ac027671459e46445c9ea58c181e818e95b8c3fb0bf3278409d3be152a3da5043e063dda65cdf5aea20d53dfacd42f74f3"
	sf8448 = "140000209b9b141d906337fbd2cbdce71df4deda4ab42c309572cb7fffee5454b78f0718"
	cf8448 = "14000020a8ec436d677634ae525ac1fcebe11a039ec17694fac6e98527b642f2edd5ce61"
)

// TestRFC8448Simple1RTT replays the key schedule of RFC 8448 §3 ("Simple
// 1-RTT Handshake", TLS_AES_128_GCM_SHA256, x25519) value by value.
func TestRFC8448Simple1RTT(t *testing.T) {
	h := crypto.SHA256
	s := NewSchedule(h, nil)
	check(t, "early secret", s.EarlySecret(), "33ad0a1c607ec03b09e6cd9893680ce210adf300aa1f2660e1b22e10f170f92a")
	check(t, "derived for handshake", DeriveSecret(h, s.EarlySecret(), "derived", emptyHash(h)), "6f2615a108c702c5678f54fc9dbab69716c076189c48250cebeac3576c3611ba")
	s.SetShared(unhex(t, "8bd4054fb55b9d63fdfbacf9f04b9f0d35e6d63f537563efd46272900f89492d"))
	check(t, "handshake secret", s.HandshakeSecret(), "1dc826e93606aa6fdc0aadc12f741b01046aa6b99f691ed221a9f0ca043fbeac")
	check(t, "derived for master", DeriveSecret(h, s.HandshakeSecret(), "derived", emptyHash(h)), "43de77e0c77713859a944db9db2590b53190a65b3ee2e4f12dd7a0bb7ce254b4")
	check(t, "master secret", s.MasterSecret(), "18df06843d13a08bf2a449844c5f8a478001bc4d4c627984d5a41da8d0402919")

	tr := NewTranscript(h)
	tr.Write(unhex(t, ch8448))
	tr.Write(unhex(t, sh8448))
	cHS := s.ClientHandshakeTrafficSecret(tr.Sum())
	sHS := s.ServerHandshakeTrafficSecret(tr.Sum())
	check(t, "c hs traffic", cHS, "b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21")
	check(t, "s hs traffic", sHS, "b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38")
	k, iv := TrafficKey(h, sHS, 16, 12)
	check(t, "server handshake key", k, "3fce516009c21727d0f2e4e86ee403bc")
	check(t, "server handshake iv", iv, "5d313eb2671276ee13000b30")
	k, iv = TrafficKey(h, cHS, 16, 12)
	check(t, "client handshake key", k, "dbfaa693d1762c5b666af5d950258d01")
	check(t, "client handshake iv", iv, "5bd3c71b836e0b76bb73265f")

	tr.Write(unhex(t, ee8448))
	tr.Write(unhex(t, ct8448))
	tr.Write(unhex(t, cv8448))
	check(t, "server finished", FinishedMAC(h, sHS, tr.Sum()), sf8448[8:])
	tr.Write(unhex(t, sf8448))
	cAP := s.ClientAppTrafficSecret(tr.Sum())
	sAP := s.ServerAppTrafficSecret(tr.Sum())
	check(t, "c ap traffic", cAP, "9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5")
	check(t, "s ap traffic", sAP, "a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643")
	check(t, "exp master", s.ExporterMasterSecret(tr.Sum()), "fe22f881176eda18eb8f44529e6792c50c9a3f89452f68d8ae311b4309d3cf50")
	k, iv = TrafficKey(h, sAP, 16, 12)
	check(t, "server application key", k, "9f02283b6c9c07efc26bb9f2ac92e356")
	check(t, "server application iv", iv, "cf782b88dd83549aadf1e984")
	k, iv = TrafficKey(h, cAP, 16, 12)
	check(t, "client application key", k, "17422dda596ed5d9acd890e3c63f5051")
	check(t, "client application iv", iv, "5b78923dee08579033e523d9")
	check(t, "client finished", FinishedMAC(h, cHS, tr.Sum()), cf8448[8:])
	tr.Write(unhex(t, cf8448))
	res := s.ResumptionMasterSecret(tr.Sum())
	check(t, "res master", res, "7df235f2031d2a051287d02b0241b0bfdaf86cc856231f2d5aba46c434ec196c")
	check(t, "resumption psk (nonce 0000)", ResumptionPSK(h, res, []byte{0, 0}), "4ecd0eb6ec3b4d87f5d6028f922ca4c5851a277fd41311c9e62d2c9492e1c4f3")
}

func TestRestartAfterHRR(t *testing.T) {
	// RFC 8446 §4.4.1: message_hash header then Hash(ClientHello1).
	ch := unhex(t, ch8448)
	got := RestartAfterHRR(crypto.SHA256, ch).Sum()
	d := crypto.SHA256.New()
	d.Write(ch)
	inner := d.Sum(nil)
	d = crypto.SHA256.New()
	d.Write(append([]byte{254, 0, 0, 32}, inner...))
	if !bytes.Equal(got, d.Sum(nil)) {
		t.Error("restarted transcript")
	}
}

// The PRF vectors were produced by OpenSSL 3.0 (`openssl kdf ... TLS1-PRF`,
// the label prepended to the seed as the PRF does).
func TestPRFVectors(t *testing.T) {
	check(t, "P_SHA256", PRF12(crypto.SHA256, unhex(t, "9bbe436ba940f017b17652849a71db35"), "test label", unhex(t, "a0ba9f936cda311827a6f796ffd5198c"), 100),
		"e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff70187347b66")
	check(t, "EMS SHA384", ExtendedMasterSecret12(crypto.SHA384, unhex(t, "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff0011223344556677"), []byte("session hash for ems test 384 bits.....!!")),
		"444030ec06efeb571484fe464da85a2adc63ddab236b86b70043b59e0bbdf3c3a0c92995ca56b190712572b780accc6f")
	check(t, "TLS 1.0 PRF, odd secret", PRF10(unhex(t, "0102030405060708090a0b0c0d0e0f1011"), "key expansion", unhex(t, "abcdef"), 40),
		"9ccc728fbe59b180576aae7a4e7601b75936d4901438179f05a07afbf0d30519fe30aba43fd0fb23")
}

// TestExpandLabelLengths checks HKDF-Expand-Label against crypto/hkdf's
// HKDF-Expand for outputs shorter than, equal to and several blocks
// longer than the hash, with one mac reused for several labels and keys
// as the pool reuses them.
func TestExpandLabelLengths(t *testing.T) {
	for _, h := range []crypto.Hash{crypto.SHA256, crypto.SHA384} {
		m := getMAC(h)
		for _, secret := range [][]byte{bytes.Repeat([]byte{0x5a}, h.Size()), {1, 2, 3}} {
			m.setKey(secret)
			for _, n := range []int{1, 12, 16, 32, 48, 49, 64, 100, 200} {
				for _, ctx := range [][]byte{nil, []byte("context")} {
					full := "tls13 label"
					info := []byte{byte(n >> 8), byte(n), byte(len(full))}
					info = append(append(append(info, full...), byte(len(ctx))), ctx...)
					want, err := hkdf.Expand(h.New, secret, string(info), n)
					if err != nil {
						t.Fatal(err)
					}
					if got := ExpandLabel(h, secret, "label", ctx, n); !bytes.Equal(got, want) {
						t.Errorf("%v n=%d: ExpandLabel = %x, want %x", h, n, got, want)
					}
					if got := m.expandLabel(nil, "label", ctx, n); !bytes.Equal(got, want) {
						t.Errorf("%v n=%d: reused mac = %x, want %x", h, n, got, want)
					}
					if got := m.expandLabel([]byte("prefix"), "label", ctx, n); string(got[:6]) != "prefix" || !bytes.Equal(got[6:], want) {
						t.Errorf("%v n=%d: appended = %x, want prefix then %x", h, n, got, want)
					}
				}
			}
		}
		m.put()
	}
}

// TestMACAgainstStdlib checks the pooled HMAC and HKDF-Extract against
// crypto/hmac and crypto/hkdf for empty keys, keys of the hash's length,
// of the block's and longer than a block (hashed first, RFC 2104 §2), and
// the exporter against its definition from ExpandLabel.
func TestMACAgainstStdlib(t *testing.T) {
	for _, h := range []crypto.Hash{crypto.SHA256, crypto.SHA384} {
		for _, n := range []int{0, 1, h.Size(), h.New().BlockSize(), h.New().BlockSize() + 1, 300} {
			key := bytes.Repeat([]byte{byte(n)}, n)
			for _, msg := range [][]byte{{}, []byte("abc"), bytes.Repeat([]byte{7}, 200)} {
				m := getMAC(h)
				m.setKey(key)
				m.d.Write(msg)
				got := m.sum(nil)
				m.start()
				m.d.Write(msg)
				again := m.sum(nil)
				m.put()
				ref := hmac.New(h.New, key)
				ref.Write(msg)
				want := ref.Sum(nil)
				if !bytes.Equal(got, want) || !bytes.Equal(again, want) {
					t.Errorf("%v key %d msg %d: HMAC = %x, %x, want %x", h, n, len(msg), got, again, want)
				}
				wantPRK, err := hkdf.Extract(h.New, msg, key)
				if err != nil {
					t.Fatal(err)
				}
				if got := extract(h, msg, key); !bytes.Equal(got, wantPRK) {
					t.Errorf("%v salt %d ikm %d: extract = %x, want %x", h, n, len(msg), got, wantPRK)
				}
			}
		}
		secret := bytes.Repeat([]byte{9}, h.Size())
		ch := h.New()
		ch.Write([]byte("ctx"))
		want := ExpandLabel(h, DeriveSecret(h, secret, "EXPERIMENTAL x", emptyHash(h)), "exporter", ch.Sum(nil), 70)
		if got := Export13(h, secret, "EXPERIMENTAL x", []byte("ctx"), 70); !bytes.Equal(got, want) {
			t.Errorf("%v: Export13 = %x, want %x", h, got, want)
		}
		fk := ExpandLabel(h, secret, "finished", nil, h.Size())
		ref := hmac.New(h.New, fk)
		ref.Write([]byte("transcript hash"))
		if got := FinishedMAC(h, secret, []byte("transcript hash")); !bytes.Equal(got, ref.Sum(nil)) {
			t.Errorf("%v: FinishedMAC = %x", h, got)
		}
	}
}

// BenchmarkServerSchedule13 is the key schedule of a TLS 1.3 server's full
// handshake with SHA-256: the secrets, four traffic keys, two Finished
// MACs and two tickets' PSKs.
func BenchmarkServerSchedule13(b *testing.B) {
	shared, th := make([]byte, 32), make([]byte, 32)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		s := NewSchedule(crypto.SHA256, nil)
		s.SetShared(shared)
		cHS, sHS := s.ClientHandshakeTrafficSecret(th), s.ServerHandshakeTrafficSecret(th)
		cAP, sAP := s.ClientAppTrafficSecret(th), s.ServerAppTrafficSecret(th)
		s.ExporterMasterSecret(th)
		res := s.ResumptionMasterSecret(th)
		for _, sec := range [][]byte{cHS, sHS, cAP, sAP} {
			TrafficKey(crypto.SHA256, sec, 16, 12)
		}
		FinishedMAC(crypto.SHA256, sHS, th)
		FinishedMAC(crypto.SHA256, cHS, th)
		ResumptionPSK(crypto.SHA256, res, []byte{0})
		ResumptionPSK(crypto.SHA256, res, []byte{1})
	}
}
