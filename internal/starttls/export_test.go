package starttls

import "testing"

// StartPostfixForTest starts a private postfix (see startPostfix) for the
// external tests that drive the s_client command against it, and returns
// the STARTTLS listener's address, the CA file that verifies it, and the
// address of a listener that offers no TLS.
func StartPostfixForTest(t *testing.T) (addr, caFile, plainAddr string) {
	pf := startPostfix(t)
	return pf.tlsAddr, pf.certs.ca, pf.plainAddr
}

// The live daemons, for the external tests that drive the s_client
// command against them: each returns the STARTTLS address and the CA
// file that verifies it.

// StartPostgresForTest starts PostgreSQL with ssl = on and trust logins.
func StartPostgresForTest(t *testing.T) (addr, caFile string) {
	c := makeCerts(t)
	addr, _, _, _ = startPostgres(t, c)
	return addr, c.ca
}

// StartMariaDBForTest starts mariadbd with TLS and no grant tables.
func StartMariaDBForTest(t *testing.T) (addr, caFile string) {
	c := makeCerts(t)
	addr, _ = mariaDB(t, c)(true)
	return addr, c.ca
}

// StartSlapdForTest starts slapd with TLS.
func StartSlapdForTest(t *testing.T) (addr, caFile string) {
	c := makeCerts(t)
	return startSlapd(t, c, true), c.ca
}

// StartProsodyForTest starts Prosody with TLS; addr is its c2s port.
func StartProsodyForTest(t *testing.T) (addr, caFile string) {
	c := makeCerts(t)
	addr, _ = startProsody(t, c, true)
	return addr, c.ca
}

// MySQLClientFlags are the capabilities the mysql dialogue announces.
const MySQLClientFlags = mysqlClientFlags
