// Package secdebug prints the "Security callback: …" lines that
// openssl's -security_debug and -security_debug_verbose options write to
// stderr, computed from a tlskit configuration and a finished handshake.
//
// OpenSSL prints a line each time libssl asks its security-level callback
// whether something may be used: a protocol version, a cipher suite, a
// group, a signature scheme, a session ticket, a certificate key or the
// digest a certificate was signed with. -security_debug prints only the
// refused checks (": no"); -security_debug_verbose prints every check
// (": yes" and ": no").
//
// tlskit's engine has no such callback, so this package recomputes the checks
// with OpenSSL 3.0's default rules (see [Allowed] and the *Bits
// functions) and prints them in phases:
//
//   - [WriteSetup]: what a client checks while loading its certificate and
//     building its ClientHello (versions, the signature-type mask, offered
//     suites, supported groups, the ticket extension, signature schemes,
//     supported versions and the TLS 1.3 key share), or what a server checks
//     when loading its certificate chain.
//   - [WriteClientServerHello] and [WriteClientCertificateRequest]: what
//     a client checks as those messages arrive, before the server's
//     certificate is verified (openssl's verify callback prints its
//     "depth=" lines after them); [WriteClientTicket] for each TLS 1.3
//     ticket.
//   - [WriteHandshake] (and its short form [WriteNegotiated]): what either
//     side checks once the peer's hello and certificates are in: on a
//     client, from the server's certificate on (its curve, the group, the
//     signature, the shared signature schemes and the client's chain);
//     on a server, the negotiated version range, suite, groups, shared
//     signature schemes, its own chain and the client's.
//
// openssl runs several of its checks more than once per handshake: the
// version range, the signature-type mask and the whole suite list three
// times while a client builds one ClientHello (two of them followed by a
// "Supported Curve" probe), the shared signature schemes twice, and the
// shared groups dozens of times as s_server's summary walks them (once to
// count them, then from the start for each one). Both sides' lines are
// openssl 3.0's, line for line, each check as often as openssl makes it:
// compared whole with openssl s_server's stderr in internal/sserver's
// tests and with openssl s_client's in internal/sclient's (TLS 1.2 and
// 1.3; -no_ticket, -groups, -sigalgs, -cipher, client certificates,
// -verify, security level 3). [WriteServerBeforePeer] and
// [WriteServerAfterPeer] split a server's lines where s_server's verify
// callback prints a client certificate's. Groups OpenSSL 3.0 does not
// know (ML-KEM hybrids) are printed with the names and strengths OpenSSL
// 3.5 gives them. Like openssl 3.0, it leaves the key type empty in
// "Certificate chain EE key=, bits=…" lines.
//
// All output belongs on stderr, where openssl writes it.
package secdebug
