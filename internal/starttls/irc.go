package starttls

import "strings"

// irc upgrades an IRC connection (IRCv3 "tls" extension): STARTTLS is sent
// before registration and answered by numeric 670 (RPL_STARTTLS) or 691
// (ERR_STARTTLS). Servers send NOTICEs (e.g. "*** Looking up your
// hostname") first, which OpenSSL takes for a failure; they are skipped
// here, and PINGs are answered.
func irc(s *session) error {
	if err := s.sendLine("STARTTLS"); err != nil {
		return err
	}
	s.await("reply to STARTTLS") // one deadline for all the lines
	for {
		line, err := s.readLine()
		if err != nil {
			return err
		}
		cmd, params := ircSplit(line)
		switch {
		case cmd == "670":
			s.echo = s.last
			return nil
		case cmd == "PING":
			if err := s.sendLine("PONG " + params); err != nil {
				return err
			}
		case cmd == "ERROR":
			return s.errorf("server ended the connection: %s", quote(line))
		case len(cmd) == 3 && (cmd[0] == '4' || cmd[0] == '5' || cmd == "691"):
			// 691 ERR_STARTTLS, 421 ERR_UNKNOWNCOMMAND, 451 …
			return s.errorf("server refused STARTTLS: %s", quote(line))
		}
	}
}

// ircSplit returns a message's command (upper-cased) and its parameters,
// dropping any IRCv3 tags and the source prefix.
func ircSplit(line string) (cmd, params string) {
	rest := strings.TrimLeft(line, " ")
	if strings.HasPrefix(rest, "@") {
		_, rest, _ = strings.Cut(rest, " ")
		rest = strings.TrimLeft(rest, " ")
	}
	if strings.HasPrefix(rest, ":") {
		_, rest, _ = strings.Cut(rest, " ")
		rest = strings.TrimLeft(rest, " ")
	}
	cmd, params, _ = strings.Cut(rest, " ")
	return strings.ToUpper(cmd), params
}
