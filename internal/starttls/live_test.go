package starttls

// Live tests: each starts a real daemon on 127.0.0.1 with a private
// configuration and an openssl-made certificate, then upgrades with
// Upgrade, verifies the certificate against the test CA and speaks one
// command over TLS. They skip, naming the missing binary, when a daemon is
// not installed (.ci/daemons.sh installs them).

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/testpeer"
)

// liveDeadline bounds a daemon's start and each live exchange.
const liveDeadline = 20 * time.Second

// findBin returns the first of names found on PATH or in dirs (globs), or
// skips the test.
func findBin(t *testing.T, dirs []string, names ...string) string {
	t.Helper()
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
		for _, d := range dirs {
			m, _ := filepath.Glob(filepath.Join(d, n))
			if len(m) > 0 {
				return m[len(m)-1]
			}
		}
	}
	t.Skipf("%s not installed (run .ci/daemons.sh); skipping live test", names[0])
	return ""
}

// needRoot skips tests that must start daemons as root (they drop
// privileges to their own users).
func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("live daemon tests need root to run the daemons under their own users")
	}
}

// freePort returns a port the OS picked on 127.0.0.1. Another process
// could take it before the daemon binds it; waitPort then fails clearly.
func freePort(t *testing.T) int {
	t.Helper()
	p, _ := strconv.Atoi(testpeer.FreePort(t))
	return p
}

// liveCerts holds an openssl-made CA and a server certificate it signed.
type liveCerts struct {
	dir, ca, cert, key string
	pool               *x509.CertPool
}

// makeCerts creates a CA and a server certificate for localhost and
// 127.0.0.1 with the openssl command line, in a directory readable by the
// daemons' users.
func makeCerts(t *testing.T) liveCerts {
	t.Helper()
	bin := findBin(t, nil, "openssl")
	dir := openDir(t)
	c := liveCerts{dir: dir, ca: filepath.Join(dir, "ca.pem"), cert: filepath.Join(dir, "cert.pem"), key: filepath.Join(dir, "key.pem")}
	run := func(args ...string) {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	os.WriteFile(filepath.Join(dir, "ext.cnf"), []byte("subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n"), 0o644)
	run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1",
		"-subj", "/CN=tlskit test CA", "-keyout", "ca-key.pem", "-out", "ca.pem")
	run("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
		"-subj", "/CN=localhost", "-keyout", "key.pem", "-out", "req.pem")
	run("x509", "-req", "-in", "req.pem", "-CA", "ca.pem", "-CAkey", "ca-key.pem", "-CAcreateserial",
		"-days", "1", "-extfile", "ext.cnf", "-out", "cert.pem")
	os.Chmod(c.key, 0o644) // the daemons read it after dropping privileges; test-only key
	pem, err := os.ReadFile(c.ca)
	if err != nil {
		t.Fatal(err)
	}
	c.pool = x509.NewCertPool()
	if !c.pool.AppendCertsFromPEM(pem) {
		t.Fatal("cannot parse the openssl-made CA")
	}
	return c
}

// openDir returns a fresh temporary directory that daemon users can reach
// (t.TempDir's parents are private to root).
func openDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for d := dir; d != os.TempDir() && d != "/" && d != "."; d = filepath.Dir(d) {
		os.Chmod(d, 0o755)
	}
	return dir
}

// startDaemon starts cmd with its output in a log file, and stops it by
// PID (SIGTERM, then SIGKILL after 10s) when the test ends. It returns a
// function that stops it earlier; stopping twice is harmless.
func startDaemon(t *testing.T, cmd *exec.Cmd) (stop func()) {
	t.Helper()
	log := filepath.Join(t.TempDir(), filepath.Base(cmd.Path)+".log")
	f, err := os.Create(log)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", cmd.Path, err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); f.Close(); close(done) }()
	stop = func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	}
	t.Cleanup(func() {
		stop()
		if t.Failed() {
			out, _ := os.ReadFile(log)
			t.Logf("%s log:\n%s", filepath.Base(cmd.Path), out)
		}
	})
	return stop
}

// waitPort retries a dial until addr accepts or the deadline passes.
func waitPort(t *testing.T, addr string) {
	t.Helper()
	testpeer.WaitDialFor(t, addr, liveDeadline)
}

// liveUpgrade dials addr, upgrades with proto and completes a TLS
// handshake that verifies the server against the test CA. With -record it
// saves the plaintext dialogue as testdata/transcripts/<recName>.txt.
func liveUpgrade(t *testing.T, addr, proto string, o Options, certs liveCerts, recName, comment string) *tls.Conn {
	t.Helper()
	raw, err := net.DialTimeout("tcp", addr, liveDeadline)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	var conn net.Conn = raw
	rec := &recorder{Conn: raw}
	if *record && recName != "" {
		conn = rec
	}
	if o.Timeout == 0 {
		o.Timeout = liveDeadline
	}
	up, err := Upgrade(conn, proto, o)
	rec.stop()
	if err != nil {
		t.Fatalf("Upgrade: %v", err)
	}
	if *record && recName != "" {
		rec.save(t, recName, comment, proto, o, nil)
	}
	up.SetDeadline(time.Now().Add(liveDeadline))
	tc := tls.Client(up, &tls.Config{RootCAs: certs.pool, ServerName: "localhost"})
	if err := tc.Handshake(); err != nil {
		t.Fatalf("TLS handshake after %s upgrade: %v", proto, err)
	}
	return tc
}

// liveRefused dials addr and expects Upgrade to fail with wantErr in the
// message.
func liveRefused(t *testing.T, addr, proto, wantErr, recName, comment string) {
	t.Helper()
	raw, err := net.DialTimeout("tcp", addr, liveDeadline)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	rec := &recorder{Conn: raw}
	o := Options{Timeout: liveDeadline}
	_, err = Upgrade(rec, proto, o)
	if *record && recName != "" && err != nil {
		rec.save(t, recName, comment, proto, Options{}, err)
	}
	if err == nil || !strings.Contains(err.Error(), wantErr) {
		t.Fatalf("Upgrade against a server without TLS: %v\nwant an error containing %q", err, wantErr)
	}
	t.Logf("without TLS: %v", err)
}

// command sends line (unless empty) over TLS and returns the first reply
// line.
func command(t *testing.T, tc *tls.Conn, line string) string {
	t.Helper()
	if line != "" {
		if _, err := io.WriteString(tc, line+"\r\n"); err != nil {
			t.Fatalf("sending %q over TLS: %v", line, err)
		}
	}
	reply, err := bufio.NewReader(tc).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the reply to %q over TLS: %v", line, err)
	}
	return strings.TrimRight(reply, "\r\n")
}

func lookupIDs(t *testing.T, name string) (uint32, uint32) {
	t.Helper()
	u, err := user.Lookup(name)
	if err != nil {
		t.Skipf("user %s missing: %v", name, err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return uint32(uid), uint32(gid)
}

// TestLivePostfix runs postfix's smtpd on two ports: one offering
// STARTTLS, one without TLS.
// livePostfix is a postfix running on 127.0.0.1 for one test: a TLS
// listener and a listener without TLS.
type livePostfix struct {
	tlsAddr, plainAddr string
	certs              liveCerts
	version            string
}

// startPostfix runs postfix's master in the foreground with a private
// configuration; it is stopped when the test ends.
func startPostfix(t *testing.T) livePostfix {
	t.Helper()
	needRoot(t)
	bin := findBin(t, []string{"/usr/sbin"}, "postfix")
	certs := makeCerts(t)
	dir := openDir(t)
	conf, queue, data := filepath.Join(dir, "conf"), filepath.Join(dir, "queue"), filepath.Join(dir, "data")
	for _, d := range []string{conf, queue, data} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	pfUID, _ := lookupIDs(t, "postfix")
	os.Chown(queue, int(pfUID), -1)
	os.Chown(data, int(pfUID), -1)
	tlsPort, plainPort := freePort(t), freePort(t)
	mainCF := fmt.Sprintf(`compatibility_level = 3.6
queue_directory = %s
data_directory = %s
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = mx.tlskit.test
mydestination =
alias_maps =
alias_database =
local_recipient_maps =
smtpd_tls_cert_file = %s
smtpd_tls_key_file = %s
smtpd_tls_security_level = may
maillog_file = /dev/stdout
`, queue, data, certs.cert, certs.key)
	masterCF := fmt.Sprintf(`127.0.0.1:%d inet n - n - - smtpd
127.0.0.1:%d inet n - n - - smtpd -o smtpd_tls_security_level=none
cleanup unix n - n - 0 cleanup
rewrite unix - - n - - trivial-rewrite
anvil unix - - n - 1 anvil
tlsmgr unix - - n 1000? 1 tlsmgr
proxymap unix - - n - - proxymap
postlog unix-dgram n - n - 1 postlogd
`, tlsPort, plainPort)
	os.WriteFile(filepath.Join(conf, "main.cf"), []byte(mainCF), 0o644)
	os.WriteFile(filepath.Join(conf, "master.cf"), []byte(masterCF), 0o644)
	// "postfix check" creates the queue's subdirectories; then run master
	// itself in the foreground, so that its PID is ours to stop (postfix
	// start-fg would leave it running as a grandchild).
	if out, err := exec.Command(bin, "-c", conf, "check").CombinedOutput(); err != nil {
		t.Fatalf("postfix check: %v\n%s", err, out)
	}
	master := findBin(t, []string{"/usr/lib/postfix/sbin", "/usr/libexec/postfix"}, "master")
	startDaemon(t, exec.Command(master, "-c", conf, "-s"))
	addr := fmt.Sprintf("127.0.0.1:%d", tlsPort)
	waitPort(t, addr)
	version := "postfix"
	if out, err := exec.Command(findBin(t, []string{"/usr/sbin"}, "postconf"), "-d", "-h", "mail_version").Output(); err == nil {
		version += " " + strings.TrimSpace(string(out))
	}
	return livePostfix{tlsAddr: addr, plainAddr: fmt.Sprintf("127.0.0.1:%d", plainPort), certs: certs, version: version}
}

func TestLivePostfix(t *testing.T) {
	pf := startPostfix(t)
	addr, certs, version := pf.tlsAddr, pf.certs, pf.version
	t.Run("smtp", func(t *testing.T) {
		tc := liveUpgrade(t, addr, "smtp", Options{}, certs, "postfix-smtp", version)
		if reply := command(t, tc, "NOOP"); !strings.HasPrefix(reply, "250") {
			t.Fatalf("NOOP over TLS: %q", reply)
		}
	})
	t.Run("without TLS", func(t *testing.T) {
		liveRefused(t, pf.plainAddr, "smtp", "server refused STARTTLS: 502 5.5.1 Error: command not implemented (STARTTLS was not advertised in the reply to EHLO)",
			"postfix-smtp-notls", version)
	})
}

// dovecotConf is a private Dovecot configuration; ssl is "yes" or "no".
const dovecotConf = `base_dir = {{dir}}/run
state_dir = {{dir}}/state
log_path = /dev/stderr
protocols = imap pop3 lmtp sieve
listen = 127.0.0.1
ssl = {{ssl}}
{{certs}}
passdb {
  driver = static
  args = password=secret
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home={{dir}}/home
}
service imap-login {
  inet_listener imap {
    port = {{imap}}
  }
  inet_listener imaps {
    port = 0
  }
}
service pop3-login {
  inet_listener pop3 {
    port = {{pop3}}
  }
  inet_listener pop3s {
    port = 0
  }
}
service lmtp {
  inet_listener lmtp {
    port = {{lmtp}}
  }
}
service managesieve-login {
  inet_listener sieve {
    port = {{sieve}}
  }
}
`

// startDovecot runs dovecot in the foreground and returns the ports of
// its imap, pop3, lmtp and sieve listeners.
func startDovecot(t *testing.T, bin string, certs *liveCerts) map[string]int {
	t.Helper()
	dir := openDir(t)
	ports := map[string]int{}
	r := []string{"{{dir}}", dir, "{{ssl}}", "no", "{{certs}}", ""}
	if certs != nil {
		r = append(r[:2], "{{ssl}}", "yes", "{{certs}}", "ssl_cert = <"+certs.cert+"\nssl_key = <"+certs.key)
	}
	for _, p := range []string{"imap", "pop3", "lmtp", "sieve"} {
		ports[p] = freePort(t)
		r = append(r, "{{"+p+"}}", strconv.Itoa(ports[p]))
	}
	conf := filepath.Join(dir, "dovecot.conf")
	if err := os.WriteFile(conf, []byte(strings.NewReplacer(r...).Replace(dovecotConf)), 0o644); err != nil {
		t.Fatal(err)
	}
	startDaemon(t, exec.Command(bin, "-F", "-c", conf))
	for _, p := range ports {
		waitPort(t, fmt.Sprintf("127.0.0.1:%d", p))
	}
	return ports
}

// TestLiveDovecot runs Dovecot's IMAP, POP3, LMTP and ManageSieve servers,
// once with TLS and once without.
func TestLiveDovecot(t *testing.T) {
	needRoot(t)
	bin := findBin(t, []string{"/usr/sbin"}, "dovecot")
	certs := makeCerts(t)
	version := "dovecot"
	if out, err := exec.Command(bin, "--version").Output(); err == nil {
		version += " " + strings.TrimSpace(string(out))
	}
	ports := startDovecot(t, bin, &certs)
	for _, tc := range []struct {
		proto, cmd, want, server string
	}{
		{"imap", "a NOOP", "a OK", "imap"},
		{"pop3", "CAPA", "+OK", "pop3"},
		{"lmtp", "LHLO client.test", "250-", "lmtp"},
		{"sieve", "", `"IMPLEMENTATION"`, "managesieve"}, // RFC 5804: capabilities again after TLS
	} {
		t.Run(tc.proto, func(t *testing.T) {
			if _, err := os.Stat("/usr/lib/dovecot/" + tc.server); err != nil {
				t.Skipf("dovecot's %s server not installed (run .ci/daemons.sh)", tc.server)
			}
			addr := fmt.Sprintf("127.0.0.1:%d", ports[tc.proto])
			conn := liveUpgrade(t, addr, tc.proto, Options{}, certs, "dovecot-"+tc.proto, version)
			if reply := command(t, conn, tc.cmd); !strings.HasPrefix(reply, tc.want) {
				t.Fatalf("%q over TLS: got %q, want %s…", tc.cmd, reply, tc.want)
			}
		})
	}
	t.Run("without TLS", func(t *testing.T) {
		plain := startDovecot(t, bin, nil)
		liveRefused(t, fmt.Sprintf("127.0.0.1:%d", plain["imap"]), "imap", "server refused STARTTLS: . BAD TLS support isn't enabled. (STARTTLS was not advertised in the reply to CAPABILITY)",
			"dovecot-imap-notls", version)
		liveRefused(t, fmt.Sprintf("127.0.0.1:%d", plain["pop3"]), "pop3", "server refused STLS: -ERR TLS support isn't enabled.", "dovecot-pop3-notls", version)
		if _, err := os.Stat("/usr/lib/dovecot/lmtp"); err == nil {
			liveRefused(t, fmt.Sprintf("127.0.0.1:%d", plain["lmtp"]), "lmtp", "server refused STARTTLS: 502 5.5.1 TLS support is not enabled.", "dovecot-lmtp-notls", version)
		}
		if _, err := os.Stat("/usr/lib/dovecot/managesieve"); err == nil {
			liveRefused(t, fmt.Sprintf("127.0.0.1:%d", plain["sieve"]), "sieve", `server refused STARTTLS: NO "TLS support isn't enabled."`, "dovecot-sieve-notls", version)
		}
	})
}

// TestLivePostgres runs a PostgreSQL server with ssl = on, checks
// SSLRequest, a startup message over TLS, and then, after turning ssl off
// and reloading, the 'N' refusal.
func TestLivePostgres(t *testing.T) {
	certs := makeCerts(t)
	addr, pg, appendConf, version := startPostgres(t, certs)

	t.Run("postgres", func(t *testing.T) {
		tc := liveUpgrade(t, addr, "postgres", Options{}, certs, "postgresql", version)
		// StartupMessage, protocol 3.0; trust auth answers AuthenticationOk.
		params := "user\x00postgres\x00database\x00postgres\x00\x00"
		msg := make([]byte, 8, 8+len(params))
		binary.BigEndian.PutUint32(msg, uint32(8+len(params)))
		binary.BigEndian.PutUint32(msg[4:], 3<<16)
		if _, err := tc.Write(append(msg, params...)); err != nil {
			t.Fatal(err)
		}
		var reply [9]byte
		if _, err := io.ReadFull(tc, reply[:]); err != nil {
			t.Fatalf("reading the startup reply over TLS: %v", err)
		}
		if reply[0] != 'R' || binary.BigEndian.Uint32(reply[5:]) != 0 {
			t.Fatalf("startup reply over TLS: %q, want AuthenticationOk", reply)
		}
	})
	t.Run("without TLS", func(t *testing.T) {
		appendConf("ssl = off\n")
		if err := pg.Process.Signal(syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
		// The reload is asynchronous: retry until the answer changes.
		deadline := time.Now().Add(liveDeadline)
		for {
			raw, err := net.DialTimeout("tcp", addr, liveDeadline)
			if err != nil {
				t.Fatal(err)
			}
			rec := &recorder{Conn: raw}
			_, err = Upgrade(rec, "postgres", Options{Timeout: liveDeadline})
			raw.Close()
			want := "starttls: postgres: server refused SSL: it answered 'N' to SSLRequest"
			if err != nil && strings.HasPrefix(err.Error(), want) {
				t.Logf("without TLS: %v", err)
				if *record {
					rec.save(t, "postgresql-notls", version, "postgres", Options{}, err)
				}
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("after ssl = off: %v, want %q", err, want)
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
}

// asUser makes cmd run as the named system user.
func asUser(t *testing.T, cmd *exec.Cmd, name string) *exec.Cmd {
	t.Helper()
	uid, gid := lookupIDs(t, name)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uid, Gid: gid}}
	return cmd
}

// ownedDir returns an openDir owned by the named system user.
func ownedDir(t *testing.T, name string) string {
	t.Helper()
	uid, gid := lookupIDs(t, name)
	dir := openDir(t)
	if err := os.Chown(dir, int(uid), int(gid)); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestLiveVsftpd runs vsftpd with and without ssl_enable.
func TestLiveVsftpd(t *testing.T) {
	needRoot(t)
	bin := findBin(t, []string{"/usr/sbin"}, "vsftpd")
	certs := makeCerts(t)
	start := func(tlsOn bool) string {
		dir := openDir(t)
		empty := filepath.Join(dir, "empty")
		os.Mkdir(empty, 0o755)
		port := freePort(t)
		conf := fmt.Sprintf("listen=YES\nlisten_ipv6=NO\nlisten_address=127.0.0.1\nlisten_port=%d\nbackground=NO\n"+
			"anonymous_enable=NO\nlocal_enable=YES\nseccomp_sandbox=NO\nsecure_chroot_dir=%s\nvsftpd_log_file=%s/vsftpd.log\n",
			port, empty, dir)
		if tlsOn {
			conf += fmt.Sprintf("ssl_enable=YES\nrsa_cert_file=%s\nrsa_private_key_file=%s\n", certs.cert, certs.key)
		}
		p := filepath.Join(dir, "vsftpd.conf")
		os.WriteFile(p, []byte(conf), 0o600)
		startDaemon(t, exec.Command(bin, p))
		addr := fmt.Sprintf("127.0.0.1:%d", port)
		waitPort(t, addr)
		return addr
	}
	version := "vsftpd " + debVersion("vsftpd")
	tc := liveUpgrade(t, start(true), "ftp", Options{}, certs, "vsftpd-ftp", version)
	if reply := command(t, tc, "FEAT"); !strings.HasPrefix(reply, "211") {
		t.Fatalf("FEAT over TLS: %q", reply)
	}
	liveRefused(t, start(false), "ftp", "server refused AUTH TLS: 530 Please login with USER and PASS.", "vsftpd-ftp-notls", version)
}

// debVersion returns the installed Debian package version, for comments.
func debVersion(pkg string) string {
	out, err := exec.Command("dpkg-query", "-W", "-f", "${Version}", pkg).Output()
	if err != nil {
		return "(version unknown)"
	}
	return string(out)
}

// TestLiveSlapd runs OpenLDAP's slapd with and without TLS settings; over
// TLS it asks "Who am I?" (RFC 4532).
func TestLiveSlapd(t *testing.T) {
	needRoot(t)
	findBin(t, []string{"/usr/sbin"}, "slapd") // skip before making certificates
	certs := makeCerts(t)
	start := func(tlsOn bool) string { return startSlapd(t, certs, tlsOn) }
	version := "slapd " + debVersion("slapd")
	tc := liveUpgrade(t, start(true), "ldap", Options{}, certs, "slapd-ldap", version)
	// ExtendedRequest "Who am I?", message ID 2.
	const whoami = "1.3.6.1.4.1.4203.1.11.3"
	req := "\x30\x1e\x02\x01\x02\x77\x19\x80\x17" + whoami
	if _, err := io.WriteString(tc, req); err != nil {
		t.Fatal(err)
	}
	s := &session{proto: "ldap", conn: tc, r: bufio.NewReader(tc), opts: Options{Timeout: liveDeadline}, what: "Who am I? response"}
	raw, err := readBER(s)
	if err != nil {
		t.Fatal(err)
	}
	r, err := parseLDAPResponse(raw)
	if err != nil || r.id != 2 || r.code != 0 {
		t.Fatalf("Who am I? over TLS: %+v, %v", r, err)
	}
	liveRefused(t, start(false), "ldap", "server refused StartTLS: resultCode ", "slapd-ldap-notls", version)
}

// TestLiveMariaDB runs mariadbd with and without --ssl-cert; over TLS it
// logs in (grant tables skipped) and expects an OK packet.
func TestLiveMariaDB(t *testing.T) {
	certs := makeCerts(t)
	start := mariaDB(t, certs)
	version := "mariadb " + debVersion("mariadb-server")
	addr, stop := start(true)
	tc := liveUpgrade(t, addr, "mysql", Options{}, certs, "mariadb-mysql", version)
	// HandshakeResponse41 for root with no password, sequence 2.
	var p []byte
	p = binary.LittleEndian.AppendUint32(p, mysqlClientFlags)
	p = binary.LittleEndian.AppendUint32(p, 1<<24)
	p = append(p, 0x21)
	p = append(p, make([]byte, 23)...)
	p = append(p, "root\x00"...)
	p = append(p, 0) // empty auth response
	p = append(p, "mysql_native_password\x00"...)
	pkt := append([]byte{byte(len(p)), byte(len(p) >> 8), 0, 2}, p...)
	if _, err := tc.Write(pkt); err != nil {
		t.Fatal(err)
	}
	var hdr [5]byte
	if _, err := io.ReadFull(tc, hdr[:]); err != nil {
		t.Fatalf("reading the login reply over TLS: %v", err)
	}
	if hdr[4] != 0x00 {
		t.Fatalf("login reply over TLS starts %x, want an OK packet", hdr)
	}
	// Restart the same data directory without TLS.
	stop()
	addr, _ = start(false)
	liveRefused(t, addr, "mysql", "does not support SSL (no CLIENT_SSL in its capabilities)", "mariadb-mysql-notls", version)
}

// TestLiveProsody runs Prosody with c2s and s2s listeners, once with a
// certificate and once without (no STARTTLS offered).
func TestLiveProsody(t *testing.T) {
	needRoot(t)
	findBin(t, nil, "prosody") // skip before making certificates
	certs := makeCerts(t)
	start := func(tlsOn bool) (c2s, s2s string) { return startProsody(t, certs, tlsOn) }
	version := "prosody " + debVersion("prosody")
	c2s, s2s := start(true)
	for _, tc := range []struct{ proto, addr, ns string }{
		{"xmpp", c2s, "jabber:client"},
		{"xmpp-server", s2s, "jabber:server"},
	} {
		t.Run(tc.proto, func(t *testing.T) {
			conn := liveUpgrade(t, tc.addr, tc.proto, Options{Host: "localhost"}, certs, "prosody-"+tc.proto, version)
			// RFC 6120 5.4.3.3: the stream restarts over TLS.
			header := "<stream:stream xmlns:stream='http://etherx.jabber.org/streams' xmlns='" + tc.ns + "' to='localhost' version='1.0'>"
			if _, err := io.WriteString(conn, header); err != nil {
				t.Fatal(err)
			}
			var got strings.Builder
			buf := make([]byte, 4096)
			for !strings.Contains(got.String(), "</stream:features>") {
				n, err := conn.Read(buf)
				got.Write(buf[:n])
				if err != nil {
					t.Fatalf("reading the restarted stream over TLS: %v (got %q)", err, got.String())
				}
			}
		})
	}
	t.Run("without TLS", func(t *testing.T) {
		c2s, _ := start(false)
		raw, err := net.DialTimeout("tcp", c2s, liveDeadline)
		if err != nil {
			t.Fatal(err)
		}
		defer raw.Close()
		rec := &recorder{Conn: raw}
		_, err = Upgrade(rec, "xmpp", Options{Host: "localhost", Timeout: liveDeadline})
		want := "starttls: xmpp: server does not offer STARTTLS in its stream features"
		if err == nil || err.Error() != want {
			t.Fatalf("Upgrade: %v, want %q", err, want)
		}
		if *record {
			rec.save(t, "prosody-xmpp-notls", version, "xmpp", Options{Host: "localhost"}, err)
		}
	})
}

// TestLiveInspIRCd runs InspIRCd 3 with the starttls module, and without.
func TestLiveInspIRCd(t *testing.T) {
	needRoot(t)
	bin := findBin(t, []string{"/usr/sbin"}, "inspircd")
	if _, err := os.Stat("/usr/lib/inspircd/modules/m_starttls.so"); err != nil {
		t.Skip("inspircd's starttls module is not installed")
	}
	certs := makeCerts(t)
	start := func(tlsOn bool) string {
		dir := ownedDir(t, "irc")
		port := freePort(t)
		conf := fmt.Sprintf(`<config format="xml">
<server name="irc.tlskit.test" description="tlskit test" network="tlskit">
<admin name="test" nick="test" email="test@tlskit.test">
<bind address="127.0.0.1" port="%d" type="clients">
<connect allow="*" timeout="60" localmax="100" globalmax="100" resolvehostnames="no">
<dns server="127.0.0.1" timeout="1">
<pid file="%s/inspircd.pid">
<log method="file" type="* -USERINPUT -USEROUTPUT" level="default" target="%s/ircd.log">
`, port, dir, dir)
		if tlsOn {
			conf += fmt.Sprintf(`<module name="ssl_gnutls">
<sslprofile name="Clients" provider="gnutls" certfile="%s" keyfile="%s" dhfile="" hash="sha256" requestclientcert="no">
<module name="starttls">
<starttls provider="Clients">
`, certs.cert, certs.key)
		}
		p := filepath.Join(dir, "inspircd.conf")
		os.WriteFile(p, []byte(conf), 0o644)
		t.Cleanup(func() {
			if t.Failed() {
				b, _ := os.ReadFile(filepath.Join(dir, "ircd.log"))
				t.Logf("ircd.log:\n%s", b)
			}
		})
		startDaemon(t, asUser(t, exec.Command(bin, "--nofork", "--config", p), "irc"))
		addr := fmt.Sprintf("127.0.0.1:%d", port)
		waitPort(t, addr)
		return addr
	}
	version := "inspircd " + debVersion("inspircd")
	tc := liveUpgrade(t, start(true), "irc", Options{}, certs, "inspircd-irc", version)
	if reply := command(t, tc, "NICK tlskit\r\nUSER tlskit 0 * :tlskit"); !strings.HasPrefix(reply, ":") {
		t.Fatalf("NICK/USER over TLS: %q", reply)
	}
	// Without the starttls module InspIRCd ignores the command before
	// registration, so the bounded wait is what ends the attempt.
	raw, err := net.DialTimeout("tcp", start(false), liveDeadline)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	_, err = Upgrade(raw, "irc", Options{Timeout: 1500 * time.Millisecond})
	want := "starttls: irc: timed out after 1.5s waiting for the server's reply to STARTTLS"
	if err == nil || err.Error() != want {
		t.Fatalf("Upgrade without the starttls module: %v, want %q", err, want)
	}
}

// startPostgres starts a PostgreSQL server with ssl = on and a trust
// login for postgres; it returns its address, the process, a function
// that appends to its configuration, and its version.
func startPostgres(t *testing.T, certs liveCerts) (addr string, pg *exec.Cmd, appendConf func(string), version string) {
	t.Helper()
	needRoot(t)
	dirs := []string{"/usr/lib/postgresql/*/bin"}
	initdb := findBin(t, dirs, "initdb")
	bin := findBin(t, dirs, "postgres")
	uid, gid := lookupIDs(t, "postgres")
	dir := openDir(t)
	os.Chown(dir, int(uid), int(gid))
	data := filepath.Join(dir, "data")
	asPostgres := func(cmd *exec.Cmd) *exec.Cmd {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uid, Gid: gid}}
		cmd.Dir = dir
		return cmd
	}
	if out, err := asPostgres(exec.Command(initdb, "-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8")).CombinedOutput(); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	// The server insists that its key be private to it.
	key, _ := os.ReadFile(certs.key)
	cert, _ := os.ReadFile(certs.cert)
	for name, b := range map[string][]byte{"server.key": key, "server.crt": cert} {
		p := filepath.Join(data, name)
		os.WriteFile(p, b, 0o600)
		os.Chown(p, int(uid), int(gid))
	}
	port := freePort(t)
	confFile := filepath.Join(data, "postgresql.conf")
	appendConf = func(s string) {
		f, err := os.OpenFile(confFile, os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		io.WriteString(f, s)
	}
	appendConf(fmt.Sprintf("\nlisten_addresses = '127.0.0.1'\nport = %d\nunix_socket_directories = '%s'\nssl = on\nfsync = off\n", port, dir))
	pg = asPostgres(exec.Command(bin, "-D", data))
	startDaemon(t, pg)
	addr = fmt.Sprintf("127.0.0.1:%d", port)
	waitPort(t, addr)
	// PostgreSQL accepts connections before it takes sessions, and
	// answers them "the database system is starting up" (57P03) until
	// then: wait until pg_isready says it accepts them.
	isready := findBin(t, dirs, "pg_isready")
	for deadline := time.Now().Add(liveDeadline); ; {
		err := exec.Command(isready, "-q", "-h", "127.0.0.1", "-p", strconv.Itoa(port), "-t", "2").Run()
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("postgres on %s not ready within %v: %v", addr, liveDeadline, err)
		}
		time.Sleep(50 * time.Millisecond) // retry interval
	}
	version = "postgres"
	if out, err := exec.Command(bin, "--version").Output(); err == nil {
		version = strings.TrimSpace(string(out))
	}
	return addr, pg, appendConf, version
}

// startSlapd starts OpenLDAP's slapd on 127.0.0.1, with the test
// certificate when tlsOn, and returns its address.
func startSlapd(t *testing.T, certs liveCerts, tlsOn bool) string {
	t.Helper()
	needRoot(t)
	bin := findBin(t, []string{"/usr/sbin"}, "slapd")
	dir := openDir(t)
	db := filepath.Join(dir, "db")
	os.Mkdir(db, 0o700)
	conf := fmt.Sprintf("include /etc/ldap/schema/core.schema\nmodulepath /usr/lib/ldap\nmoduleload back_mdb\n"+
		"pidfile %s/slapd.pid\ndatabase mdb\nsuffix \"dc=tlskit,dc=test\"\ndirectory %s\n", dir, db)
	if tlsOn {
		conf = fmt.Sprintf("TLSCertificateFile %s\nTLSCertificateKeyFile %s\n", certs.cert, certs.key) + conf
	}
	p := filepath.Join(dir, "slapd.conf")
	os.WriteFile(p, []byte(conf), 0o600)
	port := freePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	startDaemon(t, exec.Command(bin, "-d", "256", "-f", p, "-h", "ldap://"+addr+"/"))
	waitPort(t, addr)
	return addr
}

// startProsody starts Prosody with c2s and s2s listeners on 127.0.0.1,
// with the test certificate (STARTTLS offered) when tlsOn.
func startProsody(t *testing.T, certs liveCerts, tlsOn bool) (c2s, s2s string) {
	t.Helper()
	needRoot(t)
	bin := findBin(t, nil, "prosody")
	dir := ownedDir(t, "prosody")
	data := filepath.Join(dir, "data")
	os.Mkdir(data, 0o750)
	uid, gid := lookupIDs(t, "prosody")
	os.Chown(data, int(uid), int(gid))
	cport, sport := freePort(t), freePort(t)
	conf := fmt.Sprintf(`pidfile = %q
data_path = %q
daemonize = false
c2s_ports = { %d }
s2s_ports = { %d }
c2s_direct_tls_ports = {}
s2s_direct_tls_ports = {}
legacy_ssl_ports = {}
interfaces = { "127.0.0.1" }
log = { info = "*console" }
c2s_require_encryption = false
s2s_require_encryption = false
`, filepath.Join(dir, "prosody.pid"), data, cport, sport)
	if tlsOn {
		conf += fmt.Sprintf("modules_enabled = { \"tls\", \"saslauth\", \"dialback\", \"disco\" }\nssl = { certificate = %q, key = %q }\n", certs.cert, certs.key)
	} else {
		// Each option once: Prosody's duplicate-option warning fails on
		// a long config path (it cannot find the line number).
		conf += "modules_enabled = { \"saslauth\", \"dialback\", \"disco\" }\nmodules_disabled = { \"tls\" }\n"
	}
	conf += "VirtualHost \"localhost\"\n"
	p := filepath.Join(dir, "prosody.cfg.lua")
	os.WriteFile(p, []byte(conf), 0o644)
	startDaemon(t, asUser(t, exec.Command(bin, "-F", "--config", p), "prosody"))
	c2s, s2s = fmt.Sprintf("127.0.0.1:%d", cport), fmt.Sprintf("127.0.0.1:%d", sport)
	waitPort(t, c2s)
	waitPort(t, s2s)
	return c2s, s2s
}

// mariaDB installs a MariaDB data directory and returns a function that
// starts mariadbd on it (grant tables skipped), with the test certificate
// when tlsOn, and returns its address and a function that stops it.
func mariaDB(t *testing.T, certs liveCerts) (start func(tlsOn bool) (string, func())) {
	t.Helper()
	needRoot(t)
	bin := findBin(t, []string{"/usr/sbin"}, "mariadbd", "mysqld")
	install := findBin(t, nil, "mariadb-install-db", "mysql_install_db")
	dir := ownedDir(t, "mysql")
	data := filepath.Join(dir, "data")
	if out, err := exec.Command(install, "--no-defaults", "--datadir="+data, "--user=mysql",
		"--auth-root-authentication-method=normal", "--skip-test-db").CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", install, err, out)
	}
	return func(tlsOn bool) (string, func()) {
		port := freePort(t)
		args := []string{"--no-defaults", "--datadir=" + data, "--socket=" + filepath.Join(dir, "sock"),
			fmt.Sprintf("--port=%d", port), "--bind-address=127.0.0.1", "--user=mysql",
			"--skip-grant-tables", "--skip-log-bin", "--pid-file=" + filepath.Join(dir, "pid")}
		if tlsOn {
			args = append(args, "--ssl-cert="+certs.cert, "--ssl-key="+certs.key)
		}
		stop := startDaemon(t, exec.Command(bin, args...))
		addr := fmt.Sprintf("127.0.0.1:%d", port)
		waitPort(t, addr)
		return addr, stop
	}
}
