package sslconf

import (
	"bufio"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func write(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "openssl.cnf")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadFollowsSections(t *testing.T) {
	p := write(t, `# Debian-style crypto policy
HOME = .
level = 1
openssl_conf = default_conf

[ default_conf ]
ssl_conf = ssl_sect

[ssl_sect]
system_default = system_default_sect

[system_default_sect]
MinProtocol = TLSv1.2   # a comment
MaxProtocol = "TLSv1.3"
CipherString = DEFAULT@SECLEVEL=$level
Ciphersuites =
curves = X25519:P-256
SignatureAlgorithms = ECDSA+SHA256:\
rsa_pss_rsae_sha256
Options = ServerPreference,-SessionTicket
Protocol = -ALL, TLSv1.2, TLSv1.3

[other]
MinProtocol = TLSv1.3
`)
	d, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	want := []Command{
		{"MinProtocol", "TLSv1.2"}, // a comment
		{"MaxProtocol", "TLSv1.3"},
		{"CipherString", "DEFAULT@SECLEVEL=1"}, // a $reference to the default section
		{"Ciphersuites", ""},
		{"curves", "X25519:P-256"},
		{"SignatureAlgorithms", "ECDSA+SHA256:rsa_pss_rsae_sha256"}, // a continued line
		{"Options", "ServerPreference,-SessionTicket"},
		{"Protocol", "-ALL, TLSv1.2, TLSv1.3"},
	}
	if !slices.Equal(d.Commands, want) {
		t.Errorf("commands\n got %q\nwant %q", d.Commands, want)
	}
}

// value is the last value of the named command, "" when not there.
func value(d *Defaults, name string) string {
	v := ""
	for _, c := range d.Commands {
		if c.Name == name {
			v = c.Value
		}
	}
	return v
}

func TestLoadWithoutSSLConf(t *testing.T) {
	for name, text := range map[string]string{
		"no openssl_conf":     "[system_default_sect]\nMinProtocol = TLSv1.3\n",
		"no ssl_conf":         "openssl_conf = init\n[init]\n[system_default_sect]\nMinProtocol = TLSv1.3\n",
		"no system_default":   "openssl_conf = init\n[init]\nssl_conf = s\n[s]\n",
		"debian's stock file": "openssl_conf = openssl_init\n[openssl_init]\n[ ca ]\ndefault_ca = CA_default\n",
	} {
		d, err := Load(write(t, text))
		if err != nil || len(d.Commands) != 0 {
			t.Errorf("%s: %+v %v, want no defaults", name, d, err)
		}
	}
	if d, err := Load(filepath.Join(t.TempDir(), "missing.cnf")); err == nil || d == nil {
		t.Errorf("missing file: %v %v, want an error and empty defaults", d, err)
	}
	if d, _ := Load(t.TempDir()); d == nil || len(d.Commands) != 0 {
		t.Errorf("a directory: %+v", d)
	}
}

func TestPath(t *testing.T) {
	t.Setenv("OPENSSL_CONF", "/x/y.cnf")
	if p := Path(); p != "/x/y.cnf" {
		t.Errorf("Path() = %q with OPENSSL_CONF set", p)
	}
	t.Setenv("OPENSSL_CONF", "")
	if p := Path(); p != DefaultPath {
		t.Errorf("Path() = %q, want %q", p, DefaultPath)
	}
}

func FuzzConfig(f *testing.F) {
	f.Add("openssl_conf = a\n[a]\nssl_conf = b\n[b]\nsystem_default = c\n[c]\nCipherString = \"x\\\"y\" # c\nOptions = ${x}$(y)$z\n")
	f.Fuzz(func(t *testing.T, text string) {
		if d := fromSections(parse(bufio.NewScanner(strings.NewReader(text)))); d == nil {
			t.Fatal("nil defaults")
		}
	})
}

// TestInclude: distributions' crypto policies come in by .include, into
// the section that includes them (Fedora's [crypto_policy]).
func TestInclude(t *testing.T) {
	dir := t.TempDir()
	policy := filepath.Join(dir, "opensslcnf.config")
	if err := os.WriteFile(policy, []byte("CipherString = @SECLEVEL=2:kEECDH\nMinProtocol = TLSv1.2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	confd := filepath.Join(dir, "conf.d")
	os.Mkdir(confd, 0o755)
	os.WriteFile(filepath.Join(confd, "a.cnf"), []byte("[extra]\nGroups = P-384\n"), 0o644)
	os.WriteFile(filepath.Join(confd, "b.txt"), []byte("[extra]\nGroups = P-521\n"), 0o644)
	p := write(t, "openssl_conf = openssl_init\n[openssl_init]\nssl_conf = ssl_module\n[ssl_module]\nsystem_default = crypto_policy\n"+
		"[crypto_policy]\n.include = "+policy+"\n.include "+confd+"\n[other]\n")
	d, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if value(d, "CipherString") != "@SECLEVEL=2:kEECDH" || value(d, "MinProtocol") != "TLSv1.2" {
		t.Errorf("included policy not read: %+v", d)
	}
	// The directory's a.cnf switched to [extra]; b.txt is not a config file.
	secs := sections{}
	cur := "default"
	f, _ := os.Open(p)
	defer f.Close()
	parseInto(bufio.NewScanner(f), secs, &cur, 0)
	if v, _ := secs.get("extra", "Groups"); v != "P-384" {
		t.Errorf("[extra] Groups = %q, want P-384 from conf.d/a.cnf only", v)
	}
	// A file that includes itself stops at the depth bound.
	loop := filepath.Join(dir, "loop.cnf")
	os.WriteFile(loop, []byte(".include "+loop+"\nx = 1\n"), 0o644)
	if _, err := Load(loop); err != nil {
		t.Fatal(err)
	}
}

// TestSection: -ssl_config NAME's commands, as SSL_CTX_config finds them
// (each case measured with openssl 3.0.22).
func TestSection(t *testing.T) {
	good := "openssl_conf = init\n[init]\nssl_conf = ssl_sect\n[ssl_sect]\nsystem_default = sys\nMySect = my\n" +
		"[sys]\nMinProtocol = TLSv1\n[my]\nMaxProtocol = TLSv1.2\ncipherstring = AES128-SHA\n"
	p := write(t, good)
	cmds, ok := Section(p, "MySect")
	want := []Command{{"MaxProtocol", "TLSv1.2"}, {"cipherstring", "AES128-SHA"}}
	if !ok || !slices.Equal(cmds, want) {
		t.Errorf("Section(MySect) = %v %v, want %v", cmds, ok, want)
	}
	// Names are matched as they are written; a missing one is openssl's
	// "invalid configuration name".
	for _, name := range []string{"mysect", "my", "missing"} {
		if cmds, ok := Section(p, name); ok {
			t.Errorf("Section(%q) = %v, want not found", name, cmds)
		}
	}
	// A section the module names that is missing or empty fails the
	// whole module: no name is found, and system_default is dropped.
	for name, text := range map[string]string{
		"empty section":   good + "[ssl_sect]\nother = emptysec\n[emptysec]\n",
		"missing section": good + "[ssl_sect]\nother = nosuch\n",
		"no ssl_conf":     "openssl_conf = init\n[init]\n[my]\nMaxProtocol = TLSv1.2\n",
		"no openssl_conf": "[ssl_sect]\nMySect = my\n[my]\nMaxProtocol = TLSv1.2\n",
	} {
		p := write(t, text)
		if cmds, ok := Section(p, "MySect"); ok {
			t.Errorf("%s: Section = %v, want not found", name, cmds)
		}
		if d, _ := Load(p); len(d.Commands) != 0 {
			t.Errorf("%s: system_default read: %+v", name, d)
		}
	}
	if _, ok := Section(filepath.Join(t.TempDir(), "missing.cnf"), "MySect"); ok {
		t.Error("a missing file has sections")
	}
	if d, _ := Load(p); value(d, "MinProtocol") != "TLSv1" {
		t.Errorf("system_default of the good file: %+v", d)
	}
}

// TestSectionRepeatedName: a name set again in a section replaces the
// earlier line, which leaves its place, as openssl 3.0.22 reads it (a bad
// "MinProtocol = TLSv9" before "MinProtocol = TLSv1.2" does not fail
// there); names differing in case stay two lines.
func TestSectionRepeatedName(t *testing.T) {
	p := write(t, "openssl_conf = init\n[init]\nssl_conf = ssl_sect\n[ssl_sect]\nmy = my\n"+
		"[my]\nMinProtocol = TLSv9\nCipherString = AES128-SHA\nminprotocol = TLSv1\nMinProtocol = TLSv1.2\n")
	cmds, ok := Section(p, "my")
	want := []Command{{"CipherString", "AES128-SHA"}, {"minprotocol", "TLSv1"}, {"MinProtocol", "TLSv1.2"}}
	if !ok || !slices.Equal(cmds, want) {
		t.Errorf("Section(my) = %v %v, want %v", cmds, ok, want)
	}
}
