package starttls

import (
	"strconv"
	"strings"
)

// imapTag is the command tag; "." is what OpenSSL sends, and servers log it.
const imapTag = "."

// maxLiteral bounds a {n} literal skipped inside a reply.
const maxLiteral = 1 << 20

// imap upgrades an IMAP session (RFC 2595 section 3.1, RFC 3501 6.2.1):
// greeting "* OK", CAPABILITY, STARTTLS, go-ahead "<tag> OK".
func imap(s *session) error {
	s.await("greeting")
	line, err := readIMAPLine(s)
	if err != nil {
		return err
	}
	status, _ := imapStatus(strings.TrimPrefix(line, "* "))
	switch {
	case !strings.HasPrefix(line, "* "):
		return s.errorf("malformed greeting: %s", quote(line))
	case status == "PREAUTH":
		// RFC 3501 6.2.1: STARTTLS is only valid before authentication.
		return s.errorf("server greeted with PREAUTH, so STARTTLS is not possible: %s", quote(line))
	case status != "OK":
		return s.errorf("server refused the session: %s", quote(line))
	}
	if err := s.sendLine(imapTag + " CAPABILITY"); err != nil {
		return err
	}
	s.await("reply to CAPABILITY")
	offered := hasIMAPCap(line, "STARTTLS") // greeting's [CAPABILITY …] code
	for {
		line, err = readIMAPLine(s)
		if err != nil {
			return err
		}
		if strings.HasPrefix(line, "* ") {
			if hasIMAPCap(line, "STARTTLS") {
				offered = true
			}
			if st, _ := imapStatus(line[2:]); st == "BYE" {
				return s.errorf("server ended the session: %s", quote(line))
			}
			continue
		}
		if strings.HasPrefix(line, imapTag+" ") {
			break
		}
	}
	s.echo = s.last
	// A refused CAPABILITY is no reason to stop: STARTTLS's reply decides.
	s.notFound(offered)
	if err := s.sendLine(imapTag + " STARTTLS"); err != nil {
		return err
	}
	s.await("reply to STARTTLS")
	for {
		line, err = readIMAPLine(s)
		if err != nil {
			return err
		}
		if strings.HasPrefix(line, "* ") {
			if st, _ := imapStatus(line[2:]); st == "BYE" {
				return s.errorf("server ended the session: %s", quote(line))
			}
			continue
		}
		if strings.HasPrefix(line, imapTag+" ") {
			break
		}
	}
	if st, _ := imapStatus(line[len(imapTag)+1:]); st != "OK" {
		return s.errorf("server refused STARTTLS: %s%s", quote(line), unadvertised(offered, "the reply to CAPABILITY"))
	}
	return nil
}

// imapStatus splits "OK [code] text" into its upper-cased first word and
// the rest.
func imapStatus(rest string) (string, string) {
	word, text, _ := strings.Cut(rest, " ")
	return strings.ToUpper(word), text
}

// hasIMAPCap reports whether a CAPABILITY response or a greeting's
// [CAPABILITY …] response code lists capability.
func hasIMAPCap(line, capability string) bool {
	fields := strings.Fields(strings.NewReplacer("[", " ", "]", " ").Replace(line))
	in := false
	for _, f := range fields {
		if strings.EqualFold(f, "CAPABILITY") {
			in = true
			continue
		}
		if in && strings.EqualFold(f, capability) {
			return true
		}
	}
	return false
}

// readIMAPLine reads one response line, folding in any {n} literals
// (RFC 3501 4.3) so that a literal's text is never taken for a response.
func readIMAPLine(s *session) (string, error) {
	var full strings.Builder
	for {
		line, err := s.readLine()
		if err != nil {
			return "", err
		}
		full.WriteString(line)
		n, ok := literalSize(line)
		if !ok {
			return full.String(), nil
		}
		if n > maxLiteral || full.Len()+n > maxLiteral {
			return "", s.errorf("server's %s has a literal of %d bytes, more than the %d allowed", s.what, n, maxLiteral)
		}
		lit := make([]byte, n)
		if err := s.readFull(lit); err != nil {
			return "", err
		}
		full.Write(lit)
	}
}

// literalSize parses a trailing "{n}" or "{n+}" literal announcement.
func literalSize(line string) (int, bool) {
	if !strings.HasSuffix(line, "}") {
		return 0, false
	}
	open := strings.LastIndexByte(line, '{')
	if open < 0 {
		return 0, false
	}
	digits := strings.TrimSuffix(line[open+1:len(line)-1], "+")
	if digits == "" || len(digits) > 9 {
		return 0, false
	}
	n, err := strconv.Atoi(digits)
	if err != nil || n < 0 {
		return 0, false
	}
	return n, true
}
