package optgroups

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io"
	"os"
	"slices"
	"strings"
	"syscall"

	"github.com/cloudflare/circl/sign/ed448"

	"github.com/tlskit/tlskit/internal/certs"
	"github.com/tlskit/tlskit/internal/engine"
	"github.com/tlskit/tlskit/internal/engine/sig"
	"github.com/tlskit/tlskit/internal/opt"
	"github.com/tlskit/tlskit/internal/sslerr"
)

// ConfCertificate and ConfPrivateKey are the options under which
// applyCommands records a section's Certificate and PrivateKey commands,
// in order, each with the section's slots (SectionCerts) as Loaded: no
// command-line option has the names. SectionIdentities returns those
// slots.
const (
	ConfCertificate = "conf:Certificate"
	ConfPrivateKey  = "conf:PrivateKey"
)

// Key slots, one per key type, in openssl's order: a context holds one
// certificate (with its chain) and one key of each type.
const (
	slotRSA = iota
	slotRSAPSS
	slotEC
	slotEd25519
	slotEd448
	numSlots
)

// slotOf is the slot of a public key, or -1 for a type tlskit does not
// sign with.
func slotOf(pub crypto.PublicKey) int {
	switch pub.(type) {
	case *rsa.PublicKey:
		return slotRSA
	case sig.PSSPublicKey:
		return slotRSAPSS
	case *ecdsa.PublicKey:
		return slotEC
	case ed25519.PublicKey:
		return slotEd25519
	case ed448.PublicKey:
		return slotEd448
	}
	return -1
}

// maxSectionFile bounds what is read of a Certificate or PrivateKey file
// (-ssl_config's Certificate = /dev/zero must not grow memory without
// end).
const maxSectionFile = 8 << 20

var errTooLarge = errors.New("the file is larger than 8 MiB")

// readSectionFile reads a Certificate or PrivateKey file: a directory,
// which opens as in openssl, reads as empty; a file that does not open
// is the error.
func readSectionFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxSectionFile+1))
	switch {
	case errors.Is(err, syscall.EISDIR):
		return nil, nil
	case err != nil:
		return nil, err
	case len(data) > maxSectionFile:
		return nil, errTooLarge
	}
	return data, nil
}

// certSlotOf is the slot of a certificate's key, or -1.
func certSlotOf(c *x509.Certificate) int {
	if c.PublicKey != nil {
		return slotOf(c.PublicKey)
	}
	pub, err := sig.ParseSPKI(c.RawSubjectPublicKeyInfo)
	if err != nil {
		return -1
	}
	return slotOf(pub)
}

// certSlot is one key slot as a section's commands left it.
type certSlot struct {
	chain    []*x509.Certificate // the certificate first, then its chain; nil: none
	key      crypto.Signer
	certFile string // the Certificate command's file, for the key at the end
}

// SectionCerts are a section's certificates and keys, applied as openssl
// 3.0.22 applies the Certificate and PrivateKey commands (measured):
//
//   - Certificate reads a PEM file (SSL_CTX_use_certificate_chain_file):
//     its first certificate goes into its key type's slot, the file's
//     other certificates become the slot's chain, and the slot's key is
//     dropped unless it is the certificate's; that slot becomes the
//     current one.
//   - PrivateKey reads a PEM key into its type's slot, which becomes the
//     current one; a key that is not the slot's certificate's fails the
//     command ("key values mismatch") and is not set.
//   - After the section, a slot that a Certificate filled and that has
//     no key reads its key from the certificate's file, the first such
//     failure failing the section.
//
// The command line's -cert then takes its key type's slot (see
// PlaceInSlot).
type SectionCerts struct {
	slots   [numSlots]certSlot
	current int
	// loaded are the chains the Certificate commands read, in order.
	loaded [][]*x509.Certificate
}

// newSectionCerts is a context's slots before any command: empty, the
// RSA one current, as in openssl.
func newSectionCerts() *SectionCerts { return &SectionCerts{current: slotRSA} }

// certificate applies a Certificate command: the error queue's lines
// when it fails as in openssl, or why tlskit refuses the file.
func (s *SectionCerts) certificate(path string) (lines []string, refused string) {
	const fn = "use_certificate_chain_file"
	data, err := readSectionFile(path)
	if errors.Is(err, errTooLarge) {
		return nil, err.Error()
	}
	if err != nil {
		return append(fopenLines(path, err), sslerr.Entry{Code: 0x0A080002, Lib: "SSL routines", Func: fn, Reason: "system lib"}.String()), ""
	}
	var chain []*x509.Certificate
	for rest := data; ; {
		var b *pem.Block
		if b, rest = pem.Decode(rest); b == nil {
			break
		}
		switch b.Type {
		case "CERTIFICATE":
		case "TRUSTED CERTIFICATE", "X509 CERTIFICATE":
			return nil, "the file holds a " + b.Type + " block (openssl's reading of it is not matched)"
		default:
			continue // openssl looks for the next certificate
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, "a certificate of the file does not parse (openssl's decoder errors are not matched): " + err.Error()
		}
		chain = append(chain, c)
	}
	if len(chain) == 0 {
		// A directory, a file without a certificate: openssl finds no
		// PEM certificate to start with.
		return []string{
			sslerr.Entry{Code: 0x0480006C, Lib: "PEM routines", Func: "get_name", Reason: "no start line", Data: "Expecting: TRUSTED CERTIFICATE"}.String(),
			sslerr.Entry{Code: 0x0A080009, Lib: "SSL routines", Func: fn, Reason: "PEM lib"}.String()}, ""
	}
	i := certSlotOf(chain[0])
	if i < 0 {
		return nil, "the certificate's key type is not one tlskit signs with"
	}
	sl := &s.slots[i]
	if sl.key != nil && !certs.CertMatchesKey(chain[0], sl.key) {
		sl.key = nil
	}
	sl.chain, sl.certFile = chain, path
	s.current = i
	s.loaded = append(s.loaded, chain)
	return nil, ""
}

// privateKey applies a PrivateKey command (and the key read from a
// certificate's file at the end), as certificate does.
func (s *SectionCerts) privateKey(path string) (lines []string, refused string) {
	const fn = "SSL_CTX_use_PrivateKey_file"
	data, err := readSectionFile(path)
	if errors.Is(err, errTooLarge) {
		return nil, err.Error()
	}
	if err != nil {
		return append(fopenLines(path, err), sslerr.Entry{Code: 0x0A080002, Lib: "SSL routines", Func: fn, Reason: "system lib"}.String()), ""
	}
	var block *pem.Block
	for rest := data; ; {
		var b *pem.Block
		if b, rest = pem.Decode(rest); b == nil {
			break
		}
		if strings.HasSuffix(b.Type, "PRIVATE KEY") {
			block = b
			break
		}
	}
	if block == nil {
		// A directory, DER, a file of certificates: no PEM key.
		return []string{
			sslerr.Entry{Code: 0x1E08010C, Lib: "DECODER routines", Func: "OSSL_DECODER_from_bio", Reason: "unsupported", Data: "No supported data to decode. Input type: PEM"}.String(),
			sslerr.Entry{Code: 0x0A080009, Lib: "SSL routines", Func: fn, Reason: "PEM lib"}.String()}, ""
	}
	key, err := certs.ParsePEMKeyBlock(block, "")
	if err != nil {
		// Encrypted (openssl asks for a pass phrase), or not a key
		// tlskit reads.
		return nil, path + ": " + err.Error() + " (openssl's reading of it is not matched)"
	}
	i := slotOf(key.Public())
	if i < 0 {
		return nil, "the key's type is not one tlskit signs with"
	}
	sl := &s.slots[i]
	if sl.chain != nil && !certs.CertMatchesKey(sl.chain[0], key) {
		return []string{sslerr.Entry{Code: 0x05800074, Lib: "x509 certificate routines", Func: "X509_check_private_key", Reason: "key values mismatch"}.String()}, ""
	}
	sl.key = key
	s.current = i
	return nil, ""
}

// finish reads the key of each certificate that has none from the
// certificate's file, stopping at the first failure, as openssl does
// once the section's commands are applied.
func (s *SectionCerts) finish() (lines []string, refused string) {
	for i := range s.slots {
		sl := &s.slots[i]
		if sl.certFile == "" || sl.key != nil {
			continue
		}
		if lines, refused = s.privateKey(sl.certFile); lines != nil || refused != "" {
			return lines, refused
		}
		if sl.key == nil {
			// The file's key went to another slot: this certificate
			// stays without one.
			return nil, sl.certFile + ": the key read from the certificate's file is another type's (openssl's handling of it is not matched)"
		}
	}
	return nil, ""
}

// identities are the slots holding a certificate and its key, in slot
// order, and the index among them of the current slot (-1 if it holds
// none).
func (s *SectionCerts) identities() (ids []engine.Identity, current int) {
	current = -1
	for i, sl := range s.slots {
		if sl.chain == nil || sl.key == nil {
			continue
		}
		if i == s.current {
			current = len(ids)
		}
		var id engine.Identity
		for _, c := range sl.chain {
			id.Chain = append(id.Chain, c.Raw)
		}
		id.Key = sl.key
		ids = append(ids, id)
	}
	return ids, current
}

// Section is what -ssl_config's Certificate and PrivateKey commands left.
type Section struct {
	// Identities are the certificates with their keys and chains, in
	// openssl's slot order.
	Identities []engine.Identity
	// Current is the index in Identities of the current slot (the last
	// one a command set), or -1.
	Current int
	// ServerInfoSlot is the slot a ServerInfoFile went to (the current
	// one when it was applied: the RSA one before any certificate), for
	// SlotOf; -1 without one.
	ServerInfoSlot int
	// Loaded are the chains the Certificate commands read, in the
	// commands' order (what openssl's -security_debug checks as it
	// loads them).
	Loaded [][]*x509.Certificate
}

// serverInfoSlot is the key slot a ServerInfoFile went to, kept in its
// opt.Value.Loaded.
type serverInfoSlot int

// SectionIdentities are the slots -ssl_config's Certificate, PrivateKey
// and ServerInfoFile commands left, as applyCommands applied and checked
// them (kept in their opt.Value.Loaded): no file is read again.
func SectionIdentities(v *opt.Values) Section {
	out := Section{Current: -1, ServerInfoSlot: -1}
	for _, x := range v.List {
		switch l := x.Loaded.(type) {
		case *SectionCerts:
			if x.Name == ConfCertificate || x.Name == ConfPrivateKey {
				out.Identities, out.Current = l.identities()
				out.Loaded = l.loaded
			}
		case *serverInfoSlot:
			if x.Name == ConfServerInfoFile {
				out.ServerInfoSlot = int(*l)
			}
		}
	}
	return out
}

// SlotOf is the key slot of an identity's certificate (-1 for a key type
// without one).
func SlotOf(id engine.Identity) int {
	if len(id.Chain) == 0 {
		return -1
	}
	leaf, err := x509.ParseCertificate(id.Chain[0])
	if err != nil {
		return -1
	}
	return certSlotOf(leaf)
}

// PlaceInSlot puts a certificate the command line names (-cert, -dcert)
// into the slots, as openssl's applications set it after SSL_CTX_config
// (SSL_CTX_use_certificate and SSL_CTX_use_PrivateKey): it replaces the
// identity of its key type, keeping that one's chain when it brings none
// of its own (a -cert file of one certificate, without -cert_chain;
// measured with 3.0.22: a section's chain is then sent after -cert's
// certificate, and -dcert of -cert's key type is served in place of
// -cert's), or else comes last. It returns the identities and its index.
func PlaceInSlot(ids []engine.Identity, id engine.Identity) ([]engine.Identity, int) {
	slot := SlotOf(id)
	for i := range ids {
		if slot < 0 || SlotOf(ids[i]) != slot {
			continue
		}
		if len(id.Chain) == 1 {
			id.Chain = append(id.Chain[:1:1], ids[i].Chain[1:]...)
		}
		out := slices.Clone(ids)
		out[i] = id
		return out, i
	}
	return append(slices.Clip(ids), id), len(ids)
}
