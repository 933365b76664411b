package starttls

import (
	"strings"
)

// smtp upgrades an SMTP session (RFC 3207): greeting 220, EHLO, STARTTLS,
// go-ahead 220.
func smtp(s *session) error { return mailTransfer(s, "EHLO") }

// lmtp upgrades an LMTP session (RFC 2033), which is SMTP with LHLO.
func lmtp(s *session) error { return mailTransfer(s, "LHLO") }

func mailTransfer(s *session, hello string) error {
	s.await("greeting")
	code, lines, err := readSMTPReply(s)
	if err != nil {
		return err
	}
	if code != 220 {
		return s.errorf("server refused the session: %s", quote(lines...))
	}
	name := s.opts.protoHost()
	if name == "" {
		name = DefaultName
	}
	if err := s.sendLine(hello + " " + name); err != nil {
		return err
	}
	s.await("reply to " + hello)
	code, lines, err = readSMTPReply(s)
	if err != nil {
		return err
	}
	if code != 250 {
		return s.errorf("server refused %s: %s", hello, quote(lines...))
	}
	s.echo = s.last
	offered := false
	for _, l := range lines[1:] { // the first line is the greeting, not a keyword
		if len(l) >= 4 && strings.EqualFold(firstWord(l[4:]), "STARTTLS") {
			offered = true
		}
	}
	// Send STARTTLS even when unadvertised: the reply is the final word.
	s.notFound(offered)
	if err := s.sendLine("STARTTLS"); err != nil {
		return err
	}
	s.await("reply to STARTTLS")
	code, lines, err = readSMTPReply(s)
	if err != nil {
		return err
	}
	if code != 220 {
		return s.errorf("server refused STARTTLS: %s%s", quote(lines...), unadvertised(offered, "the reply to "+hello))
	}
	return nil
}

// unadvertised explains a refusal of a command the server never offered.
func unadvertised(offered bool, where string) string {
	if offered {
		return ""
	}
	return " (STARTTLS was not advertised in " + where + ")"
}

// readSMTPReply reads one possibly multi-line SMTP reply (RFC 5321 4.2):
// lines "ddd-text" continue it, "ddd text" or "ddd" ends it.
func readSMTPReply(s *session) (int, []string, error) {
	var lines []string
	for {
		line, err := s.readLine()
		if err != nil {
			return 0, nil, err
		}
		code, more, ok := replyCode(line)
		if !ok {
			return 0, nil, s.errorf("malformed %s: %s", s.what, quote(line))
		}
		if len(lines) < 100 { // keep errors bounded; the reply may go on
			lines = append(lines, line)
		}
		if !more {
			return code, lines, nil
		}
	}
}

// replyCode parses the three-digit code of an SMTP/FTP/NNTP reply line and
// whether the line is a continuation ("ddd-").
func replyCode(line string) (code int, more, ok bool) {
	if len(line) < 3 {
		return 0, false, false
	}
	for i := 0; i < 3; i++ {
		c := line[i]
		if c < '0' || c > '9' {
			return 0, false, false
		}
		code = code*10 + int(c-'0')
	}
	if len(line) == 3 {
		return code, false, true
	}
	switch line[3] {
	case '-':
		return code, true, true
	case ' ':
		return code, false, true
	}
	return 0, false, false
}

// firstWord returns s up to its first space.
func firstWord(s string) string {
	if i := strings.IndexByte(s, ' '); i >= 0 {
		return s[:i]
	}
	return s
}
