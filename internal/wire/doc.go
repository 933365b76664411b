// Package wire prints what s_client's and s_server's -msg, -trace, -debug,
// -state and -tlsextdebug options show, the way OpenSSL 3.0 prints them,
// from the engine's event stream (engine.Config.OnEvent: every record
// header, inner content type and whole handshake message, in plaintext,
// in both directions), and gathers what the session report needs. It
// reads handshake messages and extensions only through the engine's codec
// (internal/engine/msg); Wrap counts the bytes on the raw conn and dumps
// them for -debug.
//
// The observer never changes a byte on the wire. Its output is debugging
// aid only.
package wire
