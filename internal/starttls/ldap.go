package starttls

import (
	"fmt"

	"github.com/tlskit/tlskit/internal/lazy"
)

// startTLSOID names the StartTLS extended operation (RFC 4511 4.14.1).
const startTLSOID = "1.3.6.1.4.1.1466.20037"

// noticeOfDisconnection is the unsolicited notification a server sends
// just before it closes (RFC 4511 4.4.1).
const noticeOfDisconnection = "1.3.6.1.4.1.1466.20036"

// BER tags used here.
const (
	berSequence    = 0x30
	berInteger     = 0x02
	berEnumerated  = 0x0a
	berOctetString = 0x04
	ldapExtReq     = 0x77 // [APPLICATION 23] constructed
	ldapExtResp    = 0x78 // [APPLICATION 24] constructed
	ldapReqName    = 0x80 // [0] primitive
	ldapRespName   = 0x8a // [10] primitive
)

// maxLDAPMessage bounds the response we accept.
const maxLDAPMessage = 1 << 16

// ldap sends an ExtendedRequest for StartTLS with message ID 1 and checks
// that the ExtendedResponse has resultCode success (0).
func ldap(s *session) error {
	name := append([]byte{ldapReqName, byte(len(startTLSOID))}, startTLSOID...)
	op := append([]byte{ldapExtReq, byte(len(name))}, name...)
	body := append([]byte{berInteger, 1, 1}, op...)
	msg := append([]byte{berSequence, byte(len(body))}, body...)
	if err := s.send("the StartTLS request", msg); err != nil {
		return err
	}
	s.await("StartTLS response")
	for {
		raw, err := readBER(s)
		if err != nil {
			return err
		}
		r, err := parseLDAPResponse(raw)
		if err != nil {
			return s.errorf("%v", err)
		}
		if r.id == 0 && r.name == noticeOfDisconnection {
			return s.errorf("server is disconnecting: %s", r.describe())
		}
		if r.id != 1 {
			continue // not ours; a server may interleave unsolicited notices
		}
		if r.code != 0 {
			return s.errorf("server refused StartTLS: %s", r.describe())
		}
		return nil
	}
}

// readBER reads one complete BER element (tag, definite length, contents).
func readBER(s *session) ([]byte, error) {
	var hdr [2]byte
	if err := s.readFull(hdr[:]); err != nil {
		return nil, err
	}
	if hdr[0] != berSequence {
		return nil, s.errorf("malformed %s: starts with 0x%02x, not a SEQUENCE", s.what, hdr[0])
	}
	out := hdr[:]
	n := int(hdr[1])
	if hdr[1]&0x80 != 0 {
		k := int(hdr[1] & 0x7f)
		if k == 0 || k > 4 {
			return nil, s.errorf("malformed %s: unsupported length encoding 0x%02x", s.what, hdr[1])
		}
		lb := make([]byte, k)
		if err := s.readFull(lb); err != nil {
			return nil, err
		}
		out = append(out, lb...)
		n = 0
		for _, b := range lb {
			n = n<<8 | int(b)
		}
	}
	if n > maxLDAPMessage {
		return nil, s.errorf("%s of %d bytes is too long", s.what, n)
	}
	content := make([]byte, n)
	if err := s.readFull(content); err != nil {
		return nil, err
	}
	return append(out, content...), nil
}

// ldapResponse is the part of an LDAPResult that the upgrade looks at.
type ldapResponse struct {
	id        int64
	code      int64
	matchedDN string
	diag      string
	name      string // responseName, if any
}

// describe formats the result for an error message.
func (r ldapResponse) describe() string {
	s := fmt.Sprintf("resultCode %d", r.code)
	if n, ok := ldapResultNames.Get()[r.code]; ok {
		s += " (" + n + ")"
	}
	if r.diag != "" {
		s += ": " + quote(r.diag)
	}
	return s
}

// ldapResultNames names the result codes a StartTLS refusal tends to carry
// (RFC 4511 4.1.9, 4.14.2).
var ldapResultNames = lazy.Value[map[int64]string]{Build: func() map[int64]string {
	return map[int64]string{
		0: "success", 1: "operationsError", 2: "protocolError",
		3: "timeLimitExceeded", 7: "authMethodNotSupported", 8: "strongerAuthRequired",
		11: "adminLimitExceeded", 12: "unavailableCriticalExtension",
		13: "confidentialityRequired", 51: "busy", 52: "unavailable",
		53: "unwillingToPerform", 80: "other",
	}
}}

// parseLDAPResponse decodes an LDAPMessage holding an ExtendedResponse.
func parseLDAPResponse(p []byte) (ldapResponse, error) {
	var r ldapResponse
	tag, msg, _, err := berNext(p)
	if err != nil || tag != berSequence {
		return r, fmt.Errorf("malformed LDAP message")
	}
	tag, id, rest, err := berNext(msg)
	if err != nil || tag != berInteger {
		return r, fmt.Errorf("malformed LDAP message: no message ID")
	}
	if r.id, err = berInt(id); err != nil {
		return r, err
	}
	tag, op, _, err := berNext(rest)
	if err != nil {
		return r, fmt.Errorf("malformed LDAP message: no protocol operation")
	}
	if tag != ldapExtResp {
		return r, fmt.Errorf("server answered with LDAP operation 0x%02x instead of an ExtendedResponse", tag)
	}
	tag, code, op, err := berNext(op)
	if err != nil || tag != berEnumerated {
		return r, fmt.Errorf("malformed ExtendedResponse: no resultCode")
	}
	if r.code, err = berInt(code); err != nil {
		return r, err
	}
	tag, dn, op, err := berNext(op)
	if err != nil || tag != berOctetString {
		return r, fmt.Errorf("malformed ExtendedResponse: no matchedDN")
	}
	r.matchedDN = string(dn)
	tag, diag, op, err := berNext(op)
	if err != nil || tag != berOctetString {
		return r, fmt.Errorf("malformed ExtendedResponse: no diagnosticMessage")
	}
	r.diag = string(diag)
	for len(op) > 0 { // referral, responseName, responseValue
		tag, v, more, err := berNext(op)
		if err != nil {
			return r, fmt.Errorf("malformed ExtendedResponse")
		}
		if tag == ldapRespName {
			r.name = string(v)
		}
		op = more
	}
	return r, nil
}

// berNext splits the first element off p: its tag, contents and the rest.
func berNext(p []byte) (tag byte, content, rest []byte, err error) {
	if len(p) < 2 {
		return 0, nil, nil, fmt.Errorf("truncated BER element")
	}
	tag = p[0]
	if tag&0x1f == 0x1f {
		return 0, nil, nil, fmt.Errorf("unsupported BER tag 0x%02x", tag)
	}
	n, i := int(p[1]), 2
	if p[1]&0x80 != 0 {
		k := int(p[1] & 0x7f)
		if k == 0 || k > 4 || len(p) < 2+k {
			return 0, nil, nil, fmt.Errorf("bad BER length")
		}
		n = 0
		for _, b := range p[2 : 2+k] {
			n = n<<8 | int(b)
		}
		i += k
	}
	if n < 0 || n > len(p)-i {
		return 0, nil, nil, fmt.Errorf("truncated BER element")
	}
	return tag, p[i : i+n], p[i+n:], nil
}

// berInt decodes a two's-complement INTEGER or ENUMERATED of up to 8 bytes.
func berInt(b []byte) (int64, error) {
	if len(b) == 0 || len(b) > 8 {
		return 0, fmt.Errorf("malformed BER integer of %d bytes", len(b))
	}
	v := int64(int8(b[0]))
	for _, c := range b[1:] {
		v = v<<8 | int64(c)
	}
	return v, nil
}
