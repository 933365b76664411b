package sclient

import (
	"encoding/pem"
	"os"
	"slices"
	"testing"

	"github.com/tlskit/tlskit/internal/testpeer"
)

// serverHello12 is a TLS 1.2 ServerHello body choosing
// ECDHE-RSA-AES128-GCM-SHA256 with the extensions block ext (raw, its
// length prefix included, or nil for none).
func serverHello12(ext []byte) []byte {
	b := append([]byte{3, 3}, make([]byte, 32)...)
	b = append(b, 0, 0xc0, 0x2f, 0)
	return append(b, ext...)
}

// serverHello13 is a TLS 1.3 ServerHello body choosing
// TLS_AES_128_GCM_SHA256, echoing the ClientHello's session ID, with the
// extensions ext (each whole, type and length included).
func serverHello13(clientHello []byte, ext ...[]byte) []byte {
	sid := clientHello[4+2+32:]
	sid = sid[:1+int(sid[0])]
	b := append([]byte{3, 3}, make([]byte, 32)...)
	b = append(b, sid...)
	b = append(b, 0x13, 0x01, 0)
	all := slices.Concat(ext...)
	return append(b, append([]byte{byte(len(all) >> 8), byte(len(all))}, all...)...)
}

// extBlock is an extensions block: its length, then the extensions.
func extBlock(ext ...[]byte) []byte {
	all := slices.Concat(ext...)
	return append([]byte{byte(len(all) >> 8), byte(len(all))}, all...)
}

// ext is one extension: type, length, data.
func ext(typ uint16, data []byte) []byte {
	return append([]byte{byte(typ >> 8), byte(typ), byte(len(data) >> 8), byte(len(data))}, data...)
}

var (
	supportedVersions13 = ext(43, []byte{3, 4})
	keyShareX25519      = ext(51, append([]byte{0, 29, 0, 32}, slices.Repeat([]byte{9}, 32)...))
	renegotiationInfo   = ext(0xff01, []byte{0})
)

// certificateMsg is a TLS 1.2 Certificate message carrying pki's server
// certificate.
func certificateMsg(t *testing.T, pki *testpeer.PKI) []byte {
	b, err := os.ReadFile(pki.Server)
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(b)
	der := blk.Bytes
	entry := append([]byte{byte(len(der) >> 16), byte(len(der) >> 8), byte(len(der))}, der...)
	return hsMsg(11, append([]byte{byte(len(entry) >> 16), byte(len(entry) >> 8), byte(len(entry))}, entry...))
}

// TestServerMessageParseErrorsLikeOpenSSL: a server message that does not
// parse gets openssl s_client's error line (its function and reason, not
// tlskit's "internal error") and its alert: ServerHellos cut short, with
// a bad extension block, a bad or duplicate extension, a session ID over
// 32 bytes; Certificates and ServerKeyExchanges cut short or too long, an
// explicit curve (illegal_parameter, where the engine sent
// handshake_failure).
func TestServerMessageParseErrorsLikeOpenSSL(t *testing.T) {
	pki := testpeer.NewPKI(t)
	cert := certificateMsg(t, pki)
	flight := func(msgs ...[]byte) []byte { return tlsRecord(22, slices.Concat(msgs...)) }
	for _, tc := range []struct {
		name, want string
		reply      func(ch []byte) []byte
	}{
		{"reneg-bad-length", "tls_parse_stoc_renegotiate:renegotiation encoding err", func([]byte) []byte {
			return flight(hsMsg(2, serverHello12(extBlock(ext(0xff01, []byte{5})))))
		}},
		{"ext-block-too-long", "tls_process_server_hello:bad length", func([]byte) []byte {
			return flight(hsMsg(2, serverHello12([]byte{0, 16, 0xff, 1, 0, 1, 0})))
		}},
		{"sh-truncated", "tls_process_server_hello:length mismatch", func([]byte) []byte { return flight(hsMsg(2, serverHello12(nil)[:30])) }},
		{"sh-trailing", "tls_process_server_hello:bad length", func([]byte) []byte {
			return flight(hsMsg(2, append(serverHello12(extBlock(renegotiationInfo)), 1, 2)))
		}},
		{"ec-point-formats-bad", "tls_parse_stoc_ec_pt_formats:bad extension", func([]byte) []byte {
			return flight(hsMsg(2, serverHello12(extBlock(renegotiationInfo, ext(11, []byte{5, 0})))))
		}},
		{"ext-duplicate", "tls_collect_extensions:bad extension", func([]byte) []byte {
			return flight(hsMsg(2, serverHello12(extBlock(renegotiationInfo, renegotiationInfo))))
		}},
		{"cert-truncated", "tls_process_server_certificate:length mismatch", func([]byte) []byte {
			return flight(hsMsg(2, serverHello12(extBlock(renegotiationInfo))), hsMsg(11, []byte{0, 0, 100, 0, 0, 97, 1, 2, 3}))
		}},
		{"cert-list-short", "tls_process_server_certificate:length mismatch", func([]byte) []byte {
			return flight(hsMsg(2, serverHello12(extBlock(renegotiationInfo))), hsMsg(11, []byte{0, 0, 2, 0, 0, 97, 1, 2, 3}))
		}},
		{"ske-truncated", "tls_process_ske_ecdhe:length mismatch", func([]byte) []byte {
			return flight(hsMsg(2, serverHello12(extBlock(renegotiationInfo))), cert, hsMsg(12, []byte{3, 0, 29, 32, 1, 2}))
		}},
		{"ske-explicit-curve", "tls_process_ske_ecdhe:wrong curve", func([]byte) []byte {
			return flight(hsMsg(2, serverHello12(extBlock(renegotiationInfo))), cert, hsMsg(12, []byte{1, 0, 29, 32, 1, 2}))
		}},
		{"ske-sig-truncated", "tls_process_key_exchange:length mismatch", func([]byte) []byte {
			ske := append([]byte{3, 0, 29, 32}, slices.Repeat([]byte{9}, 32)...)
			return flight(hsMsg(2, serverHello12(extBlock(renegotiationInfo))), cert, hsMsg(12, append(ske, 8, 4, 1, 0, 1, 2)))
		}},
		{"ske-trailing", "tls_process_key_exchange:length mismatch", func([]byte) []byte {
			ske := append([]byte{3, 0, 29, 32}, slices.Repeat([]byte{9}, 32)...)
			return flight(hsMsg(2, serverHello12(extBlock(renegotiationInfo))), cert, hsMsg(12, append(ske, 8, 4, 0, 2, 1, 2, 3)))
		}},
		{"sid-too-long", "tls_process_server_hello:ssl3 session id too long", func([]byte) []byte {
			b := append([]byte{3, 3}, make([]byte, 32)...)
			b = append(b, 33)
			b = append(b, make([]byte, 33)...)
			return flight(hsMsg(2, append(b, 0xc0, 0x2f, 0)))
		}},
		{"alpn-bad", "tls_collect_extensions:unsolicited extension", func([]byte) []byte {
			return flight(hsMsg(2, serverHello12(extBlock(renegotiationInfo, ext(16, []byte{0, 5, 1})))))
		}},
		{"ext-inner-overflow", "tls_collect_extensions:bad extension", func([]byte) []byte {
			return flight(hsMsg(2, serverHello12(extBlock([]byte{0xff, 1, 0, 9, 0}))))
		}},
		{"ticket-nonempty", "tls_parse_stoc_session_ticket:bad extension", func([]byte) []byte {
			return flight(hsMsg(2, serverHello12(extBlock(renegotiationInfo, ext(35, []byte{1})))))
		}},
		{"13-keyshare-bad", "tls_parse_stoc_key_share:length mismatch", func(ch []byte) []byte {
			return flight(hsMsg(2, serverHello13(ch, supportedVersions13, ext(51, []byte{0, 29, 0, 40, 1}))))
		}},
		{"13-supported-versions-bad", "tls_parse_stoc_supported_versions:length mismatch", func(ch []byte) []byte {
			return flight(hsMsg(2, serverHello13(ch, ext(43, []byte{3, 4, 0}), keyShareX25519)))
		}},
		{"13-sh-ext-truncated", "tls_process_server_hello:bad length", func(ch []byte) []byte {
			sh := serverHello13(ch, supportedVersions13, keyShareX25519)
			return flight(hsMsg(2, sh[:len(sh)-3]))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			compareBadServer(t, ":SSL routines:"+tc.want+":", tc.reply)
		})
	}
}
