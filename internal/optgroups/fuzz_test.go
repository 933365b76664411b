package optgroups

import (
	"strings"
	"testing"

	"github.com/tlskit/tlskit/internal/opt"
	"github.com/tlskit/tlskit/internal/sslconf"
)

// FuzzApplyCommands: any section's commands, under either role, turn into
// options or errors without a panic, and ParseTLS then reads the options
// without one; a section that applies cleanly adds only options of the
// table, marked with the section.
func FuzzApplyCommands(f *testing.F) {
	f.Add("CipherString\nAES128-SHA\nOptions\n-SessionTicket, ServerPreference,bogus\nProtocol\n-ALL,TLSv1.2,+TLSv1.3", true)
	f.Add("MinProtocol\nTLSv1.3\nMaxProtocol\nTLSv1.2\nGroups\nP-384:NOPE\nNumTickets\n-1", false)
	f.Add("RecordPadding\n99999\nECDHParameters\nP-256\nCertificate\nx.pem\nSignatureAlgorithms\nRSA+SHA256", true)
	table := &opt.Table{Options: append(TLS(),
		opt.Option{Name: "num_tickets", Kind: opt.Int},
		opt.Option{Name: "anti_replay", Kind: opt.None},
		opt.Option{Name: "no_anti_replay", Kind: opt.None},
		opt.Option{Name: "no_ca_names", Kind: opt.None})}
	f.Fuzz(func(t *testing.T, text string, server bool) {
		role := Client
		if server {
			role = Server
		}
		lines := strings.Split(text, "\n")
		var cmds []sslconf.Command
		for i := 0; i+1 < len(lines); i += 2 {
			cmds = append(cmds, sslconf.Command{Name: lines[i], Value: lines[i+1]})
		}
		out, r := applyCommands(&opt.Values{}, cmds, role, table.Lookup, "fuzz")
		if out == nil {
			t.Fatal("nil options")
		}
		if !r.failed && !r.refused {
			for _, x := range out.List {
				if x.Config != "fuzz" || x.Opt == nil {
					t.Fatalf("option %+v not marked as the section's", x)
				}
			}
		}
		ParseTLS(out, role)
	})
}
