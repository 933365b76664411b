package starttls

import "strings"

// nntp upgrades an NNTP session (RFC 4642, RFC 3977 5.2): greeting 200 or
// 201, CAPABILITIES, STARTTLS, go-ahead 382.
func nntp(s *session) error {
	s.await("greeting")
	line, err := s.readLine()
	if err != nil {
		return err
	}
	code, _, ok := replyCode(line)
	if !ok {
		return s.errorf("malformed greeting: %s", quote(line))
	}
	if code != 200 && code != 201 {
		return s.errorf("server refused the session: %s", quote(line))
	}
	if err := s.sendLine("CAPABILITIES"); err != nil {
		return err
	}
	s.await("reply to CAPABILITIES")
	if line, err = s.readLine(); err != nil {
		return err
	}
	offered := false
	if code, _, _ = replyCode(line); code == 101 {
		// A multi-line block ending with "." (RFC 3977 3.1.1).
		for {
			if line, err = s.readLine(); err != nil {
				return err
			}
			if line == "." {
				break
			}
			if strings.EqualFold(firstWord(line), "STARTTLS") {
				offered = true
			}
		}
	}
	// Old servers answer 500 to CAPABILITIES; STARTTLS's reply decides.
	s.notFound(offered)
	if err := s.sendLine("STARTTLS"); err != nil {
		return err
	}
	s.await("reply to STARTTLS")
	if line, err = s.readLine(); err != nil {
		return err
	}
	if code, _, _ = replyCode(line); code != 382 {
		return s.errorf("server refused STARTTLS: %s%s", quote(line), unadvertised(offered, "the reply to CAPABILITIES"))
	}
	s.echo = s.last
	return nil
}
