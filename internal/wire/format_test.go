package wire

import (
	"strings"
	"testing"

	"github.com/tlskit/tlskit/internal/engine"
)

// Lines recorded from openssl 3.0.19 -debug and -trace output.
func TestDumpFormat(t *testing.T) {
	tests := []struct {
		in     []byte
		indent int
		want   string
	}{
		{[]byte{0x16, 0x03, 0x03, 0x00, 0x7a}, 0, "0000 - 16 03 03 00 7a                                    ....z\n"},
		{[]byte{0x01}, 0, "0000 - 01                                                .\n"},
		{[]byte{0x02, 0x00, 0x00, 0x76, 0x03, 0x03, 0x32, 0x29, 0x55, 0x5b, 0x4b, 0x7c, 0x58, 0x28, 0x66, 0xb3}, 0,
			"0000 - 02 00 00 76 03 03 32 29-55 5b 4b 7c 58 28 66 b3   ...v..2)U[K|X(f.\n"},
		{append([]byte{0x00, 0x0e, 0x00, 0x00, 0x0b}, "example.com"...), 10,
			"          0000 - 00 0e 00 00 0b 65 78 61-6d 70 6c 65 2e 63 6f   .....example.co\n" +
				"          000f - 6d                                             m\n"},
	}
	for _, tc := range tests {
		var sb strings.Builder
		writeDump(&sb, tc.in, tc.indent)
		if sb.String() != tc.want {
			t.Errorf("writeDump(%x, %d) =\n%q\nwant\n%q", tc.in, tc.indent, sb.String(), tc.want)
		}
	}
	var sb strings.Builder
	writeMsgHex(&sb, []byte{0x16, 0x03, 0x01, 0x01, 0x24})
	if got := sb.String(); got != "    16 03 01 01 24\n" {
		t.Errorf("writeMsgHex = %q", got)
	}
}

func TestDebugFraming(t *testing.T) {
	var out strings.Builder
	ob := New(Options{Client: true, Debug: &out, Msg: &out})
	// A record split across reads is still dumped as header then body,
	// the body whole (the record layer's reads do not follow openssl's);
	// the engine's events print -msg's lines between, as openssl does.
	rec := []byte{0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28}
	ob.feed(false, rec[:3])
	ob.feed(false, rec[3:5])
	ob.Event(engine.Event{Version: 0x0303, ContentType: engine.ContentRecordHeader, Data: rec[:5]})
	ob.feed(false, rec[5:6])
	ob.feed(false, rec[6:])
	ob.Event(engine.Event{Version: 0x0304, ContentType: typeAlert, Data: rec[5:]})
	want := "read from 0x55d0c0a0b180 [0x55d0c0a0c083] (5 bytes => 5 (0x5))\n" +
		"0000 - 15 03 03 00 02                                    .....\n" +
		"<<< TLS 1.2, RecordHeader [length 0005]\n    15 03 03 00 02\n" +
		"read from 0x55d0c0a0b180 [0x55d0c0a0c088] (2 bytes => 2 (0x2))\n" +
		"0000 - 02 28                                             .(\n" +
		"<<< TLS 1.3, Alert [length 0002], fatal handshake_failure\n    02 28\n"
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}
	out.Reset()
	ob.feed(true, rec)
	ob.wrote(len(rec))
	if out.String() != "write to 0x55d0c0a0b180 [0x55d0c0a0d0a0] (7 bytes => 7 (0x7))\n0000 - 15 03 03 00 02 02 28                              ......(\n" {
		t.Errorf("write dump = %q", out.String())
	}
	if s := ob.Summary(); s.BytesRead != 7 || s.BytesWritten != 7 {
		t.Errorf("bytes read %d written %d", s.BytesRead, s.BytesWritten)
	}
	// A write that fails shows openssl's -1 and no dump.
	out.Reset()
	ob.feed(true, rec)
	ob.wrote(0)
	if out.String() != "write to 0x55d0c0a0b180 [0x55d0c0a0d0a0] (7 bytes => -1)\n" {
		t.Errorf("failed write dump = %q", out.String())
	}
}

// TestSentAlertWaitsForWrite: a sent alert's lines come once its record
// is written, and never when the write fails (openssl s_server's q closes
// the socket before its close_notify: -trace shows the record's header
// and inner content type only); its record's header is shown at once.
func TestSentAlertWaitsForWrite(t *testing.T) {
	rec := []byte{0x17, 0x03, 0x03, 0x00, 0x13}
	for _, n := range []int{0, 24} {
		var trace strings.Builder
		ob := New(Options{Trace: &trace})
		ob.Wrap(nil)
		ob.Event(engine.Event{Sent: true, Version: 0x0304, ContentType: engine.ContentRecordHeader, Data: rec})
		ob.Event(engine.Event{Sent: true, Version: 0x0304, ContentType: engine.ContentInnerType, Data: []byte{typeAlert}})
		ob.Event(engine.Event{Sent: true, Version: 0x0304, ContentType: typeAlert, Data: []byte{1, 0}})
		header := "Sent Record\nHeader:\n  Version = TLS 1.2 (0x303)\n  Content Type = ApplicationData (23)\n  Length = 19\n  Inner Content Type = Alert (21)\n"
		if trace.String() != header {
			t.Errorf("before the write:\n%s", trace.String())
		}
		ob.feed(true, make([]byte, 24))
		ob.wrote(n)
		want := header
		if n > 0 {
			want += "    Level=warning(1), description=close notify(0)\n\n"
		}
		if trace.String() != want {
			t.Errorf("after a write of %d bytes:\n%s\nwant\n%s", n, trace.String(), want)
		}
	}
}

func TestAlertLines(t *testing.T) {
	var msg, trace, state strings.Builder
	ob := New(Options{Client: true, Msg: &msg, Trace: &trace, State: &state})
	ob.Event(engine.Event{Version: 0x0303, ContentType: engine.ContentRecordHeader, Data: []byte{0x15, 0x03, 0x03, 0x00, 0x02}})
	ob.Event(engine.Event{Version: 0x0304, ContentType: typeAlert, Data: []byte{0x02, 0x32}})
	wantMsg := "<<< TLS 1.2, RecordHeader [length 0005]\n    15 03 03 00 02\n" +
		"<<< TLS 1.3, Alert [length 0002], fatal decode_error\n    02 32\n"
	if msg.String() != wantMsg {
		t.Errorf("-msg:\n%s\nwant\n%s", msg.String(), wantMsg)
	}
	wantTrace := "Received Record\nHeader:\n  Version = TLS 1.2 (0x303)\n  Content Type = Alert (21)\n  Length = 2\n" +
		"    Level=fatal(2), description=decode error(50)\n\n"
	if trace.String() != wantTrace {
		t.Errorf("-trace:\n%s\nwant\n%s", trace.String(), wantTrace)
	}
	if state.String() != "SSL_connect:before SSL initialization\nSSL3 alert read:fatal:decode error\n" {
		t.Errorf("-state: %q", state.String())
	}
	if s := ob.Summary(); len(s.AlertReceived) != 1 || s.AlertReceived[0] != (Alert{2, 50}) {
		t.Errorf("AlertReceived = %v", s.AlertReceived)
	}
}

// TestRejectedMessageDump: a message the codec rejects (here a
// ClientHello whose extension block overruns it, which openssl answers
// with decode_error) prints, as openssl -trace does, the fields that
// could be read and "Message length parse error!" (after the indent
// openssl wrote for the extensions line), and tells the Summary nothing.
func TestRejectedMessageDump(t *testing.T) {
	body := append(append([]byte{3, 3}, make([]byte, 32)...), 0, 0, 2, 0x13, 1, 1, 0, 0, 0x10, 0, 0x0b, 0, 2)
	m := append([]byte{hsClientHello, 0, 0, byte(len(body))}, body...)
	var tr strings.Builder
	ob := New(Options{Trace: &tr})
	ob.Event(engine.Event{Version: 0x0304, ContentType: typeHandshake, Data: m})
	want := "    ClientHello, Length=47\n      client_version=0x303 (TLS 1.2)\n      Random:\n        gmt_unix_time=0x00000000\n" +
		"        random_bytes (len=28): " + strings.Repeat("00", 28) + "\n      session_id (len=0): \n" +
		"      cipher_suites (len=2)\n        {0x13, 0x01} TLS_AES_128_GCM_SHA256\n" +
		"      compression_methods (len=1)\n        No Compression (0x00)\n      Message length parse error!\n\n"
	if tr.String() != want {
		t.Errorf("-trace:\n%s\nwant\n%s", tr.String(), want)
	}
	if ob.Summary().ClientHello != nil {
		t.Error("a rejected ClientHello reached the Summary")
	}
}

// TestDebugReadAhead: records the record layer read in one go are shown
// one at a time as the engine takes them up, so that -msg's lines of the
// first come before the reads of the second, as openssl prints them.
func TestDebugReadAhead(t *testing.T) {
	var out strings.Builder
	ob := New(Options{Client: true, Debug: &out, Msg: &out})
	two := []byte{0x15, 0x03, 0x03, 0x00, 0x02, 0x01, 0x00, 0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28}
	ob.feed(false, two)
	if out.Len() != 0 {
		t.Fatalf("printed before the engine took a record up:\n%s", out.String())
	}
	ob.Event(engine.Event{Version: 0x0303, ContentType: engine.ContentRecordHeader, Data: two[:5]})
	ob.Event(engine.Event{Version: 0x0303, ContentType: typeAlert, Data: two[5:7]})
	first := out.String()
	if strings.Count(first, "read from") != 2 || !strings.HasSuffix(first, "warning close_notify\n    01 00\n") {
		t.Errorf("after the first record:\n%s", first)
	}
	ob.Event(engine.Event{Version: 0x0303, ContentType: engine.ContentRecordHeader, Data: two[7:12]})
	if n := strings.Count(out.String(), "read from"); n != 4 {
		t.Errorf("%d reads shown, want 4:\n%s", n, out.String())
	}
}
