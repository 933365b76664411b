package sclient

import (
	"encoding/asn1"
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
	})
}

// FuzzSessionFile feeds -sess_in's decoder and the session it gives the
// engine: files are user input.
func FuzzSessionFile(f *testing.F) {
	f.Add([]byte{0x30, 0x00})
	for _, o := range []opensslSession{
		{Version: 1, SSLVersion: 0x0304, Cipher: []byte{0x13, 0x02}, MasterKey: make([]byte, 48), Ticket: []byte{1, 2, 3}, LifetimeHint: 7200, AgeAdd: 5},
		{Version: 1, SSLVersion: 0x0303, Cipher: []byte{0xc0, 0x30}, SessionID: make([]byte, 32), MasterKey: make([]byte, 48), Flags: flagEMS,
			Peer: asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 3, IsCompound: true, Bytes: []byte{0x30, 0x00}}},
	} {
		der, err := asn1.Marshal(o)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(der)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		o, err := parseOpenSSLSession(data)
		if err != nil {
			return
		}
		var sess resumeSession
		sess.load(o)
	})
}
