package optgroups

import (
	"errors"
	"fmt"
	"strings"

	"github.com/tlskit/tlskit/internal/engine"
	"github.com/tlskit/tlskit/internal/engine/suites"
	"github.com/tlskit/tlskit/internal/lazy"
	"github.com/tlskit/tlskit/internal/opt"
	"github.com/tlskit/tlskit/internal/sslerr"
	"github.com/tlskit/tlskit/internal/tlsnames"
)

// TLSParams is the "TLS/SSL options" section and the protocol flags,
// parsed once: what both commands hand to the TLS engine.
type TLSParams struct {
	// MinVersion and MaxVersion are the enabled protocol range.
	MinVersion, MaxVersion uint16
	// CipherString is the TLS 1.2-and-below cipher string in force (the
	// -cipher value, openssl.cnf's CipherString, or openssl's default).
	CipherString string
	// Ciphers are the TLS 1.2-and-below suites it selects that the engine
	// implements and the security level allows, in preference order.
	Ciphers []tlsnames.Cipher
	// Listed are the TLS 1.2-and-below suites the string selects, those
	// the engine lacks (SRP) and the security level refuses (aNULL from
	// level 1) included: openssl's own list, which s_server -www's page
	// shows.
	Listed []tlsnames.Cipher
	// Suites12 are the TLS 1.2-and-below suites the string selects that
	// the engine implements and the security level allows, in
	// preference order (a client's: see ParseTLS).
	Suites12 []uint16
	// SecLevel is the security level in force; SecLevelSet is true when a
	// cipher string set it with @SECLEVEL=n.
	SecLevel    int
	SecLevelSet bool
	// Groups are the key exchange groups to use, nil for the default.
	Groups []uint16
	// ALPN is the -alpn list, nil when not given.
	ALPN []string

	NoTicket bool // -no_ticket
	// Bugs is -bugs, OpenSSL's bug workarounds (SSL_OP_ALL): a client
	// pads its ClientHello (RFC 7685), and neither side sends empty
	// records before TLS 1.0 CBC data.
	Bugs bool
	// NoEmptyFragments: no empty record before each write of TLS 1.0
	// CBC data (SSL_OP_DONT_INSERT_EMPTY_FRAGMENTS): set by -bugs and
	// Options = Bugs, cleared by Options = EmptyFragments or -Bugs, set
	// by -EmptyFragments, the last one winning (measured with openssl
	// 3.0's s_client -debug: "Bugs,EmptyFragments" sends the empty
	// records, "EmptyFragments,Bugs" does not; -bugs with an
	// -ssl_config's "EmptyFragments" does).
	NoEmptyFragments bool
	ServerPref       bool // -serverpref
	PrioritizeChaCha bool // -prioritize_chacha

	// Suites13 are the TLS 1.3 suites -ciphersuites (or openssl.cnf's
	// Ciphersuites) names, in its order; nil for openssl's default.
	Suites13 []uint16
	// Sigalgs and ClientSigalgs are -sigalgs and -client_sigalgs, nil
	// when not given.
	Sigalgs, ClientSigalgs []uint16
	// RecordPadding is -record_padding's block size, 0 for none.
	RecordPadding int
	NoMiddlebox   bool // -no_middlebox
	AllowNoDHE    bool // -allow_no_dhe_kex
	// LegacyServerConnect is -legacy_server_connect (the last of it and
	// -no_legacy_server_connect wins): a client then connects to a TLS
	// 1.0–1.2 server without renegotiation_info, which OpenSSL 3.0
	// refuses by default.
	LegacyServerConnect bool
}

// DefaultMinVersion and DefaultMaxVersion are the range tlskit enables
// when neither the command line nor openssl.cnf narrows it.
const (
	DefaultMinVersion = engine.VersionTLS12
	DefaultMaxVersion = engine.VersionTLS13
	// DefaultClientMinVersion is a client's: openssl 3.0's, as its own
	// engine carries every client connection.
	DefaultClientMinVersion = engine.VersionTLS10
	// ServerDefaultMinVersion is s_server's, openssl's own too: TLS 1.0
	// and 1.1 are enabled, and refused at the default security level as
	// openssl refuses them (no SHA-1 signature allowed: internal_error).
	ServerDefaultMinVersion = engine.VersionTLS10
)

// ConfError is a rejected SSL_CONF value, printed as openssl prints it:
// its lines as they are, with no "prog: " prefix.
type ConfError struct{ Lines []string }

func (e *ConfError) Error() string { return strings.Join(e.Lines, "\n") }

// HandshakeError is a configuration openssl's client accepts at start-up
// and finds unusable only as it starts the handshake (no protocol
// version left, no cipher for the highest version): it connects, sends
// Alert as a record of RecordVersion, prints Lines on stderr and its
// short report, and exits 1.
type HandshakeError struct {
	Lines         []string
	RecordVersion uint16
	Alert         uint8 // fatal
}

func (e *HandshakeError) Error() string { return strings.Join(e.Lines, "\n") }

// Record is the alert record openssl writes.
func (e *HandshakeError) Record() []byte {
	return []byte{21, byte(e.RecordVersion >> 8), byte(e.RecordVersion), 0, 2, 2, e.Alert}
}

// confErr words a bad SSL_CONF value as openssl does.
func confErr(err error) error {
	var ce *tlsnames.ConfError
	if errors.As(err, &ce) {
		return &ConfError{ce.Lines()}
	}
	return err
}

// ParseTLS reads the protocol flags and the TLS/SSL options (with the
// configuration sections' commands among them: see ParseTLSConfig). The
// last of several options setting the same thing wins, as in openssl
// (-groups and -curves are one setting; -tls1_2 and -tls1_3 are refused
// together).
func ParseTLS(v *opt.Values, role Role) (*TLSParams, error) {
	p := &TLSParams{SecLevel: tlsnames.DefaultSecLevel, CipherString: tlsnames.DefaultCipherString}
	if err := checkRole(v, role); err != nil {
		return nil, err
	}
	if err := checkEach(v); err != nil {
		return nil, err
	}
	if err := p.versions(v, role); err != nil {
		return nil, err
	}

	emptied := false // system_default's CipherString matched nothing
	if cipher, ok := v.Get("cipher"); ok {
		spec, err := tlsnames.ParseCipherSpec(cipher)
		if err != nil && lastConfig(v, "cipher") == "system_default" && isNoCipherMatch(err) {
			// openssl replaced its list with the empty one before it
			// failed the command (and skipped the failure): no TLS 1.2
			// suites, TLS 1.3's untouched (measured, 3.0.22).
			spec, err, emptied = tlsnames.CipherSpec{SecLevel: -1}, nil, true
		}
		if err != nil {
			return nil, confErr(err)
		}
		p.CipherString = cipher
		if spec.SecLevel >= 0 {
			p.SecLevel, p.SecLevelSet = spec.SecLevel, true
		}
		p.Ciphers = spec.Ciphers
	} else {
		// The default string is well formed.
		p.Ciphers, _ = tlsnames.ParseCipherString(tlsnames.DefaultCipherString)
	}
	for _, c := range p.Ciphers {
		if !c.IsTLS13() {
			p.Listed = append(p.Listed, c)
		}
	}
	var usable []tlsnames.Cipher
	for _, c := range tlsnames.FilterSecLevel(p.Ciphers, p.SecLevel) {
		if c.IsTLS13() {
			continue
		}
		if _, ok := suites.Lookup12(c.ID); ok {
			p.Suites12 = append(p.Suites12, c.ID)
			usable = append(usable, c)
		}
	}
	p.Ciphers = usable
	// The engine carries the connections, with its own list of
	// suites.
	none := len(p.Suites12) == 0
	if emptied {
		// An empty list, not the default: openssl's client fails at
		// TLS 1.2 before its ClientHello ("no ciphers available"), as for
		// an empty TLS 1.3 list, and offers TLS 1.3's suites alone
		// otherwise; its server has no shared cipher with TLS 1.2
		// clients. The engine takes an empty Suites12 as none.
		p.Suites12 = []uint16{}
		if role == Client && p.MaxVersion < engine.VersionTLS13 {
			return nil, &HandshakeError{Lines: []string{sslerr.Entry{Code: 0x0A0000B5, Lib: "SSL routines",
				Func: "ssl_cipher_list_to_bytes", Reason: "no ciphers available",
				Data: "No ciphers enabled for max supported SSL/TLS version"}.String()}, RecordVersion: engine.VersionTLS10, Alert: 80}
		}
	} else if none && p.MinVersion < engine.VersionTLS13 {
		if p.MaxVersion < engine.VersionTLS13 {
			return nil, &ConfError{[]string{
				fmt.Sprintf("Call to SSL_CONF_cmd(-cipher, %s) failed", p.CipherString),
				"error: no cipher match: none of the selected suites is implemented by tlskit's TLS engine",
			}}
		}
		// Only TLS 1.3 has suites left, as openssl would then negotiate.
		p.MinVersion = engine.VersionTLS13
	}

	if suites, given := v.Get("ciphersuites"); given {
		none, err := checkCipherSuites(suites)
		if err != nil {
			return nil, err
		}
		p.Suites13 = suites13(suites)
		if none && p.MaxVersion >= engine.VersionTLS13 {
			// No TLS 1.3 suite while TLS 1.3 is enabled: openssl's client
			// fails before sending its ClientHello, saying so.
			if role == Client {
				// It has connected by then and sends internal_error in a
				// TLS 1.0 record.
				return nil, &HandshakeError{Lines: []string{sslerr.Entry{Code: 0x0A0000B5, Lib: "SSL routines",
					Func: "ssl_cipher_list_to_bytes", Reason: "no ciphers available",
					Data: "No ciphers enabled for max supported SSL/TLS version"}.String()}, RecordVersion: engine.VersionTLS10, Alert: 80}
			}
			// openssl's server then fails TLS 1.3 handshakes; tlskit's
			// server cannot negotiate TLS 1.3 without suites either, so
			// it offers up to TLS 1.2.
			p.MaxVersion = engine.VersionTLS12
			if p.MinVersion > p.MaxVersion {
				return nil, &ConfError{[]string{sslerr.New(sslerr.NoProtocolsAvailable, "").String()}}
			}
		}
	}

	// -groups, -curves and -named_curve set one list: the last one wins.
	if last := v.Last("groups", "curves", "named_curve"); last != "" {
		val, _ := v.Get(last)
		parse := tlsnames.ParseGroups
		switch last {
		case "curves":
			parse = tlsnames.ParseCurves
		case "named_curve":
			parse = parseNamedCurve
		}
		ids, err := parse(val)
		if err != nil {
			return nil, confErr(err)
		}
		p.Groups = ids
	}

	if a, ok := v.Get("alpn"); ok {
		list, err := ParseALPN(a)
		if err != nil {
			return nil, err
		}
		p.ALPN = list
	}
	if s, ok := v.Get("sigalgs"); ok {
		ss, err := tlsnames.ParseSigalgs(s)
		if err != nil {
			return nil, confErr(err)
		}
		p.Sigalgs = ss
	}
	if s, ok := v.Get("client_sigalgs"); ok {
		ss, err := tlsnames.ParseClientSigalgs(s)
		if err != nil {
			return nil, confErr(err)
		}
		p.ClientSigalgs = ss
	}
	if s, ok := v.Get("record_padding"); ok {
		n, err := parseRecordPadding(s)
		if err != nil {
			return nil, err
		}
		p.RecordPadding = n
	}
	p.NoMiddlebox = v.Has("no_middlebox")
	p.AllowNoDHE = v.Has("allow_no_dhe_kex")
	p.LegacyServerConnect = v.Last("legacy_server_connect", "no_legacy_server_connect") == "legacy_server_connect"
	p.NoTicket = v.Has("no_ticket")
	p.Bugs = v.Has("bugs")
	for _, x := range v.List {
		switch x.Name {
		case "bugs":
			p.NoEmptyFragments = true
		case ConfEmptyFragments:
			p.NoEmptyFragments = x.Value == "off"
		}
	}
	p.ServerPref = v.Has("serverpref")
	p.PrioritizeChaCha = v.Has("prioritize_chacha")
	return p, nil
}

// Role says which side a command plays: some SSL_CONF options apply to
// one side only.
type Role int

// The roles.
const (
	Client Role = iota
	Server
)

// oneSided are the TLS/SSL options of one side only; openssl's SSL_CONF
// refuses them on the other.
var oneSided = lazy.Value[map[string]Role]{Build: func() map[string]Role {
	return map[string]Role{
		"serverpref": Server, "client_renegotiation": Server, "no_resumption_on_reneg": Server,
		"prioritize_chacha": Server, "named_curve": Server,
		"legacy_server_connect": Client, "no_legacy_server_connect": Client,
	}
}}

// checkRole refuses an option of the other side, as openssl does.
func checkRole(v *opt.Values, role Role) error {
	for _, x := range v.List {
		if x.Config != "" {
			continue // WithSSLConfig checked it
		}
		if r, ok := oneSided.Get()[x.Name]; ok && r != role {
			val := x.Value
			if x.Opt != nil && x.Opt.Kind == opt.None {
				val = "<NULL>"
			}
			return &ConfError{[]string{fmt.Sprintf("Call to SSL_CONF_cmd(-%s, %s) failed", x.Name, val)}}
		}
	}
	return nil
}

// checkEach checks every occurrence of the SSL_CONF options whose value
// the last occurrence sets: openssl applies each in turn, so a bad value
// fails even when a later one would replace it.
func checkEach(v *opt.Values) error {
	for _, x := range v.List {
		if x.Config != "" {
			continue // WithSSLConfig checked it
		}
		var err error
		switch x.Name {
		case "cipher":
			_, err = tlsnames.ParseCipherSpec(x.Value)
		case "ciphersuites":
			_, err = tlsnames.ParseCipherSuites(x.Value)
		case "groups":
			_, err = tlsnames.ParseGroups(x.Value)
		case "named_curve":
			_, err = parseNamedCurve(x.Value)
		case "curves":
			_, err = tlsnames.ParseCurves(x.Value)
		}
		if err != nil {
			return confErr(err)
		}
	}
	return nil
}

// parseNamedCurve parses -named_curve's value, a group list under
// another name: errors name -named_curve.
func parseNamedCurve(s string) ([]uint16, error) {
	ids, err := tlsnames.ParseGroups(s)
	var ce *tlsnames.ConfError
	if errors.As(err, &ce) {
		named := *ce
		named.Option = "-named_curve"
		return nil, &named
	}
	return ids, err
}

// ErrALPN is openssl's complaint about an -alpn list, printed as it is.
var ErrALPN = &ConfError{[]string{"Error parsing -alpn argument"}}

// ParseALPN parses a comma-separated protocol list as openssl does: empty
// entries are skipped, a name longer than 255 bytes or a list with no
// name at all is an error.
func ParseALPN(s string) ([]string, error) {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if len(p) > 255 {
			return nil, ErrALPN
		}
		if p != "" {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		return nil, ErrALPN
	}
	return out, nil
}

// checkCipherSuites checks a -ciphersuites value (unknown names are
// skipped as openssl skips them); none reports the empty list.
func checkCipherSuites(s string) (none bool, err error) {
	list, err := tlsnames.ParseCipherSuites(s)
	if err != nil {
		return false, confErr(err)
	}
	return len(list) == 0, nil
}

// suites13 returns a well-formed -ciphersuites value's suites in order
// (nil for the empty list: the version range drops TLS 1.3 instead).
func suites13(s string) []uint16 {
	list, _ := tlsnames.ParseCipherSuites(s)
	var ids []uint16
	for _, c := range list {
		ids = append(ids, c.ID)
	}
	return ids
}

// parseRecordPadding reads -record_padding as openssl does: atoi (leading
// digits; "abc" is 0, no padding), refused below 0 or above 16384, the
// largest record plaintext.
func parseRecordPadding(s string) (int, error) {
	t := strings.TrimLeft(s, " \t")
	neg := false
	if t != "" && (t[0] == '-' || t[0] == '+') {
		neg, t = t[0] == '-', t[1:]
	}
	n := 0
	for i := 0; i < len(t) && t[i] >= '0' && t[i] <= '9' && n <= 1<<20; i++ {
		n = n*10 + int(t[i]-'0')
	}
	if (neg && n > 0) || n > 16384 {
		return 0, &ConfError{[]string{fmt.Sprintf("Call to SSL_CONF_cmd(-record_padding, %s) failed", s)}}
	}
	return n, nil
}

// versions applies -min_protocol, -max_protocol (and the MinProtocol and
// MaxProtocol commands standing for them), the -tls1… flags and the
// -no_tls1… flags (and the Protocol commands standing for them). The range runs
// from the lowest enabled version up to the first disabled one above it,
// as OpenSSL treats holes.
func (p *TLSParams) versions(v *opt.Values, role Role) error {
	// openssl counts the flags, so even -tls1_2 -tls1_2 is refused.
	flagsGiven := countGiven(v, "tls1", "tls1_1", "tls1_2", "tls1_3")
	if flagsGiven > 1 {
		return &ConfError{[]string{"Cannot supply multiple protocol flags"}}
	}
	if flagsGiven > 0 && countGiven(v, "no_ssl3", "no_tls1", "no_tls1_1", "no_tls1_2", "no_tls1_3") > 0 {
		return &ConfError{[]string{"Cannot supply both a protocol flag and '-no_<prot>'"}}
	}
	lo, hi := uint16(DefaultMinVersion), uint16(DefaultMaxVersion)
	if role == Client {
		// openssl's client offers TLS 1.0–1.3 (supported_versions); at
		// security level 1 and up a TLS 1.0/1.1 server then fails on
		// its MD5/SHA-1 signature rather than on the version.
		lo = DefaultClientMinVersion
	}
	if role == Server {
		lo = ServerDefaultMinVersion
	}
	bound := func(name, val string, dst *uint16) error {
		ver, err := tlsnames.ParseVersionFor(name, val)
		if err != nil {
			return confErr(err)
		}
		if ver != 0 { // "None" leaves the default bound
			*dst = ver
		}
		return nil
	}
	if s, ok := v.Get("min_protocol"); ok {
		if err := bound("-min_protocol", s, &lo); err != nil {
			return err
		}
	}
	if s, ok := v.Get("max_protocol"); ok {
		if err := bound("-max_protocol", s, &hi); err != nil {
			return err
		}
	}
	flags := []struct {
		name, no string
		ver      uint16
	}{
		{"tls1", "no_tls1", engine.VersionTLS10}, {"tls1_1", "no_tls1_1", engine.VersionTLS11},
		{"tls1_2", "no_tls1_2", engine.VersionTLS12}, {"tls1_3", "no_tls1_3", engine.VersionTLS13},
	}
	last := v.Last("tls1", "tls1_1", "tls1_2", "tls1_3")
	for _, f := range flags {
		if f.name == last {
			lo, hi = f.ver, f.ver
		}
	}
	if lo < engine.VersionTLS10 || hi > engine.VersionTLS13 {
		return errors.New("SSLv3 and DTLS versions are not supported by tlskit")
	}
	disabled := map[uint16]bool{}
	for _, f := range flags {
		disabled[f.ver] = v.Has(f.no)
	}
	for lo <= hi && disabled[lo] {
		lo++
	}
	for x := lo; x <= hi; x++ {
		if disabled[x] {
			hi = x - 1
			break
		}
	}
	if lo > hi {
		// openssl finds out as it starts the handshake, and says so; its
		// client has connected by then and sends protocol_version in a
		// TLS 1.2 record.
		return &HandshakeError{Lines: []string{sslerr.New(sslerr.NoProtocolsAvailable, "").String()}, RecordVersion: engine.VersionTLS12, Alert: 70}
	}
	p.MinVersion, p.MaxVersion = lo, hi
	return nil
}

// countGiven counts the occurrences of the named options on the command
// line (not those an -ssl_config section set: openssl's check is on its
// command line).
func countGiven(v *opt.Values, names ...string) int {
	n := 0
	for _, x := range v.List {
		if x.Config != "" {
			continue
		}
		for _, name := range names {
			if x.Name == name {
				n++
			}
		}
	}
	return n
}

// MaxSendFrag reads -max_send_frag as openssl does: a positive number
// (the option parser checks that), refused outside 512–16384, the range
// SSL_CTX_set_max_send_fragment accepts, with openssl's message.
func MaxSendFrag(v *opt.Values, prog string) (int, error) {
	n := v.Int("max_send_frag", 0)
	if n < 512 || n > 16384 {
		return 0, &ConfError{[]string{fmt.Sprintf("%s: Max send fragment size %d is out of permitted range", prog, n)}}
	}
	return int(n), nil
}

// lastConfig is the section the last occurrence of an option came from:
// "" for the command line.
func lastConfig(v *opt.Values, name string) string {
	for i := len(v.List) - 1; i >= 0; i-- {
		if v.List[i].Name == name {
			return v.List[i].Config
		}
	}
	return ""
}

// isNoCipherMatch says whether a cipher string failed for selecting no
// suite (rather than for its syntax).
func isNoCipherMatch(err error) bool {
	var ce *tlsnames.ConfError
	return errors.As(err, &ce) && ce.Reason == "no cipher match"
}
