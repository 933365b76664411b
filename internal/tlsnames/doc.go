// Package tlsnames maps OpenSSL, IANA and Go names for TLS cipher suites, groups, signature algorithms and protocol versions, and parses OpenSSL's cipher strings.
package tlsnames
