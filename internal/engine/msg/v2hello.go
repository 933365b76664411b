package msg

import "github.com/tlskit/tlskit/internal/engine/alert"

// ParseV2ClientHello reads an SSL 2.0-format ClientHello (RFC 5246
// Appendix E.2), the message after its record's two-byte length, as the
// ClientHello it stands for: the cipher specs whose first byte is zero
// are the TLS suites (the SSL 2.0 kinds are dropped), null compression
// is the only method and there are no extensions. The challenge becomes
// the random: a shorter one left-padded with zeros, a longer one cut to
// its first 32 bytes. The errors are openssl 3.0's, measured against
// openssl s_server with hand-made messages: lengths that do not add up
// to the message are decode_error, a session ID over 32 bytes
// illegal_parameter, and so is an empty cipher list; specs that are not
// three bytes each are decode_error. Those two errors come with the
// hello, as openssl finds them after choosing the version.
func ParseV2ClientHello(b []byte) (*ClientHello, error) {
	if len(b) < 9 || b[0] != 1 {
		return nil, alert.Faultf(alert.DecodeError, "length too short")
	}
	u16 := func(i int) int { return int(b[i])<<8 | int(b[i+1]) }
	specLen, sidLen, chLen := u16(3), u16(5), u16(7)
	if 9+specLen+sidLen+chLen != len(b) {
		return nil, alert.Faultf(alert.DecodeError, "record length mismatch")
	}
	if sidLen > 32 {
		return nil, alert.Faultf(alert.IllegalParameter, "length mismatch")
	}
	specs := b[9 : 9+specLen]
	sid := b[9+specLen : 9+specLen+sidLen]
	challenge := b[9+specLen+sidLen:]
	m := &ClientHello{
		Version:            uint16(u16(1)),
		Random:             make([]byte, 32),
		SessionID:          append([]byte{}, sid...),
		CompressionMethods: []byte{0},
	}
	challenge = challenge[:min(len(challenge), 32)]
	copy(m.Random[32-len(challenge):], challenge)
	// openssl judges the cipher list once it has chosen the version:
	// the hello comes back with the error.
	switch {
	case specLen == 0:
		return m, alert.Faultf(alert.IllegalParameter, "no ciphers specified")
	case specLen%3 != 0:
		return m, alert.Faultf(alert.DecodeError, "error in received cipher list")
	}
	for i := 0; i < len(specs); i += 3 {
		if specs[i] == 0 {
			m.CipherSuites = append(m.CipherSuites, uint16(specs[i+1])<<8|uint16(specs[i+2]))
		}
	}
	return m, nil
}
