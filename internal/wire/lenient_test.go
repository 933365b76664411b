package wire

import (
	"strings"
	"testing"

	"github.com/tlskit/tlskit/internal/engine"
)

// badHello is a TLS 1.2 ClientHello (random 00..1f, two ECDHE GCM
// suites) whose tail the codec rejects, as openssl s_server -trace was
// shown it.
func badHello(mode string) []byte {
	ext := func(t uint16, d ...byte) []byte {
		return append([]byte{byte(t >> 8), byte(t), byte(len(d) >> 8), byte(len(d))}, d...)
	}
	var exts []byte
	exts = append(exts, ext(10, 0, 4, 0, 29, 0, 23)...)
	exts = append(exts, ext(13, 0, 4, 4, 3, 8, 4)...)
	switch mode {
	case "dup":
		exts = append(exts, ext(10, 0, 2, 0, 29)...)
	case "trunc":
		exts = append(exts, 0, 11, 0, 10, 1) // ec_point_formats claims 10 bytes, has 1
	}
	body := []byte{3, 3}
	for i := range 32 {
		body = append(body, byte(i))
	}
	body = append(body, 0, 0, 4, 0xc0, 0x2f, 0xc0, 0x2b, 1, 0)
	switch mode {
	case "short":
		body = append(body, 0)
	case "cs":
		body = append(body[:35], 0, 9, 0xc0)
	default:
		body = append(body, byte(len(exts)>>8), byte(len(exts)))
		body = append(body, exts...)
	}
	return append([]byte{1, 0, byte(len(body) >> 8), byte(len(body))}, body...)
}

const helloHead = `      client_version=0x303 (TLS 1.2)
      Random:
        gmt_unix_time=0x00010203
        random_bytes (len=28): 0405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F
      session_id (len=0): 
`

const helloSuites = `      cipher_suites (len=4)
        {0xC0, 0x2F} TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
        {0xC0, 0x2B} TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
      compression_methods (len=1)
        No Compression (0x00)
`

const helloExts = `        extension_type=supported_groups(10), length=6
          ecdh_x25519 (29)
          secp256r1 (P-256) (23)
        extension_type=signature_algorithms(13), length=6
          ecdsa_secp256r1_sha256 (0x0403)
          rsa_pss_rsae_sha256 (0x0804)
`

// TestTraceRejectedHello: a ClientHello the codec rejects prints in
// -trace as openssl s_server -trace printed these same bytes: every field
// it could read, then "Message length parse error!" where one ran short
// (a repeated extension is well framed: all of it prints).
func TestTraceRejectedHello(t *testing.T) {
	for _, tc := range []struct{ mode, want string }{
		{"dup", "    ClientHello, Length=73\n" + helloHead + helloSuites + "      extensions, length = 28\n" + helloExts +
			"        extension_type=supported_groups(10), length=4\n          ecdh_x25519 (29)\n"},
		{"trunc", "    ClientHello, Length=70\n" + helloHead + helloSuites + "      extensions, length = 25\n" + helloExts +
			"extensions, extype = 11, extlen = 10\n        0000 - 00 0b 00 0a 01                                 .....\nMessage length parse error!\n"},
		{"short", "    ClientHello, Length=44\n" + helloHead + helloSuites + "      Message length parse error!\n"},
		{"cs", "    ClientHello, Length=38\n" + helloHead + "      cipher_suites (len=9)\nMessage length parse error!\n"},
	} {
		var tr strings.Builder
		ob := New(Options{Trace: &tr})
		m := badHello(tc.mode)
		ob.Event(engine.Event{Version: 0x0303, ContentType: engine.ContentRecordHeader, Data: []byte{22, 3, 1, 0, byte(len(m))}})
		ob.Event(engine.Event{Version: 0x0303, ContentType: typeHandshake, Data: m})
		out := tr.String()
		i := strings.Index(out, "    ClientHello")
		if i < 0 || !strings.HasPrefix(out[i:], tc.want+"\n") {
			t.Errorf("%s: got\n%s\nwant\n%s", tc.mode, out, tc.want)
		}
	}
}

// FuzzTraceHelloLenient walks arbitrary hello bodies: never a panic, and
// the walk stops within the body.
func FuzzTraceHelloLenient(f *testing.F) {
	for _, m := range []string{"dup", "trunc", "short", "cs"} {
		f.Add(true, badHello(m)[4:])
	}
	f.Add(false, []byte{3, 3})
	f.Fuzz(func(t *testing.T, client bool, body []byte) {
		var sb strings.Builder
		traceHelloLenient(&sb, client, body)
	})
}
