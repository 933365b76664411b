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
	return nil
}
