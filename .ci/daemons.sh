#!/usr/bin/env bash
# Installs the mail, database and proxy daemons that the live STARTTLS and
# proxy tests in internal/starttls and internal/proxy start on 127.0.0.1.
# The tests skip, saying why, when a daemon is missing, so this script is an
# optional step: safe to run more than once on a fresh Debian machine, it
# starts no service (the tests run each daemon themselves with a private
# configuration in a temporary directory). When it cannot install, it warns
# and exits 0, so that CI goes on and the live tests skip; set
# DAEMONS_STRICT=1 to make that an error.
set -euo pipefail

give_up() {
	echo "daemons.sh: warning: $*; the live daemon tests will skip" >&2
	if [ "${DAEMONS_STRICT:-}" = 1 ]; then
		exit 1
	fi
	exit 0
}

if [ "$(id -u)" != 0 ]; then
	give_up "not root, cannot apt-get install"
fi
command -v apt-get >/dev/null 2>&1 || give_up "no apt-get on this machine"

export DEBIAN_FRONTEND=noninteractive
pkgs=(
	postfix          # smtp (smtpd)
	dovecot-imapd    # imap
	dovecot-pop3d    # pop3
	dovecot-lmtpd    # lmtp
	dovecot-managesieved # sieve (ManageSieve)
	postgresql       # postgres SSLRequest
	tinyproxy        # HTTP CONNECT proxy
	mariadb-server   # mysql SSL request
	slapd            # ldap StartTLS extended operation
	prosody          # xmpp, xmpp-server
	vsftpd           # ftp AUTH TLS
	inspircd         # irc STARTTLS (m_starttls)
	openssl          # certificates made at test time
)

# Keep package scripts from starting daemons: the tests run their own.
policy=/usr/sbin/policy-rc.d
made_policy=
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\nexit 101\n' >"$policy"
	chmod 755 "$policy"
	made_policy=1
fi
cleanup() { if [ -n "$made_policy" ]; then rm -f "$policy"; fi; }
trap cleanup EXIT

# Postfix and slapd ask questions at install time; answer them ahead.
debconf-set-selections <<'SEL'
postfix postfix/main_mailer_type select No configuration
slapd slapd/no_configuration boolean true
SEL

# Another process may hold the apt lock for a while: wait for it (up to
# 5 minutes), and retry a failed run twice in case the mirror hiccupped.
apt_get() {
	local i
	for i in 1 2 3; do
		if apt-get -o DPkg::Lock::Timeout=300 "$@"; then
			return 0
		fi
		echo "daemons.sh: apt-get $1 failed (try $i)" >&2
		sleep 5
	done
	return 1
}

start=$(date +%s)
apt_get update -q || give_up "apt-get update failed"
apt_get install -y -q --no-install-recommends "${pkgs[@]}" || give_up "apt-get install failed"

echo "daemons.sh: installed ${pkgs[*]} in $(($(date +%s) - start))s"
