package optgroups

import (
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"syscall"

	"github.com/tlskit/tlskit/internal/certs"
	"github.com/tlskit/tlskit/internal/engine"
	"github.com/tlskit/tlskit/internal/opt"
	"github.com/tlskit/tlskit/internal/sslerr"
	"github.com/tlskit/tlskit/internal/verify"
)

// BuildChain completes a certificate chain (leaf first, DER) from store as libssl does,
// for s_client's and s_server's -build_chain alike: the chain runs from
// the leaf up to and including the trust anchor. A certificate that came
// with a chain keeps it unless build is set (then the given chain only
// helps). With build, a chain that cannot be built is an error worded as
// openssl words it; without, the certificate is left as it was.
func BuildChain(certChain *[][]byte, store []*x509.Certificate, build bool) error {
	if len(*certChain) == 0 || (len(*certChain) > 1 && !build) {
		return nil
	}
	leaf, err := x509.ParseCertificate((*certChain)[0])
	if err != nil {
		return err
	}
	var given []*x509.Certificate
	for _, der := range (*certChain)[1:] {
		if c, err := x509.ParseCertificate(der); err == nil {
			given = append(given, c)
		}
	}
	r := verify.Verify([]*x509.Certificate{leaf}, verify.Options{
		Roots:         store,
		Intermediates: given,
		Depth:         -1,
	})
	if build && r.Code != verify.OK {
		// Like libssl, name the first problem met, not the last.
		code := r.Code
		for _, e := range r.Events {
			if !e.OK {
				code = e.Code
				break
			}
		}
		return &ConfError{[]string{
			"error building certificate chain",
			"00000000:error:0A000086:SSL routines:ssl_build_cert_chain:certificate verify failed:tlskit:0:Verify error:" + verify.ErrorString(code),
		}}
	}
	if len(r.Chain) > 1 {
		chain := [][]byte{(*certChain)[0]}
		for _, c := range r.Chain[1:] {
			chain = append(chain, c.Raw)
		}
		*certChain = chain
	}
	return nil
}

// IdentityOptions names the options of one certificate and key: -cert,
// -key, -certform, -keyform, -cert_chain (and s_server's -dcert… and
// -xcert… families).
type IdentityOptions struct{ Cert, Key, CertForm, KeyForm, Chain string }

// The identity option families.
var (
	MainIdentity     = IdentityOptions{"cert", "key", "certform", "keyform", "cert_chain"}
	DualIdentity     = IdentityOptions{"dcert", "dkey", "dcertform", "dkeyform", "dcert_chain"}
	ExtendedIdentity = IdentityOptions{"xcert", "xkey", "xcertform", "xkeyform", "xchain"}
)

// Identity is one certificate and key as the command line names them,
// each option's last value winning. The pass phrase is not read here (it
// may come from stdin): PassSpec is -pass's source, for certs.ReadPass.
type Identity struct {
	Spec      certs.KeyPairSpec // Key "" means the certificate file
	CertGiven bool
	KeyGiven  bool
	PassSpec  string
}

// ParseIdentity reads one identity family, checking the format options.
func ParseIdentity(v *opt.Values, names IdentityOptions) (Identity, error) {
	id := Identity{PassSpec: v.Str("pass", "")}
	id.Spec.Cert, id.CertGiven = v.Get(names.Cert)
	id.Spec.Key, id.KeyGiven = v.Get(names.Key)
	id.Spec.Chain = v.Str(names.Chain, "")
	for _, f := range []struct {
		name string
		dst  *certs.Format
	}{{names.CertForm, &id.Spec.CertForm}, {names.KeyForm, &id.Spec.KeyForm}} {
		if s, ok := v.Get(f.name); ok {
			form, err := certs.ParseFormat(s)
			if err != nil {
				return id, err
			}
			*f.dst = form
		}
	}
	return id, nil
}

// LoadKeyPair loads an identity's certificate, key and chain, and words a
// failure as openssl's s_client or s_server does: the key is looked at
// first, then the certificate; a missing file gets openssl's "Could not
// open file or uri" line and error stack, an unreadable one "Could not
// read …", a key of another certificate "Private key does not match the
// certificate public key". Other failures (pass phrases) keep tlskit's
// own wording.
func LoadKeyPair(spec certs.KeyPairSpec, role Role) (engine.Identity, error) {
	side := "client"
	if role == Server {
		side = "server"
	}
	return LoadKeyPairAs(spec, side)
}

// LoadKeyPairAs is LoadKeyPair for a certificate openssl calls
// "<side> certificate" in its messages, e.g. s_server's "second server"
// (-cert2).
func LoadKeyPairAs(spec certs.KeyPairSpec, side string) (engine.Identity, error) {
	return LoadKeyPairNamed(spec, side+" certificate", side+" certificate private key")
}

// LoadKeyPairNamed is LoadKeyPair with the names openssl gives the
// certificate and its key in its messages, which are not always alike:
// s_server's -dcert is the "second server certificate" and its key the
// "second certificate private key".
func LoadKeyPairNamed(spec certs.KeyPairSpec, certName, keyName string) (engine.Identity, error) {
	return loadKeyPair(spec, certName, keyName, "certs of "+certName+" chain", "any "+certName+" chain")
}

// LoadExtendedKeyPair loads one -xcert, -xkey and -xchain as openssl's
// load_excert does (measured with 3.0 s_client and s_server): the
// certificate first, as "cert of Server Certificate" with "Unable to load
// Server Certificate" after, then the key as "server key", then the chain,
// "certs of server chain" when it is missing and "any cert of server
// chain" when it holds none.
func LoadExtendedKeyPair(spec certs.KeyPairSpec) (engine.Identity, error) {
	_, err := certs.LoadCertificates(spec.Cert, spec.CertForm, spec.Pass)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return engine.Identity{}, &ConfError{append(MissingFileLines("cert of Server Certificate", spec.Cert),
			"Unable to load Server Certificate")}
	case unreadable(err):
		return engine.Identity{}, &ConfError{[]string{"Could not read cert of Server Certificate from " + spec.Cert,
			"Unable to load Server Certificate"}}
	}
	return loadKeyPair(spec, "Server Certificate", "server key", "certs of server chain", "any cert of server chain")
}

// loadKeyPair is LoadKeyPairNamed with the chain's two names too: the
// one openssl gives a missing chain file, and the one it gives a file
// without certificates.
func loadKeyPair(spec certs.KeyPairSpec, certName, keyName, chainMissing, chainNone string) (engine.Identity, error) {
	keyPath := spec.Key
	if keyPath == "" {
		keyPath = spec.Cert
	}
	if _, err := os.Stat(keyPath); errors.Is(err, fs.ErrNotExist) {
		return engine.Identity{}, missingFile(keyName, keyPath, false)
	}
	kp, err := certs.LoadKeyPair(spec)
	if err == nil {
		return kp, nil
	}
	var le *certs.LoadError
	switch {
	case errors.Is(err, certs.ErrKeyMismatch):
		return kp, &ConfError{[]string{"Private key does not match the certificate public key"}}
	case !errors.As(err, &le) || errors.Is(err, certs.ErrWrongPass) || errors.Is(err, certs.ErrPassRequired) ||
		errors.Is(err, certs.ErrPermission) || errors.Is(err, certs.ErrUnsupported):
		return kp, err
	case le.What == "certificate" && le.Path == spec.Cert:
		// openssl reads the key first: a key file that holds no key
		// (the certificate file itself when -key is not given) is
		// named before the certificate.
		keyForm := spec.KeyForm
		if spec.Key == "" && keyForm == certs.FormatAuto {
			keyForm = spec.CertForm
		}
		if _, kerr := certs.LoadPrivateKey(keyPath, keyForm, spec.Pass); unreadable(kerr) {
			return kp, &ConfError{[]string{fmt.Sprintf("Could not read %s from %s", keyName, keyPath)}}
		}
		if errors.Is(err, fs.ErrNotExist) {
			return kp, missingFile(certName, spec.Cert, true)
		}
		return kp, &ConfError{[]string{
			fmt.Sprintf("Could not read %s from %s", certName, spec.Cert),
			"Unable to load " + certName,
		}}
	case le.What == "certificate chain" && le.Path == spec.Chain:
		// -cert_chain (measured with openssl 3.0 s_server and s_client).
		if errors.Is(err, fs.ErrNotExist) {
			return kp, missingFile(chainMissing, spec.Chain, false)
		}
		return kp, &ConfError{[]string{fmt.Sprintf("Could not read %s from %s", chainNone, spec.Chain)}}
	case le.What == "private key" && le.Path == keyPath:
		return kp, &ConfError{[]string{fmt.Sprintf("Could not read %s from %s", keyName, keyPath)}}
	}
	return kp, err
}

// unreadable reports whether err is a file that opened but held nothing
// usable, which openssl words "Could not read …"; pass phrase,
// permission and unsupported-format failures keep tlskit's wording.
func unreadable(err error) bool {
	var le *certs.LoadError
	return errors.As(err, &le) && !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, certs.ErrWrongPass) &&
		!errors.Is(err, certs.ErrPassRequired) && !errors.Is(err, certs.ErrPermission) && !errors.Is(err, certs.ErrUnsupported)
}

// LoadKeyAs loads a -key given without its certificate, as openssl
// s_client does (it loads the key, then has no certificate to use it
// with), failing in openssl's words: a missing file with "Could not open
// file or uri" and its stack, one without a key with "Could not read".
func LoadKeyAs(path string, form certs.Format, pass, side string) error {
	what := side + " certificate private key"
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return missingFile(what, path, false)
	}
	_, err := certs.LoadPrivateKey(path, form, pass)
	if unreadable(err) {
		return &ConfError{[]string{fmt.Sprintf("Could not read %s from %s", what, path)}}
	}
	return err
}

// LoadChainAs loads a -cert_chain given without -cert, as openssl
// s_client does, failing in its words; the certificates are not used.
func LoadChainAs(path, pass, side string) error {
	_, err := certs.LoadCertificates(path, certs.FormatAuto, pass)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return missingFile("certs of "+side+" certificate chain", path, false)
	case unreadable(err):
		return &ConfError{[]string{fmt.Sprintf("Could not read any %s certificate chain from %s", side, path)}}
	}
	return err
}

// missingFile is openssl's report of a file it cannot open for loading.
func missingFile(what, path string, unable bool) error {
	lines := []string{
		fmt.Sprintf("Could not open file or uri for loading %s from %s", what, path),
		sslerr.Entry{Code: 0x16000069, Lib: "STORE routines", Func: "ossl_store_get0_loader_int", Reason: "unregistered scheme", Data: "scheme=file"}.String(),
		sslerr.SysEntry(int(syscall.ENOENT), "file_open", "calling stat("+path+")").String(),
	}
	if unable {
		lines = append(lines, "Unable to load "+strings.TrimSuffix(what, " private key"))
	}
	return &ConfError{lines}
}

// LoadCRLs reads a -CRL file as openssl's apps do, a failure reported with
// their lines (measured with openssl 3.0 s_server and s_client): a
// missing file as one that cannot be opened, any other failure as a file
// that holds no CRL, each followed by "Unable to load CRL".
func LoadCRLs(path string, form certs.Format) ([]*x509.RevocationList, error) {
	crls, err := certs.LoadCRLs(path, form)
	switch {
	case err == nil:
		return crls, nil
	case errors.Is(err, fs.ErrNotExist):
		return nil, missingFile("CRL", path, true)
	}
	return nil, &ConfError{[]string{"Could not read CRL from " + path, "Unable to load CRL"}}
}

// MissingFileLines are the lines openssl's apps print for a file they
// cannot open to load what (e.g. "params of DH parameters") from.
func MissingFileLines(what, path string) []string {
	return missingFile(what, path, false).(*ConfError).Lines
}
