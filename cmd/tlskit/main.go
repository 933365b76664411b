// Command tlskit is OpenSSL's s_client and s_server rebuilt in Go.
package main

import (
	"os"

	"github.com/tlskit/tlskit/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args, cli.Stdio{In: os.Stdin, Out: os.Stdout, Err: os.Stderr}))
}
