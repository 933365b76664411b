package sclient

import (
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
)

// opensslSessionPEMType labels a -sess_out/-sess_in file's session:
// openssl's own "SSL SESSION PARAMETERS", so that openssl sess_id and
// openssl s_client -sess_in read tlskit's files and tlskit reads theirs.
const opensslSessionPEMType = "SSL SESSION PARAMETERS"

// sessWriteError is a -sess_out file that cannot be written (a
// directory, a full disk): openssl says so in its words, with no
// "s_client: " prefix, and carries on.
type sessWriteError string

func (e sessWriteError) Error() string { return "Error writing session file " + string(e) }

// reportSessionError prints a failure to save the session as openssl
// would.
func reportSessionError(w io.Writer, err error) {
	if e, ok := err.(sessWriteError); ok {
		fmt.Fprintln(w, e.Error())
		return
	}
	fmt.Fprintf(w, "s_client: %v\n", err)
}

// opensslSession is openssl's SSL_SESSION encoding (the ASN.1 behind
// "SSL SESSION PARAMETERS"), as far as s_client's sessions use it.
type opensslSession struct {
	Version      int
	SSLVersion   int
	Cipher       []byte
	SessionID    []byte
	MasterKey    []byte
	KeyArg       asn1.RawValue `asn1:"tag:0,optional"`
	Time         int64         `asn1:"explicit,tag:1,optional"`
	Timeout      int64         `asn1:"explicit,tag:2,optional"`
	Peer         asn1.RawValue `asn1:"tag:3,optional"` // [3] EXPLICIT Certificate: the certificate is Peer.Bytes
	SIDCtx       []byte        `asn1:"explicit,tag:4,optional"`
	VerifyResult int64         `asn1:"explicit,tag:5,optional"`
	Hostname     []byte        `asn1:"explicit,tag:6,optional"`
	PSKHint      []byte        `asn1:"explicit,tag:7,optional"`
	PSKIdentity  []byte        `asn1:"explicit,tag:8,optional"`
	LifetimeHint int64         `asn1:"explicit,tag:9,optional"`
	Ticket       []byte        `asn1:"explicit,tag:10,optional"`
	CompID       asn1.RawValue `asn1:"explicit,tag:11,optional"`
	SRPUser      asn1.RawValue `asn1:"explicit,tag:12,optional"`
	Flags        int64         `asn1:"explicit,tag:13,optional"`
	AgeAdd       int64         `asn1:"explicit,tag:14,optional"`
	MaxEarlyData int64         `asn1:"explicit,tag:15,optional,default:0"`
	ALPN         asn1.RawValue `asn1:"explicit,tag:16,optional"`
	MaxFragLen   asn1.RawValue `asn1:"explicit,tag:17,optional"`
	AppData      asn1.RawValue `asn1:"explicit,tag:18,optional"`
	KexGroup     asn1.RawValue `asn1:"explicit,tag:19,optional"`
}

// errMalformedSession is a session encoding s_client cannot use.
var errMalformedSession = errors.New("malformed session")

// flagEMS is openssl's session flag for an extended master secret.
const flagEMS = 1

// parseOpenSSLSession decodes openssl's SSL_SESSION encoding, as far as
// s_client uses it: a cipher suite must be there.
func parseOpenSSLSession(der []byte) (*opensslSession, error) {
	var o opensslSession
	if _, err := asn1.Unmarshal(der, &o); err != nil {
		return nil, err
	}
	if len(o.Cipher) != 2 {
		return nil, errMalformedSession
	}
	return &o, nil
}
