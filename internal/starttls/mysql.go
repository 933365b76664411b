package starttls

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// MySQL capability flags (client/server protocol, "Capabilities Flags").
const (
	myLongPassword     = 0x00000001
	myLongFlag         = 0x00000004
	myProtocol41       = 0x00000200
	mySSL              = 0x00000800
	myTransactions     = 0x00002000
	mySecureConnection = 0x00008000
	myMultiResults     = 0x00020000
	myPluginAuth       = 0x00080000
)

// mysqlClientFlags is what the SSL request asks for; the real login that
// follows over TLS repeats its own.
const mysqlClientFlags = myLongPassword | myLongFlag | myProtocol41 | mySSL |
	myTransactions | mySecureConnection | myMultiResults | myPluginAuth

// maxMySQLPacket bounds the greeting we accept.
const maxMySQLPacket = 1 << 16

// mysql reads the server's Initial Handshake packet (protocol 10), checks
// that it offers CLIENT_SSL and sends the SSLRequest packet: the first 32
// bytes of a HandshakeResponse41 with CLIENT_SSL set.
func mysql(s *session) error {
	s.await("greeting")
	var hdr [4]byte
	if err := s.readFull(hdr[:]); err != nil {
		return err
	}
	n := int(hdr[0]) | int(hdr[1])<<8 | int(hdr[2])<<16
	seq := hdr[3]
	if n == 0 || n > maxMySQLPacket {
		return s.errorf("malformed greeting: packet length %d", n)
	}
	payload := make([]byte, n)
	if err := s.readFull(payload); err != nil {
		return err
	}
	g, err := parseMySQLGreeting(payload)
	if err != nil {
		return s.errorf("%v", err)
	}
	if g.caps&mySSL == 0 {
		return s.errorf("server %s does not support SSL (no CLIENT_SSL in its capabilities)", quote(g.version))
	}
	var req [36]byte
	req[0] = 32 // payload length, 3 bytes little-endian
	req[3] = seq + 1
	binary.LittleEndian.PutUint32(req[4:], mysqlClientFlags)
	binary.LittleEndian.PutUint32(req[8:], 1<<24) // max packet size
	req[12] = 0x21                                // utf8_general_ci
	// 23 reserved zero bytes follow.
	return s.send("SSL request", req[:])
}

// mysqlGreeting holds what the upgrade needs from the Initial Handshake.
type mysqlGreeting struct {
	version string
	caps    uint32
}

// parseMySQLGreeting parses an Initial Handshake payload, or an ERR packet
// (0xff), which servers send instead when they turn the client away.
func parseMySQLGreeting(p []byte) (mysqlGreeting, error) {
	var g mysqlGreeting
	if len(p) == 0 {
		return g, fmt.Errorf("malformed greeting: empty packet")
	}
	if p[0] == 0xff {
		return g, fmt.Errorf("server refused the session: %s", mysqlErr(p))
	}
	if p[0] != 10 {
		return g, fmt.Errorf("unsupported protocol version %d in greeting", p[0])
	}
	p = p[1:]
	end := bytes.IndexByte(p, 0)
	if end < 0 {
		return g, fmt.Errorf("malformed greeting: unterminated server version")
	}
	g.version = string(p[:end])
	p = p[end+1:]
	// connection id (4), auth-plugin-data-part-1 (8), filler (1)
	if len(p) < 4+8+1+2 {
		return g, fmt.Errorf("malformed greeting: too short")
	}
	p = p[13:]
	g.caps = uint32(binary.LittleEndian.Uint16(p))
	p = p[2:]
	// character set (1), status flags (2), upper capability flags (2)
	if len(p) >= 5 {
		g.caps |= uint32(binary.LittleEndian.Uint16(p[3:])) << 16
	}
	return g, nil
}

// mysqlErr formats an ERR packet: "1130 (HY000): message".
func mysqlErr(p []byte) string {
	if len(p) < 3 {
		return "ERR packet (truncated)"
	}
	code := binary.LittleEndian.Uint16(p[1:])
	msg := p[3:]
	state := ""
	if len(msg) >= 6 && msg[0] == '#' {
		state = " (" + string(msg[1:6]) + ")"
		msg = msg[6:]
	}
	return quote(fmt.Sprintf("%d%s: %s", code, state, msg))
}
