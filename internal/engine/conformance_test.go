package engine

import (
	"bufio"
	"net"
	"testing"

	"github.com/tlskit/tlskit/internal/engine/alert"
	"github.com/tlskit/tlskit/internal/engine/msg"
	"github.com/tlskit/tlskit/internal/engine/record"
)

// Regression tests for what BoringSSL's runner (BoGo) found; each runs
// without the runner.

// TestClientAlertAfterServerHello: a client that fails the server's
// encrypted flight sends its alert in the clear with no ChangeCipherSpec,
// as openssl s_client 3.0 does (its write key changes only with its own
// flight), and the server still reads it as that alert; with
// AlertsUnderHandshakeKey (BoringSSL's runner reads with the client's
// handshake key) it goes protected, after the compatibility
// ChangeCipherSpec (RFC 8446 Appendix D.4).
func TestClientAlertAfterServerHello(t *testing.T) {
	for _, protected := range []bool{false, true} {
		flipLast := func(m []byte) []byte { m[len(m)-1] ^= 1; return m }
		cli, _, srvErr := ownPair(t, onType(msg.TypeFinished, flipLast), nil)
		var log eventLog
		cli.cfg.OnEvent = log.add
		cli.cfg.AlertsUnderHandshakeKey = protected
		if err := cli.Handshake(); err == nil {
			t.Fatal("handshake succeeded")
		}
		wantReceived(t, <-srvErr, alert.DecryptError)
		var sentHeaders [][]byte
		var sawCCS bool
		for _, e := range log.events() {
			if !e.Sent {
				continue
			}
			switch e.ContentType {
			case ContentRecordHeader:
				sentHeaders = append(sentHeaders, e.Data)
			case int(record.TypeChangeCipherSpec):
				sawCCS = true
			}
		}
		want := byte(record.TypeAlert)
		if protected {
			want = record.TypeApplicationData
		}
		if last := sentHeaders[len(sentHeaders)-1]; last[0] != want || (!protected && len(sentHeaders) != 2) {
			t.Errorf("protected %v: the alert went out in a record of type %d after %d records, want type %d", protected, last[0], len(sentHeaders)-1, want)
		}
		if sawCCS != protected {
			t.Errorf("protected %v: compatibility ChangeCipherSpec sent: %v", protected, sawCCS)
		}
	}
}

// TestNoServerNameAckOnResumption: a resuming server does not
// acknowledge server_name (RFC 6066 §3), which BoringSSL rejects.
func TestNoServerNameAckOnResumption(t *testing.T) {
	id, _ := testIdentity(t, keysForTest(t)["ecdsa-p256"])
	scfg := &Config{Identities: []Identity{id}}
	eeHasSNI := func(log *eventLog) bool {
		for _, e := range log.events() {
			if !e.Sent && e.ContentType == int(record.TypeHandshake) && msg.Type(e.Data[0]) == msg.TypeEncryptedExtensions {
				ee, err := msg.ParseEncryptedExtensions(e.Data[4:])
				if err != nil {
					t.Fatal(err)
				}
				return ee.Extensions.Has(msg.ExtServerName)
			}
		}
		t.Fatal("no EncryptedExtensions")
		return false
	}
	addr, res := ownServer(t, scfg)
	var first eventLog
	tickets := firstTickets(t, addr, &Config{ServerName: "example.test", OnEvent: first.add})
	<-res
	if !eeHasSNI(&first) {
		t.Error("full handshake: server_name not acknowledged")
	}
	addr, res = ownServer(t, scfg)
	var second eventLog
	conn := dialOwn(t, addr, &Config{ServerName: "example.test", Session: &tickets[0], OnEvent: second.add})
	conn.Write([]byte("two\n"))
	if _, err := bufio.NewReader(conn).ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	if r := <-res; r.err != nil {
		t.Fatal(r.err)
	}
	if !conn.State().Resumed {
		t.Fatal("did not resume")
	}
	if eeHasSNI(&second) {
		t.Error("resumption: server_name acknowledged")
	}
}

// TestUnsolicitedCertificateEntryExtension: an extension in a server's
// CertificateEntry that the client never offered (here status_request,
// unrequested) is unsupported_extension (RFC 8446 §4.4.2, §4.2).
func TestUnsolicitedCertificateEntryExtension(t *testing.T) {
	addStatus := onType(msg.TypeCertificate, func(m []byte) []byte {
		cert, err := msg.ParseCertificate(m[4:])
		if err != nil {
			t.Fatal(err)
		}
		cert.Entries[0].Extensions = msg.Extensions{{Type: msg.ExtStatusRequest, Data: []byte{1, 0, 0, 1, 0x30}}}
		raw, err := cert.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		return raw
	})
	cli, _, srvErr := ownPair(t, addStatus, nil)
	err := cli.Handshake()
	<-srvErr
	wantSent(t, err, alert.UnsupportedExtension)
}

// TestEmptyAppDataBeforeHandshake: an application data record before
// the handshake is unexpected_message even when it is empty.
func TestEmptyAppDataBeforeHandshake(t *testing.T) {
	id, _ := testIdentity(t, keysForTest(t)["ecdsa-p256"])
	addr, res := ownServer(t, &Config{Identities: []Identity{id}})
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte{record.TypeApplicationData, 3, 3, 0, 0})
	r := <-res
	wantSent(t, r.err, alert.UnexpectedMessage)
}

// TestKeyUpdateRequestsAnsweredOnce: several requested KeyUpdates that
// arrive before the answer's write get one KeyUpdate in reply, before the
// application data (RFC 8446 §4.6.3), as OpenSSL answers them.
func TestKeyUpdateRequestsAnsweredOnce(t *testing.T) {
	cli, srv, srvErr := ownPair(t, nil, nil)
	var log eventLog
	cli.cfg.OnEvent = log.add
	if err := cli.Handshake(); err != nil {
		t.Fatal(err)
	}
	if err := <-srvErr; err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		if err := cli.KeyUpdate(true); err != nil {
			t.Fatal(err)
		}
	}
	cli.Write([]byte("x"))
	buf := make([]byte, 1)
	if _, err := srv.Read(buf); err != nil {
		t.Fatal(err)
	}
	srv.Write(buf)
	if _, err := cli.Read(buf); err != nil || buf[0] != 'x' {
		t.Fatalf("echo: %v", err)
	}
	n := 0
	for _, e := range log.events() {
		if !e.Sent && e.ContentType == int(record.TypeHandshake) && msg.Type(e.Data[0]) == msg.TypeKeyUpdate {
			n++
		}
	}
	if n != 1 {
		t.Errorf("the server answered with %d KeyUpdates, want 1", n)
	}
}
