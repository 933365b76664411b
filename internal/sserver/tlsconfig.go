package sserver

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"io"
	"os"
	"slices"
	"sync"

	"github.com/tlskit/tlskit/internal/sslerr"
	// The alerts in crypto/tls's errors, for sslerr's reports of the
	// connections crypto/tls carries.
	_ "github.com/tlskit/tlskit/internal/sslerr/gotlsalert"
	"github.com/tlskit/tlskit/internal/tlsnames"
)

// tlsSetup builds per-connection tls.Configs. crypto/tls chooses TLS 1.2
// cipher suites by its own fixed preference, so to honour OpenSSL's rule
// (the client's order wins unless -serverpref) GetConfigForClient picks the
// suite itself and hands crypto/tls a config allowing only that one.
// Configs are cached per (certificate, suite), so a handshake allocates none.
type tlsSetup struct {
	c      *config
	id     *identity
	base   *tls.Config
	keyLog *os.File
	router *keyLogRouter // set when connections are observed

	// verifyConn, when set, verifies a client's certificates during the
	// handshake, so a failure under -verify_return_error ends it with an
	// alert. It needs the connection, so configs get a per-connection
	// closure when client authentication is on.
	verifyConn func(tc *trackedConn, cs tls.ConnectionState) error

	mu    sync.Mutex
	cache map[configKey]*tls.Config
}

type configKey struct {
	sni   bool
	cert  int    // index into the certificate list
	suite uint16 // 0: no restriction (TLS 1.3)
}

func newTLSSetup(c *config, id *identity, clientCAs *x509.CertPool, observing bool) (*tlsSetup, error) {
	t := &tlsSetup{c: c, id: id, cache: map[configKey]*tls.Config{}}
	minVersion := c.minVersion
	if minVersion < tls.VersionTLS12 && c.secLevel != 0 {
		// openssl refuses TLS 1.0/1.1 at security level 1 and up (their
		// signatures are SHA-1 or MD5-SHA1); crypto/tls, still carrying
		// -status, -servername and -cert2 connections, would accept
		// them, so it starts at TLS 1.2 (its alert is protocol_version
		// where openssl's is internal_error).
		minVersion = tls.VersionTLS12
	}
	b := &tls.Config{
		MinVersion:             minVersion,
		MaxVersion:             c.maxVersion,
		CurvePreferences:       curveIDs(c.groups),
		NextProtos:             c.alpn,
		SessionTicketsDisabled: c.noTicket,
		// openssl writes what it is given as one record (up to 16K);
		// crypto/tls would start a connection with small records.
		DynamicRecordSizingDisabled: true,
	}
	if c.verifyRequest {
		// Verification is done by the OpenSSL-compatible verifier after the
		// handshake, so crypto/tls only asks for (or insists on) a certificate.
		b.ClientAuth = tls.RequestClientCert
		if c.verifyRequire {
			b.ClientAuth = tls.RequireAnyClientCert
		}
		b.ClientCAs = clientCAs
	}
	if c.keyLogFile != "" {
		f, err := os.OpenFile(c.keyLogFile, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
		if err != nil {
			return nil, err
		}
		t.keyLog = f
		// A key log that cannot be written (a full disk) must not fail
		// the handshake: openssl goes on.
		b.KeyLogWriter = ignoreWriteErrors{f}
	}
	if observing {
		t.router = &keyLogRouter{}
		if t.keyLog != nil {
			t.router.file = ignoreWriteErrors{t.keyLog}
		}
		b.KeyLogWriter = t.router
	}
	t.base = b
	b.GetConfigForClient = t.configFor
	return t, nil
}

// configFor is the GetConfigForClient hook: it records what the client
// offered on the connection and returns the config for it.
func (t *tlsSetup) configFor(hello *tls.ClientHelloInfo) (*tls.Config, error) {
	if tc, ok := hello.Conn.(*trackedConn); ok {
		tc.hello = hello
		if tc.ob != nil && t.router != nil && tc.unregister == nil {
			if ch := tc.ob.Summary().ClientHello; ch != nil && len(ch.Random) == 32 {
				tc.unregister = t.router.register(ch.Random, tc.ob)
			}
		}
	}
	certsList, sni := t.id.main, false
	if t.c.servername != "" && hello.ServerName != "" {
		if tc, ok := hello.Conn.(*trackedConn); ok {
			tc.sniSeen = hello.ServerName
		}
		if equalFoldASCII(hello.ServerName, t.c.servername) {
			if len(t.id.sni) > 0 {
				certsList, sni = t.id.sni, true
				if tc, ok := hello.Conn.(*trackedConn); ok {
					tc.sniSwitched = true
				}
			}
		} else if t.c.servernameFatal {
			return t.noCertConfig(), nil
		}
	}
	version := negotiatedVersion(hello.SupportedVersions, t.c.minVersion, t.c.maxVersion)
	if version != 0 && version < tls.VersionTLS12 && t.secLevel() >= 1 {
		// TLS 1.0 and 1.1 sign with MD5-SHA1 or SHA-1, which openssl 3.0
		// refuses from security level 1 up: it finds no signature
		// algorithm after the ClientHello and ends with internal_error,
		// as crypto/tls does when this hook fails.
		return nil, sslerr.Errorf(sslerr.NoSuitableSigalg, "s_server: %s needs MD5-SHA1 or SHA-1 signatures, refused at security level %d", tlsnames.VersionName(version), t.secLevel())
	}
	certIdx, suite := 0, uint16(0)
	if version != 0 && version < tls.VersionTLS13 {
		certIdx, suite = t.chooseSuite(hello, certsList, version)
		if suite == 0 {
			// Nothing shared: let crypto/tls fail the handshake with its alert.
			certIdx = 0
		}
	} else if len(certsList) > 1 {
		certIdx = -1 // TLS 1.3: crypto/tls picks the certificate the client supports
	}
	cfg := t.configForKey(configKey{sni: sni, cert: certIdx, suite: suite}, certsList)
	if tc, ok := hello.Conn.(*trackedConn); ok && t.verifyConn != nil {
		cfg = cfg.Clone()
		cfg.VerifyConnection = func(cs tls.ConnectionState) error { return t.verifyConn(tc, cs) }
	}
	return cfg, nil
}

func (t *tlsSetup) configForKey(k configKey, certsList []tls.Certificate) *tls.Config {
	t.mu.Lock()
	defer t.mu.Unlock()
	if cfg, ok := t.cache[k]; ok {
		return cfg
	}
	cfg := t.base.Clone()
	cfg.GetConfigForClient = nil
	if k.cert < 0 {
		cfg.Certificates = certsList
	} else {
		cfg.Certificates = certsList[k.cert : k.cert+1]
	}
	if k.suite != 0 {
		cfg.CipherSuites = []uint16{k.suite}
	} else {
		cfg.CipherSuites = t.goSuites()
	}
	t.cache[k] = cfg
	return cfg
}

// noCertConfig has no certificate at all, so crypto/tls ends the handshake
// with an unrecognized_name alert (RFC 6066 §3) for -servername_fatal.
func (t *tlsSetup) noCertConfig() *tls.Config {
	t.mu.Lock()
	defer t.mu.Unlock()
	k := configKey{cert: -2}
	if cfg, ok := t.cache[k]; ok {
		return cfg
	}
	cfg := t.base.Clone()
	cfg.GetConfigForClient = nil
	cfg.Certificates = nil
	cfg.GetCertificate = func(*tls.ClientHelloInfo) (*tls.Certificate, error) { return nil, nil }
	t.cache[k] = cfg
	return cfg
}

// goSuites is the -cipher list as crypto/tls IDs.
func (t *tlsSetup) goSuites() []uint16 {
	var ids []uint16
	for _, c := range t.c.ciphers {
		if id, ok := c.GoID(); ok {
			ids = append(ids, id)
		}
	}
	return ids
}

// negotiatedVersion predicts the version crypto/tls will pick: the highest
// the client offers within [lo, hi]. 0 means none.
func negotiatedVersion(client []uint16, lo, hi uint16) uint16 {
	best := uint16(0)
	for _, v := range client {
		if v >= lo && v <= hi && v > best {
			best = v
		}
	}
	return best
}

// chooseSuite picks a TLS 1.2-or-older suite as OpenSSL would: the first of
// the client's list that the server allows (or, with -serverpref, the first
// of the server's list that the client offers), skipping suites the
// version, the certificates' key types or the shared groups rule out.
func (t *tlsSetup) chooseSuite(hello *tls.ClientHelloInfo, certsList []tls.Certificate, version uint16) (int, uint16) {
	ecdhe := t.sharedGroup(hello.SupportedCurves)
	usable := func(c tlsnames.Cipher) (int, bool) {
		if c.Version == "TLSv1.2" && version < tls.VersionTLS12 {
			return 0, false
		}
		if c.Kx&tlsnames.KxECDHE != 0 && !ecdhe {
			return 0, false
		}
		if c.Kx&(tlsnames.KxRSA|tlsnames.KxECDHE) == 0 {
			return 0, false
		}
		for i, cert := range certsList {
			if keyMatches(cert, c.Au) {
				return i, true
			}
		}
		return 0, false
	}
	// An ECDHE suite is signed: TLS 1.2 needs a signature algorithm the
	// client offered that fits the key (RFC 5246 7.4.1.4.1). openssl
	// chooses the suite first and then fails the hopeless handshake with
	// handshake_failure before any ServerHello; an empty suite list makes
	// crypto/tls send that alert, and the connection remembers why.
	signable := func(i int, id uint16) (int, uint16) {
		c, _ := tlsnames.CipherByID(id)
		if c.Kx&tlsnames.KxECDHE != 0 && version == tls.VersionTLS12 && !t.canSign(certsList[i], hello.SignatureSchemes) {
			if tc, ok := hello.Conn.(*trackedConn); ok {
				tc.failure = sslerr.Errorf(sslerr.NoSuitableSigalgHandshake, "s_server: the client offered no signature algorithm for the certificate's key")
			}
			return 0, 0
		}
		return i, id
	}
	server := t.c.ciphers
	if t.c.serverPref {
		if t.c.prioritizeChaCha && len(hello.CipherSuites) > 0 {
			if first, ok := tlsnames.CipherByID(hello.CipherSuites[0]); ok && first.Enc&chachaEnc() != 0 {
				server = slices.Clone(server)
				slices.SortStableFunc(server, func(a, b tlsnames.Cipher) int {
					ac, bc := a.Enc&chachaEnc() != 0, b.Enc&chachaEnc() != 0
					switch {
					case ac && !bc:
						return -1
					case bc && !ac:
						return 1
					}
					return 0
				})
			}
		}
		for _, c := range server {
			id, _ := c.GoID()
			if !slices.Contains(hello.CipherSuites, id) {
				continue
			}
			if i, ok := usable(c); ok {
				return signable(i, id)
			}
		}
		return 0, 0
	}
	for _, id := range hello.CipherSuites {
		for _, c := range server {
			if gid, _ := c.GoID(); gid == id {
				if i, ok := usable(c); ok {
					return signable(i, id)
				}
				break
			}
		}
	}
	return 0, 0
}

// secLevel is the security level in force: -cipher's @SECLEVEL, else
// openssl 3.0's default as Debian builds it (2).
func (t *tlsSetup) secLevel() int {
	if t.c.secLevel >= 0 {
		return t.c.secLevel
	}
	return 2
}

// canSign reports whether one of the client's TLS 1.2 signature schemes
// (RFC 5246 7.4.1.4.1, RFC 8446 4.2.3) fits cert's key; SHA-1 schemes
// count only at security level 0, as in openssl 3.0.
func (t *tlsSetup) canSign(cert tls.Certificate, offered []tls.SignatureScheme) bool {
	for _, sch := range offered {
		var au tlsnames.Au
		switch sch {
		case tls.PKCS1WithSHA1, tls.ECDSAWithSHA1:
			if t.secLevel() >= 1 {
				continue
			}
		}
		switch sch {
		case tls.PKCS1WithSHA1, tls.PKCS1WithSHA256, tls.PKCS1WithSHA384, tls.PKCS1WithSHA512,
			tls.PSSWithSHA256, tls.PSSWithSHA384, tls.PSSWithSHA512:
			au = tlsnames.AuRSA
		case tls.ECDSAWithSHA1, tls.ECDSAWithP256AndSHA256, tls.ECDSAWithP384AndSHA384, tls.ECDSAWithP521AndSHA512:
			au = tlsnames.AuECDSA
		case tls.Ed25519:
			if _, ok := cert.PrivateKey.(ed25519.PrivateKey); !ok {
				continue
			}
			au = tlsnames.AuECDSA
		default:
			continue
		}
		if keyMatches(cert, au) {
			if _, ed := cert.PrivateKey.(ed25519.PrivateKey); ed && sch != tls.Ed25519 {
				continue
			}
			return true
		}
	}
	return false
}

// chachaEnc is the Enc bits of ChaCha20-Poly1305 suites.
func chachaEnc() tlsnames.Enc {
	c, _ := tlsnames.CipherByID(tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256)
	return c.Enc
}

// curveIDs is a group list in crypto/tls's type.
func curveIDs(gs []uint16) []tls.CurveID {
	var out []tls.CurveID
	for _, g := range gs {
		out = append(out, tls.CurveID(g))
	}
	return out
}

// sharedGroup reports whether an ECDHE group is shared with the client.
func (t *tlsSetup) sharedGroup(client []tls.CurveID) bool {
	ours := t.c.groups
	if len(ours) == 0 {
		ours = tlsnames.GoDefaultGroups
	}
	for _, g := range client {
		if slices.Contains(ours, uint16(g)) {
			return true
		}
	}
	return false
}

// keyMatches reports whether cert can authenticate a suite with au.
func keyMatches(cert tls.Certificate, au tlsnames.Au) bool {
	switch cert.PrivateKey.(type) {
	case *ecdsa.PrivateKey:
		return au&tlsnames.AuECDSA != 0
	case *rsa.PrivateKey:
		return au&tlsnames.AuRSA != 0
	case ed25519.PrivateKey:
		return au&tlsnames.AuECDSA != 0
	}
	// An opaque signer: judge by the certificate's key.
	if cert.Leaf != nil {
		switch cert.Leaf.PublicKey.(type) {
		case *ecdsa.PublicKey, ed25519.PublicKey:
			return au&tlsnames.AuECDSA != 0
		case *rsa.PublicKey:
			return au&tlsnames.AuRSA != 0
		}
	}
	if len(cert.Certificate) > 0 {
		if leaf, err := x509.ParseCertificate(cert.Certificate[0]); err == nil {
			switch leaf.PublicKey.(type) {
			case *ecdsa.PublicKey, ed25519.PublicKey:
				return au&tlsnames.AuECDSA != 0
			case *rsa.PublicKey:
				return au&tlsnames.AuRSA != 0
			}
		}
	}
	return false
}

func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// ignoreWriteErrors drops its writer's errors, as openssl's file BIOs do
// for the key log.
type ignoreWriteErrors struct{ w io.Writer }

func (i ignoreWriteErrors) Write(p []byte) (int, error) {
	i.w.Write(p)
	return len(p), nil
}
