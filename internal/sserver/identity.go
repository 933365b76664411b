package sserver

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/tlskit/tlskit/internal/certs"
	"github.com/tlskit/tlskit/internal/engine"
	"github.com/tlskit/tlskit/internal/optgroups"
)

// identity is the certificates the server presents.
type identity struct {
	main []engine.Identity // -cert, -dcert, -xcert…: the engine picks the first the client supports
	// xcerts are the -xcert certificates, for the certificate callback
	// that serves them in place of the others.
	xcerts []xcert
	sni    []engine.Identity // -cert2, for clients naming -servername
	// certIdx is the index in main of the key slot -cert's certificate
	// (or the generated one) took, -1 without one (-nocert). A -dcert of
	// the same key type takes that slot after it (openssl's slot keeps
	// what was set on it, -serverinfo's extensions).
	certIdx int
	// startChains are the chains openssl's -security_debug checks at
	// start-up, in the order it loads them: the section's Certificate
	// commands' (fixed), then -cert's and -dcert's as loaded (cmdline:
	// -build_chain builds them first).
	startChains []startChain
	// sectionSI is the key slot -ssl_config's ServerInfoFile went to
	// (optgroups.Section.ServerInfoSlot), -1 without one.
	sectionSI int
	notes     []string // stderr notices to print at start-up
	// ephemeralPath is the file holding a generated certificate, removed on exit.
	ephemeralPath string
}

// startChain is one chain -security_debug checks at start-up.
type startChain struct {
	chain   [][]byte
	cmdline bool // -cert's or -dcert's, not the section's
}

// loadIdentity loads -cert/-key, -dcert/-dkey and -cert2/-key2. When no
// -cert was given and ./server.pem does not exist, it generates a
// self-signed certificate instead (tlskit's zero-config mode), which
// stands for -cert's.
//
// -ssl_config's Certificate and PrivateKey commands fill key slots first
// (optgroups.SectionIdentities); -cert's certificate, then -dcert's, take
// the slot of their key type, as openssl sets them after SSL_CTX_config
// (optgroups.PlaceInSlot). The section does not apply to -cert2's context
// (measured with 3.0.22: a -servername client gets -cert2's certificate
// only).
func loadIdentity(c *config) (*identity, error) {
	sec := optgroups.SectionIdentities(c.values)
	id := &identity{main: sec.Identities, certIdx: -1, sectionSI: sec.ServerInfoSlot}
	for _, chain := range sec.Loaded {
		var ders [][]byte
		for _, c := range chain {
			ders = append(ders, c.Raw)
		}
		id.startChains = append(id.startChains, startChain{chain: ders})
	}
	switch {
	case c.nocert:
		// -nocert: the PSKs alone authenticate the server.
	case !c.cert.given && !fileExists(c.cert.spec.Cert) && c.cert.spec.Key == "":
		cert, path, fp, err := ephemeralCertificate()
		if err != nil {
			return nil, err
		}
		id.main, id.certIdx = optgroups.PlaceInSlot(id.main, cert)
		id.startChains = append(id.startChains, startChain{chain: cert.Chain, cmdline: true})
		id.ephemeralPath = path
		id.notes = append(id.notes,
			fmt.Sprintf("s_server: no -cert given and no server.pem here: using a new self-signed certificate for localhost, 127.0.0.1, ::1 and %s", hostname()),
			fmt.Sprintf("s_server: certificate written to %s (trust it with -CAfile); SHA-256 fingerprint %s", path, fp))
	default:
		cert, err := loadKeyPair(c.cert)
		if err != nil {
			return nil, err
		}
		id.main, id.certIdx = optgroups.PlaceInSlot(id.main, cert)
		id.startChains = append(id.startChains, startChain{chain: cert.Chain, cmdline: true})
	}
	if c.dcert.given {
		cert, err := loadKeyPair(c.dcert)
		if err != nil {
			return nil, err
		}
		// Of -cert's key type, it takes -cert's slot, which keeps its
		// index.
		id.main, _ = optgroups.PlaceInSlot(id.main, cert)
		id.startChains = append(id.startChains, startChain{chain: cert.Chain, cmdline: true})
	}
	for _, x := range c.xcerts {
		cert, err := loadKeyPair(x)
		if err != nil {
			return nil, err
		}
		id.xcerts = append(id.xcerts, xcert{idx: len(id.main), given: slices.Clone(cert.Chain), build: x.build})
		id.main = append(id.main, cert)
	}
	// openssl s_server loads -cert2 (by default ./server2.pem) whenever
	// -servername is given, and refuses to start without it.
	if c.servername != "" {
		cert, err := loadKeyPair(c.cert2)
		if err != nil {
			if id.ephemeralPath != "" {
				os.Remove(id.ephemeralPath)
			}
			return nil, err
		}
		id.sni = append(id.sni, cert)
	}
	return id, nil
}

// loadKeyPair resolves the pass phrase source and loads one key pair.
func loadKeyPair(k keyPairOpts) (engine.Identity, error) {
	spec := k.spec
	if k.passSpec != "" {
		p, err := certs.ReadPass(k.passSpec)
		if err != nil {
			return engine.Identity{}, err
		}
		spec.Pass = p
	}
	side := k.side
	if side == "" {
		side = "server"
	}
	keyName := k.keyName
	if keyName == "" {
		keyName = side + " certificate private key"
	}
	load := func() (engine.Identity, error) { return optgroups.LoadKeyPairNamed(spec, side+" certificate", keyName) }
	if k.extended {
		load = func() (engine.Identity, error) { return optgroups.LoadExtendedKeyPair(spec) }
	}
	id, err := load()
	if err != nil {
		return engine.Identity{}, err
	}
	if _, err := x509.ParseCertificate(id.Chain[0]); err != nil {
		return engine.Identity{}, err
	}
	return id, nil
}

func hostname() string {
	h, err := os.Hostname()
	if err != nil || h == "" {
		return "localhost"
	}
	return h
}

// ephemeralCertificate makes a self-signed ECDSA P-256 certificate for the
// local names, writes it as PEM to a file in the temporary directory (so a
// client can trust it with -CAfile) and returns it with the file's path and
// its SHA-256 fingerprint in openssl's colon-separated form. Only the
// certificate is written, never the key.
func ephemeralCertificate() (engine.Identity, string, string, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return engine.Identity{}, "", "", err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return engine.Identity{}, "", "", err
	}
	now := time.Now()
	host := hostname()
	names := []string{"localhost"}
	if host != "localhost" {
		names = append(names, host)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "localhost", Organization: []string{"tlskit s_server ephemeral certificate"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(7 * 24 * time.Hour),
		DNSNames:              names,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		// A CA flag lets OpenSSL's verifier use the certificate as its own
		// trust anchor from -CAfile.
		IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return engine.Identity{}, "", "", err
	}
	if _, err := x509.ParseCertificate(der); err != nil {
		return engine.Identity{}, "", "", err
	}
	// A fresh name (never an existing file, so never a planted symlink),
	// readable by others since it holds only the public certificate.
	f, err := os.CreateTemp("", fmt.Sprintf("tlskit-server-%d-*.pem", os.Getpid()))
	if err != nil {
		return engine.Identity{}, "", "", fmt.Errorf("cannot write the generated certificate: %v", err)
	}
	path := f.Name()
	f.Chmod(0o644)
	werr := pem.Encode(f, &pem.Block{Type: "CERTIFICATE", Bytes: der})
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		os.Remove(path)
		return engine.Identity{}, "", "", fmt.Errorf("cannot write the generated certificate: %v", werr)
	}
	sum := sha256.Sum256(der)
	hex := make([]string, len(sum))
	for i, b := range sum {
		hex[i] = fmt.Sprintf("%02X", b)
	}
	cert := engine.Identity{Chain: [][]byte{der}, Key: key}
	return cert, path, strings.Join(hex, ":"), nil
}
