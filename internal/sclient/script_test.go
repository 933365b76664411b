package sclient

import (
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/tlskit/tlskit/internal/stdio"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"s_client": func() {
			os.Exit(Main(os.Args[1:], stdio.Stdio{In: os.Stdin, Out: os.Stdout, Err: os.Stderr}))
		},
	})
}

// TestScripts runs testdata/script/*.txtar: s_client's command-line
// behaviour that needs no peer (file loading, pass phrases, option errors),
// exit codes and which stream each message goes to.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{Dir: "testdata/script"})
}
