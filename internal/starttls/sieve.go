package starttls

import "strings"

// sieve upgrades a ManageSieve session (RFC 5804 section 2.2): the greeting
// is a capability list closed by OK; STARTTLS; go-ahead OK.
func sieve(s *session) error {
	s.await("greeting")
	offered := false
	for {
		line, err := readIMAPLine(s) // same literal syntax as IMAP
		if err != nil {
			return err
		}
		if st := sieveStatus(line); st != "" {
			if st != "OK" {
				return s.errorf("server refused the session: %s", quote(line))
			}
			break
		}
		// RFC 5804 1.7: each capability line starts with a string,
		// quoted or literal; anything else is another protocol talking.
		if line != "" && line[0] != '"' && line[0] != '{' {
			return s.errorf("malformed greeting: %s", quote(line))
		}
		if strings.EqualFold(strings.Trim(firstWord(line), `"`), "STARTTLS") {
			offered = true
		}
	}
	s.notFound(offered)
	if err := s.sendLine("STARTTLS"); err != nil {
		return err
	}
	s.await("reply to STARTTLS")
	for {
		line, err := readIMAPLine(s)
		if err != nil {
			return err
		}
		switch sieveStatus(line) {
		case "":
			continue // not a response line; ignore
		case "OK":
			s.echo = s.last
			return nil
		}
		return s.errorf("server refused STARTTLS: %s%s", quote(line), unadvertised(offered, "the greeting"))
	}
}

// sieveStatus returns "OK", "NO" or "BYE" when line is a response, else "".
func sieveStatus(line string) string {
	w := strings.ToUpper(firstWord(line))
	switch w {
	case "OK", "NO", "BYE":
		return w
	}
	if i := strings.IndexAny(w, "( "); i > 0 {
		// "NO(TRYLATER)" without a space is not legal, but be lenient.
		if p := w[:i]; p == "OK" || p == "NO" || p == "BYE" {
			return p
		}
	}
	return ""
}
