package sclient

import (
	"strings"
	"testing"
)

// FuzzOCSPResponse feeds the stapled-response printer what a server may
// send: it must never panic, whatever the bytes.
func FuzzOCSPResponse(f *testing.F) {
	f.Add([]byte{0x30, 0x03, 0x0a, 0x01, 0x00})
	f.Add([]byte{0x30, 0x03, 0x0a, 0x01, 0x06})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, der []byte) {
		var b strings.Builder
		formatOCSP(&b, der)
		checkOCSP(der, nil, nil)
	})
}

// FuzzSessionFile feeds -sess_in's decoders: files are user input.
func FuzzSessionFile(f *testing.F) {
	f.Add([]byte{0x30, 0x00})
	f.Add([]byte{0, 0, 0, 1, 0xff, 0x03, 0x04, 2})
	f.Fuzz(func(t *testing.T, data []byte) {
		goSessionFromOpenSSL(data)
		decodeTLSKitSession("f", data)
		if gs, err := parseGoSession(data); err == nil {
			gs.bytes()
			gs.opensslDER(nil, sessionMeta{})
		}
	})
}
