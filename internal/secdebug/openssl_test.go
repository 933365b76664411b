package secdebug

import (
	"bufio"
	"bytes"
	"context"
	"crypto/x509"
	"encoding/pem"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tlskit/tlskit/internal/engine"
	"github.com/tlskit/tlskit/internal/engine/kx"
	"github.com/tlskit/tlskit/internal/engine/sig"
	"github.com/tlskit/tlskit/internal/testpeer"
	"github.com/tlskit/tlskit/internal/tlsnames"
)

// opensslGroups is openssl 3.0's default supported_groups list.
var opensslGroups = []uint16{kx.X25519, kx.Secp256r1, 30, kx.Secp521r1, kx.Secp384r1, 256, 257, 258, 259, 260}

// opensslSigAlgs is openssl 3.0's default signature_algorithms list in
// wire order, as its "Supported Signature Algorithm" lines show it.
func opensslSigAlgs() []uint16 {
	return []uint16{
		0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0809, 0x080a, 0x080b,
		0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601,
		0x0303, 0x0203, 0x0301, 0x0201, 0x0302, 0x0202, 0x0402, 0x0502, 0x0602,
	}
}

// interopCase runs openssl s_client against openssl s_server with the
// same settings we model, then compares their "Security callback" lines
// with ours.
type interopCase struct {
	name      string
	cert      string // "rsa" or "ec": the server's leaf
	cipher    string // -cipher for both sides, "" for openssl's default
	version   string // "-tls1_2", "-tls1_3" or "" for the client
	level     int
	clientCrt bool // the server asks for, and the client sends, a certificate
	goLists   bool // both sides use crypto/tls's sigalgs and (classical) groups
}

func TestAgainstOpenSSL(t *testing.T) {
	testpeer.Need(t, "openssl")
	pki := testpeer.NewPKI(t)
	cases := []interopCase{
		{name: "tls13-rsa", cert: "rsa", level: 2},
		{name: "tls12-rsa", cert: "rsa", version: "-tls1_2", level: 2},
		{name: "tls13-ec", cert: "ec", level: 2},
		{name: "tls12-ec", cert: "ec", version: "-tls1_2", level: 2},
		{name: "tls12-ec-level3", cert: "ec", version: "-tls1_2", cipher: "DEFAULT@SECLEVEL=3", level: 3},
		{name: "tls13-ec-level3", cert: "ec", cipher: "DEFAULT@SECLEVEL=3", level: 3},
		{name: "tls13-rsa-level0", cert: "rsa", cipher: "ALL@SECLEVEL=0", level: 0},
		{name: "tls12-rsa-level1", cert: "rsa", version: "-tls1_2", cipher: "DEFAULT@SECLEVEL=1", level: 1},
		{name: "tls13-clientcert", cert: "ec", version: "-tls1_3", level: 2, clientCrt: true},
		{name: "tls12-clientcert", cert: "rsa", version: "-tls1_2", level: 2, clientCrt: true},
		{name: "tls13-go-lists", cert: "rsa", level: 2, goLists: true},
		{name: "tls12-go-lists", cert: "ec", version: "-tls1_2", level: 2, goLists: true},
		// No ECC suite at TLS 1.2: no curves offered or checked; the
		// server's 2048-bit DH prime (its key's size) is.
		{name: "tls12-dhe-only", cert: "rsa", version: "-tls1_2", cipher: "DHE-RSA-AES128-GCM-SHA256", level: 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// The verbose run tells us what was negotiated; the quiet
			// run reuses it, as its output hides the accepted checks.
			h := runInterop(t, pki, tc, true, Handshake{})
			runInterop(t, pki, tc, false, h)
		})
	}
}

func runInterop(t *testing.T, pki *testpeer.PKI, tc interopCase, verbose bool, h Handshake) Handshake {
	flag := "-security_debug"
	if verbose {
		flag = "-security_debug_verbose"
	}
	srvCert, srvKey := pki.Server, pki.ServerKey
	if tc.cert == "ec" {
		srvCert, srvKey = pki.ECServer, pki.ECServerKey
	}
	sargs := []string{"-cert", srvCert, "-key", srvKey, flag}
	cargs := []string{"-CAfile", pki.CA, flag}
	if tc.cipher != "" {
		sargs = append(sargs, "-cipher", tc.cipher)
		cargs = append(cargs, "-cipher", tc.cipher)
	}
	if tc.version != "" {
		cargs = append(cargs, tc.version)
	}
	if tc.clientCrt {
		sargs = append(sargs, "-verify", "1", "-CAfile", pki.CA)
		cargs = append(cargs, "-cert", pki.Client, "-key", pki.ClientKey)
	}
	groups, sigalgs := opensslGroups, opensslSigAlgs()
	if tc.goLists {
		// openssl 3.0 knows none of Go's ML-KEM hybrids.
		groups = slices.DeleteFunc(slices.Clone(goGroups), func(g uint16) bool { return g > 0xff })
		var gn []string
		for _, g := range groups {
			gn = append(gn, GroupName(g))
		}
		var sn []string
		for _, s := range goSigAlgs {
			a, _ := tlsnames.SigalgByScheme(s)
			sn = append(sn, a.Name)
		}
		sigalgs = goSigAlgs
		extra := []string{"-groups", strings.Join(gn, ":"), "-sigalgs", strings.Join(sn, ":")}
		sargs = append(sargs, extra...)
		cargs = append(cargs, extra...)
	}
	srvOut, cliOut := runPair(t, sargs, cargs)

	// The configuration openssl's client and server used.
	spec, err := tlsnames.ParseCipherSpec(orDefault(tc.cipher))
	if err != nil {
		t.Fatal(err)
	}
	suites, _ := tlsnames.ParseCipherSuites(tlsnames.DefaultCipherSuites)
	var ids []uint16
	for _, cs := range append(suites, spec.Ciphers...) {
		ids = append(ids, cs.ID)
	}
	versions := []uint16{engine.VersionTLS13, engine.VersionTLS12, engine.VersionTLS11, engine.VersionTLS10}
	switch tc.version {
	case "-tls1_2":
		versions = []uint16{engine.VersionTLS12}
	case "-tls1_3":
		versions = []uint16{engine.VersionTLS13}
	}
	var clientChain []*x509.Certificate
	if tc.clientCrt {
		clientChain = []*x509.Certificate{loadCert(t, pki.Client)}
	}
	cc := Config{Verbose: verbose, SecLevel: tc.level, Versions: versions, Ciphers: ids,
		Groups: groups, SigAlgs: sigalgs, Client: true, Chain: clientChain}
	sc := cc
	sc.Client, sc.Versions, sc.Chain = false, nil, []*x509.Certificate{loadCert(t, srvCert)}

	// What each side puts on the wire: the schemes its level allows (a
	// TLS 1.3-only client also drops DSA, SHA-1 and SHA-224).
	var sent []uint16
	for _, s := range cc.SigAlgs {
		a, _ := tlsnames.SigalgByScheme(s)
		if tc.version == "-tls1_3" && (a.Sig == "DSA" || a.Hash == "SHA1" || a.Hash == "SHA224") {
			continue
		}
		if b, ok := SigalgBits(s); ok && Allowed(tc.level, b) {
			sent = append(sent, s)
		}
	}
	// The groups the client sent: those its level allows, and no
	// TLS 1.3-only ones when it is limited to TLS 1.2.
	var sentGroups []uint16
	for _, g := range cc.Groups {
		if b, _ := GroupBits(g); Allowed(tc.level, b) && (tc.version != "-tls1_2" || g < 256) {
			sentGroups = append(sentGroups, g)
		}
	}
	if verbose {
		h = negotiated(t, cliOut)
	}
	if strings.HasPrefix(tc.cipher, "DHE-") {
		// No ECC suite: no supported_groups sent (empty, not "same as
		// ours"), no curve agreed.
		h.Group, h.DHBits = 0, 2048
		sentGroups = []uint16{}
	}
	h.PeerCerts = []*x509.Certificate{loadCert(t, srvCert)}
	h.CertRequested = tc.clientCrt
	h.PeerSigAlgs = sent
	h.PeerGroups = sentGroups
	ca := loadCert(t, pki.CA)
	if tc.clientCrt {
		// Both sides have -CAfile and complete their chains from it.
		h.LocalChain = []*x509.Certificate{clientChain[0], ca}
	}
	var mine bytes.Buffer
	WriteSetup(&mine, cc)
	// The server promises a TLS 1.2 ticket when the client offered one
	// (neither side has -no_ticket; level 3 and above refuse tickets).
	WriteClientServerHello(&mine, cc, h.Version, h.Cipher, h.Version < engine.VersionTLS13 && ticketAllowed(tc.level))
	if h.Version == engine.VersionTLS13 && h.CertRequested {
		WriteClientCertificateRequest(&mine, cc, h.PeerSigAlgs)
	}
	WriteHandshake(&mine, cc, h)
	compare(t, "client", verbose, mine.String(), cliOut)

	// The server sees the schemes the client sent and, when it asked for
	// a certificate, the client's CertificateVerify (its key is P-256).
	hs := h
	hs.PeerCerts, hs.PeerSig, hs.LocalChain = nil, 0, nil
	if tc.clientCrt {
		hs.PeerSig = sig.ECDSAP256SHA256
		hs.PeerCerts = clientChain
		hs.LocalChain = []*x509.Certificate{sc.Chain[0], ca}
	}
	mine.Reset()
	WriteSetup(&mine, sc)
	WriteHandshake(&mine, sc, hs)
	compare(t, "server", verbose, mine.String(), srvOut)
	return h
}

func orDefault(s string) string {
	if s == "" {
		return "DEFAULT"
	}
	return s
}

// negotiated reads the version, suite and the server's signature scheme
// from a verbose client's lines; the group is X25519 in every case here.
func negotiated(t *testing.T, out string) Handshake {
	h := Handshake{Group: kx.X25519}
	for _, l := range strings.Split(out, "\n") {
		body, ok := strings.CutPrefix(l, "Security callback: ")
		if !ok {
			continue
		}
		if v, ok := strings.CutPrefix(body, "Check Ciphersuite="); ok {
			name, _, _ := strings.Cut(v, ",")
			cs, ok := tlsnames.CipherByName(name)
			if !ok {
				t.Fatalf("unknown suite %q", name)
			}
			h.Cipher = cs.ID
			h.Version = engine.VersionTLS12
			if cs.IsTLS13() {
				h.Version = engine.VersionTLS13
			}
		}
		if v, ok := strings.CutPrefix(body, "Check Signature Algorithm scheme="); ok {
			name, _, _ := strings.Cut(v, ",")
			for _, a := range tlsnames.Sigalgs() {
				if a.Name == name {
					h.PeerSig = a.Scheme
				}
			}
		}
	}
	if h.Cipher == 0 || h.PeerSig == 0 {
		t.Fatalf("no Check Ciphersuite/Check Signature Algorithm line in:\n%s", out)
	}
	return h
}

// compare checks that every line we print is one openssl printed, and
// without -security_debug_verbose that we print exactly the refusals
// openssl printed.
func compare(t *testing.T, side string, verbose bool, mine, theirs string) {
	t.Helper()
	have := callbackLines(theirs)
	set := map[string]bool{}
	for _, l := range have {
		set[l] = true
	}
	ours := callbackLines(mine)
	for _, l := range ours {
		if !set[l] {
			t.Errorf("%s (verbose=%v): we print %q, openssl does not;\nopenssl:\n%s", side, verbose, l, strings.Join(uniq(have), "\n"))
		}
	}
	if verbose {
		// Our phases come in openssl's order: collapsed to runs of one
		// operation, ours must be a subsequence of openssl's.
		if a, b := phases(ours), phases(have); !isSubsequence(a, b) {
			t.Errorf("%s: phase order differs:\nours:    %q\nopenssl: %q", side, a, b)
		}
		// Every kind of check openssl makes has a line of ours.
		kinds := map[string]bool{}
		for _, l := range ours {
			kinds[lineKind(l)] = true
		}
		for _, l := range have {
			if !kinds[lineKind(l)] {
				t.Errorf("%s: openssl prints %q, we print nothing of that kind", side, l)
				kinds[lineKind(l)] = true
			}
		}
		return
	}
	for _, l := range ours {
		if strings.HasSuffix(l, ": yes") {
			t.Errorf("%s: non-verbose output has an accepted check: %q", side, l)
		}
	}
	if a, b := uniq(ours), uniq(have); !slices.Equal(a, b) {
		t.Errorf("%s: refusals differ:\nours:\n%s\nopenssl:\n%s", side, strings.Join(a, "\n"), strings.Join(b, "\n"))
	}
}

// phases collapses lines to the sequence of runs of one operation
// ("Supported Curve", "Certificate chain", …).
func phases(lines []string) []string {
	var out []string
	for _, l := range lines {
		op := strings.TrimPrefix(lineKind(l), "Security callback: ")
		for _, sep := range []string{" scheme", " digest", " EE", " CA"} {
			op, _, _ = strings.Cut(op, sep)
		}
		if len(out) == 0 || out[len(out)-1] != op {
			out = append(out, op)
		}
	}
	return out
}

func isSubsequence(a, b []string) bool {
	i := 0
	for _, x := range b {
		if i < len(a) && a[i] == x {
			i++
		}
	}
	return i == len(a)
}

// lineKind is a line's operation and the form of its subject, e.g.
// "Supported Signature Algorithm digest".
func lineKind(l string) string {
	k, _, _ := strings.Cut(l, "=")
	return k
}

func callbackLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, "Security callback: ") {
			out = append(out, l)
		}
	}
	return out
}

func uniq(ls []string) []string {
	out := slices.Clone(ls)
	slices.Sort(out)
	return slices.Compact(out)
}

func loadCert(t *testing.T, path string) *x509.Certificate {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		t.Fatalf("%s: no PEM", path)
	}
	c, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// runPair starts openssl s_server, runs one openssl s_client against it
// and returns the server's output (both streams) and the client's stderr
// once the server has finished the handshake. Everything is bounded in time and only our own processes
// are killed, by PID.
func runPair(t *testing.T, sargs, cargs []string) (srvErr, cliErr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	srv := exec.CommandContext(ctx, "openssl", append([]string{"s_server", "-accept", "127.0.0.1:0"}, sargs...)...)
	// One pipe for both streams keeps their order: every check written
	// to stderr before the summary on stdout is read before it.
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	srv.Stdout, srv.Stderr = pw, pw
	stdin, err := srv.StdinPipe() // s_server quits on EOF
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	defer func() {
		srv.Process.Kill()
		stdin.Close()
		srv.Wait()
	}()
	var serr lockedBuffer
	addr := make(chan string, 1)
	done := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			l := sc.Text()
			serr.Write([]byte(l + "\n"))
			if a, ok := strings.CutPrefix(l, "ACCEPT "); ok {
				addr <- a
			}
			// s_server prints the suite once its side of the handshake
			// (and so all its checks) is over.
			if strings.HasPrefix(l, "CIPHER is") {
				close(done)
			}
		}
	}()
	var a string
	select {
	case a = <-addr:
	case <-ctx.Done():
		t.Fatalf("s_server never printed ACCEPT; stderr:\n%s", serr.String())
	}
	cli := exec.CommandContext(ctx, "openssl", append([]string{"s_client", "-connect", a}, cargs...)...)
	cli.Stdin = strings.NewReader("Q\n")
	var cerr bytes.Buffer
	cli.Stderr = &cerr
	if err := cli.Run(); err != nil {
		t.Fatalf("s_client %s: %v\n%s", strings.Join(cargs, " "), err, cerr.String())
	}
	select {
	case <-done:
	case <-ctx.Done():
		t.Fatalf("s_server never finished the handshake; stderr:\n%s", serr.String())
	}
	return serr.String(), cerr.String()
}

// lockedBuffer is testpeer.Buffer: a buffer safe for concurrent writes and reads.
type lockedBuffer = testpeer.Buffer
