package engine

import (
	"bytes"
	"io"
	"testing"

	"github.com/tlskit/tlskit/internal/engine/alert"
	"github.com/tlskit/tlskit/internal/engine/msg"
)

// mflPair connects an own client offering max_fragment_length code to an
// own server; mutServer, when set, changes what the server sends.
func mflPair(t *testing.T, code uint8, version uint16, mutServer func([]byte) []byte) (cli, srv *TLSConn, srvErr <-chan error) {
	t.Helper()
	id, _ := testIdentity(t, keysForTest(t)["ecdsa-p256"])
	return ownPairWith(t, &Config{Identities: []Identity{id}, MinVersion: version, MaxVersion: version},
		&Config{MaxFragmentLength: code, MinVersion: version, MaxVersion: version}, mutServer, nil)
}

// TestMaxFragmentLength: RFC 6066 §4 between the own client and server
// at TLS 1.2 and 1.3: the server echoes the code, both sides send
// records of at most 512 bytes, and a record over the limit is
// record_overflow.
func TestMaxFragmentLength(t *testing.T) {
	for _, v := range []uint16{VersionTLS12, VersionTLS13} {
		cli, srv, errc := mflPair(t, 1, v, nil)
		if err := cli.Handshake(); err != nil {
			t.Fatalf("%x: client: %v", v, err)
		}
		if err := <-errc; err != nil {
			t.Fatalf("%x: server: %v", v, err)
		}
		if a, b := cli.State().MaxFragmentLength, srv.State().MaxFragmentLength; a != 512 || b != 512 {
			t.Fatalf("%x: negotiated %d (client) and %d (server), want 512", v, a, b)
		}
		if cli.rl.WriteLimit != 512 || srv.rl.WriteLimit != 512 || cli.rl.ReadLimit != 512 {
			t.Fatalf("%x: limits %d/%d/%d", v, cli.rl.WriteLimit, srv.rl.WriteLimit, cli.rl.ReadLimit)
		}
		data := bytes.Repeat([]byte("m"), 1300)
		go srv.Write(data)
		got := make([]byte, len(data))
		if _, err := io.ReadFull(cli, got); err != nil || !bytes.Equal(got, data) {
			t.Fatalf("%x: read %v", v, err)
		}
		// A server that ignores the limit: the client refuses the record.
		srv.rl.WriteLimit = 0
		go srv.Write(data)
		_, err := io.ReadFull(cli, got)
		wantSent(t, err, alert.RecordOverflow)
	}
}

// TestMaxFragmentLengthBadValues: a server answers a code outside 1–4
// with illegal_parameter, and a client answers an echo of another code
// the same way (RFC 6066 §4).
func TestMaxFragmentLengthBadValues(t *testing.T) {
	cli, _, errc := mflPair(t, 5, VersionTLS13, nil)
	err := cli.Handshake()
	wantReceived(t, err, alert.IllegalParameter)
	wantSent(t, <-errc, alert.IllegalParameter)

	// EncryptedExtensions carrying max_fragment_length alone: its value
	// is the 11th byte.
	cli, _, errc = mflPair(t, 1, VersionTLS13, onType(msg.TypeEncryptedExtensions, func(m []byte) []byte {
		if len(m) == 11 && m[6] == 0 && m[7] == 1 {
			m[10] = 2
		}
		return m
	}))
	wantSent(t, cli.Handshake(), alert.IllegalParameter)
	<-errc
}
