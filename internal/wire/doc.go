// Package wire is the passive TLS observer behind s_client's and s_server's
// -msg, -trace, -debug, -state and -tlsextdebug options: it wraps the
// net.Conn under crypto/tls, parses the records and handshake messages
// flowing in both directions (RFC 8446 section 5, RFC 5246 section 6.2),
// decrypts protected records with the secrets crypto/tls writes to
// Config.KeyLogWriter, and prints them the way OpenSSL 3.0 does.
//
// The observer never changes a byte on the wire. Its output is debugging
// aid only; the key log it receives holds the session's secrets.
package wire
