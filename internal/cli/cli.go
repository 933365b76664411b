// Package cli dispatches tlskit's subcommands, under the name tlskit or openssl.
package cli

import (
	"fmt"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/tlskit/tlskit/internal/certs"
	"github.com/tlskit/tlskit/internal/sclient"
	"github.com/tlskit/tlskit/internal/sserver"
	"github.com/tlskit/tlskit/internal/stdio"
)

// Stdio is the standard streams a command runs with.
type Stdio = stdio.Stdio

// Version is set at link time (-ldflags "-X .../cli.Version=v1.2.3"); when
// empty the module version from the build info is used.
var Version string

type command struct {
	name string
	help string
	run  func(args []string, s Stdio) int
}

// commands lists the subcommands. It is a function because help lists
// them: a package-level table naming runHelp would be an initialization
// cycle.
func commands() []command {
	return []command{
		{"s_client", "TLS client: connect, verify and report like openssl s_client", sclient.Main},
		{"s_server", "TLS test server like openssl s_server, serving many clients at once", sserver.Main},
		{"version", "print tlskit's version", runVersion},
		{"help", "list the commands", runHelp},
	}
}

// Main runs tlskit with the full argument vector (args[0] is the program
// name) and returns the exit code.
func Main(args []string, s Stdio) int {
	prog := "tlskit"
	if len(args) > 0 {
		prog = strings.TrimSuffix(filepath.Base(args[0]), ".exe")
	}
	if prog == "openssl" && (len(args) < 2 || !ours(args[1])) {
		// Installed as openssl, tlskit hands every other command to the
		// real openssl (before touching any signal: exec keeps ignored
		// ones). tlskit's own version and help only stand in for a
		// missing one.
		if len(args) < 2 || (args[1] != "version" && args[1] != "help") || realOpenSSL(selfPaths()) != "" {
			return passThrough(args, s)
		}
	}
	// A reader of the output that goes away (`| grep -q`, `| head -1`) must
	// not kill tlskit with SIGPIPE: openssl ignores it, and its writes
	// just fail from then on.
	ignoreSIGPIPE()
	// An encrypted key without -pass: ask on the terminal, as openssl does.
	certs.AskPass = func(path string) (string, error) { return stdio.AskPass(path, s) }
	if len(args) < 2 {
		runHelp(nil, s)
		return 1
	}
	name := args[1]
	for _, c := range commands() {
		if c.name == name {
			return c.run(args[2:], s)
		}
	}
	fmt.Fprintf(s.Err, "%s: unknown command %q; tlskit implements s_client, s_server, version and help\n", prog, name)
	return 1
}

func runHelp(_ []string, s Stdio) int {
	fmt.Fprintln(s.Err, "Usage: tlskit COMMAND [options]   (also works as a symlink named openssl)")
	fmt.Fprintln(s.Err)
	fmt.Fprintln(s.Err, "Commands:")
	for _, c := range commands() {
		fmt.Fprintf(s.Err, "  %-10s %s\n", c.name, c.help)
	}
	fmt.Fprintln(s.Err)
	fmt.Fprintln(s.Err, "Use 'tlskit COMMAND -help' for a command's options.")
	return 0
}

func runVersion(_ []string, s Stdio) int {
	fmt.Fprintf(s.Out, "tlskit %s (%s, compatible with OpenSSL 3.0 s_client/s_server)\n", version(), runtime.Version())
	return 0
}

func version() string {
	if Version != "" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}
