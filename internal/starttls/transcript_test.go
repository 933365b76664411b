package starttls

import (
	"strings"
	"testing"
	"time"
)

const (
	xmppStreamFeatures = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' " +
		"xmlns:stream='http://etherx.jabber.org/streams' id='abc' from='example.org' version='1.0'>" +
		"<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>" +
		"<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism></mechanisms>" +
		"</stream:features>"
	xmppProceed = "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"
	xmppHeader  = "<stream:stream xmlns:stream='http://etherx.jabber.org/streams' xmlns='jabber:client' to='%s' version='1.0'>"
	xmppTLSReq  = "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"
	ldapReq     = "0\x1d\x02\x01\x01w\x18\x80\x161.3.6.1.4.1.1466.20037"
	pgSSLReq    = "\x00\x00\x00\x08\x04\xd2\x16/"
	iac         = "\xff"
	telnetDO    = iac + "\xfd\x2e"
	telnetWill  = iac + "\xfb\x2e" + iac + "\xfa\x2e\x01" + iac + "\xf0"
	telnetGo    = iac + "\xfa\x2e\x01" + iac + "\xf0"
)

// mysqlGreeting80 is a MySQL 8-style Initial Handshake with CLIENT_SSL.
var mysqlGreeting80 = mysqlPacket(0, "\x0a8.0.36\x00\x07\x00\x00\x00abcdefgh\x00\xff\xff\xff\x02\x00\xff\xdf\x15"+
	strings.Repeat("\x00", 10)+"ijklmnopqrst\x00caching_sha2_password\x00")

// mysqlGreetingNoSSL lacks CLIENT_SSL (0x0800) in the lower flags.
var mysqlGreetingNoSSL = mysqlPacket(0, "\x0a5.5.5-10.11.6-MariaDB\x00\x07\x00\x00\x00abcdefgh\x00\xff\xf7\x21\x02\x00\xff\x81\x15"+
	strings.Repeat("\x00", 10)+"ijklmnopqrst\x00mysql_native_password\x00")

// mysqlSSLRequest is what the client must send after mysqlGreeting80.
var mysqlSSLRequest = "\x20\x00\x00\x01" + "\x05\xaa\x0a\x00" + "\x00\x00\x00\x01" + "\x21" + strings.Repeat("\x00", 23)

func mysqlPacket(seq byte, payload string) string {
	n := len(payload)
	return string([]byte{byte(n), byte(n >> 8), byte(n >> 16), seq}) + payload
}

// ldapResult builds an LDAP ExtendedResponse for message id with code and
// diagnostic message.
func ldapResult(id, code byte, diag string) string {
	op := "\x0a\x01" + string(code) + "\x04\x00" + "\x04" + string(byte(len(diag))) + diag
	body := "\x02\x01" + string(id) + "\x78" + string(byte(len(op))) + op
	return "\x30" + string(byte(len(body))) + body
}

var transcripts = []transcript{
	// SMTP (RFC 3207).
	{name: "plain", proto: "smtp", steps: []step{
		srv("220 mx.example.org ESMTP\r\n"), cli("EHLO mail.example.com\r\n"),
		srv("250-mx.example.org\r\n250-PIPELINING\r\n250-STARTTLS\r\n250 8BITMIME\r\n"), cli("STARTTLS\r\n"),
		srv("220 2.0.0 Ready to start TLS\r\n")}},
	{name: "multiline greeting, split reads, -name", proto: "smtp", opts: Options{Name: "client.test"}, steps: []step{
		srv("220-mx.example.org ESMTP\r\n220-no UCE\r"), srv("\n22"), srv("0 ready\r\n"), cli("EHLO client.test\r\n"),
		srv("250-mx.example.org\r\n250-SIZE 1000"), srv("0\r\n250 STARTTLS\r\n"), cli("STARTTLS\r\n"),
		srv("220 go"), srv(" ahead\r\n")}},
	{name: "-xmpphost is an alias of -name", proto: "smtp", opts: Options{XMPPHost: "alias.test"}, steps: []step{
		srv("220 hi\r\n"), cli("EHLO alias.test\r\n"), srv("250 STARTTLS\r\n"), cli("STARTTLS\r\n"), srv("220 go\r\n")}},
	{name: "bare LF and lower-case keyword", proto: "smtp", steps: []step{
		srv("220 hi\n"), cli("EHLO mail.example.com\r\n"), srv("250-hi\n250 starttls\n"), cli("STARTTLS\r\n"), srv("220\n")}},
	{name: "refused", proto: "smtp", wantErr: "starttls: smtp: server refused STARTTLS: 454 4.7.0 TLS not available due to local problem", steps: []step{
		srv("220 hi\r\n"), cli("EHLO mail.example.com\r\n"), srv("250-hi\r\n250 STARTTLS\r\n"), cli("STARTTLS\r\n"),
		srv("454 4.7.0 TLS not available due to local problem\r\n")}},
	{name: "not advertised", proto: "smtp", wantErr: "server refused STARTTLS: 502 5.5.1 unrecognized command (STARTTLS was not advertised in the reply to EHLO)", steps: []step{
		srv("220 hi\r\n"), cli("EHLO mail.example.com\r\n"), srv("250-hi\r\n250 SIZE\r\n"), cli("STARTTLS\r\n"),
		srv("502 5.5.1 unrecognized command\r\n")}},
	{name: "greeting refusal", proto: "smtp", wantErr: "server refused the session: 554-mx says no / 554 go away", steps: []step{
		srv("554-mx says no\r\n554 go away\r\n")}},
	{name: "EHLO refused", proto: "smtp", wantErr: "server refused EHLO: 501 5.5.4 bad name", steps: []step{
		srv("220 hi\r\n"), cli("EHLO mail.example.com\r\n"), srv("501 5.5.4 bad name\r\n")}},
	{name: "malformed", proto: "smtp", wantErr: "malformed greeting: HTTP/1.1 400 Bad Request", steps: []step{
		srv("HTTP/1.1 400 Bad Request\r\n")}},
	{name: "closes", proto: "smtp", wantErr: "starttls: smtp: server closed the connection while we waited for its reply to STARTTLS", steps: []step{
		srv("220 hi\r\n"), cli("EHLO mail.example.com\r\n"), srv("250 STARTTLS\r\n"), cli("STARTTLS\r\n"), hangUp}},
	{name: "closes mid-line", proto: "smtp", wantErr: "server closed the connection while we waited for its greeting", steps: []step{
		srv("220 hi"), hangUp}},
	{name: "timeout", proto: "smtp", opts: Options{Timeout: 150 * time.Millisecond},
		wantErr: "starttls: smtp: timed out after 150ms waiting for the server's reply to STARTTLS", steps: []step{
			srv("220 hi\r\n"), cli("EHLO mail.example.com\r\n"), srv("250 STARTTLS\r\n"), cli("STARTTLS\r\n")}},
	{name: "greeting timeout", proto: "smtp", opts: Options{Timeout: 100 * time.Millisecond},
		wantErr: "timed out after 100ms waiting for the server's greeting"},

	// LMTP (RFC 2033).
	{name: "plain", proto: "lmtp", steps: []step{
		srv("220 lmtp ready\r\n"), cli("LHLO mail.example.com\r\n"), srv("250-lmtp\r\n250 STARTTLS\r\n"),
		cli("STARTTLS\r\n"), srv("220 2.0.0 go\r\n")}},
	{name: "refused", proto: "lmtp", wantErr: "server refused STARTTLS: 502 5.5.2 no", steps: []step{
		srv("220 lmtp ready\r\n"), cli("LHLO mail.example.com\r\n"), srv("250 lmtp\r\n"),
		cli("STARTTLS\r\n"), srv("502 5.5.2 no\r\n")}},

	// POP3 (RFC 2595 4).
	{name: "plain", proto: "pop3", steps: []step{
		srv("+OK Dovecot ready.\r\n"), cli("STLS\r\n"), srv("+OK Begin TLS negotiation now.\r\n")}},
	{name: "split", proto: "pop3", steps: []step{
		srv("+O"), srv("K hi\r"), srv("\n"), cli("STLS\r\n"), srv("+OK"), srv("\r\n")}},
	{name: "refused", proto: "pop3", wantErr: "starttls: pop3: server refused STLS: -ERR TLS support isn't enabled.", steps: []step{
		srv("+OK Dovecot ready.\r\n"), cli("STLS\r\n"), srv("-ERR TLS support isn't enabled.\r\n")}},
	{name: "greeting refusal", proto: "pop3", wantErr: "server refused the session: -ERR [SYS/TEMP] busy", steps: []step{
		srv("-ERR [SYS/TEMP] busy\r\n")}},

	// IMAP (RFC 2595 3.1, RFC 3501).
	{name: "plain", proto: "imap", steps: []step{
		srv("* OK IMAP4rev1 ready\r\n"), cli(". CAPABILITY\r\n"),
		srv("* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED\r\n. OK done\r\n"), cli(". STARTTLS\r\n"),
		srv(". OK Begin TLS negotiation now.\r\n")}},
	{name: "capabilities in greeting, split, untagged noise", proto: "imap", steps: []step{
		srv("* OK [CAPABILITY IMAP4rev1 SASL-IR STARTTLS] Dovecot ready.\r\n"), cli(". CAPABILITY\r\n"),
		srv("* CAPABILITY IMAP4rev1 ST"), srv("ARTTLS\r\n"), srv("* OK still here\r\n. OK Pre-login capabilities listed.\r\n"),
		cli(". STARTTLS\r\n"), srv("* OK noise\r\n. OK go\r\n")}},
	{name: "literal in untagged reply", proto: "imap", steps: []step{
		srv("* OK hi\r\n"), cli(". CAPABILITY\r\n"),
		srv("* ID (\"name\" {12}\r\n. OK fake\r\n)\r\n* CAPABILITY IMAP4rev1 STARTTLS\r\n. OK\r\n"),
		cli(". STARTTLS\r\n"), srv(". OK\r\n")}},
	{name: "refused", proto: "imap", wantErr: "starttls: imap: server refused STARTTLS: . BAD Unknown command", steps: []step{
		srv("* OK hi\r\n"), cli(". CAPABILITY\r\n"), srv("* CAPABILITY IMAP4rev1 STARTTLS\r\n. OK\r\n"),
		cli(". STARTTLS\r\n"), srv(". BAD Unknown command\r\n")}},
	{name: "refused unadvertised", proto: "imap", wantErr: "server refused STARTTLS: . NO no TLS (STARTTLS was not advertised in the reply to CAPABILITY)", steps: []step{
		srv("* OK hi\r\n"), cli(". CAPABILITY\r\n"), srv("* CAPABILITY IMAP4rev1\r\n. OK\r\n"),
		cli(". STARTTLS\r\n"), srv(". NO no TLS\r\n")}},
	{name: "preauth", proto: "imap", wantErr: "server greeted with PREAUTH, so STARTTLS is not possible", steps: []step{
		srv("* PREAUTH welcome\r\n")}},
	{name: "bye", proto: "imap", wantErr: "server refused the session: * BYE too many connections", steps: []step{
		srv("* BYE too many connections\r\n")}},
	{name: "bye after capability", proto: "imap", wantErr: "server ended the session: * BYE shutting down", steps: []step{
		srv("* OK hi\r\n"), cli(". CAPABILITY\r\n"), srv("* BYE shutting down\r\n")}},
	{name: "timeout", proto: "imap", opts: Options{Timeout: 100 * time.Millisecond},
		wantErr: "starttls: imap: timed out after 100ms waiting for the server's reply to STARTTLS", steps: []step{
			srv("* OK hi\r\n"), cli(". CAPABILITY\r\n"), srv(". OK\r\n"), cli(". STARTTLS\r\n")}},

	// FTP (RFC 4217).
	{name: "plain", proto: "ftp", steps: []step{
		srv("220 (vsFTPd 3.0.3)\r\n"), cli("AUTH TLS\r\n"), srv("234 Proceed with negotiation.\r\n")}},
	{name: "multiline greeting with 120 first", proto: "ftp", steps: []step{
		srv("120 ready in 1 minute\r\n"), srv("220-Welcome\r\n  rules:\r\n220x not the end\r\n220 ready\r\n"),
		cli("AUTH TLS\r\n"), srv("234 AUTH TLS OK.\r\n")}},
	{name: "refused", proto: "ftp", wantErr: "starttls: ftp: server refused AUTH TLS: 530 Please login with USER and PASS.", steps: []step{
		srv("220 hi\r\n"), cli("AUTH TLS\r\n"), srv("530 Please login with USER and PASS.\r\n")}},
	{name: "greeting 421", proto: "ftp", wantErr: "server refused the session: 421 Too many users", steps: []step{
		srv("421 Too many users\r\n")}},

	// XMPP (RFC 6120 5.4).
	{name: "client, to from Host", proto: "xmpp", opts: Options{Host: "example.org"}, steps: []step{
		cli(strings.Replace(xmppHeader, "%s", "example.org", 1)), srv(xmppStreamFeatures),
		cli(xmppTLSReq), srv(xmppProceed)}},
	{name: "client, -name beats host, split", proto: "xmpp", opts: Options{Host: "10.0.0.1", Name: "chat.example"}, steps: []step{
		cli(strings.Replace(xmppHeader, "%s", "chat.example", 1)), srv(xmppStreamFeatures[:40]), srv(xmppStreamFeatures[40:130]),
		srv(xmppStreamFeatures[130:]), cli(xmppTLSReq), srv("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'>"), srv("</proceed>")}},
	{name: "server, -xmpphost beats -name", proto: "xmpp-server", opts: Options{Host: "h", Name: "n", XMPPHost: "x.example"}, steps: []step{
		cli(strings.Replace(strings.Replace(xmppHeader, "%s", "x.example", 1), "jabber:client", "jabber:server", 1)),
		srv(strings.Replace(xmppStreamFeatures, "jabber:client", "jabber:server", 1)), cli(xmppTLSReq), srv(xmppProceed)}},
	{name: "failure", proto: "xmpp", opts: Options{Host: "example.org"}, wantErr: "starttls: xmpp: server refused STARTTLS: <failure/>", steps: []step{
		cli(strings.Replace(xmppHeader, "%s", "example.org", 1)), srv(xmppStreamFeatures),
		cli(xmppTLSReq), srv("<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:stream>")}},
	{name: "not offered", proto: "xmpp", opts: Options{Host: "example.org"}, wantErr: "server does not offer STARTTLS", steps: []step{
		cli(strings.Replace(xmppHeader, "%s", "example.org", 1)),
		srv("<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'><stream:features/>")}},
	{name: "stream error", proto: "xmpp", opts: Options{Host: "bad.example"}, wantErr: "server sent a stream error: host-unknown", steps: []step{
		cli(strings.Replace(xmppHeader, "%s", "bad.example", 1)),
		srv("<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>" +
			"<stream:error><host-unknown xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error></stream:stream>")}},
	{name: "escaped to", proto: "xmpp", opts: Options{Host: "a'b<c"}, wantErr: "closed the connection", steps: []step{
		cli(strings.Replace(xmppHeader, "%s", "a&#39;b&lt;c", 1)), hangUp}},

	// Telnet START_TLS (draft-altman-telnet-starttls-02).
	{name: "plain", proto: "telnet", steps: []step{srv(telnetDO), cli(telnetWill), srv(telnetGo)}},
	{name: "other options refused, banner skipped", proto: "telnet", steps: []step{
		srv("Welcome\r\n" + iac + "\xfd\x18" + iac + "\xfb\x01"), cli(iac + "\xfc\x18"), cli(iac + "\xfe\x01"),
		srv(iac + "\xfa\x18\x01" + iac + iac + iac + "\xf0" + telnetDO[:1]), srv(telnetDO[1:]), cli(telnetWill), srv(telnetGo)}},
	{name: "refused", proto: "telnet", wantErr: "starttls: telnet: server refused START_TLS (IAC DONT START_TLS)", steps: []step{
		srv(telnetDO), cli(telnetWill), srv(iac + "\xfe\x2e")}},

	// IRC (IRCv3 tls extension).
	{name: "plain", proto: "irc", steps: []step{cli("STARTTLS\r\n"), srv(":irc.example 670 * :STARTTLS successful, proceed with TLS handshake\r\n")}},
	{name: "notices and ping first", proto: "irc", steps: []step{
		cli("STARTTLS\r\n"), srv(":irc.example NOTICE * :*** Looking up your hostname...\r\n"),
		srv(":irc.example NOTICE * :*** Found your hostname\r\nPING :12345\r\n"), cli("PONG :12345\r\n"),
		srv("@time=2024-01-01T00:00:00Z :irc.example 670 * :go\r\n")}},
	{name: "691", proto: "irc", wantErr: "starttls: irc: server refused STARTTLS: :irc.example 691 * :STARTTLS failure", steps: []step{
		cli("STARTTLS\r\n"), srv(":irc.example NOTICE * :hi\r\n:irc.example 691 * :STARTTLS failure\r\n")}},
	{name: "unknown command", proto: "irc", wantErr: "server refused STARTTLS: :irc.example 421 * STARTTLS :Unknown command", steps: []step{
		cli("STARTTLS\r\n"), srv(":irc.example 421 * STARTTLS :Unknown command\r\n")}},
	{name: "error", proto: "irc", wantErr: "server ended the connection: ERROR :Closing link", steps: []step{
		cli("STARTTLS\r\n"), srv("ERROR :Closing link\r\n")}},

	// MySQL (client/server protocol, SSLRequest).
	{name: "plain", proto: "mysql", steps: []step{srv(mysqlGreeting80), cli(mysqlSSLRequest)}},
	{name: "split greeting", proto: "mysql", steps: []step{
		srv(mysqlGreeting80[:3]), srv(mysqlGreeting80[3:20]), srv(mysqlGreeting80[20:]), cli(mysqlSSLRequest)}},
	{name: "no ssl", proto: "mysql", wantErr: `starttls: mysql: server 5.5.5-10.11.6-MariaDB does not support SSL (no CLIENT_SSL in its capabilities)`,
		steps: []step{srv(mysqlGreetingNoSSL)}},
	{name: "err packet", proto: "mysql", wantErr: "server refused the session: 1130 (HY000): Host '127.0.0.1' is not allowed to connect",
		steps: []step{srv(mysqlPacket(0, "\xff\x6a\x04#HY000Host '127.0.0.1' is not allowed to connect"))}},

	// PostgreSQL SSLRequest.
	{name: "plain", proto: "postgres", steps: []step{cli(pgSSLReq), srv("S")}},
	{name: "N", proto: "postgres", wantErr: "starttls: postgres: server refused SSL: it answered 'N' to SSLRequest", steps: []step{cli(pgSSLReq), srv("N")}},
	{name: "E", proto: "postgres", wantErr: "server refused SSLRequest: FATAL 08P01: unsupported frontend protocol", steps: []step{
		cli(pgSSLReq), srv("E\x00\x00\x00\x31SFATAL\x00C08P01\x00Munsupported frontend protocol\x00\x00")}},
	{name: "garbage", proto: "postgres", wantErr: "malformed reply to SSLRequest: byte 0x48", steps: []step{cli(pgSSLReq), srv("HTTP")}},

	// NNTP (RFC 4642).
	{name: "plain", proto: "nntp", steps: []step{
		srv("200 news.example InterNetNews NNRP server INN 2.7.1 ready (posting ok)\r\n"), cli("CAPABILITIES\r\n"),
		srv("101 Capability list:\r\nVERSION 2\r\nREADER\r\nSTARTTLS\r\n.\r\n"), cli("STARTTLS\r\n"),
		srv("382 Begin TLS negotiation now\r\n")}},
	{name: "old server without CAPABILITIES", proto: "nntp", steps: []step{
		srv("201 no posting\r\n"), cli("CAPABILITIES\r\n"), srv("500 What?\r\n"), cli("STARTTLS\r\n"), srv("382 go\r\n")}},
	{name: "refused", proto: "nntp", wantErr: "starttls: nntp: server refused STARTTLS: 580 Can not initiate TLS negotiation", steps: []step{
		srv("200 hi\r\n"), cli("CAPABILITIES\r\n"), srv("101 Capability list:\r\nVERSION 2\r\nSTARTTLS\r\n.\r\n"),
		cli("STARTTLS\r\n"), srv("580 Can not initiate TLS negotiation\r\n")}},
	{name: "greeting refused", proto: "nntp", wantErr: "server refused the session: 502 Permission denied", steps: []step{
		srv("502 Permission denied\r\n")}},

	// ManageSieve (RFC 5804).
	{name: "plain", proto: "sieve", steps: []step{
		srv("\"IMPLEMENTATION\" \"Dovecot Pigeonhole\"\r\n\"SIEVE\" \"fileinto reject\"\r\n\"STARTTLS\"\r\n\"VERSION\" \"1.0\"\r\nOK \"Dovecot ready.\"\r\n"),
		cli("STARTTLS\r\n"), srv("OK \"Begin TLS negotiation now.\"\r\n")}},
	{name: "literal in greeting", proto: "sieve", steps: []step{
		srv("\"IMPLEMENTATION\" {6}\r\nOK hi\r\n\r\n\"STARTTLS\"\r\nOK\r\n"), cli("STARTTLS\r\n"), srv("OK\r\n")}},
	{name: "refused", proto: "sieve", wantErr: "starttls: sieve: server refused STARTTLS: NO \"TLS not configured\"", steps: []step{
		srv("\"IMPLEMENTATION\" \"x\"\r\n\"STARTTLS\"\r\nOK\r\n"), cli("STARTTLS\r\n"), srv("NO \"TLS not configured\"\r\n")}},
	{name: "bye", proto: "sieve", wantErr: "server refused the session: BYE \"busy\"", steps: []step{srv("BYE \"busy\"\r\n")}},

	// LDAP (RFC 4511 4.14).
	{name: "plain", proto: "ldap", steps: []step{cli(ldapReq), srv(ldapResult(1, 0, ""))}},
	{name: "with responseName, split", proto: "ldap", steps: []step{cli(ldapReq),
		srv("\x30\x24\x02\x01\x01\x78\x1f\x0a\x01\x00\x04\x00\x04\x00"), srv("\x8a\x161.3.6.1.4.1.1466.20037")}},
	{name: "long-form length", proto: "ldap", steps: []step{cli(ldapReq),
		srv("\x30\x84\x00\x00\x00\x0c\x02\x01\x01\x78\x84\x00\x00\x00\x07\x0a\x01\x00\x04\x00\x04\x00"[:6] + "\x02\x01\x01\x78\x07\x0a\x01\x00\x04\x00\x04\x00")}},
	{name: "refused", proto: "ldap", wantErr: "starttls: ldap: server refused StartTLS: resultCode 52 (unavailable): TLS not configured",
		steps: []step{cli(ldapReq), srv(ldapResult(1, 52, "TLS not configured"))}},
	{name: "protocol error", proto: "ldap", wantErr: "server refused StartTLS: resultCode 2 (protocolError)",
		steps: []step{cli(ldapReq), srv(ldapResult(1, 2, ""))}},
	{name: "notice of disconnection", proto: "ldap", wantErr: "server is disconnecting: resultCode 52 (unavailable): bye", steps: []step{cli(ldapReq),
		srv("\x30\x27\x02\x01\x00\x78\x22\x0a\x01\x34\x04\x00\x04\x03bye\x8a\x16" + "1.3.6.1.4.1.1466.20036")}},
	{name: "not ldap", proto: "ldap", wantErr: "malformed StartTLS response: starts with 0x48, not a SEQUENCE",
		steps: []step{cli(ldapReq), srv("HTTP/1.0 400\r\n")}},
}

func TestTranscripts(t *testing.T) {
	seen := map[string]bool{}
	for _, tr := range transcripts {
		seen[tr.proto] = true
		t.Run(tr.proto+"/"+tr.name, func(t *testing.T) {
			t.Parallel()
			runTranscript(t, tr)
		})
	}
	for _, p := range Protocols {
		if !seen[p] {
			t.Errorf("no transcript for protocol %q", p)
		}
	}
}
