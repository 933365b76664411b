module github.com/tlskit/tlskit

go 1.26.8

// openssl verifies certificates with negative serial numbers; Go's
// parser refuses them unless told otherwise.
godebug x509negativeserial=1

require (
	github.com/cloudflare/circl v1.6.5
	github.com/rogpeppe/go-internal v1.16.0
	golang.org/x/crypto v0.58.0
	golang.org/x/sys v0.49.0
	software.sslmate.com/src/go-pkcs12 v0.7.4
)

require (
	filippo.io/bigmod v0.1.0 // indirect
	golang.org/x/tools v0.26.0 // indirect
)
