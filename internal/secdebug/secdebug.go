package secdebug

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/x509"
	"fmt"
	"io"
	"slices"

	"github.com/tlskit/tlskit/internal/engine"
	"github.com/tlskit/tlskit/internal/engine/kx"
	"github.com/tlskit/tlskit/internal/tlsnames"
)

// Config is the local side of a connection as the security checks see it.
type Config struct {
	// Verbose selects -security_debug_verbose (every check) over
	// -security_debug (refused checks only).
	Verbose bool
	// SecLevel is the effective security level, 0–5; a negative value
	// (tlsnames.CipherSpec's "not set") means tlsnames.DefaultSecLevel.
	SecLevel int
	// Versions are the enabled protocol versions, highest first; empty
	// means TLS 1.3 down to TLS 1.0, openssl's default range.
	Versions []uint16
	// Ciphers are the configured suites in preference order, TLS 1.3 and
	// older ones in any mix, not yet filtered by SecLevel: refusing them is
	// what the lines report.
	Ciphers []uint16
	// Groups are the configured groups in preference order.
	Groups []uint16
	// SigAlgs are the signature schemes this side offers or accepts, in
	// preference order.
	SigAlgs []uint16
	// Client selects s_client's phases over s_server's.
	Client bool
	// Chain is the local certificate chain, leaf first (-cert plus
	// -cert_chain), or nil when this side has none.
	Chain []*x509.Certificate
	// ECDSALeaf is, on a server, the certificate of its ECDSA key slot,
	// whose curve TLS 1.0–1.2 checks at each full handshake, whichever
	// certificate it then sends; nil: Chain's leaf.
	ECDSALeaf []*x509.Certificate
	// StartChains are, on a server, the chains openssl checks at
	// start-up, one after the other as it loads them (a section's
	// Certificate commands, -cert's, -dcert's); nil: Chain alone.
	StartChains [][]*x509.Certificate
	// NoTicket reports -no_ticket, which drops the session-ticket check.
	NoTicket bool
	// NoResume reports a server's -no_resume_ephemeral: it issues no
	// TLS 1.2 ticket, so it skips the check it makes before sending one
	// (the one on the ClientHello stays).
	NoResume bool
	// ServerPref reports a server's -serverpref: the shared groups and
	// signature schemes are walked in its order, not the client's.
	ServerPref bool
	// PSK12 reports a TLS 1.0–1.2 PSK (-psk): openssl then has its PSK
	// callback set and checks the PSK suites as any other.
	PSK12 bool
	// EarlyData reports a server that reads early data (s_server
	// -early_data): in TLS 1.3 openssl checks the version once more when
	// its first flight (a HelloRetryRequest, or the flight up to its
	// Finished) is out. On a client: it sends early data (-early_data
	// with a session that allows it), and checks TLS 1.3 once more after
	// its ClientHello.
	EarlyData bool
	// SessionVersion is the version of a client's session to resume
	// (-sess_in), 0 for none: openssl checks it as it builds the
	// ClientHello.
	SessionVersion uint16
}

// Handshake is what a finished handshake tells the checks.
type Handshake struct {
	Version uint16
	Cipher  uint16
	// Group is the key exchange group, 0 for none (RSA key exchange) or
	// unknown (the engine State's Group gives it).
	Group uint16
	// PeerSig is the scheme of the peer's handshake signature
	// (ServerKeyExchange or CertificateVerify), 0 when it sent none.
	PeerSig uint16
	// PeerCerts is the peer's chain, leaf first; only an ECDSA leaf's
	// curve is checked, and only below TLS 1.3.
	PeerCerts []*x509.Certificate
	// PeerSigAlgs are the schemes the peer listed: the client's
	// signature_algorithms on a server, the CertificateRequest's on a
	// client. Nil means "same as Config.SigAlgs".
	PeerSigAlgs []uint16
	// PeerGroups are the client's supported_groups on a server
	// (its supported_groups); nil means Config.Groups.
	PeerGroups []uint16
	// CertRequested reports that the server asked for a client
	// certificate (on a server: that it sent a CertificateRequest).
	CertRequested bool
	// PeerCiphers are the client's cipher_suites in its order (a
	// server's view); nil when unknown.
	PeerCiphers []uint16
	// DHBits is the size of the server's finite-field DHE prime in a
	// TLS 1.0–1.2 DHE suite (DHE_RSA, DHE_PSK), on either side; 0 for
	// none.
	DHBits int
	// PeerVersions are the client's supported_versions in its order (a
	// server's view), nil when it sent none.
	PeerVersions []uint16
	// PeerTicket reports that the client sent a session_ticket extension
	// (a server's view): a TLS 1.2 server checks tickets again before it
	// promises one.
	PeerTicket bool
	// LocalChain is the chain this side sent, leaf first, when it differs
	// from Config.Chain: openssl completes a chain from its trust store
	// (-CAfile, -CApath) before sending it. Nil means Config.Chain.
	LocalChain []*x509.Certificate
	// HelloRetry reports a TLS 1.3 HelloRetryRequest: a server checks the
	// suite, the group and the signature algorithms again for the second
	// ClientHello.
	HelloRetry bool
	// Resumed reports a resumed session (a ticket or a session ID, not
	// an external PSK): a TLS 1.0–1.2 server then makes only its version
	// checks and, with tickets on, the ClientHello's ticket check; a TLS
	// 1.3 server no signature algorithm or certificate checks.
	Resumed bool
	// FirstHelloResumed reports, after a HelloRetryRequest, that the
	// first ClientHello offered a ticket the server took (the engine
	// State's FirstHelloTicket): its checks are a resumption's whatever
	// the second ClientHello gets.
	FirstHelloResumed bool
}

// WriteSetup writes the checks made before any peer message arrives.
// A client prints its own chain (when it has one), then what building the
// ClientHello checks; a server prints its own chain. Call it once, after
// the configuration is complete and before connecting (client) or
// accepting (server), with w set to stderr.
//
// A client's lines are openssl 3.0's, as often and in the order s_client
// prints them (measured with -security_debug_verbose against openssl
// s_server, TLS 1.2 and 1.3): TLS 1.3 alone, the version walk, then
// three passes over the suites (the cipher_suites list, then once for
// each of the ec_point_formats and supported_groups extensions), each a
// version walk (two on the second pass), the signature-type mask, a
// version walk and the suites;
// the two extension passes end with a probe for a usable group when an
// offered suite needs curves. Then the supported_groups list, the ticket
// extension, signature_algorithms, supported_versions and the TLS 1.3
// key share. A session to resume has its version checked in the first
// pass, before the mask; early data, TLS 1.3 after the key share.
func WriteSetup(w io.Writer, c Config) {
	p := newPrinter(w, c)
	if c.StartChains == nil {
		p.chain(c.Chain)
	}
	for _, chain := range c.StartChains {
		p.chain(chain)
	}
	if !c.Client {
		return
	}
	v13 := uint16(engine.VersionTLS13)
	p.versionCheck(v13)
	p.versions()
	p.clientHello(c.SessionVersion)
	if p.hi >= engine.VersionTLS13 {
		p.keyShare()
	}
	if c.EarlyData {
		p.versionCheck(v13)
	}
}

// WriteClientRetry writes what a TLS 1.3 client checks on a
// HelloRetryRequest: its suite, the group it asks a key share for, then
// the second ClientHello as the first was built, with the session the
// first made (its version checked as -sess_in's), and no key share check
// (measured with openssl s_client against openssl s_server -groups).
func WriteClientRetry(w io.Writer, c Config, cipher, group uint16) {
	p := newPrinter(w, c)
	p.cipher("Check Ciphersuite", cipher)
	p.group("Supported Curve", group)
	p.clientHello(engine.VersionTLS13)
}

// clientHello is a client's checks as it builds a ClientHello, up to its
// supported_versions: the three passes over the suites (the session's
// version, when it has one, checked in the first), supported_groups, the
// ticket extension, signature_algorithms.
func (p *printer) clientHello(session uint16) {
	c := p.c
	// supported_groups goes only with TLS 1.3 or an ECC suite.
	ecc := p.hi >= engine.VersionTLS13 || p.eccSuites()
	for pass := range 3 {
		if pass == 1 {
			p.versions()
		}
		p.versions()
		if pass == 0 && session != 0 {
			p.versionCheck(session)
		}
		// The first pass builds the mask before openssl applies its
		// TLS 1.3-only rules; the later ones skip what those drop.
		if pass == 0 {
			p.sigalgMask(maskAll)
		} else {
			p.sigalgMask(maskKept)
		}
		p.versions()
		p.ciphers()
		if pass > 0 && ecc {
			p.groupProbe()
		}
	}
	if ecc {
		for _, g := range c.Groups {
			p.group("Supported Curve", g)
		}
	}
	if !c.NoTicket {
		p.ticket()
	}
	for _, s := range c.SigAlgs {
		p.sigalg("Supported Signature Algorithm", s)
	}
	p.versions() // supported_versions
}

// WriteClientServerHello writes what a client checks as the ServerHello
// arrives: the version walk, the chosen suite and,
// below TLS 1.3 when the server promised a ticket (its session_ticket
// extension), the ticket. openssl prints these before its servername
// callback and the certificate's verify lines.
func WriteClientServerHello(w io.Writer, c Config, version, cipher uint16, ticketExt bool) {
	p := newPrinter(w, c)
	p.tls13 = version >= engine.VersionTLS13
	p.versions()
	p.cipher("Check Ciphersuite", cipher)
	if !p.tls13 && ticketExt {
		p.ticket()
	}
}

// WriteClientCertificateRequest writes a TLS 1.3 client's checks on a
// CertificateRequest (which comes before the server's certificate): the
// shared signature schemes, computed twice. peer is the request's list.
func WriteClientCertificateRequest(w io.Writer, c Config, peer []uint16) {
	p := newPrinter(w, c)
	p.tls13 = true
	p.shared(peer)
	p.shared(peer)
}

// WriteClientTicket writes what a client checks on each TLS 1.3
// NewSessionTicket: TLS 1.3 alone, whatever the enabled range.
func WriteClientTicket(w io.Writer, c Config) {
	p := newPrinter(w, c)
	v13 := uint16(engine.VersionTLS13)
	p.versionCheck(v13)
}

// WriteNegotiated is WriteHandshake for callers that know only the
// version, suite, the peer's signature scheme and certificates.
func WriteNegotiated(w io.Writer, c Config, version, cipher uint16, peerSig uint16, peerCerts []*x509.Certificate) {
	WriteHandshake(w, c, Handshake{Version: version, Cipher: cipher, PeerSig: peerSig, PeerCerts: peerCerts})
}

// WriteHandshake writes the checks made while the handshake runs, in
// openssl's order for the side and version. Call it once the handshake
// has completed, before the connection summary, with w set to stderr.
// A client's are only those made from the server's certificate on (see
// WriteClientServerHello).
func WriteHandshake(w io.Writer, c Config, h Handshake) {
	p := newPrinter(w, c)
	tls13 := h.Version >= engine.VersionTLS13
	p.tls13 = tls13
	if c.Client {
		// What follows the server's certificate: WriteClientServerHello
		// and WriteClientCertificateRequest have the earlier checks. A
		// TLS 1.0–1.2 resumption has no certificate or key exchange to
		// check (measured with -sess_in against -groups P-384).
		if !tls13 && h.Resumed {
			return
		}
		if !tls13 {
			if h.Group != 0 {
				p.group("Check Curve", h.Group)
			}
			if h.DHBits > 0 {
				p.tempDH(h.DHBits)
			}
			p.certCurve(h.PeerCerts)
		}
		if h.PeerSig != 0 {
			p.sigalg("Check Signature Algorithm", h.PeerSig)
		}
		if !tls13 && h.CertRequested {
			p.shared(h.PeerSigAlgs)
			p.shared(h.PeerSigAlgs)
		}
		if h.CertRequested {
			p.chain(h.localChain(c))
		}
		return
	}
	p.serverBefore(h)
	p.serverAfter(h)
}

// WriteServerBeforePeer writes the part of a server's WriteHandshake that
// openssl prints before it verifies the client's certificate (its verify
// callback's lines come next): up to the CertificateRequest's schemes
// (TLS 1.2) or the server's own chain (TLS 1.3). h needs no PeerSig yet.
func WriteServerBeforePeer(w io.Writer, c Config, h Handshake) {
	p := newPrinter(w, c)
	p.tls13 = h.Version >= engine.VersionTLS13
	p.serverBefore(h)
}

// localChain is the chain this side sent: LocalChain, or c.Chain.
func (h Handshake) localChain(c Config) []*x509.Certificate {
	if h.LocalChain != nil {
		return h.LocalChain
	}
	return c.Chain
}

// WriteServerAfterPeer writes the rest of a server's WriteHandshake, from
// the checks on the client's certificate and signature on.
func WriteServerAfterPeer(w io.Writer, c Config, h Handshake) {
	p := newPrinter(w, c)
	p.tls13 = h.Version >= engine.VersionTLS13
	p.serverAfter(h)
}

type printer struct {
	w       io.Writer
	c       Config
	level   int
	hi, lo  uint16 // enabled version range
	tls13   bool   // TLS 1.3 was negotiated
	verbose bool
}

func newPrinter(w io.Writer, c Config) *printer {
	p := &printer{w: w, c: c, level: c.SecLevel, verbose: c.Verbose, hi: engine.VersionTLS13, lo: engine.VersionTLS10}
	if p.level < 0 {
		p.level = tlsnames.DefaultSecLevel
	}
	if len(c.Versions) > 0 {
		p.hi, p.lo = slices.Max(c.Versions), slices.Min(c.Versions)
	}
	return p
}

// versionCheck is openssl's check of protocol version v against the
// security level.
func (p *printer) versionCheck(v uint16) {
	p.line(versionAllowed(p.level, v), "Version=%s", versionName(v))
}

// line writes one check; non-verbose output keeps only refusals.
func (p *printer) line(ok bool, format string, args ...any) {
	if ok && !p.verbose {
		return
	}
	verdict := "no"
	if ok {
		verdict = "yes"
	}
	fmt.Fprintf(p.w, "Security callback: %s: %s\n", fmt.Sprintf(format, args...), verdict)
}

// versions checks every version from TLS 1.3 down to the lowest enabled
// one: openssl walks its method table from the top and applies the upper
// bound only afterwards.
func (p *printer) versions() {
	for v := uint16(engine.VersionTLS13); v >= p.lo && v >= engine.VersionTLS10; v-- {
		p.versionCheck(v)
	}
}

// ciphers checks the suites usable in the enabled version range, TLS 1.3
// suites first as openssl always lists them.
func (p *printer) ciphers() {
	var tls13, older []tlsnames.Cipher
	for _, id := range p.c.Ciphers {
		cs, ok := tlsnames.CipherByID(id)
		if !ok {
			continue
		}
		if cs.IsTLS13() {
			tls13 = append(tls13, cs)
		} else {
			older = append(older, cs)
		}
	}
	for _, cs := range append(tls13, older...) {
		if p.usable(cs) {
			p.cipherLine("Supported Ciphersuite", cs)
		}
	}
}

// eccSuites reports whether a TLS 1.0–1.2 suite the ClientHello offers
// (usable, and allowed by the level) needs curves: an ECDHE or
// ECDHE_PSK key exchange or ECDSA authentication.
func (p *printer) eccSuites() bool {
	for _, id := range p.c.Ciphers {
		cs, ok := tlsnames.CipherByID(id)
		if ok && !cs.IsTLS13() && p.usable(cs) && cs.AllowedAtSecLevel(p.level) &&
			(cs.Kx&(tlsnames.KxECDHE|tlsnames.KxECDHEPSK) != 0 || cs.Au == tlsnames.AuECDSA) {
			return true
		}
	}
	return false
}

// usable reports whether cs fits the enabled versions; openssl skips the
// others without asking the callback.
func (p *printer) usable(cs tlsnames.Cipher) bool {
	if cs.IsTLS13() {
		return p.hi >= engine.VersionTLS13
	}
	// Without a PSK or SRP callback openssl masks those key exchanges
	// out before asking; tlskit has no SRP, and a PSK callback only with
	// -psk.
	if cs.Kx&tlsnames.KxSRP != 0 || (!p.c.PSK12 && cs.Kx&(tlsnames.KxPSK|tlsnames.KxRSAPSK|tlsnames.KxDHEPSK|tlsnames.KxECDHEPSK) != 0) {
		return false
	}
	minV := uint16(engine.VersionTLS10)
	if cs.Version == "TLSv1.2" {
		minV = engine.VersionTLS12
	}
	return p.lo <= engine.VersionTLS12 && p.hi >= minV
}

func (p *printer) cipher(op string, id uint16) {
	if cs, ok := tlsnames.CipherByID(id); ok {
		p.cipherLine(op, cs)
	}
}

func (p *printer) cipherLine(op string, cs tlsnames.Cipher) {
	p.line(cs.AllowedAtSecLevel(p.level), "%s=%s, security bits=%d", op, cs.Name, cs.StrengthBits())
}

func (p *printer) group(op string, id uint16) {
	bits, ok := GroupBits(id)
	if !ok || !p.groupUsable(id) {
		return
	}
	p.line(Allowed(p.level, bits), "%s=%s, security bits=%d", op, GroupName(id), bits)
}

// groupUsable reports whether id fits the version range; openssl drops
// the others silently. In OpenSSL 3.0 the finite-field groups (and the
// later ML-KEM hybrids) are for TLS 1.3 only, and only X25519, X448 and
// the P-curves survive in TLS 1.3 (RFC 8446 §4.2.7).
func (p *printer) groupUsable(id uint16) bool {
	return (groupModern(id) && p.hi >= engine.VersionTLS13) || (groupLegacy(id) && p.lo <= engine.VersionTLS12)
}

// groupLegacy reports whether a group serves TLS 1.0–1.2: the named
// curves, X25519 and X448.
func groupLegacy(id uint16) bool {
	g, _ := tlsnames.GroupByID(id)
	return g.Kind == "ECDH" || id == kx.X25519 || id == kx.X448
}

// groupModern reports whether a group serves TLS 1.3: all but the
// named curves other than the three P-curves.
func groupModern(id uint16) bool {
	g, _ := tlsnames.GroupByID(id)
	return g.Kind != "ECDH" || id == kx.Secp256r1 || id == kx.Secp384r1 || id == kx.Secp521r1
}

// keyShare checks the group a TLS 1.3 client makes its key share for:
// the first one the level allows.
func (p *printer) keyShare() {
	for _, g := range p.c.Groups {
		if bits, ok := GroupBits(g); ok && Allowed(p.level, bits) && p.groupUsable(g) {
			p.group("Supported Curve", g)
			return
		}
	}
}

// groupProbe is a client's check for a usable group: its groups in
// order (those the version range allows) until the level allows one.
func (p *printer) groupProbe() {
	for _, g := range p.c.Groups {
		if _, ok := GroupBits(g); !ok || !p.groupUsable(g) {
			continue
		}
		if p.groupLine("Supported Curve", g) {
			return
		}
	}
}

// sharedCiphers13 is a TLS 1.3 server's choice of suite: openssl walks
// the client's list and checks each suite it also has until one is
// taken, so a suite passed over (a PSK-only server skips those whose hash
// its key is not bound to) is checked too; with no client list, or a
// choice outside it, the chosen suite alone.
func (p *printer) sharedCiphers13(h Handshake) {
	if slices.Contains(h.PeerCiphers, h.Cipher) {
		for _, id := range h.PeerCiphers {
			cs, ok := tlsnames.CipherByID(id)
			if !ok || !cs.IsTLS13() || !slices.Contains(p.c.Ciphers, id) {
				continue
			}
			p.cipherLine("Shared Ciphersuite", cs)
			if id == h.Cipher {
				return
			}
		}
		return
	}
	p.cipher("Shared Ciphersuite", h.Cipher)
}

// tempDH is the check of the server's DHE prime, by the client and by
// the server itself (openssl leaves its size out of the line): the step
// table's strength for the prime's size (a 4096-bit prime is 128 bits
// here, as openssl rates it, not the 152 of an RSA modulus).
func (p *printer) tempDH(bits int) {
	sec := 0
	for _, s := range []struct{ l, sec int }{{15360, 256}, {7680, 192}, {3072, 128}, {2048, 112}, {1024, 80}} {
		if bits >= s.l {
			sec = s.sec
			break
		}
	}
	p.line(Allowed(p.level, sec), "Temp DH key bits=, security bits=%d", sec)
}

// ticket is the session-ticket check; openssl's debug callback has no
// name for it, hence the empty label.
func (p *printer) ticket() { p.line(ticketAllowed(p.level), "") }

func (p *printer) sigalg(op string, s uint16) {
	if !p.sigalgSkipped(s) {
		p.sigalgLine(op, s)
	}
}

func (p *printer) sigalgLine(op string, s uint16) {
	text, ok := sigalgText(s)
	bits, ok2 := SigalgBits(s)
	if !ok || !ok2 {
		return
	}
	p.line(Allowed(p.level, bits), "%s%s, security bits=%d", op, text, bits)
}

// sigalgSkipped reports the schemes openssl drops before asking: DSA once
// TLS 1.3 is negotiated, and also SHA-1 and SHA-224 in a client that
// allows nothing older (RFC 8446 §4.2.3 keeps them for certificates only).
func (p *printer) sigalgSkipped(s uint16) bool {
	a, _ := tlsnames.SigalgByScheme(s)
	dsa := a.Sig == "DSA"
	if p.tls13 && dsa {
		return true
	}
	return p.c.Client && p.lo >= engine.VersionTLS13 && (dsa || a.Hash == "SHA1" || a.Hash == "SHA224")
}

func (p *printer) supportedSigalgs() {
	for _, s := range p.c.SigAlgs {
		p.sigalg("Supported Signature Algorithm", s)
	}
}

// maskSchemes says which of the configured schemes sigalgMask checks.
type maskSchemes int

const (
	// maskAll checks every configured scheme, as openssl does before
	// its TLS 1.3-only rules apply.
	maskAll maskSchemes = iota
	// maskKept leaves out the schemes those rules drop (sigalgSkipped).
	maskKept
)

// sigalgMask decides which certificate types TLS ≤ 1.2 suites may
// authenticate with: for each of ECDSA, RSA and DSA it checks the
// configured schemes (those which says) of that type in order until one
// passes.
func (p *printer) sigalgMask(which maskSchemes) {
	enabled := map[string]bool{}
	for _, s := range p.c.SigAlgs {
		if which == maskKept && p.sigalgSkipped(s) {
			continue
		}
		t := sigType(s)
		if t == "" || enabled[t] {
			continue
		}
		bits, _ := SigalgBits(s)
		if Allowed(p.level, bits) {
			enabled[t] = true
		}
		p.sigalgLine("Signature Algorithm mask", s)
	}
}

// shared checks the schemes both sides list, in the peer's order.
func (p *printer) shared(peer []uint16) {
	if peer == nil {
		peer = p.c.SigAlgs
	}
	for _, s := range peer {
		if slices.Contains(p.c.SigAlgs, s) {
			p.sigalg("Shared Signature Algorithm", s)
		}
	}
}

// certCurve checks the named curve of an ECDSA leaf, which TLS ≤ 1.2
// must also find in the supported groups.
func (p *printer) certCurve(chain []*x509.Certificate) {
	if len(chain) == 0 {
		return
	}
	k, ok := chain[0].PublicKey.(*ecdsa.PublicKey)
	if !ok {
		return
	}
	for _, g := range tlsnames.Groups() {
		if g.Kind == "ECDH" && g.ShortName != "" && curveMatches(k, g) {
			p.group("Check Curve", g.ID)
			return
		}
	}
}

func curveMatches(k *ecdsa.PublicKey, g tlsnames.Group) bool {
	name := k.Curve.Params().Name
	return name == GroupName(g.ID)
}

// chain checks each certificate's key (EE for the leaf, CA above it) and
// the digest of its signature, except on self-signed certificates, whose
// signature proves nothing.
func (p *printer) chain(certs []*x509.Certificate) {
	for i, cert := range certs {
		role := "CA"
		if i == 0 {
			role = "EE"
		}
		if size, sec, ok := tlsnames.PublicKeyBits(cert.PublicKey); ok {
			p.line(Allowed(p.level, sec), "Certificate chain %s key=, bits=%d, security bits=%d", role, size, sec)
		}
		if selfSigned(cert) {
			continue
		}
		name, ok := certSigNames.Get()[cert.SignatureAlgorithm]
		if bits, known := tlsnames.CertSigBits(cert.SignatureAlgorithm); ok && known {
			p.line(Allowed(p.level, bits), "Certificate chain CA digest=%s, security bits=%d", name, bits)
		}
	}
}

// selfSigned follows OpenSSL's flag: same subject and issuer, and no key
// identifiers that say otherwise.
func selfSigned(c *x509.Certificate) bool {
	if !bytes.Equal(c.RawSubject, c.RawIssuer) {
		return false
	}
	return len(c.AuthorityKeyId) == 0 || len(c.SubjectKeyId) == 0 || bytes.Equal(c.AuthorityKeyId, c.SubjectKeyId)
}
