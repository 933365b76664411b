package sclient

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/tlskit/tlskit/internal/certs"
	"github.com/tlskit/tlskit/internal/dn"
	"github.com/tlskit/tlskit/internal/opt"
	"github.com/tlskit/tlskit/internal/secdebug"
	"github.com/tlskit/tlskit/internal/starttls"
	"github.com/tlskit/tlskit/internal/tlsnames"
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

	proxy, proxyUser, proxyPass string
	starttls, starttlsName      string

	tls *tls.Config

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
	crlDownload                           bool
	secLevel                              int // security level, for -auth_level's default
	secLevelSet                           bool
	systemRoots                           bool // the system store backs up the roots
	sessIn, sessOut                       string
	keymatLabel                           string
	keymatLen                             int
	keyLog                                io.Writer
	msgOut                                io.Writer
	alpnOffered                           bool
	cipherList                            string           // the -cipher string, or openssl's default
	secDebug                              *secdebug.Config // -security_debug[_verbose]; nil when off
}

// configError is a start-up error already worded for the user; Lines are
// printed as they are (openssl prints SSL_CONF errors without a prefix).
type configError struct{ lines []string }

func (e *configError) Error() string { return strings.Join(e.lines, "\n") }

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
	if net.ParseIP(s.sni) != nil {
		// RFC 6066 section 3 forbids IP literals in SNI and crypto/tls
		// silently drops them; openssl sends them as given.
		fmt.Fprintf(stderr, "s_client: -servername %s: an IP address cannot be sent as SNI by crypto/tls; no server name is sent\n", s.sni)
	}

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
	s.msg, s.trace, s.debug = v.Has("msg"), v.Has("trace"), v.Has("debug")
	s.state, s.extDebug = v.Has("state"), v.Has("tlsextdebug")
	s.status = v.Has("status")
	s.sessIn, s.sessOut = v.Str("sess_in", ""), v.Str("sess_out", "")
	if l, ok := v.Get("keymatexport"); ok {
		s.keymatLabel = l
		s.keymatLen = int(v.Int("keymatexportlen", 20))
	}
	s.msgOut = stdout
	if f, ok := v.Get("msgfile"); ok {
		w, err := os.Create(f)
		if err != nil {
			return nil, fmt.Errorf("cannot open -msgfile %q: %w", f, errors.Unwrap(err))
		}
		s.msgOut = w
	}
	if f, ok := v.Get("keylogfile"); ok {
		w, err := os.OpenFile(f, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
		if err != nil {
			return nil, fmt.Errorf("cannot open -keylogfile %q: %w", f, errors.Unwrap(err))
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

	cfg, err := tlsConfig(v, s)
	if err != nil {
		return nil, err
	}
	s.tls = cfg
	if err := verifySettings(v, s); err != nil {
		return nil, err
	}
	if v.Has("security_debug") || v.Has("security_debug_verbose") {
		s.secDebug = secDebugConfig(s, v.Has("security_debug_verbose"))
	}
	return s, nil
}

// tlsConfig builds the crypto/tls client configuration: versions, suites,
// groups, ALPN and the client's certificates.
func tlsConfig(v *opt.Values, s *settings) (*tls.Config, error) {
	cfg := &tls.Config{
		ServerName: s.sni,
		// Verification is done by our own OpenSSL-compatible verifier in
		// VerifyConnection, which also prints openssl's depth= lines.
		InsecureSkipVerify: true,
	}
	minV, maxV, err := versionRange(v)
	if err != nil {
		return nil, err
	}
	cfg.MinVersion, cfg.MaxVersion = minV, maxV

	s.secLevel = tlsnames.DefaultSecLevel
	s.cipherList = tlsnames.DefaultCipherString
	if c, ok := v.Get("cipher"); ok {
		s.cipherList = c
		spec, err := tlsnames.ParseCipherSpec(c)
		if err != nil {
			return nil, confErr("cipher", c, err)
		}
		if spec.SecLevel >= 0 {
			s.secLevel, s.secLevelSet = spec.SecLevel, true
		}
		list := tlsnames.FilterSecLevel(spec.Ciphers, s.secLevel)
		var ids []uint16
		for _, x := range list {
			if id, ok := x.GoID(); ok && !x.IsTLS13() {
				ids = append(ids, id)
			}
		}
		if len(ids) == 0 && maxV != tls.VersionTLS13 {
			return nil, &configError{[]string{
				fmt.Sprintf("Call to SSL_CONF_cmd(-cipher, %s) failed", c),
				"error: no cipher match: none of the selected suites is implemented by crypto/tls",
			}}
		}
		cfg.CipherSuites = ids
	}
	if c, ok := v.Get("ciphersuites"); ok {
		if err := checkTLS13Suites(c); err != nil {
			return nil, err
		}
	}
	groups := v.Str("groups", v.Str("curves", ""))
	if nc, ok := v.Get("named_curve"); ok {
		groups = nc
	}
	if groups != "" {
		ids, err := tlsnames.ParseGroups(groups)
		if err != nil {
			return nil, confErr(v.Last("groups", "curves", "named_curve"), groups, err)
		}
		cfg.CurvePreferences = ids
	}
	if s.secLevel >= 4 {
		// Levels 4 and 5 refuse groups weaker than 192 bits (X25519,
		// P-256), as openssl leaves them out of its ClientHello.
		list := cfg.CurvePreferences
		if len(list) == 0 {
			list = tlsnames.GoDefaultGroups
		}
		var strong []tls.CurveID
		for _, g := range list {
			if bits, ok := secdebug.GroupBits(g); ok && secdebug.Allowed(s.secLevel, bits) {
				strong = append(strong, g)
			}
		}
		if len(strong) == 0 {
			return nil, fmt.Errorf("no group in the list is allowed at security level %d", s.secLevel)
		}
		cfg.CurvePreferences = strong
	}
	if a, ok := v.Get("alpn"); ok {
		for _, p := range strings.Split(a, ",") {
			if p == "" || len(p) > 255 {
				return nil, fmt.Errorf("invalid -alpn list %q", a)
			}
			cfg.NextProtos = append(cfg.NextProtos, p)
		}
		s.alpnOffered = true
	}
	if v.Has("no_ticket") {
		cfg.SessionTicketsDisabled = true
	}

	pass := ""
	if p, ok := v.Get("pass"); ok {
		if pass, err = certs.ReadPass(p); err != nil {
			return nil, err
		}
	}
	if cert, ok := v.Get("cert"); ok {
		kp, err := loadPair(v, cert, v.Str("key", cert), "certform", "keyform", pass, v.Str("cert_chain", ""))
		if err != nil {
			return nil, err
		}
		cfg.Certificates = append(cfg.Certificates, kp)
	} else if k, ok := v.Get("key"); ok {
		// openssl loads a -key given without -cert, failing on a bad
		// one, and then has no certificate to use it with.
		kf := certs.FormatAuto
		if f, ok := v.Get("keyform"); ok {
			if kf, err = certs.ParseFormat(f); err != nil {
				return nil, err
			}
		}
		if _, err := certs.LoadPrivateKey(k, kf, pass); err != nil {
			return nil, err
		}
	}
	if xc, ok := v.Get("xcert"); ok {
		kp, err := loadPair(v, xc, v.Str("xkey", xc), "xcertform", "xkeyform", pass, v.Str("xchain", ""))
		if err != nil {
			return nil, err
		}
		cfg.Certificates = append(cfg.Certificates, kp)
	}
	if v.Has("build_chain") || v.Has("xchain_build") {
		if err := buildChains(v, cfg.Certificates); err != nil {
			return nil, err
		}
	}
	if s.keyLog != nil {
		cfg.KeyLogWriter = s.keyLog
	}
	return cfg, nil
}

func loadPair(v *opt.Values, cert, key, certForm, keyForm, pass, chain string) (tls.Certificate, error) {
	cf, kf := certs.FormatAuto, certs.FormatAuto
	var err error
	if f, ok := v.Get(certForm); ok {
		if cf, err = certs.ParseFormat(f); err != nil {
			return tls.Certificate{}, err
		}
	}
	if f, ok := v.Get(keyForm); ok {
		if kf, err = certs.ParseFormat(f); err != nil {
			return tls.Certificate{}, err
		}
	}
	return certs.LoadKeyPair(certs.KeyPairSpec{Cert: cert, Key: key, CertForm: cf, KeyForm: kf, Pass: pass, Chain: chain})
}

// buildChains completes each certificate's chain from -chainCAfile,
// -chainCApath and -chainCAstore (or the verify store), as -build_chain
// asks. The trust anchor itself is not sent.
func buildChains(v *opt.Values, pairs []tls.Certificate) error {
	pool, err := loadStore(v, "chainCAfile", "chainCApath", "chainCAstore", false)
	if err != nil {
		return err
	}
	if len(pool) == 0 {
		if pool, err = loadStore(v, "CAfile", "CApath", "CAstore", true); err != nil {
			return err
		}
	}
	for i := range pairs {
		leaf, err := x509.ParseCertificate(pairs[i].Certificate[0])
		if err != nil {
			return err
		}
		r := verify.Verify([]*x509.Certificate{leaf}, verify.Options{Roots: pool, Depth: -1, NoCheckTime: true})
		if r.Code != 0 {
			return fmt.Errorf("cannot build the certificate chain for -build_chain: %s", verify.ErrorString(r.Code))
		}
		chain := r.Chain
		pairs[i].Certificate = pairs[i].Certificate[:1]
		for _, c := range chain[1:] {
			if len(chain) > 1 && c == chain[len(chain)-1] && isSelfSigned(c) {
				break
			}
			pairs[i].Certificate = append(pairs[i].Certificate, c.Raw)
		}
	}
	return nil
}

func isSelfSigned(c *x509.Certificate) bool {
	return string(c.RawIssuer) == string(c.RawSubject) && c.CheckSignatureFrom(c) == nil
}

// versionRange applies -tls1…-tls1_3, -no_tls1…, -min_protocol and
// -max_protocol as openssl combines them.
func versionRange(v *opt.Values) (uint16, uint16, error) {
	all := []uint16{tls.VersionTLS10, tls.VersionTLS11, tls.VersionTLS12, tls.VersionTLS13}
	minV, maxV := uint16(tls.VersionTLS12), uint16(tls.VersionTLS13)
	if p, ok := v.Get("min_protocol"); ok {
		x, err := tlsnames.ParseVersion(p)
		if err != nil {
			return 0, 0, confErr("min_protocol", p, err)
		}
		minV = x
	}
	if p, ok := v.Get("max_protocol"); ok {
		x, err := tlsnames.ParseVersionFor("-max_protocol", p)
		if err != nil {
			return 0, 0, confErr("max_protocol", p, err)
		}
		maxV = x
	}
	only := map[string]uint16{"tls1": tls.VersionTLS10, "tls1_1": tls.VersionTLS11, "tls1_2": tls.VersionTLS12, "tls1_3": tls.VersionTLS13}
	if last := v.Last("tls1", "tls1_1", "tls1_2", "tls1_3"); last != "" {
		minV, maxV = only[last], only[last]
	}
	disabled := map[uint16]bool{}
	for name, ver := range only {
		if v.Has("no_" + name) {
			disabled[ver] = true
		}
	}
	// The range is the contiguous enabled span from the lowest enabled
	// version, as OpenSSL does: a hole ends the range.
	lo, hi := uint16(0), uint16(0)
	for _, ver := range all {
		if ver < minV || ver > maxV {
			continue
		}
		if disabled[ver] {
			if lo != 0 {
				break
			}
			continue
		}
		if lo == 0 {
			lo = ver
		}
		hi = ver
	}
	if lo == 0 {
		return 0, 0, errors.New("no protocol version is enabled by the given options")
	}
	return lo, hi, nil
}

// checkTLS13Suites accepts a -ciphersuites value only when it names suites
// crypto/tls would use anyway: crypto/tls does not let a program choose
// TLS 1.3 suites.
func checkTLS13Suites(val string) error {
	list, err := tlsnames.ParseCipherSuites(val)
	if err != nil {
		return confErr("ciphersuites", val, err)
	}
	have := map[string]bool{}
	for _, c := range list {
		have[c.Name] = true
	}
	for _, n := range []string{"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"} {
		if !have[n] {
			return fmt.Errorf("-ciphersuites %q: crypto/tls does not let a program choose TLS 1.3 cipher suites; only a list naming all three of TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384 and TLS_CHACHA20_POLY1305_SHA256 can be honoured", val)
		}
	}
	return nil
}

// confErr words a bad SSL_CONF value as openssl does.
func confErr(opt, val string, err error) error {
	var ce *tlsnames.ConfError
	if errors.As(err, &ce) {
		return &configError{ce.Lines()}
	}
	return &configError{[]string{fmt.Sprintf("Call to SSL_CONF_cmd(-%s, %s) failed", opt, val), "error: " + err.Error()}}
}

// loadStore loads the certificates named by a file/dir/store option triple;
// with defaults, the system store fills in for what is not given, as
// openssl loads its default file and directory.
func loadStore(v *opt.Values, fileOpt, dirOpt, storeOpt string, defaults bool) ([]*x509.Certificate, error) {
	// Each option takes one value; the last one given wins, as in openssl.
	last := func(name string) []string {
		if x, ok := v.Get(name); ok {
			return []string{x}
		}
		return nil
	}
	out, err := certs.LoadStores(last(fileOpt), last(dirOpt), last(storeOpt))
	if err != nil {
		return nil, err
	}
	if defaults {
		wantFile := !v.Has(fileOpt) && !v.Has("no-CAfile")
		wantDir := !v.Has(dirOpt) && !v.Has("no-CApath")
		if wantFile || wantDir {
			sys, err := certs.SystemCAs()
			if err == nil {
				out = append(out, sys...)
			}
		}
	}
	return out, nil
}

// verifySettings reads the verification options into verify.Options.
func verifySettings(v *opt.Values, s *settings) error {
	var roots []*x509.Certificate
	var err error
	if v.Has("verifyCAfile") || v.Has("verifyCApath") || v.Has("verifyCAstore") {
		roots, err = loadStore(v, "verifyCAfile", "verifyCApath", "verifyCAstore", false)
	} else {
		// The system store is consulted only when the given roots do not
		// settle the chain (see verifyPeer): loading it costs more than
		// the whole handshake.
		roots, err = loadStore(v, "CAfile", "CApath", "CAstore", false)
		s.systemRoots = (!v.Has("CAfile") && !v.Has("no-CAfile")) || (!v.Has("CApath") && !v.Has("no-CApath"))
	}
	if err != nil {
		return err
	}
	o := verify.Options{Roots: roots, Depth: verify.DefaultDepth, Purpose: "sslserver"}
	cbDepth := -1
	if v.Has("verify") {
		s.verifyDepth = int(v.Int("verify", 0))
		cbDepth = s.verifyDepth
	}
	if v.Has("verify_depth") {
		o.Depth = int(v.Int("verify_depth", verify.DefaultDepth))
	}
	o.Callback = verify.SClientCallback(cbDepth, v.Has("verify_return_error"))
	if f, ok := v.Get("CRL"); ok {
		form := certs.FormatAuto
		if cf, ok := v.Get("CRLform"); ok {
			if form, err = certs.ParseFormat(cf); err != nil {
				return err
			}
		}
		crls, err := certs.LoadCRLs(f, form)
		if err != nil {
			return err
		}
		o.CRLs = crls
	}
	if d, ok := v.Get("CApath"); ok && (v.Has("crl_check") || v.Has("crl_check_all")) {
		if crls, err := certs.LoadCRLDir(d); err == nil {
			o.CRLs = append(o.CRLs, crls...)
		}
	}
	o.CRLCheck = v.Has("crl_check")
	o.CRLCheckAll = v.Has("crl_check_all")
	s.crlDownload = v.Has("crl_download")
	o.Hostname = v.Str("verify_hostname", "")
	o.Email = v.Str("verify_email", "")
	o.IP = v.Str("verify_ip", "")
	if v.Has("attime") {
		o.AtTime = time.Unix(v.Int("attime", 0), 0)
	}
	o.NoCheckTime = v.Has("no_check_time")
	o.PartialChain = v.Has("partial_chain")
	o.X509Strict = v.Has("x509_strict")
	o.IgnoreCritical = v.Has("ignore_critical")
	o.CheckSSSig = v.Has("check_ss_sig")
	if p, ok := v.Get("purpose"); ok {
		if !verify.ValidPurpose(p) {
			return &opt.UsageError{Lines: []string{"Invalid purpose " + p}}
		}
		o.Purpose = p
	}
	if n, ok := v.Get("verify_name"); ok {
		p, ok := verify.PolicyPurpose(n)
		if !ok {
			return &opt.UsageError{Lines: []string{"Invalid verify name " + n}}
		}
		o.Purpose = p
	}
	// Certificate checks use security level 1 unless asked otherwise,
	// as openssl 3.0's s_client does (observed: SHA-1 fails, RSA-1024 passes).
	o.AuthLevel = 1
	if s.secLevelSet {
		o.AuthLevel = s.secLevel
	}
	if v.Has("auth_level") {
		o.AuthLevel = int(v.Int("auth_level", 0))
	}
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
var systemCAs = sync.OnceValue(func() []*x509.Certificate {
	c, _ := certs.SystemCAs()
	return c
})

// verifyPeer verifies the peer's chain. When the given roots leave the
// issuer unknown and the default store is enabled, it verifies again with
// the system store added, which gives the result a store holding both
// would, without loading the system store for every run.
func (s *settings) verifyPeer(peer []*x509.Certificate, o verify.Options) verify.Result {
	r := verify.Verify(peer, o)
	switch r.Code {
	case 2, 18, 19, 20, 21:
		if s.systemRoots {
			o.Roots = append(append([]*x509.Certificate(nil), o.Roots...), systemCAs()...)
			r = verify.Verify(peer, o)
		}
	}
	return r
}
