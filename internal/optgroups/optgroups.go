// Package optgroups holds the option groups s_client and s_server share,
// as OpenSSL's apps share them: one definition, with per-command status.
package optgroups

import (
	"os"
	"strings"
	"syscall"

	"github.com/tlskit/tlskit/internal/opt"
	"github.com/tlskit/tlskit/internal/sslerr"
)

// Random is the "Random state options" section.
func Random() []opt.Option {
	return []opt.Option{
		opt.Section("Random state options"),
		{Name: "rand", Kind: opt.String, Help: "Load the given file(s) into the random number generator", NoEffect: true},
		{Name: "writerand", Kind: opt.OutFile, Help: "Write random data to the specified file"},
	}
}

// LoadRand is -rand as openssl 3.0's apps check it once the options are
// read: every file of every -rand (a list split at ':') must open, each
// that does not being "Can't load F into RNG" and RAND_load_file's entry;
// the command then ends with exit 1. tlskit reads nothing from the files
// (its randomness is the system's), so opening them is all it does.
func LoadRand(v *opt.Values) error {
	var lines []string
	for _, arg := range v.All("rand") {
		for _, f := range strings.Split(arg, ":") {
			// Non-blocking, so that a FIFO cannot hold the command.
			fh, err := os.OpenFile(f, os.O_RDONLY|syscall.O_NONBLOCK, 0)
			if err == nil {
				fh.Close()
				continue
			}
			lines = append(lines, "Can't load "+f+" into RNG",
				sslerr.Entry{Code: 0x12000079, Lib: "random number generator", Func: "RAND_load_file", Reason: "Cannot open file", Data: "Filename=" + f}.String())
		}
	}
	if lines != nil {
		return &ConfError{Lines: lines}
	}
	return nil
}

// TLS is the "TLS/SSL options" section (OpenSSL's SSL_CONF commands).
func TLS() []opt.Option {
	return []opt.Option{
		opt.Section("TLS/SSL options"),
		{Name: "no_ssl3", Kind: opt.None, Help: "Just disable SSLv3", NoEffect: true},
		{Name: "no_tls1", Kind: opt.None, Help: "Just disable TLSv1"},
		{Name: "no_tls1_1", Kind: opt.None, Help: "Just disable TLSv1.1"},
		{Name: "no_tls1_2", Kind: opt.None, Help: "Just disable TLSv1.2"},
		{Name: "no_tls1_3", Kind: opt.None, Help: "Just disable TLSv1.3"},
		{Name: "bugs", Kind: opt.None, Help: "Turn on SSL bug compatibility"},
		{Name: "no_comp", Kind: opt.None, Help: "Disable SSL/TLS compression (default)", NoEffect: true},
		{Name: "comp", Kind: opt.None, Help: "Use SSL/TLS-level compression", Unsupported: "TLS compression is insecure (CRIME) and not implemented by tlskit"},
		{Name: "no_ticket", Kind: opt.None, Help: "Disable use of TLS session tickets"},
		{Name: "serverpref", Kind: opt.None, Help: "Use server's cipher preferences", NoEffect: true},
		{Name: "legacy_renegotiation", Kind: opt.None, Help: "Enable use of legacy renegotiation (dangerous)", Unsupported: "renegotiation (secure or legacy) is not implemented by tlskit"},
		{Name: "client_renegotiation", Kind: opt.None, Help: "Allow client-initiated renegotiation", NoEffect: true},
		{Name: "no_renegotiation", Kind: opt.None, Help: "Disable all renegotiation.", NoEffect: true},
		{Name: "legacy_server_connect", Kind: opt.None, Help: "Allow initial connection to servers that don't support RI"},
		{Name: "no_resumption_on_reneg", Kind: opt.None, Help: "Disallow session resumption on renegotiation", NoEffect: true},
		{Name: "no_legacy_server_connect", Kind: opt.None, Help: "Disallow initial connection to servers that don't support RI"},
		{Name: "allow_no_dhe_kex", Kind: opt.None, Help: "In TLSv1.3 allow non-(ec)dhe based key exchange on resumption"},
		{Name: "prioritize_chacha", Kind: opt.None, Help: "Prioritize ChaCha ciphers when preferred by clients", NoEffect: true},
		{Name: "strict", Kind: opt.None, Help: "Enforce strict certificate checks as per TLS standard", Unsupported: "strict certificate checks (chain signatures against the peer's signature algorithms, SSL_CERT_FLAG_TLS_STRICT) are not implemented by tlskit"},
		{Name: "sigalgs", Kind: opt.String, Help: "Signature algorithms to support (colon-separated list)"},
		{Name: "client_sigalgs", Kind: opt.String, Help: "Signature algorithms to support for client certificate authentication (colon-separated list)"},
		{Name: "groups", Kind: opt.String, Help: "Groups to advertise (colon-separated list)"},
		{Name: "curves", Kind: opt.String, Help: "Groups to advertise (colon-separated list)"},
		{Name: "named_curve", Kind: opt.String, Help: "Elliptic curve used for ECDHE (server-side only)"},
		{Name: "cipher", Kind: opt.String, Help: "Specify TLSv1.2 and below cipher list to be used"},
		{Name: "ciphersuites", Kind: opt.String, Help: "Specify TLSv1.3 ciphersuites to be used"},
		{Name: "min_protocol", Kind: opt.String, Help: "Specify the minimum protocol version to be used"},
		{Name: "max_protocol", Kind: opt.String, Help: "Specify the maximum protocol version to be used"},
		{Name: "record_padding", Kind: opt.String, Help: "Block size to pad TLS 1.3 records to."},
		{Name: "debug_broken_protocol", Kind: opt.None, Help: "Perform all sorts of protocol violations for testing purposes", Unsupported: "deliberate protocol violations are not implemented by tlskit"},
		{Name: "no_middlebox", Kind: opt.None, Help: "Disable TLSv1.3 middlebox compat mode"},
		{Name: "no_etm", Kind: opt.None, Help: "Disable Encrypt-then-Mac extension"},
	}
}

// Validation is the "Validation options" section's verification parameters;
// each command appends its own CRL and store options after them.
func Validation() []opt.Option {
	return []opt.Option{
		opt.Section("Validation options"),
		{Name: "policy", Kind: opt.String, Help: "adds policy to the acceptable policy set"},
		{Name: "purpose", Kind: opt.String, Help: "certificate chain purpose"},
		{Name: "verify_name", Kind: opt.String, Help: "verification policy name"},
		{Name: "verify_depth", Kind: opt.Int, Help: "chain depth limit"},
		{Name: "auth_level", Kind: opt.Int, Help: "chain authentication security level"},
		{Name: "attime", Kind: opt.IntMax, Help: "verification epoch time"},
		{Name: "verify_hostname", Kind: opt.String, Help: "expected peer hostname"},
		{Name: "verify_email", Kind: opt.String, Help: "expected peer email"},
		{Name: "verify_ip", Kind: opt.String, Help: "expected peer IP address"},
		{Name: "ignore_critical", Kind: opt.None, Help: "permit unhandled critical extensions"},
		{Name: "issuer_checks", Kind: opt.None, Help: "(deprecated)", NoEffect: true},
		{Name: "crl_check", Kind: opt.None, Help: "check leaf certificate revocation"},
		{Name: "crl_check_all", Kind: opt.None, Help: "check full chain revocation"},
		{Name: "policy_check", Kind: opt.None, Help: "perform rfc5280 policy checks"},
		{Name: "explicit_policy", Kind: opt.None, Help: "set policy variable require-explicit-policy"},
		{Name: "inhibit_any", Kind: opt.None, Help: "set policy variable inhibit-any-policy"},
		{Name: "inhibit_map", Kind: opt.None, Help: "set policy variable inhibit-policy-mapping"},
		{Name: "x509_strict", Kind: opt.None, Help: "disable certificate compatibility work-arounds"},
		{Name: "extended_crl", Kind: opt.None, Help: "enable extended CRL features", Unsupported: "extended CRL features (indirect CRLs) are not implemented yet"},
		{Name: "use_deltas", Kind: opt.None, Help: "use delta CRLs"},
		{Name: "policy_print", Kind: opt.None, Help: "print policy processing diagnostics"},
		{Name: "check_ss_sig", Kind: opt.None, Help: "check root CA self-signatures"},
		{Name: "trusted_first", Kind: opt.None, Help: "search trust store first (default)", NoEffect: true},
		{Name: "suiteB_128_only", Kind: opt.None, Help: "Suite B 128-bit-only mode", Unsupported: "Suite B modes are not implemented"},
		{Name: "suiteB_128", Kind: opt.None, Help: "Suite B 128-bit mode allowing 192-bit algorithms", Unsupported: "Suite B modes are not implemented"},
		{Name: "suiteB_192", Kind: opt.None, Help: "Suite B 192-bit-only mode", Unsupported: "Suite B modes are not implemented"},
		{Name: "partial_chain", Kind: opt.None, Help: "accept chains anchored by intermediate trust-store CAs"},
		{Name: "no_alt_chains", Kind: opt.None, Help: "(deprecated)", NoEffect: true},
		{Name: "no_check_time", Kind: opt.None, Help: "ignore certificate validity time"},
		{Name: "allow_proxy_certs", Kind: opt.None, Help: "allow the use of proxy certificates", Unsupported: "proxy certificates (RFC 3820) are not supported"},
	}
}

// ExtendedCert is the "Extended certificate options" section.
func ExtendedCert() []opt.Option {
	return []opt.Option{
		opt.Section("Extended certificate options"),
		{Name: "xkey", Kind: opt.InFile, Help: "key for Extended certificates"},
		{Name: "xcert", Kind: opt.InFile, Help: "cert for Extended certificates"},
		{Name: "xchain", Kind: opt.InFile, Help: "chain for Extended certificates"},
		{Name: "xchain_build", Kind: opt.None, Help: "build certificate chain for the extended certificates"},
		{Name: "xcertform", Kind: opt.PEMDER, Help: "format of Extended certificate (PEM/DER/P12); has no effect", NoEffect: true},
		{Name: "xkeyform", Kind: opt.PEMDER, Help: "format of Extended certificate's key (DER/PEM/P12); has no effect", NoEffect: true},
	}
}

// Provider is the "Provider options" section. OpenSSL providers have no
// counterpart in tlskit, whose algorithms are its own: -provider default
// is what it always has, other providers and property queries are
// refused (CheckProviders); -provider-path only matters to those.
func Provider() []opt.Option {
	return []opt.Option{
		opt.Section("Provider options"),
		{Name: "provider-path", Kind: opt.String, Help: "Provider load path (must be before 'provider' argument if required)", NoEffect: true},
		{Name: "provider", Kind: opt.String, Help: "Provider to load (can be specified multiple times)"},
		{Name: "propquery", Kind: opt.String, Help: "Property query used when fetching algorithms"},
	}
}
