package starttls

import (
	"bytes"
	"encoding/binary"
)

// sslRequestCode is the PostgreSQL SSLRequest code, 1234 in the high 16
// bits and 5679 in the low (protocol docs, "SSL Session Encryption").
const sslRequestCode = 80877103

// postgres sends the SSLRequest message and expects the single byte 'S'.
// 'N' means the server will not do TLS; 'E' comes from servers that do not
// know the request and is followed by an ErrorResponse.
func postgres(s *session) error {
	var req [8]byte
	binary.BigEndian.PutUint32(req[0:], 8)
	binary.BigEndian.PutUint32(req[4:], sslRequestCode)
	if err := s.send("SSLRequest", req[:]); err != nil {
		return err
	}
	s.await("reply to SSLRequest")
	b, err := s.readByte()
	if err != nil {
		return err
	}
	switch b {
	case 'S':
		return nil
	case 'N':
		return s.errorf("server refused SSL: it answered 'N' to SSLRequest (ssl = off)")
	case 'E':
		return s.errorf("server refused SSLRequest: %s", pgError(s))
	}
	return s.errorf("malformed reply to SSLRequest: byte 0x%02x", b)
}

// pgError reads the rest of an ErrorResponse and returns its message (the
// 'M' field), or a note that it could not be read.
func pgError(s *session) string {
	var hdr [4]byte
	if s.readFull(hdr[:]) != nil {
		return "ErrorResponse (unreadable)"
	}
	n := binary.BigEndian.Uint32(hdr[:])
	if n < 4 || n > 8192 {
		return "ErrorResponse (bad length)"
	}
	body := make([]byte, n-4)
	if s.readFull(body) != nil {
		return "ErrorResponse (truncated)"
	}
	return quote(pgErrorFields(body))
}

// pgErrorFields formats an ErrorResponse body: "SEVERITY CODE: message".
func pgErrorFields(body []byte) string {
	var sev, code, msg string
	for len(body) > 0 && body[0] != 0 {
		typ := body[0]
		end := bytes.IndexByte(body[1:], 0)
		if end < 0 {
			break
		}
		val := string(body[1 : 1+end])
		body = body[2+end:]
		switch typ {
		case 'S':
			sev = val
		case 'C':
			code = val
		case 'M':
			msg = val
		}
	}
	switch {
	case msg == "":
		return "ErrorResponse without a message"
	case sev != "" && code != "":
		return sev + " " + code + ": " + msg
	case sev != "":
		return sev + ": " + msg
	}
	return msg
}
