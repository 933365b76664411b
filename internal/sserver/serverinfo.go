package sserver

import (
	"encoding/binary"
	"encoding/pem"
	"errors"
	"io"
	"os"
	"slices"
	"strings"
	"syscall"

	"github.com/tlskit/tlskit/internal/engine"
	"github.com/tlskit/tlskit/internal/engine/msg"
	"github.com/tlskit/tlskit/internal/optgroups"
	"github.com/tlskit/tlskit/internal/sslerr"
)

// maxServerInfoFile bounds what -serverinfo reads.
const maxServerInfoFile = 1 << 20

func init() { optgroups.ServerInfoReader = readServerInfo }

// readServerInfo reads -serverinfo as openssl's SSL_CTX_use_serverinfo_file
// does: PEM blocks named "SERVERINFO FOR <anything>" (an extension type,
// a two-byte length and the data) or "SERVERINFOV2 FOR <anything>" (a
// four-byte context first), exactly one extension a block, each type once.
// A bad file fails with openssl's error lines.
func readServerInfo(path string) ([]engine.ServerInfo, error) {
	const sslLib = "SSL routines"
	fail := func(es ...sslerr.Entry) error {
		var lines []string
		for _, e := range es {
			lines = append(lines, e.String())
		}
		return &optgroups.ConfError{Lines: lines}
	}
	const fn = "SSL_CTX_use_serverinfo_file"
	f, err := os.Open(path)
	if err != nil {
		errno := sslerr.Errno(err)
		return nil, fail(
			sslerr.SysEntry(errno, "file_ctrl", "calling fopen("+path+", r)"),
			sslerr.BIOSysLib("file_ctrl"),
			sslerr.Entry{Code: 0x0A080002, Lib: sslLib, Func: fn, Reason: "system lib"})
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxServerInfoFile))
	if errors.Is(err, syscall.EISDIR) {
		// A directory opens and reads as empty (measured with 3.0).
		data, err = nil, nil
	}
	if err != nil {
		return nil, err
	}
	noStartLine := sslerr.Entry{Code: 0x0480006C, Lib: "PEM routines", Func: "get_name", Reason: "no start line"}
	exts, atEOF, err := parseServerInfo(data)
	switch {
	case err != nil:
		return nil, fail(sslerr.Entry{Code: 0x0A000000 | serverInfoReasons[err.(serverInfoError)].code, Lib: sslLib, Func: fn,
			Reason: serverInfoReasons[err.(serverInfoError)].reason})
	case len(exts) == 0 && atEOF:
		return nil, fail(noStartLine, sslerr.Entry{Code: 0x0A000185, Lib: sslLib, Func: fn, Reason: "no pem extensions"})
	case len(exts) == 0:
		return nil, fail(sslerr.Entry{Code: 0x0A000185, Lib: sslLib, Func: fn, Reason: "no pem extensions"})
	}
	var seen []uint16
	for _, x := range exts {
		// A type openssl keeps to itself may not be carried ("invalid
		// serverinfo data", each type tried with openssl 3.0.22 s_server).
		if msg.OpenSSLReserves(msg.ExtType(x.Type)) || slices.Contains(seen, x.Type) {
			// openssl checks the extensions once the file is read: the
			// reader's end-of-file entry is still on its error queue.
			es := []sslerr.Entry{{Code: 0x0A000184, Lib: sslLib, Func: "SSL_CTX_use_serverinfo_ex", Reason: "invalid serverinfo data"}}
			if atEOF {
				es = append([]sslerr.Entry{noStartLine}, es...)
			}
			return nil, fail(es...)
		}
		seen = append(seen, x.Type)
	}
	return exts, nil
}

// serverInfoError is a reason openssl's serverinfo reader gives.
type serverInfoError int

const (
	errPEMNameTooShort serverInfoError = iota
	errPEMNameBadPrefix
	errServerInfoBadData
)

func (e serverInfoError) Error() string { return serverInfoReasons[e].reason }

// serverInfoReasons is indexed by serverInfoError (an array: nothing to
// build at start-up).
var serverInfoReasons = [...]struct {
	code   uint32
	reason string
}{
	errPEMNameTooShort:   {0x188, "pem name too short"},
	errPEMNameBadPrefix:  {0x187, "pem name bad prefix"},
	errServerInfoBadData: {0x186, "bad data"},
}

// parseServerInfo reads the PEM blocks of a serverinfo file in order. It
// stops at the end of the PEM data (atEOF) or at a block with no data,
// which openssl's PEM reader refuses as it would the end.
func parseServerInfo(data []byte) (exts []engine.ServerInfo, atEOF bool, err error) {
	const v1Prefix, v2Prefix = "SERVERINFO FOR ", "SERVERINFOV2 FOR "
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			return exts, true, nil
		}
		if len(b.Bytes) == 0 {
			return exts, false, nil
		}
		name := b.Type
		v2 := false
		switch {
		case len(name) < len(v1Prefix):
			return nil, false, errPEMNameTooShort
		case strings.HasPrefix(name, v1Prefix):
		case len(name) < len(v2Prefix):
			return nil, false, errPEMNameTooShort
		case strings.HasPrefix(name, v2Prefix):
			v2 = true
		default:
			return nil, false, errPEMNameBadPrefix
		}
		d := b.Bytes
		x := engine.ServerInfo{Context: engine.ServerInfoV1Context}
		if v2 {
			if len(d) < 4 {
				return nil, false, errServerInfoBadData
			}
			x.Context, d = binary.BigEndian.Uint32(d), d[4:]
		}
		// One extension: type, length, and exactly that much data.
		if len(d) < 4 || int(binary.BigEndian.Uint16(d[2:])) != len(d)-4 {
			return nil, false, errServerInfoBadData
		}
		x.Type, x.Data = binary.BigEndian.Uint16(d), d[4:]
		exts = append(exts, x)
	}
}

// attachConfServerInfo gives -ssl_config's ServerInfoFile (optgroups
// read it) to the certificate in the slot that was current when the
// command applied, as openssl 3.0.22 does: the RSA one unless a
// Certificate or PrivateKey command came before it (a context starts
// with the RSA slot current), and it is sent with whatever certificate
// fills that slot, the section's, -cert's or -dcert's; -serverinfo, which
// goes to -cert's, replaces it when -cert is in that slot (measured:
// -cert RSA -dcert ECDSA sends it to clients served the RSA certificate
// only; -cert ECDSA alone, never). -xcert's certificates never get it.
func attachConfServerInfo(c *config, id *identity, path string) {
	si, err := readServerInfo(path)
	if err != nil || id.sectionSI < 0 {
		return
	}
	for i := range len(id.main) - len(c.xcerts) {
		if optgroups.SlotOf(id.main[i]) != id.sectionSI {
			continue
		}
		if i == id.certIdx && c.serverInfoFile != "" {
			return // -serverinfo's replaced it
		}
		id.main[i].ServerInfo = si
		return
	}
}
