package verify

import (
	"context"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// This file describes the fixture PKI of the differential test
// (chains_test.go) and builds it with the real openssl when the test runs
// with -update. The certificates, keys and CRLs are then kept in
// testdata/chains, so the comparison runs without openssl.

// keySpecs are the keys the fixtures share: every CA gets its own P-256
// key (named after it), leaves use one of these.
var keySpecs = map[string][]string{
	"p256":         {"-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"},
	"p384":         {"-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"},
	"p256explicit": {"-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-pkeyopt", "ec_param_enc:explicit"},
	"rsa1024":      {"-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024"},
	"rsa2000":      {"-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2000"},
	"rsa2048":      {"-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"},
	"rsa3072":      {"-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:3072"},
}

// certSpec is one certificate: issuer "" makes it self-signed; key ""
// gives it a fresh P-256 key of its own; ext is an openssl extension
// section (lines); days 0 means 36500; md is the signing digest.
type certSpec struct {
	name, subj, issuer, key, ext string
	days                         int
	md                           string
	serial                       string // default: 1000 + the spec's index
}

const (
	caExt   = "basicConstraints=critical,CA:true\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n"
	leafExt = "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\nextendedKeyUsage=serverAuth,clientAuth\n"
	hostSAN = "subjectAltName=DNS:localhost,IP:127.0.0.1,email:a@b.c\n"
)

func ca(name, subj, issuer, extra string) certSpec {
	return certSpec{name: name, subj: subj, issuer: issuer, ext: caExt + extra}
}

func leaf(name, subj, issuer, extra string) certSpec {
	return certSpec{name: name, subj: subj, issuer: issuer, key: "p256", ext: leafExt + extra}
}

var certSpecs = []certSpec{
	{name: "root", subj: "/C=US/O=Good/CN=Root", ext: "basicConstraints=critical,CA:true\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n"},
	ca("int", "/C=US/O=Good/CN=Int", "root", ""),
	leaf("leaf", "/C=US/O=Good/CN=localhost", "int", hostSAN),
	leaf("revoked", "/O=Good/CN=revoked", "int", hostSAN),
	leaf("clientonly", "/O=Good/CN=client", "int", "subjectAltName=DNS:localhost\nextendedKeyUsage=clientAuth\n"),
	{name: "shortlived", subj: "/O=Good/CN=shortlived", issuer: "int", key: "p256", ext: leafExt + hostSAN, days: 2},

	// key strengths and digests for -auth_level
	{name: "k-rsa1024", subj: "/O=Good/CN=rsa1024", issuer: "int", key: "rsa1024", ext: leafExt + hostSAN},
	{name: "k-rsa2000", subj: "/O=Good/CN=rsa2000", issuer: "int", key: "rsa2000", ext: leafExt + hostSAN},
	{name: "k-rsa2048", subj: "/O=Good/CN=rsa2048", issuer: "int", key: "rsa2048", ext: leafExt + hostSAN},
	{name: "k-rsa3072", subj: "/O=Good/CN=rsa3072", issuer: "int", key: "rsa3072", ext: leafExt + hostSAN},
	{name: "k-p384", subj: "/O=Good/CN=p384", issuer: "int", key: "p384", ext: leafExt + hostSAN},
	{name: "k-sha1", subj: "/O=Good/CN=sha1", issuer: "int", key: "p256", ext: leafExt + hostSAN, md: "sha1"},
	{name: "rsaint", subj: "/O=Good/CN=RSAInt", issuer: "root", key: "rsa2048", ext: caExt},
	{name: "k-md5", subj: "/O=Good/CN=md5", issuer: "rsaint", key: "p256", ext: leafExt + hostSAN, md: "md5"},
	{name: "smallint", subj: "/O=Good/CN=SmallInt", issuer: "root", key: "rsa1024", ext: caExt},
	leaf("undersmall", "/O=Good/CN=undersmall", "smallint", hostSAN),

	// basicConstraints, key usage, path length
	{name: "notca", subj: "/O=Good/CN=NotCA", issuer: "root", ext: "basicConstraints=CA:false\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n"},
	leaf("undernotca", "/O=Good/CN=undernotca", "notca", hostSAN),
	ca("nocertsign", "/O=Good/CN=NoCertSign", "root", "keyUsage=critical,digitalSignature,cRLSign\n"),
	leaf("undernocertsign", "/O=Good/CN=undernocertsign", "nocertsign", hostSAN),
	ca("nocrlsign", "/O=Good/CN=NoCRLSign", "root", "keyUsage=critical,keyCertSign\n"),
	leaf("undernocrlsign", "/O=Good/CN=undernocrlsign", "nocrlsign", hostSAN),
	{name: "plroot", subj: "/O=Good/CN=PLRoot", ext: "basicConstraints=critical,CA:true,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n"},
	ca("plint", "/O=Good/CN=PLInt", "plroot", ""),
	leaf("plleaf", "/O=Good/CN=plleaf", "plint", hostSAN),
	ca("pl0int", "/O=Good/CN=PL0Int", "root", "basicConstraints=critical,CA:true,pathlen:0\n"),
	ca("pl0sub", "/O=Good/CN=PL0Sub", "pl0int", ""),
	leaf("pl0leaf", "/O=Good/CN=pl0leaf", "pl0sub", hostSAN),
	{name: "negserial", subj: "/O=Good/CN=negserial", issuer: "int", key: "p256", ext: leafExt + hostSAN, serial: "-5"},
	{name: "explicitec", subj: "/O=Good/CN=explicitec", issuer: "int", key: "p256explicit", ext: leafExt + hostSAN},
	leaf("critext", "/O=Good/CN=critext", "int", hostSAN+"1.2.3.4=critical,ASN1:NULL\n"),
	leaf("critskid", "/O=Good/CN=critskid", "int", hostSAN+"subjectKeyIdentifier=critical,hash\n"),
	leaf("caleaf", "/O=Good/CN=caleaf", "int", hostSAN+"basicConstraints=critical,CA:true\n"),
	{name: "noakid", subj: "/O=Good/CN=noakid", issuer: "int", key: "p256", ext: "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=none\n" + hostSAN},

	// name constraints on an intermediate
	ca("nc-dns", "/O=Good/CN=NC DNS", "root", "nameConstraints=critical,permitted;DNS:allowed.example\n"),
	leaf("dns-ok", "/O=Good/CN=dns-ok", "nc-dns", "subjectAltName=DNS:www.allowed.example\n"),
	leaf("dns-exact", "/O=Good/CN=dns-exact", "nc-dns", "subjectAltName=DNS:ALLOWED.example\n"),
	leaf("dns-evil", "/O=Good/CN=dns-evil", "nc-dns", "subjectAltName=DNS:evil.example\n"),
	leaf("dns-suffix", "/O=Good/CN=dns-suffix", "nc-dns", "subjectAltName=DNS:notallowed.example\n"),
	leaf("cn-evil", "/O=Good/CN=evil.example", "nc-dns", ""),
	leaf("cn-nothost", "/O=Good/CN=not a host", "nc-dns", ""),
	leaf("cn-evil-ipsan", "/O=Good/CN=evil.example", "nc-dns", "subjectAltName=IP:10.1.2.3\n"),
	ca("nc-dnsx", "/O=Good/CN=NC DNS excluded", "root", "nameConstraints=critical,excluded;DNS:.bad.example\n"),
	leaf("dnsx-ok", "/O=Good/CN=dnsx-ok", "nc-dnsx", "subjectAltName=DNS:bad.example\n"),
	leaf("dnsx-bad", "/O=Good/CN=dnsx-bad", "nc-dnsx", "subjectAltName=DNS:www.bad.example\n"),
	ca("nc-ip", "/O=Good/CN=NC IP", "root", "nameConstraints=critical,permitted;IP:10.0.0.0/255.0.0.0,excluded;IP:10.9.0.0/255.255.0.0\n"),
	leaf("ip-ok", "/O=Good/CN=ip-ok", "nc-ip", "subjectAltName=IP:10.1.2.3\n"),
	leaf("ip-out", "/O=Good/CN=ip-out", "nc-ip", "subjectAltName=IP:192.168.1.1\n"),
	leaf("ip-excl", "/O=Good/CN=ip-excl", "nc-ip", "subjectAltName=IP:10.9.8.7\n"),
	leaf("ip-v6", "/O=Good/CN=ip-v6", "nc-ip", "subjectAltName=IP:::1\n"),
	ca("nc-email", "/O=Good/CN=NC email", "root", "nameConstraints=critical,permitted;email:.example.com,permitted;email:boss@corp.example,excluded;email:spam.example.com\n"),
	leaf("email-ok", "/O=Good/CN=email-ok", "nc-email", "subjectAltName=email:a@mail.example.com\n"),
	leaf("email-exact", "/O=Good/CN=email-exact", "nc-email", "subjectAltName=email:boss@CORP.example\n"),
	leaf("email-case", "/O=Good/CN=email-case", "nc-email", "subjectAltName=email:Boss@corp.example\n"),
	leaf("email-out", "/O=Good/CN=email-out", "nc-email", "subjectAltName=email:a@example.com\n"),
	leaf("email-excl", "/O=Good/CN=email-excl", "nc-email", "subjectAltName=email:x@spam.example.com\n"),
	leaf("email-subj", "/O=Good/CN=email-subj/emailAddress=x@other.example", "nc-email", ""),
	ca("nc-uri", "/O=Good/CN=NC URI", "root", "nameConstraints=critical,permitted;URI:.example.com,excluded;URI:host.bad.org\n"),
	leaf("uri-ok", "/O=Good/CN=uri-ok", "nc-uri", "subjectAltName=URI:https://a.example.com:443/x\n"),
	leaf("uri-apex", "/O=Good/CN=uri-apex", "nc-uri", "subjectAltName=URI:https://example.com/x\n"),
	leaf("uri-nohost", "/O=Good/CN=uri-nohost", "nc-uri", "subjectAltName=URI:urn:foo:bar\n"),
	ca("nc-urix", "/O=Good/CN=NC URI excluded", "root", "nameConstraints=critical,excluded;URI:host.bad.org\n"),
	leaf("urix-bad", "/O=Good/CN=urix-bad", "nc-urix", "subjectAltName=URI:ftp://HOST.bad.org/\n"),
	ca("nc-dir", "/O=Good/CN=NC dirName", "root", "nameConstraints=critical,permitted;dirName:dirsect\n[dirsect]\nO=Good\nOU=Team\n"),
	leaf("dir-ok", "/O=Good/OU=team/CN=dir-ok", "nc-dir", ""),
	leaf("dir-out", "/O=Evil/OU=Team/CN=dir-out", "nc-dir", ""),
	ca("nc-dirx", "/O=Good/CN=NC dirName excluded", "root", "nameConstraints=critical,excluded;dirName:dirsect\n[dirsect]\nO=Good\nOU=Bad\n"),
	leaf("dirx-bad", "/O=Good/OU=Bad/CN=dirx-bad", "nc-dirx", ""),
	ca("nc-rid", "/O=Good/CN=NC RID", "root", "nameConstraints=critical,permitted;RID:1.2.3\n"),
	leaf("rid-leaf", "/O=Good/CN=rid-leaf", "nc-rid", "subjectAltName=RID:1.2.3.4\n"),
	leaf("rid-dns", "/O=Good/CN=rid-dns", "nc-rid", "subjectAltName=DNS:localhost\n"),
	// minimum/maximum are not supported (RFC 5280 says they must not be
	// used); openssl's config cannot write them, so DER: maximum 2.
	ca("nc-max", "/O=Good/CN=NC max", "root", "nameConstraints=critical,DER:30:18:a0:16:30:14:82:0f:61:6c:6c:6f:77:65:64:2e:65:78:61:6d:70:6c:65:81:01:02\n"),
	leaf("max-leaf", "/O=Good/CN=max-leaf", "nc-max", "subjectAltName=DNS:www.allowed.example\n"),

	// name constraints on the trust anchor, which constrain the
	// intermediate too
	{name: "ncroot", subj: "/O=Good/CN=NC Root", ext: "basicConstraints=critical,CA:true\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nnameConstraints=critical,permitted;DNS:allowed.example,permitted;dirName:rootdir\n[rootdir]\nO=Good\n"},
	ca("ncroot-int", "/O=Good/CN=NC Root Int", "ncroot", ""),
	ca("ncroot-badint", "/O=Evil/CN=NC Root Bad Int", "ncroot", ""),
	leaf("ncroot-ok", "/O=Good/CN=ncroot-ok", "ncroot-int", "subjectAltName=DNS:a.allowed.example\n"),
	leaf("ncroot-evil", "/O=Good/CN=ncroot-evil", "ncroot-int", "subjectAltName=DNS:a.evil.example\n"),
	leaf("ncroot-underbad", "/O=Good/CN=ncroot-underbad", "ncroot-badint", "subjectAltName=DNS:a.allowed.example\n"),

	// purposes
	ca("clientca", "/O=Good/CN=ClientCA", "root", "extendedKeyUsage=clientAuth\n"),
	leaf("underclientca", "/O=Good/CN=underclientca", "clientca", hostSAN),
	leaf("tsleaf", "/O=Good/CN=tsleaf", "int", "extendedKeyUsage=critical,timeStamping\n"),
	leaf("kuleaf", "/O=Good/CN=kuleaf", "int", hostSAN+"keyUsage=critical,keyAgreement\n"),

	// CRL distribution points
	leaf("dp-a", "/O=Good/CN=dp-a", "int", hostSAN+"crlDistributionPoints=URI:http://a.example/int.crl\n"),
	leaf("dp-b", "/O=Good/CN=dp-b", "int", hostSAN+"crlDistributionPoints=URI:http://b.example/int.crl\n"),

	// certificate policies
	ca("polint", "/O=Good/CN=PolInt", "root", "certificatePolicies=1.2.3.4,1.2.3.5\n"),
	leaf("polleaf", "/O=Good/CN=polleaf", "polint", hostSAN+"certificatePolicies=1.2.3.4\n"),
	leaf("nopolleaf", "/O=Good/CN=nopolleaf", "polint", hostSAN),
	leaf("dupleaf", "/O=Good/CN=dupleaf", "polint", hostSAN+"certificatePolicies=1.2.3.4,1.2.3.4\n"),
	ca("anyint", "/O=Good/CN=AnyInt", "root", "certificatePolicies=2.5.29.32.0\n"),
	leaf("anyleaf", "/O=Good/CN=anyleaf", "anyint", hostSAN+"certificatePolicies=1.2.3.4\n"),
	ca("mapint", "/O=Good/CN=MapInt", "root", "certificatePolicies=1.2.3.4\npolicyMappings=1.2.3.4:1.2.3.9\n"),
	ca("mapanyint", "/O=Good/CN=MapAnyInt", "root", "certificatePolicies=1.2.3.4\npolicyMappings=2.5.29.32.0:1.2.3.9\n"),
	leaf("mapanyleaf", "/O=Good/CN=mapanyleaf", "mapanyint", hostSAN+"certificatePolicies=1.2.3.9\n"),
	leaf("mapleaf", "/O=Good/CN=mapleaf", "mapint", hostSAN+"certificatePolicies=1.2.3.9\n"),
	ca("reqint", "/O=Good/CN=ReqInt", "root", "certificatePolicies=1.2.3.4\npolicyConstraints=critical,requireExplicitPolicy:0\n"),
	leaf("reqleaf", "/O=Good/CN=reqleaf", "reqint", hostSAN),

	// hostname checks
	leaf("wild", "/O=Good/CN=wild", "int", "subjectAltName=DNS:*.example.com,DNS:f*o.test.org,IP:192.0.2.7,IP:2001:db8::1,email:Info@Example.org\n"),
	leaf("cnhost", "/O=Good/CN=cn.example.org", "int", ""),

	// a self-signed server and a CA-file bundle
	{name: "ss", subj: "/CN=localhost", ext: "subjectKeyIdentifier=hash\nsubjectAltName=DNS:localhost\n"},
}

// crlSpec is a CRL issued by ca: revoke lists certificates, last/next are
// lastUpdate/nextUpdate (YYYYMMDDHHMMSSZ), ext adds CRL extension lines.
type crlSpec struct {
	name, ca   string
	revoke     []string
	last, next string
	ext        string
	number     string // the CRL number, hex; default 01
}

const (
	crlLast = "20250101000000Z"
	crlNext = "21000101000000Z"
)

var crlSpecs = []crlSpec{
	{name: "int", ca: "int", revoke: []string{"revoked"}, last: crlLast, next: crlNext},
	{name: "root", ca: "root", last: crlLast, next: crlNext},
	{name: "root-revint", ca: "root", revoke: []string{"int"}, last: crlLast, next: crlNext},
	{name: "int-expired", ca: "int", last: "20200101000000Z", next: "20210101000000Z"},
	{name: "int-future", ca: "int", last: "21000101000000Z", next: "21010101000000Z"},
	{name: "int-critext", ca: "int", last: crlLast, next: crlNext, ext: "1.2.3.4=critical,ASN1:NULL\n"},
	{name: "nocrlsign", ca: "nocrlsign", last: crlLast, next: crlNext},
	{name: "int-base", ca: "int", last: crlLast, next: crlNext, number: "05", ext: "freshestCRL=URI:http://a.example/delta.crl\n"},
	{name: "int-delta", ca: "int", revoke: []string{"revoked"}, last: crlLast, next: crlNext, number: "06", ext: "2.5.29.27=critical,DER:02:01:05\n"},
	{name: "int-onlyca", ca: "int", last: crlLast, next: crlNext, ext: "issuingDistributionPoint=critical,@idp\n[idp]\nonlyCA=TRUE\n"},
	{name: "root-onlyuser", ca: "root", last: crlLast, next: crlNext, ext: "issuingDistributionPoint=critical,@idp\n[idp]\nonlyuser=TRUE\n"},
	{name: "int-idp-a", ca: "int", last: crlLast, next: crlNext, ext: "issuingDistributionPoint=critical,@idp\n[idp]\nfullname=URI:http://a.example/int.crl\n"},
	{name: "int-indirect", ca: "int", last: crlLast, next: crlNext, ext: "issuingDistributionPoint=critical,@idp\n[idp]\nindirectCRL=TRUE\n"},
}

// corrupted are copies of fixtures whose signature no longer verifies.
var corrupted = map[string]string{
	"badsig.pem":     "leaf.pem",
	"badroot.pem":    "root.pem",
	"int-badsig.crl": "int.crl",
}

// bundles are CA files made of other fixtures, certificates and CRLs.
var bundles = map[string][]string{
	"root+crls":        {"root.pem", "int.crl", "root.crl"},
	"root+revint":      {"root.pem", "int.crl", "root-revint.crl"},
	"root+int":         {"root.pem", "int.pem"},
	"root+nocrlsign":   {"root.pem", "nocrlsign.crl", "root.crl"},
	"root+int-critext": {"root.pem", "int-critext.crl"},
	"badroot+crls":     {"badroot.pem", "int-badsig.crl", "root.crl"},
	"root+onlyuser":    {"root.pem", "int.crl", "root-onlyuser.crl"},
	"root+delta":       {"root.pem", "int-base.crl", "int-delta.crl", "root.crl"},
	"root+deltaonly":   {"root.pem", "int-delta.crl"},
}

// buildPKI creates every fixture in dir with the openssl at hand.
func buildPKI(ctx context.Context, dir string) error {
	run := func(args ...string) error {
		if out, err := ossl(ctx, dir, args...); err != nil {
			return &runError{args, out, err}
		}
		return nil
	}
	write := func(name, content string) error {
		return os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644)
	}
	for name, spec := range keySpecs {
		if err := run(append(append([]string{"genpkey"}, spec...), "-out", name+".key")...); err != nil {
			return err
		}
	}
	reqConf := "[req]\ndistinguished_name=dn\nprompt=no\n[dn]\n"
	if err := write("req.cnf", reqConf); err != nil {
		return err
	}
	for i, c := range certSpecs {
		key := c.key + ".key"
		if c.key == "" {
			key = c.name + ".key"
			if err := run("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key); err != nil {
				return err
			}
		}
		// The extension section comes first; sections it names follow.
		if err := write(c.name+".ext", "[v3]\n"+c.ext); err != nil {
			return err
		}
		days := c.days
		if days == 0 {
			days = 36500
		}
		md := c.md
		if md == "" {
			md = "sha256"
		}
		if err := run("req", "-new", "-config", "req.cnf", "-key", key, "-subj", c.subj, "-out", c.name+".csr"); err != nil {
			return err
		}
		serial := c.serial
		if serial == "" {
			serial = fmt.Sprint(1000 + i)
		}
		args := []string{"x509", "-req", "-in", c.name + ".csr", "-days", fmt.Sprint(days), "-" + md,
			"-set_serial", serial, "-extfile", c.name + ".ext", "-extensions", "v3", "-out", c.name + ".pem"}
		if c.issuer == "" {
			args = append(args, "-signkey", key)
		} else {
			issuerKey := c.issuer + ".key"
			for _, s := range certSpecs {
				if s.name == c.issuer && s.key != "" {
					issuerKey = s.key + ".key"
				}
			}
			args = append(args, "-CA", c.issuer+".pem", "-CAkey", issuerKey)
		}
		if err := run(args...); err != nil {
			return err
		}
		os.Remove(filepath.Join(dir, c.name+".csr"))
		os.Remove(filepath.Join(dir, c.name+".ext"))
	}
	for _, l := range crlSpecs {
		key := l.ca + ".key"
		for _, s := range certSpecs {
			if s.name == l.ca && s.key != "" {
				key = s.key + ".key"
			}
		}
		conf := fmt.Sprintf("[ca]\ndefault_ca=c\n[c]\ndatabase=%[1]s.index\nnew_certs_dir=.\ncertificate=%[2]s.pem\n"+
			"private_key=%[3]s\ndefault_md=sha256\ncrlnumber=%[1]s.crlnum\ncrl_extensions=crlext\npolicy=pol\n"+
			"[pol]\ncommonName=optional\n[crlext]\nauthorityKeyIdentifier=keyid:always\n%[4]s", l.name, l.ca, key, l.ext)
		number := l.number
		if number == "" {
			number = "01"
		}
		for name, content := range map[string]string{l.name + ".cnf": conf, l.name + ".index": "", l.name + ".crlnum": number + "\n"} {
			if err := write(name, content); err != nil {
				return err
			}
		}
		for _, r := range l.revoke {
			if err := run("ca", "-config", l.name+".cnf", "-revoke", r+".pem"); err != nil {
				return err
			}
		}
		if err := run("ca", "-config", l.name+".cnf", "-gencrl", "-crl_lastupdate", l.last, "-crl_nextupdate", l.next, "-out", l.name+".crl"); err != nil {
			return err
		}
		for _, suffix := range []string{".cnf", ".index", ".index.attr", ".index.old", ".index.attr.old", ".crlnum", ".crlnum.old"} {
			os.Remove(filepath.Join(dir, l.name+suffix))
		}
	}
	// Damaged copies: the last byte of the signature flipped.
	for dst, src := range corrupted {
		data, err := os.ReadFile(filepath.Join(dir, src))
		if err != nil {
			return err
		}
		blk, _ := pem.Decode(data)
		if blk == nil {
			return fmt.Errorf("%s: no PEM", src)
		}
		blk.Bytes[len(blk.Bytes)-1] ^= 0x01
		if err := write(dst, string(pem.EncodeToMemory(blk))); err != nil {
			return err
		}
	}
	for name, parts := range bundles {
		var b strings.Builder
		for _, p := range parts {
			data, err := os.ReadFile(filepath.Join(dir, p))
			if err != nil {
				return err
			}
			b.Write(data)
		}
		if err := write(name+".pem", b.String()); err != nil {
			return err
		}
	}
	os.Remove(filepath.Join(dir, "req.cnf"))
	return nil
}

// resolveTime turns a case's relative -attime ("+3d", "-1d") into the
// seconds openssl takes, relative to the recording time.
func resolveTime(now time.Time, v string) string {
	if len(v) < 3 || (v[0] != '+' && v[0] != '-') || !strings.HasSuffix(v, "d") {
		return v
	}
	var n int
	fmt.Sscanf(v[1:len(v)-1], "%d", &n)
	if v[0] == '-' {
		n = -n
	}
	return fmt.Sprint(now.Add(time.Duration(n) * 24 * time.Hour).Unix())
}
