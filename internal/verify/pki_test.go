package verify

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/testpeer"
)

// The fixture PKI is generated once per test binary by the real openssl,
// so every comparison runs on certificates OpenSSL itself produced.
var (
	pkiOnce sync.Once
	pkiDir  string
	pkiErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if pkiDir != "" {
		os.RemoveAll(pkiDir)
	}
	os.Exit(code)
}

func needOpenSSL(t *testing.T) {
	t.Helper()
	testpeer.Need(t, "openssl")
}

func ossl(ctx context.Context, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "openssl", args...)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

const caConf = `[ca]
default_ca = CA_default
[CA_default]
dir = .
database = %s.index
new_certs_dir = .
certificate = %s.pem
private_key = %s.key
default_md = sha256
default_crl_days = 1
crlnumber = %s.crlnum
crl_extensions = crlext
policy = pol
[pol]
commonName = optional
[crlext]
authorityKeyIdentifier = keyid:always
`

// pki returns the directory holding the fixture hierarchy:
//
//	root -> int -> leaf (SAN localhost, 127.0.0.1, a@b.c; serverAuth+clientAuth)
//	int -> clientonly (clientAuth only), rsa1024 (1024-bit RSA), sha1 (SHA-1 signed), revoked
//	root -> notca (CA:FALSE) -> undernotca
//	plroot (pathlen:0) -> plint -> plleaf
//	ss: self-signed CN=localhost
//	int.crl revokes "revoked"; root.crl revokes nothing
func pki(t *testing.T) string {
	t.Helper()
	needOpenSSL(t)
	pkiOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		pkiDir, pkiErr = os.MkdirTemp("", "verify-pki")
		if pkiErr != nil {
			return
		}
		d := pkiDir
		write := func(name, content string) {
			if pkiErr == nil {
				pkiErr = os.WriteFile(filepath.Join(d, name), []byte(content), 0o600)
			}
		}
		run := func(args ...string) {
			if pkiErr != nil {
				return
			}
			if out, err := ossl(ctx, d, args...); err != nil {
				pkiErr = &runError{args, out, err}
			}
		}
		ec := []string{"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"}
		selfSigned := func(name, subj string, exts ...string) {
			args := append([]string{"req", "-x509"}, ec...)
			args = append(args, "-keyout", name+".key", "-out", name+".pem", "-days", "30", "-subj", subj)
			for _, e := range exts {
				args = append(args, "-addext", e)
			}
			run(args...)
		}
		issue := func(name, subj, ca, ext string, extra ...string) {
			write(name+".ext", ext)
			key := ec
			if len(extra) > 0 && extra[0] == "rsa1024" {
				key, extra = []string{"-newkey", "rsa:1024", "-nodes"}, extra[1:]
			}
			run(append(append([]string{"req"}, key...), "-keyout", name+".key", "-out", name+".csr", "-subj", subj)...)
			run(append([]string{"x509", "-req", "-in", name + ".csr", "-CA", ca + ".pem", "-CAkey", ca + ".key",
				"-CAcreateserial", "-out", name + ".pem", "-days", "30", "-extfile", name + ".ext"}, extra...)...)
		}
		caExt := "basicConstraints=critical,CA:true\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n"
		leafExt := "subjectAltName=DNS:localhost,IP:127.0.0.1,email:a@b.c\nextendedKeyUsage=serverAuth,clientAuth\n"
		selfSigned("root", "/C=US/O=Org/CN=Root", "basicConstraints=critical,CA:true", "keyUsage=critical,keyCertSign,cRLSign")
		issue("int", "/C=US/O=Org/CN=Int", "root", caExt)
		issue("leaf", "/C=US/O=Org/CN=localhost", "int", leafExt)
		issue("clientonly", "/CN=client", "int", "extendedKeyUsage=clientAuth\n")
		issue("rsa1024", "/CN=small", "int", leafExt, "rsa1024")
		issue("sha1", "/CN=sha1", "int", leafExt, "-sha1")
		issue("revoked", "/CN=revoked", "int", leafExt)
		issue("notca", "/CN=NotCA", "root", "basicConstraints=CA:false\n")
		issue("undernotca", "/CN=under", "notca", leafExt)
		issue("smallint", "/CN=SmallInt", "root", caExt, "rsa1024")
		issue("undersmall", "/CN=undersmall", "smallint", leafExt)
		issue("critext", "/CN=critext", "int", leafExt+"1.2.3.4=critical,ASN1:NULL\n")
		issue("caleaf", "/CN=caleaf", "int", leafExt+"basicConstraints=critical,CA:true\n")
		selfSigned("plroot", "/CN=PLRoot", "basicConstraints=critical,CA:true,pathlen:0", "keyUsage=critical,keyCertSign,cRLSign")
		issue("plint", "/CN=PLInt", "plroot", caExt)
		issue("plleaf", "/CN=plleaf", "plint", leafExt)
		selfSigned("ss", "/CN=localhost")
		selfSigned("wild", "/CN=cn.example", "subjectAltName=DNS:*.example.com,DNS:f*o.test.org,DNS:*.com,DNS:a.*.net,"+
			"DNS:*.xn--bcher-kva.ch,DNS:xn--*.idn.org,DNS:exact.ORG,DNS:f*.pre.org,DNS:*x.suf.org")
		for _, ca := range []string{"int", "root"} {
			write(ca+".cnf", strings.ReplaceAll(caConf, "%s", ca))
			write(ca+".index", "")
			// A CRL number makes the CRL version 2, which crypto/x509 requires.
			write(ca+".crlnum", "01\n")
		}
		run("ca", "-config", "int.cnf", "-revoke", "revoked.pem")
		run("ca", "-config", "int.cnf", "-gencrl", "-out", "int.crl")
		run("ca", "-config", "root.cnf", "-gencrl", "-out", "root.crl")
		// A leaf whose signature no longer matches: flip its last byte.
		if pkiErr == nil {
			var certs []*x509.Certificate
			if certs, pkiErr = parsePEMFiles(d, "leaf.pem"); pkiErr != nil {
				return
			}
			raw := bytes.Clone(certs[0].Raw)
			raw[len(raw)-1] ^= 0x01
			write("badsig.pem", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: raw})))
		}
	})
	if pkiErr != nil {
		t.Fatalf("building the test PKI: %v", pkiErr)
	}
	return pkiDir
}

type runError struct {
	args []string
	out  string
	err  error
}

func (e *runError) Error() string {
	return "openssl " + strings.Join(e.args, " ") + ": " + e.err.Error() + "\n" + e.out
}

// readPEM parses every certificate block in the named files, failing
// the test on any error.
func readPEM(t testing.TB, dir string, names ...string) []*x509.Certificate {
	t.Helper()
	out, err := parsePEMFiles(dir, names...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func parsePEMFiles(dir string, names ...string) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			return nil, err
		}
		for {
			var blk *pem.Block
			blk, b = pem.Decode(b)
			if blk == nil {
				break
			}
			if blk.Type != "CERTIFICATE" {
				continue
			}
			c, err := x509.ParseCertificate(blk.Bytes)
			if err != nil {
				return nil, err
			}
			out = append(out, c)
		}
	}
	return out, nil
}

func readCRLs(t *testing.T, dir string, names ...string) []*x509.RevocationList {
	t.Helper()
	var out []*x509.RevocationList
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			t.Fatal(err)
		}
		blk, _ := pem.Decode(b)
		if blk == nil {
			t.Fatalf("%s: no PEM", n)
		}
		l, err := x509.ParseRevocationList(blk.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, l)
	}
	return out
}
