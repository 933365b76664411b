package main

import (
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// errUnimplemented makes the shim exit 89, which the runner counts as
// "unimplemented" rather than as a failure.
var errUnimplemented = errors.New("unimplemented")

// options is one connection's view of the command line. Flags without a
// prefix apply to every connection; -on-initial- ones to the first only
// and -on-resume- ones to the resumptions.
type options struct {
	server          bool
	certFile        string
	keyFile         string
	minVersion      int
	maxVersion      int
	expectVersion   int
	curves          []uint16
	keyShares       []uint16
	noKeyShares     bool
	verifyPrefs     []uint16
	signingPrefs    []uint16
	expectPeerSig   int
	expectCurve     int
	expectCipher    int
	hostName        string
	expectSNI       string
	expectNoSNI     bool
	advertiseALPN   []string
	selectALPN      string
	expectALPN      string
	shimWritesFirst bool
	shimShutsDown   bool
	checkClose      bool
	exportLen       int
	exportLabel     string
	exportContext   string
	useExportCtx    bool
	keyUpdate       bool
	keyUpdateBefore bool
	expectMiss      bool
	expectHRR       bool
	expectNoHRR     bool
	requireCert     bool
	verifyPeer      bool
	expectPeerCert  string
	expectNoCert    bool
	serverPref      bool
	noTicket        bool
	expectNoSession bool
	readSize        int
	handshakeTwice  bool
	expectPeerPrefs []uint16
	resumeDelay     int
	cipher          string
	noSNIAck        bool
	// disabled holds the versions -no-tls1, -no-tls11, -no-tls12 and
	// -no-tls13 switch off.
	disabled []int
	// creds are the -new-x509-credential certificates, in the order
	// BoringSSL tries them, before the default one (-cert-file and
	// -key-file ahead of any -new-x509-credential).
	creds []credFiles
	// verifyFail makes the peer-verification hook reject the peer's
	// certificate; expectVerifyResult checks the verification result.
	verifyFail         bool
	expectVerifyResult bool
	// expectEMS is -expect-extended-master-secret.
	expectEMS bool
	// expectSelected is the credential -expect-selected-credential
	// names, -1 for none.
	expectSelected int
	// OCSP: the default certificate's response (-ocsp-response), a
	// client's status_request (-enable-ocsp-stapling) and the response
	// it expects; -use-ocsp-callback with -set-ocsp-in-callback or
	// -decline-ocsp-callback says what a server's status callback does.
	ocsp          []byte
	requestOCSP   bool
	expectOCSP    []byte
	useOCSPCB     bool
	setOCSPInCB   bool
	declineOCSPCB bool
	failOCSPCB    bool
	// customVerify is -use-custom-verify-callback: verification by
	// BoringSSL's custom callback, whose failure is certificate_unknown.
	customVerify bool
	// psk is -psk, the TLS 1.0-1.2 pre-shared key (BoringSSL's PSK
	// callbacks are installed only when it is set); pskIdentity is
	// -psk-identity: a server's identity hint and the one identity it
	// knows, and a client's identity and the hint it requires.
	psk         []byte
	pskIdentity string
	// SCT (RFC 6962): the default certificate's list
	// (-signed-cert-timestamps), a client's request for one
	// (-enable-signed-cert-timestamps, openssl's -ct) and the list it
	// expects.
	sct        []byte
	requestSCT bool
	expectSCT  []byte
	// ALPN on a server: -decline-alpn (the select callback declines: no
	// ALPN), -reject-alpn (it fails: no_application_protocol) and
	// -expect-advertised-alpn (the client's list, as on the wire).
	declineALPN   bool
	rejectALPN    bool
	expectAdvALPN []string
	// fallbackSCSV is -fallback-scsv; maxSendFragment -max-send-fragment.
	fallbackSCSV    bool
	maxSendFragment int
	// expectSecureReneg is -expect-secure-renegotiation.
	expectSecureReneg bool
	// tlsUnique is -tls-unique: write the first Finished's verify_data
	// (RFC 5929's tls-unique, openssl's SSL_get_finished or
	// SSL_get_peer_finished) after the handshake.
	tlsUnique bool
	// noLegacyServerConnect is -no-legacy-server-connect: a client
	// refuses a TLS 1.0-1.2 server without renegotiation_info (openssl's
	// SSL_OP_LEGACY_SERVER_CONNECT cleared).
	noLegacyServerConnect bool
	// expectCertTypes is -expect-certificate-types: the certificate
	// types of the server's TLS 1.0-1.2 CertificateRequest (openssl's
	// SSL_get0_certificate_types).
	expectCertTypes []byte
	// exportTrafficSecrets is -export-traffic-secrets: write the TLS
	// 1.3 application traffic secrets (read, then write) after the
	// handshake, as openssl's keylog callback gives them.
	exportTrafficSecrets bool
	// useEarlyCallback is -use-early-callback: a server's certificate
	// is installed by BoringSSL's select_certificate_cb, here by the
	// engine's CertificateHook (openssl's certificate callback).
	// failEarlyCallback is -fail-early-callback: the ClientHello
	// callback fails with handshake_failure (openssl's client_hello_cb
	// returning SSL_CLIENT_HELLO_ERROR with that alert).
	// failCertCallback is -fail-cert-callback: the certificate callback
	// fails (openssl's SSL_CTX_set_cert_cb returning 0).
	useEarlyCallback, failEarlyCallback, failCertCallback bool
	// maxCertList is -max-cert-list (openssl's
	// SSL_CTX_set_max_cert_list; 0: its default).
	maxCertList int
	// expectSessionID and expectNoSessionID say whether the session
	// has a (stateful, TLS 1.0-1.2) session ID.
	expectSessionID, expectNoSessionID bool
	// peekThenRead is -peek-then-read: every read peeks first.
	peekThenRead bool
	// caList is -use-client-ca-list: a server's certificate_authorities
	// ("<NULL>" none, "<EMPTY>" an empty list); expectCAList a client's
	// expectation of them. Both hex DER names, comma-separated.
	caList       *string
	expectCAList *string
	// expectRenewal is -expect-ticket-renewal: a TLS 1.0-1.2 resumption
	// brings a new ticket.
	expectRenewal bool
	// A client's 0-RTT (RFC 8446 §4.2.10): -enable-early-data offers it
	// with a ticket that allows it, the shim's first write
	// (-shim-writes-first: "hello", or -shim-initial-write repeated
	// -repeat-shim-initial-write times) going as early data;
	// -expect-accept/reject-early-data, -expect-no-offer-early-data,
	// -expect-early-data-reason and -expect-ticket-supports-early-data
	// check the outcome.
	enableEarly        bool
	expectAcceptEarly  bool
	expectRejectEarly  bool
	expectNoOfferEarly bool
	expectTicketEarly  bool
	earlyReason        *string
	initialWrite       string
	repeatWrite        int
	// A server's ticket key callback (-use-ticket-callback, openssl's
	// SSL_CTX_set_tlsext_ticket_key_evp_cb): -renew-ticket makes it ask
	// for a new ticket on resumption, -skip-ticket issue none.
	ticketCB, renewTicket, skipTicket bool
	// expectMsgCallback is -expect-msg-callback: the message callback's
	// trace of the connection, a line a message.
	expectMsgCallback *string
}

// credFiles is one -new-x509-credential's chain, key, OCSP response and
// SCT list.
type credFiles struct {
	cert, key string
	ocsp      []byte
	sct       []byte
}

// setOCSP gives the credential being described its OCSP response.
func (o *options) setOCSP(v []byte) {
	if n := len(o.creds); n > 0 {
		o.creds[n-1].ocsp = v
		return
	}
	o.ocsp = v
}

// setSCT gives the credential being described its SCT list.
func (o *options) setSCT(v []byte) {
	if n := len(o.creds); n > 0 {
		o.creds[n-1].sct = v
		return
	}
	o.sct = v
}

// b64Flag reads a base64 value, as the runner passes byte strings.
func b64Flag(f func(o *options, b []byte)) flagSpec {
	return flagSpec{value: true, apply: func(o *options, v string) error {
		b, err := base64.StdEncoding.DecodeString(v)
		if err != nil {
			return fmt.Errorf("bad base64 %q", v)
		}
		f(o, b)
		return nil
	}}
}

// setCert and setKey fill the credential being described: the last
// -new-x509-credential, or the default one before any.
func (o *options) setCert(v string) {
	if n := len(o.creds); n > 0 {
		o.creds[n-1].cert = v
		return
	}
	o.certFile = v
}

func (o *options) setKey(v string) {
	if n := len(o.creds); n > 0 {
		o.creds[n-1].key = v
		return
	}
	o.keyFile = v
}

func (o *options) noVersion(v int) { o.disabled = append(o.disabled, v) }

// versionRange is the range the flags leave, as BoringSSL reads its
// SSL_OP_NO_* switches: from the lowest version enabled up to the first
// disabled one above it (a hole ends the range). ok is false when no
// version is left.
func (o *options) versionRange() (lo, hi int, ok bool) {
	lo, hi = 0x0301, 0x0304
	if o.minVersion != 0 {
		lo = o.minVersion
	}
	if o.maxVersion != 0 {
		hi = o.maxVersion
	}
	for lo <= hi && slices.Contains(o.disabled, lo) {
		lo++
	}
	if lo > hi {
		return 0, 0, false
	}
	for v := lo + 1; v <= hi; v++ {
		if slices.Contains(o.disabled, v) {
			hi = v - 1
			break
		}
	}
	return lo, hi, true
}

// flagKind says how a flag is read: a boolean, a value, or an integer
// list entry; apply stores it.
type flagSpec struct {
	value bool
	apply func(o *options, v string) error
}

func boolFlag(f func(o *options)) flagSpec {
	return flagSpec{apply: func(o *options, _ string) error { f(o); return nil }}
}

func strFlag(f func(o *options, v string)) flagSpec {
	return flagSpec{value: true, apply: func(o *options, v string) error { f(o, v); return nil }}
}

func intFlag(f func(o *options, n int)) flagSpec {
	return flagSpec{value: true, apply: func(o *options, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("bad integer %q", v)
		}
		f(o, n)
		return nil
	}}
}

func u16ListFlag(f func(o *options) *[]uint16) flagSpec {
	return intFlag(func(o *options, n int) { p := f(o); *p = append(*p, uint16(n)) })
}

// ignored flags change nothing this engine does (the runner's async mode,
// the handshake being implicit, a debugger wait, the trust anchor of a
// peer we do not verify against a store).
func ignoredBool() flagSpec  { return boolFlag(func(*options) {}) }
func ignoredValue() flagSpec { return strFlag(func(*options, string) {}) }

// spec lists every flag the shim understands for a connection; anything
// else exits 89.
var spec = map[string]flagSpec{
	"-server":                        boolFlag(func(o *options) { o.server = true }),
	"-cert-file":                     strFlag(func(o *options, v string) { o.setCert(v) }),
	"-key-file":                      strFlag(func(o *options, v string) { o.setKey(v) }),
	"-expect-selected-credential":    intFlag(func(o *options, n int) { o.expectSelected = n }),
	"-ocsp-response":                 b64Flag(func(o *options, b []byte) { o.setOCSP(b) }),
	"-enable-ocsp-stapling":          boolFlag(func(o *options) { o.requestOCSP = true }),
	"-expect-ocsp-response":          b64Flag(func(o *options, b []byte) { o.expectOCSP = b }),
	"-use-ocsp-callback":             boolFlag(func(o *options) { o.useOCSPCB = true }),
	"-set-ocsp-in-callback":          boolFlag(func(o *options) { o.setOCSPInCB = true }),
	"-decline-ocsp-callback":         boolFlag(func(o *options) { o.declineOCSPCB = true }),
	"-fail-ocsp-callback":            boolFlag(func(o *options) { o.failOCSPCB = true }),
	"-use-custom-verify-callback":    boolFlag(func(o *options) { o.customVerify = true }),
	"-expect-extended-master-secret": boolFlag(func(o *options) { o.expectEMS = true }),
	"-new-x509-credential":           boolFlag(func(o *options) { o.creds = append(o.creds, credFiles{}) }),
	"-verify-fail":                   boolFlag(func(o *options) { o.verifyFail = true }),
	"-expect-verify-result":          boolFlag(func(o *options) { o.expectVerifyResult = true }),
	"-min-version":                   intFlag(func(o *options, n int) { o.minVersion = n }),
	"-max-version":                   intFlag(func(o *options, n int) { o.maxVersion = n }),
	"-expect-version":                intFlag(func(o *options, n int) { o.expectVersion = n }),
	"-no-tls12":                      boolFlag(func(o *options) { o.noVersion(0x0303) }),
	"-no-tls11":                      boolFlag(func(o *options) { o.noVersion(0x0302) }),
	"-no-tls1":                       boolFlag(func(o *options) { o.noVersion(0x0301) }),
	"-no-tls13":                      boolFlag(func(o *options) { o.noVersion(0x0304) }),
	"-curves":                        u16ListFlag(func(o *options) *[]uint16 { return &o.curves }),
	"-key-shares":                    u16ListFlag(func(o *options) *[]uint16 { return &o.keyShares }),
	"-no-key-shares":                 boolFlag(func(o *options) { o.noKeyShares = true }),
	"-verify-prefs":                  u16ListFlag(func(o *options) *[]uint16 { return &o.verifyPrefs }),
	"-signing-prefs": {value: true, apply: func(o *options, v string) error {
		if len(o.creds) > 0 {
			// The engine's one list cannot be a credential's own.
			return fmt.Errorf("%w: -signing-prefs of a credential", errUnimplemented)
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("bad integer %q", v)
		}
		o.signingPrefs = append(o.signingPrefs, uint16(n))
		return nil
	}},
	"-expect-peer-verify-pref":         u16ListFlag(func(o *options) *[]uint16 { return &o.expectPeerPrefs }),
	"-expect-peer-signature-algorithm": intFlag(func(o *options, n int) { o.expectPeerSig = n }),
	"-expect-curve-id":                 intFlag(func(o *options, n int) { o.expectCurve = n }),
	"-expect-cipher":                   intFlag(func(o *options, n int) { o.expectCipher = n }),
	"-host-name":                       strFlag(func(o *options, v string) { o.hostName = v }),
	"-expect-server-name":              strFlag(func(o *options, v string) { o.expectSNI = v }),
	"-expect-no-server-name":           boolFlag(func(o *options) { o.expectNoSNI = true }),
	"-advertise-alpn": {value: true, apply: func(o *options, v string) error {
		l, err := parseALPNWire(v)
		o.advertiseALPN = l
		return err
	}},
	"-select-alpn":                    strFlag(func(o *options, v string) { o.selectALPN = v }),
	"-expect-alpn":                    strFlag(func(o *options, v string) { o.expectALPN = v }),
	"-shim-writes-first":              boolFlag(func(o *options) { o.shimWritesFirst = true }),
	"-shim-shuts-down":                boolFlag(func(o *options) { o.shimShutsDown = true }),
	"-check-close-notify":             boolFlag(func(o *options) { o.checkClose = true }),
	"-export-keying-material":         intFlag(func(o *options, n int) { o.exportLen = n }),
	"-export-label":                   strFlag(func(o *options, v string) { o.exportLabel = v }),
	"-export-context":                 strFlag(func(o *options, v string) { o.exportContext = v }),
	"-use-export-context":             boolFlag(func(o *options) { o.useExportCtx = true }),
	"-key-update":                     boolFlag(func(o *options) { o.keyUpdate = true }),
	"-key-update-before-read":         boolFlag(func(o *options) { o.keyUpdateBefore = true }),
	"-expect-session-miss":            boolFlag(func(o *options) { o.expectMiss = true }),
	"-expect-hrr":                     boolFlag(func(o *options) { o.expectHRR = true }),
	"-expect-no-hrr":                  boolFlag(func(o *options) { o.expectNoHRR = true }),
	"-require-any-client-certificate": boolFlag(func(o *options) { o.requireCert = true }),
	"-verify-peer":                    boolFlag(func(o *options) { o.verifyPeer = true }),
	"-expect-peer-cert-file":          strFlag(func(o *options, v string) { o.expectPeerCert = v }),
	"-expect-no-peer-cert":            boolFlag(func(o *options) { o.expectNoCert = true }),
	"-server-preference":              boolFlag(func(o *options) { o.serverPref = true }),
	"-no-ticket":                      boolFlag(func(o *options) { o.noTicket = true }),
	"-expect-no-session":              boolFlag(func(o *options) { o.expectNoSession = true }),
	"-read-size":                      intFlag(func(o *options, n int) { o.readSize = n }),
	"-handshake-twice":                boolFlag(func(o *options) { o.handshakeTwice = true }),
	"-resumption-delay":               intFlag(func(o *options, n int) { o.resumeDelay = n }),
	"-async":                          ignoredBool(),
	"-implicit-handshake":             ignoredBool(),
	"-wait-for-debugger":              ignoredBool(),
	"-trust-cert":                     ignoredValue(),
	"-cipher":                         strFlag(func(o *options, v string) { o.cipher = v }),
	"-no-server-name-ack":             boolFlag(func(o *options) { o.noSNIAck = true }),
	"-signed-cert-timestamps":         b64Flag(func(o *options, b []byte) { o.setSCT(b) }),
	"-enable-signed-cert-timestamps":  boolFlag(func(o *options) { o.requestSCT = true }),
	"-expect-signed-cert-timestamps":  b64Flag(func(o *options, b []byte) { o.expectSCT = b }),
	"-decline-alpn":                   boolFlag(func(o *options) { o.declineALPN = true }),
	"-reject-alpn":                    boolFlag(func(o *options) { o.rejectALPN = true }),
	"-expect-advertised-alpn": {value: true, apply: func(o *options, v string) error {
		l, err := parseALPNWire(v)
		o.expectAdvALPN = l
		return err
	}},
	"-fallback-scsv":                     boolFlag(func(o *options) { o.fallbackSCSV = true }),
	"-max-send-fragment":                 intFlag(func(o *options, n int) { o.maxSendFragment = n }),
	"-expect-secure-renegotiation":       boolFlag(func(o *options) { o.expectSecureReneg = true }),
	"-tls-unique":                        boolFlag(func(o *options) { o.tlsUnique = true }),
	"-no-legacy-server-connect":          boolFlag(func(o *options) { o.noLegacyServerConnect = true }),
	"-expect-certificate-types":          b64Flag(func(o *options, b []byte) { o.expectCertTypes = b }),
	"-export-traffic-secrets":            boolFlag(func(o *options) { o.exportTrafficSecrets = true }),
	"-use-early-callback":                boolFlag(func(o *options) { o.useEarlyCallback = true }),
	"-fail-early-callback":               boolFlag(func(o *options) { o.failEarlyCallback = true }),
	"-fail-cert-callback":                boolFlag(func(o *options) { o.failCertCallback = true }),
	"-max-cert-list":                     intFlag(func(o *options, n int) { o.maxCertList = n }),
	"-expect-session-id":                 boolFlag(func(o *options) { o.expectSessionID = true }),
	"-expect-no-session-id":              boolFlag(func(o *options) { o.expectNoSessionID = true }),
	"-enable-early-data":                 boolFlag(func(o *options) { o.enableEarly = true }),
	"-expect-accept-early-data":          boolFlag(func(o *options) { o.expectAcceptEarly = true }),
	"-expect-reject-early-data":          boolFlag(func(o *options) { o.expectRejectEarly = true }),
	"-expect-no-offer-early-data":        boolFlag(func(o *options) { o.expectNoOfferEarly = true }),
	"-expect-ticket-supports-early-data": boolFlag(func(o *options) { o.expectTicketEarly = true }),
	"-expect-early-data-reason":          strFlag(func(o *options, v string) { o.earlyReason = &v }),
	"-shim-initial-write":                strFlag(func(o *options, v string) { o.initialWrite = v }),
	"-repeat-shim-initial-write":         intFlag(func(o *options, n int) { o.repeatWrite = n }),
	"-use-ticket-callback":               boolFlag(func(o *options) { o.ticketCB = true }),
	"-renew-ticket":                      boolFlag(func(o *options) { o.renewTicket = true }),
	"-skip-ticket":                       boolFlag(func(o *options) { o.skipTicket = true }),
	"-expect-ticket-renewal":             boolFlag(func(o *options) { o.expectRenewal = true }),
	"-peek-then-read":                    boolFlag(func(o *options) { o.peekThenRead = true }),
	"-use-client-ca-list":                strFlag(func(o *options, v string) { o.caList = &v }),
	"-expect-client-ca-list":             strFlag(func(o *options, v string) { o.expectCAList = &v }),
	// A second SSL_do_handshake after the handshake does nothing, as
	// with openssl: the engine's Handshake returns at once.
	"-no-op-extra-handshake": boolFlag(func(o *options) { o.handshakeTwice = true }),
	// BoringSSL prefers ChaCha20-Poly1305 on machines without AES
	// hardware; openssl 3.0, like the engine, does not look at the
	// hardware, so the engine's answer is BoringSSL's with it.
	"-expect-cipher-aes":    intFlag(func(o *options, n int) { o.expectCipher = n }),
	"-expect-cipher-no-aes": ignoredValue(),
	"-expect-msg-callback":  strFlag(func(o *options, v string) { o.expectMsgCallback = &v }),
	// BoringSSL's legacy client certificate callback (openssl's
	// SSL_CTX_set_client_cert_cb) hands over the configured certificate
	// when asked: the engine offers its Identities the same way.
	"-use-old-client-cert-callback": ignoredBool(),
	"-psk":                          strFlag(func(o *options, v string) { o.psk = []byte(v) }),
	"-psk-identity":                 strFlag(func(o *options, v string) { o.pskIdentity = v }),
}

// parseALPNWire reads the runner's -advertise-alpn value: protocols as
// on the wire, each after its length byte.
func parseALPNWire(v string) ([]string, error) {
	var out []string
	for len(v) > 0 {
		n := int(v[0])
		if n == 0 || n+1 > len(v) {
			return nil, errors.New("bad -advertise-alpn")
		}
		out = append(out, v[1:n+1])
		v = v[n+1:]
	}
	return out, nil
}

// cmdline is the whole command line: where to connect, how many
// connections, and the options of the first and of the later ones.
type cmdline struct {
	// verify is what the peer-verification hook saw on this connection;
	// sessionVerify the result the session being resumed carries.
	verify        verifyRecord
	sessionVerify verifyRecord
	// sessionOCSP and sessionSCT are the staple and SCT list of the
	// session being resumed.
	sessionOCSP []byte
	sessionSCT  []byte
	// sessionID is the ID of a server's session (-expect-session-id).
	sessionID   []byte
	port        int
	ipv6        bool
	shimID      uint64
	resumeCount int
	initial     options
	resume      options
	// retry is what a client checks after its early data was rejected.
	retry options
	// sessionALPN and sessionEarly are a server's session's protocol
	// and whether its tickets allow early data.
	sessionALPN  string
	sessionEarly bool
}

func parseArgs(args []string) (*cmdline, error) {
	cl := &cmdline{initial: options{expectSelected: -1}, resume: options{expectSelected: -1}, retry: options{expectSelected: -1}}
	for i := 0; i < len(args); i++ {
		name := args[i]
		next := func() (string, error) {
			if i+1 >= len(args) {
				return "", fmt.Errorf("%s needs a value", name)
			}
			i++
			return args[i], nil
		}
		switch name {
		case "-port", "-shim-id", "-resume-count":
			v, err := next()
			if err != nil {
				return nil, err
			}
			n, err := strconv.ParseUint(v, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("bad %s %q", name, v)
			}
			switch name {
			case "-port":
				cl.port = int(n)
			case "-shim-id":
				cl.shimID = n
			default:
				cl.resumeCount = int(n)
			}
			continue
		case "-ipv6":
			cl.ipv6 = true
			continue
		}
		// A flag applies to the initial connection, the resumption and a
		// client's retry after its early data was rejected, or with a
		// prefix to one of them. The retry goes on under the -on-retry
		// and the unprefixed flags (BoringSSL's retry config), not the
		// -on-resume- ones.
		base, targets := name, []*options{&cl.initial, &cl.resume, &cl.retry}
		if rest, ok := strings.CutPrefix(name, "-on-retry"); ok {
			base, targets = rest, []*options{&cl.retry}
		} else if rest, ok := strings.CutPrefix(name, "-on-initial"); ok {
			base, targets = rest, []*options{&cl.initial}
		} else if rest, ok := strings.CutPrefix(name, "-on-resume"); ok {
			base, targets = rest, []*options{&cl.resume}
		} else if rest, ok := strings.CutPrefix(name, "-on-shim"); ok {
			base = rest
		}
		s, ok := spec[base]
		if !ok {
			return nil, fmt.Errorf("%w: flag %s", errUnimplemented, name)
		}
		var v string
		if s.value {
			var err error
			if v, err = next(); err != nil {
				return nil, err
			}
		}
		for _, o := range targets {
			if err := s.apply(o, v); err != nil {
				return nil, err
			}
		}
	}
	return cl, nil
}
