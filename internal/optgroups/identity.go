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
// with a chain keeps it unless build is set; then, as the applications
// ask SSL_CTX_build_cert_chain only to check a given chain
// (SSL_BUILD_CHAIN_FLAG_CHECK), the chain must lead from the leaf to a
// self-signed certificate of its own, store unused (measured with
// openssl 3.0 s_server -build_chain: -cert_chain of the intermediate and
// the root starts without -CAfile; of the intermediate alone, even with
// the root in -CAfile, fails with "unable to get issuer certificate").
// With build, a chain that cannot be built is an error worded as openssl
// words it; without, the certificate is left as it was.
func BuildChain(certChain *[][]byte, store []*x509.Certificate, build bool) error {
	if len(*certChain) == 0 || (len(*certChain) > 1 && !build) {
		return nil
	}
	if len(*certChain) > 1 {
		// The given certificates, leaf included, are the store.
		store = nil
		for _, der := range *certChain {
			if c, err := x509.ParseCertificate(der); err == nil {
				store = append(store, c)
			}
		}
		code, err := BuildChainStrict(certChain, store)
		if err != nil {
			return err
		}
		if code != verify.OK {
			return chainBuildError(code)
		}
		return nil
	}
	code, err := buildChain(certChain, store, build)
	if err != nil {
		return err
	}
	if code != verify.OK {
		return chainBuildError(code)
	}
	return nil
}

// chainBuildError is -build_chain's failure, in openssl's words.
func chainBuildError(code int) error {
	return &ConfError{[]string{
		"error building certificate chain",
		"00000000:error:0A000086:SSL routines:ssl_build_cert_chain:certificate verify failed:tlskit:0:Verify error:" + verify.ErrorString(code),
	}}
}

// XchainBuildError is an -xchain_build chain that could not be built at
// handshake time: the certificate callback fails, after
// ssl_build_cert_chain's line (sslerr.Preceder), on either command.
type XchainBuildError struct{ Code int }

func (e *XchainBuildError) Error() string {
	return "-xchain_build: " + verify.ErrorString(e.Code)
}

// SSLPreceding is ssl_build_cert_chain's line (sslerr.Preceder).
func (e *XchainBuildError) SSLPreceding() []sslerr.Entry {
	return []sslerr.Entry{{Code: 0x0A000086, Lib: "SSL routines", Func: "ssl_build_cert_chain",
		Reason: "certificate verify failed", Data: "Verify error:" + verify.ErrorString(e.Code)}}
}

// BuildChainStrict builds certChain's chain from store alone, as
// SSL_build_cert_chain does without flags: the certificates that came
// with the leaf are not used (measured: s_server's "-xchain ca.pem
// -xchain_build" without the CA in the store fails with "unable to get
// local issuer certificate"). It reports the verify code (X509_V_*) of
// the first problem met instead of an error's lines, as s_server's
// -xchain_build needs them at handshake time; certChain is left as it
// was when the code is not verify.OK.
func BuildChainStrict(certChain *[][]byte, store []*x509.Certificate) (int, error) {
	if len(*certChain) == 0 {
		return verify.OK, nil
	}
	leaf := [][]byte{(*certChain)[0]}
	code, err := buildChain(&leaf, store, true)
	if err == nil && code == verify.OK {
		*certChain = leaf
	}
	return code, err
}

// buildChain is BuildChain's work: the verify code is verify.OK unless
// build is set and the chain cannot be built.
func buildChain(certChain *[][]byte, store []*x509.Certificate, build bool) (int, error) {
	leaf, err := x509.ParseCertificate((*certChain)[0])
	if err != nil {
		return 0, err
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
		return code, nil
	}
	if len(r.Chain) > 1 {
		chain := [][]byte{(*certChain)[0]}
		for _, c := range r.Chain[1:] {
			chain = append(chain, c.Raw)
		}
		*certChain = chain
	}
	return verify.OK, nil
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
	return loadKeyPair(spec, pairNames{cert: certName, key: keyName,
		chainMissing: "certs of " + certName + " chain", chainNone: "any " + certName + " chain"})
}

// XchainBuilt reports, for each of the n -xcert options, whether
// -xchain_build marks it: the -xcert it follows, or the first when none
// came before it, as openssl's option parser fills one entry at a time
// (measured with both commands: "-xcert a -xchain_build -xcert b" builds
// a's chain only).
func XchainBuilt(v *opt.Values, n int) []bool {
	built := make([]bool, n)
	seen := 0
	for _, x := range v.List {
		switch x.Name {
		case "xcert":
			seen++
		case "xchain_build":
			if i := max(seen-1, 0); i < n {
				built[i] = true
			}
		}
	}
	return built
}

// LoadExtendedKeyPair loads one -xcert, -xkey and -xchain as openssl's
// load_excert does (measured with 3.0 s_client and s_server): the
// certificate first, as "cert of Server Certificate" with "Unable to load
// Server Certificate" after, then the key as "server key", then the chain,
// "certs of server chain" when it is missing and "any cert of server
// chain" when it holds none.
func LoadExtendedKeyPair(spec certs.KeyPairSpec) (engine.Identity, error) {
	return loadKeyPair(spec, pairNames{cert: "Server Certificate", key: "server key",
		chainMissing: "certs of server chain", chainNone: "any cert of server chain", certFirst: true})
}

// pairNames are the names openssl gives a key pair's files in its
// messages, and the order in which it loads them.
type pairNames struct {
	cert, key string
	// chainMissing names a missing chain file, chainNone one without
	// certificates.
	chainMissing, chainNone string
	// certFirst: the certificate is loaded before the key (openssl's
	// load_excert), and named "cert of <cert>" when it fails; otherwise
	// the key comes first, as for -cert and -key.
	certFirst bool
}

// loadKeyPair loads spec's certificate, key and chain, each file once,
// and reports the first failure openssl would report, in its words
// (certs.Problem says which words); failures openssl has no words for
// here (pass phrases, permissions) keep tlskit's. Only the first
// certificate of the cert file is used, as openssl uses it; the chain is
// the chain file's (certs.LoadKeyPair).
func loadKeyPair(spec certs.KeyPairSpec, n pairNames) (engine.Identity, error) {
	fail := func(lines ...string) (engine.Identity, error) { return engine.Identity{}, &ConfError{lines} }
	leaf, certErr := certs.LoadCertificates(spec.Cert, spec.CertForm, spec.Pass)
	if n.certFirst {
		switch certs.ProblemOf(certErr) {
		case certs.ProblemMissing:
			return fail(append(MissingFileLines("cert of "+n.cert, spec.Cert), "Unable to load "+n.cert)...)
		case certs.ProblemUnreadable:
			return fail("Could not read cert of "+n.cert+" from "+spec.Cert, "Unable to load "+n.cert)
		}
	}
	keyPath, keyForm := spec.KeyFile()
	// A missing key file comes first, whatever the certificate's
	// failure. Only then is the key loaded: it may ask for its pass
	// phrase, which a certificate that fails in tlskit's own words (a
	// PKCS#12 pass phrase, a permission) does not get to.
	if _, err := os.Stat(keyPath); errors.Is(err, fs.ErrNotExist) {
		return engine.Identity{}, missingFile(n.key, keyPath, false)
	}
	if certErr != nil && certs.ProblemOf(certErr) == certs.ProblemOwn {
		return engine.Identity{}, certErr
	}
	key, keyErr := certs.LoadPrivateKey(keyPath, keyForm, spec.Pass)
	// openssl reads the key first: a key file that holds no key (the
	// certificate file itself when -key is not given) is named before
	// the certificate.
	if certs.ProblemOf(keyErr) == certs.ProblemUnreadable {
		return fail(fmt.Sprintf("Could not read %s from %s", n.key, keyPath))
	}
	switch certs.ProblemOf(certErr) {
	case certs.ProblemMissing:
		return engine.Identity{}, missingFile(n.cert, spec.Cert, true)
	case certs.ProblemUnreadable:
		return fail(fmt.Sprintf("Could not read %s from %s", n.cert, spec.Cert), "Unable to load "+n.cert)
	}
	if keyErr != nil {
		return engine.Identity{}, keyErr
	}
	if err := spec.CheckMatch(leaf[0], key); err != nil {
		return fail("Private key does not match the certificate public key")
	}
	var chain []*x509.Certificate
	if spec.Chain != "" {
		var err error
		chain, err = certs.LoadChain(spec.Chain, spec.Pass)
		switch certs.ProblemOf(err) {
		case certs.ProblemMissing:
			return engine.Identity{}, missingFile(n.chainMissing, spec.Chain, false)
		case certs.ProblemUnreadable:
			return fail(fmt.Sprintf("Could not read %s from %s", n.chainNone, spec.Chain))
		}
		if err != nil {
			return engine.Identity{}, err
		}
	}
	return certs.NewIdentity(leaf[0], key, chain), nil
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
	if certs.ProblemOf(err) == certs.ProblemUnreadable {
		return &ConfError{[]string{fmt.Sprintf("Could not read %s from %s", what, path)}}
	}
	return err
}

// LoadChainAs loads a -cert_chain given without -cert, as openssl
// s_client does, failing in its words; the certificates are not used.
func LoadChainAs(path, pass, side string) error {
	_, err := certs.LoadCertificates(path, certs.FormatAuto, pass)
	switch certs.ProblemOf(err) {
	case certs.ProblemMissing:
		return missingFile("certs of "+side+" certificate chain", path, false)
	case certs.ProblemUnreadable:
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
