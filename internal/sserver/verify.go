package sserver

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"

	"github.com/tlskit/tlskit/internal/certs"
	"github.com/tlskit/tlskit/internal/dn"
	"github.com/tlskit/tlskit/internal/opt"
	"github.com/tlskit/tlskit/internal/optgroups"
	"github.com/tlskit/tlskit/internal/verify"
)

// verifyParams is the part of verify.Options fixed at start-up.
type verifyParams = verify.Options

// setupVerify parses the verification parameters for client
// authentication (-verify/-Verify) and the -nameopt used to print names;
// loadVerify loads the files.
func (s *server) setupVerify(v *opt.Values) error {
	s.nameopt = dn.Default()
	if no, ok := v.Get("nameopt"); ok {
		o, err := dn.ParseOptions(no)
		if err != nil {
			return err
		}
		s.nameopt = o
	}
	// Bad verification values are start-up errors even when no client
	// certificate is requested, as in openssl. The parameters are parsed
	// by the shared group, as in s_client; @SECLEVEL sets the auth level.
	authLevel := 1
	if s.c.secLevel >= 0 {
		authLevel = s.c.secLevel
	}
	vo, err := optgroups.ParseVerify(v, "sslclient", authLevel)
	if err != nil {
		return err
	}
	c := s.c
	if c.verifyRequire {
		fmt.Fprintf(s.errw, "verify depth is %d, must return a certificate\n", c.verifyDepth)
	} else if c.verifyRequest {
		fmt.Fprintf(s.errw, "verify depth is %d\n", c.verifyDepth)
	}
	s.verifyParsed = vo
	return nil
}

// loadVerify loads the CRLs (-CRL) and the trust store (-CAfile, -CApath,
// -CAstore, or -verifyCA…) as openssl s_server does once the certificates
// are in, before the DH parameters: a file that does not load ends the
// start-up, -verify or not (measured with openssl 3.0: exit code 1, the
// error lines on stderr, nothing on stdout). Without -verify/-Verify the
// store still serves the c command, which asks for a certificate after
// the handshake and verifies it, as openssl's does.
func (s *server) loadVerify(v *opt.Values) error {
	c, vo := s.c, s.verifyParsed
	for _, f := range v.All("CRL") {
		form := certs.FormatAuto
		if name := v.Last("CRLform", "CRLForm"); name != "" {
			fs, _ := v.Get(name)
			form, _ = certs.ParseFormat(fs)
		}
		crls, err := optgroups.LoadCRLs(f, form)
		if err != nil {
			return err
		}
		s.crls = append(s.crls, crls...)
	}
	// The CA options, parsed as s_client parses them (optgroups): each
	// takes the last value given; -verifyCA… replace the trust store for
	// verification; -CAfile's CAs are the names sent to the client.
	trust := optgroups.ParseCAStore(v, optgroups.TrustStore)
	st, verifyStore := trust, false
	if vs := optgroups.ParseCAStore(v, optgroups.VerifyStore); vs.Given() {
		st, verifyStore = vs, true
	}
	roots, err := st.Load()
	if err != nil {
		return err
	}
	if !verifyStore && trust.WantsDefaults() {
		// openssl also trusts its default file and directory. Without
		// -verify they wait for the first c command: reading them costs
		// every start-up a few hundred milliseconds.
		if c.verifyRequest {
			if sys, err := certs.SystemCAs(); err == nil {
				roots = append(roots, sys...)
			}
		} else {
			s.systemCAs = sync.OnceValue(func() []*x509.Certificate {
				sys, _ := certs.SystemCAs()
				return sys
			})
		}
	}
	s.roots = roots
	if c.status && !verifyStore {
		s.statusIssuers = func() []*x509.Certificate {
			if s.systemCAs == nil {
				return s.roots
			}
			return append(slices.Clip(s.roots), s.systemCAs()...)
		}
	} else if c.status {
		// The trust store is not the verification store: read it on
		// first use; what cannot be read holds no issuer.
		s.statusIssuers = sync.OnceValue(func() []*x509.Certificate {
			cs, _ := trust.Load()
			if trust.WantsDefaults() {
				sys, _ := certs.SystemCAs()
				cs = append(cs, sys...)
			}
			return cs
		})
	}
	if !v.Has("no_ca_names") && trust.File != "" {
		names, err := optgroups.CAStore{File: trust.File}.Load()
		if err != nil {
			return err
		}
		// openssl's SSL_load_client_CA_file takes every certificate's
		// subject, CA or not, in file order, once each: measured with
		// 3.0, a later name is dropped only when its DER is the same
		// (names differing in case, spacing or string type all stay).
		seen := make(map[string]bool, len(names))
		for _, r := range names {
			if !seen[string(r.RawSubject)] {
				seen[string(r.RawSubject)] = true
				s.clientCANames = append(s.clientCANames, r.RawSubject)
			}
		}
	} else if names, ok := optgroups.SectionCANames(v); ok && !v.Has("no_ca_names") {
		// -ssl_config's ClientCAFile and RequestCAFile, which -CAfile
		// replaces (openssl s_server sets -CAfile's names after
		// SSL_CTX_config, and they take precedence).
		s.clientCANames = names
	}
	s.crls = append(s.crls, verify.CAFileCRLs(vo, st.Files()...)...)
	vo.Roots, vo.CRLs = s.roots, s.crls
	// One verify callback for both commands: -verify N/-Verify N stop at
	// an error deeper than N, -verify_return_error at any error.
	depth := c.verifyDepth
	if !c.verifyRequest {
		depth = -1 // no -verify: no depth limit
	}
	vo.Callback = verify.SClientCallback(depth, c.verifyReturnError)
	s.verifyOpts = vo
	s.crlDownload = v.Has("crl_download")
	return nil
}

// crlFetchTimeout bounds each download of -crl_download.
const crlFetchTimeout = 10 * time.Second

// errClientVerify ends a handshake whose client certificate failed
// verification under -verify_return_error; the engine sends
// bad_certificate.
var errClientVerify = errors.New("sserver: client certificate verification failed")

// verifyHook runs during the handshake (the engine's VerifyPeer), with
// the client's chain. The handshake fails when the verify callback stopped
// verification.
func (s *server) verifyHook(tc *trackedConn, peer []*x509.Certificate) error {
	r := s.verifyClient(peer)
	tc.verifyCode = r.Code
	if r.Stopped() {
		return fmt.Errorf("%w: %s", errClientVerify, verify.ErrorString(tc.verifyCode))
	}
	return nil
}

// writeHandshakeError prints what openssl's s_server prints on stderr when
// a handshake fails: "ERROR", then "verify error:<text>" if the client's
// certificate did not verify.
func (s *server) writeHandshakeError(tc *trackedConn) {
	var b bytes.Buffer
	b.WriteString("ERROR\n")
	if tc != nil && tc.verifyCode != 0 {
		fmt.Fprintf(&b, "verify error:%s\n", verify.ErrorString(tc.verifyCode))
	}
	s.errw.Write(b.Bytes())
}

// verifyClient checks the client's certificates and prints the verify
// callback's lines on stderr.
func (s *server) verifyClient(peer []*x509.Certificate) verify.Result {
	if len(peer) == 0 {
		return verify.Result{}
	}
	o := s.verifyOpts
	if s.systemCAs != nil {
		o.Roots = append(append([]*x509.Certificate(nil), o.Roots...), s.systemCAs()...)
	}
	o.Intermediates = peer[1:]
	if s.crlDownload {
		crls, errs := verify.DownloadCRLs(peer, crlFetchTimeout)
		for _, err := range errs {
			fmt.Fprintf(s.errw, "s_server: -crl_download: %v\n", err)
		}
		o.CRLs = append(append([]*x509.RevocationList(nil), o.CRLs...), crls...)
	}
	r := verify.Verify(peer, o)
	var b bytes.Buffer
	verify.WriteCallbackLines(&b, r, s.nameopt, s.c.verifyQuiet)
	s.errw.Write(b.Bytes())
	return r
}

// writeClientCert prints the client's certificate as openssl's interactive
// report does: a title, the PEM, then subject and issuer lines.
func (s *server) writeClientCert(w io.Writer, peer []*x509.Certificate) {
	if len(peer) == 0 {
		return
	}
	fmt.Fprintln(w, "Client certificate")
	pem.Encode(w, &pem.Block{Type: "CERTIFICATE", Bytes: peer[0].Raw})
	fmt.Fprintf(w, "subject=%s\n", dn.Format(peer[0].RawSubject, s.nameopt))
	fmt.Fprintf(w, "issuer=%s\n", dn.Format(peer[0].RawIssuer, s.nameopt))
}
