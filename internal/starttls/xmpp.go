package starttls

import (
	"encoding/xml"
	"io"
	"strings"
)

const (
	nsStreams = "http://etherx.jabber.org/streams"
	nsTLS     = "urn:ietf:params:xml:ns:xmpp-tls"
)

// xmppClient upgrades a client-to-server XMPP stream (RFC 6120 5.4).
func xmppClient(s *session) error { return xmpp(s, "jabber:client") }

// xmppServer upgrades a server-to-server XMPP stream (RFC 6120 5.4).
func xmppServer(s *session) error { return xmpp(s, "jabber:server") }

// xmpp opens the stream, waits for <stream:features> offering <starttls/>,
// sends <starttls/> and waits for <proceed/> (a <failure/> is a refusal).
func xmpp(s *session, ns string) error {
	to := s.opts.protoHost()
	if to == "" {
		to = s.opts.Host
	}
	var esc strings.Builder
	xml.EscapeText(&esc, []byte(to))
	header := "<stream:stream xmlns:stream='" + nsStreams + "' xmlns='" + ns +
		"' to='" + strings.ReplaceAll(esc.String(), "'", "&#39;") + "' version='1.0'>"
	if err := s.send("the stream header", []byte(header)); err != nil {
		return err
	}
	// encoding/xml reads a bufio.Reader byte by byte, so it never consumes
	// anything past the element it returns.
	d := xml.NewDecoder(s.r)
	d.Strict = false
	s.await("stream header")
	root, err := nextElement(s, d)
	if err != nil {
		return err
	}
	if root.Name.Space != nsStreams || root.Name.Local != "stream" {
		return s.errorf("server answered with <%s> instead of a stream header", root.Name.Local)
	}
	s.await("stream features")
	features, err := nextElement(s, d)
	if err != nil {
		return err
	}
	if err := streamError(s, d, features); err != nil {
		return err
	}
	if features.Name.Local != "features" {
		return s.errorf("server sent <%s> instead of <stream:features>", features.Name.Local)
	}
	offered := false
	for {
		child, end, err := childElement(s, d)
		if err != nil {
			return err
		}
		if end {
			break
		}
		if child.Name.Local == "starttls" && child.Name.Space == nsTLS {
			offered = true
		}
		if err := d.Skip(); err != nil {
			return s.readErr(err)
		}
	}
	if !offered {
		return s.errorf("server does not offer STARTTLS in its stream features")
	}
	if err := s.send("<starttls/>", []byte("<starttls xmlns='"+nsTLS+"'/>")); err != nil {
		return err
	}
	s.await("reply to <starttls/>")
	answer, err := nextElement(s, d)
	if err != nil {
		return err
	}
	if err := streamError(s, d, answer); err != nil {
		return err
	}
	if answer.Name.Local != "proceed" || answer.Name.Space != nsTLS {
		return s.errorf("server refused STARTTLS: <%s/>", answer.Name.Local)
	}
	// Consume the end of <proceed/> so that nothing of it is left for TLS;
	// for <proceed/> the decoder makes it up without reading.
	if err := d.Skip(); err != nil {
		return s.readErr(err)
	}
	return nil
}

// nextElement returns the next start element, skipping the prolog,
// comments and whitespace.
func nextElement(s *session, d *xml.Decoder) (xml.StartElement, error) {
	for {
		tok, err := d.Token()
		if err != nil {
			return xml.StartElement{}, xmlErr(s, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return t, nil
		case xml.EndElement:
			return xml.StartElement{}, s.errorf("server closed the XML stream while we waited for its %s", s.what)
		case xml.CharData:
			// Text between elements is whitespace in XMPP (RFC 6120
			// 11.7); other text is another protocol's greeting or error.
			if text := strings.TrimSpace(string(t)); text != "" {
				return xml.StartElement{}, s.errorf("server sent text instead of its %s: %s", s.what, quote(text))
			}
		}
	}
}

// childElement returns the next child start element, or end=true at the
// parent's end tag.
func childElement(s *session, d *xml.Decoder) (xml.StartElement, bool, error) {
	for {
		tok, err := d.Token()
		if err != nil {
			return xml.StartElement{}, false, xmlErr(s, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return t, false, nil
		case xml.EndElement:
			return xml.StartElement{}, true, nil
		}
	}
}

// xmlErr reports a decoder error; syntax errors are the server's fault.
func xmlErr(s *session, err error) error {
	if se, ok := err.(*xml.SyntaxError); ok {
		if strings.Contains(se.Msg, "unexpected EOF") {
			return s.readErr(io.ErrUnexpectedEOF)
		}
		return s.errorf("malformed XML in the server's %s: %v", s.what, se.Msg)
	}
	return s.readErr(err)
}

// streamError turns a <stream:error> into an error naming its condition.
func streamError(s *session, d *xml.Decoder, el xml.StartElement) error {
	if el.Name.Local != "error" || el.Name.Space != nsStreams {
		return nil
	}
	cond := "unknown condition"
	if child, end, err := childElement(s, d); err == nil && !end {
		cond = child.Name.Local
	}
	return s.errorf("server sent a stream error: %s", cond)
}
