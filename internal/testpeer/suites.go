package testpeer

import "strings"

// OpenSSLDefault12 is openssl 3.0's default list of TLS 1.0-1.2 suites
// (`openssl ciphers -s -tls1_2`, TLS 1.3 ones left out); gnutls 3.7
// implements every one.
var OpenSSLDefault12 = strings.Fields(`ECDHE-ECDSA-AES256-GCM-SHA384 ECDHE-RSA-AES256-GCM-SHA384 DHE-RSA-AES256-GCM-SHA384
	ECDHE-ECDSA-CHACHA20-POLY1305 ECDHE-RSA-CHACHA20-POLY1305 DHE-RSA-CHACHA20-POLY1305 ECDHE-ECDSA-AES128-GCM-SHA256
	ECDHE-RSA-AES128-GCM-SHA256 DHE-RSA-AES128-GCM-SHA256 ECDHE-ECDSA-AES256-SHA384 ECDHE-RSA-AES256-SHA384
	DHE-RSA-AES256-SHA256 ECDHE-ECDSA-AES128-SHA256 ECDHE-RSA-AES128-SHA256 DHE-RSA-AES128-SHA256 ECDHE-ECDSA-AES256-SHA
	ECDHE-RSA-AES256-SHA DHE-RSA-AES256-SHA ECDHE-ECDSA-AES128-SHA ECDHE-RSA-AES128-SHA DHE-RSA-AES128-SHA
	AES256-GCM-SHA384 AES128-GCM-SHA256 AES256-SHA256 AES128-SHA256 AES256-SHA AES128-SHA`)

// GnuTLSSuite is how gnutls' "- Description:" line names an openssl
// suite: its key exchange, and its cipher and MAC.
func GnuTLSSuite(name string) (kx, cipher string) {
	switch {
	case strings.HasPrefix(name, "ECDHE-"):
		kx = "-(ECDHE-"
	case strings.HasPrefix(name, "DHE-"):
		kx = "-(DHE-"
	default:
		kx = "-(RSA)-"
	}
	for _, m := range []struct{ in, out string }{
		{"AES256-GCM", "-(AES-256-GCM)\n"}, {"AES128-GCM", "-(AES-128-GCM)\n"}, {"CHACHA20", "-(CHACHA20-POLY1305)\n"},
		{"AES256-SHA384", "-(AES-256-CBC)-(SHA384)\n"}, {"AES256-SHA256", "-(AES-256-CBC)-(SHA256)\n"},
		{"AES128-SHA256", "-(AES-128-CBC)-(SHA256)\n"}, {"AES256-SHA", "-(AES-256-CBC)-(SHA1)\n"}, {"AES128-SHA", "-(AES-128-CBC)-(SHA1)\n"},
	} {
		if strings.Contains(name, m.in) {
			return kx, m.out
		}
	}
	return kx, "?"
}

// GnuTLSAll12 is a gnutls priority string with every suite of openssl's
// default TLS 1.2 list and no TLS 1.3.
const GnuTLSAll12 = "NORMAL:-VERS-TLS1.3:+SHA256:+SHA384:+RSA:+DHE-RSA"
