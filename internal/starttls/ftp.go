package starttls

// ftp upgrades an FTP control connection (RFC 4217 section 4): greeting 220
// (possibly after 120 "ready in n minutes"), AUTH TLS, go-ahead 234.
func ftp(s *session) error {
	s.await("greeting")
	code, lines, err := readFTPReply(s)
	for err == nil && code >= 100 && code < 200 {
		code, lines, err = readFTPReply(s)
	}
	if err != nil {
		return err
	}
	if code != 220 {
		return s.errorf("server refused the session: %s", quote(lines...))
	}
	s.echo = s.last
	if err := s.sendLine("AUTH TLS"); err != nil {
		return err
	}
	s.await("reply to AUTH TLS")
	code, lines, err = readFTPReply(s)
	if err != nil {
		return err
	}
	if code != 234 {
		return s.errorf("server refused AUTH TLS: %s", quote(lines...))
	}
	return nil
}

// readFTPReply reads one FTP reply (RFC 959 section 4.2): a multi-line
// reply opens with "ddd-" and ends at the first line that starts with the
// same code and a space; the lines between may hold anything.
func readFTPReply(s *session) (int, []string, error) {
	line, err := s.readLine()
	if err != nil {
		return 0, nil, err
	}
	code, more, ok := replyCode(line)
	if !ok {
		return 0, nil, s.errorf("malformed %s: %s", s.what, quote(line))
	}
	lines := []string{line}
	for more {
		if line, err = s.readLine(); err != nil {
			return 0, nil, err
		}
		if len(lines) < 100 {
			lines = append(lines, line)
		}
		if c, m, ok := replyCode(line); ok && c == code && !m {
			more = false
		}
	}
	return code, lines, nil
}
