package secdebug

import (
	"slices"

	"github.com/tlskit/tlskit/internal/engine"
	"github.com/tlskit/tlskit/internal/engine/sig"
)

// serverSigAlgs is the list an openssl 3.0 server matches the client's
// signature_algorithms against: its whole default list, SHA-1 included,
// whatever -sigalgs says (-sigalgs changes its CertificateRequest and
// its "Shared Signature Algorithms" summary, not these checks; measured
// with openssl s_server -security_debug_verbose).
func serverSigAlgs() []uint16 { return sig.DefaultClient12SHA1 }

// server writes a server's checks once the handshake is over, each as
// often and in the order openssl 3.0's s_server makes them (measured
// with openssl s_client against openssl s_server -security_debug_verbose,
// TLS 1.2 and 1.3, with -no_ticket, -no_resume_ephemeral, -verify,
// -groups, -sigalgs and -serverpref).
//
// serverBefore writes the checks made before the client's certificate
// is verified, serverAfter the others.
func (p *printer) serverBefore(h Handshake) {
	chain := h.localChain(p.c)
	p.serverVersions(h)
	if !p.tls13 && h.Resumed {
		// A resumption (by ticket or session ID) chooses nothing anew
		// (measured with s_client -tls1_2 -reconnect).
		if !p.c.NoTicket {
			p.ticket()
		}
		return
	}
	groups := p.sharedGroups(h)
	if p.tls13 {
		hellos := 1
		if h.HelloRetry {
			hellos = 2 // the same checks for the second ClientHello
		}
		// A resumption by ticket signs nothing: no signature algorithms
		// chosen, no CertificateRequest, no chain (measured with
		// s_client -sess_in, with and without early data, -verify and
		// a HelloRetryRequest).
		for i := range hellos {
			if i == 1 && p.c.EarlyData {
				p.earlyDataVersion() // the HelloRetryRequest is out
			}
			resumed := h.Resumed
			if i == 0 && h.HelloRetry {
				resumed = h.FirstHelloResumed
			}
			p.sharedCiphers13(h)
			if h.Group != 0 {
				p.group("Check Curve", h.Group)
				p.group("Supported Curve", h.Group)
			}
			// The shared schemes are computed twice: once to count
			// them, once to fill the list; not at all by a server
			// without a certificate (-nocert with -psk, measured).
			if len(chain) > 0 && !resumed {
				p.sharedSigalgs(h)
				p.sharedSigalgs(h)
			}
		}
		if h.Group != 0 {
			// The EncryptedExtensions' supported_groups: its first
			// group checked, and when the key share is of another, all
			// of them, which it sends.
			for i, g := range p.c.Groups {
				p.group("Supported Curve", g)
				if i == 0 && g == h.Group {
					break
				}
			}
		}
		if h.Resumed {
			chain = nil
		} else if h.CertRequested {
			p.supportedSigalgs()
		}
		p.chain(chain)
		if p.c.EarlyData && !h.HelloRetry {
			p.earlyDataVersion() // the flight up to Finished is out
		}
	} else {
		// The ClientHello's ticket check, and before a ticket is
		// promised in the ServerHello a second one.
		ticket := !p.c.NoTicket
		if ticket {
			p.ticket()
		}
		p.sharedSigalgs(h)
		p.sharedSigalgs(h)
		if p.c.ECDSALeaf != nil {
			p.certCurve(p.c.ECDSALeaf)
		} else {
			p.certCurve(p.c.Chain)
		}
		if h.Group != 0 {
			p.walkGroups(groups, 0, h.Version) // choosing the suite
		}
		p.cipher("Shared Ciphersuite", h.Cipher)
		if ticket && ticketAllowed(p.level) && !p.c.NoResume && h.PeerTicket {
			p.ticket()
		}
		p.chain(chain)
		if h.Group != 0 {
			p.walkGroups(groups, 0, h.Version) // the ServerKeyExchange
		}
		if h.DHBits > 0 {
			p.tempDH(h.DHBits) // its own, for the ServerKeyExchange
		}
		if h.CertRequested {
			p.sigalgMask(maskAll)
			p.supportedSigalgs()
		}
	}
}

func (p *printer) serverAfter(h Handshake) {
	if !p.tls13 && h.Resumed {
		return
	}
	if !p.tls13 && h.CertRequested {
		p.certCurve(h.PeerCerts)
	}
	if h.PeerSig != 0 {
		p.sigalg("Check Signature Algorithm", h.PeerSig)
	}
	// s_server's "Shared groups:" summary counts the shared groups (a
	// check on each, before the version is considered), then asks for
	// each in turn, every question walking the list from its start.
	groups := p.sharedGroups(h)
	n := 0
	for _, g := range groups {
		if p.groupLine("Shared Curve", g) && groupFits(g, p.tls13) {
			n++
		}
	}
	for i := range n {
		p.walkGroups(groups, i, h.Version)
	}
}

// earlyDataVersion is the TLS 1.3 check a server reading early data
// makes, once, when its first flight is out.
func (p *printer) earlyDataVersion() { p.versionCheck(engine.VersionTLS13) }

// serverVersions is a server's version negotiation: TLS 1.3 alone, the
// method table from the top down to its lowest version, the client's
// supported_versions in its order up to the first this server takes (or,
// without them, the negotiated version), and below TLS 1.3, TLS 1.3
// again.
func (p *printer) serverVersions(h Handshake) {
	v13 := uint16(engine.VersionTLS13)
	p.versionCheck(v13)
	p.versions()
	if len(h.PeerVersions) > 0 {
		for _, v := range h.PeerVersions {
			if v < engine.VersionTLS10 || v > engine.VersionTLS13 {
				continue // GREASE, DTLS or unknown: no check
			}
			ok := versionAllowed(p.level, v)
			p.line(ok, "Version=%s", versionName(v))
			if ok && v >= p.lo && v <= p.hi {
				break
			}
		}
	} else if h.Version != 0 {
		p.versionCheck(h.Version)
	}
	if h.Version < v13 {
		// Below TLS 1.3, the downgrade sentinel asks about TLS 1.3.
		p.versionCheck(v13)
	}
}

// sharedGroups lists the groups both sides have, in the client's order
// (the server's with -serverpref).
func (p *printer) sharedGroups(h Handshake) []uint16 {
	peer := h.PeerGroups
	if peer == nil {
		peer = p.c.Groups
	}
	pref, other := peer, p.c.Groups
	if p.c.ServerPref {
		pref, other = p.c.Groups, peer
	}
	var out []uint16
	for _, g := range pref {
		if slices.Contains(other, g) {
			out = append(out, g)
		}
	}
	return out
}

// walkGroups looks for the i-th usable shared group (0 first) from the
// list's start, checking each group it passes.
func (p *printer) walkGroups(groups []uint16, i int, version uint16) {
	tls13 := version >= engine.VersionTLS13
	for _, g := range groups {
		if p.groupLine("Shared Curve", g) && groupFits(g, tls13) {
			if i == 0 {
				return
			}
			i--
		}
	}
}

// groupLine checks a group whatever the version range and reports
// whether the level allows it; unknown groups get no line and fail.
func (p *printer) groupLine(op string, id uint16) bool {
	bits, ok := GroupBits(id)
	if !ok {
		return false
	}
	allowed := Allowed(p.level, bits)
	p.line(allowed, "%s=%s, security bits=%d", op, GroupName(id), bits)
	return allowed
}

// sharedSigalgs is a server's match of the client's schemes with its
// own: each scheme of the preferred list (the client's, or with
// -serverpref openssl's default one) is checked before it is looked up
// in the other.
func (p *printer) sharedSigalgs(h Handshake) {
	pref := h.PeerSigAlgs
	if pref == nil || p.c.ServerPref {
		pref = serverSigAlgs()
	}
	for _, s := range pref {
		p.sigalg("Shared Signature Algorithm", s)
	}
}

// groupFits reports whether a group can be used at TLS 1.3 (tls13) or
// below it, as groupUsable does for a version range.
func groupFits(id uint16, tls13 bool) bool {
	if tls13 {
		return groupModern(id)
	}
	return groupLegacy(id)
}
