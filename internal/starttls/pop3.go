package starttls

import "strings"

// pop3 upgrades a POP3 session (RFC 2595 section 4): greeting +OK, STLS,
// go-ahead +OK.
func pop3(s *session) error {
	s.await("greeting")
	line, err := s.readLine()
	if err != nil {
		return err
	}
	if !strings.HasPrefix(line, "+OK") {
		return s.errorf("server refused the session: %s", quote(line))
	}
	greeting := s.last
	if err := s.sendLine("STLS"); err != nil {
		return err
	}
	s.await("reply to STLS")
	line, err = s.readLine()
	if err != nil {
		return err
	}
	if !strings.HasPrefix(line, "+OK") {
		return s.errorf("server refused STLS: %s", quote(line))
	}
	// openssl reads the greeting and the reply into different buffers
	// but keeps the reply's length with the greeting's buffer: the
	// greeting (and its terminating NUL) cut or padded to that length.
	s.echo = make([]byte, len(s.last))
	copy(s.echo, greeting)
	return nil
}
