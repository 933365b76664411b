// Package verify builds and checks X.509 certificate chains with OpenSSL
// 3.0's semantics: its chain-building order, its X509_V_* codes and texts,
// and the sequence of verify-callback calls s_client prints as depth= lines.
package verify

import (
	"bytes"
	"crypto/x509"
	"time"
)

// DefaultDepth is OpenSSL's verify depth when none is configured.
const DefaultDepth = 100

// Options mirrors OpenSSL's verification parameters (X509_VERIFY_PARAM and
// the -verify_* command-line flags).
type Options struct {
	Roots         []*x509.Certificate // trust store (CAfile/CApath/CAstore/system)
	Intermediates []*x509.Certificate // untrusted certs (the peer's chain beyond the leaf)
	CRLs          []*x509.RevocationList

	CRLCheck    bool // -crl_check: the leaf needs a valid CRL from its issuer
	CRLCheckAll bool // -crl_check_all: every certificate in the chain does
	UseDeltas   bool // -use_deltas: a delta CRL completes its base CRL

	// Depth is -verify_depth: the number of intermediate CA certificates
	// allowed between the leaf and the trust anchor; < 0 is unlimited.
	// The zero value is a real limit (leaf issued by the anchor itself):
	// use DefaultDepth when the user gave no -verify_depth.
	Depth int

	Hostname string // -verify_hostname
	Email    string // -verify_email
	IP       string // -verify_ip

	AtTime      time.Time // -attime; zero means now
	NoCheckTime bool      // -no_check_time

	PartialChain bool // -partial_chain: any certificate in Roots is an anchor

	// Purpose is -purpose: sslclient, sslserver, nssslserver, smimesign,
	// smimeencrypt, crlsign, any, ocsphelper, timestampsign.
	// "" checks no purpose, as the openssl verify command does by
	// default; libssl (s_client) uses "sslserver", s_server "sslclient".
	Purpose string

	X509Strict     bool // -x509_strict: also reject non-CA certs carrying CA markings
	IgnoreCritical bool // -ignore_critical
	CheckSSSig     bool // -check_ss_sig: check the trust anchor's own signature

	// AuthLevel is -auth_level: the security level whose key-size and
	// signature-digest minimums apply (0 none, 1 = 80 bits, 2 = 112,
	// 3 = 128, 4 = 192, 5 = 256). s_client's default is 1, from the
	// TLS security level; the verify command's is 0.
	AuthLevel int

	// Policy holds the certificate policy parameters (-policy_check,
	// -explicit_policy, -inhibit_any, -inhibit_map, -policy,
	// -policy_print); policy processing runs only when one asks for it.
	Policy PolicyOptions

	// StopOnError aborts verification at the first error, as s_client's
	// callback does under -verify_return_error.
	StopOnError bool

	// Callback, when set, decides after each error whether verification
	// goes on (true) or fails at once, as an OpenSSL verify callback does.
	// It overrides StopOnError. nil behaves like s_client's default
	// callback: report and continue.
	Callback func(Event) bool
}

// Event is one call of OpenSSL's verify callback, in the order OpenSSL
// makes them.
type Event struct {
	Depth int
	Cert  *x509.Certificate
	// Code is the error the callback reports when OK is false. When OK is
	// true it is the error still pending from earlier calls (OpenSSL does
	// not reset it), which s_client uses to print notAfter= and similar.
	Code int
	OK   bool
	// Continue is what the callback returned: false ends verification.
	Continue bool
	// Notify marks openssl's policy notification (the callback's "ok" is
	// 2, under -policy_print); Cert is nil then, as for 43.
	Notify bool
	// Policies is the policy report (-policy_print's text) that goes with
	// a notification or a 43 error, or "".
	Policies string
}

// Result is the outcome of Verify.
type Result struct {
	Code   int                 // final X509_V_* code (the last error reported), 0 = ok
	Chain  []*x509.Certificate // the chain as built, leaf first
	Events []Event
	// PeerName is the certificate's name that matched -verify_hostname
	// (openssl's "Verified peername:"), or "".
	PeerName string
}

// Stopped reports whether the callback ended verification, which makes
// the TLS handshake fail whatever the final code (openssl: the verify
// callback returned 0).
func (r Result) Stopped() bool {
	for _, e := range r.Events {
		if !e.Continue {
			return true
		}
	}
	return false
}

// Verify checks peer (leaf first; further entries join the untrusted
// pool) the way OpenSSL 3.0's X509_verify_cert does: it builds a chain
// preferring trusted certificates, then checks extensions, security level,
// names, revocation, and finally signatures and validity top-down. Errors
// do not stop it unless the callback says so, so one run can report
// several; Result.Code is the last one, as SSL_get_verify_result returns.
func Verify(peer []*x509.Certificate, o Options) Result {
	if len(peer) == 0 || peer[0] == nil {
		return Result{Code: ErrUnspecified}
	}
	// -attime wins over -no_check_time, as in OpenSSL.
	v := &verifier{o: o, now: o.AtTime, timeChecks: !o.NoCheckTime || !o.AtTime.IsZero()}
	if v.now.IsZero() {
		v.now = time.Now()
	}
	for _, c := range append(append([]*x509.Certificate{}, peer[1:]...), o.Intermediates...) {
		if c != nil {
			v.untrusted = append(v.untrusted, c)
		}
	}
	for _, c := range o.Roots {
		if c != nil {
			v.roots = append(v.roots, c)
		}
	}
	v.run(peer[0])
	return Result{Code: v.err, Chain: v.chain, Events: v.events, PeerName: v.peername}
}

type verifier struct {
	o          Options
	now        time.Time
	timeChecks bool
	roots      []*x509.Certificate
	untrusted  []*x509.Certificate

	chain       []*x509.Certificate
	trustedFrom int // index of the first certificate from the trust store; len(chain) if none
	err         int
	events      []Event
	aborted     bool
	peername    string
	policyText  string
}

// lastDepth is the depth of the latest callback, which openssl leaves as
// the error depth of reports that name no certificate.
func (v *verifier) lastDepth() int {
	if len(v.events) == 0 {
		return 0
	}
	return v.events[len(v.events)-1].Depth
}

// failNoCert reports an error about the chain as a whole (43), with no
// current certificate.
func (v *verifier) failNoCert(code int) bool {
	if v.aborted {
		return false
	}
	v.err = code
	ev := Event{Depth: v.lastDepth(), Code: code, Policies: v.policyText}
	switch {
	case v.o.Callback != nil:
		ev.Continue = v.o.Callback(ev)
	default:
		ev.Continue = !v.o.StopOnError
	}
	v.events = append(v.events, ev)
	if !ev.Continue {
		v.aborted = true
	}
	return ev.Continue
}

// notify is openssl's policy notification under -policy_print.
func (v *verifier) notify() {
	v.events = append(v.events, Event{Depth: v.lastDepth(), OK: true, Continue: true, Notify: true, Policies: v.policyText})
}

// fail reports an error through the callback; it returns false when
// verification must stop.
func (v *verifier) fail(depth int, code int) bool {
	if v.aborted {
		return false
	}
	v.err = code
	ev := Event{Depth: depth, Cert: v.chain[depth], Code: code}
	switch {
	case v.o.Callback != nil:
		ev.Continue = v.o.Callback(ev)
	default:
		ev.Continue = !v.o.StopOnError
	}
	v.events = append(v.events, ev)
	if !ev.Continue {
		v.aborted = true
	}
	return ev.Continue
}

// pass records a successful callback for the certificate at depth.
func (v *verifier) pass(depth int) {
	v.events = append(v.events, Event{Depth: depth, Cert: v.chain[depth], Code: v.err, OK: true, Continue: true})
}

func (v *verifier) run(leaf *x509.Certificate) {
	steps := []func() bool{v.checkLeafKey, v.buildChain, v.checkExtensions, v.checkAuthLevel, v.checkID, v.checkRevocation, v.internalVerify, v.checkNameConstraints, v.checkPolicy}
	v.chain = []*x509.Certificate{leaf}
	for _, step := range steps {
		if !step() {
			return
		}
	}
}

func inList(list []*x509.Certificate, c *x509.Certificate) bool {
	for _, x := range list {
		if bytes.Equal(x.Raw, c.Raw) {
			return true
		}
	}
	return false
}

// buildChain follows OpenSSL 3.0's default "trusted first" search: at each
// step the trust store is searched before the untrusted certificates, and
// once a trusted certificate is found only the trust store is used above it.
func (v *verifier) buildChain() bool {
	v.trustedFrom = -1
	// A trusted leaf anchors the chain only when it is self-signed or
	// -partial_chain allows it; otherwise openssl looks for its issuer as
	// for any leaf (and reports 20, not 2, when there is none).
	if inList(v.roots, v.chain[0]) && (selfSigned(v.chain[0]) || v.o.PartialChain) {
		v.trustedFrom = 0
	}
	// The chain may hold the leaf, Depth intermediates and the anchor.
	maxLen := int(^uint(0) >> 1)
	if v.o.Depth >= 0 {
		maxLen = v.o.Depth + 2
	}
	tooLong := false
	for {
		top := v.chain[len(v.chain)-1]
		if selfSigned(top) {
			break
		}
		next := v.findIssuer(top, v.roots)
		fromRoots := next != nil
		if next == nil && v.trustedFrom < 0 {
			next = v.findIssuer(top, v.untrusted)
		}
		if next == nil {
			break
		}
		if len(v.chain) >= maxLen {
			tooLong = true
			break
		}
		v.chain = append(v.chain, next)
		if fromRoots && v.trustedFrom < 0 {
			v.trustedFrom = len(v.chain) - 1
		}
	}
	top := len(v.chain) - 1
	if tooLong && !v.fail(top, ErrCertChainTooLong) {
		return false
	}
	if v.trustedFrom < 0 {
		v.trustedFrom = len(v.chain)
		code := ErrUnableToGetIssuerLocally
		if selfSigned(v.chain[top]) {
			code = ErrSelfSignedCertInChain
			if top == 0 {
				code = ErrDepthZeroSelfSigned
			}
		}
		return v.fail(top, code)
	}
	if !selfSigned(v.chain[top]) && !v.o.PartialChain {
		// A trusted certificate that is not self-signed anchors nothing
		// without -partial_chain.
		return v.fail(top, ErrUnableToGetIssuerCert)
	}
	return true
}

// findIssuer picks an issuer for c from list, preferring one valid now,
// as OpenSSL's lookup does; it never returns a certificate already in the
// chain, which stops loops.
func (v *verifier) findIssuer(c *x509.Certificate, list []*x509.Certificate) *x509.Certificate {
	var fallback *x509.Certificate
	for _, cand := range list {
		if inList(v.chain, cand) || !issuedBy(c, cand) {
			continue
		}
		if !v.timeChecks || (!v.now.Before(cand.NotBefore) && !v.now.After(cand.NotAfter)) {
			return cand
		}
		fallback = cand
	}
	return fallback
}

// issuedBy reports whether issuer plausibly issued c: names match, key
// identifiers (when both present) match. The signature itself is
// checked later, as in OpenSSL, so a bad one is reported as such.
func issuedBy(c, issuer *x509.Certificate) bool {
	if !sameName(c.RawIssuer, issuer.RawSubject) {
		return false
	}
	if len(c.AuthorityKeyId) > 0 && len(issuer.SubjectKeyId) > 0 && !bytes.Equal(c.AuthorityKeyId, issuer.SubjectKeyId) {
		return false
	}
	// A key usage without keyCertSign does not disqualify a candidate:
	// openssl still builds the chain and then reports 79 and 32.
	return true
}

// selfSigned is OpenSSL's "self-signed" test without a signature check:
// the certificate names itself as issuer and its key identifiers agree.
func selfSigned(c *x509.Certificate) bool {
	if !sameName(c.RawIssuer, c.RawSubject) {
		return false
	}
	if len(c.AuthorityKeyId) > 0 && len(c.SubjectKeyId) > 0 && !bytes.Equal(c.AuthorityKeyId, c.SubjectKeyId) {
		return false
	}
	return true
}

// internalVerify walks the chain from the top down, checking each
// signature with the key above it and each validity period, and makes the
// successful callback for every certificate (the depth= lines).
func (v *verifier) internalVerify() bool {
	n := len(v.chain) - 1
	xi := v.chain[n]
	var xs *x509.Certificate
	trustedTop := v.trustedFrom <= n
	switch {
	case selfSigned(xi):
		xs = xi
	case v.o.PartialChain && trustedTop:
		xs = xi
	case n == 0:
		if !v.fail(0, ErrUnableToVerifyLeafSig) {
			return false
		}
		xs = xi
		return v.checkTime(0, xs) && v.passOK(0)
	default:
		n--
		xs = v.chain[n]
	}
	for n >= 0 {
		// A self-signature proves nothing about trust; OpenSSL skips it
		// unless asked (-check_ss_sig).
		if xs != xi || v.o.CheckSSSig {
			// RFC 5280 section 4.2.1.3: the issuer's key usage must
			// allow certificate signing; reported at the issuer.
			if (xs != xi || caKind(xi) != 0) && hasKeyUsage(xi) && xi.KeyUsage&x509.KeyUsageCertSign == 0 {
				depth := n + 1
				if xs == xi {
					depth = n
				}
				if !v.fail(depth, ErrKeyUsageNoCertSign) {
					return false
				}
			}
			check := func() error { return checkSignature(xi, xs.SignatureAlgorithm, xs.RawTBSCertificate, xs.Signature) }
			if xs.SignatureAlgorithm == x509.UnknownSignatureAlgorithm {
				check = func() error { return checkPSSCert(xi, xs) }
			}
			if err := check(); err != nil {
				if !v.fail(n, ErrCertSignatureFailure) {
					return false
				}
			}
		}
		if !v.checkTime(n, xs) {
			return false
		}
		v.pass(n)
		n--
		if n >= 0 {
			xi = xs
			xs = v.chain[n]
		}
	}
	return true
}

func (v *verifier) passOK(depth int) bool {
	v.pass(depth)
	return true
}

func (v *verifier) checkTime(depth int, c *x509.Certificate) bool {
	if !v.timeChecks {
		return true
	}
	if v.now.Before(c.NotBefore) {
		if !v.fail(depth, ErrCertNotYetValid) {
			return false
		}
	}
	if v.now.After(c.NotAfter) {
		if !v.fail(depth, ErrCertHasExpired) {
			return false
		}
	}
	return true
}
