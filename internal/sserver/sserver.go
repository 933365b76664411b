// Package sserver implements the s_server command: a TLS test server like openssl s_server that serves many clients at once.
package sserver

import (
	"github.com/tlskit/tlskit/internal/opt"
	"github.com/tlskit/tlskit/internal/stdio"
)

// Table is s_server's option table.
var Table = &opt.Table{Prog: "s_server", Usage: "[options]", Options: options}

// Main runs s_server with its arguments and returns the exit code.
func Main(args []string, s stdio.Stdio) int {
	v, code, ok := Table.ParseArgs(args, s.Err)
	if !ok {
		return code
	}
	_ = v
	return 0
}
