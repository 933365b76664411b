package optgroups

import (
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"

	"github.com/tlskit/tlskit/internal/engine"
	"github.com/tlskit/tlskit/internal/engine/kx"
	"github.com/tlskit/tlskit/internal/opt"
	"github.com/tlskit/tlskit/internal/sslconf"
	"github.com/tlskit/tlskit/internal/sslerr"
	"github.com/tlskit/tlskit/internal/tlsnames"
)

// fileCmd is an SSL_CONF file command that does what a command-line
// option does: the option's name, and the side it is limited to (openssl
// does not know a server's command in a client's context, and the
// reverse).
type fileCmd struct {
	option string
	only   Role
	one    bool // only is set
}

// fileCmds are the SSL_CONF file commands (SSL_CONF_cmd(3), names
// case-insensitive) that tlskit honours through a command-line option.
var fileCmds = map[string]fileCmd{
	"cipherstring":              {option: "cipher"},
	"ciphersuites":              {option: "ciphersuites"},
	"minprotocol":               {option: "min_protocol"},
	"maxprotocol":               {option: "max_protocol"},
	"groups":                    {option: "groups"},
	"curves":                    {option: "curves"},
	"signaturealgorithms":       {option: "sigalgs"},
	"clientsignaturealgorithms": {option: "client_sigalgs"},
	"recordpadding":             {option: "record_padding"},
	"ecdhparameters":            {option: "named_curve", only: Server, one: true},
	"numtickets":                {option: "num_tickets", only: Server, one: true},
}

// certCmds are the file commands that load files (certificates, keys, CA
// names and stores, DH parameters, serverinfo): openssl knows them only
// in an application's section (SSL_CTX_config), not in system_default,
// where it skips them as unknown (measured, 3.0.22: system_default's
// Certificate, VerifyCAFile, ChainCAFile and RequestCAFile change
// nothing).
var certCmds = map[string]bool{
	"certificate": true, "privatekey": true, "serverinfofile": true, "dhparameters": true,
	"chaincafile": true, "chaincapath": true, "chaincastore": true,
	"verifycafile": true, "verifycapath": true, "verifycastore": true,
	"requestcafile": true, "requestcapath": true, "requestcastore": true,
	"clientcafile": true, "clientcapath": true, "clientcastore": true,
}

// storeCmd is a command that stands for a store option: the store, and
// the option.
type storeCmd struct {
	store  StoreOptions
	option string
}

// storeCmds are the commands that stand for a verify or chain store
// option (the same in openssl 3.0, into two stores: measured alike).
var storeCmds = map[string]storeCmd{
	"verifycafile": {VerifyStore, VerifyStore.File},
	"verifycapath": {VerifyStore, VerifyStore.Dir},
	"chaincafile":  {ChainStore, ChainStore.File},
	"chaincapath":  {ChainStore, ChainStore.Dir},
	// The stores' URIs fail as the command line's do, without its
	// "Error loading store locations" (measured).
	"verifycastore": {VerifyStore, VerifyStore.URI},
	"chaincastore":  {ChainStore, ChainStore.URI},
}

// serverOnly are the unhonoured commands openssl knows in a server only:
// a client fails them as unknown before tlskit need refuse them.
var serverOnly = map[string]bool{
	"dhparameters": true, "serverinfofile": true,
	"clientcafile": true, "clientcapath": true, "clientcastore": true,
}

// flagSpec is an Options flag: the command-line switches it adds or takes
// away when set ("Flag") and when cleared ("-Flag"). A flag that sets no
// switch and takes none away changes nothing, as in openssl 3.0 (DHSingle
// and ECDHSingle are no-ops there) or because it asks for tlskit's own
// behaviour (ExtendedMasterSecret: tlskit always negotiates it).
type flagSpec struct {
	onAdd, onDel, offAdd, offDel string
	// onRefused and offRefused are why tlskit cannot honour the setting.
	onRefused, offRefused string
	server                bool // server only: openssl refuses it in a client
	// serverSwitch: the switches exist in s_server only; in a client
	// openssl accepts the flag and it changes nothing there, unless
	// clientOffRefused says why tlskit cannot clear it there.
	serverSwitch     bool
	clientOffRefused string
}

// optionFlags are the flags of the Options command (lower case), as
// openssl 3.0 names them.
var optionFlags = map[string]flagSpec{
	"sessionticket":               {onDel: "no_ticket", offAdd: "no_ticket"},
	"compression":                 {offAdd: "no_comp", onAdd: "comp"},
	"emptyfragments":              {}, // ConfEmptyFragments
	"bugs":                        {onAdd: "bugs", offDel: "bugs"},
	"dhsingle":                    {server: true},
	"ecdhsingle":                  {server: true},
	"serverpreference":            {onAdd: "serverpref", offDel: "serverpref", server: true},
	"noresumptiononrenegotiation": {onAdd: "no_resumption_on_reneg", offDel: "no_resumption_on_reneg", server: true},
	"unsafelegacyrenegotiation":   {onAdd: "legacy_renegotiation", offDel: "legacy_renegotiation"},
	"unsafelegacyserverconnect":   {onAdd: "legacy_server_connect", offAdd: "no_legacy_server_connect"},
	"clientrenegotiation":         {onAdd: "client_renegotiation", offDel: "client_renegotiation"},
	"encryptthenmac":              {onDel: "no_etm", offAdd: "no_etm"},
	"norenegotiation":             {onAdd: "no_renegotiation", offDel: "no_renegotiation"},
	"allownodhekex":               {onAdd: "allow_no_dhe_kex", offDel: "allow_no_dhe_kex"},
	"prioritizechacha":            {onAdd: "prioritize_chacha", offDel: "prioritize_chacha"},
	"middleboxcompat":             {onDel: "no_middlebox", offAdd: "no_middlebox"},
	"antireplay":                  {onAdd: "anti_replay", offAdd: "no_anti_replay", serverSwitch: true},
	"extendedmastersecret":        {offRefused: "tlskit always negotiates the extended master secret"},
	"canames": {onDel: "no_ca_names", offAdd: "no_ca_names", serverSwitch: true,
		clientOffRefused: "tlskit's client always sends -requestCAfile's names"},
	"ktls": {onRefused: "kernel TLS is not used by tlskit"},
}

// verifyModeFlags are the VerifyMode command's flags (lower case) and the
// side each is known in. openssl checks them and then they change
// nothing: s_client and s_server set the verify mode themselves after
// SSL_CTX_config, from -verify and -Verify or to none (measured, 3.0.22:
// Require without a client certificate, or with -verify 1, still
// completes the handshake; Peer leaves s_client's verification as it was).
var verifyModeFlags = map[string]Role{
	"peer": Client, "request": Server, "require": Server, "once": Server,
	"requestposthandshake": Server, "requireposthandshake": Server,
}

// protocolSwitches are the Protocol command's names and the -no_
// switches they stand for; SSLv2 and the DTLS versions are accepted and
// change nothing in a TLS context, as in openssl.
// Names are matched without regard to case (keys lower-case).
var protocolSwitches = map[string]string{
	"sslv2": "", "sslv3": "no_ssl3", "tlsv1": "no_tls1", "tlsv1.1": "no_tls1_1",
	"tlsv1.2": "no_tls1_2", "tlsv1.3": "no_tls1_3", "dtlsv1": "", "dtlsv1.2": "",
}

// ParseTLSConfig reads the TLS options as openssl 3.0 applies its
// SSL_CONF settings (measured): first openssl.cnf's system_default
// section (sys: its commands as the options they stand for, under
// everything else; a command openssl would fail is skipped, as openssl
// skips it silently), then the command line's SSL_CONF options, then
// -ssl_config NAME's section (SSL_CTX_config), whose commands override
// the options they stand for, then the protocol flags (-tls1_2...), which
// override them in turn. It returns the options with the sections'
// commands in place (Value.Config set): the values the rest of the
// command reads. lookup finds the command's options.
//
// The command line's own errors come first; then a -ssl_config section
// that is not there, or commands in it that fail, are `Error using
// configuration "NAME"` and the error queue's lines of every failing
// command, as openssl applies them all. A command openssl honours and
// tlskit cannot, in either section, stops the command, naming it.
func ParseTLSConfig(v *opt.Values, role Role, sys *sslconf.Defaults, lookup func(string) (*opt.Option, bool)) (*TLSParams, *opt.Values, error) {
	if sys != nil && len(sys.Commands) > 0 {
		base, r := applyCommands(&opt.Values{}, sys.Commands, role, lookup, "system_default")
		if r.refused {
			return nil, v, &ConfError{r.lines}
		}
		// Bad commands are skipped: applyCommands added none of them.
		v = &opt.Values{List: append(base.List, v.List...), Params: v.Params}
	}
	tp, err := ParseTLS(v, role)
	name, given := v.Get("ssl_config")
	if !given {
		return tp, v, err
	}
	var he *HandshakeError
	if err != nil && !errors.As(err, &he) {
		// Found with the command line's SSL_CONF options, before
		// SSL_CTX_config.
		return nil, v, err
	}
	merged, err := WithSSLConfig(v, role, sslconf.Path(), name, lookup)
	if err != nil {
		return nil, v, err
	}
	tp, err = ParseTLS(merged, role)
	return tp, merged, err
}

// WithSSLConfig returns v with the commands of the configuration file's
// ssl_conf section name appended as the options they stand for; see
// ParseTLSConfig.
func WithSSLConfig(v *opt.Values, role Role, path, name string, lookup func(string) (*opt.Option, bool)) (*opt.Values, error) {
	head := fmt.Sprintf("Error using configuration %q", name)
	cmds, ok := sslconf.Section(path, name)
	if !ok {
		return nil, &ConfError{[]string{head, sslerr.Entry{Code: 0x0A000071, Lib: "SSL routines",
			Func: "ssl_do_config", Reason: "invalid configuration name", Data: "name=" + name}.String()}}
	}
	out, r := applyCommands(v, cmds, role, lookup, name)
	if r.failed || r.refused {
		return nil, &ConfError{append([]string{head}, r.lines...)}
	}
	return out, nil
}

// applied is how a section's commands went: whether any failed as in
// openssl, whether tlskit refused any, and the lines saying so, in order.
type applied struct {
	failed, refused bool
	lines           []string
}

// applyCommands returns v with a section's commands applied as the
// options they stand for, marked with the section's name.
func applyCommands(v *opt.Values, cmds []sslconf.Command, role Role, lookup func(string) (*opt.Option, bool), name string) (*opt.Values, applied) {
	out := &opt.Values{List: append([]opt.Value(nil), v.List...), Params: v.Params}
	var r applied
	fail := func(l ...string) {
		r.failed = true
		r.lines = append(r.lines, l...)
	}
	add := func(option, value string) error {
		o, ok := lookup(option)
		if !ok {
			return fmt.Errorf("-%s is not an option of this command", option)
		}
		if o.Unsupported != "" {
			return errors.New(o.Unsupported)
		}
		out.List = append(out.List, opt.Value{Name: option, Value: value, Opt: o, Config: name})
		return nil
	}
	del := func(option string) {
		out.List = deleteOption(out.List, option)
	}
	where := "-ssl_config " + name
	if name == "system_default" {
		where = sslconf.Path() + ": system_default"
	}
	refuse := func(c sslconf.Command, why string) {
		r.refused = true
		r.lines = append(r.lines, fmt.Sprintf("%s: %s = %s is not supported by tlskit: %s", where, c.Name, c.Value, why))
	}
	// addStore is VerifyCAFile, VerifyCAPath, VerifyCAStore and the
	// ChainCA ones: openssl loads the file or the store as it applies the command (a
	// bad one fails it), into a verify (or chain) store that the command
	// line's -verifyCAfile, -verifyCApath and -verifyCAstore (or
	// -chainCA…) replace as a whole when any is given (measured).
	addStore := func(c sslconf.Command, sc storeCmd) {
		var load CAStore
		switch sc.option {
		case sc.store.File:
			load.File = c.Value
		case sc.store.URI:
			load.URI = c.Value
		}
		if load.Given() {
			if _, err := load.Load(); err != nil {
				var ce *ConfError
				switch {
				case errors.As(err, &ce):
					fail(ce.Lines...)
				case load.URI != "":
					refuse(c, err.Error())
				default:
					fail()
				}
				return
			}
		}
		for _, x := range v.List {
			if x.Config == "" && (x.Name == sc.store.File || x.Name == sc.store.Dir || x.Name == sc.store.URI) {
				return // the command line's store replaces it
			}
		}
		// A second file or directory goes into the same store, as in
		// openssl (CAStore's moreFiles, moreDirs).
		if sc.option == sc.store.URI {
			for _, x := range out.List {
				if x.Name == sc.option && x.Config != "" {
					// Measured: with two file stores, openssl's
					// verification fails ("search only supported for
					// directories").
					refuse(c, "a second "+c.Name+" (openssl's lookups in two stores are not matched)")
					return
				}
			}
		}
		if err := add(sc.option, c.Value); err != nil {
			refuse(c, err.Error())
		}
	}
	// The section's certificates and keys (SectionCerts), when it has
	// any.
	var certs *SectionCerts
	for _, c := range cmds {
		key := strings.ToLower(c.Name)
		if certCmds[key] && name == "system_default" {
			fail() // unknown there; system_default skips it
			continue
		}
		if serverOnly[key] && role != Server {
			fail() // unknown to a client, as in openssl
			continue
		}
		switch key {
		case "certificate", "privatekey":
			if certs == nil {
				certs = newSectionCerts()
			}
			var lines []string
			var why string
			option := ConfCertificate
			if key == "certificate" {
				lines, why = certs.certificate(c.Value)
			} else {
				lines, why = certs.privateKey(c.Value)
				option = ConfPrivateKey
			}
			switch {
			case why != "":
				refuse(c, why)
			case lines != nil:
				fail(lines...)
			}
			// Recorded even when it failed (a failed command changed no
			// slot), with the slots as the section leaves them once
			// finish has run: SectionIdentities takes them from there
			// and reads no file again.
			out.List = append(out.List, opt.Value{Name: option, Value: c.Value, Config: name, Loaded: certs})
			continue
		case "options":
			for _, f := range splitList(c.Value) {
				on := !strings.HasPrefix(f, "-")
				// One leading sign, as openssl takes it ("--Flag" and
				// "+-Flag" are unknown flags there, measured).
				spec, ok := optionFlags[strings.ToLower(oneSign(f))]
				if f == "" || !ok || (spec.server && role != Server) {
					// openssl: an empty entry, an unknown flag, or a
					// server's flag in a client, fails the command
					// without a queue line, and ends the list.
					fail()
					break
				}
				if strings.EqualFold(oneSign(f), "EmptyFragments") {
					// No switch of its own: recorded in order with
					// -bugs's, which it overrides or which overrides it
					// (TLSParams.NoEmptyFragments).
					state := "off"
					if on {
						state = "on"
					}
					out.List = append(out.List, opt.Value{Name: ConfEmptyFragments, Value: state, Config: name})
					continue
				}
				if spec.serverSwitch && role != Server {
					if !on && spec.clientOffRefused != "" {
						refuse(c, spec.clientOffRefused)
					}
					continue
				}
				addSw, delSw, why := spec.offAdd, spec.offDel, spec.offRefused
				if on {
					addSw, delSw, why = spec.onAdd, spec.onDel, spec.onRefused
				}
				if why != "" {
					refuse(c, why)
					continue
				}
				if delSw != "" {
					del(delSw)
					if delSw == "bugs" {
						// -Bugs clears SSL_OP_ALL, the bit that
						// -EmptyFragments sets among them.
						del(ConfEmptyFragments)
					}
				}
				if addSw != "" {
					if err := add(addSw, ""); err != nil {
						refuse(c, err.Error())
					}
				}
			}
			continue
		case "verifymode":
			for _, f := range splitList(c.Value) {
				r, ok := verifyModeFlags[strings.ToLower(oneSign(f))]
				if f == "" || !ok || r != role {
					// As an Options flag: the command fails, the list
					// ends, no queue line.
					fail()
					break
				}
			}
			continue
		case "protocol":
			for _, p := range splitList(c.Value) {
				// One sign at most, and names in any case, as
				// openssl's option lists are read (measured:
				// "-+TLSv1.3" fails, "tlsv1.2" is TLSv1.2).
				on := !strings.HasPrefix(p, "-")
				p = strings.ToLower(oneSign(p))
				var switches []string
				if p == "all" {
					switches = []string{"no_ssl3", "no_tls1", "no_tls1_1", "no_tls1_2", "no_tls1_3"}
				} else if sw, ok := protocolSwitches[p]; ok {
					if sw != "" {
						switches = []string{sw}
					}
				} else {
					fail() // an empty entry or an unknown name ends the list
					break
				}
				for _, sw := range switches {
					del(sw)
					if !on {
						if err := add(sw, ""); err != nil {
							refuse(c, err.Error())
						}
					}
				}
			}
			continue
		}
		if key == "serverinfofile" {
			// (A server's: a client failed it above.)
			if ServerInfoReader == nil {
				refuse(c, "this command reads no serverinfo")
			} else if _, err := ServerInfoReader(c.Value); err != nil {
				var ce *ConfError
				if errors.As(err, &ce) {
					fail(ce.Lines...)
				} else {
					fail()
				}
			} else {
				// It goes to the slot current now (the RSA one before
				// any Certificate or PrivateKey).
				slot := serverInfoSlot(slotRSA)
				if certs != nil {
					slot = serverInfoSlot(certs.current)
				}
				out.List = append(out.List, opt.Value{Name: ConfServerInfoFile, Value: c.Value, Config: name, Loaded: &slot})
			}
			continue
		}
		if key == "dhparameters" {
			// (A server's: a client failed it above.)
			if why, lines := checkDHParameters(c.Value); why != "" {
				refuse(c, why)
			} else if lines != nil {
				fail(lines...)
			} else {
				out.List = append(out.List, opt.Value{Name: ConfDHParameters, Value: c.Value, Config: name})
			}
			continue
		}
		if key == "requestcapath" || key == "clientcapath" {
			// Into the same list, the directory's entries in its order.
			files, lines, bad, err := readCANamesDir(c.Value)
			switch {
			case bad != "":
				refuse(c, bad+": "+err.Error()+" (openssl's failure is not matched)")
			case err != nil:
				fail(lines...)
			default:
				out.List = append(out.List, opt.Value{Name: ConfCAPath, Value: c.Value, Config: name, Loaded: &files})
			}
			continue
		}
		if key == "requestcastore" || key == "clientcastore" {
			// Its names into the same list, the store read once. One
			// that does not read is checked as VerifyCAStore's (a
			// missing one fails with the same lines, measured).
			files, bad, err := readCANamesStore(c.Value)
			if bad != "" {
				var ce *ConfError
				if _, lerr := (CAStore{URI: c.Value}).Load(); errors.As(lerr, &ce) && !errors.Is(err, errTooLarge) {
					fail(ce.Lines...)
				} else {
					refuse(c, bad+": "+err.Error()+" (openssl's failure is not matched)")
				}
				continue
			}
			out.List = append(out.List, opt.Value{Name: ConfCAStore, Value: c.Value, Config: name, Loaded: &files})
			continue
		}
		if key == "requestcafile" || key == "clientcafile" {
			// One list in openssl 3.0, the file's names appended as the
			// command is applied; a file that does not open fails it.
			subjects, lines, err := readCANames(c.Value)
			if errors.Is(err, errTooLarge) {
				refuse(c, err.Error())
				continue
			}
			if err != nil {
				fail(lines...)
				continue
			}
			files := caNameFiles{subjects}
			out.List = append(out.List, opt.Value{Name: ConfCANames, Value: c.Value, Config: name, Loaded: &files})
			continue
		}
		if sc, ok := storeCmds[key]; ok {
			addStore(c, sc)
			continue
		}
		fc, ok := fileCmds[key]
		if !ok || (fc.one && fc.only != role) {
			// Unknown here: openssl fails it without a queue line.
			fail()
			continue
		}
		value, err := checkFileValue(fc.option, c.Value)
		if err != nil {
			fail(queueLines(err)...)
			if fc.option == "cipher" && name == "system_default" && isNoCipherMatch(err) {
				// openssl emptied its TLS 1.2 list before failing the
				// command: ParseTLS does the same with it.
				if err := add(fc.option, value); err != nil {
					refuse(c, err.Error())
				}
			}
			continue
		}
		if err := add(fc.option, value); err != nil {
			refuse(c, err.Error())
		}
	}
	if certs != nil {
		// openssl reads the keys the certificates lack after the
		// section's commands.
		if lines, why := certs.finish(); why != "" {
			r.refused = true
			r.lines = append(r.lines, fmt.Sprintf("%s: a key from a certificate's file is not supported by tlskit: %s", where, why))
		} else if lines != nil {
			fail(lines...)
		}
	}
	return out, r
}

// checkFileValue checks a command's value as its option's parser does and
// returns the value the option is to hold.
func checkFileValue(option, value string) (string, error) {
	var err error
	switch option {
	case "cipher":
		_, err = tlsnames.ParseCipherSpec(value)
	case "ciphersuites":
		_, err = tlsnames.ParseCipherSuites(value)
	case "groups":
		_, err = tlsnames.ParseGroups(value)
	case "curves":
		_, err = tlsnames.ParseCurves(value)
	case "named_curve":
		_, err = parseNamedCurve(value)
	case "sigalgs":
		_, err = tlsnames.ParseSigalgs(value)
	case "client_sigalgs":
		_, err = tlsnames.ParseClientSigalgs(value)
	case "min_protocol", "max_protocol":
		_, err = tlsnames.ParseVersionFor("-"+option, value)
	case "record_padding":
		_, err = parseRecordPadding(value)
	case "num_tickets":
		// openssl reads it with atoi and refuses a negative count.
		n := opt.Atoi(value)
		if n < 0 {
			return "", errors.New("negative")
		}
		return strconv.Itoa(int(n)), nil
	}
	return value, err
}

// queueLines are the error-queue lines of a failed command: what openssl
// prints of it under "Error using configuration" (its own "Call to
// SSL_CONF_cmd" line is the command line's only).
func queueLines(err error) []string {
	var ce *tlsnames.ConfError
	if errors.As(err, &ce) {
		return ce.Lines()[1:]
	}
	return nil
}

// splitList splits an Options or Protocol value at commas, trimming
// blanks, as openssl's CONF_parse_list does: an empty value, or an empty
// entry, is an entry "" (which fails).
func splitList(s string) []string {
	out := strings.Split(s, ",")
	for i := range out {
		out[i] = strings.TrimSpace(out[i])
	}
	return out
}

// deleteOption removes every occurrence of a switch: an Options or
// Protocol setting clears the bit that the switch sets.
func deleteOption(list []opt.Value, name string) []opt.Value {
	out := list[:0]
	for _, x := range list {
		if x.Name != name {
			out = append(out, x)
		}
	}
	return out
}

// ConfEmptyFragments is the option under which applyCommands records an
// Options = EmptyFragments ("on") or -EmptyFragments ("off"): no
// command-line option has the name.
const ConfEmptyFragments = "conf:EmptyFragments"

// ConfDHParameters is the option under which applyCommands records a
// section's DHParameters file: no command-line option has the name.
const ConfDHParameters = "conf:DHParameters"

// checkDHParameters reads a DHParameters file as openssl 3.0.22 does when
// it applies the command: a file that does not open fails it with the
// fopen lines (measured). It returns why tlskit refuses the file, when
// it does: a directory, on which openssl does not return, and a file
// whose first PEM block is not DH parameters, for which openssl's
// decoder queues a number of lines tlskit does not match.
func checkDHParameters(path string) (refused string, lines []string) {
	b, err := os.ReadFile(path)
	if errors.Is(err, syscall.EISDIR) {
		return "openssl 3.0.22 does not return from reading a directory there", nil
	}
	if err != nil {
		return "", fopenLines(path, err)
	}
	if blk, _ := pem.Decode(b); blk == nil || blk.Type != "DH PARAMETERS" {
		return "the file holds no DH parameters first (openssl's decoder errors are not matched)", nil
	}
	if _, err := kx.ParseDHParamsPEM(b); err != nil {
		return "the file's DH parameters do not parse (openssl's decoder errors are not matched)", nil
	}
	return "", nil
}

// ConfServerInfoFile is the option under which applyCommands records a
// section's ServerInfoFile: no command-line option has the name.
const ConfServerInfoFile = "conf:ServerInfoFile"

// ServerInfoReader reads a ServerInfoFile as s_server's -serverinfo does
// (openssl 3.0.22 fails the command with the same lines as -serverinfo's
// failures, measured for a missing file); s_server sets it. Without it
// the command is refused.
var ServerInfoReader func(path string) ([]engine.ServerInfo, error)

// oneSign is an Options or VerifyMode entry without its one leading '+'
// or '-'.
func oneSign(f string) string {
	if f != "" && (f[0] == '+' || f[0] == '-') {
		return f[1:]
	}
	return f
}
