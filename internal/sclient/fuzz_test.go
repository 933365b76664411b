package sclient

import (
	"encoding/pem"
	"strings"
	"testing"

	"github.com/tlskit/tlskit/internal/sessfile"
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
// engine: files are user input. The decoder alone is fuzzed in
// internal/sessfile; this target covers what s_client makes of a
// session it accepts.
func FuzzSessionFile(f *testing.F) {
	f.Add([]byte{0x30, 0x00})
	for _, v := range []uint16{0x0304, 0x0303} {
		o := sessfile.Session{Version: 1, SSLVersion: int(v), SessionID: make([]byte, 32), MasterKey: make([]byte, 48),
			Ticket: []byte{1, 2, 3}, LifetimeHint: 7200, AgeAdd: 5, Flags: sessfile.FlagEMS}
		o.SetSuite(0x1302)
		o.SetPeer([]byte{0x30, 0x03, 0x02, 0x01, 0x01})
		o.SetKexGroup(29)
		der, err := o.Marshal()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(der)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		o, err := sessfile.Decode(pem.EncodeToMemory(&pem.Block{Type: sessfile.PEMType, Bytes: data}))
		if err != nil {
			return
		}
		var sess resumeSession
		sess.load(o)
	})
}
