package starttls

// Telnet command bytes (RFC 854) and the START_TLS option
// (draft-altman-telnet-starttls-02).
const (
	tnIAC      = 255
	tnDONT     = 254
	tnDO       = 253
	tnWONT     = 252
	tnWILL     = 251
	tnSB       = 250
	tnSE       = 240
	tnStartTLS = 46
	tnFollows  = 1
)

// maxTelnetSub bounds a subnegotiation we skip.
const maxTelnetSub = 4096

// telnet waits for the server's IAC DO START_TLS, answers IAC WILL
// START_TLS and IAC SB START_TLS FOLLOWS IAC SE, and waits for the server's
// own FOLLOWS subnegotiation, after which TLS starts. Other options the
// server asks about are refused (RFC 854: WONT/DONT), so that a server
// waiting for those answers does not stall the exchange.
func telnet(s *session) error {
	s.await("DO START_TLS")
	asked := false
	for {
		cmd, opt, sub, err := nextTelnetCommand(s)
		if err != nil {
			return err
		}
		switch {
		case cmd == tnDO && opt == tnStartTLS && !asked:
			asked = true
			reply := []byte{tnIAC, tnWILL, tnStartTLS, tnIAC, tnSB, tnStartTLS, tnFollows, tnIAC, tnSE}
			if err := s.send("WILL START_TLS", reply); err != nil {
				return err
			}
			s.await("START_TLS FOLLOWS")
		case (cmd == tnDONT || cmd == tnWONT) && opt == tnStartTLS:
			return s.errorf("server refused START_TLS (IAC %s START_TLS)", tnName(cmd))
		case cmd == tnSB && opt == tnStartTLS && asked && len(sub) == 1 && sub[0] == tnFollows:
			return nil
		case cmd == tnDO && opt != tnStartTLS:
			if err := s.send("WONT", []byte{tnIAC, tnWONT, opt}); err != nil {
				return err
			}
		case cmd == tnWILL:
			if err := s.send("DONT", []byte{tnIAC, tnDONT, opt}); err != nil {
				return err
			}
		}
	}
}

// tnName names a negotiation verb for error messages.
func tnName(cmd byte) string {
	switch cmd {
	case tnDO:
		return "DO"
	case tnDONT:
		return "DONT"
	case tnWILL:
		return "WILL"
	case tnWONT:
		return "WONT"
	}
	return "?"
}

// nextTelnetCommand skips data and returns the next option command: the
// verb (DO, DONT, WILL, WONT or SB), the option and, for SB, the
// subnegotiation's bytes after the option.
func nextTelnetCommand(s *session) (cmd, opt byte, sub []byte, err error) {
	for {
		b, err := s.readByte()
		if err != nil {
			return 0, 0, nil, err
		}
		if b != tnIAC {
			continue // data: a banner, ignored
		}
		if cmd, err = s.readByte(); err != nil {
			return 0, 0, nil, err
		}
		switch cmd {
		case tnDO, tnDONT, tnWILL, tnWONT:
			opt, err = s.readByte()
			return cmd, opt, nil, err
		case tnSB:
			if opt, err = s.readByte(); err != nil {
				return 0, 0, nil, err
			}
			sub, err = telnetSub(s)
			return cmd, opt, sub, err
		}
		// IAC IAC (a data byte 255) and the one-byte commands: skip.
	}
}

// telnetSub reads a subnegotiation's bytes up to IAC SE, undoubling IAC IAC.
func telnetSub(s *session) ([]byte, error) {
	var sub []byte
	for {
		b, err := s.readByte()
		if err != nil {
			return nil, err
		}
		if b == tnIAC {
			if b, err = s.readByte(); err != nil {
				return nil, err
			}
			if b == tnSE {
				return sub, nil
			}
		}
		if len(sub) >= maxTelnetSub {
			return nil, s.errorf("server's subnegotiation is longer than %d bytes", maxTelnetSub)
		}
		sub = append(sub, b)
	}
}
