// Package sclient implements the s_client command: connect, verify and report like openssl s_client.
package sclient

import (
	"github.com/tlskit/tlskit/internal/opt"
	"github.com/tlskit/tlskit/internal/stdio"
)

// Table is s_client's option table.
var Table = &opt.Table{Prog: "s_client", Usage: "[options] [host:port]", Options: options, MaxParams: 1}

// Main runs s_client with its arguments and returns the exit code.
func Main(args []string, s stdio.Stdio) int {
	v, code, ok := Table.ParseArgs(args, s.Err)
	if !ok {
		return code
	}
	_ = v
	return 0
}
