// Package engine is tlskit's own TLS implementation, written from the
// RFCs on Go's cryptographic primitives: TLS 1.0–1.3, client and server
// (Client, Server), configured by a Config the commands build from their
// options, reporting a State and an event stream of every record and
// handshake message. The commands use it directly; crypto/tls appears
// only in its tests, as an independent peer.
package engine
