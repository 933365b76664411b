package dn

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/testpeer"
)

// nameopts are the settings every test name is printed with, by us and by
// openssl, and the outputs compared byte for byte.
var nameopts = []string{
	"", "oneline", "RFC2253", "multiline", "compat", "utf8", "esc_msb",
	"RFC2253,-esc_msb", "oneline,-esc_msb", "oneline,-space_eq", "sname", "lname,sep_multiline",
	"oid", "dump_all", "dump_der,dump_all", "dump_nostr", "dn_rev", "nofname", "space_eq",
	"sep_comma_plus", "sep_semi_plus_space", "show_type", "dump_unknown", "esc_2254",
	"esc_ctrl", "esc_2253", "esc_2253,use_quote", "esc_2253,esc_2254", "align", "oid,align,sep_multiline",
	"ca_default", "ignore_type", "ignore_type,esc_msb", "utf8,esc_ctrl", "esc_2254,oneline",
	"oneline,esc_2254", "-esc_2253", "RFC2253,dump_unknown", "lname,show_type,space_eq",
	"multiline,utf8", "multiline,-align", "ESC_MSB,Utf8", "oneline,", ",utf8", "utf8 , esc_msb",
}

func needOpenSSL(t *testing.T) string {
	t.Helper()
	return testpeer.Need(t, "openssl")
}

func run(t *testing.T, dir string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "openssl", args...)
	cmd.Dir = dir
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, errb.String())
	}
	return out.String()
}

// rawName builds a DER RDNSequence; each inner slice is one RDN.
func rawName(t *testing.T, rdns ...[]attr) []byte {
	t.Helper()
	var seq []asn1.RawValue
	for _, rdn := range rdns {
		var set []byte
		for _, a := range rdn {
			b, err := asn1.Marshal(struct {
				Type  asn1.ObjectIdentifier
				Value asn1.RawValue
			}{a.oid, asn1.RawValue{Class: 0, Tag: a.tag, Bytes: a.val}})
			if err != nil {
				t.Fatal(err)
			}
			set = append(set, b...)
		}
		seq = append(seq, asn1.RawValue{Class: 0, Tag: 17, IsCompound: true, Bytes: set})
	}
	b, err := asn1.Marshal(seq)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type attr struct {
	oid asn1.ObjectIdentifier
	tag int
	val []byte
}

func a(oid string, tag int, val string) attr {
	var o asn1.ObjectIdentifier
	for _, p := range strings.Split(oid, ".") {
		n := 0
		for _, c := range p {
			n = n*10 + int(c-'0')
		}
		o = append(o, n)
	}
	return attr{o, tag, []byte(val)}
}

func bmp(s string) string {
	var b []byte
	for _, r := range s {
		b = append(b, byte(r>>8), byte(r))
	}
	return string(b)
}

func ucs4(s string) string {
	var b []byte
	for _, r := range s {
		b = append(b, byte(r>>24), byte(r>>16), byte(r>>8), byte(r))
	}
	return string(b)
}

// writeCertPair signs a throwaway certificate with the given raw subject
// and issuer names, so one openssl run prints two names.
func writeCertPair(t *testing.T, dir, name string, subject, issuer []byte) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), RawSubject: subject, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour)}
	parent := &x509.Certificate{RawSubject: issuer, PublicKey: &key.PublicKey}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name+".pem")
	if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func titled(title string, raw []byte, o Options) string { return Line(title, raw, o) + "\n" }

// compareNames prints the subject and issuer of the certificate at path
// with openssl under every nameopts entry and checks Format agrees.
func compareNames(t *testing.T, dir, path string, subject, issuer []byte, opts []string) {
	t.Helper()
	for _, no := range opts {
		args := []string{"x509", "-in", path, "-noout", "-subject", "-issuer"}
		o := Default()
		if no != "" {
			args = append(args, "-nameopt", no)
			var err error
			if o, err = ParseOptions(no); err != nil {
				t.Errorf("ParseOptions(%q): %v", no, err)
				continue
			}
		}
		want := run(t, dir, args...)
		if got := titled("subject", subject, o) + titled("issuer", issuer, o); got != want {
			t.Errorf("%s -nameopt %q:\n got %q\nwant %q", filepath.Base(path), no, got, want)
		}
	}
}

// compareText checks FormatIndent (X509_NAME_print_ex) against the
// "Subject:" and "Issuer:" lines of "openssl x509 -text", which is how
// s_client prints depth= lines; for compat that is a different layout.
func compareText(t *testing.T, dir, path string, subject, issuer []byte, opts []string) {
	t.Helper()
	for _, no := range opts {
		o, err := ParseOptions(no)
		if err != nil {
			t.Fatal(err)
		}
		out := run(t, dir, "x509", "-in", path, "-noout", "-text", "-nameopt", no)
		for _, f := range []struct {
			label string
			raw   []byte
		}{{"Subject: ", subject}, {"Issuer: ", issuer}} {
			var want string
			for _, l := range strings.Split(out, "\n") {
				if l = strings.TrimLeft(l, " "); strings.HasPrefix(l, f.label) {
					want = strings.TrimPrefix(l, f.label)
				}
			}
			got, err := FormatIndent(f.raw, o, 0)
			if err != nil || got != want {
				t.Errorf("%s -text -nameopt %q %s\n got %q (%v)\nwant %q", filepath.Base(path), no, f.label, got, err, want)
			}
		}
	}
}

var textNameopts = []string{"compat", "oneline", "RFC2253", "utf8", "oneline,-esc_msb", "sep_semi_plus_space,lname"}

func TestFormatMatchesOpenSSL(t *testing.T) {
	needOpenSSL(t)
	dir := t.TempDir()

	// A name made by openssl itself from a -subj string, with the
	// escaping cases RFC 2253 section 2.4 lists.
	subj := `/C=US/ST=Cal\, ifornia/O=Org+OU=Unit/CN=héllo "q" <x>;=#/emailAddress=a@b.c/DC=com/UID=u1` +
		`/serialNumber=42/street=Main/title=T/GN=G/SN=S/CN=\#lead\\back\/slash /O= sp /L=(x*)/OU=a\+b` +
		`/O=日本語/CN=ümlaut €uro`
	run(t, dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
		"-keyout", "req.key", "-out", "req.pem", "-days", "1", "-utf8", "-multivalue-rdn", "-subj", subj)
	pemBytes, err := os.ReadFile(filepath.Join(dir, "req.pem"))
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(pemBytes)
	cert, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	compareNames(t, dir, filepath.Join(dir, "req.pem"), cert.RawSubject, cert.RawIssuer, nameopts)
	compareText(t, dir, filepath.Join(dir, "req.pem"), cert.RawSubject, cert.RawIssuer, textNameopts)

	// Encodings openssl's -subj cannot produce.
	odd := rawName(t,
		[]attr{a("2.5.4.3", 20, "a\x01b\x7fc\xe9d\x1f")},
		[]attr{a("2.5.4.3", 30, bmp("héllo€"))}, []attr{a("2.5.4.10", 30, bmp("plain"))},
		[]attr{a("2.5.4.3", 28, ucs4("g𝄞é"))}, []attr{a("2.5.4.10", 28, ucs4("ab"))},
		[]attr{a("1.2.3.4", 12, "odd"), a("2.5.4.3", 12, "x")}, []attr{a("1.3.6.1.4.1.99999.1", 19, "y")},
		[]attr{a("2.5.4.3", 22, "a(b)*c\x00\\")},
		[]attr{a("2.5.4.3", 12, " ")}, []attr{a("2.5.4.10", 12, "# x ")},
	)
	known := rawName(t,
		[]attr{a("2.5.4.6", 19, "US"), a("2.5.4.8", 12, "st"), a("2.5.4.7", 12, "l")},
		[]attr{a("2.5.4.9", 12, "s"), a("2.5.4.12", 12, "t"), a("2.5.4.13", 12, "d"), a("2.5.4.15", 12, "b")},
		[]attr{a("2.5.4.16", 12, "p"), a("2.5.4.17", 12, "pc"), a("2.5.4.18", 12, "po"), a("2.5.4.20", 12, "tel")},
		[]attr{a("2.5.4.41", 12, "n"), a("2.5.4.42", 12, "g"), a("2.5.4.43", 12, "i"), a("2.5.4.44", 12, "gq")},
		[]attr{a("2.5.4.46", 12, "dq"), a("2.5.4.65", 12, "ps"), a("2.5.4.72", 12, "r"), a("2.5.4.97", 12, "oi")},
		[]attr{a("1.2.840.113549.1.9.1", 22, "e"), a("1.2.840.113549.1.9.2", 22, "un"), a("0.9.2342.19200300.100.1.1", 12, "u")},
		[]attr{a("0.9.2342.19200300.100.1.3", 22, "m"), a("0.9.2342.19200300.100.1.25", 22, "dc"), a("2.5.4.4", 12, "sn"), a("2.5.4.5", 19, "1")},
		[]attr{a("1.3.6.1.4.1.311.60.2.1.1", 12, "jl"), a("1.3.6.1.4.1.311.60.2.1.2", 12, "js"), a("1.3.6.1.4.1.311.60.2.1.3", 19, "JC")},
		[]attr{a("2.5.4.10", 12, "o"), a("2.5.4.11", 12, "ou"), a("2.5.4.3", 12, "cn"), a("2.5.4.14", 12, "sg"), a("2.5.4.19", 12, "pd")},
		[]attr{a("1.2.840.113549.1.9.8", 12, "ua")},
	)
	oddPath := writeCertPair(t, dir, "odd", odd, known)
	compareNames(t, dir, oddPath, odd, known, nameopts)
	compareText(t, dir, oddPath, odd, known, textNameopts)

	empty := rawName(t)
	compareNames(t, dir, writeCertPair(t, dir, "empty", empty, empty), empty, empty,
		[]string{"", "compat", "multiline", "RFC2253"})
}

func TestParseOptionsRejects(t *testing.T) {
	for _, s := range []string{"bogus", "-nope", "dump_unknown_fields", "-", "on"} {
		if _, err := ParseOptions(s); err == nil {
			t.Errorf("ParseOptions(%q) accepted an invalid word", s)
		}
	}
}

func TestDefaultIsOneline(t *testing.T) {
	o, err := ParseOptions("oneline")
	if err != nil || o != Default() {
		t.Fatalf("Default() = %#v, oneline = %#v (%v)", Default(), o, err)
	}
	raw := rawName(t, []attr{a("2.5.4.3", 12, "localhost")})
	if got := Format(raw, Default()); got != "CN = localhost" {
		t.Fatalf("Format = %q", got)
	}
}
