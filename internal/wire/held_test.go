package wire

import (
	"bytes"
	"strings"
	"testing"

	"github.com/tlskit/tlskit/internal/engine"
)

// TestEventsNotSplit: a received record reported between a sent record's
// header and its message (another goroutine reading the peer's answer) is
// printed after the sent record, never inside it; application data holds
// nothing (it has no message to wait for).
func TestEventsNotSplit(t *testing.T) {
	var tr, msgOut syncBuffer
	ob := New(Options{Client: true, Trace: &tr, Msg: &msgOut})
	hdr := func(sent bool, n int) engine.Event {
		return engine.Event{Sent: sent, Version: 0x0303, ContentType: engine.ContentRecordHeader, Data: []byte{23, 3, 3, 0, byte(n)}}
	}
	inner := func(sent bool) engine.Event {
		return engine.Event{Sent: sent, Version: 0x0303, ContentType: engine.ContentInnerType, Data: []byte{typeAlert}}
	}
	alert := func(sent bool) engine.Event {
		return engine.Event{Sent: sent, Version: 0x0303, ContentType: typeAlert, Data: []byte{1, 0}}
	}
	for _, e := range []engine.Event{hdr(true, 19), inner(true), hdr(false, 19), inner(false), alert(false), alert(true)} {
		ob.Event(e)
	}
	sent := strings.Index(tr.String(), "Sent Record")
	sentAlert := strings.Index(tr.String(), "    Level=")
	recv := strings.Index(tr.String(), "Received Record")
	if sent < 0 || recv < 0 || !(sent < sentAlert && sentAlert < recv) || strings.Count(tr.String(), "    Level=") != 2 {
		t.Fatalf("-trace split the sent record:\n%s", tr.String())
	}
	if i, j := strings.Index(msgOut.String(), ">>> TLS 1.3, Alert"), strings.Index(msgOut.String(), "<<< TLS 1.2, RecordHeader"); i < 0 || j < i {
		t.Fatalf("-msg split the sent record:\n%s", msgOut.String())
	}
	// A sent TLS 1.3 application data record holds nothing.
	ob.Event(engine.Event{Sent: false, Version: 0x0303, ContentType: engine.ContentRecordHeader, Data: []byte{22, 3, 3, 0, 122}})
	ob.Event(engine.Event{Sent: false, Version: 0x0303, ContentType: typeHandshake, Data: serverHello13()})
	ob.Event(hdr(true, 30))
	ob.Event(engine.Event{Sent: true, Version: 0x0303, ContentType: engine.ContentInnerType, Data: []byte{typeApplicationData}})
	ob.Event(hdr(false, 19))
	if n := strings.Count(tr.String(), "Received Record"); n != 3 {
		t.Fatalf("%d received records shown after application data:\n%s", n, tr.String())
	}
}

// serverHello13 is a TLS 1.3 ServerHello choosing TLS_AES_128_GCM_SHA256.
func serverHello13() []byte {
	body := []byte{0x03, 0x03}
	body = append(body, bytes.Repeat([]byte{7}, 32)...)
	body = append(body, 0, 0x13, 0x01, 0, 0, 6, 0, 43, 0, 2, 3, 4)
	return append([]byte{hsServerHello, 0, 0, byte(len(body))}, body...)
}
