package sserver

import (
	"errors"
	"os"
	"strings"
	"time"

	"github.com/tlskit/tlskit/internal/certs"
	"github.com/tlskit/tlskit/internal/opt"
	"github.com/tlskit/tlskit/internal/optgroups"
	"github.com/tlskit/tlskit/internal/sslconf"
	"github.com/tlskit/tlskit/internal/tlsnames"
)

// mode is how s_server talks to a connected client.
type mode int

const (
	modeInteractive mode = iota // stdin to the client, client data to stdout
	modeWWW                     // -www: the HTML status page
	modeFiles                   // -WWW: files with a generated header
	modeHTTP                    // -HTTP: files sent as they are
	modeRev                     // -rev: echo each line reversed
)

// config is everything s_server needs from its command line, checked.
type config struct {
	// values are the options with openssl.cnf's system_default and
	// -ssl_config's section applied (optgroups.ParseTLSConfig): what the
	// set-up after newConfig reads.
	values *opt.Values
	// listening
	network string // "tcp", "tcp4", "tcp6" or "unix"
	addr    string // host:port or socket path
	unlink  bool
	naccept int // 0: unlimited
	// maxSendFrag is -max_send_frag (0: not given).
	maxSendFrag int

	// identity
	cert, dcert, cert2 keyPairOpts
	// nocert: no -cert certificate is loaded (-nocert); only PSKs
	// authenticate the server then.
	nocert bool
	xcerts []keyPairOpts // -xcert/-xkey/-xchain, in order
	// chainStore completes chains: -chainCA…, else the trust store.
	chainStore      optgroups.CAStore
	buildChain      bool // -build_chain
	servername      string
	servernameFatal bool

	// protocol
	minVersion, maxVersion uint16
	ciphers                []tlsnames.Cipher // -cipher (TLS 1.2 and below) as openssl lists it, in preference order
	serverPref             bool
	prioritizeChaCha       bool
	groups                 []uint16
	alpn                   []string
	noTicket               bool // -no_ticket: no TLS 1.2 tickets; TLS 1.3's become stateful
	noResume               bool // -no_resume_ephemeral: no tickets in any version (wins over noTicket)
	noCache                bool // -no_cache: no session cache (TLS 1.2 session IDs, TLS 1.3 stateful tickets)
	noETM                  bool // -no_etm
	stateless              bool // -stateless: TLS 1.3 cookies
	nbio                   bool // -nbio: only openssl's line on stderr for each connection
	earlyData              bool // -early_data: read 0-RTT data
	keyLogFile             string
	dhparamFile            string // -dhparam, not read under -no_dhe
	noDHE                  bool   // -no_dhe: no DH group, so no DHE or DHE_PSK suite (engine.Config.NoDHE)
	confDHFile             string // -ssl_config's DHParameters, used under -no_dhe only (loadConfDHParams)
	serverInfoFile         string // -serverinfo
	keymatLabel            string
	keymatLen              int
	// engine is what engineOptions hands tlskit's engine, which carries every
	// connection.
	engine *engineSettings

	// client authentication
	verifyDepth       int  // -verify/-Verify value
	verifyRequest     bool // -verify
	verifyRequire     bool // -Verify
	verifyReturnError bool
	verifyQuiet       bool

	// OCSP
	statusFile    string
	status        bool
	statusVerbose bool
	statusURL     string
	statusTimeout time.Duration

	// protocol observation
	msg, trace, debug, state, tlsextdebug bool
	// -security_debug, -security_debug_verbose
	securityDebug, securityDebugVerbose bool
	ignoreUnexpectedEOF                 bool // -ignore_unexpected_eof
	secLevel                            int  // from @SECLEVEL=n, or -1
	msgFile                             string

	// modes and output
	mode   mode
	crlf   bool
	ignEOF bool
	quiet  bool
	// sendfile is -sendfile: openssl would send -WWW's and -HTTP's files
	// with sendfile(2) over kernel TLS, which tlskit does not use; it
	// says so, as openssl does without kernel TLS.
	sendfile    bool
	brief       bool
	cmdline     string // "s_server <args>" for the -www page
	docRoot     string // the directory -WWW and -HTTP serve: the current one
	handshakeTO time.Duration
}

// keyPairOpts names one certificate and key as given by -cert/-key… or -dcert/-dkey….
type keyPairOpts struct {
	spec     certs.KeyPairSpec
	passSpec string
	given    bool // the option naming the certificate was given
	// side names the certificate in openssl's load errors: "server"
	// when empty, "second server" for -cert2 and -dcert.
	side string
	// keyName names its key there: side+" certificate private key"
	// when empty, "second certificate private key" for -dcert.
	keyName string
	// extended is an -xcert: loaded certificate first, in openssl's
	// words for it (optgroups.LoadExtendedKeyPair).
	extended bool
	// build is -xchain_build's mark on an -xcert: its chain is built at
	// each handshake that serves it.
	build bool
}

// handshakeTimeout bounds a client's handshake, so one that stalls cannot
// hold its connection (and in interactive mode, the server) for ever.
var handshakeTimeout = 10 * time.Second

// defaultPort is openssl s_server's port when neither -port nor -accept is given.
const defaultPort = "4433"

// newConfig checks the parsed options and builds a config. Errors are worded
// for the user (the caller prefixes "s_server: ").
func newConfig(v *opt.Values, args []string) (*config, error) {
	c := &config{network: "tcp", handshakeTO: handshakeTimeout, keymatLen: 20, docRoot: "."}
	c.cmdline = "s_server " + strings.Join(args, " ")

	// Listening: the last of -port/-accept/-unix wins, as each overwrites
	// openssl's one listening address.
	host, port := "", defaultPort
	switch v.Last("port", "accept", "unix") {
	case "port":
		port = v.Str("port", defaultPort)
	case "accept":
		h, p, err := splitAccept(v.Str("accept", ""))
		if err != nil {
			return nil, err
		}
		host, port = h, p
	case "unix":
		c.network, c.addr = "unix", v.Str("unix", "")
	}
	if c.network != "unix" {
		switch v.Last("4", "6") {
		case "4":
			c.network = "tcp4"
		case "6":
			c.network = "tcp6"
		}
		c.addr = joinHostPort(host, port)
	}
	c.unlink = v.Has("unlink")
	c.naccept = int(v.Int("naccept", 0))

	// Identity: the shared certificate/key options, parsed once.
	main, err := optgroups.ParseIdentity(v, optgroups.MainIdentity)
	if err != nil {
		return nil, err
	}
	if !main.CertGiven {
		main.Spec.Cert = "server.pem"
	}
	c.cert = keyPairOpts{spec: main.Spec, passSpec: main.PassSpec, given: main.CertGiven}
	dual, err := optgroups.ParseIdentity(v, optgroups.DualIdentity)
	if err != nil {
		return nil, err
	}
	// openssl loads -dkey only with -dcert (measured: -dkey alone is
	// not read), and names the key apart from the certificate.
	c.dcert = keyPairOpts{spec: dual.Spec, passSpec: v.Str("dpass", ""), given: dual.CertGiven,
		side: "second server", keyName: "second certificate private key"}
	c.cert2 = keyPairOpts{
		spec:     certs.KeyPairSpec{Cert: v.Str("cert2", "server2.pem"), Key: v.Str("key2", "")},
		passSpec: v.Str("pass", ""),
		given:    v.Has("cert2") || v.Has("key2"),
		side:     "second server",
	}
	// Each -xcert takes the -xkey and -xchain given in the same position;
	// a missing key is read from the certificate file, as for -cert.
	xkeys, xchains := v.All("xkey"), v.All("xchain")
	for i, xc := range v.All("xcert") {
		k := keyPairOpts{spec: certs.KeyPairSpec{Cert: xc}, passSpec: v.Str("pass", ""), given: true, extended: true}
		if i < len(xkeys) {
			k.spec.Key = xkeys[i]
		}
		if i < len(xchains) {
			k.spec.Chain = xchains[i]
		}
		c.xcerts = append(c.xcerts, k)
	}
	if len(xkeys) > len(c.xcerts) {
		return nil, errors.New("-xkey given without a matching -xcert")
	}
	for i, built := range optgroups.XchainBuilt(v, len(c.xcerts)) {
		c.xcerts[i].build = c.xcerts[i].build || built
	}
	c.buildChain = v.Has("build_chain")
	if err := optgroups.CheckExtraStores(v); err != nil {
		return nil, err
	}
	c.servername = v.Str("servername", "")
	c.nocert = v.Has("nocert")
	c.servernameFatal = v.Has("servername_fatal")

	// Protocol versions, suites, groups, ALPN: the shared TLS options.
	// -ssl_config's section applies on top of them; what follows reads
	// the options with it applied.
	tp, v, err := optgroups.ParseTLSConfig(v, optgroups.Server, sslconf.System(), Table.Lookup)
	if err != nil {
		return nil, err
	}
	c.values = v
	if c.nocert && !v.Has("psk") && !v.Has("psk_session") && len(optgroups.SectionIdentities(v).Identities) == 0 {
		// Without a PSK or a certificate from -ssl_config's section,
		// -nocert means openssl's anonymous DH suites.
		return nil, &opt.UsageError{Lines: []string{"-nocert is not supported by tlskit: anonymous (Anon-DH) cipher suites are not supported by tlskit (-nocert works with -psk, -psk_session or a Certificate in the -ssl_config section)"}}
	}
	// The chain store, with -ssl_config's ChainCAFile and ChainCAPath
	// among its options.
	c.chainStore = optgroups.ParseCAStore(v, optgroups.ChainStore)
	if !c.chainStore.Given() {
		c.chainStore = optgroups.ParseCAStore(v, optgroups.TrustStore)
	}
	c.minVersion, c.maxVersion = tp.MinVersion, tp.MaxVersion
	c.ciphers = tp.Listed
	c.secLevel = -1
	if tp.SecLevelSet {
		c.secLevel = tp.SecLevel
	}
	c.serverPref = tp.ServerPref
	c.prioritizeChaCha = tp.PrioritizeChaCha
	c.groups = tp.Groups
	c.alpn = tp.ALPN
	// Each flag holds its own option; engineOptions combines them.
	// -no_resume_ephemeral turns resumption off altogether (tlskit does
	// not tell ephemeral key exchanges from others here).
	c.noTicket = tp.NoTicket
	c.noResume = v.Has("no_resume_ephemeral")
	c.noCache = v.Has("no_cache")
	c.noETM = v.Has("no_etm")
	c.stateless = v.Has("stateless")
	c.nbio = v.Has("nbio")
	c.dhparamFile = v.Str("dhparam", "")
	c.noDHE = v.Has("no_dhe")
	if c.noDHE {
		c.confDHFile = v.Str(optgroups.ConfDHParameters, "")
	}
	c.serverInfoFile = v.Str("serverinfo", "")
	c.keyLogFile = v.Str("keylogfile", "")
	if l, ok := v.Get("keymatexport"); ok {
		c.keymatLabel = l
		c.keymatLen = int(v.Int("keymatexportlen", 20))
	}

	// Client authentication.
	if v.Has("verify") || v.Has("Verify") {
		c.verifyRequest = true
		c.verifyRequire = v.Last("verify", "Verify") == "Verify"
		c.verifyDepth = int(v.Int(v.Last("verify", "Verify"), 0))
	}
	c.verifyReturnError = v.Has("verify_return_error")
	c.verifyQuiet = v.Has("verify_quiet")

	c.statusFile = v.Str("status_file", "")
	// Each of the -status_* options turns -status on, as in openssl.
	c.status = v.Has("status") || v.Has("status_verbose") || v.Has("status_url") || v.Has("status_timeout") || v.Has("status_file")
	c.statusVerbose = v.Has("status_verbose")
	c.statusURL = v.Str("status_url", "")
	c.statusTimeout = 10 * time.Second
	if n := v.Int("status_timeout", 0); n > 0 {
		c.statusTimeout = time.Duration(n) * time.Second
	}
	// -msg and -trace pick one message callback: the later wins, as in
	// openssl 3.0 (measured: "-msg -trace" prints only the trace).
	show := v.Last("msg", "trace")
	c.msg, c.trace, c.debug = show == "msg", show == "trace", v.Has("debug")
	c.securityDebug, c.securityDebugVerbose = v.Has("security_debug"), v.Has("security_debug_verbose")
	c.ignoreUnexpectedEOF = v.Has("ignore_unexpected_eof")
	c.state, c.tlsextdebug = v.Has("state"), v.Has("tlsextdebug")
	c.msgFile = v.Str("msgfile", "")

	// Modes: openssl keeps the last of -www/-WWW/-HTTP/-rev it saw.
	switch v.Last("www", "WWW", "HTTP", "rev") {
	case "www":
		c.mode = modeWWW
	case "WWW":
		c.mode = modeFiles
	case "HTTP":
		c.mode = modeHTTP
	case "rev":
		c.mode = modeRev
	}
	c.crlf = v.Has("crlf")
	c.quiet = v.Has("quiet") || v.Has("brief")
	c.sendfile = v.Has("sendfile")
	c.brief = v.Has("brief")
	c.ignEOF = v.Last("ign_eof", "no_ign_eof") == "ign_eof"
	c.earlyData = v.Has("early_data")
	if c.earlyData && c.mode != modeInteractive {
		return nil, &optgroups.ConfError{Lines: []string{"Can't use -early_data in combination with -www, -WWW, -HTTP, or -rev"}}
	}
	if v.Has("max_send_frag") {
		if c.maxSendFrag, err = optgroups.MaxSendFrag(v, "s_server"); err != nil {
			return nil, err
		}
	}
	if err := engineOptions(v, c, tp); err != nil {
		return nil, err
	}
	return c, nil
}

// errAcceptMalformed is openssl's word for an -accept value it cannot
// split (an IPv6 address without brackets, a missing ']').
var errAcceptMalformed = errors.New("-accept argument malformed or ambiguous")

// splitAccept parses -accept's [host:]port, with "*" or "" for any
// address and [v6addr]:port for IPv6, as openssl's BIO_parse_hostserv does.
func splitAccept(s string) (host, port string, err error) {
	if strings.HasPrefix(s, "[") {
		end := strings.Index(s, "]")
		if end < 0 {
			return "", "", errAcceptMalformed
		}
		host, rest := s[1:end], s[end+1:]
		if rest == "" {
			return host, defaultPort, nil
		}
		if !strings.HasPrefix(rest, ":") {
			return "", "", errAcceptMalformed
		}
		return host, rest[1:], nil
	}
	i := strings.LastIndex(s, ":")
	if i < 0 {
		// A lone value is the port, as openssl reads "-accept 4433".
		return "", s, nil
	}
	host, port = s[:i], s[i+1:]
	if strings.Contains(host, ":") {
		return "", "", errAcceptMalformed
	}
	if host == "*" {
		host = ""
	}
	if port == "" {
		port = defaultPort
	}
	return host, port, nil
}

func joinHostPort(host, port string) string {
	if strings.Contains(host, ":") {
		return "[" + host + "]:" + port
	}
	return host + ":" + port
}

// fileExists reports whether path names an existing file.
func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
