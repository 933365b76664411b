package sclient

import (
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/tlskit/tlskit/internal/certs"
	"github.com/tlskit/tlskit/internal/ct"
	"github.com/tlskit/tlskit/internal/dn"
	"github.com/tlskit/tlskit/internal/engine"
	"github.com/tlskit/tlskit/internal/engine/suites"
	"github.com/tlskit/tlskit/internal/keylog"
	"github.com/tlskit/tlskit/internal/lazy"
	"github.com/tlskit/tlskit/internal/opt"
	"github.com/tlskit/tlskit/internal/optgroups"
	"github.com/tlskit/tlskit/internal/secdebug"
	"github.com/tlskit/tlskit/internal/sslconf"
	"github.com/tlskit/tlskit/internal/sslerr"
	"github.com/tlskit/tlskit/internal/starttls"
	"github.com/tlskit/tlskit/internal/transport"
	"github.com/tlskit/tlskit/internal/verify"
)

// settings is everything s_client derived from its command line before
// connecting.
type settings struct {
	host, port string
	network    string // tcp, tcp4, tcp6, unix
	unixPath   string
	bind       string
	sni        string
	// noServername is -noservername: openssl then installs no servername
	// callback, so it does not complain that no SNI was sent.
	noServername bool
	// exitNotes are tlskit's own notices, printed on stderr at exit.
	exitNotes []string
	// warnings are openssl's start-up warnings, printed on stderr once
	// the options are read.
	warnings []string

	proxy, proxyUser, proxyPass string
	starttls, starttlsName      string
	// nbio is -nbio: tlskit's I/O is what it is, but openssl says it
	// turned non-blocking I/O on, after each CONNECTED line.
	nbio bool

	// engine is the engine's configuration as the options give it (nil
	// only with handshakeErr set).
	engine *engineSettings

	verifyOpts   verify.Options
	verifyDepth  int // -verify N; 0 when not given
	verifyReturn bool
	verifyQuiet  bool
	nameOpt      dn.Options

	quiet, brief, showCerts, prexit, crlf bool
	ignEOF, nocommands, reconnect         bool
	ignoreUnexpectedEOF                   bool
	msg, trace, debug, state, extDebug    bool
	status                                bool
	// ct is -ct (the last of -ct/-noct): ask for SCTs (and a staple)
	// and print them; ctLogs is the log list they are checked against.
	ct              bool
	ctLogs          *ct.LogStore
	crlDownload     bool
	secLevel        int // security level, for -auth_level's default
	secLevelSet     bool
	systemRoots     bool // the system store backs up the roots
	sessIn, sessOut string
	keymatLabel     string
	keymatLen       int
	keyLog          io.Writer
	msgOut          io.Writer
	alpnOffered     bool
	cipherList      string           // the -cipher string, or openssl's default
	secDebug        *secdebug.Config // -security_debug[_verbose]; nil when off
	// handshakeErr is a configuration openssl's client only finds
	// unusable once connected; run reports it after connecting.
	handshakeErr *optgroups.HandshakeError
}

// configError is a start-up error already worded for the user; Lines are
// printed as they are (openssl prints SSL_CONF errors without a prefix).
type configError struct{ lines []string }

func (e *configError) Error() string { return strings.Join(e.lines, "\n") }

// rawError turns the option groups' openssl-worded errors into a
// configError, printed without a prefix.
func rawError(err error) error {
	var ce *optgroups.ConfError
	if errors.As(err, &ce) {
		return &configError{ce.Lines}
	}
	return err
}

func usageErr(format string, a ...any) error {
	return &opt.UsageError{Lines: []string{fmt.Sprintf(format, a...)}, Hint: true}
}

// buildSettings turns parsed options into settings. Files are read here, so
// a bad file fails before any connection is made.
func buildSettings(v *opt.Values, stdout, stderr io.Writer) (*settings, error) {
	s := &settings{network: "tcp"}
	if v.Has("4") && v.Has("6") {
		return nil, usageErr("Can't use both -4 and -6")
	}
	if v.Has("4") {
		s.network = "tcp4"
	} else if v.Has("6") {
		s.network = "tcp6"
	}
	if v.Has("servername") && v.Has("noservername") {
		return nil, usageErr("Can't use -servername and -noservername together")
	}

	// Where to connect: the positional host:port, -connect, or -host/-port,
	// the last one given winning as in openssl.
	connect := ""
	if len(v.Params) > 0 {
		connect = v.Params[0]
	}
	if c, ok := v.Get("connect"); ok {
		connect = c
	}
	host, port, err := transport.SplitHostPort(connect, "localhost", "4433")
	if err != nil {
		return nil, err
	}
	if h, ok := v.Get("host"); ok {
		host = h
	}
	if p, ok := v.Get("port"); ok {
		port = p
	}
	s.host, s.port = host, port
	if u, ok := v.Get("unix"); ok {
		s.network, s.unixPath = "unix", u
	}
	s.bind = v.Str("bind", "")

	// SNI, as openssl: -servername as given; otherwise the host when it
	// looks like a multi-label DNS name, or "localhost" when no host was
	// given at all. An IP literal or a single label ("localhost") sends none.
	hostGiven := v.Has("connect") || v.Has("host") || len(v.Params) > 0
	switch {
	case v.Has("servername"):
		s.sni = v.Str("servername", "")
	case v.Has("noservername"), s.network == "unix":
	case !hostGiven:
		s.sni = "localhost"
	case isDNSName(host):
		s.sni = host
	}
	s.noServername = v.Has("noservername")
	if p, ok := v.Get("proxy"); ok {
		if p == "" {
			return nil, usageErr("-proxy requires a host:port")
		}
		s.proxy = p
		s.proxyUser = v.Str("proxy_user", "")
		if spec, ok := v.Get("proxy_pass"); ok {
			pw, err := certs.ReadPass(spec)
			if err != nil {
				return nil, err
			}
			s.proxyPass = pw
		}
	}
	if st, ok := v.Get("starttls"); ok {
		if err := opt.OneOf(st, starttls.Protocols); err != nil {
			return nil, err
		}
		s.starttls = st
	}
	// -name and -xmpphost are one setting in openssl: the last one wins.
	if last := v.Last("name", "xmpphost"); last != "" {
		s.starttlsName = v.Str(last, "")
	}

	s.nbio = v.Has("nbio")
	s.quiet = v.Has("quiet")
	s.brief = v.Has("brief")
	s.showCerts = v.Has("showcerts")
	s.prexit = v.Has("prexit")
	s.crlf = v.Has("crlf")
	s.nocommands = v.Has("nocommands")
	s.reconnect = v.Has("reconnect")
	s.ignoreUnexpectedEOF = v.Has("ignore_unexpected_eof")
	// -quiet implies -ign_eof; the last of -ign_eof/-no_ign_eof wins.
	s.ignEOF = s.quiet
	switch v.Last("ign_eof", "no_ign_eof") {
	case "ign_eof":
		s.ignEOF = true
	case "no_ign_eof":
		s.ignEOF = false
	}
	// -msg and -trace pick one message callback: the later wins, as in
	// openssl 3.0 (measured: "-msg -trace" prints only the trace).
	show := v.Last("msg", "trace")
	s.msg, s.trace, s.debug = show == "msg", show == "trace", v.Has("debug")
	s.state, s.extDebug = v.Has("state"), v.Has("tlsextdebug")
	s.status = v.Has("status")
	if v.Last("ct", "noct") == "ct" {
		// openssl reads the log list before it connects: a list it
		// cannot read ends s_client with exit 1.
		logs, err := ct.LoadLogList(v.Str("ctlogfile", ct.DefaultLogList()))
		if err != nil {
			return nil, &configError{err.(*ct.LoadError).Lines}
		}
		s.ct, s.ctLogs = true, logs
	}
	s.sessIn, s.sessOut = v.Str("sess_in", ""), v.Str("sess_out", "")
	if l, ok := v.Get("keymatexport"); ok {
		s.keymatLabel = l
		s.keymatLen = int(v.Int("keymatexportlen", 20))
	}
	s.msgOut = stdout
	if f, ok := v.Get("msgfile"); ok {
		w, err := os.Create(f)
		if err != nil {
			// openssl's line alone, exit 1 (a missing directory
			// or a directory alike).
			return nil, &configError{[]string{"Error writing file " + f}}
		}
		s.msgOut = w
	}
	if f, ok := v.Get("keylogfile"); ok {
		w, err := keylog.Open(f)
		if err != nil {
			// openssl's line, with no prefix, and exit 1.
			return nil, &configError{[]string{"Error writing keylog file " + f}}
		}
		s.keyLog = w
	}

	if no, ok := v.Get("nameopt"); ok {
		o, err := dn.ParseOptions(no)
		if err != nil {
			return nil, fmt.Errorf("invalid -nameopt %q: %w", no, err)
		}
		s.nameOpt = o
	} else {
		s.nameOpt = dn.Default()
	}

	v, err = tlsOptions(v, s)
	for _, w := range s.warnings {
		fmt.Fprintln(stderr, w)
	}
	var he *optgroups.HandshakeError
	if errors.As(err, &he) {
		// openssl connects before it finds this out (see preHandshakeFailure).
		s.handshakeErr = he
		return s, nil
	}
	if err != nil {
		return nil, rawError(err)
	}
	if err := verifySettings(v, s); err != nil {
		return nil, rawError(err)
	}
	if v.Has("security_debug") || v.Has("security_debug_verbose") {
		s.secDebug = secDebugConfig(s, v.Has("security_debug_verbose"))
	}
	return s, nil
}

// noSuites12 is openssl's failure when TLS 1.2 is the highest version and
// the cipher string selects only PSK suites without -psk (openssl masks
// them out without its PSK callback): it connects, sends internal_error
// and says "no ciphers available", as it does for an empty TLS 1.3 list.
func noSuites12(o *engineSettings, tp *optgroups.TLSParams) *optgroups.HandshakeError {
	if tp.MaxVersion >= engine.VersionTLS13 || o.pskKey != nil || len(tp.Suites12) == 0 {
		return nil
	}
	for _, id := range tp.Suites12 {
		if su, ok := suites.Lookup12(id); ok && !su.Kx.PSK() {
			return nil
		}
	}
	return &optgroups.HandshakeError{Lines: []string{sslerr.Entry{Code: 0x0A0000B5, Lib: "SSL routines",
		Func: "ssl_cipher_list_to_bytes", Reason: "no ciphers available",
		Data: "No ciphers enabled for max supported SSL/TLS version"}.String()}, RecordVersion: engine.VersionTLS10, Alert: 80}
}

// tlsOptions reads the TLS options into s.engine: versions, suites, groups
// (as the security level leaves them), ALPN, the client's certificates.
// It returns the options with -ssl_config's section applied, which the
// rest of the set-up reads.
func tlsOptions(v *opt.Values, s *settings) (*opt.Values, error) {
	tp, v, err := optgroups.ParseTLSConfig(v, optgroups.Client, sslconf.System(), Table.Lookup)
	if err != nil {
		return v, err
	}
	return v, tlsSettings(v, s, tp)
}

// tlsSettings is tlsOptions once the TLS options are parsed.
func tlsSettings(v *opt.Values, s *settings, tp *optgroups.TLSParams) error {
	if err := engineOptions(v, s, tp); err != nil {
		return err
	}
	if he := noSuites12(s.engine, tp); he != nil {
		return he
	}
	o := s.engine
	s.secLevel, s.secLevelSet = tp.SecLevel, tp.SecLevelSet
	s.cipherList = tp.CipherString
	o.groups = tp.Groups
	if s.secLevel >= 4 {
		// Levels 4 and 5 refuse groups weaker than 192 bits (X25519,
		// P-256), as openssl leaves them out of its ClientHello.
		list := o.groups
		if len(list) == 0 {
			list = engine.DefaultGroups
		}
		var strong []uint16
		for _, g := range list {
			if bits, ok := secdebug.GroupBits(g); ok && secdebug.Allowed(s.secLevel, bits) {
				strong = append(strong, g)
			}
		}
		if len(strong) == 0 {
			return fmt.Errorf("no group in the list is allowed at security level %d", s.secLevel)
		}
		o.groups = strong
	}
	s.alpnOffered = tp.ALPN != nil

	main, err := optgroups.ParseIdentity(v, optgroups.MainIdentity)
	if err != nil {
		return err
	}
	ext, err := optgroups.ParseIdentity(v, optgroups.ExtendedIdentity)
	if err != nil {
		return err
	}
	pass := ""
	if main.PassSpec != "" {
		if pass, err = certs.ReadPass(main.PassSpec); err != nil {
			return err
		}
	}
	// -ssl_config's Certificate and PrivateKey commands fill key slots
	// first; -cert's certificate takes its key type's slot and becomes
	// the current one, the one a TLS 1.0-1.2 client offers alone
	// (measured with openssl 3.0.22: a TLS 1.3 client picks the slot by
	// the server's signature schemes).
	sec := optgroups.SectionIdentities(v)
	o.identities, o.current12 = sec.Identities, sec.Current
	o.sectionCerts = len(sec.Identities) > 0
	switch {
	case main.CertGiven:
		main.Spec.Pass = pass
		id, err := optgroups.LoadKeyPair(main.Spec, optgroups.Client)
		if err != nil {
			return err
		}
		o.identities, o.current12 = optgroups.PlaceInSlot(o.identities, id)
	case main.KeyGiven:
		// openssl loads a -key given without -cert, failing on a bad
		// one, and then has no certificate to use it with.
		if err := optgroups.LoadKeyAs(main.Spec.Key, main.Spec.KeyForm, pass, "client"); err != nil {
			return rawError(err)
		}
	}
	if !main.CertGiven && main.Spec.Chain != "" {
		// openssl loads -cert_chain with or without -cert.
		if err := optgroups.LoadChainAs(main.Spec.Chain, pass, "client"); err != nil {
			return rawError(err)
		}
	}
	o.firstX = len(o.identities)
	if ext.CertGiven {
		// Each -xcert with the -xkey and -xchain of its rank, loaded in
		// order, as openssl's load_excert does.
		xkeys, xchains := v.All("xkey"), v.All("xchain")
		for i, xc := range v.All("xcert") {
			spec := ext.Spec
			spec.Pass, spec.Cert, spec.Key, spec.Chain = pass, xc, "", ""
			if i < len(xkeys) {
				spec.Key = xkeys[i]
			}
			if i < len(xchains) {
				spec.Chain = xchains[i]
			}
			id, err := optgroups.LoadExtendedKeyPair(spec)
			if err != nil {
				return err
			}
			o.identities = append(o.identities, id)
			o.xcerts = append(o.xcerts, xcert{idx: len(o.identities) - 1, given: slices.Clone(id.Chain)})
		}
		for i, built := range optgroups.XchainBuilt(v, len(o.xcerts)) {
			o.xcerts[i].build = o.xcerts[i].build || built
		}
	}
	if len(o.identities) == 0 {
		return nil
	}
	pool, err := chainPool(v, v.Has("build_chain") || v.Has("xchain_build"))
	if err != nil {
		return err
	}
	o.xstore = pool
	// -xchain_build leaves its -xcert as loaded: its chain is built at
	// each CertificateRequest, in the certificate callback (xcertHook).
	// It builds no other chain (measured: -cert's is left as without
	// it).
	for i := range o.identities {
		if i >= o.firstX && o.xcerts[i-o.firstX].build {
			continue
		}
		if err := optgroups.BuildChain(&o.identities[i].Chain, pool, v.Has("build_chain")); err != nil {
			return err
		}
	}
	return nil
}

// chainPool is the store chains are built from: -chainCAfile,
// -chainCApath and -chainCAstore, or else the trust store (with the
// system's when it is wanted). An unreadable store is an error only
// when chains must be built (build): otherwise the verify options
// report it.
func chainPool(v *opt.Values, build bool) ([]*x509.Certificate, error) {
	store := optgroups.ParseCAStore(v, optgroups.ChainStore)
	if !store.Given() {
		store = optgroups.ParseCAStore(v, optgroups.TrustStore)
	}
	pool, err := store.Load()
	if err != nil {
		if !build {
			return nil, nil
		}
		return nil, err
	}
	if !store.Given() && store.WantsDefaults() {
		pool = append(pool, systemCAs.Get()...)
	}
	return pool, nil
}

// verifySettings reads the verification options into verify.Options.
func verifySettings(v *opt.Values, s *settings) error {
	// Certificate checks use security level 1 unless asked otherwise,
	// as openssl 3.0's s_client does (observed: SHA-1 fails, RSA-1024 passes).
	authLevel := 1
	if s.secLevelSet {
		authLevel = s.secLevel
	}
	o, err := optgroups.ParseVerify(v, "sslserver", authLevel)
	if err != nil {
		return err
	}
	if err := optgroups.CheckExtraStores(v); err != nil {
		return err
	}
	trust := optgroups.ParseCAStore(v, optgroups.TrustStore)
	if vs := optgroups.ParseCAStore(v, optgroups.VerifyStore); vs.Given() {
		o.Roots, err = vs.Load()
	} else {
		// The system store is consulted only when the given roots do not
		// settle the chain (see verifyPeer): loading it costs more than
		// the whole handshake.
		o.Roots, err = trust.Load()
		s.systemRoots = trust.WantsDefaults()
	}
	if err != nil {
		return err
	}
	cbDepth := -1
	if v.Has("verify") {
		s.verifyDepth = int(v.Int("verify", 0))
		cbDepth = s.verifyDepth
	}
	o.Callback = verify.SClientCallback(cbDepth, v.Has("verify_return_error"))
	if f, ok := v.Get("CRL"); ok {
		form := certs.FormatAuto
		if cf, ok := v.Get("CRLform"); ok {
			if form, err = certs.ParseFormat(cf); err != nil {
				return err
			}
		}
		crls, err := optgroups.LoadCRLs(f, form)
		if err != nil {
			return err
		}
		o.CRLs = crls
	}
	if trust.Dir != "" && (o.CRLCheck || o.CRLCheckAll) {
		if crls, err := certs.LoadCRLDir(trust.Dir); err == nil {
			o.CRLs = append(o.CRLs, crls...)
		}
	}
	o.CRLs = append(o.CRLs, verify.CAFileCRLs(o, append([]string{trust.File}, optgroups.ParseCAStore(v, optgroups.VerifyStore).Files()...)...)...)
	s.crlDownload = v.Has("crl_download")
	s.verifyOpts = o
	s.verifyReturn = v.Has("verify_return_error")
	// -brief implies -verify_quiet in openssl.
	s.verifyQuiet = v.Has("verify_quiet") || v.Has("brief")
	return nil
}

// isDNSName reports whether host is what openssl takes for a DNS name
// worth sending as SNI: letters, digits, '_', '-' and '.', at least two
// labels, no label longer than 62 characters, '-' and '.' never at either
// end, a '.' next to neither another '.' nor a '-', and not all digits (so
// an IPv4 literal is not one).
func isDNSName(host string) bool {
	labels := strings.Split(host, ".")
	if len(labels) < 2 {
		return false
	}
	allDigits := true
	for _, l := range labels {
		if l == "" || len(l) > 62 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			switch c := l[i]; {
			case c >= '0' && c <= '9':
			case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_':
				allDigits = false
			case c == '-':
			default:
				return false
			}
		}
	}
	return !allDigits
}

// systemCAs loads the system store once, on first need.
var systemCAs = lazy.Value[[]*x509.Certificate]{Build: func() []*x509.Certificate {
	c, _ := certs.SystemCAs()
	return c
}}

// verifyPeer verifies the peer's chain. When the given roots leave the
// issuer unknown and the default store is enabled, it verifies again with
// the system store added, which gives the result a store holding both
// would, without loading the system store for every run.
func (s *settings) verifyPeer(peer []*x509.Certificate, o verify.Options) verify.Result {
	r := verify.Verify(peer, o)
	switch r.Code {
	case 2, 18, 19, 20, 21:
		if s.systemRoots {
			// Only the system certificates this chain can use: loading the
			// whole store costs every run more than the handshake.
			o.Roots = append(append([]*x509.Certificate(nil), o.Roots...), certs.SystemCAsFor(peer)...)
			r = verify.Verify(peer, o)
		}
	}
	return r
}
