package verify

import "github.com/tlskit/tlskit/internal/lazy"

// Purposes are the values -purpose accepts, as openssl 3.0 names them
// (codesign came in a later release: 3.0 says "Invalid purpose codesign").
var Purposes = []string{"sslclient", "sslserver", "nssslserver", "smimesign", "smimeencrypt", "crlsign", "any", "ocsphelper", "timestampsign"}

// ValidPurpose reports whether p is one of Purposes.
func ValidPurpose(p string) bool {
	for _, x := range Purposes {
		if x == p {
			return true
		}
	}
	return false
}

// policyPurposes maps -verify_name's policy names to the purpose each
// checks, as openssl's built-in verification policies do.
var policyPurposes = lazy.Value[map[string]string]{Build: func() map[string]string {
	return map[string]string{
		"default": "", "pkcs7": "smimesign", "smime_sign": "smimesign",
		"ssl_client": "sslclient", "ssl_server": "sslserver",
	}
}}

// PolicyPurpose returns the purpose a -verify_name policy checks, and
// whether the policy exists.
func PolicyPurpose(name string) (string, bool) {
	p, ok := policyPurposes.Get()[name]
	return p, ok
}
